/**
 * Helpers shared by the statistics tests: unwrapping results, and reading the committed PSPP output
 * (test/goldens/pspp) and comparing with the numbers PSPP printed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { isNotComputable, type NotComputable } from '../../../src/core/stats/result.js';
import { lre } from '../../helpers/accuracy.js';

/** The result itself; a NotComputable fails the test with its reason. */
export function ok<T>(r: T | NotComputable): T {
  if (isNotComputable(r)) throw new Error(`unexpected NotComputable: ${r.reason}`);
  return r as T;
}

function psppText(file: string): string {
  return readFileSync(new URL(`../../goldens/pspp/${file}`, import.meta.url), 'utf8');
}

export interface PsppTable {
  readonly title: string;
  readonly rows: string[][];
}

/**
 * The tables of a PSPP CSV output file in test/goldens/pspp, in order: a `Table: <title>` row starts one, its
 * CSV rows follow, an empty row ends it.
 */
export function psppTables(file: string): PsppTable[] {
  const rows: string[][] = parse(psppText(file), { relax_column_count: true, skip_empty_lines: false });
  const tables: { title: string; rows: string[][] }[] = [];
  let current: string[][] | null = null;
  for (const row of rows) {
    const first = row[0] ?? '';
    if (row.length === 1 && first.startsWith('Table: ')) {
      current = [];
      tables.push({ title: first.slice('Table: '.length), rows: current });
    } else if (row.length === 1 && first === '') {
      current = null;
    } else if (current !== null) {
      current.push(row);
    }
  }
  return tables;
}

/** {@link psppTables} keyed by title (a later table of the same title wins). */
export function psppTableMap(file: string): Map<string, string[][]> {
  return new Map(psppTables(file).map((t) => [t.title, t.rows]));
}

/** The columns of a data CSV in test/goldens/pspp (header row), as numbers; an empty cell is NaN. */
export function readPsppCsv(file: string): Record<string, number[]> {
  const rows = parse(psppText(file), { columns: true }) as Record<string, string>[];
  const out: Record<string, number[]> = {};
  for (const key of Object.keys(rows[0]!))
    out[key] = rows.map((r) => (r[key] === '' ? Number.NaN : Number(r[key])));
  return out;
}

/** The columns of a data CSV in test/goldens/pspp as strings (categorical columns); an empty cell is null. */
export function readPsppCsvText(file: string): Record<string, (string | null)[]> {
  const rows = parse(psppText(file), { columns: true }) as Record<string, string>[];
  const out: Record<string, (string | null)[]> = {};
  for (const key of Object.keys(rows[0]!)) out[key] = rows.map((r) => (r[key] === '' ? null : r[key]!));
  return out;
}

/** A PSPP number ("", ".0123", "-4.2E-016", ".603[a]") or null when blank. */
export function psppNumber(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const s = cell.replace(/\[[a-z]+\]$/, '').trim();
  return s === '' ? null : Number(s);
}

/**
 * Agreement with a value PSPP printed with a fixed number of decimals: within half a unit of the last printed
 * decimal plus `relTol` relative (PSPP's own computing error; 1e-13 unless stated).
 */
export function expectPspp(actual: number, printed: string, what: string, relTol = 1e-13): void {
  const value = psppNumber(printed)!;
  const decimals = (printed.replace(/\[[a-z]+\]$/, '').split('.')[1] ?? '').length;
  const tol = 0.5 * 10 ** -decimals + relTol * Math.abs(value);
  expect(
    Math.abs(actual - value) <= tol,
    `${what}: got ${actual}, PSPP printed ${printed} (±${tol.toExponential(1)}); ${lre(actual, value).toFixed(2)} digits`,
  ).toBe(true);
}

/** Agreement with a number PSPP printed with `decimals` decimals: within half a unit of the last place. */
export function expectPrinted(actual: number, printed: string, decimals: number, what: string): void {
  const v = Number(printed);
  expect(Number.isNaN(v), `${what}: PSPP printed "${printed}"`).toBe(false);
  expect(
    Math.abs(actual - v) <= 0.5 * 10 ** -decimals * (1 + 1e-9),
    `${what}: got ${actual}, PSPP printed ${printed}`,
  ).toBe(true);
}
