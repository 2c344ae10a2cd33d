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
 *   smallest (`cellsToSuppress`), so it cannot be recovered from the total.
 * - **Extremes**: a minimum or maximum is printed only when at least k respondents share it (`extremeShown`).
 */

/** Roles on a study (src/store/schema.ts StudyRole) plus the qualitative coder. */
export type PrivacyRole = 'owner' | 'analyst' | 'viewer' | 'coder';

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
      if (!hide.has(i) && c > 0 && (best < 0 || c < counts[best]!)) best = i;
    });
    if (best >= 0) hide.add(best);
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
