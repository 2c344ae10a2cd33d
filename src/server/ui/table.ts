/** The data table of the researcher pages: a header row, body rows, numeric columns aligned to the end. */
import { type Html, type HtmlValue, html } from './html.js';

export interface TableOptions {
  /** Indexes of the columns that hold numbers (aligned to the end). */
  readonly numeric?: readonly number[];
  readonly caption?: string;
}

/** A scrollable table; header labels and cells are escaped unless they are Html. */
export function dataTable(
  head: readonly HtmlValue[],
  rows: readonly (readonly HtmlValue[])[],
  options: TableOptions = {},
): Html {
  const num = new Set(options.numeric ?? []);
  const cls = (i: number) => (num.has(i) ? html` class="num"` : '');
  return html`<div class="wrap"><table>${options.caption ? html`<caption>${options.caption}</caption>` : ''}<thead><tr>${head.map(
    (h, i) => html`<th scope="col"${cls(i)}>${h}</th>`,
  )}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td${cls(i)}>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}
