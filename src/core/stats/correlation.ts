/**
 * Correlation: Pearson's r (t test, Fisher-z confidence interval), Spearman's rho (t approximation as SPSS, or
 * R cor.test's default AS 89 algorithm), and a correlation matrix for k variables with pairwise or listwise deletion.
 *
 * References: R `stats::cor.test`, `stats::cor(use = "pairwise.complete.obs")`; SPSS CORRELATIONS and NONPAR CORR
 * (/MISSING=PAIRWISE by default). Best, D. J. & Roberts, D. E. (1975) Algorithm AS 89: the upper tail probabilities
 * of Spearman's rho. Applied Statistics 24, 377–379.
 * Goldens: test/goldens/r/stats_b2.R, test/goldens/pspp/correlation.sps.
 */
import { at, atF64 } from './at.js';
import { normalCdf, normalQuantile, normalSf, tCdf, tSf, tTwoSided } from './distributions.js';
import { averageRanks } from './ranks.js';
import {
  type Alternative,
  type Interval,
  isNotComputable,
  type NotComputable,
  notComputable,
  type TestResult,
} from './result.js';

/** Complete pairs of x and y (neither value NaN), copied into new arrays. */
function completePairs(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  who: string,
): [Float64Array, Float64Array] {
  if (x.length !== y.length) {
    throw new RangeError(`${who}: x has ${x.length} values but y has ${y.length}; they must be paired.`);
  }
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(at(x, i)) && !Number.isNaN(at(y, i))) n++;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const a = at(x, i);
    const b = at(y, i);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new RangeError(`${who}: value ${Number.isFinite(a) ? b : a} at position ${i + 1} is infinite.`);
    }
    xs[k] = a;
    ys[k] = b;
    k++;
  }
  return [xs, ys];
}

/** Mean with a second-pass correction (the mean of the residuals), as R's mean(). */
function accurateMean(v: Float64Array): number {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += atF64(v, i);
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += atF64(v, i) - m;
  return m + c / n;
}

/** Centered sums of squares and cross-products (two-pass). Returns [sxx, syy, sxy]. */
function centeredSums(x: Float64Array, y: Float64Array): [number, number, number] {
  const mx = accurateMean(x);
  const my = accurateMean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = atF64(x, i) - mx;
    const dy = atF64(y, i) - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return [sxx, syy, sxy];
}

/** r from complete pairs, or a reason it is undefined. */
function pearsonR(x: Float64Array, y: Float64Array): number | string {
  const [sxx, syy, sxy] = centeredSums(x, y);
  if (!(sxx > 0)) return 'x has no variance among the complete pairs (all values equal)';
  if (!(syy > 0)) return 'y has no variance among the complete pairs (all values equal)';
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

function pFromT(t: number, df: number, alternative: Alternative): number {
  if (alternative === 'less') return tCdf(t, df);
  if (alternative === 'greater') return tSf(t, df);
  return tTwoSided(t, df);
}

interface CorrelationOptions {
  /** Alternative hypothesis about the population correlation (vs 0). Default 'two.sided'. */
  readonly alternative?: Alternative;
  /** Confidence level for the Fisher-z interval. Default 0.95. */
  readonly confLevel?: number;
}

export interface PearsonResult extends TestResult {
  readonly statisticName: 't';
  readonly df: number;
  /** Pearson's r. */
  readonly estimate: number;
  /**
   * Fisher-z interval tanh(atanh(r) ± z_{(1+level)/2} / sqrt(n − 3)) (one-sided alternatives give −1 or 1 as the
   * open end); null when n = 3 (R gives none either).
   */
  readonly ci: Interval | null;
  /** Pairs with either value missing (NaN), excluded. */
  readonly nMissing: number;
}

/**
 * Pearson product-moment correlation with its t test and Fisher-z confidence interval, on the complete pairs
 * (pairwise deletion of NaN).
 *
 * r = Sxy / sqrt(Sxx Syy); t = r sqrt(n − 2) / sqrt(1 − r²), df = n − 2; CI as above.
 * Matches R `cor.test(x, y)` and SPSS CORRELATIONS ("Pearson Correlation", "Sig. (2-tailed)", "N").
 *
 * NotComputable when fewer than 3 complete pairs, when x or y is constant, or when |r| = 1 (t is infinite).
 */
export function pearsonCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: CorrelationOptions = {},
): PearsonResult | NotComputable {
  const alternative = options.alternative ?? 'two.sided';
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new RangeError(`pearsonCorrelation: confLevel ${confLevel} must be strictly between 0 and 1.`);
  }
  const [xs, ys] = completePairs(x, y, 'pearsonCorrelation');
  const n = xs.length;
  if (n < 3) return notComputable(`Only ${n} complete pair(s); a correlation test needs at least 3.`);
  const r = pearsonR(xs, ys);
  if (typeof r === 'string') return notComputable(`The correlation is undefined: ${r}.`);
  if (Math.abs(r) === 1) {
    return notComputable(`The points lie exactly on a line (r = ${r}); the t statistic is infinite.`);
  }
  const df = n - 2;
  const t = (Math.sqrt(df) * r) / Math.sqrt(1 - r * r);
  let ci: Interval | null = null;
  if (n > 3) {
    const z = Math.atanh(r);
    const sigma = 1 / Math.sqrt(n - 3);
    if (alternative === 'less') {
      ci = { lower: -1, upper: Math.tanh(z + sigma * normalQuantile(confLevel)), level: confLevel };
    } else if (alternative === 'greater') {
      ci = { lower: Math.tanh(z - sigma * normalQuantile(confLevel)), upper: 1, level: confLevel };
    } else {
      const h = sigma * normalQuantile((1 + confLevel) / 2);
      ci = { lower: Math.tanh(z - h), upper: Math.tanh(z + h), level: confLevel };
    }
  }
  return {
    method: "Pearson's product-moment correlation",
    statisticName: 't',
    statistic: t,
    df,
    pValue: pFromT(t, df, alternative),
    alternative,
    n,
    nMissing: x.length - n,
    estimate: r,
    ci,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Spearman

/** Exact null distribution of S = Σ (i − p_i)² over the n! permutations, as counts indexed by S (n ≤ 9). */
const exactSCounts = new Map<number, Float64Array>();
function spearmanExactCounts(n: number): Float64Array {
  const cached = exactSCounts.get(n);
  if (cached) return cached;
  const maxS = (n * (n * n - 1)) / 3;
  // Dynamic programme over the set of values already placed: positions are filled in order 1..n, so the next
  // position is popcount(mask) + 1. counts[mask][s] = number of partial permutations reaching (mask, s).
  const width = maxS + 1;
  const states = 1 << n;
  const counts = new Float64Array(states * width);
  counts[0] = 1;
  const popcount = (m: number) => {
    let c = 0;
    for (let v = m; v; v &= v - 1) c++;
    return c;
  };
  for (let mask = 0; mask < states; mask++) {
    const position = popcount(mask) + 1;
    const base = mask * width;
    for (let s = 0; s <= maxS; s++) {
      const c = atF64(counts, base + s);
      if (c === 0) continue;
      for (let value = 1; value <= n; value++) {
        const bit = 1 << (value - 1);
        if (mask & bit) continue;
        const d = position - value;
        const s2 = s + d * d;
        counts[(mask | bit) * width + s2] = atF64(counts, (mask | bit) * width + s2) + c;
      }
    }
  }
  const full = counts.slice((states - 1) * width, states * width);
  exactSCounts.set(n, full);
  return full;
}

// Edgeworth series coefficients of AS 89.
const AS89 = [
  0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4,
] as const;

/**
 * AS 89: P(S ≥ s) (upper) or P(S < s) (lower) for Spearman's S = Σ d² under independence, n ≥ 2, no ties.
 * Exact enumeration for n ≤ 9, the Edgeworth series for larger n (as R's C function `prho`).
 */
function as89(n: number, s: number, lowerTail: boolean): number {
  const base = lowerTail ? 0 : 1;
  if (s <= 0) return base;
  const n3 = (n * (n * n - 1)) / 3;
  if (s > n3) return 1 - base;
  if (n <= 9) {
    const counts = spearmanExactCounts(n);
    let atLeast = 0;
    let total = 0;
    for (let v = 0; v < counts.length; v++) {
      total += atF64(counts, v);
      if (v >= s) atLeast += atF64(counts, v);
    }
    return lowerTail ? (total - atLeast) / total : atLeast / total;
  }
  const [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12] = AS89;
  const b = 1 / n;
  const x = ((6 * (s - 1) * b) / (n * n - 1) - 1) * Math.sqrt(n - 1);
  const y = x * x;
  const u =
    x *
    b *
    (c1 +
      b * (c2 + c3 * b) +
      y * (-c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))));
  const corr = u / Math.exp(y / 2);
  const p = (lowerTail ? -corr : corr) + (lowerTail ? normalCdf(x) : normalSf(x));
  return Math.min(1, Math.max(0, p));
}

/** R's round(): half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface SpearmanOptions {
  readonly alternative?: Alternative;
  /**
   * How the p-value is computed.
   * 't-approximation' (default): t = rho sqrt((n − 2) / (1 − rho²)) on n − 2 df, as SPSS NONPAR CORR and R
   * `cor.test(method = "spearman", exact = FALSE)`.
   * 'as89': as R `cor.test(method = "spearman")` by default — algorithm AS 89 when there are no ties and n ≤ 1290
   * (exact enumeration for n ≤ 9, Edgeworth series above), otherwise the t approximation (R warns "Cannot compute
   * exact p-value with ties"). `pValueMethodUsed` tells which one was applied.
   */
  readonly pValueMethod?: 't-approximation' | 'as89';
}

export interface SpearmanResult extends TestResult {
  /** S = (n³ − n)(1 − rho) / 6 (the sum of squared rank differences when there are no ties), as R reports. */
  readonly statisticName: 'S';
  /** Spearman's rho: Pearson's r of the average ranks. */
  readonly estimate: number;
  /** t = rho sqrt((n − 2) / (1 − rho²)), df = n − 2 (the statistic SPSS's significance uses); null when |rho| = 1. */
  readonly t: number | null;
  readonly df: number;
  readonly ties: boolean;
  readonly options: { readonly pValueMethod: 't-approximation' | 'as89' };
  readonly pValueMethodUsed: 'exact' | 'edgeworth' | 't-approximation';
  readonly nMissing: number;
}

/**
 * Spearman's rank correlation on the complete pairs: rho = Pearson's r of average ranks (ranks are taken after
 * deleting incomplete pairs, as R and SPSS do). p-value per `pValueMethod` (see {@link SpearmanOptions}).
 * Matches R `cor.test(x, y, method = "spearman")` (with `exact = FALSE` for the t approximation) and SPSS
 * NONPAR CORR /PRINT=SPEARMAN.
 *
 * NotComputable with fewer than 3 complete pairs or when x or y is constant.
 */
export function spearmanCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: SpearmanOptions = {},
): SpearmanResult | NotComputable {
  const alternative = options.alternative ?? 'two.sided';
  const pValueMethod = options.pValueMethod ?? 't-approximation';
  const [xs, ys] = completePairs(x, y, 'spearmanCorrelation');
  const n = xs.length;
  if (n < 3) return notComputable(`Only ${n} complete pair(s); a rank correlation test needs at least 3.`);
  const rx = averageRanks(xs);
  const ry = averageRanks(ys);
  const rho = pearsonR(rx.ranks, ry.ranks);
  if (typeof rho === 'string') return notComputable(`The rank correlation is undefined: ${rho}.`);
  const ties = rx.tiedGroups > 0 || ry.tiedGroups > 0;
  const n3n = n * n * n - n;
  const s = (n3n * (1 - rho)) / 6;
  const df = n - 2;
  const t = Math.abs(rho) === 1 ? null : rho * Math.sqrt(df / (1 - rho * rho));

  let pValue: number;
  let used: SpearmanResult['pValueMethodUsed'];
  if (pValueMethod === 'as89' && !ties && n <= 1290) {
    used = n <= 9 ? 'exact' : 'edgeworth';
    // R: the lower tail is P(S < round(q) + 2) = P(S ≤ q) (S is even); the upper tail P(S ≥ round(q)).
    const lower = () => as89(n, roundHalfEven(s) + 2, true);
    const upper = () => as89(n, roundHalfEven(s), false);
    if (alternative === 'greater') pValue = lower();
    else if (alternative === 'less') pValue = upper();
    else pValue = Math.min(1, 2 * (s > n3n / 6 ? upper() : lower()));
  } else {
    used = 't-approximation';
    if (t === null) {
      // |rho| = 1: the t statistic is infinite; its tail probabilities are 0 or 1.
      const positive = rho > 0;
      pValue = alternative === 'two.sided' ? 0 : (alternative === 'greater') === positive ? 0 : 1;
    } else {
      pValue = pFromT(t, df, alternative);
    }
  }
  return {
    method:
      used === 't-approximation'
        ? "Spearman's rank correlation rho (t approximation)"
        : used === 'exact'
          ? "Spearman's rank correlation rho (exact null distribution, AS 89)"
          : "Spearman's rank correlation rho (Edgeworth series, AS 89)",
    statisticName: 'S',
    statistic: s,
    pValue,
    alternative,
    n,
    nMissing: x.length - n,
    estimate: rho,
    t,
    df,
    ties,
    options: { pValueMethod },
    pValueMethodUsed: used,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Correlation matrix

interface CorrelationMatrixOptions {
  readonly method?: 'pearson' | 'spearman';
  /**
   * 'pairwise' (default; SPSS /MISSING=PAIRWISE, R use = "pairwise.complete.obs"): each cell uses the cases
   * complete on that pair. 'listwise' (R use = "complete.obs"): only cases complete on every variable.
   */
  readonly missing?: 'pairwise' | 'listwise';
  /** Spearman p-value method (see {@link SpearmanOptions}); default 't-approximation'. */
  readonly pValueMethod?: 't-approximation' | 'as89';
  /** Variable names, one per column (echoed in the result). */
  readonly names?: readonly string[];
}

interface CorrelationMatrix {
  readonly method: 'pearson' | 'spearman';
  readonly missing: 'pairwise' | 'listwise';
  readonly names: string[];
  /** r (or rho); 1 on the diagonal; null where undefined (see `reason`). */
  readonly estimate: (number | null)[][];
  /** Two-sided p-value; null on the diagonal and where undefined. */
  readonly pValue: (number | null)[][];
  /** Cases used per cell (on the diagonal: the variable's non-missing count, or the listwise n). */
  readonly n: number[][];
  /** Why a cell is null, else null. */
  readonly reason: (string | null)[][];
}

/**
 * Correlation matrix of k variables (columns of equal length, NaN = missing) with per-cell n and two-sided
 * p-values, as SPSS CORRELATIONS (Pearson) or NONPAR CORR (Spearman) and R `cor(X, use = ...)` with `cor.test`
 * for each pair. A cell whose test is not computable (e.g. fewer than 3 pairs) holds null and a reason; a perfect
 * Pearson correlation keeps its estimate (±1) with p-value 0.
 */
export function correlationMatrix(
  columns: ReadonlyArray<ArrayLike<number>>,
  options: CorrelationMatrixOptions = {},
): CorrelationMatrix {
  const method = options.method ?? 'pearson';
  const missing = options.missing ?? 'pairwise';
  const k = columns.length;
  const len = k > 0 ? at(columns, 0).length : 0;
  for (let j = 0; j < k; j++) {
    if (at(columns, j).length !== len) {
      throw new RangeError(
        `correlationMatrix: column ${j + 1} has ${at(columns, j).length} values, column 1 has ${len}.`,
      );
    }
  }
  if (options.names && options.names.length !== k) {
    throw new RangeError(`correlationMatrix: ${options.names.length} names given for ${k} columns.`);
  }
  const names = options.names ? [...options.names] : Array.from({ length: k }, (_, j) => `V${j + 1}`);
  let cols: ReadonlyArray<ArrayLike<number>> = columns;
  if (missing === 'listwise') {
    const keep: number[] = [];
    for (let i = 0; i < len; i++) {
      let ok = true;
      for (let j = 0; j < k && ok; j++) if (Number.isNaN(at(at(columns, j), i))) ok = false;
      if (ok) keep.push(i);
    }
    cols = columns.map((c) => Float64Array.from(keep, (i) => at(c, i)));
  }
  const estimate: (number | null)[][] = [];
  const pValue: (number | null)[][] = [];
  const n: number[][] = [];
  const reason: (string | null)[][] = [];
  for (let i = 0; i < k; i++) {
    estimate.push(new Array<number | null>(k).fill(null));
    pValue.push(new Array<number | null>(k).fill(null));
    n.push(new Array<number>(k).fill(0));
    reason.push(new Array<string | null>(k).fill(null));
  }
  for (let i = 0; i < k; i++) {
    const ci = at(cols, i);
    let count = 0;
    let first = Number.NaN;
    let varies = false;
    for (let t = 0; t < ci.length; t++) {
      const v = at(ci, t);
      if (Number.isNaN(v)) continue;
      if (count === 0) first = v;
      else if (v !== first) varies = true;
      count++;
    }
    at(n, i)[i] = count;
    if (varies) at(estimate, i)[i] = 1;
    else at(reason, i)[i] = `${names[i]} has no variance`;
    for (let j = i + 1; j < k; j++) {
      const [xs, ys] = completePairs(ci, at(cols, j), 'correlationMatrix');
      at(n, i)[j] = at(n, j)[i] = xs.length;
      let est: number | null = null;
      let p: number | null = null;
      let why: string | null = null;
      if (method === 'pearson') {
        const res = pearsonCorrelation(xs, ys);
        if (isNotComputable(res)) {
          const r = xs.length >= 3 ? pearsonR(xs, ys) : null;
          if (typeof r === 'number' && Math.abs(r) === 1) {
            est = r;
            p = 0;
          } else {
            why = res.reason;
          }
        } else {
          est = res.estimate;
          p = res.pValue;
        }
      } else {
        const res = spearmanCorrelation(xs, ys, { pValueMethod: options.pValueMethod ?? 't-approximation' });
        if (isNotComputable(res)) why = res.reason;
        else {
          est = res.estimate;
          p = res.pValue;
        }
      }
      at(estimate, i)[j] = at(estimate, j)[i] = est;
      at(pValue, i)[j] = at(pValue, j)[i] = p;
      at(reason, i)[j] = at(reason, j)[i] = why;
    }
  }
  return { method, missing, names, estimate, pValue, n, reason };
}
