/**
 * Post-hoc pairwise comparisons after a one-way ANOVA: Tukey's HSD (equal variances; R `TukeyHSD(aov(y ~ g))`,
 * SPSS ONEWAY /POSTHOC=TUKEY) and Games–Howell (unequal variances; `rstatix::games_howell_test`, SPSS
 * /POSTHOC=GH), both on the studentized range distribution ({@link ptukeyUpper}, {@link qtukey}).
 *
 * Pairs come in R's order — (2 − 1), (3 − 1), …, (k − 1), (3 − 2), … — with `estimate` = mean of the later group
 * minus mean of the earlier one. Empty groups are dropped (as R drops unused levels); k is the number of groups
 * with data.
 */

import { oneWayAnova } from './anova.js';
import { at } from './at.js';
import { type Interval, isNotComputable, type NotComputable, notComputable } from './result.js';
import { ptukeyUpper, qtukey } from './studentizedrange.js';
import { meanAndSS } from './summation.js';

interface PostHocOptions {
  /** Group labels in the order of the samples; default "Group 1", "Group 2", … */
  readonly labels?: readonly string[];
  /** Family-wise confidence level of the intervals; default 0.95. */
  readonly level?: number;
}

interface PairwiseComparison {
  /** "later − earlier", e.g. "B − A". */
  readonly comparison: string;
  readonly group1: string;
  readonly group2: string;
  /** mean(group2) − mean(group1). */
  readonly estimate: number;
  /**
   * Standard error of the difference as SPSS prints it: √(MSE (1/n₁ + 1/n₂)) for Tukey, √(s₁²/n₁ + s₂²/n₂) for
   * Games–Howell. The studentized range statistic divides by SE/√2.
   */
  readonly se: number;
  readonly statisticName: 'q';
  /** Studentized range statistic q = |estimate| / (SE/√2). */
  readonly statistic: number;
  readonly df: number;
  /** Adjusted p-value P(Q_{k,df} > q). */
  readonly pValue: number;
  /** estimate ± qtukey(level, k, df) · SE/√2 (simultaneous). */
  readonly ci: Interval;
}

interface PostHocResult {
  readonly method: string;
  /** Number of groups with data. */
  readonly k: number;
  readonly n: number;
  readonly comparisons: readonly PairwiseComparison[];
}

interface GroupData {
  label: string;
  n: number;
  mean: number;
  variance: number;
}

function groupData(samples: readonly ArrayLike<number>[], labels?: readonly string[]): GroupData[] {
  if (labels && labels.length !== samples.length) {
    throw new RangeError(`post-hoc test: ${labels.length} labels for ${samples.length} groups.`);
  }
  const out: GroupData[] = [];
  samples.forEach((s, j) => {
    const v = Array.from(s as ArrayLike<number>).filter((x) => !Number.isNaN(x));
    if (v.length === 0) return;
    const m = meanAndSS(v);
    out.push({
      label: labels?.[j] ?? `Group ${j + 1}`,
      n: v.length,
      mean: m.mean,
      variance: v.length > 1 ? m.ss / (v.length - 1) : Number.NaN,
    });
  });
  return out;
}

function pairs(k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push([i, j]);
  return out;
}

function comparison(
  a: GroupData,
  b: GroupData,
  se: number,
  df: number,
  k: number,
  level: number,
  qCrit: number,
): PairwiseComparison {
  const estimate = b.mean - a.mean;
  const scale = se / Math.SQRT2;
  const statistic = Math.abs(estimate) / scale;
  return {
    comparison: `${b.label} − ${a.label}`,
    group1: a.label,
    group2: b.label,
    estimate,
    se,
    statisticName: 'q',
    statistic,
    df,
    pValue: ptukeyUpper(statistic, k, df),
    ci: { lower: estimate - qCrit * scale, upper: estimate + qCrit * scale, level },
  };
}

/**
 * Tukey's honestly significant difference test (Tukey–Kramer for unequal n), as R `TukeyHSD(aov(y ~ g))`:
 * q = |m₂ − m₁| / √(MSE/2 · (1/n₁ + 1/n₂)), df = N − k, p = P(Q_{k,N−k} > q). NotComputable when the ANOVA is
 * (fewer than two groups with data, no within-group variation).
 */
export function tukeyHSD(
  samples: readonly ArrayLike<number>[],
  options: PostHocOptions = {},
): PostHocResult | NotComputable {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`tukeyHSD: level must be in (0, 1), got ${level}.`);
  const aov = oneWayAnova(samples, options.labels ? { labels: options.labels } : {});
  if (isNotComputable(aov)) return aov;
  const groups = groupData(samples, options.labels);
  const k = groups.length;
  const df = aov.dfWithin;
  const qCrit = qtukey(level, k, df);
  const comparisons = pairs(k).map(([i, j]) => {
    const a = at(groups, i);
    const b = at(groups, j);
    return comparison(a, b, Math.sqrt(aov.msWithin * (1 / a.n + 1 / b.n)), df, k, level, qCrit);
  });
  return { method: "Tukey's HSD (Tukey–Kramer)", k, n: aov.n, comparisons };
}

/**
 * Games–Howell test (Games & Howell 1976), as `rstatix::games_howell_test`: for each pair,
 * SE = √(s₁²/n₁ + s₂²/n₂), Welch df = SE⁴ / Σ (s²/n)²/(n − 1), q = |m₂ − m₁| / (SE/√2), p = P(Q_{k,df} > q),
 * CI = estimate ± qtukey(level, k, df) · SE/√2. NotComputable when a group has fewer than two values or a
 * pair has no variance.
 */
export function gamesHowell(
  samples: readonly ArrayLike<number>[],
  options: PostHocOptions = {},
): PostHocResult | NotComputable {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`gamesHowell: level must be in (0, 1), got ${level}.`);
  const groups = groupData(samples, options.labels);
  const k = groups.length;
  if (k < 2) return notComputable('The Games–Howell test needs at least two groups with data.');
  const small = groups.find((g) => g.n < 2);
  if (small) {
    return notComputable(
      `The Games–Howell test needs at least 2 values per group; ${small.label} has ${small.n}.`,
    );
  }
  const comparisons: PairwiseComparison[] = [];
  for (const [i, j] of pairs(k)) {
    const a = at(groups, i);
    const b = at(groups, j);
    const va = a.variance / a.n;
    const vb = b.variance / b.n;
    if (!(va + vb > 0)) {
      return notComputable(
        `${a.label} and ${b.label} both have no variation, so their difference has no SE.`,
      );
    }
    const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
    comparisons.push(comparison(a, b, Math.sqrt(va + vb), df, k, level, qtukey(level, k, df)));
  }
  let n = 0;
  for (const g of groups) n += g.n;
  return { method: 'Games–Howell test', k, n, comparisons };
}
