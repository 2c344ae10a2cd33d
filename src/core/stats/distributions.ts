/**
 * Distribution functions used by every test in `core/stats`.
 *
 * Rule: an upper tail is always computed as a survival function from the incomplete beta/gamma
 * function's own upper form, never as `1 - cdf(x)` (which returns 0 for a true p of 1e-22).
 * The special functions come from @stdlib; the orchestration (which form to call so that no
 * argument is computed with cancellation) is ours and is tested against mpmath references.
 */
import betainc from '@stdlib/math-base-special-betainc';
import erfc from '@stdlib/math-base-special-erfc';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import gammainc from '@stdlib/math-base-special-gammainc';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import fQuantileStdlib from '@stdlib/stats-base-dists-f-quantile';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';

const SQRT2 = Math.SQRT2;

/** P(Z <= z) for the standard normal. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** P(Z > z) for the standard normal. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / SQRT2);
}

/** z such that P(Z <= z) = p. */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  return -SQRT2 * erfcinv(2 * p);
}

/**
 * P(T > t) for Student's t with `df` degrees of freedom (df may be fractional, as in Welch's test).
 * For |t| small relative to df the argument t²/(df+t²) is used with the upper incomplete beta,
 * otherwise df/(df+t²) with the lower one, so that neither argument suffers cancellation.
 */
export function tSf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const t2 = t * t;
  // tail = P(|T| > |t|) / 2
  let tail: number;
  if (t2 < df) {
    tail = 0.5 * betainc(t2 / (df + t2), 0.5, df / 2, true, true);
  } else {
    tail = 0.5 * betainc(df / (df + t2), df / 2, 0.5, true, false);
  }
  return t > 0 ? tail : 1 - tail;
}

/** P(T <= t). */
export function tCdf(t: number, df: number): number {
  return tSf(-t, df);
}

/** Two-sided p-value P(|T| >= |t|). */
export function tTwoSided(t: number, df: number): number {
  return Math.min(1, 2 * tSf(Math.abs(t), df));
}

/** t such that P(T <= t) = p. */
export function tQuantile(p: number, df: number): number {
  return tQuantileStdlib(p, df);
}

/** P(F > f) for the F distribution with (d1, d2) degrees of freedom. */
export function fSf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || d1 <= 0 || d2 <= 0) return Number.NaN;
  if (f <= 0) return 1;
  if (f === Number.POSITIVE_INFINITY) return 0;
  const num = d1 * f;
  const den = num + d2;
  // P(F > f) = I_{d2/(d2+d1 f)}(d2/2, d1/2) = upper I_{d1 f/(d2+d1 f)}(d1/2, d2/2)
  if (num < d2) return betainc(num / den, d1 / 2, d2 / 2, true, true);
  return betainc(d2 / den, d2 / 2, d1 / 2, true, false);
}

/** f such that P(F <= f) = p. */
export function fQuantile(p: number, d1: number, d2: number): number {
  return fQuantileStdlib(p, d1, d2);
}

/** P(X > x) for chi-square with k degrees of freedom. */
export function chi2Sf(x: number, k: number): number {
  if (Number.isNaN(x) || k <= 0) return Number.NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, k / 2, true, true);
}

/** x such that P(X <= x) = p for chi-square with k degrees of freedom. */
export function chi2Quantile(p: number, k: number): number {
  return chisquareQuantile(p, k);
}
