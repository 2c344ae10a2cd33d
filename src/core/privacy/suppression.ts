/**
 * The one small-cell policy of every aggregate nabz shows (docs/security.md): the quantitative report, the
 * studio's progress and overview counts, the qualitative queries and the COREQ/SRQR checklists all ask here.
 *
 * - **Who sees what** (`audienceOf`): roles that can read row data or transcripts anyway — owner, analyst, and a
 *   qualitative coder — see exact, live figures; every other role (viewer) sees the *protected* view: counts from
 *   1 to k − 1 suppressed, coarse counts, and the quantitative analysis of a published snapshot that grows only
 *   in batches of k responses (`snapshotSize`), so two page loads never differ by one person.
 * - **What is small**: a count of 1 … k − 1 people (`isSmall`); a "count of total" cell is small when the count,
 *   its complement or the total is (`smallShare`); one small cell of a variable is hidden together with the next
 *   smallest (`cellsToSuppress`), so it cannot be recovered from the total; a two-way table is protected along
 *   its rows and its columns (`cellsToSuppress2D`), and a group left out of a comparison takes the next smallest
 *   with it until the left-out groups hold k people (`levelsToLeaveOut`), since "overall minus the groups shown"
 *   is always computable.
 * - **Extremes**: a minimum or maximum is printed only when at least k respondents share it (`extremeShown`).
 */

import { at } from '../stats/at.js';

/** `exact`: live exact figures (the role can read row data). `protected`: suppressed, coarse, snapshotted. */
export type Audience = 'exact' | 'protected';

/** The audience of a role: exact for roles that can read row data or transcripts, protected otherwise. */
export function audienceOf(role: string): Audience {
  return role === 'owner' || role === 'analyst' || role === 'coder' ? 'exact' : 'protected';
}

/** A count that could identify respondents: more than 0 and fewer than k. */
export function isSmall(count: number, k: number): boolean {
  return k > 0 && count > 0 && count < k;
}

/**
 * Whether a "count of total" cell must be hidden: the count, its complement (total − count) or the total
 * itself is small — any of them would single out fewer than k respondents.
 */
export function smallShare(count: number, total: number, k: number): boolean {
  return isSmall(count, k) || isSmall(total - count, k) || isSmall(total, k);
}

/**
 * Which cells of one variable to suppress: those below k, plus the next smallest non-zero cell when exactly
 * one would be hidden (complementary suppression).
 */
export function cellsToSuppress(counts: readonly number[], k: number): Set<number> {
  const hide = new Set<number>();
  if (k <= 0) return hide;
  counts.forEach((c, i) => {
    if (isSmall(c, k)) hide.add(i);
  });
  if (hide.size === 1) {
    let best = -1;
    counts.forEach((c, i) => {
      if (!hide.has(i) && c > 0 && (best < 0 || c < at(counts, best))) best = i;
    });
    if (best >= 0) hide.add(best);
  }
  return hide;
}

/**
 * Which levels (groups) of a variable to leave out of a comparison whose overall figures are published elsewhere
 * (the sample table, the descriptives, a threshold table): the levels with 1 … k − 1 respondents (`small`), and —
 * while the left-out levels together hold fewer than k respondents — the smallest remaining level too
 * (`complement`). Whatever a reader recovers as "overall minus the groups shown" then describes at least k people,
 * never the one or two in a small group. Levels with no respondents are neither kept nor left out.
 */
export function levelsToLeaveOut(
  counts: readonly number[],
  k: number,
): { readonly small: ReadonlySet<number>; readonly complement: ReadonlySet<number> } {
  const small = new Set<number>();
  const complement = new Set<number>();
  if (k <= 0) return { small, complement };
  let left = 0;
  counts.forEach((c, i) => {
    if (isSmall(c, k)) {
      small.add(i);
      left += c;
    }
  });
  while (small.size > 0 && left < k) {
    let best = -1;
    counts.forEach((c, i) => {
      if (c > 0 && !small.has(i) && !complement.has(i) && (best < 0 || c < at(counts, best))) best = i;
    });
    if (best < 0) break;
    complement.add(best);
    left += at(counts, best);
  }
  return { small, complement };
}

/**
 * The cells of a two-way table (rows × columns of counts) to suppress when its row and column totals are known —
 * printed beside it, or recoverable from other tables (the outcome's overall split is in the threshold table):
 * the cells with 1 … k − 1 respondents, then, line by line (rows and columns) until nothing changes, the smallest
 * non-zero shown cell of every line whose suppressed cells are only one or together hold fewer than k
 * respondents. No suppressed cell can then be recovered as a line total minus the shown cells (complementary
 * suppression, as statistical offices apply it). `true` marks a cell to suppress.
 */
export function cellsToSuppress2D(table: readonly (readonly number[])[], k: number): boolean[][] {
  const hide = table.map((row) => row.map((c) => isSmall(c, k)));
  if (k <= 0) return hide;
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  /** Protect one line (cells given as [row, col] pairs): true when a cell was added. */
  const protect = (cells: readonly (readonly [number, number])[]): boolean => {
    let count = 0;
    let sum = 0;
    for (const [r, c] of cells)
      if (at(hide, r)[c]) {
        count++;
        sum += at(at(table, r), c);
      }
    if (count === 0 || (count >= 2 && sum >= k)) return false;
    let best: readonly [number, number] | undefined;
    let bestValue = 0;
    for (const cell of cells) {
      const [r, c] = cell;
      const v = at(at(table, r), c);
      if (!at(hide, r)[c] && v > 0 && (!best || v < bestValue)) {
        best = cell;
        bestValue = v;
      }
    }
    if (!best) return false;
    at(hide, best[0])[best[1]] = true;
    return true;
  };
  const rowCells = (r: number) => Array.from({ length: cols }, (_, c) => [r, c] as const);
  const colCells = (c: number) => Array.from({ length: rows }, (_, r) => [r, c] as const);
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < rows; r++) while (protect(rowCells(r))) changed = true;
    for (let c = 0; c < cols; c++) while (protect(colCells(c))) changed = true;
  }
  return hide;
}

/** The note under a table with suppressed cells. */
export function suppressionNote(k: number): string {
  return `Cells with fewer than ${k} respondents are suppressed, with one further cell where needed so they cannot be recovered from the totals.`;
}

/** Why a cell is hidden, for the cell's tooltip. */
export function suppressionReason(k: number, who = 'respondents'): string {
  return `fewer than ${k} ${who}`;
}

/**
 * A count coarsened for a protected audience: rounded down to a multiple of k and shown as "25+" (from k on), so
 * it moves only when k more people are counted, and "fewer than k" below k. Exact audiences get the number.
 */
export function coarseCount(n: number, k: number, audience: Audience): string {
  if (audience === 'exact' || k <= 1) return String(n);
  if (n < k) return `fewer than ${k}`;
  return `${coarseValue(n, k)}+`;
}

/** The value a protected audience is shown for a count: n rounded down to a multiple of k (0 below k). */
export function coarseValue(n: number, k: number): number {
  if (k <= 1) return n;
  return Math.floor(n / k) * k;
}

/**
 * How many responses a protected audience's analysis covers: the first `coarseValue(n, k)` stored (in storage
 * order). Responses are never deleted, so the snapshot only grows, and only by whole batches of k: two page
 * loads show either the same snapshot or snapshots that differ by at least k respondents.
 */
export function snapshotSize(n: number, k: number): number {
  return coarseValue(n, Math.max(1, k));
}

/** Whether the extreme `value` of `values` may be printed: at least k of the (finite) values equal it. */
export function extremeShown(values: ArrayLike<number>, value: number, k: number): boolean {
  if (k <= 1) return true;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === value && ++n >= k) return true;
  return false;
}
