/**
 * Terminal renderer: aligned plain text that reads at 100 columns (the default width). Long text columns wrap;
 * numbers never do. No colour unless asked for (`color: true`, which the CLI sets only when stdout is a TTY);
 * control characters in labels are scrubbed so a label cannot send escape sequences to the terminal.
 */

import {
  columnAlign,
  type DisplayRow,
  displayRows,
  figureNotes,
  figureRows,
  NOT_COMPUTABLE_TEXT,
  SUPPRESSED_TEXT,
  tableNotes,
} from '../core/report/display.js';
import { blockLabels, type FigureSpec, type Report, type TableSpec } from '../core/report/spec.js';
import { at, mapAt } from '../core/stats/at.js';
import { displayWidth, longestWord, oneLine, pad, wrap } from './common.js';

export interface TextOptions {
  /** Line width in columns. Default 100. */
  readonly width?: number;
  /** ANSI bold/dim for headings and notes. Default false. */
  readonly color?: boolean;
}

/**
 * Whether terminal output should be coloured: only on a TTY, never with NO_COLOR set (https://no-color.org) or
 * TERM=dumb; FORCE_COLOR (non-empty, not "0") forces it. Pass `process.stdout` and `process.env`.
 */
export function wantsColor(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const GAP = 2;
const INDENT = 2;

interface Style {
  bold(s: string): string;
  dim(s: string): string;
}

function style(color: boolean): Style {
  return color
    ? { bold: (s) => `\u001b[1m${s}\u001b[22m`, dim: (s) => `\u001b[2m${s}\u001b[22m` }
    : { bold: (s) => s, dim: (s) => s };
}

function paragraph(s: string, width: number, prefix = ''): string[] {
  return wrap(oneLine(prefix + s), width);
}

function noteLines(notes: readonly string[], width: number, st: Style): string[] {
  return notes.flatMap((n, i) => paragraph(n, width, i === 0 ? 'Note. ' : '').map((l) => st.dim(l)));
}

/** Lay a table out in at most `width` columns (wider only when the numbers alone do not fit). */
function tableLines(table: TableSpec, label: string, width: number, st: Style = style(false)): string[] {
  const cols = table.columns;
  const rows: DisplayRow[] = displayRows(table).map((r) =>
    r.kind === 'group'
      ? { ...r, label: oneLine(r.label) }
      : { ...r, cells: r.cells.map((c, i) => (i === 0 ? ' '.repeat(INDENT * r.indent) : '') + oneLine(c)) },
  );
  const headers = cols.map((c) => oneLine(c.label));
  const isText = cols.map((c) => c.format.kind === 'text');
  const natural = cols.map((_, i) =>
    rows.reduce(
      (m, r) => (r.kind === 'data' ? Math.max(m, displayWidth(at(r.cells, i))) : m),
      displayWidth(at(headers, i)),
    ),
  );
  // text columns wrap at spaces; number columns keep each value on one line, but "not computable" may wrap
  const breakable = (c: string, i: number) => isText[i] || c === NOT_COMPUTABLE_TEXT || c === SUPPRESSED_TEXT;
  const minimum = cols.map((_, i) => {
    const cellMin = rows.reduce(
      (m, r) =>
        r.kind === 'data'
          ? Math.max(
              m,
              breakable(at(r.cells, i), i) ? longestWord(at(r.cells, i)) : displayWidth(at(r.cells, i)),
            )
          : m,
      longestWord(at(headers, i)),
    );
    // words longer than 20 columns (URLs, formulas) may be broken rather than push the table past the width
    return Math.min(at(natural, i), isText[i] ? Math.max(1, Math.min(cellMin, 20)) : cellMin);
  });
  const widths = [...natural];
  const total = () => widths.reduce((s, w) => s + w, 0) + GAP * (cols.length - 1);
  while (total() > width) {
    // narrow the widest column that can still give room, preferring text columns
    let pick = -1;
    for (let i = 0; i < cols.length; i++) {
      if (at(widths, i) <= at(minimum, i)) continue;
      if (
        pick < 0 ||
        (isText[i] && !isText[pick]) ||
        (isText[i] === isText[pick] && at(widths, i) > at(widths, pick))
      )
        pick = i;
    }
    if (pick < 0) break;
    widths[pick] = at(widths, pick) - 1;
  }
  const tableWidth = total();
  const rule = '-'.repeat(tableWidth);
  const aligns = cols.map(columnAlign);

  const lines: string[] = paragraph(`${label}. ${table.title}`, width).map((l) => st.bold(l));
  const emit = (wrapped: string[][]) => {
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let k = 0; k < height; k++) {
      lines.push(
        wrapped
          .map((w, i) => pad(w[k] ?? '', at(widths, i), at(aligns, i)))
          .join(' '.repeat(GAP))
          .trimEnd(),
      );
    }
  };
  lines.push(rule);
  emit(headers.map((h, i) => wrap(h, at(widths, i))));
  lines.push(rule);
  for (const r of rows) {
    if (r.kind === 'group') {
      for (const l of wrap(' '.repeat(INDENT * r.indent) + r.label, tableWidth)) lines.push(st.bold(l));
    } else {
      // keep the first cell's indentation on wrapped lines
      const first = at(r.cells, 0);
      const indent = ' '.repeat(INDENT * r.indent);
      const wrappedFirst = wrap(first.trimStart(), at(widths, 0) - indent.length).map((l) => indent + l);
      emit([
        wrappedFirst,
        ...r.cells.slice(1).map((c, j) => (breakable(c, j + 1) ? wrap(c, at(widths, j + 1)) : [c])),
      ]);
    }
  }
  lines.push(rule);
  lines.push(...noteLines(tableNotes(table), width, st));
  return lines;
}

/** A horizontal bar chart in text: label, bar of '#', value label. */
function figureLines(fig: FigureSpec, label: string, width: number, st: Style = style(false)): string[] {
  const data = figureRows(fig);
  const lines = paragraph(`${label}. ${fig.title}`, width).map((l) => st.bold(l));
  const labelW = Math.min(
    40,
    Math.floor(width * 0.4),
    Math.max(12, ...data.map((d) => displayWidth(oneLine(d.category)))),
  );
  const valueW = Math.max(0, ...data.map((d) => displayWidth(d.label)));
  const barW = Math.max(10, width - labelW - valueW - 2 * GAP);
  const max = fig.x.domain?.[1] ?? Math.max(0, ...data.map((d) => d.value));
  if (fig.x.title) {
    for (const l of wrap(oneLine(fig.x.title), Math.max(10, width - labelW - GAP)))
      lines.push(' '.repeat(labelW + GAP) + l);
  }
  for (const d of data) {
    const labelLines = wrap(oneLine(d.category), labelW);
    const len = max > 0 ? Math.round((Math.max(0, d.value) / max) * barW) : 0;
    const bar = pad('#'.repeat(Math.min(barW, len)), barW, 'left');
    labelLines.forEach((l, k) => {
      const right =
        k === 0 ? `${bar}${' '.repeat(GAP)}${fig.valueLabels ? pad(d.label, valueW, 'right') : ''}` : '';
      lines.push(`${pad(l, labelW, 'left')}${' '.repeat(GAP)}${right}`.trimEnd());
    });
  }
  lines.push(...paragraph(fig.caption, width));
  lines.push(...noteLines(figureNotes(fig), width, st));
  return lines;
}

/** The whole report as plain text. */
export function renderText(report: Report, options: TextOptions = {}): string {
  const width = options.width ?? 100;
  const st = style(options.color ?? false);
  const labels = blockLabels(report);
  const out: string[] = [];
  const title = oneLine(report.title);
  out.push(...wrap(title, width).map((l) => st.bold(l)));
  out.push('='.repeat(Math.min(width, displayWidth(title))));
  out.push(
    ...paragraph(
      `Generated by ${report.generatedBy}${report.generatedAt ? ` at ${report.generatedAt}` : ''}.`,
      width,
    ),
  );
  out.push(...paragraph(report.scoringNote, width));
  for (const section of report.sections) {
    const t = oneLine(section.title);
    out.push('', ...wrap(t, width).map((l) => st.bold(l)), '-'.repeat(Math.min(width, displayWidth(t))));
    for (const block of section.blocks) {
      out.push('');
      if (block.type === 'table') out.push(...tableLines(block, mapAt(labels, block.id), width, st));
      else if (block.type === 'figure') out.push(...figureLines(block, mapAt(labels, block.id), width, st));
      else out.push(...paragraph(block.sentences.join(' '), width));
    }
  }
  return `${out.join('\n')}\n`;
}
