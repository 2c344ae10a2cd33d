/**
 * Binary logistic regression by iteratively reweighted least squares (R `glm(family = binomial)`, `summary`,
 * `confint.default`, MASS `confint` (profile likelihood); SPSS LOGISTIC REGRESSION), with the model tests and
 * diagnostics a results section reports: −2LL, the likelihood-ratio χ², Cox & Snell and Nagelkerke R², the
 * Hosmer–Lemeshow test and the classification table.
 *
 * Data problems come back as a {@link LogisticProblem} (a `NotComputable` with a `problem` code and the column it
 * concerns) — never NaN, never a silently dropped case or column: an outcome that is not 0/1, an outcome without
 * both values, an empty category, a singular design (naming the aliased column), and complete or quasi-complete
 * separation (naming the predictor). Too few events per variable is a warning on a computed result.
 */

import { at, atF64, atNum } from './at.js';
import { quantiles } from './descriptives.js';
import { chi2Sf, normalQuantileUpper, normalTwoSided } from './distributions.js';
import {
  aliasedReason,
  type Coefficient,
  completeCases,
  designMatrix,
  gather,
  householderQR,
  type QR,
  qrSolve,
  qrUnscaledCovariance,
  qtMultiply,
  type RegressorColumn,
} from './regression.js';
import { type Interval, isNotComputable, type NotComputable, notComputable } from './result.js';

interface LogisticOptions {
  /** Confidence level of the Wald and profile intervals; default 0.95. */
  readonly level?: number;
  /** Also compute profile-likelihood intervals (as MASS/stats `confint` on a glm); default false. */
  readonly profileCi?: boolean;
  /**
   * Convergence: |dev − dev_old| / (|dev| + 0.1) < epsilon, glm's criterion; default 1e-10 (glm: 1e-8). After it
   * is met one more IRLS step is taken and the covariance is computed at the final fit, so coefficients and SEs
   * are those of the maximum to full precision.
   */
  readonly epsilon?: number;
  /** Maximum IRLS iterations; default 25 (as glm). */
  readonly maxIterations?: number;
  /** Hosmer–Lemeshow groups; default 10. */
  readonly hosmerLemeshowGroups?: number;
  /** Events per variable below which a warning is given; default 10. */
  readonly minEventsPerVariable?: number;
}

type LogisticProblemCode =
  | 'outcome_not_binary'
  | 'outcome_constant'
  | 'too_few_cases'
  | 'empty_category'
  | 'singular_design'
  | 'separation'
  | 'not_converged';

export interface LogisticProblem extends NotComputable {
  readonly problem: LogisticProblemCode;
  /** The column concerned (predictor, level column or outcome), when one is. */
  readonly column?: string;
}

function problem(code: LogisticProblemCode, reason: string, column?: string): LogisticProblem {
  return { ...notComputable(reason), problem: code, ...(column === undefined ? {} : { column }) };
}

interface LogisticCoefficient extends Coefficient {
  readonly statisticName: 'z';
  /** Wald χ² = z² (1 df), as SPSS prints it. */
  readonly waldChiSquare: number;
  /** exp(B). */
  readonly oddsRatio: number;
  /** Wald interval of the odds ratio: exp(B ± z·SE) (R `exp(confint.default(fit))`). */
  readonly oddsRatioCi: Interval;
  /**
   * Profile-likelihood interval of B (only with `profileCi`): the B where the signed root of the deviance
   * difference equals ±z (the exact root; MASS interpolates a profile spline, so its figures agree to ~4–6 digits).
   * A side is null when the profile does not reach the bound (the likelihood is flat on that side).
   */
  readonly profileCi?: {
    readonly lower: number | null;
    readonly upper: number | null;
    readonly level: number;
  };
}

interface HosmerLemeshow {
  readonly method: string;
  readonly statisticName: 'χ²';
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  /** Per group: upper bound of fitted probabilities, n, observed and expected events. */
  readonly groups: readonly {
    readonly upper: number;
    readonly n: number;
    readonly observed: number;
    readonly expected: number;
  }[];
}

interface ClassificationTable {
  /** Predicted event when the fitted probability is >= the cut value. */
  readonly cut: number;
  /** [observed 0, observed 1] × [predicted 0, predicted 1]. */
  readonly counts: readonly [readonly [number, number], readonly [number, number]];
  /** % of observed non-events predicted as non-events (specificity). */
  readonly percentCorrect0: number;
  /** % of observed events predicted as events (sensitivity). */
  readonly percentCorrect1: number;
  readonly percentCorrectOverall: number;
}

interface LogisticWarning {
  readonly kind: 'low_events_per_variable';
  readonly eventsPerVariable: number;
  readonly message: string;
}

export interface LogisticRegressionResult {
  readonly method: 'Binary logistic regression (maximum likelihood, IRLS)';
  readonly n: number;
  readonly nExcluded: number;
  /** Cases with outcome 1. */
  readonly events: number;
  readonly coefficients: readonly LogisticCoefficient[];
  /** −2 log-likelihood of the intercept-only model (null deviance). */
  readonly nullDeviance: number;
  /** −2 log-likelihood of the fitted model (residual deviance). */
  readonly deviance: number;
  /** Likelihood-ratio (model) χ² = null − model deviance, df = number of predictor columns. */
  readonly modelTest: {
    readonly statisticName: 'χ²';
    readonly statistic: number;
    readonly df: number;
    readonly pValue: number;
  };
  readonly coxSnellR2: number;
  readonly nagelkerkeR2: number;
  readonly aic: number;
  readonly iterations: number;
  readonly hosmerLemeshow: HosmerLemeshow | NotComputable;
  readonly classification: ClassificationTable;
  /** min(events, non-events) / number of predictor columns. */
  readonly eventsPerVariable: number;
  readonly warnings: readonly LogisticWarning[];
  readonly covariance: readonly (readonly number[])[];
  readonly fitted: Float64Array;
}

// ---------------------------------------------------------------------------------------------------------------------
// IRLS

const EPS = 2.220446049250313e-16;
const ETA_MAX = 30; // R's binomial linkinv clamps at -qlogis(eps) ~ 36; fitted values beyond are 0/1 numerically

function invLogit(eta: number): number {
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}
/** log(1 + exp(x)) without overflow. */
function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Binomial deviance of 0/1 outcomes at linear predictor eta: −2 Σ [y log μ + (1 − y) log(1 − μ)]. */
function deviance(y: Float64Array, eta: Float64Array): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) d += y[i] === 1 ? log1pExp(-atF64(eta, i)) : log1pExp(atF64(eta, i));
  return 2 * d;
}

interface IrlsFit {
  readonly b: Float64Array;
  readonly eta: Float64Array;
  readonly mu: Float64Array;
  readonly deviance: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly qr: QR | null;
}

function linearPredictor(
  x: readonly Float64Array[],
  b: ArrayLike<number>,
  offset: Float64Array | null,
): Float64Array {
  const n = at(x, 0).length;
  const eta = offset ? Float64Array.from(offset) : new Float64Array(n);
  for (let j = 0; j < x.length; j++) {
    const c = at(x, j);
    const bj = at(b, j);
    for (let i = 0; i < n; i++) eta[i] = atF64(eta, i) + bj * atF64(c, i);
  }
  return eta;
}

/** One weighted least-squares step at linear predictor eta; null if the weighted design is singular. */
function irlsStep(
  x: readonly Float64Array[],
  y: Float64Array,
  eta: Float64Array,
  offset: Float64Array | null,
): { b: Float64Array; qr: QR } | null {
  const n = y.length;
  const sw = new Float64Array(n);
  const wz = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = invLogit(atF64(eta, i));
    const d = Math.max(mu * (1 - mu), EPS); // dμ/dη for the logit link (R: pmax(., .Machine$double.eps))
    const z = atF64(eta, i) - (offset ? atF64(offset, i) : 0) + (atF64(y, i) - mu) / d;
    sw[i] = Math.sqrt(d);
    wz[i] = z * atF64(sw, i);
  }
  const qr = householderQR(x, sw);
  if ('aliased' in qr) return null;
  return { b: qrSolve(qr, qtMultiply(qr, wz)), qr };
}

function irls(
  x: readonly Float64Array[],
  y: Float64Array,
  offset: Float64Array | null,
  start: Float64Array | null,
  epsilon: number,
  maxIterations: number,
): IrlsFit {
  let eta: Float64Array;
  let b: Float64Array;
  if (start) {
    b = Float64Array.from(start);
    eta = linearPredictor(x, b, offset);
  } else {
    // glm's start: mu = (y + 0.5) / 2
    b = new Float64Array(x.length);
    eta = Float64Array.from(y, (v) => Math.log((v + 0.5) / (1.5 - v)));
  }
  let dev = start ? deviance(y, eta) : Number.POSITIVE_INFINITY;
  let iterations = 0;
  let converged = false;
  let qr: QR | null = null;
  let extra = false;
  while (iterations < maxIterations) {
    iterations++;
    const step = irlsStep(x, y, eta, offset);
    if (step === null) break;
    qr = step.qr;
    let bNew = step.b;
    let etaNew = linearPredictor(x, bNew, offset);
    let devNew = deviance(y, etaNew);
    // step-halving when the deviance is not finite or increases (glm halves only on a non-finite deviance)
    for (let h = 0; h < 30 && Number.isFinite(dev) && !(devNew <= dev * (1 + 1e-12) + 1e-12); h++) {
      bNew = Float64Array.from(bNew, (v, j) => (v + atF64(b, j)) / 2);
      etaNew = linearPredictor(x, bNew, offset);
      devNew = deviance(y, etaNew);
    }
    const change = Math.abs(devNew - dev) / (Math.abs(devNew) + 0.1);
    b = bNew;
    eta = etaNew;
    dev = devNew;
    if (extra) {
      converged = true;
      break;
    }
    if (change < epsilon) extra = true; // one more step: quadratic convergence then gives the maximum to rounding
  }
  if (converged) {
    const last = irlsStep(x, y, eta, offset); // the covariance at the final fit
    if (last) qr = last.qr;
  }
  return {
    b,
    eta,
    mu: Float64Array.from(eta, invLogit),
    deviance: dev,
    iterations,
    converged,
    qr,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Checks before fitting

/** Univariate separation: the values of `col` among events and non-events do not overlap (or touch). */
function separatedBy(col: Float64Array, y: Float64Array): 'complete' | 'quasi-complete' | null {
  let min0 = Number.POSITIVE_INFINITY;
  let max0 = Number.NEGATIVE_INFINITY;
  let min1 = Number.POSITIVE_INFINITY;
  let max1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < y.length; i++) {
    const v = atF64(col, i);
    if (y[i] === 1) {
      min1 = Math.min(min1, v);
      max1 = Math.max(max1, v);
    } else {
      min0 = Math.min(min0, v);
      max0 = Math.max(max0, v);
    }
  }
  if (max0 < min1 || max1 < min0) return 'complete';
  if (max0 === min1 || max1 === min0) return 'quasi-complete';
  return null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Hosmer–Lemeshow and classification

/**
 * Hosmer–Lemeshow goodness of fit as `ResourceSelection::hoslem.test(y, fitted, g)`: groups cut at the type-7
 * quantiles of the fitted probabilities at 0, 1/g, …, 1 (duplicate cut points merged; intervals closed on the right,
 * the first also on the left — R `cut(include.lowest = TRUE)`); χ² = Σ (O − E)²/E over events and non-events;
 * df = number of groups − 2 (hoslem.test uses g − 2 even when tied cut points leave fewer groups).
 */
export function hosmerLemeshow(
  y: ArrayLike<number>,
  fitted: ArrayLike<number>,
  g = 10,
): HosmerLemeshow | NotComputable {
  const n = y.length;
  // seq(0, 1, 1/g) is computed as j * (1/g); type-7 quantiles as R's quantile.default.
  const cuts = quantiles(
    fitted,
    Array.from({ length: g + 1 }, (_, j) => j * (1 / g)),
    'r',
  );
  if (isNotComputable(cuts)) return cuts;
  const breaks: number[] = [];
  for (const q of cuts) if (breaks.length === 0 || q !== breaks[breaks.length - 1]) breaks.push(q);
  const k = breaks.length - 1;
  if (k < 3) {
    return notComputable(
      `Hosmer–Lemeshow test needs at least 3 groups of distinct fitted probabilities; the fitted values give ${Math.max(k, 1)}.`,
    );
  }
  const groups = Array.from({ length: k }, (_, j) => ({
    upper: atNum(breaks, j + 1),
    n: 0,
    observed: 0,
    expected: 0,
  }));
  for (let i = 0; i < n; i++) {
    const f = at(fitted, i);
    let j = 0;
    while (j < k - 1 && f > atNum(breaks, j + 1)) j++;
    const grp = at(groups, j);
    grp.n++;
    grp.observed += at(y, i);
    grp.expected += f;
  }
  // Tied fitted values can leave a quantile group empty (type-7 quantiles fall between the ties), where
  // ResourceSelection::hoslem.test divides 0 by 0 and prints NaN; nabz names the reason instead.
  const empty = groups.filter((grp) => grp.n === 0).length;
  if (empty > 0)
    return notComputable(
      `Hosmer–Lemeshow test: ${empty} of the ${k} groups by quantiles of the fitted probability hold no respondent (many tied fitted probabilities, as with few distinct predictor values); R's hoslem.test gives NaN here.`,
    );
  let chi = 0;
  for (const grp of groups) {
    const o0 = grp.n - grp.observed;
    const e0 = grp.n - grp.expected;
    chi += (grp.observed - grp.expected) ** 2 / grp.expected + (o0 - e0) ** 2 / e0;
  }
  const df = k - 2;
  return {
    method: `Hosmer–Lemeshow test (${k} groups by quantiles of the fitted probability, as ResourceSelection::hoslem.test)`,
    statisticName: 'χ²',
    statistic: chi,
    df,
    pValue: chi2Sf(chi, df),
    groups,
  };
}

function classify(y: Float64Array, mu: Float64Array, cut: number): ClassificationTable {
  const c: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < y.length; i++) {
    const row = y[i] === 1 ? c[1] : c[0];
    row[(mu[i] ?? 0) >= cut ? 1 : 0]++;
  }
  const n0 = c[0][0] + c[0][1];
  const n1 = c[1][0] + c[1][1];
  return {
    cut,
    counts: c,
    percentCorrect0: (100 * c[0][0]) / n0,
    percentCorrect1: (100 * c[1][1]) / n1,
    percentCorrectOverall: (100 * (c[0][0] + c[1][1])) / (n0 + n1),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Profile likelihood

function profileBound(
  x: readonly Float64Array[],
  y: Float64Array,
  j: number,
  fit: IrlsFit,
  se: number,
  zCrit: number,
  side: 1 | -1,
  epsilon: number,
  maxIterations: number,
): number | null {
  const others = x.filter((_, k) => k !== j);
  const xj = at(x, j);
  const start = Float64Array.from(fit.b.filter((_, k) => k !== j));
  const bHat = atF64(fit.b, j);
  const signedRoot = (t: number): number | null => {
    const offset = Float64Array.from(xj, (v) => v * t);
    const pf = irls(others, y, offset, start, epsilon, 4 * maxIterations);
    if (!pf.converged) return null;
    return Math.sign(t - bHat) * Math.sqrt(Math.max(0, pf.deviance - fit.deviance));
  };
  const target = side * zCrit;
  let t0 = bHat + side * zCrit * se;
  let z0 = signedRoot(t0);
  if (z0 === null) return null;
  let t1 = t0 + (target - z0) * se;
  for (let it = 0; it < 60; it++) {
    const z1 = signedRoot(t1);
    if (z1 === null) return null;
    // converged: the step is at rounding level, or z already equals the target to rounding
    if (Math.abs(t1 - t0) <= 1e-14 * Math.max(1, Math.abs(t1)) || Math.abs(z1 - target) <= 1e-13 * zCrit)
      return t1;
    const slope = (z1 - z0) / (t1 - t0);
    if (!(Math.abs(slope) > 1e-8 / se)) return null; // the profile is flat: the bound is not reached // the profile is flat: the bound is not reached
    t0 = t1;
    z0 = z1;
    t1 = t1 + (target - z1) / slope;
  }
  return t1;
}

// ---------------------------------------------------------------------------------------------------------------------
// The model

/**
 * Binary logistic regression of a 0/1 outcome on the predictor columns (with an intercept). Complete cases, as in
 * {@link linearRegression}. Matches R `glm(y ~ ..., family = binomial)`: coefficients, SEs, Wald z and p from
 * `summary`, odds-ratio intervals from `exp(confint.default(fit))`, profile intervals from `confint(fit)`.
 */
export function logisticRegression(
  y: ArrayLike<number>,
  predictors: readonly RegressorColumn[],
  options: LogisticOptions = {},
): LogisticRegressionResult | LogisticProblem {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new RangeError(`logisticRegression: level must be in (0, 1), got ${level}.`);
  const epsilon = options.epsilon ?? 1e-10;
  const maxIterations = options.maxIterations ?? 25;
  const minEpv = options.minEventsPerVariable ?? 10;
  const { rows, nExcluded } = completeCases(y, predictors, 'logisticRegression');
  const n = rows.length;
  const p = predictors.length + 1;
  const names = ['(Intercept)', ...predictors.map((c) => c.name)];
  const yy = gather(y, rows);
  for (let i = 0; i < n; i++) {
    if (yy[i] !== 0 && yy[i] !== 1) {
      return problem(
        'outcome_not_binary',
        `The outcome must be coded 0/1; row ${atNum(rows, i) + 1} has ${yy[i]}. Recode it (1 = the event) first.`,
        'outcome',
      );
    }
  }
  let events = 0;
  for (let i = 0; i < n; i++) events += atF64(yy, i);
  if (events === 0 || events === n) {
    return problem(
      'outcome_constant',
      `The outcome is ${events === 0 ? 0 : 1} for all ${n} complete cases: there is nothing to predict.`,
      'outcome',
    );
  }
  if (n <= p) {
    return problem(
      'too_few_cases',
      `Logistic regression with ${p - 1} predictor column${p === 2 ? '' : 's'} needs more than ${p} complete cases; ${n} ${n === 1 ? 'is' : 'are'} complete (${nExcluded} excluded for missing values).`,
    );
  }
  const x = designMatrix(predictors, rows);
  for (let j = 1; j < p; j++) {
    const col = at(predictors, j - 1);
    if (col.term !== undefined && col.term !== col.name && at(x, j).every((v) => v === 0)) {
      return problem(
        'empty_category',
        `${col.name} has no cases among the ${n} complete cases: merge that category with another or leave it out.`,
        col.name,
      );
    }
  }
  const plain = householderQR(x);
  if ('aliased' in plain) {
    const why = aliasedReason('logisticRegression', names, plain.aliased);
    return problem('singular_design', why.reason, names[plain.aliased]);
  }
  for (let j = 1; j < p; j++) {
    const sep = separatedBy(at(x, j), yy);
    if (sep) {
      return problem(
        'separation',
        `${names[j]} separates the outcome ${sep === 'complete' ? 'completely' : 'quasi-completely'} (${sep === 'complete' ? 'no overlap' : 'the groups only touch'} between the values of events and non-events), so its odds ratio is infinite: merge categories, drop ${names[j]}, or use a penalised (Firth) model.`,
        names[j],
      );
    }
  }
  const fit = irls(x, yy, null, null, epsilon, maxIterations);
  const saturated = fit.eta.some((e) => Math.abs(e) > ETA_MAX);
  if (!fit.converged || saturated || fit.qr === null) {
    // name the coefficient that runs away: the largest |B|·SD(x)
    let worst = 1;
    let size = -1;
    for (let j = 1; j < p; j++) {
      let m = 0;
      for (const v of at(x, j)) m += v;
      m /= n;
      let ss = 0;
      for (const v of at(x, j)) ss += (v - m) ** 2;
      const s = Math.abs(atF64(fit.b, j)) * Math.sqrt(ss / n);
      if (s > size) {
        size = s;
        worst = j;
      }
    }
    if (saturated || !fit.converged) {
      return problem(
        'separation',
        `The predictors separate the outcome (complete or quasi-complete separation: fitted probabilities of 0 or 1${fit.converged ? '' : `, no convergence in ${fit.iterations} iterations`}); the coefficient of ${names[worst]} grows without bound. Merge categories, drop a predictor, or use a penalised (Firth) model.`,
        names[worst],
      );
    }
    return problem('not_converged', 'The weighted design became singular during fitting.');
  }
  const covariance = qrUnscaledCovariance(fit.qr);
  const zCrit = normalQuantileUpper((1 - level) / 2);
  const coefficients: LogisticCoefficient[] = names.map((name, j) => {
    const b = atF64(fit.b, j);
    const se = Math.sqrt(atNum(at(covariance, j), j));
    const z = b / se;
    const ci = { lower: b - zCrit * se, upper: b + zCrit * se, level };
    const coef: LogisticCoefficient = {
      name,
      term: j === 0 ? name : (at(predictors, j - 1).term ?? name),
      estimate: b,
      se,
      statisticName: 'z',
      statistic: z,
      pValue: normalTwoSided(z),
      ci,
      waldChiSquare: z * z,
      oddsRatio: Math.exp(b),
      oddsRatioCi: { lower: Math.exp(ci.lower), upper: Math.exp(ci.upper), level },
    };
    if (!options.profileCi) return coef;
    return {
      ...coef,
      profileCi: {
        lower: profileBound(x, yy, j, fit, se, zCrit, -1, epsilon, maxIterations),
        upper: profileBound(x, yy, j, fit, se, zCrit, 1, epsilon, maxIterations),
        level,
      },
    };
  });
  const pBar = events / n;
  const nullDeviance = -2 * (events * Math.log(pBar) + (n - events) * Math.log1p(-pBar));
  const lr = nullDeviance - fit.deviance;
  const coxSnellR2 = -Math.expm1(-lr / n);
  const maxR2 = -Math.expm1(-nullDeviance / n);
  const epv = Math.min(events, n - events) / (p - 1);
  const warnings: LogisticWarning[] = [];
  if (epv < minEpv) {
    warnings.push({
      kind: 'low_events_per_variable',
      eventsPerVariable: epv,
      message: `Only ${epv.toFixed(1)} ${events <= n - events ? 'events' : 'non-events'} per predictor column (${Math.min(events, n - events)} for ${p - 1}); below ${minEpv} the coefficients are biased away from 0 and their intervals too narrow — use fewer predictors.`,
    });
  }
  return {
    method: 'Binary logistic regression (maximum likelihood, IRLS)',
    n,
    nExcluded,
    events,
    coefficients,
    nullDeviance,
    deviance: fit.deviance,
    modelTest: { statisticName: 'χ²', statistic: lr, df: p - 1, pValue: chi2Sf(lr, p - 1) },
    coxSnellR2,
    nagelkerkeR2: coxSnellR2 / maxR2,
    aic: fit.deviance + 2 * p,
    iterations: fit.iterations,
    hosmerLemeshow: hosmerLemeshow(yy, fit.mu, options.hosmerLemeshowGroups ?? 10),
    classification: classify(yy, fit.mu, 0.5),
    eventsPerVariable: epv,
    warnings,
    covariance,
    fitted: fit.mu,
  };
}
