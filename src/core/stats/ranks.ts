/**
 * Ranking with ties (average ranks) and tie counts, shared by the rank tests in `core/stats`
 * (Mann–Whitney, the signed-rank test and Spearman; Kruskal–Wallis and others may use the same helpers).
 *
 * Design for large inputs (1,000,000 respondents): the values are copied once into a `Float64Array` and sorted
 * with the native numeric sort; the average rank of any value is then found by two binary searches in the sorted
 * copy. No per-element objects are allocated. `NaN` marks a missing value and is never ranked.
 *
 * Average rank: a value `v` that occupies sorted positions `lo .. hi-1` (0-based) gets rank `(lo + 1 + hi) / 2`,
 * the mean of the 1-based ranks `lo+1 .. hi` — what R's `rank(ties.method = "average")` and SPSS report.
 */

import { at } from './at.js';
import { normalCdf, normalSf } from './distributions.js';
import type { Alternative } from './result.js';

/** Summary of the tied groups among ranked values. */
export interface TieSummary {
  /** Number of distinct values that occur more than once. */
  readonly tiedGroups: number;
  /** Σ (t³ − t) over all groups of t equal values: the tie correction term used by rank tests. */
  readonly sumT3MinusT: number;
  /** Size of the largest group of equal values (1 when there are no ties, 0 when there are no values). */
  readonly largestTie: number;
}

/** Copy of the non-missing (non-NaN) values of `x`, sorted ascending. */
function sortedNonMissing(x: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(at(x, i))) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = at(x, i);
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out.sort();
}

/** Pooled, sorted copy of the non-missing values of all groups. */
function sortedPooled(groups: readonly ArrayLike<number>[]): Float64Array {
  let n = 0;
  for (const g of groups) for (let i = 0; i < g.length; i++) if (!Number.isNaN(at(g, i))) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (const g of groups) {
    for (let i = 0; i < g.length; i++) {
      const v = at(g, i);
      if (!Number.isNaN(v)) out[k++] = v;
    }
  }
  return out.sort();
}

/** Tied groups in an ascending sorted array without NaN. */
function tieSummary(sorted: ArrayLike<number>): TieSummary {
  let tiedGroups = 0;
  let sum = 0;
  let largest = sorted.length > 0 ? 1 : 0;
  let i = 0;
  const n = sorted.length;
  while (i < n) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) {
      tiedGroups++;
      sum += (t - 1) * t * (t + 1); // t³ − t without forming t³ first
      if (t > largest) largest = t;
    }
    i = j;
  }
  return { tiedGroups, sumT3MinusT: sum, largestTie: largest };
}

/** Number of elements of the ascending `sorted` array that are < v. */
function lowerBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(sorted, mid) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements of the ascending `sorted` array that are <= v. */
function upperBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(sorted, mid) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Average (mid) rank, 1-based, of `v` within the ascending `sorted` array (which must contain `v`).
 * Matches R `rank(ties.method = "average")`.
 */
function averageRankIn(sorted: ArrayLike<number>, v: number): number {
  return (lowerBound(sorted, v) + 1 + upperBound(sorted, v)) / 2;
}

/** Average ranks of a single variable. */
interface RankResult extends TieSummary {
  /** Rank of each element of the input, in input order; `NaN` where the input is missing. */
  readonly ranks: Float64Array;
  /** Number of non-missing values ranked. */
  readonly n: number;
}

/**
 * Average ranks of `x` (ties get the mean of the ranks they span), as R `rank(x, ties.method = "average",
 * na.last = "keep")`. Missing values (`NaN`) keep `NaN` and are not counted.
 */
export function averageRanks(x: ArrayLike<number>): RankResult {
  const sorted = sortedNonMissing(x);
  const ranks = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = at(x, i);
    ranks[i] = Number.isNaN(v) ? Number.NaN : averageRankIn(sorted, v);
  }
  return { ranks, n: sorted.length, ...tieSummary(sorted) };
}

/** Rank sums of k groups ranked together. */
interface GroupRankSums extends TieSummary {
  /** Total number of non-missing values over all groups. */
  readonly n: number;
  /** Non-missing values per group. */
  readonly groupN: readonly number[];
  /** Sum of the pooled average ranks per group. */
  readonly rankSums: readonly number[];
}

/**
 * Ranks all groups together (average ranks for ties) and sums the ranks per group — the basis of the
 * Mann–Whitney/Wilcoxon rank-sum and Kruskal–Wallis tests. Missing values are dropped per group.
 */
export function groupRankSums(groups: readonly ArrayLike<number>[]): GroupRankSums {
  const sorted = sortedPooled(groups);
  const groupN: number[] = [];
  const rankSums: number[] = [];
  for (const g of groups) {
    let n = 0;
    let s = 0;
    for (let i = 0; i < g.length; i++) {
      const v = at(g, i);
      if (Number.isNaN(v)) continue;
      n++;
      s += averageRankIn(sorted, v);
    }
    groupN.push(n);
    rankSums.push(s);
  }
  return { n: sorted.length, groupN, rankSums, ...tieSummary(sorted) };
}

/** Options of R's `wilcox.test` shared by the rank-sum (Mann–Whitney) and the signed-rank test. */
export interface RankTestOptions {
  /** 'two.sided' (default); 'greater' means x tends to be larger than y, 'less' smaller. */
  readonly alternative?: Alternative;
  /**
   * 'auto' (default, R's rule): exact with fewer than 50 values (per group; paired: non-zero differences) and no
   * ties (paired: and no zeros); true: exact whenever there are no ties (nor zeros); false: always the normal
   * approximation.
   */
  readonly exact?: boolean | 'auto';
  /** Continuity correction in the normal approximation: true as R (default), false as SPSS/PSPP. */
  readonly continuityCorrection?: boolean;
}

/** The p-values, z and effect size of a rank test, as both tests report them. */
export interface RankTestOutcome {
  /** Standardised statistic of the normal approximation (continuity-corrected when that option is on). */
  readonly z: number;
  /** The p-value reported: exact when `exact` is true, else the normal approximation. */
  readonly pValue: number;
  readonly exact: boolean;
  /** Exact p when computed. */
  readonly pValueExact?: number;
  /** Normal-approximation p (with the chosen continuity correction). */
  readonly pValueAsymptotic: number;
  /** Why an exact p was requested (or chosen by 'auto') but not computed. */
  readonly exactNote?: string;
  readonly ties: TieSummary;
  /** r = z/√N (rank-sum: all values; signed-rank: the non-zero differences). */
  readonly effectSizeR: number;
  readonly options: {
    readonly alternative: Alternative;
    readonly exact: boolean | 'auto';
    readonly continuityCorrection: boolean;
  };
}

/**
 * The normal approximation of a rank statistic, as R's `wilcox.test` computes it for the rank-sum and the
 * signed-rank test: `centred` is the statistic minus its mean under H0 and `sigma` its (tie-corrected) standard
 * deviation. With `continuityCorrection` (R `correct = TRUE`) the statistic moves ½ towards its mean
 * (two-sided: by sign(centred)·½; 'greater': −½; 'less': +½). z keeps the sign of `centred`.
 */
export function rankNormalApproximation(
  centred: number,
  sigma: number,
  alternative: Alternative,
  continuityCorrection: boolean,
): { readonly z: number; readonly p: number } {
  let correction = 0;
  if (continuityCorrection) {
    if (alternative === 'two.sided') correction = Math.sign(centred) * 0.5;
    else correction = alternative === 'greater' ? 0.5 : -0.5;
  }
  const z = (centred - correction) / sigma;
  if (alternative === 'less') return { z, p: normalCdf(z) };
  if (alternative === 'greater') return { z, p: normalSf(z) };
  return { z, p: Math.min(1, 2 * Math.min(normalCdf(z), normalSf(z))) };
}

/** The method as a report names it: "<test>, exact p-value" or which normal approximation. */
export function rankTestMethod(test: string, exact: boolean, continuityCorrection: boolean): string {
  if (exact) return `${test}, exact p-value`;
  return `${test}, normal approximation with tie correction${continuityCorrection ? ' and continuity correction' : ''}`;
}
