/**
 * Mann–Whitney U / Wilcoxon rank-sum test for two independent samples.
 *
 * Both samples are ranked together (average ranks for ties). With R1 the rank sum of x,
 * W = U_x = R1 − n1(n1 + 1)/2 is the number of pairs (x_i, y_j) with x_i > y_j (ties count ½) — the statistic
 * R `wilcox.test(x, y)` reports as W. SPSS/PSPP NPAR TESTS /M-W print U = min(U_x, U_y) and, as "Wilcoxon W",
 * the rank sum of the group with the smaller mean rank; both are in the result (`uMin`, `wMinRankSum`).
 *
 * p-values:
 * - exact (R `exact = TRUE`): the null distribution of U without ties, by dynamic programming over sample sizes;
 *   two-sided p = min(1, 2·min(P(U ≤ u), P(U ≥ u))) as R's `pwilcox`-based rule. With ties an exact p is not
 *   available (as R warns, "cannot compute exact p-value with ties") and the normal approximation is used,
 *   with the reason in `exactNote`.
 * - normal approximation with tie correction:
 *   z = (U_x − n1 n2/2 − c) / σ,  σ² = n1 n2/12 · [(N + 1) − Σ(t³ − t)/(N(N − 1))],
 *   where c is the continuity correction: ±½ towards zero when `continuityCorrection` is true (R `correct = TRUE`,
 *   the default), 0 when false (SPSS/PSPP "Asymp. Sig.").
 *
 * `z` keeps the direction of x (negative when x tends to be smaller); SPSS prints −|z|. The effect size is
 * r = z/√N with that z.
 */
import { atF64, atNum } from './at.js';
import {
  groupRankSums,
  type RankTestOptions,
  type RankTestOutcome,
  rankNormalApproximation,
  rankTestMethod,
} from './ranks.js';
import { checkAlternative, type NotComputable, notComputable, type TestResult } from './result.js';

/** Rank statistics of one group, as SPSS prints in "Ranks". */
interface RankGroup {
  readonly n: number;
  readonly rankSum: number;
  readonly meanRank: number;
}

interface MannWhitneyResult extends TestResult, RankTestOutcome {
  readonly statisticName: 'W';
  /** R's W = U_x = R1 − n1(n1 + 1)/2. */
  readonly statistic: number;
  /** U of x (= statistic) and U of y = n1 n2 − U_x. */
  readonly uX: number;
  readonly uY: number;
  /** min(U_x, U_y): SPSS/PSPP "Mann-Whitney U". */
  readonly uMin: number;
  /** Rank sum of the group with the smaller mean rank (x when equal): SPSS/PSPP "Wilcoxon W". */
  readonly wMinRankSum: number;
  readonly groups: readonly [RankGroup, RankGroup];
}

/** Upper limit on the work (array cell updates) of the exact distribution: ~0.3 s. */
const MAX_EXACT_WORK = 2e8;

/** Work needed for P(U ≤ k) with sample sizes n1, n2. */
function exactWork(k: number, n1: number, n2: number): number {
  const kk = Math.min(k, n1 * n2 - k);
  return n1 * n2 * (Math.max(kk, 0) + 1);
}

/**
 * P(U ≤ k) under H0 without ties, U the Mann–Whitney count for sample sizes n1, n2 (R `pwilcox(k, n1, n2)`).
 *
 * Recurrence on the largest of the i + j observations: it belongs to the first sample with probability
 * i/(i + j) and then exceeds all j of the second, so P_{i,j}(u) = i/(i+j)·P_{i−1,j}(u − j) + j/(i+j)·P_{i,j−1}(u),
 * P_{i,0} = P_{0,j} = δ_0. Only u ≤ k is kept; all weights are positive, so there is no cancellation.
 */
export function rankSumExactCdf(k: number, n1: number, n2: number): number {
  const mn = n1 * n2;
  if (k < 0) return 0;
  if (k >= mn) return 1;
  k = Math.floor(k);
  // The distribution is symmetric about mn/2: use the shorter tail.
  if (k > mn / 2) return 1 - rankSumExactCdf(mn - k - 1, n1, n2);
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const width = k + 1;
  const p = new Float64Array((m + 1) * width);
  for (let i = 0; i <= m; i++) p[i * width] = 1;
  for (let j = 1; j <= n; j++) {
    for (let i = 1; i <= m; i++) {
      const wx = i / (i + j);
      const wy = j / (i + j);
      const row = i * width;
      const prev = (i - 1) * width - j;
      const split = Math.min(j, width);
      for (let u = 0; u < split; u++) p[row + u] = wy * atF64(p, row + u);
      for (let u = split; u < width; u++) p[row + u] = wy * atF64(p, row + u) + wx * atF64(p, prev + u);
    }
  }
  let s = 0;
  const last = m * width;
  for (let u = 0; u < width; u++) s += atF64(p, last + u);
  return Math.min(1, s);
}

/**
 * Mann–Whitney U / Wilcoxon rank-sum test of x versus y (NaN missing, dropped per group). Matches R
 * `wilcox.test(x, y, alternative, exact, correct)`; with `continuityCorrection: false` the z and asymptotic p
 * match SPSS/PSPP NPAR TESTS /M-W. Not computable when a group has no values or every value is tied.
 *
 * @example mannWhitney([1.1, 2.3, 0.4], [3.5, 2.9, 4.1, 5.0]).pValue  // exact, as R
 */
export function mannWhitney(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: RankTestOptions = {},
): MannWhitneyResult | NotComputable {
  const alternative = checkAlternative(options.alternative ?? 'two.sided');
  const exactOpt = options.exact ?? 'auto';
  const continuityCorrection = options.continuityCorrection ?? true;
  for (const v of [x, y]) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === Number.POSITIVE_INFINITY || v[i] === Number.NEGATIVE_INFINITY) {
        // Infinite values rank fine, but they are almost always a data error upstream.
        return notComputable(`Group ${v === x ? 1 : 2} contains an infinite value (${v[i]}).`);
      }
    }
  }
  const r = groupRankSums([x, y]);
  const n1 = atNum(r.groupN, 0);
  const n2 = atNum(r.groupN, 1);
  if (n1 === 0 || n2 === 0) {
    return notComputable(
      `Group ${n1 === 0 ? 1 : 2} has no non-missing values; the rank-sum test needs both groups.`,
    );
  }
  const N = n1 + n2;
  if (r.largestTie === N) {
    return notComputable(
      `All ${N} values are equal, so the ranks carry no information and the test is undefined.`,
    );
  }
  const r1 = atNum(r.rankSums, 0);
  const r2 = atNum(r.rankSums, 1);
  const mn = n1 * n2;
  const uX = r1 - (n1 * (n1 + 1)) / 2;
  const uY = mn - uX;
  const mean1 = r1 / n1;
  const mean2 = r2 / n2;

  // Normal approximation with tie correction.
  const sigma = Math.sqrt((mn / 12) * (N + 1 - r.sumT3MinusT / (N * (N - 1))));
  const { z, p: pAsym } = rankNormalApproximation(uX - mn / 2, sigma, alternative, continuityCorrection);

  // Exact distribution when wanted and possible.
  const hasTies = r.tiedGroups > 0;
  const wantExact = exactOpt === 'auto' ? n1 < 50 && n2 < 50 : exactOpt;
  let pExact: number | undefined;
  let exactNote: string | undefined;
  if (wantExact) {
    if (hasTies) {
      exactNote =
        `Cannot compute an exact p-value with ties (${r.tiedGroups} group${r.tiedGroups === 1 ? '' : 's'} of ` +
        'tied values); the normal approximation with tie correction is used instead.';
    } else {
      // The tail needed: P(U ≤ k) for the smaller side.
      const k = alternative === 'greater' || (alternative === 'two.sided' && uX > mn / 2) ? mn - uX : uX;
      if (exactWork(k, n1, n2) > MAX_EXACT_WORK) {
        exactNote =
          `The exact distribution for n1 = ${n1} and n2 = ${n2} is too large to compute here; ` +
          'the normal approximation is used instead (it is very accurate at these sizes).';
      } else if (alternative === 'two.sided') {
        pExact = Math.min(1, 2 * rankSumExactCdf(k, n1, n2));
      } else {
        // 'greater': P(U_x ≥ u) = P(U ≤ mn − u) by symmetry; 'less': P(U_x ≤ u).
        pExact = rankSumExactCdf(k, n1, n2);
      }
    }
  }
  const exact = pExact !== undefined;
  const method = rankTestMethod('Wilcoxon rank-sum test (Mann–Whitney U)', exact, continuityCorrection);
  return {
    method,
    statisticName: 'W',
    statistic: uX,
    pValue: pExact ?? pAsym,
    alternative,
    n: N,
    uX,
    uY,
    uMin: Math.min(uX, uY),
    wMinRankSum: mean2 < mean1 ? r2 : r1,
    z,
    exact,
    ...(pExact !== undefined ? { pValueExact: pExact } : {}),
    pValueAsymptotic: pAsym,
    ...(exactNote !== undefined ? { exactNote } : {}),
    groups: [
      { n: n1, rankSum: r1, meanRank: mean1 },
      { n: n2, rankSum: r2, meanRank: mean2 },
    ],
    ties: { tiedGroups: r.tiedGroups, sumT3MinusT: r.sumT3MinusT, largestTie: r.largestTie },
    effectSizeR: z / Math.sqrt(N),
    options: { alternative, exact: exactOpt, continuityCorrection },
  };
}
