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
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { columnAlign, displayRows, figureNotes, tableNotes } from '../core/report/display.js';
import { blockLabels, type FigureSpec, type Report, type TableSpec } from '../core/report/spec.js';
import { longestWord, oneLine, REPORT_FONT, scrubControl } from './common.js';
import { type FigurePng, renderFigureImages } from './png.js';

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

function run(text: string, style: { bold?: boolean; italics?: boolean } = {}): TextRun {
  return new TextRun({ text: scrubControl(text), font: DOCX_FONT, size: 24, ...style });
}

const ALIGN = { left: AlignmentType.LEFT, right: AlignmentType.RIGHT, center: AlignmentType.CENTER } as const;

interface CellOptions {
  readonly align: 'left' | 'right' | 'center';
  readonly bold?: boolean;
  readonly indent?: number;
  readonly top?: boolean;
  readonly bottom?: boolean;
  readonly span?: number;
}

function cell(text: string, o: CellOptions): TableCell {
  return new TableCell({
    borders: { top: o.top ? RULE : NONE, bottom: o.bottom ? RULE : NONE, left: NONE, right: NONE },
    ...(o.span ? { columnSpan: o.span } : {}),
    children: [
      new Paragraph({
        alignment: ALIGN[o.align],
        ...(o.indent ? { indent: { left: 284 * o.indent } } : {}),
        children: [run(text, { bold: o.bold === true })],
      }),
    ],
  });
}

/** Text width of a Letter or A4 page with 1-inch margins, in twentieths of a point. */
const TEXT_WIDTH = 9000;

/**
 * Column widths in proportion to each column's widest text, plus a margin: the row-header column counts a long
 * label as at most 40 characters (it wraps), other columns their whole widest cell (a number or an interval never
 * breaks), headers their longest word.
 */
function columnWidths(
  header: readonly string[],
  rows: readonly ({ kind: 'group' } | { kind: 'data'; cells: readonly string[]; indent: number })[],
): number[] {
  const want = header.map((h) => Math.max(4, longestWord(h)));
  for (const r of rows)
    if (r.kind === 'data')
      r.cells.forEach((c, i) => {
        const w = i === 0 ? Math.max(longestWord(c), Math.min(40, c.length)) + 2 * r.indent : c.length;
        want[i] = Math.max(want[i]!, w);
      });
  const total = want.reduce((a, b) => a + b + 3, 0);
  return want.map((w) => Math.floor((TEXT_WIDTH * (w + 3)) / total));
}

/** An APA table: header row between two rules, body rows without rules, a rule under the last row. */
function apaTable(
  header: readonly string[],
  aligns: readonly ('left' | 'right' | 'center')[],
  rows: readonly (
    | { kind: 'group'; label: string; indent: number }
    | { kind: 'data'; cells: readonly string[]; indent: number }
  )[],
): Table {
  const last = rows.length - 1;
  const widths = columnWidths(header, rows);
  const headerCells = header.map((h, i) =>
    cell(h, { align: i === 0 ? 'left' : 'center', top: true, bottom: true }),
  );
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
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
                    }),
                  ]
                : r.cells.map((c, i) =>
                    cell(i === 0 ? c : trueMinus(c), {
                      align: aligns[i]!,
                      indent: i === 0 ? r.indent : 0,
                      bottom: ri === last,
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

function tableBlock(t: TableSpec, label: string): (Paragraph | Table)[] {
  const aligns = t.columns.map((c) => columnAlign(c));
  return [
    ...caption(label, t.title),
    apaTable(
      t.columns.map((c) => c.label),
      aligns,
      displayRows(t),
    ),
    ...notes(tableNotes(t)),
  ];
}

function figureBlock(f: FigureSpec, label: string, image: FigurePng): Paragraph[] {
  return [
    ...caption(label, f.title),
    new Paragraph({
      keepNext: true,
      children: [
        new ImageRun({
          type: 'png',
          data: image.png,
          // display size in pixels at 96 to the inch: the PNG's stated size, so it prints at 300 dpi
          transformation: { width: image.widthIn * 96, height: image.heightIn * 96 },
          altText: {
            name: `${label}.png`,
            title: oneLine(f.title),
            description: oneLine(`${label}. ${f.title}. ${f.caption}`),
          },
        }),
      ],
    }),
    paragraph(f.caption),
    ...notes(figureNotes(f)),
  ];
}

function paragraph(text: string): Paragraph {
  return new Paragraph({ spacing: { after: 120 }, children: [run(text)] });
}

export interface DocxOptions {
  /** Figure images by figure id (e.g. from `renderFigureImages`, also written to figures/); drawn when absent. */
  readonly figures?: ReadonlyMap<string, FigurePng>;
}

/** The whole report as a .docx file. */
export async function renderDocx(report: Report, options: DocxOptions = {}): Promise<Uint8Array> {
  const labels = blockLabels(report);
  const figures = options.figures ?? (await renderFigureImages(report));
  const body: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [run(report.title, { bold: true })] }),
    paragraph(`Generated by ${report.generatedBy}${report.generatedAt ? ` at ${report.generatedAt}` : ''}.`),
    paragraph(report.scoringNote),
  ];
  for (const s of report.sections) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [run(s.title, { bold: true })] }));
    for (const b of s.blocks) {
      if (b.type === 'table') body.push(...tableBlock(b, labels.get(b.id)!));
      else if (b.type === 'figure') {
        const image = figures.get(b.id);
        if (!image) throw new Error(`renderDocx: no image for figure "${b.id}"`);
        body.push(...figureBlock(b, labels.get(b.id)!, image));
      } else body.push(paragraph(b.sentences.join(' ')));
    }
  }
  const doc = new Document({
    creator: 'nabz',
    title: scrubControl(report.title),
    styles: { default: { document: { run: { font: DOCX_FONT, size: 24 } } } },
    sections: [{ children: body }],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
