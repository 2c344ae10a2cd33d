/**
 * The member-checking pages as pure views: the member-checking page of its model (per participant the packet
 * — its turns, version hash and links in English and Urdu —, the status with its history, the form that
 * records a status, and the corrections with the form that records one; `membersModel` in members.ts builds
 * the model from the project), and the printable packet itself ({@link packetView}).
 */
import type { PacketContent, PacketItem } from '../../core/qual/members.js';
import { formatTimestamp } from '../../core/qual/transcript.js';
import type { Correction, MemberCheckStatus } from '../../store/index.js';
import { attr, type Html, html, raw } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { csrfInput, when } from './common.js';
import { textWithCr } from './sourcesView.js';

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
    html`<form method="post" action="${path}/status" class="stack">${csrfInput(csrf)}<input type="hidden" name="version" value="${r.version}"><select name="status" aria-label="New status"><option value="sent">sent</option><option value="returned">returned</option><option value="corrected">corrected</option><option value="approved">approved</option></select><select name="language" aria-label="Packet language"><option value="en"${attr('selected', r.language !== 'ur')}>English</option><option value="ur"${attr('selected', r.language === 'ur')}>Urdu</option></select><input type="text" name="note" placeholder="Note" dir="auto"><button>Record</button></form>${
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
          html`<li><del dir="auto">${textWithCr(c.before)}</del> → <ins dir="auto">${textWithCr(c.after)}</ins> <span class="muted">(${when(c.at)})</span></li>`,
      )}</ul>`
    }${r.items.length > 0 && correctionForm(path, r.items, csrf)}`,
  ];
}

function correctionForm(path: string, items: readonly PacketItem[], csrf: string): Html {
  return html`<details><summary>Record a correction</summary><form method="post" action="${path}/corrections" class="stack">${csrfInput(csrf)}<select name="turn" aria-label="Turn">${items.map(
    (i) =>
      html`<option value="${`${i.sourceId}|${i.turnIndex}`}">${i.sourceName} #${i.turnIndex + 1}: ${Array.from(i.text.replace(/\s+/g, ' ')).slice(0, 50).join('')}…</option>`,
  )}</select><label>Words as transcribed <input type="text" name="find" required dir="auto"></label><label>Corrected words <input type="text" name="replace" dir="auto"></label><input type="text" name="note" placeholder="Note" dir="auto"><button>Apply correction</button></form></details>`;
}

/** A participant's member-checking packet: core's content and its version hash. */
export interface Packet extends PacketContent {
  /** SHA-256 of the participant's turns as shown (source and text, no positions). */
  readonly hash: string;
}

const TEXT = {
  en: {
    dir: 'ltr',
    title: 'Your words from the discussion, for you to check',
    intro:
      'This is what you said in the focus group discussion, as we wrote it down. Please read it and tell us whether it is accurate. If anything was written down wrongly, mark it and write the correct words next to it. You may also add anything you would like to explain.',
    participant: 'Participant',
    version: 'Version',
    turn: 'Turn',
    confirm: 'I have read this and it is accurate (or I have marked my corrections):',
    signature: 'Signature / date',
    none: 'No turns of yours were found in the transcripts.',
  },
  ur: {
    dir: 'rtl',
    title: 'گفتگو میں آپ کے الفاظ — آپ کی تصدیق کے لیے',
    intro:
      'یہ وہ باتیں ہیں جو آپ نے فوکس گروپ کی گفتگو میں کہیں، جیسا کہ ہم نے انہیں لکھا ہے۔ براہ کرم انہیں پڑھیں اور بتائیں کہ کیا یہ درست ہیں۔ اگر کوئی بات غلط لکھی گئی ہو تو اس پر نشان لگائیں اور ساتھ درست الفاظ لکھ دیں۔ آپ کوئی وضاحت بھی شامل کر سکتے ہیں۔',
    participant: 'شریک',
    version: 'ورژن',
    turn: 'باری',
    confirm: 'میں نے یہ متن پڑھ لیا ہے اور یہ درست ہے (یا میں نے اپنی تصحیحات کی نشاندہی کر دی ہے):',
    signature: 'دستخط / تاریخ',
    none: 'متن میں آپ کی کوئی بات نہیں ملی۔',
  },
} as const;

/** The packet's stylesheet (inline: the page stands alone, printed or saved). */
const PACKET_CSS: Html = raw(
  'body{font:1rem/1.7 system-ui,"Noto Sans","Noto Naskh Arabic",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}' +
    ':lang(ur){font-family:"Noto Nastaliq Urdu","Noto Naskh Arabic",sans-serif;line-height:2.1}' +
    'h1{font-size:1.4rem}.meta{color:#555;font-size:.9rem}.turn{border-inline-start:3px solid #ccc;padding:.25rem .75rem;margin:1rem 0;white-space:pre-wrap}' +
    '.hash{font:.75rem ui-monospace,monospace;word-break:break-all;direction:ltr;unicode-bidi:isolate}.sign{margin-top:3rem;border-top:1px solid #999;padding-top:.5rem}' +
    '@media print{body{margin:0}}',
);

/** The printable packet page (a whole document: no script, inline style, print-friendly), English or Urdu. */
export function packetView(packet: Packet, lang: 'en' | 'ur', studyTitle: string): Html {
  const t = TEXT[lang];
  const items = packet.items.length
    ? packet.items.map(
        (i) =>
          html`<p class="meta">${i.sourceName} · ${t.turn} ${i.turnIndex + 1}${i.time !== undefined && ` · ${formatTimestamp(i.time)}`}</p><p class="turn" dir="auto">${textWithCr(i.text)}</p>`,
      )
    : html`<p>${t.none}</p>`;
  const who = packet.participant.pseudonym;
  return html`<!doctype html><html lang="${lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${t.title} – ${who}</title><style>${PACKET_CSS}</style></head><body><main><h1>${t.title}</h1><p class="meta"><span dir="auto">${studyTitle}</span> · ${t.participant} ${who}</p><p>${t.intro}</p>${items}<div class="sign"><p>${t.confirm}</p><p>${t.signature}: ____________________</p></div><p class="meta">${t.version}: <span class="hash">${packet.hash}</span></p></main></body></html>`;
}
