/**
 * Accurate accumulation helpers shared by the descriptive statistics, ANOVA and Levene's test.
 *
 * The mean and the sum of squared deviations are computed with the corrected two-pass algorithm
 * (Chan, Golub & LeVeque 1983; Björck 1996):
 *   pass 1: m0 = (compensated sum of x) / n
 *   pass 2: d = Σ(x - m0), ss = Σ(x - m0)² (compensated);  mean = m0 + d/n;  SS = ss - d²/n
 * The correction term d²/n removes the first-order effect of the rounding error in m0, so SS is as
 * accurate as binary64 allows (the NIST StRD limits). Loops index typed or plain arrays directly and
 * allocate nothing per element. `NaN` marks a missing value and is skipped.
 */

/** Running state of Neumaier's compensated sum. */
export interface CompensatedSum {
  sum: number;
  compensation: number;
}

/** Add `value` to a Neumaier compensated sum in place. */
export function addCompensated(acc: CompensatedSum, value: number): void {
  const t = acc.sum + value;
  if (Math.abs(acc.sum) >= Math.abs(value)) acc.compensation += acc.sum - t + value;
  else acc.compensation += value - t + acc.sum;
  acc.sum = t;
}

/** First pass over `x`: count of non-missing values, compensated sum, minimum and maximum. */
interface FirstPass {
  readonly n: number;
  readonly nMissing: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/**
 * One pass over `x` (NaN = missing): n, number missing, Neumaier-compensated sum, min and max.
 * With n = 0 the sum is 0 and min/max are NaN (callers report NotComputable).
 */
export function firstPass(x: ArrayLike<number>): FirstPass {
  let n = 0;
  let s = 0;
  let c = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const len = x.length;
  for (let i = 0; i < len; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue; // missing
    n++;
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) c += s - t + v;
    else c += v - t + s;
    s = t;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { n: 0, nMissing: len, sum: 0, min: Number.NaN, max: Number.NaN };
  return { n, nMissing: len - n, sum: s + c, min, max };
}

/** Mean and sum of squared deviations about it (corrected two-pass). */
interface MeanAndSS {
  readonly n: number;
  readonly mean: number;
  /** Σ (x - mean)², the corrected sum of squares. */
  readonly ss: number;
}

/**
 * Second pass: given n and a first estimate `m0` of the mean, return the corrected mean
 * m0 + Σ(x-m0)/n and the corrected sum of squares Σ(x-m0)² - (Σ(x-m0))²/n. Skips NaN.
 */
export function secondPass(x: ArrayLike<number>, n: number, m0: number): MeanAndSS {
  let d = 0;
  let ss = 0;
  let c = 0; // Neumaier compensation of ss: 1e6 squares summed naively lose ~4 digits
  const len = x.length;
  for (let i = 0; i < len; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue;
    const e = v - m0;
    d += e;
    const sq = e * e;
    const t = ss + sq;
    if (ss >= sq) c += ss - t + sq;
    else c += sq - t + ss;
    ss = t;
  }
  ss += c;
  const corrected = ss - (d * d) / n;
  return { n, mean: m0 + d / n, ss: Math.max(0, corrected) };
}

/** Mean and corrected sum of squares of the non-missing values of `x` in two passes. */
export function meanAndSS(x: ArrayLike<number>): MeanAndSS {
  const first = firstPass(x);
  if (first.n === 0) return { n: 0, mean: Number.NaN, ss: Number.NaN };
  return secondPass(x, first.n, first.sum / first.n);
}
