/**
 * Wilcoxon signed-rank test for paired samples, as R `wilcox.test(x, y, paired = TRUE)`.
 *
 * The differences d = x − y are taken over the complete pairs (NaN in either member drops the pair). Differences
 * of exactly 0 are dropped before ranking, as R does (Wilcoxon's original treatment; R has no other: its
 * `wilcox.test` has no `zero.method`, unlike coin's `wilcoxsign_test`, whose default is Pratt's), and n is the
 * number of non-zero differences. The |d| are ranked (average ranks for ties, src/core/stats/ranks.ts) and
 * V = the sum of the ranks of the positive differences — R's V (SPSS prints the sums of the positive and the
 * negative ranks, V and n(n + 1)/2 − V).
 *
 * p-values:
 * - exact (R's default when n < 50): P(V ≤ k) = #{subsets of 1..n with sum ≤ k}/2ⁿ, R `psignrank`. Two-sided
 *   p = min(1, 2·P(V ≥ v)) when v > n(n + 1)/4, else min(1, 2·P(V ≤ v)). Not available with tied |d| or with
 *   zeros (R warns "cannot compute exact p-value with ties" / "… with zeroes"); then the normal approximation
 *   is used and `exactNote` says why.
 * - normal approximation: z = (V − n(n + 1)/4 − c)/σ, σ² = n(n + 1)(2n + 1)/24 − Σ(t³ − t)/48 over the groups of t
 *   tied |d|, c the continuity correction (R `correct = TRUE`, the default: ½ towards the mean).
 *
 * `z` is always the normal approximation's (R prints none for an exact test); it is positive when x tends to be
 * larger than y. Effect sizes: r = z/√n with that z and n the non-zero differences (Rosenthal 1991; as
 * rstatix::wilcox_effsize with the continuity-corrected z), and the matched-pairs rank-biserial correlation
 * r_rb = (V − V⁻)/(V + V⁻), V⁻ the sum of the ranks of the negative differences (Kerby 2014): the share of
 * favourable minus unfavourable rank mass, from −1 (every pair fell) to 1 (every pair rose).
 */
import { at, atF64, atNum } from './at.js';
import {
  averageRanks,
  type RankTestOptions,
  type RankTestOutcome,
  rankNormalApproximation,
  rankTestMethod,
} from './ranks.js';
import {
  type Alternative,
  checkAlternative,
  type NotComputable,
  notComputable,
  type TestResult,
} from './result.js';

interface SignedRankResult extends TestResult, RankTestOutcome {
  readonly statisticName: 'V';
  /** R's V: the sum of the ranks of |d| over the positive differences d = x − y. */
  readonly statistic: number;
  /** The sum of the ranks of the negative differences, n(n + 1)/2 − V. */
  readonly vMinus: number;
  /** Non-zero differences: the n of the test. */
  readonly n: number;
  /** Complete pairs, zeros included. */
  readonly pairs: number;
  /** Pairs with a difference of exactly 0, dropped. */
  readonly zeros: number;
  /** Non-zero differences that are positive and negative. */
  readonly positive: number;
  readonly negative: number;
  /** Matched-pairs rank-biserial correlation (V − V⁻)/(V + V⁻). */
  readonly rankBiserial: number;
}

/** Upper limit on the work (array cell updates) of the exact distribution, as for the rank-sum test. */
const MAX_EXACT_WORK = 2e8;

/**
 * P(V ≤ k) under H0 for n non-zero differences without ties (R `psignrank(k, n)`): each rank 1..n is positive
 * with probability ½ independently, so P_j(s) = (P_{j−1}(s) + P_{j−1}(s − j))/2, P_0 = δ_0. Only s ≤ k is kept, k
 * the shorter tail (the distribution is symmetric about n(n + 1)/4); all weights are positive.
 */
export function signedRankExactCdf(k: number, n: number): number {
  const total = (n * (n + 1)) / 2;
  if (k < 0) return 0;
  if (k >= total) return 1;
  k = Math.floor(k);
  if (k > total / 2) return 1 - signedRankExactCdf(total - k - 1, n);
  const p = new Float64Array(k + 1);
  p[0] = 1;
  for (let j = 1; j <= n; j++) {
    for (let s = k; s >= j; s--) p[s] = 0.5 * (atF64(p, s) + atF64(p, s - j));
    for (let s = Math.min(j - 1, k); s >= 0; s--) p[s] = 0.5 * atF64(p, s);
  }
  let sum = 0;
  for (let s = 0; s <= k; s++) sum += atF64(p, s);
  return Math.min(1, sum);
}

/** The exact p of V = v for n differences (R's rule for each alternative), or undefined when too large. */
function exactP(v: number, n: number, alternative: Alternative): number | undefined {
  const total = (n * (n + 1)) / 2;
  // P(V ≥ v) = P(V ≤ total − v) by symmetry.
  const upper = alternative === 'greater' || (alternative === 'two.sided' && v > total / 2);
  const k = upper ? total - v : v;
  if (n * (Math.min(k, total - k) + 1) > MAX_EXACT_WORK) return undefined;
  const tail = signedRankExactCdf(k, n);
  return alternative === 'two.sided' ? Math.min(1, 2 * tail) : tail;
}

/**
 * Wilcoxon signed-rank test of the paired samples x and y (equal length; a pair with NaN is dropped). Matches R
 * `wilcox.test(x, y, paired = TRUE, alternative, exact, correct)`. Not computable when no pair is left, a value
 * is infinite, or every difference is 0 (R returns NaN then).
 *
 * @example wilcoxonSignedRank([9, 0, 9, 4, 7], [18, 18, 18, 10, 6]).pValue  // exact, as R
 */
export function wilcoxonSignedRank(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: RankTestOptions = {},
): SignedRankResult | NotComputable {
  if (x.length !== y.length) {
    throw new RangeError(
      `Signed-rank test: x has ${x.length} values but y has ${y.length}; they must be paired.`,
    );
  }
  const alternative = checkAlternative(options.alternative ?? 'two.sided');
  const exactOpt = options.exact ?? 'auto';
  const continuityCorrection = options.continuityCorrection ?? true;
  const d: number[] = [];
  let pairs = 0;
  for (let i = 0; i < x.length; i++) {
    const a = at(x, i);
    const b = at(y, i);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      return notComputable(`Pair ${i + 1} contains an infinite value; the signed-rank test is undefined.`);
    }
    pairs++;
    const diff = a - b;
    if (diff !== 0) d.push(diff);
  }
  if (pairs === 0)
    return notComputable('There is no complete pair; the signed-rank test needs at least one.');
  const n = d.length;
  const zeros = pairs - n;
  if (n === 0) {
    return notComputable(
      `Every one of the ${pairs} paired differences is 0, so there is nothing to rank and the test is undefined.`,
    );
  }
  const r = averageRanks(d.map(Math.abs));
  let v = 0;
  let positive = 0;
  for (let i = 0; i < n; i++) {
    if (atNum(d, i) > 0) {
      v += atF64(r.ranks, i);
      positive++;
    }
  }
  const total = (n * (n + 1)) / 2;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - r.sumT3MinusT / 48);
  const { z, p: pAsym } = rankNormalApproximation(v - total / 2, sigma, alternative, continuityCorrection);

  const wantExact = exactOpt === 'auto' ? n < 50 : exactOpt;
  let pExact: number | undefined;
  let exactNote: string | undefined;
  if (wantExact) {
    const why: string[] = [];
    if (r.tiedGroups > 0)
      why.push(`ties (${r.tiedGroups} group${r.tiedGroups === 1 ? '' : 's'} of tied absolute differences)`);
    if (zeros > 0) why.push(`zeros (${zeros} pair${zeros === 1 ? '' : 's'} with no change, dropped)`);
    if (why.length > 0) {
      exactNote = `Cannot compute an exact p-value with ${why.join(' or ')}; the normal approximation with tie correction is used instead.`;
    } else {
      pExact = exactP(v, n, alternative);
      if (pExact === undefined)
        exactNote = `The exact distribution for n = ${n} is too large to compute here; the normal approximation is used instead.`;
    }
  }
  const exact = pExact !== undefined;
  const method = rankTestMethod('Wilcoxon signed-rank test', exact, continuityCorrection);
  const vMinus = total - v;
  return {
    method,
    statisticName: 'V',
    statistic: v,
    pValue: pExact ?? pAsym,
    alternative,
    n,
    vMinus,
    pairs,
    zeros,
    positive,
    negative: n - positive,
    z,
    exact,
    ...(pExact !== undefined ? { pValueExact: pExact } : {}),
    pValueAsymptotic: pAsym,
    ...(exactNote !== undefined ? { exactNote } : {}),
    ties: { tiedGroups: r.tiedGroups, sumT3MinusT: r.sumT3MinusT, largestTie: r.largestTie },
    effectSizeR: z / Math.sqrt(n),
    rankBiserial: (v - vMinus) / total,
    options: { alternative, exact: exactOpt, continuityCorrection },
  };
}
