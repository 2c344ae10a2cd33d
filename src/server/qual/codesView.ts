/**
 * The views of the codebook and participants pages (routes: codes.ts): every code as a card in tree order
 * (swatch, grouping badge, the code it is merged into in the consensus codebook, segment count, definition,
 * examples, its edit and delete forms) and the form for a new one; the participants table (pseudonym, the
 * confidential name, turns, attributes, screening, written consent, the edit and withdrawal forms). Pure
 * functions of their models, built with `html`.
 */
import {
  type AttributeValue,
  type Code,
  codePath,
  codesInTreeOrder,
  descendantCodeIds,
  type Participant,
} from '../../core/qual/model.js';
import { participantLabel } from '../../core/qual/transcript.js';
import { attr, type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { colourClass, depthClass } from './assets.js';
import { csrfInput, postButton } from './common.js';
import { withdrawForm } from './withdraw.js';

export interface CodesModel {
  readonly base: string;
  /** Every code the caller sees, codes merged into another in the consensus codebook included. */
  readonly codes: readonly Code[];
  /** Coding is blind: the segment counts are the caller's own. */
  readonly blind: boolean;
  /** Stored version of each code (for the forms' optimistic concurrency). */
  readonly version: ReadonlyMap<string, number>;
  /** How many of the segments the caller sees each code is applied to. */
  readonly uses: ReadonlyMap<string, number>;
}

/** The form that adds a code (`code` null) or edits one; a code cannot be put under itself or a sub-code. */
function codeForm(
  action: string,
  csrf: string,
  codes: readonly Code[],
  code: Code | null,
  version: number | null,
): Html {
  const banned = code ? descendantCodeIds(codes, code.id) : new Set<string>();
  const p = code ? `c-${code.id}-` : 'new-';
  return html`<form method="post" action="${action}" class="stack">${csrfInput(csrf)}${version !== null && html`<input type="hidden" name="version" value="${version}">`}<div class="field"><label for="${p}name">Name</label><input type="text" id="${p}name" name="name" required maxlength="200" dir="auto" value="${code?.name ?? ''}"></div><div class="field"><label for="${p}parent">Parent</label><select id="${p}parent" name="parent"><option value="">(top level)</option>${codesInTreeOrder(
    codes,
  )
    .filter((c) => !banned.has(c.id))
    .map(
      (c) =>
        html`<option value="${c.id}"${attr('selected', code?.parentId === c.id)}>${codePath(codes, c.id).join(' › ')}</option>`,
    )}</select></div><div class="field"><label for="${p}definition">Definition: what it means and when to apply it</label><textarea id="${p}definition" name="definition" dir="auto">${code?.definition ?? ''}</textarea></div><div class="field"><label for="${p}examples">Examples (one per line)</label><textarea id="${p}examples" name="examples" dir="auto">${(code?.examples ?? []).join('\n')}</textarea></div><div class="row"><label for="${p}color">Colour</label><input type="text" id="${p}color" name="color" pattern="#[0-9A-Fa-f]{6}" placeholder="#1F77B4" value="${code?.color ?? ''}" class="w8"><label class="check"><input type="checkbox" name="codable" value="1"${attr('checked', code === null || code.codable)}> applied to text (untick for a grouping node)</label></div><p><button${attr('class', code ? null : 'primary')}>${code ? 'Save code' : 'Add code'}</button></p></form>`;
}

/** A code's card: its heading, definition, examples and (folded) its edit and delete forms. */
function codeCard(m: CodesModel, c: Code, csrf: string): Html {
  const path = `${m.base}/codes/${encodeURIComponent(c.id)}`;
  const version = m.version.get(c.id) ?? 1;
  const merged =
    c.mergedInto !== undefined ? (m.codes.find((x) => x.id === c.mergedInto)?.name ?? c.mergedInto) : null;
  return html`<div class="card ${depthClass(codePath(m.codes, c.id).length - 1)}"><h3 dir="auto">${c.color && html`<span class="swatch ${colourClass(c.color)}"></span>`}${c.name}${!c.codable && html` <span class="badge">group</span>`}${merged !== null && html` <span class="badge">merged into “${merged}” (consensus codebook)</span>`} <span class="muted">(${m.uses.get(c.id) ?? 0} segments)</span></h3>${
    c.definition ? html`<p dir="auto">${c.definition}</p>` : html`<p class="muted">No definition yet.</p>`
  }${c.examples.length > 0 && html`<ul>${c.examples.map((e) => html`<li dir="auto">${e}</li>`)}</ul>`}<details><summary>Edit</summary>${codeForm(path, csrf, m.codes, c, version)}${postButton(`${path}/delete`, csrf, 'Delete code', { version }, 'danger')}</details></div>`;
}

/** The codebook page. */
export function codesView(m: CodesModel, csrf: string): Html {
  return html`<h1>Codebook</h1><p class="hint">${m.codes.length} codes. Segment counts are ${m.blind ? 'your own (coding is blind)' : 'all coders’'}.</p>${
    m.codes.length > 0 && html`<h2>The codes</h2>`
  }${codesInTreeOrder(m.codes).map((c) => codeCard(m, c, csrf))}<h2>Add a code</h2>${codeForm(`${m.base}/codes`, csrf, m.codes, null, null)}<p><a href="${m.base}/codebook.qdc">Download the codebook (REFI-QDA .qdc)</a></p>`;
}

// ---------------------------------------------------------------------------------------------------------
// Participants

export interface ParticipantRow {
  readonly participant: Participant;
  /** Stored version (for the edit form). */
  readonly version: number;
  /** Speaker turns linked to the participant, in every transcript. */
  readonly turns: number;
  /** The written consent, as the consent register says it (`consentSummary`). */
  readonly consent: string;
}

export interface ParticipantsModel {
  readonly base: string;
  /** The caller owns the study: each participant also gets the consent-withdrawal form. */
  readonly owner: boolean;
  readonly rows: readonly ParticipantRow[];
}

/** Attributes (or screening scores) as the textarea's lines, "name: value". */
export function attributesText(a: Readonly<Record<string, AttributeValue>>): string {
  return Object.entries(a)
    .map(([k, v]) => `${k}: ${v === null ? '' : String(v)}`)
    .join('\n');
}

/** The form that adds a participant (`p` null) or edits one. */
function participantForm(base: string, csrf: string, p: Participant | null, version: number | null): Html {
  const pre = p ? `p-${p.id}-` : 'new-';
  const eligible = p?.screening?.eligible;
  return html`<form method="post" action="${base}/participants${p && `/${encodeURIComponent(p.id)}`}" class="stack">${csrfInput(csrf)}${version !== null && html`<input type="hidden" name="version" value="${version}">`}<div class="field"><label for="${pre}pseudonym">Pseudonym (what every export prints)</label><input type="text" id="${pre}pseudonym" name="pseudonym" required maxlength="40" value="${p?.pseudonym ?? ''}" placeholder="P5"></div><div class="field"><label for="${pre}name">Name (optional, confidential: only to recognise them in transcripts; never exported)</label><input type="text" id="${pre}name" name="name" maxlength="200" dir="auto" autocomplete="off" value="${p?.name ?? ''}"></div><div class="field"><label for="${pre}aliases">Speaker labels that mean this participant (one per line)</label><textarea id="${pre}aliases" name="aliases" dir="auto">${(p?.aliases ?? []).join('\n')}</textarea></div><div class="field"><label for="${pre}attributes">Attributes, one “name: value” per line (age, gender, year, college, funding…)</label><textarea id="${pre}attributes" name="attributes" dir="auto">${attributesText(p?.attributes ?? {})}</textarea></div><fieldset><legend>Screening (from the screening survey)</legend><div class="field"><label for="${pre}scores">Scores, one “name: value” per line</label><textarea id="${pre}scores" name="scores">${p?.screening ? attributesText(p.screening.scores) : ''}</textarea></div><div class="field"><label for="${pre}eligible">Eligible</label><select id="${pre}eligible" name="eligible"><option value="">not screened</option><option value="1"${attr('selected', eligible === true)}>yes</option><option value="0"${attr('selected', eligible === false)}>no</option></select></div></fieldset><p><button${attr('class', p ? null : 'primary')}>${p ? 'Save participant' : 'Add participant'}</button></p></form>`;
}

function participantCells(m: ParticipantsModel, r: ParticipantRow, csrf: string): Html[] {
  const p = r.participant;
  return [
    html`<strong>${p.pseudonym}</strong><br><span class="muted">${participantLabel(p)}</span>`,
    p.name ? html`<span dir="auto">${p.name}</span>` : html`<span class="muted">—</span>`,
    html`${r.turns}`,
    html`${Object.entries(p.attributes)
      .map(([k, v]) => `${k}: ${v ?? ''}`)
      .join('; ')}`,
    p.screening
      ? html`${Object.entries(p.screening.scores)
          .map(([k, v]) => `${k} ${v}`)
          .join('; ')}${p.screening.eligible ? ' — eligible' : ' — not eligible'}`
      : html`—`,
    html`<a href="${m.base}/consent">${r.consent}</a>`,
    html`<details><summary>Edit</summary>${participantForm(m.base, csrf, p, r.version)}${m.owner && withdrawForm(m.base, csrf, p)}</details>`,
  ];
}

/** The participants page: the table (when there is anyone) and the form for a new participant. */
export function participantsView(m: ParticipantsModel, csrf: string): Html {
  return html`<h1>Participants</h1><p class="hint">Quotes and exports name participants by pseudonym only, e.g. “(Participant 4)”. Signed consent forms, their PDFs and the consent register: <a href="${m.base}/consent">Consent</a>.</p>${
    m.rows.length
      ? dataTable(
          ['Pseudonym', 'Name (confidential)', 'Turns', 'Attributes', 'Screening', 'Written consent', ''],
          m.rows.map((r) => participantCells(m, r, csrf)),
          { numeric: [2] },
        )
      : html`<p>No participants yet. They are added from speaker labels when you import a transcript, or here.</p>`
  }<h2>Add a participant</h2>${participantForm(m.base, csrf, null, null)}`;
}
