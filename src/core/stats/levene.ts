/**
 * Levene's test for equality of variances across k >= 2 groups.
 *
 * The test is a one-way ANOVA F test on the absolute deviations z_ij = |x_ij − c_i| of each value from its
 * group centre c_i:
 *
 *   F = [(N − k) / (k − 1)] · Σ_i n_i (z̄_i − z̄)² / Σ_i Σ_j (z_ij − z̄_i)²,   df = (k − 1, N − k),
 *
 * with p = P(F_{k−1, N−k} > F).
 *
 * - `center: 'mean'` (default) is Levene's (1960) original test, the one SPSS and PSPP print beside the
 *   independent-samples t-test (T-TEST, "Levene's Test for Equality of Variances") and in ONEWAY.
 * - `center: 'median'` is the Brown–Forsythe (1974) variant, the default of R `car::leveneTest`.
 *
 * Missing values (NaN) are dropped per group; `n` is the number of values used.
 */
import { at, atF64, atNum, atNumeric } from './at.js';
import { fSf } from './distributions.js';
import { type NotComputable, notComputable, type TestResult } from './result.js';
import { addCompensated, type CompensatedSum } from './summation.js';

export type LeveneCenter = 'mean' | 'median';

interface LeveneOptions {
  /** Group centre for the absolute deviations: 'mean' (SPSS, Levene 1960) or 'median' (car::leveneTest, Brown–Forsythe). */
  readonly center?: LeveneCenter;
}

export interface LeveneResult extends TestResult {
  readonly statisticName: 'F';
  readonly df: readonly [number, number];
  /** Always 'greater': the F test rejects for large F. */
  readonly alternative: 'greater';
  readonly center: LeveneCenter;
  /** Number of groups. */
  readonly k: number;
  /** Values used per group. */
  readonly groupN: readonly number[];
}

/** Median of the non-missing values of `x` (sorted copy). `n` must be the count of non-missing values, > 0. */
function medianOf(x: ArrayLike<number>, n: number): number {
  const s = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (!Number.isNaN(v)) s[k++] = v;
  }
  s.sort();
  const h = n >>> 1;
  return n % 2 === 1 ? atF64(s, h) : (atF64(s, h - 1) + atF64(s, h)) / 2;
}

/** Mean of f(x_i) over the non-missing x_i, compensated, with R's second correcting pass. */
function meanOf(x: ArrayLike<number>, n: number, centre: number, absolute: boolean): number {
  const acc: CompensatedSum = { sum: 0, compensation: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (!Number.isNaN(v)) addCompensated(acc, absolute ? Math.abs(v - centre) : v);
  }
  const m = (acc.sum + acc.compensation) / n;
  const corr: CompensatedSum = { sum: 0, compensation: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (!Number.isNaN(v)) addCompensated(corr, (absolute ? Math.abs(v - centre) : v) - m);
  }
  return m + (corr.sum + corr.compensation) / n;
}

/**
 * Levene's test (center 'mean', as SPSS) or the Brown–Forsythe test (center 'median', as R car::leveneTest)
 * for equal variances in k >= 2 groups. Groups are arrays of values; NaN is missing.
 *
 * Not computable when fewer than two groups have data, when N <= k (no within-group df), or when every
 * absolute deviation equals its group mean (e.g. every group is constant).
 *
 * @example levene([[1, 2, 4], [2, 6, 9, 13]], { center: 'median' })
 */
export function levene(
  groups: readonly ArrayLike<number>[],
  options: LeveneOptions = {},
): LeveneResult | NotComputable {
  const center = options.center ?? 'mean';
  if (groups.length < 2) return notComputable(`Levene's test needs at least 2 groups; got ${groups.length}.`);
  const k = groups.length;
  const groupN: number[] = [];
  let total = 0;
  for (let g = 0; g < k; g++) {
    const x = at(groups, g);
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const v = atNumeric(x, i);
      if (Number.isNaN(v)) continue;
      if (!Number.isFinite(v)) return notComputable(`Group ${g + 1} contains a non-finite value (${v}).`);
      n++;
    }
    if (n === 0) return notComputable(`Group ${g + 1} has no non-missing values.`);
    groupN.push(n);
    total += n;
  }
  if (total <= k) {
    return notComputable(
      `Levene's test needs more values than groups (N = ${total}, k = ${k}): no within-group degrees of freedom.`,
    );
  }

  // Group centres and group means of z = |x − c|.
  const centres = new Float64Array(k);
  const zMeans = new Float64Array(k);
  let zGrand = 0;
  for (let g = 0; g < k; g++) {
    const x = at(groups, g);
    const n = atNum(groupN, g);
    const c = center === 'mean' ? meanOf(x, n, 0, false) : medianOf(x, n);
    centres[g] = c;
    const m = meanOf(x, n, c, true);
    zMeans[g] = m;
    zGrand += n * m;
  }
  zGrand /= total;

  // Between- and within-group sums of squares of z.
  let between = 0;
  const within: CompensatedSum = { sum: 0, compensation: 0 };
  for (let g = 0; g < k; g++) {
    const x = at(groups, g);
    const c = atF64(centres, g);
    const m = atF64(zMeans, g);
    const d = m - zGrand;
    between += atNum(groupN, g) * d * d;
    for (let i = 0; i < x.length; i++) {
      const v = atNumeric(x, i);
      if (Number.isNaN(v)) continue;
      const e = Math.abs(v - c) - m;
      addCompensated(within, e * e);
    }
  }
  const df1 = k - 1;
  const df2 = total - k;
  const withinSs = within.sum + within.compensation;
  if (!(withinSs > 0)) {
    return notComputable(
      "Levene's test is undefined: within every group all absolute deviations from the group " +
        `${center} are equal (for example, every group is constant), so the F ratio has a zero denominator.`,
    );
  }
  const statistic = between / df1 / (withinSs / df2);
  return {
    method:
      center === 'mean'
        ? "Levene's test (center = mean)"
        : "Brown–Forsythe test (Levene's test, center = median)",
    statisticName: 'F',
    statistic,
    df: [df1, df2],
    pValue: fSf(statistic, df1, df2),
    alternative: 'greater',
    n: total,
    center,
    k,
    groupN,
  };
}
