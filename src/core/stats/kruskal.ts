/**
 * Kruskal–Wallis rank-sum test of k independent groups (R `kruskal.test`, SPSS NPAR TESTS /K-W) with the
 * ε² effect size.
 */
import { atNum } from './at.js';
import { chi2Sf } from './distributions.js';
import { groupRankSums } from './ranks.js';
import { type NotComputable, notComputable, type TestResult } from './result.js';

interface KruskalWallisOptions {
  /** Group labels in the order of the samples; default "Group 1", "Group 2", … */
  readonly labels?: readonly string[];
}

interface KruskalWallisResult extends TestResult {
  /** R prints it as "Kruskal-Wallis chi-squared"; SPSS as "Kruskal-Wallis H". */
  readonly statisticName: 'H';
  readonly df: number;
  /** Number of groups with data. */
  readonly k: number;
  /** Tie correction factor 1 − Σ(t³ − t)/(N³ − N) that H was divided by (1 without ties). */
  readonly tieCorrection: number;
  /** ε² = H / ((N² − 1)/(N + 1)) = H/(N − 1) (Tomczak & Tomczak 2014; rcompanion::epsilonSquared). */
  readonly epsilonSquared: number;
  /** η²_H = (H − k + 1)/(N − k) (rstatix::kruskal_effsize). */
  readonly etaSquaredH: number;
  readonly groups: readonly { readonly label: string; readonly n: number; readonly meanRank: number }[];
}

/**
 * H = [12/(N(N+1)) Σ R_j²/n_j − 3(N+1)] / [1 − Σ(t³ − t)/(N³ − N)] (computed from the centred mean ranks), df = k − 1, p = P(χ²_{k−1} > H) — as
 * `kruskal.test`. Missing values (NaN) are excluded; empty groups are dropped. NotComputable with fewer than two
 * groups with data or when every value is tied.
 */
export function kruskalWallis(
  samples: readonly ArrayLike<number>[],
  options: KruskalWallisOptions = {},
): KruskalWallisResult | NotComputable {
  if (options.labels && options.labels.length !== samples.length) {
    throw new RangeError(`kruskalWallis: ${options.labels.length} labels for ${samples.length} groups.`);
  }
  const ranks = groupRankSums(samples);
  const used: number[] = [];
  ranks.groupN.forEach((n, j) => {
    if (n > 0) used.push(j);
  });
  const k = used.length;
  const n = ranks.n;
  if (k < 2) return notComputable('The Kruskal–Wallis test needs at least two groups with data.');
  const tieCorrection = 1 - ranks.sumT3MinusT / (n * n * n - n);
  if (!(tieCorrection > 0)) return notComputable('All values are tied, so there is nothing to rank.');
  // 12/(N(N+1)) Σ n_j (R̄_j − (N+1)/2)², algebraically R's 12/(N(N+1)) Σ R_j²/n_j − 3(N+1) without its cancellation
  const centre = (n + 1) / 2;
  let s = 0;
  for (const j of used)
    s += atNum(ranks.groupN, j) * (atNum(ranks.rankSums, j) / atNum(ranks.groupN, j) - centre) ** 2;
  const h = ((12 / (n * (n + 1))) * s) / tieCorrection;
  const df = k - 1;
  return {
    method: 'Kruskal–Wallis rank-sum test',
    statisticName: 'H',
    statistic: h,
    df,
    pValue: chi2Sf(h, df),
    alternative: 'two.sided',
    n,
    k,
    tieCorrection,
    epsilonSquared: h / (n - 1),
    etaSquaredH: (h - k + 1) / (n - k),
    groups: used.map((j) => ({
      label: options.labels?.[j] ?? `Group ${j + 1}`,
      n: atNum(ranks.groupN, j),
      meanRank: atNum(ranks.rankSums, j) / atNum(ranks.groupN, j),
    })),
  };
}
