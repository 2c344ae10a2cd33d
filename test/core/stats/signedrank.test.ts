import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { signedRankExactCdf, wilcoxonSignedRank } from '../../../src/core/stats/signedrank.js';
import { ttestPaired } from '../../../src/core/stats/ttest.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok, readPsppCsv, readPsppCsvText } from './pspp.js';

// Goldens: test/goldens/r/signedrank.R -> test/goldens/signedrank.json (R wilcox.test(x, y, paired = TRUE),
// psignrank). Tolerance: 10 significant digits (V and the counts exactly).
const G = JSON.parse(
  readFileSync(new URL('../../goldens/signedrank.json', import.meta.url), 'utf8'),
  (_k, v) => (v === null ? Number.NaN : v),
);
const DIGITS = 10;

/** The x and y of a case: inline, or a data set from test/goldens/pspp as the R script reads it. */
function pairsOf(c: { x?: number[]; y?: number[]; data?: string }): [number[], number[]] {
  if (c.x && c.y) return [c.x, c.y];
  if (c.data === 'sleep') {
    const d = readPsppCsv('sleep.csv');
    const byGroup = (g: number) =>
      d
        .ID!.map((id, i) => [id, d.extra![i]!, d.group![i]!] as const)
        .filter((r) => r[2] === g)
        .sort((a, b) => a[0] - b[0])
        .map((r) => r[1]);
    return [byGroup(1), byGroup(2)];
  }
  if (c.data === 'anorexia_all' || c.data === 'anorexia_ft') {
    const d = readPsppCsv('anorexia.csv');
    const treat = readPsppCsvText('anorexia.csv').Treat!;
    const keep = (_: number, i: number) => c.data === 'anorexia_all' || treat[i] === 'FT';
    return [d.Postwt!.filter(keep), d.Prewt!.filter(keep)];
  }
  if (c.data === 'sim_phq9') {
    const d = readPsppCsv('signedrank_sim.csv');
    return [d.post!, d.pre!];
  }
  throw new Error(`unknown data ${c.data}`);
}

describe('wilcoxonSignedRank vs R wilcox.test(paired = TRUE) (test/goldens/r/signedrank.R)', () => {
  it(`the goldens come from ${G.R} and cover exact, ties, zeros, n = 60, real data and a simulation`, () => {
    const names = G.cases.map((c: { name: string }) => c.name);
    for (const n of ['n5_exact', 'n10_exact', 'n20_exact', 'ties', 'zeros', 'n60_auto_normal', 'sleep'])
      expect(names).toContain(n);
    expect(G.cases.length).toBeGreaterThan(50);
  });
  for (const c of G.cases) {
    it(`${c.name} (${c.alternative}, exact ${c.exact}, correct ${c.correct})`, () => {
      const [x, y] = pairsOf(c);
      const r = ok(
        wilcoxonSignedRank(x, y, {
          alternative: c.alternative,
          exact: c.exact,
          continuityCorrection: c.correct,
        }),
      );
      // V, the counts and the tie term are exact.
      expect(r.statistic).toBe(c.V);
      expect(r.vMinus).toBe((c.n * (c.n + 1)) / 2 - c.V);
      expect([r.n, r.pairs, r.zeros, r.positive]).toEqual([c.n, c.pairs, c.zeros, c.positive]);
      expect(r.ties.sumT3MinusT).toBe(c.tieSum);
      expect(r.exact).toBe(c.pIsExact);
      expectDigits(r.pValue, c.p, DIGITS, `${c.name} p`);
      expectDigits(r.z, c.z, DIGITS, `${c.name} z`);
      expectDigits(r.pValueAsymptotic, c.pAsymptotic, DIGITS, `${c.name} asymptotic p`);
      expectDigits(r.effectSizeR, c.r, DIGITS, `${c.name} r = z/√n`);
      expectDigits(r.rankBiserial, c.rankBiserial, DIGITS, `${c.name} rank-biserial`);
      // R's method name and warnings, in ours.
      expect(r.method.startsWith('Wilcoxon signed-rank test, exact')).toBe(c.method.includes('exact'));
      expect(r.method.includes('continuity correction')).toBe(c.method.includes('continuity correction'));
      const warned = c.warnings as string[];
      if (warned.some((w) => w.includes('ties'))) expect(r.exactNote).toMatch(/with ties/);
      if (warned.some((w) => w.includes('zeroes')))
        expect(r.exactNote).toMatch(/zeros \(\d+ pairs? with no change/);
      if (warned.length === 0) expect(r.exactNote).toBeUndefined();
    });
  }

  it('psignrank on a grid, both tails', () => {
    const { n, k, p } = G.psignrank as { n: number[]; k: number[]; p: number[] };
    n.forEach((nn, i) => {
      expectDigits(signedRankExactCdf(k[i]!, nn), p[i]!, DIGITS, `psignrank(${k[i]}, ${nn})`);
    });
  });
});

describe('wilcoxonSignedRank edge cases', () => {
  it('is not computable when every difference is 0, no pair is complete, or a value is infinite', () => {
    const zero = wilcoxonSignedRank([3, 4, 5], [3, 4, 5]);
    expect(isNotComputable(zero) && zero.reason).toMatch(/Every one of the 3 paired differences is 0/);
    const none = wilcoxonSignedRank([1, Number.NaN], [Number.NaN, 2]);
    expect(isNotComputable(none) && none.reason).toMatch(/no complete pair/);
    const inf = wilcoxonSignedRank([1, Number.POSITIVE_INFINITY], [0, 2]);
    expect(isNotComputable(inf) && inf.reason).toMatch(/infinite/);
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(/paired/);
    // @ts-expect-error: a wrong alternative is a programming error
    expect(() => wilcoxonSignedRank([1, 2], [0, 0], { alternative: 'two-sided' })).toThrow(/alternative/);
  });

  it('computes where the paired t-test cannot: every volunteer changed by the same amount', () => {
    // R 4.2.2: wilcox.test(c(9, 9, 9, 9, 9), c(0, 0, 0, 0, 0), paired = TRUE): V = 15, p = 0.036888425707049893.
    expect(isNotComputable(ttestPaired([9, 9, 9, 9, 9], [0, 0, 0, 0, 0]))).toBe(true);
    const r = ok(wilcoxonSignedRank([9, 9, 9, 9, 9], [0, 0, 0, 0, 0]));
    expect(r.statistic).toBe(15);
    expect(r.exact).toBe(false);
    expectDigits(r.pValue, 0.036888425707049893, DIGITS, 'p');
    expect(r.rankBiserial).toBe(1);
  });

  it('one non-zero difference: V is its rank, p as R (exact 1)', () => {
    const r = ok(wilcoxonSignedRank([2], [1]));
    expect([r.statistic, r.n, r.pValue, r.exact]).toEqual([1, 1, 1, true]);
  });

  it('the exact distribution sums to 1 and is symmetric', () => {
    for (const n of [1, 4, 9, 23]) {
      const total = (n * (n + 1)) / 2;
      expect(signedRankExactCdf(total, n)).toBe(1);
      expect(signedRankExactCdf(-1, n)).toBe(0);
      for (let k = 0; k < total; k++)
        expectDigits(signedRankExactCdf(k, n), 1 - signedRankExactCdf(total - k - 1, n), 13, `n ${n} k ${k}`);
    }
    // 2^-n for the extremes
    expect(signedRankExactCdf(0, 10)).toBe(2 ** -10);
  });
});
