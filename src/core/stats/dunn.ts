/**
 * Dunn's (1964) test: pairwise comparisons of mean ranks after a Kruskal–Wallis test (R `dunn.test::dunn.test`,
 * `FSA::dunnTest`, `PMCMRplus::kwAllPairsDunnTest`; SPSS's pairwise comparisons after K independent samples).
 *
 * All groups are ranked together (average ranks for ties), and for groups i < j
 *
 *   z = (R̄_j − R̄_i) / √( [N(N + 1)/12 − Σ(t³ − t)/(12(N − 1))] · (1/n_i + 1/n_j) ),
 *
 * the two-sided p = 2 P(Z > |z|), then adjusted over the k(k − 1)/2 comparisons with the chosen method (R
 * `p.adjust`). Pairs come in R's order — (2 − 1), (3 − 1), …, (k − 1), (3 − 2), … — as in `posthoc.ts`, with the
 * estimate = mean rank of the later group minus that of the earlier one. Empty groups are dropped.
 */
import { at, atNum } from './at.js';
import { normalTwoSided } from './distributions.js';
import { type PAdjustMethod, pAdjust } from './padjust.js';
import { groupRankSums } from './ranks.js';
import { type NotComputable, notComputable } from './result.js';

type DunnAdjust = 'none' | PAdjustMethod;

interface DunnOptions {
  /** Group labels in the order of the samples; default "Group 1", "Group 2", … */
  readonly labels?: readonly string[];
  /** Multiple-comparison adjustment of the pairwise p-values; default 'holm'. */
  readonly adjust?: DunnAdjust;
}

interface DunnComparison {
  /** "later − earlier", e.g. "B − A". */
  readonly comparison: string;
  readonly group1: string;
  readonly group2: string;
  /** Mean rank of group2 minus mean rank of group1. */
  readonly estimate: number;
  /** Standard error of the difference in mean ranks (with the tie correction). */
  readonly se: number;
  readonly statisticName: 'z';
  readonly statistic: number;
  /** Two-sided p before adjustment. */
  readonly pUnadjusted: number;
  /** p adjusted over all comparisons (equal to pUnadjusted with adjust 'none'). */
  readonly pValue: number;
}

export interface DunnResult {
  readonly method: string;
  readonly adjust: DunnAdjust;
  /** Number of groups with data. */
  readonly k: number;
  readonly n: number;
  /** Σ(t³ − t) over the tied groups of the pooled values. */
  readonly sumT3MinusT: number;
  readonly groups: readonly { readonly label: string; readonly n: number; readonly meanRank: number }[];
  readonly comparisons: readonly DunnComparison[];
}

/** Dunn's pairwise z tests of mean ranks; NotComputable with fewer than two groups or when every value is tied. */
export function dunnTest(
  samples: readonly ArrayLike<number>[],
  options: DunnOptions = {},
): DunnResult | NotComputable {
  if (options.labels && options.labels.length !== samples.length) {
    throw new RangeError(`dunnTest: ${options.labels.length} labels for ${samples.length} groups.`);
  }
  const adjust = options.adjust ?? 'holm';
  const ranks = groupRankSums(samples);
  const used: number[] = [];
  ranks.groupN.forEach((n, j) => {
    if (n > 0) used.push(j);
  });
  const n = ranks.n;
  if (used.length < 2) return notComputable("Dunn's test needs at least two groups with data.");
  // N(N+1)/12 − Σ(t³ − t)/(12(N − 1)): the variance of one rank, corrected for ties
  const rankVariance = (n * (n + 1)) / 12 - ranks.sumT3MinusT / (12 * (n - 1));
  if (!(rankVariance > 0)) return notComputable('All values are tied, so there is nothing to rank.');
  const groups = used.map((j) => ({
    label: options.labels?.[j] ?? `Group ${j + 1}`,
    n: atNum(ranks.groupN, j),
    meanRank: atNum(ranks.rankSums, j) / atNum(ranks.groupN, j),
  }));
  const raw: Omit<DunnComparison, 'pValue'>[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const a = at(groups, i);
      const b = at(groups, j);
      const estimate = b.meanRank - a.meanRank;
      const se = Math.sqrt(rankVariance * (1 / a.n + 1 / b.n));
      const z = estimate / se;
      raw.push({
        comparison: `${b.label} − ${a.label}`,
        group1: a.label,
        group2: b.label,
        estimate,
        se,
        statisticName: 'z',
        statistic: z,
        pUnadjusted: normalTwoSided(z),
      });
    }
  }
  const p = raw.map((c) => c.pUnadjusted);
  const adjusted = adjust === 'none' ? p : pAdjust(p, adjust).adjusted;
  return {
    method: "Dunn's test",
    adjust,
    k: groups.length,
    n,
    sumT3MinusT: ranks.sumT3MinusT,
    groups,
    comparisons: raw.map((c, i) => ({ ...c, pValue: atNum(adjusted, i) })),
  };
}
