/**
 * Student's t-tests: independent samples (Student's pooled-variance row and Welch's row, as SPSS T-TEST prints
 * both and as R `t.test(var.equal = TRUE / FALSE)` computes them), from summary statistics (to recheck a
 * published table), one-sample and paired.
 *
 * Conventions (see result.ts): NaN is missing and is dropped (pairwise for the paired test); `n` is what was
 * used; degenerate inputs return NotComputable. The confidence interval is for the estimate (mean difference,
 * mean, or mean of the paired differences) at `confLevel`, one-sided when `alternative` is one-sided (then one
 * bound is ±Infinity, exactly as R reports it).
 */
import { atNumeric } from './at.js';
import { tCdf, tQuantile, tSf } from './distributions.js';
import { type LeveneCenter, type LeveneResult, levene } from './levene.js';
import {
  type Alternative,
  checkAlternative,
  type Interval,
  type NotComputable,
  notComputable,
  type TestResult,
} from './result.js';

/** Descriptive statistics of one sample as SPSS prints them in "Group Statistics". */
interface SampleSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (denominator n − 1). */
  readonly sd: number;
  /** Standard error of the mean, sd / √n. */
  readonly se: number;
}

/** Summary statistics typed in from a paper or a table. */
export interface SummaryInput {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (denominator n − 1). */
  readonly sd: number;
}

interface TTestOptions {
  /** Alternative hypothesis; default 'two.sided'. 'greater' means mean(x) − mean(y) > mu. */
  readonly alternative?: Alternative;
  /** Confidence level of the interval, in (0, 1); default 0.95. */
  readonly confLevel?: number;
  /** Hypothesised value of the estimate (difference in means, mean, or mean difference); default 0. */
  readonly mu?: number;
}

/** One row of t-test output. */
export interface TTestRow extends TestResult {
  readonly statisticName: 't';
  readonly df: number;
  /** Mean difference x − y (two samples), mean (one sample), or mean of the differences x − y (paired). */
  readonly estimate: number;
  /** Standard error of the estimate. */
  readonly se: number;
  readonly ci: Interval;
  /** Hypothesised value the estimate is tested against. */
  readonly mu: number;
}

interface IndependentTTestResult {
  readonly method: 'Independent-samples t-test';
  /** Group statistics for x (first) and y (second). */
  readonly groups: readonly [SampleSummary, SampleSummary];
  /** "Equal variances assumed": Student's test with the pooled variance, df = n1 + n2 − 2 (R var.equal = TRUE). */
  readonly student: TTestRow;
  /** "Equal variances not assumed": Welch's test with Satterthwaite's df (R var.equal = FALSE, the R default). */
  readonly welch: TTestRow;
  /** Levene's test for equality of variances (only when raw data were given). */
  readonly levene?: LeveneResult | NotComputable;
  readonly options: {
    readonly alternative: Alternative;
    readonly confLevel: number;
    readonly mu: number;
    readonly leveneCenter?: LeveneCenter;
  };
}

interface OneSampleTTestResult extends TTestRow {
  readonly sample: SampleSummary;
}

interface PairedTTestResult extends TTestRow {
  /** Statistics of x and of y over the complete pairs (SPSS "Paired Samples Statistics"). */
  readonly samples: readonly [SampleSummary, SampleSummary];
  /** Statistics of the differences x − y (SPSS "Paired Differences"). */
  readonly differences: SampleSummary;
}

interface Moments {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  ss: number;
}

/**
 * Count, mean and sum of squared deviations of the non-missing values, in two passes with R's mean correction
 * (mean += Σ(x − mean)/n). Every sum is compensated (Neumaier), so 1,000,000 values keep the ~15 digits R gets
 * from its long-double accumulators. Returns undefined when a value is ±Infinity.
 */
function moments(x: ArrayLike<number>): Moments | undefined {
  let n = 0;
  let s = 0;
  let sc = 0;
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) return undefined;
    n++;
    const t = s + v;
    sc += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  if (n === 0) return { n, mean: Number.NaN, ss: Number.NaN };
  let mean = (s + sc) / n;
  let c = 0;
  let cc = 0;
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (Number.isNaN(v)) continue;
    const d = v - mean;
    const t = c + d;
    cc += Math.abs(c) >= Math.abs(d) ? c - t + d : d - t + c;
    c = t;
  }
  mean += (c + cc) / n;
  let ss = 0;
  let ssc = 0;
  for (let i = 0; i < x.length; i++) {
    const v = atNumeric(x, i);
    if (Number.isNaN(v)) continue;
    const d = v - mean;
    const q = d * d;
    const t = ss + q; // q >= 0 and ss >= 0: ss - t + q is the exact rounding error when ss >= q
    ssc += ss >= q ? ss - t + q : q - t + ss;
    ss = t;
  }
  return { n, mean, ss: ss + ssc };
}

function summaryOf(m: Moments): SampleSummary {
  const sd = Math.sqrt(m.ss / (m.n - 1));
  return { n: m.n, mean: m.mean, sd, se: sd / Math.sqrt(m.n) };
}

/**
 * n, mean, SD and SE of the mean of the non-missing values of `x` (two-pass, as R `mean`/`sd`).
 * Not computable with fewer than 2 values or an infinite value.
 */
export function summarizeSample(x: ArrayLike<number>): SampleSummary | NotComputable {
  const m = moments(x);
  if (m === undefined) return notComputable('the data contain an infinite value.');
  if (m.n < 2)
    return notComputable(`${m.n} non-missing value(s); at least 2 are needed for a standard deviation.`);
  return summaryOf(m);
}

interface ResolvedOptions {
  alternative: Alternative;
  confLevel: number;
  mu: number;
}

function resolveOptions(o: TTestOptions): ResolvedOptions {
  const alternative = checkAlternative(o.alternative ?? 'two.sided');
  const confLevel = o.confLevel ?? 0.95;
  const mu = o.mu ?? 0;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new RangeError(`confLevel must be between 0 and 1 (e.g. 0.95); got ${confLevel}.`);
  }
  if (!Number.isFinite(mu)) throw new RangeError(`mu must be a finite number; got ${mu}.`);
  return { alternative, confLevel, mu };
}

/** Builds a t-test row from the estimate, its standard error and df (R stats:::t.test.default's last steps). */
function tRow(
  method: string,
  estimate: number,
  se: number,
  df: number,
  n: number,
  o: ResolvedOptions,
): TTestRow {
  const t = (estimate - o.mu) / se;
  let pValue: number;
  let lower: number;
  let upper: number;
  if (o.alternative === 'less') {
    pValue = tCdf(t, df);
    lower = Number.NEGATIVE_INFINITY;
    upper = estimate + tQuantile(o.confLevel, df) * se;
  } else if (o.alternative === 'greater') {
    pValue = tSf(t, df);
    lower = estimate - tQuantile(o.confLevel, df) * se;
    upper = Number.POSITIVE_INFINITY;
  } else {
    pValue = Math.min(1, 2 * tSf(Math.abs(t), df));
    const q = tQuantile(1 - (1 - o.confLevel) / 2, df);
    lower = estimate - q * se;
    upper = estimate + q * se;
  }
  return {
    method,
    statisticName: 't',
    statistic: t,
    df,
    pValue,
    alternative: o.alternative,
    n,
    estimate,
    se,
    ci: { lower, upper, level: o.confLevel },
    mu: o.mu,
  };
}

/** Student and Welch rows from two group summaries already checked for n >= 2 and finite moments. */
function twoSampleRows(
  a: SampleSummary,
  b: SampleSummary,
  o: ResolvedOptions,
): { student: TTestRow; welch: TTestRow } | NotComputable {
  const va = a.sd * a.sd;
  const vb = b.sd * b.sd;
  if (va === 0 && vb === 0) {
    return notComputable(
      // The values are not named: a note that says "every value in group X is v" prints everyone's answer.
      'Both groups have zero variance, so the standard error is 0 and t is undefined.',
    );
  }
  const estimate = a.mean - b.mean;
  const n = a.n + b.n;
  const dfPooled = n - 2;
  const pooledVar = ((a.n - 1) * va + (b.n - 1) * vb) / dfPooled;
  const seStudent = Math.sqrt(pooledVar * (1 / a.n + 1 / b.n));
  const qa = va / a.n;
  const qb = vb / b.n;
  const seWelch = Math.sqrt(qa + qb);
  const dfWelch = ((qa + qb) * (qa + qb)) / ((qa * qa) / (a.n - 1) + (qb * qb) / (b.n - 1));
  return {
    student: tRow(
      "Student's two-sample t-test (equal variances assumed)",
      estimate,
      seStudent,
      dfPooled,
      n,
      o,
    ),
    welch: tRow("Welch's two-sample t-test (equal variances not assumed)", estimate, seWelch, dfWelch, n, o),
  };
}

/**
 * Independent-samples t-test of mean(x) − mean(y) = mu, with both rows SPSS prints: Student's pooled-variance
 * test (df = n1 + n2 − 2; R `t.test(x, y, var.equal = TRUE)`) and Welch's test with Satterthwaite's
 * df = (s1²/n1 + s2²/n2)² / [(s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1)] (R `t.test(x, y)`), each with t, df, p,
 * mean difference, its standard error and CI; group n, mean, SD and SE of the mean; and Levene's test
 * (`leveneCenter` 'mean' as SPSS, or 'median' as car::leveneTest).
 *
 * Not computable when a group has fewer than 2 non-missing values, a value is infinite, or both groups are
 * constant.
 *
 * @example ttestIndependent([5.1, 4.8, 6.0], [4.2, 4.9, 3.8, 4.4]).welch.pValue
 */
export function ttestIndependent(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: TTestOptions & { readonly leveneCenter?: LeveneCenter } = {},
): IndependentTTestResult | NotComputable {
  const o = resolveOptions(options);
  const leveneCenter = options.leveneCenter ?? 'mean';
  const mx = moments(x);
  const my = moments(y);
  if (mx === undefined || my === undefined) {
    return notComputable(`Group ${mx === undefined ? 1 : 2} contains an infinite value; t is undefined.`);
  }
  for (const [i, m] of [mx, my].entries()) {
    if (m.n < 2) {
      return notComputable(
        `Group ${i + 1} has ${m.n} non-missing value${m.n === 1 ? '' : 's'}; a two-sample t-test needs at least 2 in each group.`,
      );
    }
  }
  const a = summaryOf(mx);
  const b = summaryOf(my);
  const rows = twoSampleRows(a, b, o);
  if ('kind' in rows) return rows;
  return {
    method: 'Independent-samples t-test',
    groups: [a, b],
    student: rows.student,
    welch: rows.welch,
    levene: levene([x, y], { center: leveneCenter }),
    options: { ...o, leveneCenter },
  };
}

function checkSummary(s: SummaryInput, label: string): NotComputable | undefined {
  if (!Number.isInteger(s.n) || s.n < 2) {
    return notComputable(`${label}: n = ${s.n}; a t-test needs a whole number of at least 2 per group.`);
  }
  if (!Number.isFinite(s.mean)) return notComputable(`${label}: mean = ${s.mean} is not a finite number.`);
  if (!(Number.isFinite(s.sd) && s.sd >= 0)) {
    return notComputable(`${label}: SD = ${s.sd}; a standard deviation must be a finite number >= 0.`);
  }
  return undefined;
}

/**
 * Student and Welch two-sample t-tests from summary statistics alone (n, mean, SD of each group), to recheck
 * a published table. Same output as {@link ttestIndependent} without Levene's test (which needs raw data).
 * Matches R `t.test` on data with those moments (formulas as in ttestIndependent).
 *
 * @example ttestFromSummary({ n: 158, mean: 1.0866, sd: 0.53186 }, { n: 59, mean: 0.899, sd: 0.54317 })
 */
export function ttestFromSummary(
  x: SummaryInput,
  y: SummaryInput,
  options: TTestOptions = {},
): IndependentTTestResult | NotComputable {
  const o = resolveOptions(options);
  const bad = checkSummary(x, 'Group 1') ?? checkSummary(y, 'Group 2');
  if (bad) return bad;
  const a: SampleSummary = { n: x.n, mean: x.mean, sd: x.sd, se: x.sd / Math.sqrt(x.n) };
  const b: SampleSummary = { n: y.n, mean: y.mean, sd: y.sd, se: y.sd / Math.sqrt(y.n) };
  const rows = twoSampleRows(a, b, o);
  if ('kind' in rows) return rows;
  return {
    method: 'Independent-samples t-test',
    groups: [a, b],
    student: rows.student,
    welch: rows.welch,
    options: o,
  };
}

/**
 * One-sample t-test of mean(x) = mu: t = (mean − mu) / (sd/√n), df = n − 1 (R `t.test(x, mu = mu)`;
 * SPSS T-TEST /TESTVAL). Not computable for n < 2 or when every value is equal.
 */
export function ttestOneSample(
  x: ArrayLike<number>,
  options: TTestOptions = {},
): OneSampleTTestResult | NotComputable {
  const o = resolveOptions(options);
  const m = moments(x);
  if (m === undefined) return notComputable('The sample contains an infinite value; t is undefined.');
  if (m.n < 2)
    return notComputable(`The sample has ${m.n} non-missing value(s); a one-sample t-test needs at least 2.`);
  const sample = summaryOf(m);
  if (sample.sd === 0) {
    return notComputable(`Every value equals ${sample.mean}, so the standard error is 0 and t is undefined.`);
  }
  return { ...tRow('One-sample t-test', sample.mean, sample.se, m.n - 1, m.n, o), sample };
}

/**
 * Paired t-test of mean(x − y) = mu over the complete pairs (pairs with a missing x or y are dropped):
 * t = mean(d) / (sd(d)/√n), df = n − 1 (R `t.test(x, y, paired = TRUE)`; SPSS T-TEST PAIRS).
 * x and y must have the same length (a programming error otherwise). Not computable for fewer than 2 complete
 * pairs or when every difference is equal.
 */
export function ttestPaired(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: TTestOptions = {},
): PairedTTestResult | NotComputable {
  if (x.length !== y.length) {
    throw new RangeError(
      `Paired t-test: x has ${x.length} values but y has ${y.length}; they must be paired.`,
    );
  }
  const o = resolveOptions(options);
  const len = x.length;
  // Complete pairs: mark pairs with a missing member as missing in all three series (views without copies
  // would need per-element checks everywhere; one Float64Array per series is the cost of clarity here).
  const xs = new Float64Array(len);
  const ys = new Float64Array(len);
  const ds = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const a = atNumeric(x, i);
    const b = atNumeric(y, i);
    if (Number.isNaN(a) || Number.isNaN(b)) {
      xs[i] = ys[i] = ds[i] = Number.NaN;
    } else {
      xs[i] = a;
      ys[i] = b;
      ds[i] = a - b;
    }
  }
  const mx = moments(xs);
  const my = moments(ys);
  const md = moments(ds);
  if (mx === undefined || my === undefined || md === undefined) {
    return notComputable('The data contain an infinite value; t is undefined.');
  }
  if (md.n < 2) return notComputable(`There are ${md.n} complete pair(s); a paired t-test needs at least 2.`);
  const differences = summaryOf(md);
  if (differences.sd === 0) {
    return notComputable(
      `Every paired difference equals ${differences.mean}, so the standard error is 0 and t is undefined.`,
    );
  }
  return {
    ...tRow('Paired t-test', differences.mean, differences.se, md.n - 1, md.n, o),
    samples: [summaryOf(mx), summaryOf(my)],
    differences,
  };
}
