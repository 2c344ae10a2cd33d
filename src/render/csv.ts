/**
 * CSV renderer: one file per table, `<table id>.csv`, with the cells as the report prints them.
 *
 * - RFC 4180: fields containing a comma, double quote, CR or LF are quoted, quotes doubled; records end in CRLF.
 * - Spreadsheet formula injection is neutralised: a field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading
 *   apostrophe (`'=HYPERLINK(...)`), unless it is a plain number such as `-0.25`, `-.50` or `-5.0%`, which
 *   spreadsheets read as numbers and which cannot carry a formula (OWASP "CSV Injection").
 * - Group header rows become a leading column (named by `groupHeader`, default "Group") repeated on each data row,
 *   so the file is a flat table a spreadsheet can filter; nested groups are joined with " / ".
 * - Notes (denominators, methods) are not written by default, so a report's CSV files stay pure data tables; they
 *   are in every other format of the same report. With `notes: true` (a download of one table that stands alone,
 *   such as the coder comparison) each note of {@link tableNotes} follows the data as one record whose first field
 *   is "Note: …" and whose other fields are empty, so the file stays rectangular and a reader that expects a fixed
 *   width still parses it.
 */

import { displayRows, tableNotes } from '../core/report/display.js';
import { type Report, reportBlocks, type TableSpec } from '../core/report/spec.js';
import { at } from '../core/stats/at.js';
import { scrubControl } from './common.js';

export interface CsvOptions {
  /** Start each file with a UTF-8 byte order mark (helps Excel detect UTF-8). Default false. */
  readonly bom?: boolean;
  /** Name of the column that carries group headers. Default "Group". */
  readonly groupHeader?: string;
  /** Append the table's notes as "Note: …" records after the data (see module comment). Default false. */
  readonly notes?: boolean;
}

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/;

/** Neutralise a field that a spreadsheet would run as a formula (see module comment). */
export function neutralizeFormula(field: string): string {
  if (/^[=+\-@\t\r]/.test(field) && !PLAIN_NUMBER.test(field)) return `'${field}`;
  return field;
}

/** One RFC 4180 field: formula-neutralised, quoted when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  const v = neutralizeFormula(scrubControl(value));
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One table as CSV text. */
export function tableCsv(table: TableSpec, options: CsvOptions = {}): string {
  const rows = displayRows(table);
  const grouped = rows.some((r) => r.kind === 'group');
  const header = table.columns.map((c) => c.label);
  const records: string[][] = [grouped ? [options.groupHeader ?? 'Group', ...header] : header];
  const groups: string[] = [];
  for (const r of rows) {
    if (r.kind === 'group') {
      groups.length = Math.min(groups.length, r.indent);
      groups.push(r.label);
    } else {
      records.push(grouped ? [groups.join(' / '), ...r.cells] : [...r.cells]);
    }
  }
  if (options.notes) {
    const blanks = Array.from({ length: at(records, 0).length - 1 }, () => '');
    for (const note of tableNotes(table)) records.push([`Note: ${note}`, ...blanks]);
  }
  const body = records.map((rec) => rec.map(csvField).join(',')).join('\r\n') + '\r\n';
  return (options.bom ? '\uFEFF' : '') + body;
}

/** Every table of the report as CSV: file name (`<table id>.csv`) → content, in report order. */
export function renderTablesCsv(report: Report, options: CsvOptions = {}): Map<string, string> {
  const files = new Map<string, string>();
  for (const { block } of reportBlocks(report)) {
    if (block.type !== 'table') continue;
    const name = `${block.id}.csv`;
    if (files.has(name))
      throw new Error(`two tables share the id "${block.id}"; table ids must be unique in a report`);
    files.set(name, tableCsv(block, options));
  }
  return files;
}
