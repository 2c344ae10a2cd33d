/**
 * Sample size: for estimating a proportion to a margin of error (Cochran 1977, with optional finite
 * population correction), and per group for a t test at a given power (R `power.t.test`).
 */
import { nctCdf, nctSf, normalQuantile, normalQuantileUpper, tQuantileUpper } from './distributions.js';
import { type NotComputable, notComputable } from './result.js';

// ---------------------------------------------------------------------------------------------
// Proportion
// ---------------------------------------------------------------------------------------------

interface ProportionSampleSizeInput {
  /** Anticipated proportion, e.g. 0.425 (use 0.5 when unknown: the largest n). */
  readonly p: number;
  /** Margin of error (half-width of the interval), e.g. 0.07 for ±7 percentage points. */
  readonly marginOfError: number;
  /** Confidence level, default 0.95. */
  readonly level?: number;
  /** Population size N for the finite population correction; omit for an infinite population. */
  readonly populationSize?: number;
}

interface ProportionSampleSizeResult {
  readonly method: string;
  /** Required sample size, rounded up. */
  readonly n: number;
  /** The size before rounding up (after the finite population correction, if any). */
  readonly nUnrounded: number;
  /** n0 = z² p (1 - p) / d², before any finite population correction. */
  readonly n0: number;
  /** The normal quantile used, Φ⁻¹((1 + level) / 2). */
  readonly z: number;
  readonly p: number;
  readonly marginOfError: number;
  readonly level: number;
  readonly populationSize: number | null;
}

/**
 * Sample size to estimate a proportion p within ±d at confidence `level`:
 * n0 = z² p (1 - p) / d² with z = Φ⁻¹((1 + level)/2); with a population of N, the finite population
 * correction n = n0 / (1 + (n0 - 1)/N) is applied to the unrounded n0; the result is rounded up.
 * Example: p = 0.425, d = 0.07, 95% gives n0 = 191.58 and n = 192.
 */
export function sampleSizeProportion(
  input: ProportionSampleSizeInput,
): ProportionSampleSizeResult | NotComputable {
  const { p, marginOfError: d } = input;
  const level = input.level ?? 0.95;
  const population = input.populationSize;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`sampleSizeProportion: p = ${p} must be in [0, 1].`);
  if (!(d > 0 && d < 1)) {
    throw new RangeError(`sampleSizeProportion: marginOfError = ${d} must be in (0, 1), e.g. 0.05.`);
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`sampleSizeProportion: level = ${level} must be in (0, 1), e.g. 0.95.`);
  }
  if (population !== undefined && !(Number.isInteger(population) && population >= 1)) {
    throw new RangeError(`sampleSizeProportion: populationSize = ${population} must be a whole number >= 1.`);
  }
  if (p === 0 || p === 1) {
    return notComputable(
      `An anticipated proportion of ${p} has no sampling variance; use a plausible value, or 0.5 for the most conservative size.`,
    );
  }
  const z = normalQuantile((1 + level) / 2);
  const n0 = (z * z * p * (1 - p)) / (d * d);
  const nUnrounded = population === undefined ? n0 : n0 / (1 + (n0 - 1) / population);
  return {
    method:
      population === undefined
        ? 'Sample size for a proportion (normal approximation)'
        : 'Sample size for a proportion (normal approximation, finite population correction)',
    n: Math.ceil(nUnrounded),
    nUnrounded,
    n0,
    z,
    p,
    marginOfError: d,
    level,
    populationSize: population ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// t test power (R power.t.test)
// ---------------------------------------------------------------------------------------------

export type TTestDesign = 'two.sample' | 'one.sample' | 'paired';

interface TTestPowerInput {
  /** True difference in means (for 'paired': mean of the differences). */
  readonly delta: number;
  /** Standard deviation (for 'paired': SD of the differences); default 1. */
  readonly sd?: number;
  /** Significance level, default 0.05. */
  readonly sigLevel?: number;
  /** Default 'two.sample' (n is then the size of *each* group). */
  readonly type?: TTestDesign;
  /** Default 'two.sided'. */
  readonly alternative?: 'two.sided' | 'one.sided';
  /** Count rejections in the opposite tail too (R `strict = TRUE`); default false. */
  readonly strict?: boolean;
}

interface TTestSampleSizeResult {
  readonly method: string;
  /** Required n (per group for 'two.sample', pairs for 'paired'), rounded up. */
  readonly n: number;
  /** The solution of power(n) = target before rounding up (R `power.t.test(...)$n`). */
  readonly nUnrounded: number;
  /** Power achieved at the rounded-up n. */
  readonly achievedPower: number;
  readonly power: number;
  readonly delta: number;
  readonly sd: number;
  readonly sigLevel: number;
  readonly type: TTestDesign;
  readonly alternative: 'two.sided' | 'one.sided';
  readonly strict: boolean;
  readonly note: string;
}

interface PowerSettings {
  delta: number;
  sd: number;
  sigLevel: number;
  tsample: 1 | 2;
  tside: 1 | 2;
  strict: boolean;
}

function settings(input: TTestPowerInput): PowerSettings {
  const sd = input.sd ?? 1;
  const sigLevel = input.sigLevel ?? 0.05;
  const type = input.type ?? 'two.sample';
  const alternative = input.alternative ?? 'two.sided';
  if (!(sd > 0) || !Number.isFinite(sd)) throw new RangeError(`t-test power: sd = ${sd} must be > 0.`);
  if (!(sigLevel > 0 && sigLevel < 1)) {
    throw new RangeError(`t-test power: sigLevel = ${sigLevel} must be in (0, 1), e.g. 0.05.`);
  }
  if (!Number.isFinite(input.delta))
    throw new RangeError(`t-test power: delta = ${input.delta} must be finite.`);
  const tside = alternative === 'two.sided' ? 2 : 1;
  return {
    // R: for two-sided tests delta is taken as |delta|
    delta: tside === 2 ? Math.abs(input.delta) : input.delta,
    sd,
    sigLevel,
    tsample: type === 'two.sample' ? 2 : 1,
    tside,
    strict: input.strict ?? false,
  };
}

/** Power at sample size n, exactly R's `p.body` of power.t.test. */
function powerAt(n: number, s: PowerSettings): number {
  const nu = Math.max(1e-7, n - 1) * s.tsample;
  const qu = tQuantileUpper(s.sigLevel / s.tside, nu);
  const ncp = (Math.sqrt(n / s.tsample) * s.delta) / s.sd;
  let power = nctSf(qu, nu, ncp);
  if (s.strict && s.tside === 2) power += nctCdf(-qu, nu, ncp);
  return power;
}

/**
 * Power of a one-/two-sample or paired t test with n per group (pairs), as R
 * `power.t.test(n, delta, sd, sig.level, type, alternative, strict)$power`:
 * ν = (n - 1)·(2 for two samples, else 1), δ = √(n / tsample)·delta/sd,
 * power = P(T'(ν, δ) > t_{1-α/sides}(ν)) (+ P(T' < -t) when strict), T' noncentral t.
 */
export function powerTTest(n: number, input: TTestPowerInput): number {
  if (!(n > 1)) throw new RangeError(`powerTTest: n = ${n} must be > 1.`);
  return powerAt(n, settings(input));
}

/** Brent's method (Brent 1973, ch. 4) for a bracketed root of f, to full double precision. */
function brentRoot(f: (x: number) => number, a0: number, b0: number, fa0: number, fb0: number): number {
  let a = a0;
  let b = b0;
  let fa = fa0;
  let fb = fb0;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 200; iter++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b);
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // inverse quadratic interpolation, or the secant when only two points are distinct
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}

/**
 * Sample size (per group for two samples) for a t test to reach `power`, as R
 * `power.t.test(delta, sd, sig.level, power, type, alternative, strict)$n`: the root of
 * power(n) = target, here solved to full precision by Brent's method (R's uniroot stops at
 * tol = 1.2e-4, so its n agrees with ours to about that), then rounded up.
 * NotComputable when delta is 0 or has the wrong sign for a one-sided test.
 */
export function sampleSizeTTest(
  input: TTestPowerInput & { readonly power: number },
): TTestSampleSizeResult | NotComputable {
  const s = settings(input);
  const target = input.power;
  if (!(target > 0 && target < 1)) {
    throw new RangeError(`sampleSizeTTest: power = ${target} must be in (0, 1), e.g. 0.8.`);
  }
  if (!(s.delta > 0)) {
    return notComputable(
      s.delta === 0
        ? 'A difference of 0 cannot be detected at any sample size; give the smallest difference that matters.'
        : 'A one-sided test with a negative difference has power below the significance level at every n; give delta > 0.',
    );
  }
  if (target <= s.sigLevel / s.tside) {
    return notComputable(
      `The target power ${target} is not above the significance level; every sample size reaches it.`,
    );
  }
  const f = (n: number) => powerAt(n, s) - target;
  let lo = 2;
  let flo = f(lo);
  // like R's uniroot(extendInt = "upX"): below n = 2 if the power is already reached there
  for (let i = 0; i < 60 && flo > 0; i++) {
    lo = 1 + (lo - 1) / 2;
    flo = f(lo);
  }
  // upper end: twice the normal-approximation size, doubled until the power is reached (a fixed
  // 1e7 as in R would make the noncentral t series run over ~10^5 terms at δ in the thousands)
  const zSum = normalQuantileUpper(s.sigLevel / s.tside) + normalQuantile(target);
  const nNormal = s.tsample * ((zSum * s.sd) / s.delta) ** 2;
  let hi = Math.max(4, 2 * nNormal + 4);
  let fhi = f(hi);
  for (let i = 0; i < 60 && fhi < 0; i++) {
    lo = hi;
    flo = fhi;
    hi *= 2;
    fhi = f(hi);
  }
  if (flo > 0 || fhi < 0) {
    return notComputable('No finite sample size gives the requested power.');
  }
  const nUnrounded = brentRoot(f, lo, hi, flo, fhi);
  const n = Math.ceil(nUnrounded);
  const type = input.type ?? 'two.sample';
  return {
    method: `${type === 'two.sample' ? 'Two-sample' : type === 'paired' ? 'Paired' : 'One-sample'} t test power calculation`,
    n,
    nUnrounded,
    achievedPower: powerAt(n, s),
    power: target,
    delta: s.delta,
    sd: s.sd,
    sigLevel: s.sigLevel,
    type,
    alternative: s.tside === 2 ? 'two.sided' : 'one.sided',
    strict: s.strict,
    note:
      type === 'two.sample'
        ? 'n is the number in each group'
        : type === 'paired'
          ? 'n is the number of pairs; sd is the SD of the differences'
          : 'n is the sample size',
  };
}
