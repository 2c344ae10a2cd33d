/**
 * The member-checking page as a pure view of its model: per participant the packet (its turns, version hash
 * and links in English and Urdu), the status with its history, the form that records a status, and the
 * corrections with the form that records one. `membersModel` (members.ts) builds the model from the project.
 */
import type { PacketItem } from '../../core/qual/members.js';
import type { Correction, MemberCheckStatus } from '../../store/index.js';
import { attr, type Html, html, raw } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { csrfInput, when } from './common.js';
import { escText } from './sourcesView.js';

interface MemberRow {
  readonly participantId: string;
  readonly pseudonym: string;
  readonly items: readonly PacketItem[];
  /** The packet's version hash now. */
  readonly hash: string;
  readonly status: MemberCheckStatus;
  /** The version hash of the packet as last sent (null before). */
  readonly sentHash: string | null;
  /** The stored record's version (0 before the first status). */
  readonly version: number;
  readonly language: 'en' | 'ur';
  readonly history: readonly {
    readonly at: string;
    readonly status: string;
    readonly by: string;
    readonly note?: string | undefined;
  }[];
  readonly corrections: readonly Pick<Correction, 'before' | 'after' | 'at'>[];
}

export interface MembersModel {
  readonly base: string;
  readonly rows: readonly MemberRow[];
}

/** The member-checking page. */
export function membersView(m: MembersModel, csrf: string): Html {
  return html`<h1>Member checking</h1><p class="hint">Each packet shows only that participant’s own turns. Its version hash changes when the transcript does. Corrections are tracked edits: the transcript changes, every coder’s segments move with it, and the audit trail keeps what stood there before.</p>${
    m.rows.length
      ? dataTable(
          ['Participant', 'Turns', 'Status', 'Packet', 'Record status', 'Corrections'],
          m.rows.map((r) => row(m.base, r, csrf)),
          { numeric: [1] },
        )
      : html`<p>No participants yet.</p>`
  }`;
}

function row(base: string, r: MemberRow, csrf: string): Html[] {
  const path = `${base}/member-checks/${encodeURIComponent(r.participantId)}`;
  const changed = r.sentHash !== null && r.sentHash !== r.hash;
  return [
    html`<strong>${r.pseudonym}</strong>`,
    html`${r.items.length}`,
    html`<span class="badge">${r.status.replace('_', ' ')}</span>${r.sentHash && html`<br><code class="hash">${r.sentHash.slice(0, 12)}</code>`}${
      changed && html`<br><span class="sup">transcript changed since sent</span>`
    }`,
    html`<a href="${path}/packet?lang=en">English</a> · <a href="${path}/packet?lang=ur" lang="ur">اردو</a><br><code class="hash">${r.hash.slice(0, 12)}</code>`,
    html`<form method="post" action="${path}/status" class="stack">${raw(csrfInput(csrf))}<input type="hidden" name="version" value="${r.version}"><select name="status" aria-label="New status"><option value="sent">sent</option><option value="returned">returned</option><option value="corrected">corrected</option><option value="approved">approved</option></select><select name="language" aria-label="Packet language"><option value="en"${attr('selected', r.language !== 'ur')}>English</option><option value="ur"${attr('selected', r.language === 'ur')}>Urdu</option></select><input type="text" name="note" placeholder="Note" dir="auto"><button>Record</button></form>${
      r.history.length > 0 &&
      html`<details><summary>History</summary><ul>${r.history.map(
        (h) =>
          html`<li>${when(h.at)}: ${h.status} (${h.by})${h.note && html` — <span dir="auto">${h.note}</span>`}</li>`,
      )}</ul></details>`
    }`,
    html`${
      r.corrections.length > 0 &&
      html`<ul>${r.corrections.map(
        (c) =>
          html`<li><del dir="auto">${raw(escText(c.before))}</del> → <ins dir="auto">${raw(escText(c.after))}</ins> <span class="muted">(${when(c.at)})</span></li>`,
      )}</ul>`
    }${r.items.length > 0 && correctionForm(path, r.items, csrf)}`,
  ];
}

function correctionForm(path: string, items: readonly PacketItem[], csrf: string): Html {
  return html`<details><summary>Record a correction</summary><form method="post" action="${path}/corrections" class="stack">${raw(csrfInput(csrf))}<select name="turn" aria-label="Turn">${items.map(
    (i) =>
      html`<option value="${`${i.sourceId}|${i.turnIndex}`}">${i.sourceName} #${i.turnIndex + 1}: ${Array.from(i.text.replace(/\s+/g, ' ')).slice(0, 50).join('')}…</option>`,
  )}</select><label>Words as transcribed <input type="text" name="find" required dir="auto"></label><label>Corrected words <input type="text" name="replace" dir="auto"></label><input type="text" name="note" placeholder="Note" dir="auto"><button>Apply correction</button></form></details>`;
}
