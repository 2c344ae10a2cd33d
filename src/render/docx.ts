/**
 * Word (.docx) renderer: the whole report as one editable document in APA style — tables as real Word tables
 * ("Table 1" in bold above an italic title, horizontal rules only: above and below the header and below the
 * last row, notes under the table starting "Note."), figures as "Figure 1" with an italic title above the
 * figure embedded as a PNG at 300 dpi (png.ts; its stated size, alt text = the figure's title and caption),
 * its caption and notes under it, and the result paragraphs. The text is in the reports' one font
 * (`REPORT_FONT`), the font of the figures too.
 *
 * Numbers print as every other renderer prints them (display.ts), with one typographic change: a minus sign
 * before a number in a numeric cell becomes a true minus U+2212. p values and bounded statistics already print
 * without a leading zero (format.ts). Numeric columns are right-aligned, so decimals line up when the column's
 * values share a format.
 */

import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  ImageRun,
  Packer,
  PageOrientation,
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { columnAlign, displayRows, figureNotes, figureRows, tableNotes } from '../core/report/display.js';
import { blockLabels, type FigureSpec, type Report, type TableSpec } from '../core/report/spec.js';
import { at, mapAt } from '../core/stats/at.js';
import { longestWord, oneLine, REPORT_FONT, scrubControl } from './common.js';
import { type FigurePng, renderFigureImages, renderFigurePng } from './png.js';

/** Font of the whole document (body, tables, headings) and of its figures. */
export const DOCX_FONT = REPORT_FONT;

/** U+2212 MINUS SIGN. */
export const MINUS = '\u2212';

/** A hyphen-minus that starts a negative number ("-0.42", "[-1.2, 3]") becomes U+2212; other hyphens stay. */
export function trueMinus(s: string): string {
  return s.replace(/(^|[\s[(,])-(?=\.?\d)/g, `$1${MINUS}`);
}

const RULE = { style: BorderStyle.SINGLE, size: 6, color: '000000' };
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };

/** Body text size in half-points (12 pt). */
const BODY_SIZE = 24;

function run(text: string, style: { bold?: boolean; italics?: boolean; size?: number } = {}): TextRun {
  return new TextRun({ text: scrubControl(text), font: DOCX_FONT, size: BODY_SIZE, ...style });
}

const ALIGN = { left: AlignmentType.LEFT, right: AlignmentType.RIGHT, center: AlignmentType.CENTER } as const;

interface CellOptions {
  readonly align: 'left' | 'right' | 'center';
  readonly bold?: boolean;
  readonly indent?: number;
  readonly top?: boolean;
  readonly bottom?: boolean;
  readonly span?: number;
  /** Text size in half-points; default the body's. */
  readonly size?: number;
}

function cell(text: string, o: CellOptions): TableCell {
  return new TableCell({
    borders: { top: o.top ? RULE : NONE, bottom: o.bottom ? RULE : NONE, left: NONE, right: NONE },
    ...(o.span ? { columnSpan: o.span } : {}),
    children: [
      new Paragraph({
        alignment: ALIGN[o.align],
        ...(o.indent ? { indent: { left: 284 * o.indent } } : {}),
        children: [run(text, { bold: o.bold === true, ...(o.size ? { size: o.size } : {}) })],
      }),
    ],
  });
}

/** A4 in twentieths of a point (twips), with 1-inch margins. */
const PAGE = { width: 11906, height: 16838, margin: 1440 } as const;
/** Text width of a portrait Letter or A4 page with 1-inch margins, in twips. */
const TEXT_WIDTH = 9000;
/** Text width of a landscape A4 page with 1-inch margins (16838 − 2 × 1440), in twips. */
const LANDSCAPE_TEXT_WIDTH = PAGE.height - 2 * PAGE.margin;
/** Word's default cell margins, left and right (2 × 0.08 in), and a little room. */
const CELL_PADDING = 240;
/** Table text sizes tried on a portrait page (12, 11, 10 pt), then on a landscape page (down to 8 pt). */
const PORTRAIT_SIZES = [BODY_SIZE, 22, 20] as const;
const SIZES = [BODY_SIZE, 22, 20, 18, 16] as const;

/**
 * Twips a cell text of `chars` characters needs at `size` half-points: 0.6 em a character, more than Noto Sans'
 * digits (0.57 em), its minus and most letters, so a number or an interval fits on one line.
 */
const textTwips = (chars: number, size: number) => Math.ceil(chars * 0.6 * (size / 2) * 20);

type LayoutRow = { kind: 'group' } | { kind: 'data'; cells: readonly string[]; indent: number };

/** How a table is laid out: portrait or a landscape page of its own, the column widths and the text size. */
interface TableLayout {
  readonly landscape: boolean;
  readonly widths: number[];
  /** Text size in half-points (24 = 12 pt). */
  readonly size: number;
}

/**
 * Column widths that never break a number: every column but the first gets its widest cell on one line (and its
 * header's longest word); the first (row labels) its longest word, a label of up to 24 characters on one line, and
 * wraps longer ones. A table takes the portrait text width at 12, 11 or 10 pt (APA allows smaller table text);
 * one that fits none goes on a landscape page of its own, at the largest size from 12 down to 8 pt that fits.
 * Room left over is shared in proportion to each column's need.
 */
function tableLayout(header: readonly string[], rows: readonly LayoutRow[]): TableLayout {
  // headers are bold: their longest word counted at 0.7 em a character
  const headChars = header.map((h) => (Math.max(4, longestWord(h)) * 7) / 6);
  const chars = header.map(() => 0);
  for (const r of rows)
    if (r.kind === 'data')
      r.cells.forEach((c, i) => {
        const w = i === 0 ? Math.max(longestWord(c), Math.min(24, c.length)) + 2 * r.indent : c.length;
        chars[i] = Math.max(at(chars, i), w);
      });
  const need = (size: number) =>
    chars.map((c, i) => textTwips(Math.max(c, at(headChars, i)), size) + CELL_PADDING);
  const fitting = (size: number, width: number, landscape: boolean): TableLayout | undefined => {
    const n = need(size);
    const total = n.reduce((a, b) => a + b, 0);
    if (total > width) return undefined;
    return { landscape, size, widths: n.map((x) => Math.floor((width * x) / total)) };
  };
  return (
    PORTRAIT_SIZES.map((size) => fitting(size, TEXT_WIDTH, false)).find((x) => x !== undefined) ??
    SIZES.map((size) => fitting(size, LANDSCAPE_TEXT_WIDTH, true)).find((x) => x !== undefined) ?? {
      landscape: true,
      size: at(SIZES, SIZES.length - 1),
      widths: need(at(SIZES, SIZES.length - 1)).map(() => Math.floor(LANDSCAPE_TEXT_WIDTH / chars.length)),
    }
  );
}

/** An APA table: header row between two rules, body rows without rules, a rule under the last row. */
function apaTable(
  header: readonly string[],
  aligns: readonly ('left' | 'right' | 'center')[],
  rows: readonly (
    | { kind: 'group'; label: string; indent: number }
    | { kind: 'data'; cells: readonly string[]; indent: number }
  )[],
  layout: TableLayout,
): Table {
  const last = rows.length - 1;
  const { widths, size } = layout;
  const headerCells = header.map((h, i) =>
    cell(h, { align: i === 0 ? 'left' : 'center', top: true, bottom: true, size }),
  );
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: {
      top: NONE,
      bottom: NONE,
      left: NONE,
      right: NONE,
      insideHorizontal: NONE,
      insideVertical: NONE,
    },
    rows: [
      new TableRow({ tableHeader: true, children: headerCells }),
      ...rows.map(
        (r, ri) =>
          new TableRow({
            cantSplit: true,
            children:
              r.kind === 'group'
                ? [
                    cell(r.label, {
                      align: 'left',
                      indent: r.indent,
                      span: header.length,
                      bottom: ri === last,
                      size,
                    }),
                  ]
                : r.cells.map((c, i) =>
                    cell(i === 0 ? c : trueMinus(c), {
                      align: at(aligns, i),
                      indent: i === 0 ? r.indent : 0,
                      bottom: ri === last,
                      size,
                    }),
                  ),
          }),
      ),
    ],
  });
}

function caption(label: string, title: string): Paragraph[] {
  return [
    new Paragraph({ keepNext: true, spacing: { before: 240 }, children: [run(label, { bold: true })] }),
    new Paragraph({ keepNext: true, spacing: { after: 120 }, children: [run(title, { italics: true })] }),
  ];
}

function notes(list: readonly string[]): Paragraph[] {
  if (list.length === 0) return [];
  const children: ParagraphChild[] = [run('Note.', { italics: true }), run(` ${list.join(' ')}`)];
  return [new Paragraph({ spacing: { before: 120, after: 240 }, children })];
}

/** A table's caption, table and notes, and whether it needs a landscape page. */
function tableBlock(t: TableSpec, label: string): { landscape: boolean; children: (Paragraph | Table)[] } {
  const aligns = t.columns.map((c) => columnAlign(c));
  const header = t.columns.map((c) => c.label);
  const rows = displayRows(t);
  const layout = tableLayout(header, rows);
  return {
    landscape: layout.landscape,
    children: [...caption(label, t.title), apaTable(header, aligns, rows, layout), ...notes(tableNotes(t))],
  };
}

/** Tallest figure part placed on a page, in inches: a page's text height (9 in on Letter) less its caption. */
export const MAX_FIGURE_HEIGHT_IN = 8;

/**
 * A figure as placed: one image, or — when its stated height is more than a page holds — its rows (in display
 * order) split into the fewest parts that each fit, drawn as "Figure N" and "Figure N (continued)". Parts are
 * drawn at their own size, never scaled down, so the figure's text keeps its print size (svg.ts).
 */
async function figureParts(f: FigureSpec, image: FigurePng): Promise<FigurePng[]> {
  if (image.heightIn <= MAX_FIGURE_HEIGHT_IN) return [image];
  const rows = figureRows(f).map(({ label: _, ...d }) => d);
  for (let k = 2; k <= rows.length; k++) {
    const per = Math.ceil(rows.length / k);
    const parts: FigurePng[] = [];
    for (let i = 0; i < rows.length; i += per)
      parts.push(await renderFigurePng({ ...f, sort: 'data', data: rows.slice(i, i + per) }));
    if (parts.every((p) => p.heightIn <= MAX_FIGURE_HEIGHT_IN)) return parts;
  }
  throw new Error(`renderDocx: figure "${f.id}" does not fit a page even with one row per part`);
}

function figureBlock(f: FigureSpec, label: string, parts: readonly FigurePng[]): Paragraph[] {
  const out: Paragraph[] = [];
  parts.forEach((image, i) => {
    const name = i === 0 ? label : `${label} (continued)`;
    out.push(
      ...caption(name, f.title),
      new Paragraph({
        keepNext: true,
        children: [
          new ImageRun({
            type: 'png',
            data: image.png,
            // display size in pixels at 96 to the inch: the PNG's stated size, so it prints at 300 dpi
            transformation: { width: image.widthIn * 96, height: image.heightIn * 96 },
            altText: {
              name: `${label}${parts.length > 1 ? `-${i + 1}` : ''}.png`,
              title: oneLine(f.title),
              description: oneLine(
                `${label}${parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : ''}. ${f.title}. ${f.caption}`,
              ),
            },
          }),
        ],
      }),
    );
  });
  return [...out, paragraph(f.caption), ...notes(figureNotes(f))];
}

function paragraph(text: string): Paragraph {
  return new Paragraph({ spacing: { after: 120 }, children: [run(text)] });
}

interface DocxOptions {
  /** Figure images by figure id (e.g. from `renderFigureImages`, also written to figures/); drawn when absent. */
  readonly figures?: ReadonlyMap<string, FigurePng>;
}

/** The whole report as a .docx file. */
export async function renderDocx(report: Report, options: DocxOptions = {}): Promise<Uint8Array> {
  const labels = blockLabels(report);
  const figures = options.figures ?? (await renderFigureImages(report));
  // portrait runs of the document, each wide table on a landscape page of its own (a section each)
  const sections: { landscape: boolean; children: (Paragraph | Table)[] }[] = [];
  // a section's heading goes with its first block (onto the landscape page when that block is a wide table)
  let heading: Paragraph | undefined;
  const push = (landscape: boolean, ...blocks: (Paragraph | Table)[]) => {
    const children = heading ? [heading, ...blocks] : blocks;
    heading = undefined;
    const cur = sections.at(-1);
    if (cur && cur.landscape === landscape) cur.children.push(...children);
    else sections.push({ landscape, children });
  };
  push(
    false,
    new Paragraph({ heading: HeadingLevel.TITLE, children: [run(report.title, { bold: true })] }),
    paragraph(`Generated by ${report.generatedBy}${report.generatedAt ? ` at ${report.generatedAt}` : ''}.`),
    paragraph(report.scoringNote),
  );
  for (const s of report.sections) {
    if (heading) push(false);
    heading = new Paragraph({ heading: HeadingLevel.HEADING_1, children: [run(s.title, { bold: true })] });
    for (const b of s.blocks) {
      if (b.type === 'table') {
        const t = tableBlock(b, mapAt(labels, b.id));
        push(t.landscape, ...t.children);
      } else if (b.type === 'figure') {
        const image = figures.get(b.id);
        if (!image) throw new Error(`renderDocx: no image for figure "${b.id}"`);
        push(false, ...figureBlock(b, mapAt(labels, b.id), await figureParts(b, image)));
      } else push(false, paragraph(b.sentences.join(' ')));
    }
  }
  if (heading) push(false);
  const doc = new Document({
    creator: 'nabz',
    title: scrubControl(report.title),
    styles: { default: { document: { run: { font: DOCX_FONT, size: BODY_SIZE } } } },
    sections: sections.map((x) => ({
      properties: {
        page: {
          size: {
            width: PAGE.width,
            height: PAGE.height,
            orientation: x.landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT,
          },
          margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
        },
      },
      children: x.children,
    })),
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
