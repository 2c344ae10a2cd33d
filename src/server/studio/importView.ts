/**
 * The views of the import pages (src/server/studio/importData.ts): pure functions of a view model, built with
 * the `html` template (escaped by default).
 */
import type { ErrorGroup } from '../../core/response/importErrors.js';
import { type Html, html, raw } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { csrfField } from './layout.js';

/** One choice of a column's select: a study variable, the timestamp, or "not imported". */
export interface ColumnChoice {
  readonly value: string;
  readonly label: string;
}

export interface ColumnRow {
  readonly index: number;
  readonly letter: string;
  readonly header: string;
  /** What the column fills now: a variable id, `__timestamp`, or '' (not imported). */
  readonly chosen: string;
  /** How it was matched, or why not (the importer's words). */
  readonly how: string;
  /** "Did you mean" choices first, then every variable. */
  readonly suggested: readonly ColumnChoice[];
  readonly all: readonly ColumnChoice[];
}

/** Values the file has that are not answers of their item, per column × value, with a fix to choose. */
export interface ValueRow {
  readonly key: string;
  readonly group: ErrorGroup;
  /** Options to map the value to (empty when it cannot be mapped, e.g. a number out of range). */
  readonly choices: readonly ColumnChoice[];
}

export interface MappingModel {
  readonly action: string;
  readonly fileName: string;
  readonly sha12: string;
  readonly rows: number;
  readonly columns: readonly ColumnRow[];
  readonly matched: { readonly matched: number; readonly total: number; readonly missing: readonly string[] };
  /** Variables the analysis needs that no column fills, with "did you mean" (plain text). */
  readonly unmatched: string;
  readonly errorCount: number;
  readonly values: readonly ValueRow[];
  /** Other errors (file-level, mapping) in words. */
  readonly otherErrors: readonly string[];
  readonly warnings: readonly string[];
  /** Rows already in the study from an earlier import of this file. */
  readonly alreadyImported: number;
  readonly ready: boolean;
}

function options(chosen: string, list: readonly ColumnChoice[]): Html[] {
  return list.map(
    (c) => html`<option value="${c.value}"${c.value === chosen ? raw(' selected') : ''}>${c.label}</option>`,
  );
}

function columnSelect(c: ColumnRow): Html {
  const id = `col-${c.index}`;
  const none: ColumnChoice = { value: '', label: '— not imported —' };
  const time: ColumnChoice = { value: '__timestamp', label: 'Submission time' };
  return html`<select id="${id}" name="c${c.index}" aria-label="Column ${c.letter} is imported as">${options(c.chosen, [none, time])}${
    c.suggested.length > 0
      ? html`<optgroup label="Did you mean">${options(c.chosen, c.suggested)}</optgroup>`
      : ''
  }<optgroup label="Study variables">${options(
    c.chosen,
    c.all.filter((a) => !c.suggested.some((s) => s.value === a.value)),
  )}</optgroup></select>`;
}

function valueSelect(v: ValueRow, i: number): Html | string {
  if (v.choices.length === 0) return 'fix it in the file';
  return html`<input type="hidden" name="vk${i}" value="${v.key}"><select id="val-${i}" name="v${i}" aria-label="Read ${v.group.value ?? ''} in ${v.group.column ?? ''} as">${options('', [{ value: '', label: '— leave as an error —' }, ...v.choices])}</select>`;
}

/** The mapping screen: columns, values that do not match, the dry run, and the import button. */
export function mappingPage(m: MappingModel, csrf: string): Html {
  const head = html`<h1>Import responses</h1><p><b>${m.fileName}</b> · SHA-256 ${m.sha12}… · ${m.rows} response row${m.rows === 1 ? '' : 's'}</p>
<p class="stat" id="items-matched"><b>${m.matched.matched} of ${m.matched.total}</b> instrument items matched${m.matched.missing.length > 0 ? ` (no column: ${m.matched.missing.join(', ')})` : ''}</p>`;
  const columns = dataTable(
    ['Column', 'Header', 'How it was matched', 'Imported as'],
    m.columns.map((c) => [
      c.letter,
      html`<span dir="auto">${c.header || '(no header)'}</span>`,
      c.how,
      columnSelect(c),
    ]),
    { caption: 'Every column of the file' },
  );
  const values =
    m.values.length > 0
      ? html`<h2>Values that do not match</h2><p>Each value below is not an answer its column's item accepts. Choose what it means, or fix the file and upload it again.</p>${dataTable(
          ['Column', 'Value', 'Rows', 'First row', 'Problem', 'Read it as'],
          m.values.map((v, i) => [
            v.group.column ?? '',
            v.group.value ?? '',
            v.group.count,
            v.group.firstRow ?? '',
            v.group.message,
            valueSelect(v, i),
          ]),
          { numeric: [2, 3] },
        )}`
      : '';
  const dry = m.ready
    ? html`<div class="notice ok" role="status" id="dry-run"><p><b>Dry run: no problems.</b> ${m.rows - m.alreadyImported} response${m.rows - m.alreadyImported === 1 ? '' : 's'} will be added${m.alreadyImported > 0 ? `; ${m.alreadyImported} are in the study already (this file was imported before) and will not be added again` : ''}.</p></div>`
    : html`<div class="errors" role="alert" id="dry-run"><p><b>Dry run: nothing can be imported yet.</b>${m.errorCount > 0 ? ` ${m.errorCount} problem${m.errorCount === 1 ? '' : 's'} in the file.` : ''}</p>${
        m.otherErrors.length > 0 ? html`<ul>${m.otherErrors.map((e) => html`<li>${e}</li>`)}</ul>` : ''
      }${m.unmatched ? html`<p>The analysis needs these variables, which no column fills:</p><pre>${m.unmatched}</pre><p>Choose their columns above (the "Did you mean" choices), then check again.</p>` : ''}</div>`;
  const warnings =
    m.warnings.length > 0 ? html`<ul class="hint">${m.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : '';
  const importForm = m.ready
    ? html`<form method="post" action="${m.action}/import" class="stack">${csrfField(csrf)}<p><button class="primary" id="do-import">Import ${m.rows - m.alreadyImported} responses</button></p><p class="hint">All rows are stored in one step, or none; the import is recorded in the audit log and the responses are marked <code>imported:${m.sha12}</code> in the dataset and the exports.</p></form>`
    : '';
  return html`${head}${dry}${warnings}<form method="post" action="${m.action}/mapping" class="stack">${csrfField(csrf)}${columns}${values}<p><button id="check-mapping">Check again with these choices</button></p></form>${importForm}`;
}

interface UploadModel {
  readonly action: string;
  readonly limitText: string;
  readonly sources: readonly { readonly source: string; readonly count: number }[];
  readonly result?: { readonly added: number; readonly already: number } | undefined;
}

/** The upload form, with what was imported so far. */
export function uploadPage(m: UploadModel, csrf: string): Html {
  const result = m.result
    ? html`<div class="notice ok" role="status" id="import-result"><p>${m.result.added} response${m.result.added === 1 ? '' : 's'} imported${m.result.already > 0 ? `; ${m.result.already} were in the study already and were not added again` : ''}.</p></div>`
    : '';
  const sources =
    m.sources.length > 0
      ? dataTable(
          ['Source', 'Responses'],
          m.sources.map((s) => [html`<code>${s.source}</code>`, s.count]),
          {
            numeric: [1],
            caption: 'Imported so far',
          },
        )
      : html`<p class="muted">No responses have been imported into this study.</p>`;
  return html`<h1>Import responses</h1>${result}<p>Bring in responses collected elsewhere — a Google Forms download, any CSV (UTF-8) or Excel (.xlsx) export. The next page shows how each column is matched to the study's items and questions before anything is stored.</p>
<form method="post" action="${m.action}" enctype="multipart/form-data" class="stack card">${csrfField(csrf)}<div class="field"><label for="import-file">Export file (.csv or .xlsx, at most ${m.limitText})</label><input type="file" id="import-file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></div><p><button class="primary">Upload and match columns</button></p></form>${sources}`;
}
