/**
 * HTML renderer: one self-contained file — inline CSS, figures as inline SVG, no scripts, no external requests
 * (a Content-Security-Policy meta tag forbids them too), print-friendly.
 *
 * Accessibility: `lang` and `dir` on the root (from the report's language; right-to-left for Urdu, Arabic, …),
 * tables with `<caption>`, `<th scope="col">` headers, the first column as `<th scope="row">`, and each group
 * of rows in its own `<tbody>` headed by a `<th scope="rowgroup">`. Figures are `<figure>` with a
 * `<figcaption>`, the SVG has `role="img"` and a title, and the figure's numbers follow in a table inside
 * `<details>`. Every piece of text is escaped. The markup is also well-formed XML (void elements self-closed).
 */
import { RTL_LANGUAGES } from '../core/instrument/schema.js';
import {
  columnAlign,
  displayRows,
  figureNotes,
  figureRows,
  NOT_COMPUTABLE_TEXT,
  SUPPRESSED_TEXT,
  tableNotes,
} from '../core/report/display.js';
import { blockLabels, type FigureSpec, type Report, type TableSpec } from '../core/report/spec.js';
import { at, mapAt } from '../core/stats/at.js';
import { escapeXml } from './common.js';
import { renderFiguresSvg } from './svg.js';

const CSS = `
:root { color-scheme: light; }
body { font-family: "Noto Sans", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.45;
  color: #111; background: #fff; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
.meta { color: #444; margin: 0; }
.scoring { background: #f4f6f8; border-left: 4px solid #4c78a8; padding: 0.5rem 0.8rem; }
.table-wrap { overflow-x: auto; margin: 1.4rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: start; padding-bottom: 0.4rem; }
caption .label, figcaption .label { font-weight: 700; }
caption .title, figcaption .title { font-style: italic; }
th, td { padding: 0.2rem 0.6rem; vertical-align: top; }
thead th { border-top: 2px solid #111; border-bottom: 1px solid #111; font-weight: 600; }
table > tbody:last-of-type > tr:last-child > * { border-bottom: 2px solid #111; }
th[scope="row"] { font-weight: normal; text-align: start; }
th[scope="rowgroup"] { text-align: start; font-weight: 600; padding-top: 0.6rem; }
.l { text-align: start; } .r { text-align: end; white-space: nowrap; } .c { text-align: center; }
.i1 { padding-inline-start: 1.6rem; } .i2 { padding-inline-start: 2.6rem; } .i3 { padding-inline-start: 3.6rem; }
.i4 { padding-inline-start: 4.6rem; }
.nc { font-style: italic; color: #555; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.notes { font-size: 0.9rem; color: #333; margin: 0.4rem 0 0; }
.notes p { margin: 0.2rem 0; }
figure { margin: 1.8rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { margin-top: 0.4rem; }
details { margin-top: 0.5rem; font-size: 0.9rem; }
.sentences { max-width: 48rem; }
footer { margin-top: 3rem; color: #555; font-size: 0.85rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  .table-wrap { overflow: visible; }
  table, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  details > summary { display: none; }
  .scoring { background: none; }
}
`;

function textDir(language: string): 'rtl' | 'ltr' {
  return RTL_LANGUAGES.has(at(language.split('-'), 0).toLowerCase()) ? 'rtl' : 'ltr';
}

const ALIGN_CLASS = { left: 'l', right: 'r', center: 'c' } as const;

function notesHtml(notes: readonly string[]): string {
  if (notes.length === 0) return '';
  const ps = notes.map((n, i) => `<p>${i === 0 ? '<em>Note.</em> ' : ''}${escapeXml(n)}</p>`);
  return `<div class="notes">${ps.join('')}</div>`;
}

function tableHtml(t: TableSpec, label: string): string {
  const n = t.columns.length;
  const aligns = t.columns.map((c) => ALIGN_CLASS[columnAlign(c)]);
  const out: string[] = [];
  // A scroll box of its own (a wide table never widens the page), reachable and named for the keyboard.
  out.push(
    `<div class="table-wrap" id="table-${escapeXml(t.id)}" tabindex="0" role="region" aria-label="${escapeXml(`${label}. ${t.title}`)}">`,
  );
  out.push(`<table>`);
  out.push(
    `<caption><span class="label">${escapeXml(label)}.</span> <span class="title">${escapeXml(t.title)}</span></caption>`,
  );
  out.push(
    `<thead><tr>${t.columns.map((c, i) => `<th scope="col" class="${aligns[i]}">${escapeXml(c.label)}</th>`).join('')}</tr></thead>`,
  );
  let open = false;
  let rowHeading = '';
  const openBody = () => {
    if (open) out.push('</tbody>');
    out.push('<tbody>');
    rowHeading = '';
    open = true;
  };
  for (const r of displayRows(t)) {
    if (r.kind === 'group') {
      if (r.indent === 0 || !open) openBody();
      const scope = r.indent === 0 ? ' scope="rowgroup"' : '';
      const cls = r.indent > 0 ? ` class="i${r.indent}"` : '';
      out.push(`<tr><th${scope} colspan="${n}"${cls}>${escapeXml(r.label)}</th></tr>`);
      continue;
    }
    if (!open) openBody();
    const heading = r.cells[0] ?? '';
    if (heading !== '') rowHeading = heading;
    const cells = r.cells.map((c, i) => {
      const classes: string[] = [at(aligns, i)];
      if (i === 0 && r.indent > 0) classes.push(`i${r.indent}`);
      if (c === NOT_COMPUTABLE_TEXT || c === SUPPRESSED_TEXT) classes.push('nc');
      const dir = at(t.columns, i).format.kind === 'text' ? ' dir="auto"' : '';
      if (i > 0) return `<td class="${classes.join(' ')}"${dir}>${escapeXml(c)}</td>`;
      // A row continuing the one above (its first cell left blank, as journals print it) still has a row
      // header for screen readers: the label above, visually hidden. An empty <th> would announce nothing.
      const text =
        c === '' && rowHeading !== '' ? `<span class="vh">${escapeXml(rowHeading)}</span>` : escapeXml(c);
      return `<th scope="row" class="${classes.join(' ')}"${dir}>${text}</th>`;
    });
    out.push(`<tr>${cells.join('')}</tr>`);
  }
  if (open) out.push('</tbody>');
  out.push('</table>');
  out.push(notesHtml(tableNotes(t)));
  out.push('</div>');
  return out.join('\n');
}

function figureHtml(f: FigureSpec, label: string, svg: string | undefined): string {
  const rows = figureRows(f);
  const withCounts = rows.some((d) => d.count !== undefined && d.total !== undefined);
  const id = `figure-${escapeXml(f.id)}`;
  const out: string[] = [];
  out.push(`<figure id="${id}" aria-labelledby="${id}-caption">`);
  if (svg !== undefined) out.push(`<div class="chart">${svg}</div>`);
  out.push(
    `<figcaption id="${id}-caption"><span class="label">${escapeXml(label)}.</span> <span class="title">${escapeXml(f.title)}</span>. ${escapeXml(f.caption)}</figcaption>`,
  );
  out.push(notesHtml(figureNotes(f)));
  const head = `<tr><th scope="col" class="l">${escapeXml(f.y.title || 'Category')}</th><th scope="col" class="r">${escapeXml(f.x.title || 'Value')}</th>${withCounts ? '<th scope="col" class="r">n/N</th>' : ''}</tr>`;
  const body = rows
    .map(
      (d) =>
        `<tr><th scope="row" class="l" dir="auto">${escapeXml(d.category)}</th><td class="r">${escapeXml(d.label)}</td>${withCounts ? `<td class="r">${d.count !== undefined && d.total !== undefined ? `${d.count}/${d.total}` : ''}</td>` : ''}</tr>`,
    )
    .join('');
  out.push(
    `<details${svg === undefined ? ' open="open"' : ''}><summary>Data of ${escapeXml(label)}</summary><div class="table-wrap" tabindex="0" role="region" aria-label="${escapeXml(label)}: data"><table><caption>${escapeXml(label)}: data</caption><thead>${head}</thead><tbody>${body}</tbody></table></div></details>`,
  );
  out.push('</figure>');
  return out.join('\n');
}

export interface HtmlOptions {
  /** Pre-rendered SVG per figure file name (`<id>.svg`), e.g. from `renderFiguresSvg`; rendered when absent. */
  readonly svgs?: ReadonlyMap<string, string>;
}

/** The report's lines under its title: generator and scoring note. */
function metaHtml(report: Report): string[] {
  return [
    `<p class="meta">Generated by ${escapeXml(report.generatedBy)}${report.generatedAt ? ` at ${escapeXml(report.generatedAt)}` : ''}.</p>`,
    `<p class="scoring">${escapeXml(report.scoringNote)}</p>`,
  ];
}

/** The report's sections (tables, figures with their SVG, result sentences). */
function sectionsHtml(report: Report, svgs: ReadonlyMap<string, string>): string[] {
  const labels = blockLabels(report);
  const out: string[] = [];
  for (const s of report.sections) {
    const sid = `section-${escapeXml(s.id)}`;
    out.push(
      `<section id="${sid}" aria-labelledby="${sid}-title">`,
      `<h2 id="${sid}-title">${escapeXml(s.title)}</h2>`,
    );
    for (const b of s.blocks) {
      if (b.type === 'table') out.push(tableHtml(b, mapAt(labels, b.id)));
      else if (b.type === 'figure') out.push(figureHtml(b, mapAt(labels, b.id), svgs.get(`${b.id}.svg`)));
      else out.push(`<p class="sentences">${escapeXml(b.sentences.join(' '))}</p>`);
    }
    out.push('</section>');
  }
  return out;
}

/**
 * The report as a fragment to embed in another page (the studio's analysis page): `<div class="report">` with
 * the generator and scoring lines and the sections, without the title (the page has its own), the document's
 * stylesheet or its CSP meta tag (the embedding page styles `.report` and sends its own policy).
 */
export function renderHtmlFragment(report: Report, svgs: ReadonlyMap<string, string>): string {
  return ['<div class="report">', ...metaHtml(report), ...sectionsHtml(report, svgs), '</div>'].join('\n');
}

/** The report as one HTML document, given the figures' SVG (file name `<id>.svg` → SVG). */
export function renderHtmlDocument(report: Report, svgs: ReadonlyMap<string, string>): string {
  const lang = escapeXml(report.language);
  const out: string[] = [
    '<!DOCTYPE html>',
    `<html lang="${lang}" dir="${textDir(report.language)}">`,
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:" />`,
    `<meta name="generator" content="${escapeXml(report.generatedBy)}" />`,
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeXml(report.title)}</h1>`,
    ...metaHtml(report),
    '</header>',
    '<main>',
    ...sectionsHtml(report, svgs),
    '</main>',
    '</body>',
    '</html>',
  ];
  return `${out.join('\n')}\n`;
}

/** The report as one self-contained HTML document, rendering its figures to inline SVG. */
export async function renderHtml(report: Report, options: HtmlOptions = {}): Promise<string> {
  const svgs = options.svgs ?? (await renderFiguresSvg(report));
  return renderHtmlDocument(report, svgs);
}
