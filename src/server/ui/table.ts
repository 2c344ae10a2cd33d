/**
 * The data tables of the researcher pages: a header row, body rows, numeric columns aligned to the end, each in
 * a box of its own that scrolls sideways when the table is wider than the screen (so the page itself never
 * scrolls sideways on a 360 px phone). The box is a keyboard-reachable region (`tabindex="0"`, `role="region"`,
 * an `aria-label`), so a keyboard user can focus it and scroll it with the arrow keys (WCAG 2.1.1).
 */
import { type Html, type HtmlValue, html } from './html.js';

export interface TableOptions {
  /** Indexes of the columns that hold numbers (aligned to the end). */
  readonly numeric?: readonly number[];
  readonly caption?: string;
  /** The scroll box's accessible name (default: the caption, else "Table: " and the column headings). */
  readonly label?: string;
}

/** A sideways-scrolling, keyboard-reachable box around wide content (a table), named by `label`. */
export function scrollBox(label: string, content: HtmlValue): Html {
  return html`<div class="wrap" tabindex="0" role="region" aria-label="${label}">${content}</div>`;
}

/** A scrollable table; header labels and cells are escaped unless they are Html. */
export function dataTable(
  head: readonly HtmlValue[],
  rows: readonly (readonly HtmlValue[])[],
  options: TableOptions = {},
): Html {
  const num = new Set(options.numeric ?? []);
  const cls = (i: number) => (num.has(i) ? html` class="num"` : '');
  const named = head.filter((h): h is string => typeof h === 'string' && h !== '').slice(0, 4);
  const label = options.label ?? options.caption ?? (named.length ? `Table: ${named.join(', ')}` : 'Table');
  return scrollBox(
    label,
    html`<table>${options.caption ? html`<caption>${options.caption}</caption>` : ''}<thead><tr>${head.map(
      // A column without a label (a row's buttons) gets no header cell: an empty <th> announces nothing.
      (h, i) => (h === '' ? html`<td></td>` : html`<th scope="col"${cls(i)}>${h}</th>`),
    )}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td${cls(i)}>${c}</td>`)}</tr>`)}</tbody></table>`,
  );
}
