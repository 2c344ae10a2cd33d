/**
 * One-way analysis of variance: Fisher's F test (equal variances; R `aov`, `oneway.test(var.equal =
 * TRUE)`, SPSS ONEWAY) and Welch's F test (unequal variances; R `oneway.test(var.equal = FALSE)`,
 * SPSS ONEWAY /STATISTICS=WELCH).
 *
 * Accuracy: group means first, each by the corrected two-pass algorithm; the within-group sum of
 * squares is the sum of the groups' corrected sums of squares and the between-group sum of squares
 * uses the (corrected) group means and grand mean. This reaches the binary64 limits on the NIST
 * StRD ANOVA data sets (F to ~12.5 digits on SiRstv and SmLs01–03, ~3 on SmLs07–09).
 */
import { fSf } from './distributions.js';
import { type NotComputable, notComputable, type TestResult } from './result.js';
import { firstPass, secondPass } from './summation.js';

interface AnovaOptions {
  /** Group labels in the order of the samples; default "Group 1", "Group 2", … */
  readonly labels?: readonly string[];
}

interface GroupSummary {
  readonly label: string;
  /** Valid values used. */
  readonly n: number;
  /** Missing values (NaN) excluded. */
  readonly nMissing: number;
  /** Group mean; null for an empty group. */
  readonly mean: number | null;
  /** Group SD (n - 1); null when n < 2. */
  readonly sd: number | null;
}

/** Fisher's one-way ANOVA, named as a methods section reports it. */
export interface OneWayAnovaResult extends TestResult {
  readonly statisticName: 'F';
  /** [between-groups df (k - 1), within-groups df (N - k)]. */
  readonly df: readonly [number, number];
  readonly ssBetween: number;
  readonly ssWithin: number;
  readonly ssTotal: number;
  readonly dfBetween: number;
  readonly dfWithin: number;
  readonly dfTotal: number;
  readonly msBetween: number;
  readonly msWithin: number;
  /** η² = SS between / SS total. */
  readonly etaSquared: number;
  /** ω² = (SS between - df between · MS within) / (SS total + MS within). */
  readonly omegaSquared: number;
  /** Number of non-empty groups compared (k). */
  readonly k: number;
  readonly groups: readonly GroupSummary[];
}

/** Welch's heteroscedastic one-way ANOVA. */
export interface WelchAnovaResult extends TestResult {
  readonly statisticName: 'F';
  /** [numerator df (k - 1), denominator df (fractional, Welch 1951)]. */
  readonly df: readonly [number, number];
  readonly k: number;
  readonly groups: readonly GroupSummary[];
}

interface GroupStats {
  readonly summaries: GroupSummary[];
  /** Per non-empty group: n, corrected mean, corrected sum of squares. */
  readonly used: { n: number; mean: number; ss: number; sum: number }[];
  readonly nMissing: number;
}

function groupStats(samples: readonly ArrayLike<number>[], labels?: readonly string[]): GroupStats {
  if (labels !== undefined && labels.length !== samples.length) {
    throw new RangeError(
      `oneWayAnova: ${labels.length} labels given for ${samples.length} groups; give one label per group.`,
    );
  }
  const summaries: GroupSummary[] = [];
  const used: GroupStats['used'] = [];
  let nMissing = 0;
  samples.forEach((sample, i) => {
    const label = labels?.[i] ?? `Group ${i + 1}`;
    const first = firstPass(sample);
    nMissing += first.nMissing;
    if (first.n === 0) {
      summaries.push({ label, n: 0, nMissing: first.nMissing, mean: null, sd: null });
      return;
    }
    const second = secondPass(sample, first.n, first.sum / first.n);
    used.push({ n: first.n, mean: second.mean, ss: second.ss, sum: first.sum });
    summaries.push({
      label,
      n: first.n,
      nMissing: first.nMissing,
      mean: second.mean,
      sd: first.n >= 2 ? Math.sqrt(second.ss / (first.n - 1)) : null,
    });
  });
  return { summaries, used, nMissing };
}

/**
 * Fisher's one-way ANOVA of `samples` (one array per group; NaN = missing, excluded; empty groups
 * are dropped as R drops unused factor levels). Returns SS, df, MS, F, p = P(F(k-1, N-k) > F),
 * η² and ω², and per-group n, mean, SD. Matches R `summary(aov(y ~ g))`, `oneway.test(y ~ g,
 * var.equal = TRUE)` and SPSS ONEWAY. NotComputable with fewer than two non-empty groups, no
 * within-group degrees of freedom, or no within-group variation.
 *
 * @example oneWayAnova([[1, 2, 3], [4, 5, 6, 7]], { labels: ['control', 'treated'] })
 */
export function oneWayAnova(
  samples: readonly ArrayLike<number>[],
  options: AnovaOptions = {},
): OneWayAnovaResult | NotComputable {
  const { summaries, used } = groupStats(samples, options.labels);
  const k = used.length;
  if (k < 2) {
    return notComputable(
      `One-way ANOVA needs at least two groups with data; ${k === 0 ? 'no group has' : 'only one group has'} non-missing values.`,
    );
  }
  let nTotal = 0;
  for (const g of used) nTotal += g.n;
  const dfBetween = k - 1;
  const dfWithin = nTotal - k;
  if (dfWithin < 1) {
    return notComputable(
      `One-way ANOVA needs more values than groups; there are ${nTotal} values in ${k} groups, so no within-group variation can be estimated.`,
    );
  }
  // grand mean: compensated total, then the two-pass correction through the group means
  let s = 0;
  let c = 0;
  for (const g of used) {
    const t = s + g.sum;
    if (Math.abs(s) >= Math.abs(g.sum)) c += s - t + g.sum;
    else c += g.sum - t + s;
    s = t;
  }
  const grand0 = (s + c) / nTotal;
  let d = 0;
  for (const g of used) d += g.n * (g.mean - grand0);
  const grand = grand0 + d / nTotal;
  let ssBetween = 0;
  let ssWithin = 0;
  for (const g of used) {
    const e = g.mean - grand;
    ssBetween += g.n * e * e;
    ssWithin += g.ss;
  }
  if (!(ssWithin > 0)) {
    return notComputable(
      'All values are identical within each group, so the within-group variance is zero and F is undefined.',
    );
  }
  const msBetween = ssBetween / dfBetween;
  const msWithin = ssWithin / dfWithin;
  const statistic = msBetween / msWithin;
  const ssTotal = ssBetween + ssWithin;
  return {
    method: 'One-way ANOVA (Fisher, equal variances assumed)',
    statisticName: 'F',
    statistic,
    df: [dfBetween, dfWithin],
    pValue: fSf(statistic, dfBetween, dfWithin),
    alternative: 'greater',
    n: nTotal,
    ssBetween,
    ssWithin,
    ssTotal,
    dfBetween,
    dfWithin,
    dfTotal: nTotal - 1,
    msBetween,
    msWithin,
    etaSquared: ssBetween / ssTotal,
    omegaSquared: (ssBetween - dfBetween * msWithin) / (ssTotal + msWithin),
    k,
    groups: summaries,
  };
}

/**
 * Welch's one-way ANOVA (Welch 1951), which does not assume equal variances:
 * w_i = n_i / s_i², m = Σ w_i m_i / Σ w_i, A = Σ (1 - w_i/Σw)² / (n_i - 1),
 * F = [Σ w_i (m_i - m)² / (k - 1)] / [1 + 2 (k - 2) A / (k² - 1)], df = (k - 1, (k² - 1) / (3 A)).
 * Matches R `oneway.test(y ~ g, var.equal = FALSE)` and SPSS ONEWAY /STATISTICS=WELCH.
 * NotComputable when fewer than two groups have data, a group has fewer than two values, or a
 * group has zero variance.
 */
export function welchAnova(
  samples: readonly ArrayLike<number>[],
  options: AnovaOptions = {},
): WelchAnovaResult | NotComputable {
  const { summaries, used } = groupStats(samples, options.labels);
  const k = used.length;
  if (k < 2) return notComputable('Welch ANOVA needs at least two groups with data.');
  const small = summaries.find((g) => g.n === 1);
  if (small !== undefined) {
    return notComputable(`Welch ANOVA needs at least two values per group; "${small.label}" has only one.`);
  }
  const constant = summaries.find((g) => g.n >= 2 && g.sd === 0);
  if (constant !== undefined) {
    return notComputable(
      // The group is not named: "all values in <group> are identical" would print everyone's value in it.
      'Welch ANOVA weights each group by n / variance; one group has zero variance (all its values are equal).',
    );
  }
  const w = used.map((g) => g.n / (g.ss / (g.n - 1)));
  let sumW = 0;
  for (const wi of w) sumW += wi;
  let weightedMean = 0;
  used.forEach((g, i) => {
    weightedMean += (w[i] as number) * g.mean;
  });
  weightedMean /= sumW;
  let a = 0;
  let between = 0;
  used.forEach((g, i) => {
    const wi = w[i] as number;
    const r = 1 - wi / sumW;
    a += (r * r) / (g.n - 1);
    const e = g.mean - weightedMean;
    between += wi * e * e;
  });
  const tmp = a / (k * k - 1);
  const statistic = between / ((k - 1) * (1 + 2 * (k - 2) * tmp));
  const df2 = 1 / (3 * tmp);
  let nTotal = 0;
  for (const g of used) nTotal += g.n;
  return {
    method: "Welch's one-way ANOVA (equal variances not assumed)",
    statisticName: 'F',
    statistic,
    df: [k - 1, df2],
    pValue: fSf(statistic, k - 1, df2),
    alternative: 'greater',
    n: nTotal,
    k,
    groups: summaries,
  };
}

/**
 * Split `values` by the parallel `groups` vector into one sample per group, in order of first
 * appearance (or in `levels` order when given). A null/undefined/NaN group marks a case that
 * belongs to no group and is left out.
 */
export function splitByGroup<G extends string | number>(
  values: ArrayLike<number>,
  groups: ArrayLike<G | null | undefined>,
  levels?: readonly G[],
): { labels: string[]; samples: number[][] } {
  if (values.length !== groups.length) {
    throw new RangeError(
      `splitByGroup: ${values.length} values but ${groups.length} group codes; give one group per value.`,
    );
  }
  const index = new Map<G, number>();
  const labels: string[] = [];
  const samples: number[][] = [];
  for (const level of levels ?? []) {
    index.set(level, samples.length);
    labels.push(String(level));
    samples.push([]);
  }
  for (let i = 0; i < values.length; i++) {
    const g = groups[i];
    if (g === null || g === undefined || (typeof g === 'number' && Number.isNaN(g))) continue;
    let j = index.get(g);
    if (j === undefined) {
      if (levels !== undefined) continue;
      j = samples.length;
      index.set(g, j);
      labels.push(String(g));
      samples.push([]);
    }
    (samples[j] as number[]).push(values[i] as number);
  }
  return { labels, samples };
}
