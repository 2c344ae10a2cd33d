/**
 * The results and checklist pages as views: a report table on a page ({@link specHtml}), the results table
 * page, and the COREQ / SRQR checklists with the project metadata form. Pure functions of their inputs; the
 * handlers and the downloads are in src/server/qual/results.ts.
 */
import type { QualMeta } from '../../core/qual/model.js';
import { displayRows, tableNotes } from '../../core/report/display.js';
import type { TableSpec } from '../../core/report/spec.js';
import { attr, type Html, html, join } from '../ui/html.js';
import { csrfInput } from './common.js';

/** A TableSpec as an HTML table for a studio page (cells `dir="auto"`, group rows as headings). */
export function specHtml(spec: TableSpec): Html {
  const head = spec.columns.map((c) => html`<th scope="col">${c.label}</th>`);
  const body = displayRows(spec).map((r) =>
    r.kind === 'group'
      ? html`<tr><th colspan="${spec.columns.length}" scope="colgroup" dir="auto">${r.label}</th></tr>`
      : html`<tr>${r.cells.map((c) => html`<td dir="auto">${c}</td>`)}</tr>`,
  );
  const notes = tableNotes(spec);
  return html`<div class="wrap"><table><caption>${spec.title}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${
    notes.length > 0 && html`<p class="hint">${join(notes, ' ')}</p>`
  }`;
}

/** The results table page: all themes or the final ones, the downloads, the table. */
export interface ResultsModel {
  readonly base: string;
  readonly include: 'all' | 'final';
  readonly spec: TableSpec;
}

export function resultsView(m: ResultsModel): Html {
  const { base } = m;
  const qs = m.include === 'final' ? '?include=final' : '';
  return html`<h1>Results table</h1><p><a href="${base}/results"${attr('aria-current', m.include === 'all' && 'page')}>All themes</a> · <a href="${base}/results?include=final"${attr('aria-current', m.include === 'final' && 'page')}>Final themes only</a></p><p>Download: <a href="${base}/results.md${qs}">Markdown</a> · <a href="${base}/results.csv${qs}">CSV</a> · <a href="${base}/results.docx${qs}">Word</a> · <a href="${base}/results.html${qs}">HTML</a></p>${specHtml(m.spec)}`;
}

/** The text fields of the project metadata form (the checklists draw on them), with their labels. */
export const META_FIELDS: readonly [keyof QualMeta, string][] = [
  ['title', 'Title of the study'],
  ['researchQuestion', 'Research question'],
  ['approach', 'Methodological approach (e.g. qualitative descriptive design, reflexive thematic analysis)'],
  ['paradigm', 'Paradigm'],
  ['theory', 'Theoretical framework'],
  ['relationshipWithParticipants', 'Relationship with participants'],
  ['reflexivity', 'Reflexivity'],
  ['sampling', 'Sampling'],
  ['approachMethod', 'How participants were approached'],
  ['nonParticipation', 'Non-participation'],
  ['setting', 'Setting of data collection'],
  ['presentOthers', 'Presence of non-participants'],
  ['sampleDescription', 'Description of the sample'],
  ['interviewGuide', 'Interview / discussion guide'],
  ['repeatInterviews', 'Repeat interviews'],
  ['recording', 'Audio/visual recording'],
  ['fieldNotes', 'Field notes'],
  ['duration', 'Duration'],
  ['saturation', 'Data saturation'],
  ['transcriptsReturned', 'Transcripts returned to participants'],
  ['memberChecking', 'Member checking'],
  ['trustworthiness', 'Techniques to enhance trustworthiness'],
  ['software', 'Software'],
  ['ethics', 'Ethics approval and consent'],
  ['dataCollectionDates', 'Dates of data collection'],
  ['funding', 'Funding'],
  ['conflicts', 'Conflicts of interest'],
];

/** The checklists page: COREQ and SRQR pre-filled, and for owners and analysts the metadata form. */
export interface ChecklistsModel {
  readonly base: string;
  readonly coreq: TableSpec;
  readonly srqr: TableSpec;
  /** The metadata form (null for a viewer): the project's version and its metadata. */
  readonly form: { readonly version: number; readonly meta: QualMeta } | null;
}

export function checklistsView(m: ChecklistsModel, csrf: string): Html {
  return html`<h1>Reporting checklists</h1><p class="hint">Pre-filled from the project and its metadata; the rest is marked “[to be completed by the researcher]”.</p><p>Download: <a href="${m.base}/checklists.md">Markdown</a> · <a href="${m.base}/checklists.docx">Word</a></p>${specHtml(m.coreq)}${specHtml(m.srqr)}${
    m.form && metaForm(m.base, m.form.version, m.form.meta, csrf)
  }`;
}

/** The research team as the form's textarea holds it: one member a line, fields separated by " | ". */
function teamText(meta: QualMeta): string {
  return (meta.team ?? [])
    .map((t) =>
      [
        t.label,
        t.role ?? '',
        t.credentials ?? '',
        t.occupation ?? '',
        t.gender ?? '',
        t.experience ?? '',
        t.facilitator ? 'yes' : 'no',
      ].join(' | '),
    )
    .join('\n');
}

function metaForm(base: string, version: number, m: QualMeta, csrf: string): Html {
  return html`<h2>Project metadata</h2><form method="post" action="${base}/meta" class="stack">${csrfInput(csrf)}<input type="hidden" name="version" value="${version}">${META_FIELDS.map(
    ([k, label]) =>
      html`<div class="field"><label for="m-${k}">${label}</label><textarea id="m-${k}" name="${k}" rows="2" dir="auto">${String(m[k] ?? '')}</textarea></div>`,
  )}<div class="field"><label for="m-sampleSize">Sample size</label><input type="number" min="0" id="m-sampleSize" name="sampleSize" value="${m.sampleSize ?? ''}" class="w8"></div><div class="field"><label for="m-pilot">Guide pilot tested</label><select id="m-pilot" name="pilotTested"><option value="">not stated</option><option value="1"${attr('selected', m.pilotTested === true)}>yes</option><option value="0"${attr('selected', m.pilotTested === false)}>no</option></select></div><div class="field"><label for="m-team">Research team, one per line: label | role | credentials | occupation | gender | experience | facilitated (yes/no)</label><textarea id="m-team" name="team" rows="4">${teamText(m)}</textarea></div><p><button class="primary">Save metadata</button></p></form>`;
}
