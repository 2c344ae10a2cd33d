/**
 * Shared shapes for statistical results.
 *
 * Conventions (every function in core/stats follows them):
 * - Input vectors are `ArrayLike<number>`; `NaN` marks a missing value. The one missing-data policy is
 *   "exclude missing values" (per variable for univariate statistics; listwise or pairwise for multivariate
 *   ones, named by an explicit option). Every result reports the `n` it actually used.
 * - Results are named as a methods section would name them: `statistic`, `df`, `pValue`, `estimate`,
 *   `se`, `ci`, `n`, `method`. A standard error is never called `sd`.
 * - Expected degenerate cases (n < 2, constant groups, all missing, zero expected counts) return
 *   `NotComputable` with a reason a reader understands — never NaN or Infinity. Programming errors throw.
 */

export interface NotComputable {
  readonly kind: 'not_computable';
  readonly reason: string;
}

export function notComputable(reason: string): NotComputable {
  return { kind: 'not_computable', reason };
}

export function isNotComputable(x: unknown): x is NotComputable {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'not_computable';
}

export type Alternative = 'two.sided' | 'less' | 'greater';

/** Throws unless `alternative` is one of R's three (a programming error, not a data problem). */
export function checkAlternative(alternative: Alternative): Alternative {
  if (alternative !== 'two.sided' && alternative !== 'less' && alternative !== 'greater') {
    throw new RangeError(`alternative must be 'two.sided', 'less' or 'greater'; got ${String(alternative)}.`);
  }
  return alternative;
}

export interface Interval {
  readonly lower: number;
  readonly upper: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
}

/** Result of a hypothesis test. Specific tests extend this with their own fields. */
export interface TestResult {
  /** Human-readable method name as a report prints it, e.g. "Welch two-sample t-test". */
  readonly method: string;
  readonly statisticName: string;
  readonly statistic: number;
  /** Degrees of freedom; a pair for F. Absent for tests without df. */
  readonly df?: number | readonly [number, number];
  readonly pValue: number;
  readonly alternative: Alternative;
  readonly n: number;
}
