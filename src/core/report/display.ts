/**
 * Turning specs into the text every renderer prints: cell text, alignment, table notes (including the reasons of
 * "not computable" cells), sorted figure data. Renderers only lay this text out, so a value reads the same in the
 * terminal, Markdown, CSV, HTML and SVG.
 */
import { at } from '../stats/at.js';
import {
  formatCountPercent,
  formatDf,
  formatFixed,
  formatInteger,
  formatP,
  formatPercent,
  formatPlain,
} from './format.js';
import type { Align, Cell, Column, FigureDatum, FigureSpec, Format, TableSpec } from './spec.js';

/** What a "not computable" cell prints. */
export const NOT_COMPUTABLE_TEXT = 'not computable';
/** What a suppressed (small-cell) cell prints. */
export const SUPPRESSED_TEXT = 'suppressed';

/** A number printed in a format (see format.ts). */
export function formatValue(value: number, format: Format): string {
  switch (format.kind) {
    case 'text':
      return formatPlain(value);
    case 'integer':
      return formatInteger(value);
    case 'decimal':
      return formatFixed(value, format.digits, { leadingZero: format.leadingZero ?? true });
    case 'percent':
      return formatPercent(value, format.digits);
    case 'pValue':
      return format.alpha === undefined ? formatP(value) : formatP(value, { alpha: format.alpha });
    case 'df':
      return formatDf(value);
  }
}

/** The text of a cell in a column ("" for an empty or missing cell). */
export function cellText(cell: Cell | undefined, column: Column): string {
  if (!cell) return '';
  switch (cell.kind) {
    case 'text':
      return cell.text;
    case 'number':
      return formatValue(cell.value, cell.format ?? column.format);
    case 'proportion':
      return formatCountPercent(cell.count, cell.total, cell.digits ?? 1);
    case 'interval': {
      const f = cell.format ?? column.format;
      return `[${formatValue(cell.lower, f)}, ${formatValue(cell.upper, f)}]`;
    }
    case 'not_computable':
      return NOT_COMPUTABLE_TEXT;
    case 'suppressed':
      return SUPPRESSED_TEXT;
    case 'empty':
      return '';
  }
}

/** A column's alignment: as given, else left for text columns and right for numbers. */
export function columnAlign(column: Column): Align {
  return column.align ?? (column.format.kind === 'text' ? 'left' : 'right');
}

/** A table row resolved to text: group headers keep their label, data rows have one string per column. */
export type DisplayRow =
  | { readonly kind: 'group'; readonly label: string; readonly indent: number }
  | { readonly kind: 'data'; readonly cells: readonly string[]; readonly indent: number };

/** All rows of a table as text, in order. */
export function displayRows(table: TableSpec): DisplayRow[] {
  return table.rows.map((r) =>
    r.kind === 'group'
      ? { kind: 'group', label: r.label, indent: r.indent ?? 0 }
      : { kind: 'data', cells: table.columns.map((c) => cellText(r.cells[c.key], c)), indent: r.indent ?? 0 },
  );
}

function trimStop(s: string): string {
  return s.replace(/[\s.]+$/, '');
}

/**
 * The notes printed under a table, in order: the denominator statement, the table's notes, then one note per
 * distinct reason of "not computable" and "suppressed" cells naming where they occur — the row (its group
 * headers and first cell) and the columns: "Not computable: no respondent had a score (Empty domain: Mean, SD)."
 */
export function tableNotes(table: TableSpec): string[] {
  const notes: string[] = [];
  if (table.denominator) notes.push(table.denominator);
  notes.push(...table.notes);
  // reason → row location → column labels, in first-seen order
  const reasons = new Map<string, { label: string; reason: string; where: Map<string, string[]> }>();
  const groups: string[] = [];
  let lastFirst = '';
  table.rows.forEach((r) => {
    if (r.kind === 'group') {
      groups.length = Math.min(groups.length, r.indent ?? 0);
      groups.push(r.label);
      lastFirst = '';
      return;
    }
    // the row's name: its text cells, with a blank first cell filled down from the row above (as in Table 3,
    // where the outcome is printed on its first row only)
    const first = at(table.columns, 0);
    const firstText = cellText(r.cells[first.key], first);
    if (firstText) lastFirst = firstText;
    const names = (c: Column) =>
      table.columns
        .filter((k) => k !== c && k.format.kind === 'text')
        .map((k) => (k === first ? lastFirst : cellText(r.cells[k.key], k)))
        .filter((t) => t !== '');
    for (const c of table.columns) {
      const cell = r.cells[c.key];
      if (!cell || (cell.kind !== 'not_computable' && cell.kind !== 'suppressed')) continue;
      const label = cell.kind === 'not_computable' ? 'Not computable' : 'Suppressed';
      const key = `${label}\u0000${cell.reason}`;
      const entry = reasons.get(key) ?? { label, reason: cell.reason, where: new Map<string, string[]>() };
      reasons.set(key, entry);
      const row = [...groups, ...names(c)].join(', ');
      const cols = entry.where.get(row) ?? [];
      if (!cols.includes(c.label)) cols.push(c.label);
      entry.where.set(row, cols);
    }
  });
  for (const { label, reason, where } of reasons.values()) {
    const places = [...where].map(([row, cols]) => `${row}${row ? ': ' : ''}${cols.join(', ')}`);
    notes.push(`${label}: ${trimStop(reason)} (${places.join('; ')}).`);
  }
  return notes;
}

/** A figure datum with its printed value label. */
interface DisplayDatum extends FigureDatum {
  readonly label: string;
}

/**
 * A figure's bars in display order with their value labels. Sorting is stable (ties keep data order), so the
 * same data always gives the same chart.
 */
export function figureRows(figure: FigureSpec): DisplayDatum[] {
  const rows = figure.data.map((d, i) => ({ d, i }));
  if (figure.sort !== 'data') {
    const sign = figure.sort === 'descending' ? -1 : 1;
    rows.sort((a, b) => sign * (a.d.value - b.d.value) || a.i - b.i);
  }
  return rows.map(({ d }) => ({ ...d, label: formatValue(d.value, figure.x.format) }));
}

/** A figure's notes: the denominator statement, then its notes. */
export function figureNotes(figure: FigureSpec): string[] {
  return figure.denominator ? [figure.denominator, ...figure.notes] : [...figure.notes];
}
