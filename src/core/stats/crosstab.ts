/**
 * Contingency tables: cross-tabulation, the chi-square test of independence (Pearson X², Yates' continuity
 * correction, likelihood-ratio G², linear-by-linear association), Cramér's V / phi, and Fisher's exact test for
 * 2×2 tables with the conditional maximum-likelihood odds ratio and its exact confidence interval.
 *
 * References: R `stats::chisq.test`, `stats::fisher.test`; SPSS/PSPP CROSSTABS /STATISTICS=CHISQ PHI.
 * Goldens: test/goldens/r/stats_b2.R, test/goldens/pspp/crosstab.sps.
 */
import { at, atF64, atNum } from './at.js';
import { chi2Sf } from './distributions.js';
import {
  type Alternative,
  isNotComputable,
  type NotComputable,
  notComputable,
  type TestResult,
} from './result.js';

// ---------------------------------------------------------------------------------------------------------------------
// Cross-tabulation

/** A category value. `null`, `undefined`, `NaN` and the empty string are missing. */
type CategoryValue = string | number | null | undefined;

interface CrossTabulation {
  /** counts[i][j] = number of cases with x = rowLevels[i] and y = colLevels[j]. */
  readonly counts: number[][];
  readonly rowLevels: (string | number)[];
  readonly colLevels: (string | number)[];
  /** Cases with both values present (the table total). */
  readonly n: number;
  /** Cases dropped because x or y (or both) was missing. */
  readonly nMissing: number;
}

interface CrossTabulateOptions {
  /**
   * Fixed row levels, in this order. Values of x not listed are treated as missing. Listing a level that never
   * occurs gives an empty row (and the chi-square test then returns NotComputable).
   */
  readonly rowLevels?: readonly (string | number)[];
  /** Fixed column levels, as `rowLevels`. */
  readonly colLevels?: readonly (string | number)[];
}

function isMissingCategory(v: CategoryValue): v is null | undefined {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

function sortedLevels(values: ArrayLike<CategoryValue>, keep: (i: number) => boolean): (string | number)[] {
  const seen = new Set<string | number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (keep(i) && !isMissingCategory(v)) seen.add(v as string | number);
  }
  const levels = [...seen];
  // Numbers ascending, then strings in code-unit order (R's factor() sorts strings by locale; pass levels to fix).
  levels.sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return levels;
}

/**
 * Cross-tabulate two categorical vectors of equal length (complete pairs only, as R `table(x, y)` after
 * `complete.cases` and SPSS CROSSTABS /MISSING=TABLE). Levels are sorted (numbers ascending, then strings)
 * unless given in `options`.
 */
export function crossTabulate(
  x: ArrayLike<CategoryValue>,
  y: ArrayLike<CategoryValue>,
  options: CrossTabulateOptions = {},
): CrossTabulation {
  if (x.length !== y.length) {
    throw new RangeError(
      `crossTabulate: x has ${x.length} values but y has ${y.length}; they must be paired.`,
    );
  }
  const complete = (i: number) => !isMissingCategory(x[i]) && !isMissingCategory(y[i]);
  const rowLevels = options.rowLevels ? [...options.rowLevels] : sortedLevels(x, complete);
  const colLevels = options.colLevels ? [...options.colLevels] : sortedLevels(y, complete);
  const rowIndex = new Map<string | number, number>(rowLevels.map((v, i) => [v, i]));
  const colIndex = new Map<string | number, number>(colLevels.map((v, i) => [v, i]));
  const counts = rowLevels.map(() => new Array<number>(colLevels.length).fill(0));
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (isMissingCategory(xi) || isMissingCategory(yi)) continue;
    const r = rowIndex.get(xi);
    const c = colIndex.get(yi);
    if (r === undefined || c === undefined) continue;
    const row = at(counts, r);
    row[c] = atNum(row, c) + 1;
    n++;
  }
  return { counts, rowLevels, colLevels, n, nMissing: x.length - n };
}

function validateTable(counts: ReadonlyArray<ArrayLike<number>>, who: string): { r: number; c: number } {
  const r = counts.length;
  const c = r > 0 ? at(counts, 0).length : 0;
  for (let i = 0; i < r; i++) {
    const row = at(counts, i);
    if (row.length !== c) {
      throw new RangeError(
        `${who}: row ${i + 1} has ${row.length} cells but row 1 has ${c}; the table must be rectangular.`,
      );
    }
    for (let j = 0; j < c; j++) {
      const v = at(row, j);
      if (!Number.isFinite(v) || v < 0) {
        throw new RangeError(
          `${who}: cell [${i + 1}, ${j + 1}] is ${v}; counts must be finite and non-negative.`,
        );
      }
    }
  }
  return { r, c };
}

// ---------------------------------------------------------------------------------------------------------------------
// Chi-square test of independence

interface ChiSquareStatistic {
  readonly statistic: number;
  readonly df: number;
  /** Upper-tail probability of the chi-square distribution (survival function). */
  readonly pValue: number;
}

interface ChiSquareOptions {
  /**
   * Yates' continuity correction for 2×2 tables (ignored for larger tables).
   * `false` (default): the uncorrected Pearson X², as SPSS's "Pearson Chi-Square" row and R
   * `chisq.test(x, correct = FALSE)`. `true`: as R `chisq.test(x)`'s default for 2×2 tables and SPSS's
   * "Continuity Correction" row. Both are always reported in `pearson` and `continuityCorrected`.
   */
  readonly continuityCorrection?: boolean;
  /**
   * Scores for the linear-by-linear association test (SPSS "Linear-by-Linear Association"): one per row and one per
   * column. Default 1..r and 1..c (SPSS uses the category values; any linear recoding gives the same result).
   */
  readonly rowScores?: readonly number[];
  readonly colScores?: readonly number[];
}

export interface ChiSquareResult extends TestResult {
  readonly statisticName: 'X-squared';
  readonly df: number;
  readonly alternative: 'two.sided';
  /** The choices that determined `statistic` and `pValue` (continuityCorrection: whether it was applied). */
  readonly options: { readonly continuityCorrection: boolean };
  readonly observed: number[][];
  /** Expected counts under independence, rowTotal × colTotal / n. */
  readonly expected: number[][];
  readonly rowTotals: number[];
  readonly colTotals: number[];
  /** Pearson X² without correction (SPSS "Pearson Chi-Square"). */
  readonly pearson: ChiSquareStatistic;
  /** Yates-corrected X² (2×2 only; SPSS "Continuity Correction", R chisq.test default); null for larger tables. */
  readonly continuityCorrected: ChiSquareStatistic | null;
  /** Likelihood-ratio G² = 2 Σ O ln(O/E) (SPSS "Likelihood Ratio"). */
  readonly likelihoodRatio: ChiSquareStatistic;
  /** Linear-by-linear association (N − 1) r², df 1; null when a score vector has no variance. */
  readonly linearByLinear: ChiSquareStatistic | null;
  /** Number of cells with expected count below 5 (SPSS footnote), their percentage, and the minimum expected count. */
  readonly cellsExpectedBelow5: number;
  readonly percentExpectedBelow5: number;
  readonly minExpected: number;
  /** Cramér's V = sqrt(X² / (n (min(r, c) − 1))), from the uncorrected X². */
  readonly cramersV: number;
  /**
   * Phi. For 2×2 tables the signed coefficient (ad − bc) / sqrt(r1 r2 c1 c2) (SPSS prints it signed;
   * PSPP 1.6 prints its absolute value); for larger tables sqrt(X² / n) as SPSS.
   */
  readonly phi: number;
}

/**
 * Chi-square test of independence for an r×c table of counts (counts may be non-integer, e.g. weighted).
 *
 * X² = Σ (O − E)² / E with E = r_i c_j / n, df = (r − 1)(c − 1), p = P(χ²_df > X²).
 * Matches R `chisq.test(x, correct = FALSE)` (and with `continuityCorrection: true`, `chisq.test(x)`), and the
 * SPSS/PSPP CROSSTABS "Chi-Square Tests" and "Symmetric Measures" tables.
 *
 * NotComputable when the table has fewer than 2 rows or columns, no cases, or a row or column whose total is 0
 * (its expected counts would be 0).
 */
export function chiSquareIndependence(
  counts: ReadonlyArray<ArrayLike<number>>,
  options: ChiSquareOptions = {},
): ChiSquareResult | NotComputable {
  const { r, c } = validateTable(counts, 'chiSquareIndependence');
  if (r < 2 || c < 2) {
    return notComputable(
      `The table has ${r} row(s) and ${c} column(s); a chi-square test needs at least 2 of each.`,
    );
  }
  const rowTotals = new Array<number>(r).fill(0);
  const colTotals = new Array<number>(c).fill(0);
  let n = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const v = at(at(counts, i), j);
      rowTotals[i] = atNum(rowTotals, i) + v;
      colTotals[j] = atNum(colTotals, j) + v;
      n += v;
    }
  }
  if (n === 0) return notComputable('The table is empty (all counts are 0).');
  const zeroRow = rowTotals.indexOf(0);
  if (zeroRow >= 0) {
    return notComputable(
      `Row ${zeroRow + 1} has no cases, so its expected counts are 0; drop the empty row (or category) and retry.`,
    );
  }
  const zeroCol = colTotals.indexOf(0);
  if (zeroCol >= 0) {
    return notComputable(
      `Column ${zeroCol + 1} has no cases, so its expected counts are 0; drop the empty column (or category) and retry.`,
    );
  }

  const observed = Array.from({ length: r }, (_, i) =>
    Array.from({ length: c }, (_, j) => at(at(counts, i), j)),
  );
  const expected = rowTotals.map((rt) => colTotals.map((ct) => (rt * ct) / n));
  const is2x2 = r === 2 && c === 2;
  let x2 = 0;
  let yates = 0;
  let g2 = 0;
  let below5 = 0;
  let minExpected = Number.POSITIVE_INFINITY;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const o = atNum(at(observed, i), j);
      const e = atNum(at(expected, i), j);
      const dev = o - e;
      x2 += (dev * dev) / e;
      if (is2x2) {
        const corrected = Math.abs(dev) - Math.min(0.5, Math.abs(dev));
        yates += (corrected * corrected) / e;
      }
      if (o > 0) g2 += o * Math.log(o / e);
      if (e < 5) below5++;
      if (e < minExpected) minExpected = e;
    }
  }
  g2 *= 2;
  const df = (r - 1) * (c - 1);
  const pearson: ChiSquareStatistic = { statistic: x2, df, pValue: chi2Sf(x2, df) };
  const continuityCorrected: ChiSquareStatistic | null = is2x2
    ? { statistic: yates, df, pValue: chi2Sf(yates, df) }
    : null;
  const likelihoodRatio: ChiSquareStatistic = { statistic: g2, df, pValue: chi2Sf(g2, df) };
  const linearByLinear = linearByLinearAssociation(observed, n, options.rowScores, options.colScores);

  // continuityCorrected is non-null exactly when the table is 2×2.
  const useYates = options.continuityCorrection === true && continuityCorrected !== null;
  const chosen = useYates ? continuityCorrected : pearson;
  const phi = is2x2
    ? (atNum(at(observed, 0), 0) * atNum(at(observed, 1), 1) -
        atNum(at(observed, 0), 1) * atNum(at(observed, 1), 0)) /
      Math.sqrt(atNum(rowTotals, 0) * atNum(rowTotals, 1) * atNum(colTotals, 0) * atNum(colTotals, 1))
    : Math.sqrt(x2 / n);
  return {
    method: useYates
      ? "Pearson's chi-squared test with Yates' continuity correction"
      : "Pearson's chi-squared test of independence",
    statisticName: 'X-squared',
    statistic: chosen.statistic,
    df,
    pValue: chosen.pValue,
    alternative: 'two.sided',
    n,
    options: { continuityCorrection: useYates },
    observed,
    expected,
    rowTotals,
    colTotals,
    pearson,
    continuityCorrected,
    likelihoodRatio,
    linearByLinear,
    cellsExpectedBelow5: below5,
    percentExpectedBelow5: (100 * below5) / (r * c),
    minExpected,
    cramersV: Math.sqrt(x2 / (n * (Math.min(r, c) - 1))),
    phi,
  };
}

function linearByLinearAssociation(
  observed: number[][],
  n: number,
  rowScores: readonly number[] | undefined,
  colScores: readonly number[] | undefined,
): ChiSquareStatistic | null {
  const r = observed.length;
  const c = at(observed, 0).length;
  if (rowScores && rowScores.length !== r) {
    throw new RangeError(`chiSquareIndependence: ${rowScores.length} row scores given for ${r} rows.`);
  }
  if (colScores && colScores.length !== c) {
    throw new RangeError(`chiSquareIndependence: ${colScores.length} column scores given for ${c} columns.`);
  }
  const u = rowScores ?? Array.from({ length: r }, (_, i) => i + 1);
  const v = colScores ?? Array.from({ length: c }, (_, j) => j + 1);
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      mu += atNum(at(observed, i), j) * atNum(u, i);
      mv += atNum(at(observed, i), j) * atNum(v, j);
    }
  }
  mu /= n;
  mv /= n;
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const w = atNum(at(observed, i), j);
      const du = atNum(u, i) - mu;
      const dv = atNum(v, j) - mv;
      suv += w * du * dv;
      suu += w * du * du;
      svv += w * dv * dv;
    }
  }
  if (!(suu > 0 && svv > 0) || n <= 1) return null;
  const rr = suv / Math.sqrt(suu * svv);
  const statistic = (n - 1) * rr * rr;
  return { statistic, df: 1, pValue: chi2Sf(statistic, 1) };
}

/**
 * Chi-square test of independence from two categorical vectors: cross-tabulates complete pairs
 * ({@link crossTabulate}) and runs {@link chiSquareIndependence}. The returned table carries its levels and the
 * number of cases dropped as missing.
 */
export function chiSquareIndependenceFromVectors(
  x: ArrayLike<CategoryValue>,
  y: ArrayLike<CategoryValue>,
  options: ChiSquareOptions & CrossTabulateOptions = {},
): (ChiSquareResult & { readonly table: CrossTabulation }) | NotComputable {
  const table = crossTabulate(x, y, options);
  if (table.n === 0) return notComputable('No case has both values present.');
  const result = chiSquareIndependence(table.counts, options);
  if (isNotComputable(result)) return result;
  return { ...result, table };
}

// ---------------------------------------------------------------------------------------------------------------------
// Fisher's exact test (2×2)

interface FisherExactOptions {
  /** Alternative hypothesis about the odds ratio (vs 1). Default 'two.sided'. */
  readonly alternative?: Alternative;
  /** Confidence level of the odds-ratio interval. Default 0.95. */
  readonly confLevel?: number;
  /**
   * How the conditional MLE and the confidence limits are solved for.
   * 'machine' (default): to full double precision (a bracketing root finder on the log odds ratio).
   * 'r-uniroot': exactly as R `fisher.test` does it — `uniroot()` at its default tolerance (.Machine$double.eps^0.25
   * in the odds-ratio scale, so its estimate and limits are accurate to only ~4–6 significant digits); choose this
   * to reproduce R's printed output digit for digit.
   */
  readonly rootTolerance?: 'machine' | 'r-uniroot';
}

export interface FisherExactResult extends TestResult {
  /** The test conditions on all margins; its statistic is the top-left count a. */
  readonly statisticName: 'a';
  readonly options: { readonly confLevel: number; readonly rootTolerance: 'machine' | 'r-uniroot' };
  /** Two-sided p as R: the sum of the probabilities of all tables no more probable than the observed one (×(1 + 1e-7)). */
  readonly pValueTwoSided: number;
  /** P(A ≤ a): evidence for odds ratio < 1. */
  readonly pValueLess: number;
  /** P(A ≥ a): evidence for odds ratio > 1. */
  readonly pValueGreater: number;
  /** The smaller one-sided p (SPSS/PSPP "Exact Sig. (1-sided)"). */
  readonly pValueOneSided: number;
  /** Conditional maximum-likelihood odds ratio (R fisher.test `estimate`); null when it is infinite (a = its maximum). */
  readonly estimate: number | null;
  /**
   * Exact conditional confidence interval for the odds ratio (for one-sided alternatives one limit is 0 or infinite);
   * an `upper` of null means +infinity.
   */
  readonly ci: { readonly lower: number; readonly upper: number | null; readonly level: number };
  /** Sample (unconditional) odds ratio ad / (bc); null when bc = 0 (infinite or undefined). */
  readonly sampleOddsRatio: number | null;
}

/** Central and noncentral hypergeometric distribution of the top-left cell given the margins. */
class Hypergeometric {
  readonly lo: number;
  readonly hi: number;
  /** log of the central probability of lo + i, up to an additive constant. */
  private readonly logw: Float64Array;
  private readonly size: number;

  constructor(m: number, n: number, k: number) {
    this.lo = Math.max(0, k - n);
    this.hi = Math.min(k, m);
    this.size = this.hi - this.lo + 1;
    const logw = new Float64Array(this.size);
    // Start at the mode (log weight 0) and walk outwards with the ratio
    // f(x + 1) / f(x) = (m − x)(k − x) / ((x + 1)(n − k + x + 1)); each step is exact integer products, one division
    // and one log, so the weights near the mode (the ones that matter) carry ~1e-16 relative error, with no
    // cancellation between large lgamma values.
    let mode = Math.floor(((k + 1) * (m + 1)) / (m + n + 2));
    mode = Math.min(this.hi, Math.max(this.lo, mode));
    const ratio = (x: number) => ((m - x) * (k - x)) / ((x + 1) * (n - k + x + 1));
    for (let x = mode + 1; x <= this.hi; x++)
      logw[x - this.lo] = atF64(logw, x - 1 - this.lo) + Math.log(ratio(x - 1));
    for (let x = mode - 1; x >= this.lo; x--)
      logw[x - this.lo] = atF64(logw, x + 1 - this.lo) - Math.log(ratio(x));
    this.logw = logw;
  }

  /** Probabilities of lo..hi under odds ratio exp(u) (u = −Infinity/Infinity allowed). */
  probabilities(u: number): Float64Array {
    const p = new Float64Array(this.size);
    if (u === Number.NEGATIVE_INFINITY) {
      p[0] = 1;
      return p;
    }
    if (u === Number.POSITIVE_INFINITY) {
      p[this.size - 1] = 1;
      return p;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.size; i++) {
      const v = atF64(this.logw, i) + (u === 0 ? 0 : u * i);
      p[i] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let i = 0; i < this.size; i++) {
      const v = Math.exp(atF64(p, i) - max);
      p[i] = v;
      sum += v;
    }
    for (let i = 0; i < this.size; i++) p[i] = atF64(p, i) / sum;
    return p;
  }

  mean(u: number): number {
    if (u === Number.NEGATIVE_INFINITY) return this.lo;
    if (u === Number.POSITIVE_INFINITY) return this.hi;
    const p = this.probabilities(u);
    let s = 0;
    for (let i = 0; i < this.size; i++) s += i * atF64(p, i);
    return this.lo + s;
  }

  /** P(X ≤ x) under odds ratio exp(u). */
  cdf(x: number, u: number): number {
    const p = this.probabilities(u);
    let s = 0;
    for (let i = 0; i <= x - this.lo; i++) s += atF64(p, i);
    return Math.min(1, s);
  }

  /** P(X ≥ x) under odds ratio exp(u). */
  sf(x: number, u: number): number {
    const p = this.probabilities(u);
    let s = 0;
    for (let i = Math.max(0, x - this.lo); i < this.size; i++) s += atF64(p, i);
    return Math.min(1, s);
  }

  /** R's two-sided p: Σ P(y) over P(y) ≤ P(x)(1 + 1e-7), at odds ratio 1. */
  twoSided(x: number): number {
    const p = this.probabilities(0);
    const cutoff = atF64(p, x - this.lo) * (1 + 1e-7);
    let s = 0;
    for (let i = 0; i < this.size; i++) if (atF64(p, i) <= cutoff) s += atF64(p, i);
    return Math.min(1, s);
  }
}

/**
 * A zero of f in [a, b] by the Forsythe–Malcolm–Moler ZEROIN algorithm (Brent 1973: bisection safeguarding
 * secant and inverse quadratic interpolation), given f(a) and f(b) of opposite sign (or one of them 0).
 * Converges when the bracket is within 4·eps·|x| + tol; this is the algorithm behind R's `uniroot`, so with
 * R's tolerance it reproduces R's iterates.
 */
function brentZero(
  f: (x: number) => number,
  a0: number,
  b0: number,
  fa0: number,
  fb0: number,
  tol: number,
  maxIter = 1000,
): number {
  if (fa0 === 0) return a0;
  if (fb0 === 0) return b0;
  let a = a0;
  let b = b0;
  let fa = fa0;
  let fb = fb0;
  let c = a;
  let fc = fa;
  const EPS = Number.EPSILON;
  for (let iter = 0; iter <= maxIter; iter++) {
    const prevStep = b - a;
    // Keep b the best estimate: |f(b)| <= |f(c)|, with the root between b and c.
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolAct = 2 * EPS * Math.abs(b) + tol / 2;
    let step = (c - b) / 2;
    if (Math.abs(step) <= tolAct || fb === 0) return b;
    if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      // Try interpolation: secant with two distinct points, inverse quadratic with three.
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const s = fb / fa;
        p = cb * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const rb = fb / fc;
        const s = fb / fa;
        p = s * (cb * qa * (qa - rb) - (b - a) * (rb - 1));
        q = (qa - 1) * (rb - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolated point only if it falls well inside the bracket and shrinks faster than bisection.
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((prevStep * q) / 2)) step = p / q;
    }
    if (Math.abs(step) < tolAct) step = step > 0 ? tolAct : -tolAct;
    a = b;
    fa = fb;
    b += step;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}

/** R uniroot()'s default tolerance, .Machine$double.eps^0.25. */
const R_UNIROOT_TOL = Number.EPSILON ** 0.25;

/**
 * Solve g(u) = 0 for an increasing function g of the log odds ratio u, to machine precision.
 * g(0) is given; the bracket is grown by doubling from [0, ±1].
 */
function solveIncreasing(g: (u: number) => number, g0: number): number {
  if (g0 === 0) return 0;
  const dir = g0 > 0 ? -1 : 1;
  let inner = 0;
  let gInner = g0;
  let outer = dir;
  let gOuter = g(outer);
  while (Math.sign(gOuter) === Math.sign(g0) && gOuter !== 0) {
    inner = outer;
    gInner = gOuter;
    outer *= 2;
    if (Math.abs(outer) > 1e4) return outer; // cannot happen for an interior observation; guards an infinite loop
    gOuter = g(outer);
  }
  return brentZero(g, inner, outer, gInner, gOuter, 0, 2000);
}

/**
 * Fisher's exact test for a 2×2 table [[a, b], [c, d]], conditioning on all margins (the top-left count a follows a
 * hypergeometric distribution under independence, a noncentral one under odds ratio ψ).
 *
 * Matches R `fisher.test(matrix(c(a, c, b, d), 2))`: two-sided p = Σ P(y) over tables with P(y) ≤ P(a)·(1 + 1e-7);
 * one-sided p-values P(A ≤ a), P(A ≥ a); the conditional MLE of ψ (the ψ at which the noncentral mean equals a) and
 * the exact conditional confidence interval (the ψ at which the relevant tail probability equals α/2, or α for
 * one-sided alternatives). Also the sample odds ratio ad / bc.
 *
 * All probabilities are computed from log-weights relative to the mode, so tables with thousands of cases neither
 * overflow nor lose digits. NotComputable when a margin is 0 (the distribution of a is degenerate).
 * Counts must be non-negative integers (throws otherwise).
 */
export function fisherExact2x2(
  counts: ReadonlyArray<ArrayLike<number>>,
  options: FisherExactOptions = {},
): FisherExactResult | NotComputable {
  const { r, c } = validateTable(counts, 'fisherExact2x2');
  if (r !== 2 || c !== 2) throw new RangeError(`fisherExact2x2: the table is ${r}×${c}; it must be 2×2.`);
  const a = at(at(counts, 0), 0);
  const b = at(at(counts, 0), 1);
  const cc = at(at(counts, 1), 0);
  const d = at(at(counts, 1), 1);
  for (const v of [a, b, cc, d]) {
    if (!Number.isInteger(v)) throw new RangeError(`fisherExact2x2: count ${v} is not an integer.`);
  }
  const alternative = options.alternative ?? 'two.sided';
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new RangeError(`fisherExact2x2: confLevel ${confLevel} must be strictly between 0 and 1.`);
  }
  const rootTolerance = options.rootTolerance ?? 'machine';
  const m = a + cc; // first column total
  const n = b + d; // second column total
  const k = a + b; // first row total
  const total = m + n;
  if (total === 0) return notComputable('The table is empty (all counts are 0).');
  if (m === 0 || n === 0 || k === 0 || k === total) {
    return notComputable(
      'A row or column total is 0, so every table with these margins is the same and the test has no information.',
    );
  }
  const h = new Hypergeometric(m, n, k);
  const { lo, hi } = h;
  const x = a;

  const pValueLess = h.cdf(x, 0);
  const pValueGreater = h.sf(x, 0);
  const pValueTwoSided = h.twoSided(x);
  const pValue =
    alternative === 'less' ? pValueLess : alternative === 'greater' ? pValueGreater : pValueTwoSided;

  // Solvers. Each returns the odds ratio ψ (0 allowed; Infinity mapped to null by the caller).
  const rMode = rootTolerance === 'r-uniroot';
  const logOf = (t: number) =>
    t === 0 ? Number.NEGATIVE_INFINITY : t === Number.POSITIVE_INFINITY ? t : Math.log(t);
  const mean = (t: number) => h.mean(logOf(t));
  const cdfAt = (t: number) => h.cdf(x, logOf(t));
  const sfAt = (t: number) => h.sf(x, logOf(t));

  /** R's pattern: root in (0, 1) if f(1) > 0 side says so, else 1 / root of f(1/t) in (eps, 1). Increasing f. */
  const rSolve = (f: (t: number) => number, f1: number, increasing: boolean): number => {
    // f is increasing in ψ when `increasing`; the root is below 1 iff (f(1) > 0) === increasing.
    if (f1 === 0) return 1;
    if (f1 > 0 === increasing) {
      return brentZero(f, 0, 1, f(0), f1, R_UNIROOT_TOL);
    }
    const g = (t: number) => f(1 / t);
    return 1 / brentZero(g, Number.EPSILON, 1, g(Number.EPSILON), f1, R_UNIROOT_TOL);
  };

  const mle = (): number => {
    if (x === lo) return 0;
    if (x === hi) return Number.POSITIVE_INFINITY;
    if (rMode) return rSolve((t) => mean(t) - x, mean(1) - x, true);
    return Math.exp(solveIncreasing((u) => h.mean(u) - x, h.mean(0) - x));
  };
  const upperLimit = (alpha: number): number => {
    if (x === hi) return Number.POSITIVE_INFINITY;
    // P(X ≤ x; ψ) decreases in ψ.
    if (rMode) return rSolve((t) => cdfAt(t) - alpha, h.cdf(x, 0) - alpha, false);
    return Math.exp(solveIncreasing((u) => alpha - h.cdf(x, u), alpha - h.cdf(x, 0)));
  };
  const lowerLimit = (alpha: number): number => {
    if (x === lo) return 0;
    // P(X ≥ x; ψ) increases in ψ.
    if (rMode) return rSolve((t) => sfAt(t) - alpha, h.sf(x, 0) - alpha, true);
    return Math.exp(solveIncreasing((u) => h.sf(x, u) - alpha, h.sf(x, 0) - alpha));
  };

  const estimate = mle();
  let lower: number;
  let upper: number;
  if (alternative === 'less') {
    lower = 0;
    upper = upperLimit(1 - confLevel);
  } else if (alternative === 'greater') {
    lower = lowerLimit(1 - confLevel);
    upper = Number.POSITIVE_INFINITY;
  } else {
    const alpha = (1 - confLevel) / 2;
    lower = lowerLimit(alpha);
    upper = upperLimit(alpha);
  }
  const bc = b * cc;
  return {
    method: "Fisher's exact test for count data",
    statisticName: 'a',
    statistic: a,
    pValue,
    alternative,
    n: total,
    options: { confLevel, rootTolerance },
    pValueTwoSided,
    pValueLess,
    pValueGreater,
    pValueOneSided: Math.min(pValueLess, pValueGreater),
    estimate: Number.isFinite(estimate) ? estimate : null,
    ci: { lower, upper: Number.isFinite(upper) ? upper : null, level: confLevel },
    sampleOddsRatio: bc === 0 ? null : (a * d) / bc,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Fisher's exact test for r × c tables

interface FisherExactRxCOptions {
  /** Stop (NotComputable) when more tables than this have the observed margins; default 10,000,000. */
  readonly maxTables?: number;
}

interface FisherExactRxCResult extends TestResult {
  /** The test conditions on all margins; its statistic is the probability of the observed table. */
  readonly statisticName: 'P(table)';
  /** Number of tables with the observed margins that were enumerated. */
  readonly tables: number;
  readonly rows: number;
  readonly columns: number;
}

/**
 * Fisher's exact test of independence in an r × c table (R `fisher.test(table)`; SPSS/PSPP "Exact Sig."), by full
 * enumeration of the tables with the observed margins: p = Σ P(t) over tables no more probable than the observed
 * one, with R's tolerance P(t) ≤ P(obs)·(1 + 1e-7), P(t) = Π rᵢ! Π cⱼ! / (N! Π xᵢⱼ!). Rows or columns whose total
 * is 0 are dropped (they carry no information), as R does. For 2 × 2 tables with the odds ratio and its interval see
 * {@link fisherExact2x2}. NotComputable when fewer than 2 non-empty rows or columns remain, or when more than
 * `maxTables` tables have these margins (enumeration too slow — merge categories or use the chi-square test).
 * Counts must be non-negative integers (throws otherwise).
 */
export function fisherExactRxC(
  counts: ReadonlyArray<ArrayLike<number>>,
  options: FisherExactRxCOptions = {},
): FisherExactRxCResult | NotComputable {
  validateTable(counts, 'fisherExactRxC');
  const maxTables = options.maxTables ?? 1e7;
  for (const row of counts) {
    for (let j = 0; j < row.length; j++) {
      if (!Number.isInteger(at(row, j)))
        throw new RangeError(`fisherExactRxC: count ${row[j]} is not an integer.`);
    }
  }
  const rowTot = counts.map((row) => Array.from(row).reduce((a, b) => a + b, 0));
  const c0 = counts.length > 0 ? at(counts, 0).length : 0;
  const colTot = Array.from({ length: c0 }, (_, j) => counts.reduce((a, row) => a + at(row, j), 0));
  const keepR = rowTot.map((t, i) => (t > 0 ? i : -1)).filter((i) => i >= 0);
  const keepC = colTot.map((t, j) => (t > 0 ? j : -1)).filter((j) => j >= 0);
  if (keepR.length < 2 || keepC.length < 2) {
    return notComputable(
      `Fisher's exact test needs at least 2 rows and 2 columns with a non-zero total; the table has ${keepR.length} and ${keepC.length}.`,
    );
  }
  const x = keepR.map((i) => keepC.map((j) => at(at(counts, i), j)));
  const rs = keepR.map((i) => atNum(rowTot, i));
  const cs = keepC.map((j) => atNum(colTot, j));
  const r = rs.length;
  const c = cs.length;
  const n = rs.reduce((a, b) => a + b, 0);
  const logFact = new Float64Array(n + 1);
  for (let v = 2; v <= n; v++) logFact[v] = atF64(logFact, v - 1) + Math.log(v);
  let logConst = -atF64(logFact, n);
  for (const v of rs) logConst += atF64(logFact, v);
  for (const v of cs) logConst += atF64(logFact, v);
  let obsLog = logConst;
  for (const row of x) for (const v of row) obsLog -= atF64(logFact, v);
  const cutoff = obsLog + Math.log1p(1e-7);
  // enumerate column by column (the last column is fixed by the row totals), each column row by row
  const rowRem = rs.slice();
  let tables = 0;
  let sum = 0;
  let tooMany = false;
  const fillColumn = (j: number, logSoFar: number): void => {
    if (tooMany) return;
    if (j === c - 1) {
      let lp = logSoFar;
      for (let i = 0; i < r; i++) lp -= atF64(logFact, atNum(rowRem, i));
      tables++;
      if (tables > maxTables) tooMany = true;
      if (lp <= cutoff) sum += Math.exp(lp);
      return;
    }
    const cell = (i: number, colRem: number, lp: number): void => {
      if (tooMany) return;
      if (i === r - 1) {
        if (colRem > atNum(rowRem, i)) return;
        rowRem[i] = atNum(rowRem, i) - colRem;
        fillColumn(j + 1, lp - atF64(logFact, colRem));
        rowRem[i] = atNum(rowRem, i) + colRem;
        return;
      }
      let capBelow = 0;
      for (let t = i + 1; t < r; t++) capBelow += atNum(rowRem, t);
      const lo = Math.max(0, colRem - capBelow);
      const hi = Math.min(atNum(rowRem, i), colRem);
      for (let v = lo; v <= hi; v++) {
        rowRem[i] = atNum(rowRem, i) - v;
        cell(i + 1, colRem - v, lp - atF64(logFact, v));
        rowRem[i] = atNum(rowRem, i) + v;
      }
    };
    cell(0, atNum(cs, j), logSoFar);
  };
  fillColumn(0, logConst);
  if (tooMany) {
    return notComputable(
      `More than ${maxTables.toLocaleString('en-US')} tables have these margins (N = ${n}, ${r} × ${c}), too many to enumerate: merge categories or use the chi-square test.`,
    );
  }
  return {
    method: "Fisher's exact test (r × c, full enumeration)",
    statisticName: 'P(table)',
    statistic: Math.exp(obsLog),
    pValue: Math.min(1, sum),
    alternative: 'two.sided',
    n,
    tables,
    rows: r,
    columns: c,
  };
}
