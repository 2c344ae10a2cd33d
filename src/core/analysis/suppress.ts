/**
 * Small-cell suppression applied to report tables (the policy itself is core/privacy/suppression.ts): rows
 * below k, and minima/maxima fewer than k respondents share.
 */
import { extremeShown, isSmall, suppressionNote, suppressionReason } from '../privacy/suppression.js';
import { suppressed } from '../report/index.js';
import type { Cell, TableSpec } from '../report/spec.js';
import type { ScoreColumn } from '../scoring/score.js';

/**
 * The score descriptives table with small rows suppressed, and each minimum or maximum that fewer than k
 * respondents share hidden (with the range): the one PHQ-9 score of 27 must not print when its band is
 * suppressed. Data rows are in the order of `scores`.
 */
export function suppressExtremes(table: TableSpec, scores: readonly ScoreColumn[], k: number): TableSpec {
  const small = suppressRows(
    table,
    ['n', 'mean', 'sd', 'min', 'max', 'range'],
    (c) => isSmall(cellNumber(c.n), k),
    k,
  );
  let i = -1;
  let any = false;
  const why = suppressed(`${suppressionReason(k)} share this value`);
  const rows = small.rows.map((r) => {
    if (r.kind !== 'data') return r;
    const values = scores[++i]?.values;
    if (!values) return r;
    const cells = { ...r.cells };
    for (const key of ['min', 'max'] as const) {
      const c = cells[key];
      if (c?.kind === 'number' && !extremeShown(values, c.value, k)) {
        cells[key] = why;
        cells.range = why;
        any = true;
      }
    }
    return { ...r, cells };
  });
  return any
    ? {
        ...small,
        rows,
        notes: [
          ...small.notes,
          `A minimum or maximum shared by fewer than ${k} respondents is not shown (nor the range).`,
        ],
      }
    : small;
}

/** Replace the given cells of a table's data rows with "suppressed" where `hide(row)` says so. */
export function suppressRows(
  table: TableSpec,
  keys: readonly string[],
  hide: (cells: Record<string, Cell>) => boolean,
  k: number,
): TableSpec {
  let any = false;
  const rows = table.rows.map((r) => {
    if (r.kind !== 'data' || !hide(r.cells)) return r;
    any = true;
    const cells = { ...r.cells };
    for (const key of keys) if (key in cells) cells[key] = suppressed(suppressionReason(k));
    return { ...r, cells };
  });
  return any ? { ...table, rows, notes: [...table.notes, suppressionNote(k)] } : table;
}

export function cellNumber(c: Cell | undefined): number {
  return c && c.kind === 'number' ? c.value : 0;
}
