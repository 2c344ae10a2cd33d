/**
 * Descriptive statistics as SPSS DESCRIPTIVES / EXAMINE (EXPLORE) and R report them.
 *
 * Accuracy: mean and variance use the corrected two-pass algorithm with a compensated first sum
 * (see summation.ts), which reaches the binary64 limits on the NIST StRD univariate data sets.
 * Speed: two linear passes for the moments, plus a copy and O(n) selection for the quantiles;
 * no per-element allocation (Float64Array input is the fast path).
 */
import { type NotComputable, notComputable } from './result.js';
import { firstPass, secondPass } from './summation.js';

/**
 * How sample quantiles are defined.
 * - `'spss'`: SPSS's default HAVERAGE (EXAMINE, FREQUENCIES), identical to R `quantile(type = 6)`:
 *   position h = p (n + 1), clamped to [1, n], interpolated linearly.
 * - `'r'`: R's default `quantile(type = 7)`: position h = 1 + p (n - 1).
 */
type QuantileDefinition = 'spss' | 'r';

interface DescriptiveOptions {
  /** Quartile/quantile definition; default `'spss'`. */
  readonly quantileDefinition?: QuantileDefinition;
}

interface Descriptives {
  readonly method: string;
  /** Number of valid (non-missing) values used. */
  readonly n: number;
  /** Number of missing values (NaN) excluded. */
  readonly nMissing: number;
  readonly mean: number;
  /** Sample standard deviation (denominator n - 1); null when n < 2 (no spread from one value). */
  readonly sd: number | null;
  /** Sample variance (denominator n - 1); null when n < 2. */
  readonly variance: number | null;
  /** Standard error of the mean, sd / √n; null when n < 2. */
  readonly se: number | null;
  readonly min: number;
  readonly max: number;
  readonly range: number;
  readonly sum: number;
  readonly median: number;
  /** First quartile (25th percentile) under `quantileDefinition`. */
  readonly q1: number;
  /** Third quartile (75th percentile) under `quantileDefinition`. */
  readonly q3: number;
  /** Interquartile range q3 - q1. */
  readonly iqr: number;
  readonly quantileDefinition: QuantileDefinition;
}

/** Moments only (no quantiles): the fast path for large inputs. */
export interface Moments {
  readonly n: number;
  readonly nMissing: number;
  readonly sum: number;
  readonly mean: number;
  /** Sample variance (n - 1); null when n < 2. */
  readonly variance: number | null;
  readonly sd: number | null;
  readonly min: number;
  readonly max: number;
}

const DEFINITION_NAMES: Record<QuantileDefinition, string> = {
  spss: 'SPSS HAVERAGE (R type 6)',
  r: 'R type 7',
};

/**
 * n, mean, variance and SD (denominator n - 1), sum, min and max of the non-missing values of `x`
 * in two passes (corrected two-pass algorithm; matches R `mean`, `var`, `sd` and SPSS DESCRIPTIVES).
 * Returns NotComputable when every value is missing.
 */
export function moments(x: ArrayLike<number>): Moments | NotComputable {
  const first = firstPass(x);
  if (first.n === 0) {
    return notComputable(
      x.length === 0
        ? 'There are no values to describe.'
        : `All ${x.length} values are missing; descriptive statistics need at least one value.`,
    );
  }
  const second = secondPass(x, first.n, first.sum / first.n);
  const variance = first.n >= 2 ? second.ss / (first.n - 1) : null;
  return {
    n: first.n,
    nMissing: first.nMissing,
    sum: first.sum,
    mean: second.mean,
    variance,
    sd: variance === null ? null : Math.sqrt(variance),
    min: first.min,
    max: first.max,
  };
}

/**
 * Full descriptive summary of the non-missing values of `x`: n, nMissing, mean, SD and variance
 * (n - 1), SE of the mean, min, max, range, sum, median, quartiles and IQR.
 * Matches R (`mean`, `sd`, `var`, `quantile(type = 6 | 7)`) and SPSS DESCRIPTIVES / EXAMINE
 * (`quantileDefinition: 'spss'` = HAVERAGE). NotComputable when every value is missing.
 *
 * @example descriptives([1, 2, 3, 4, NaN]) // { n: 4, nMissing: 1, mean: 2.5, median: 2.5, q1: 1.25, ... }
 */
export function descriptives(
  x: ArrayLike<number>,
  options: DescriptiveOptions = {},
): Descriptives | NotComputable {
  const definition = options.quantileDefinition ?? 'spss';
  const m = moments(x);
  if ('kind' in m) return m;
  const sorted = validCopy(x, m.n);
  const [q1, median, q3] = quantilesOfCopy(sorted, [0.25, 0.5, 0.75], definition);
  return {
    method: `Descriptive statistics; quartiles by ${DEFINITION_NAMES[definition]}`,
    n: m.n,
    nMissing: m.nMissing,
    mean: m.mean,
    sd: m.sd,
    variance: m.variance,
    se: m.sd === null ? null : m.sd / Math.sqrt(m.n),
    min: m.min,
    max: m.max,
    range: m.max - m.min,
    sum: m.sum,
    median: median as number,
    q1: q1 as number,
    q3: q3 as number,
    iqr: (q3 as number) - (q1 as number),
    quantileDefinition: definition,
  };
}

/** Alias of {@link descriptives} (`describe(x)` reads well at call sites). */
export const describe = descriptives;

/**
 * Sample quantiles of the non-missing values of `x` at probabilities `probs` (each in [0, 1]),
 * under R type 6 (`'spss'`, SPSS HAVERAGE) or R type 7 (`'r'`). Matches R
 * `quantile(x, probs, type = 6 | 7, na.rm = TRUE)` including its interpolation formula
 * (1 - h) x[j] + h x[j+1]. NotComputable when every value is missing.
 */
export function quantiles(
  x: ArrayLike<number>,
  probs: readonly number[],
  definition: QuantileDefinition = 'spss',
): number[] | NotComputable {
  for (const p of probs) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`quantiles: probability ${p} is not in [0, 1].`);
  }
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i] as number)) n++;
  if (n === 0) return notComputable('All values are missing; quantiles need at least one value.');
  return quantilesOfCopy(validCopy(x, n), probs, definition);
}

/** Copy the n non-missing values of x into a fresh Float64Array. */
function validCopy(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out;
}

/** 0-based order-statistic indices needed for probability p, with the interpolation weight. */
function position(p: number, n: number, definition: QuantileDefinition): [number, number, number] {
  if (definition === 'r') {
    // R type 7: index = 1 + (n - 1) p (1-based); lo = floor, hi = ceiling
    const index = 1 + (n - 1) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    return [lo - 1, hi - 1, index - lo];
  }
  // R type 6 (SPSS HAVERAGE): nppm = p (n + 1); j = floor(nppm + fuzz), h = nppm - j
  const fuzz = 4 * Number.EPSILON;
  const nppm = p * (n + 1);
  const j = Math.floor(nppm + fuzz);
  let h = nppm - j;
  if (Math.abs(h) < fuzz) h = 0;
  // R pads x as c(x1, x1, x, xn, xn): order statistic j (1-based) clamped to [1, n]
  const lo = Math.min(Math.max(j, 1), n) - 1;
  const hi = Math.min(Math.max(j + 1, 1), n) - 1;
  return [lo, hi, h];
}

/**
 * Quantiles of the values in `a` (no NaN; `a` is reordered in place) by selection, not sorting.
 * The needed order statistics are selected in increasing rank, each within the part of the array
 * not yet known to be smaller, so the total work stays linear in practice.
 */
function quantilesOfCopy(
  a: Float64Array,
  probs: readonly number[],
  definition: QuantileDefinition,
): number[] {
  const n = a.length;
  const plan = probs.map((p) => position(p, n, definition));
  const needed = new Set<number>();
  for (const [lo, hi] of plan) {
    needed.add(lo);
    needed.add(hi);
  }
  const ranks = Array.from(needed).sort((u, v) => u - v);
  const value = new Map<number, number>();
  let from = 0;
  for (const r of ranks) {
    select(a, r, from, n - 1);
    value.set(r, a[r] as number);
    from = r;
  }
  return plan.map(([lo, hi, h]) => {
    const xl = value.get(lo) as number;
    const xh = value.get(hi) as number;
    if (h === 0 || xl === xh) return xl;
    if (h === 1) return xh;
    return (1 - h) * xl + h * xh;
  });
}

/**
 * Rearrange a[left..right] so that a[k] holds the value it would have after sorting, everything
 * before it is <= a[k] and everything after is >= a[k] (Hoare partition, median-of-three pivot;
 * falls back to sorting a sub-range after too many unbalanced rounds).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  let lo = left;
  let hi = right;
  let budget = 2 * Math.ceil(Math.log2(right - left + 2)) + 8;
  while (hi > lo) {
    if (hi - lo < 16 || budget-- <= 0) {
      const sub = a.subarray(lo, hi + 1);
      sub.sort();
      return;
    }
    const mid = lo + ((hi - lo) >> 1);
    // median of three into a[mid]
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo);
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo);
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // now a[lo..j] <= pivot <= a[i..hi], and a[j+1..i-1] == pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
