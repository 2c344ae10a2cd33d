/**
 * Standardised mean differences for two independent groups: Cohen's d (pooled-SD standardiser) and Hedges' g
 * (d times the small-sample correction J), each with a confidence interval.
 *
 * Confidence intervals (`ciMethod`):
 * - 'noncentral-t' (default): invert the noncentral t distribution, as R packages MBESS (`ci.smd`) and
 *   effectsize (`cohens_d`, `hedges_g`) do. With t = d·√(n1 n2 / (n1 + n2)) and df = n1 + n2 − 2, find the
 *   noncentrality parameters λ_L, λ_U with P(T ≤ t | df, λ_L) = 1 − α/2 and P(T ≤ t | df, λ_U) = α/2; the
 *   interval for d is λ·√(1/n1 + 1/n2). For g the interval for d is multiplied by J (as effectsize does).
 * - 'normal': the Hedges & Olkin (1985) large-sample interval est ± z_{1−α/2}·√(1/n1 + 1/n2 + est²/(2(n1 + n2))),
 *   with est = d or g — the variance metafor::escalc(measure = "SMD", vtype = "LS") uses for g.
 *
 * Hedges' correction (`correction`):
 * - 'exact' (default): J = Γ(df/2) / (√(df/2) · Γ((df − 1)/2)) (Hedges 1981), computed without cancellation for
 *   any df (a Stirling series for the log-gamma ratio, not a difference of two large lgamma values).
 * - 'approximate': J ≈ 1 − 3/(4·df − 1).
 *
 * Which noncentral t CDF is inverted (`nct`):
 * - 'r-compatible' (default): {@link nctCdfAsR}, the same algorithm, stopping rule and branch points as R's
 *   `pt(t, df, ncp)`, so the interval agrees with MBESS/effectsize to 12+ digits. R's CDF is itself only good to
 *   ~1e-12 absolute (and uses a normal approximation for df > 4e5), so the interval has ~10–12 correct digits.
 * - 'accurate': distributions.ts `nctCdf` (~1e-15), for an interval correct to ~14 digits; it then differs
 *   from R's by R's own error (about 1e-11 relative at most below df = 4e5).
 */

import betainc from '@stdlib/math-base-special-betainc';
import { atNum } from './at.js';
import { nctCdf, normalCdf, normalQuantile, normalSf, tCdf } from './distributions.js';
import { type Interval, type NotComputable, notComputable } from './result.js';
import { type SummaryInput, summarizeSample } from './ttest.js';

type SmdCiMethod = 'noncentral-t' | 'normal';
type HedgesCorrectionMethod = 'exact' | 'approximate';
type NctAlgorithm = 'r-compatible' | 'accurate';

interface SmdOptions {
  /** Confidence level of the two-sided interval, in (0, 1); default 0.95. */
  readonly confLevel?: number;
  /** 'noncentral-t' (default; MBESS, effectsize) or 'normal' (Hedges & Olkin large-sample interval). */
  readonly ciMethod?: SmdCiMethod;
  /** Noncentral t CDF inverted for the 'noncentral-t' CI: 'r-compatible' (default, as R pt) or 'accurate'. */
  readonly nct?: NctAlgorithm;
}

interface HedgesGOptions extends SmdOptions {
  /** 'exact' (default; gamma-function J) or 'approximate' (J = 1 − 3/(4 df − 1)). */
  readonly correction?: HedgesCorrectionMethod;
}

/** A standardised mean difference (x − y) / pooled SD, possibly bias-corrected. */
export interface StandardizedMeanDifference {
  readonly name: "Cohen's d" | "Hedges' g";
  /** Plain description for a methods section. */
  readonly method: string;
  readonly estimate: number;
  readonly ci: Interval;
  readonly ciMethod: SmdCiMethod;
  /** The noncentral t CDF inverted (only for ciMethod 'noncentral-t'). */
  readonly nct?: NctAlgorithm;
  /** Pooled standard deviation √[((n1−1)s1² + (n2−1)s2²)/(n1+n2−2)] used as the standardiser. */
  readonly standardizer: number;
  /** n1 + n2 − 2. */
  readonly df: number;
  /** Total n used (n1 + n2). */
  readonly n: number;
  readonly groupN: readonly [number, number];
  /** Hedges' small-sample correction (only for g). */
  readonly correction?: { readonly method: HedgesCorrectionMethod; readonly factor: number };
}

// ---------------------------------------------------------------------------------------------------------
// Gamma-function ratio and Hedges' J

/** Stirling-series coefficients B_2k / (2k (2k − 1)), k = 1..8, of ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π]. */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

/** Remainder of Stirling's formula for ln Γ(z), z >= 10 (truncation error < 1e-18 there). */
function stirlingRemainder(z: number): number {
  const r = 1 / (z * z);
  let s = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) s = s * r + atNum(STIRLING, k);
  return s / z;
}

/**
 * ln[Γ(a + ½) / Γ(a)] for a > 0, to full double precision for every a: for a >= 10 as
 * ½ ln a + a·log1p(1/(2a)) − ½ + R(a + ½) − R(a) (R = Stirling remainder), whose terms do not cancel;
 * below 10 by the recurrence Γ(a + ½)/Γ(a) = Γ(a + m + ½)/Γ(a + m) · Π (a + i)/(a + i + ½).
 */
function logGammaRatioHalf(a: number): number {
  let shift = 0;
  let z = a;
  while (z < 10) {
    shift += Math.log(z / (z + 0.5));
    z += 1;
  }
  return (
    0.5 * Math.log(z) +
    z * Math.log1p(0.5 / z) -
    0.5 +
    stirlingRemainder(z + 0.5) -
    stirlingRemainder(z) +
    shift
  );
}

/**
 * Hedges' small-sample correction factor J(df): 'exact' J = Γ(df/2) / (√(df/2) Γ((df − 1)/2)) (Hedges 1981;
 * R: `sqrt(pi) / (beta((df - 1)/2, 1/2) * sqrt(df/2))`), or 'approximate' J = 1 − 3/(4 df − 1).
 * df must exceed 1.
 */
export function hedgesCorrection(df: number, method: HedgesCorrectionMethod = 'exact'): number {
  if (!(df > 1)) throw new RangeError(`Hedges' correction needs df > 1; got ${df}.`);
  if (method === 'approximate') return 1 - 3 / (4 * df - 1);
  const a = (df - 1) / 2;
  // J = exp(ln Γ(a + ½) − ln Γ(a)) / √(a + ½); for a >= 10 the √a of the ratio is combined with 1/√(a + ½).
  if (a >= 10) {
    return (
      Math.sqrt(a / (a + 0.5)) *
      Math.exp(a * Math.log1p(0.5 / a) - 0.5 + stirlingRemainder(a + 0.5) - stirlingRemainder(a))
    );
  }
  return Math.exp(logGammaRatioHalf(a)) / Math.sqrt(a + 0.5);
}

// ---------------------------------------------------------------------------------------------------------
// Noncentral t distribution

/** Largest λ² for which e^{−λ²/2} does not underflow: 2 ln 2 · 1021 (R's switch to the normal approximation). */
const NCT_MAX_DELTA2 = 2 * Math.LN2 * 1021;
const NCT_MAX_TERMS = 1000;
const NCT_ERRMAX = 1e-12;

/**
 * P(T <= t) for the noncentral t distribution with `df` degrees of freedom and noncentrality `ncp`, computed
 * the way R's `pt(t, df, ncp)` computes it — for reproducing R-based intervals (MBESS, effectsize). For an
 * accurate noncentral t CDF use distributions.ts `nctCdf`.
 *
 * Algorithm AS 243 (Lenth 1989, Appl. Statist. 38:185–189): with x = t²/(t² + df) the CDF is
 * Φ(−δ) + ½ Σ_j [p_j I_x(j + ½, df/2) + q_j I_x(j + 1, df/2)], where p_j, q_j are Poisson-type weights in δ²/2
 * and the incomplete beta values are updated by their two-term recurrences; summation stops when the error
 * bound 2·(remaining weight)·I_x < 1e-12 or after 1000 terms. For df > 4e5, or δ² > 2 ln 2 · 1021 where the
 * weights underflow, the normal approximation of Abramowitz & Stegun 26.7.10 is used:
 * Φ((t(1 − 1/(4 df)) − δ) / √(1 + t²/(2 df))). The stopping rule, limits and switch points are those of R's `pt`
 * (which implements the same algorithm), so the two agree to about 1e-13 in the centre of the distribution;
 * the absolute error of either is up to ~1e-12, so far tails have few correct relative digits.
 * For t < 0 the reflection P(T <= t | δ) = 1 − P(T <= −t | −δ) is used.
 */
export function nctCdfAsR(t: number, df: number, ncp: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || Number.isNaN(ncp) || !(df > 0)) return Number.NaN;
  if (ncp === 0) return tCdf(t, df);
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  let reflect = false;
  let tt = t;
  let delta = ncp;
  if (t < 0) {
    // P(T <= t) <= P(T <= 0) = Φ(−ncp), below 1e-300 once ncp > 40.
    if (ncp > 40) return 0;
    reflect = true;
    tt = -t;
    delta = -ncp;
  }
  if (df > 4e5 || delta * delta > NCT_MAX_DELTA2) {
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - delta) / Math.sqrt(1 + tt * tt * 2 * s);
    return reflect ? normalSf(z) : normalCdf(z);
  }
  let series = 0;
  const t2 = tt * tt;
  const x = t2 / (t2 + df);
  if (x > 0) {
    const lambda = delta * delta;
    const b = df / 2;
    // Poisson-type weights: p_j for the I_x(j + ½, b) terms, q_j for the I_x(j + 1, b) terms.
    let pw = 0.5 * Math.exp(-0.5 * lambda);
    let qw = Math.sqrt(2 / Math.PI) * pw * delta;
    // Weight not yet used, ½(1 − e^{−λ/2}) minus the p_j added so far.
    let remaining = 0.5 - pw;
    if (remaining < 1e-7) remaining = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const oneMinusXPowB = (df / (t2 + df)) ** b; // (1 − x)^b computed without forming 1 − x
    // ln B(½, b) = ln Γ(½) − ln[Γ(b + ½)/Γ(b)]
    const logBetaHalfB = 0.5 * Math.log(Math.PI) - logGammaRatioHalf(b);
    let iOdd = betainc(x, a, b, true, false); // I_x(½, b)
    let gOdd = 2 * oneMinusXPowB * Math.exp(a * Math.log(x) - logBetaHalfB);
    const bx = b * x;
    let iEven = bx < Number.EPSILON ? bx : 1 - oneMinusXPowB; // I_x(1, b) = 1 − (1 − x)^b
    let gEven = bx * oneMinusXPowB;
    series = pw * iOdd + qw * iEven;
    for (let j = 1; j <= NCT_MAX_TERMS; j++) {
      a += 1;
      iOdd -= gOdd;
      iEven -= gEven;
      gOdd *= (x * (a + b - 1)) / a;
      gEven *= (x * (a + b - 0.5)) / (a + 0.5);
      pw *= lambda / (2 * j);
      qw *= lambda / (2 * j + 1);
      series += pw * iOdd + qw * iEven;
      remaining -= pw;
      if (remaining < -1e-10) break; // rounding has used up the weights: stop as R does
      if (remaining <= 0 && j > 1) break;
      if (Math.abs(2 * remaining * (iOdd - gOdd)) < NCT_ERRMAX) break;
    }
  }
  const lower = Math.min(1, series + normalCdf(-delta));
  return reflect ? 1 - lower : lower;
}

/**
 * The noncentrality λ with P(T <= t | df, λ) = p (the CDF decreases in λ), as MBESS::conf.limits.nct finds it.
 * The root is bracketed by steps doubling away from λ = t, then refined by the Illinois variant of regula falsi
 * (superlinear, the bracket always kept) with a bisection step whenever the bracket fails to halve, until the
 * bracket is a few ulps wide. About 10–15 CDF evaluations per limit.
 */
function noncentralityFor(t: number, df: number, p: number, algorithm: NctAlgorithm): number {
  const cdf = algorithm === 'accurate' ? nctCdf : nctCdfAsR;
  const f = (ncp: number): number => cdf(t, df, ncp) - p;
  // a: f(a) >= 0 (smaller λ); b: f(b) <= 0 (larger λ)
  let a = t;
  let fa = f(a);
  let b = t;
  let fb = fa;
  for (let step = 1; fa < 0; step *= 2) {
    b = a;
    fb = fa;
    a = t - step;
    fa = f(a);
  }
  for (let step = 1; fb > 0; step *= 2) {
    a = b;
    fa = fb;
    b = t + step;
    fb = f(b);
  }
  let retained = 0; // 1: a was kept by the last step, −1: b was kept
  let checkWidth = b - a;
  for (let it = 0; it < 200; it++) {
    if (fa === 0) return a;
    if (fb === 0) return b;
    if (b - a <= 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b)) || b - a < 1e-300) break;
    let c = a + (fa * (b - a)) / (fa - fb);
    if (!(c > a && c < b)) c = a + (b - a) / 2;
    if (it % 4 === 3) {
      // every 4 steps the bracket must have halved, else bisect: bounds the worst case at 4× bisection
      if (b - a > 0.5 * checkWidth) c = a + (b - a) / 2;
      checkWidth = b - a;
    }
    const fc = f(c);
    if (fc >= 0) {
      a = c;
      fa = fc;
      if (retained === -1) fb /= 2;
      retained = -1;
    } else {
      b = c;
      fb = fc;
      if (retained === 1) fa /= 2;
      retained = 1;
    }
  }
  return a + (b - a) / 2;
}

// ---------------------------------------------------------------------------------------------------------
// d and g

interface SmdSettings {
  readonly confLevel: number;
  readonly ciMethod: SmdCiMethod;
  readonly nct: NctAlgorithm;
}

/** The options with their defaults; throws for a confidence level outside (0, 1). */
function smdSettings(options: SmdOptions): SmdSettings {
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new RangeError(`confLevel must be between 0 and 1 (e.g. 0.95); got ${confLevel}.`);
  }
  return { confLevel, ciMethod: options.ciMethod ?? 'noncentral-t', nct: options.nct ?? 'r-compatible' };
}

interface Pooled {
  d: number;
  sp: number;
  n1: number;
  n2: number;
  df: number;
}

function pooledD(a: SummaryInput, b: SummaryInput): Pooled | NotComputable {
  for (const [s, label] of [
    [a, 'Group 1'],
    [b, 'Group 2'],
  ] as const) {
    if (!Number.isInteger(s.n) || s.n < 2) {
      return notComputable(
        `${label}: n = ${s.n}; a standardised mean difference needs at least 2 values per group.`,
      );
    }
    if (!Number.isFinite(s.mean)) return notComputable(`${label}: mean = ${s.mean} is not a finite number.`);
    if (!(Number.isFinite(s.sd) && s.sd >= 0)) {
      return notComputable(`${label}: SD = ${s.sd}; a standard deviation must be a finite number >= 0.`);
    }
  }
  const df = a.n + b.n - 2;
  const sp = Math.sqrt(((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd) / df);
  if (sp === 0) {
    return notComputable('Both groups have zero variance, so the pooled SD is 0 and d is undefined.');
  }
  return { d: (a.mean - b.mean) / sp, sp, n1: a.n, n2: b.n, df };
}

/** Interval for d (before any J scaling) by the chosen method; `est` is the estimate the normal CI centres on. */
function smdInterval(
  p: Pooled,
  est: number,
  confLevel: number,
  method: SmdCiMethod,
  algorithm: NctAlgorithm,
  scale: number,
): Interval {
  const alpha = 1 - confLevel;
  const invN = 1 / p.n1 + 1 / p.n2;
  if (method === 'normal') {
    const z = normalQuantile(1 - alpha / 2);
    const se = Math.sqrt(invN + (est * est) / (2 * (p.n1 + p.n2)));
    return { lower: est - z * se, upper: est + z * se, level: confLevel };
  }
  const root = Math.sqrt(invN);
  const t = p.d / root;
  const lower = noncentralityFor(t, p.df, 1 - alpha / 2, algorithm) * root * scale;
  const upper = noncentralityFor(t, p.df, alpha / 2, algorithm) * root * scale;
  return { lower, upper, level: confLevel };
}

/**
 * The result for an estimate `scale` · d (d itself, or g = J · d) described by `label`: its interval by the chosen
 * method (the noncentral-t interval for d times `scale`) and the pooled-SD details.
 */
function smdResult(
  p: Pooled,
  s: SmdSettings,
  name: StandardizedMeanDifference['name'],
  label: string,
  estimate: number,
  scale: number,
): StandardizedMeanDifference {
  return {
    name,
    method: `${label}, ${s.ciMethod === 'normal' ? 'Hedges–Olkin normal-approximation' : 'noncentral t'} CI`,
    estimate,
    ci: smdInterval(p, estimate, s.confLevel, s.ciMethod, s.nct, scale),
    ciMethod: s.ciMethod,
    ...(s.ciMethod === 'noncentral-t' ? { nct: s.nct } : {}),
    standardizer: p.sp,
    df: p.df,
    n: p.n1 + p.n2,
    groupN: [p.n1, p.n2],
  };
}

/**
 * Cohen's d = (mean1 − mean2) / pooled SD from summary statistics, with a confidence interval by inverting the
 * noncentral t (default; as MBESS::ci.smd and effectsize::cohens_d) or by the Hedges–Olkin normal approximation.
 *
 * @example cohensDFromSummary({ n: 158, mean: 1.0866, sd: 0.53186 }, { n: 59, mean: 0.899, sd: 0.54317 })
 */
export function cohensDFromSummary(
  x: SummaryInput,
  y: SummaryInput,
  options: SmdOptions = {},
): StandardizedMeanDifference | NotComputable {
  const s = smdSettings(options);
  const p = pooledD(x, y);
  if ('kind' in p) return p;
  return smdResult(p, s, "Cohen's d", "Cohen's d (pooled SD)", p.d, 1);
}

/**
 * Hedges' g = J(df) · d from summary statistics, J exact (gamma functions) or approximate (1 − 3/(4df − 1)).
 * Noncentral-t CI: the CI for d times J (as effectsize::hedges_g); normal CI: g ± z·√(1/n1 + 1/n2 + g²/(2N)).
 */
export function hedgesGFromSummary(
  x: SummaryInput,
  y: SummaryInput,
  options: HedgesGOptions = {},
): StandardizedMeanDifference | NotComputable {
  const s = smdSettings(options);
  const correction = options.correction ?? 'exact';
  const p = pooledD(x, y);
  if ('kind' in p) return p;
  const j = hedgesCorrection(p.df, correction);
  return {
    ...smdResult(
      p,
      s,
      "Hedges' g",
      `Hedges' g (pooled SD, ${correction} small-sample correction)`,
      j * p.d,
      j,
    ),
    correction: { method: correction, factor: j },
  };
}

function summaries(x: ArrayLike<number>, y: ArrayLike<number>): [SummaryInput, SummaryInput] | NotComputable {
  const a = summarizeSample(x);
  if ('kind' in a) return notComputable(`Group 1: ${a.reason}`);
  const b = summarizeSample(y);
  if ('kind' in b) return notComputable(`Group 2: ${b.reason}`);
  return [a, b];
}

/** Cohen's d of x versus y from raw data (NaN missing); see {@link cohensDFromSummary}. */
export function cohensD(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: SmdOptions = {},
): StandardizedMeanDifference | NotComputable {
  const s = summaries(x, y);
  return 'kind' in s ? s : cohensDFromSummary(s[0], s[1], options);
}

/** Hedges' g of x versus y from raw data (NaN missing); see {@link hedgesGFromSummary}. */
export function hedgesG(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: HedgesGOptions = {},
): StandardizedMeanDifference | NotComputable {
  const s = summaries(x, y);
  return 'kind' in s ? s : hedgesGFromSummary(s[0], s[1], options);
}
