import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mannWhitney, rankSumExactCdf } from '../../../src/core/stats/mannwhitney.js';
import { averageRanks, groupRankSums } from '../../../src/core/stats/ranks.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { expectPrinted, ok, psppTables } from './pspp.js';

// Goldens: test/goldens/r/stats_b1.R (R wilcox.test) and test/goldens/pspp/mannwhitney.sps (PSPP NPAR TESTS /M-W).
const G = JSON.parse(
  readFileSync(new URL('../../goldens/stats_b1.json', import.meta.url), 'utf8'),
  (_k, v) => (v === null ? Number.NaN : v),
);

describe('mannWhitney vs R wilcox.test', () => {
  for (const c of G.mannWhitney) {
    it(c.name, () => {
      const r = ok(
        mannWhitney(c.x, c.y, {
          alternative: c.alternative,
          exact: c.exact,
          continuityCorrection: c.correct,
        }),
      );
      expect(r.statistic).toBe(c.W); // counts and rank sums are exact
      expect(r.uX).toBe(c.W);
      expect(r.uY).toBe(c.n[0] * c.n[1] - c.W);
      expect(r.groups.map((g) => g.n)).toEqual(c.n);
      expect(r.groups.map((g) => g.rankSum)).toEqual(c.rankSums);
      expect(r.n).toBe(c.n[0] + c.n[1]);
      expect(r.ties.sumT3MinusT).toBe(c.tieSum);
      expect(r.exact).toBe(c.pIsExact);
      expectDigits(r.pValue, c.p, 11, 'p');
      expectDigits(r.z, c.z, 12, 'z');
      expectDigits(r.pValueAsymptotic, c.pAsymptotic, 11, 'asymptotic p');
      expectDigits(r.effectSizeR, c.r, 12, 'r = z/√N');
      if (typeof c.warning === 'string') {
        // R: "cannot compute exact p-value with ties"
        expect(r.exactNote).toMatch(/Cannot compute an exact p-value with ties/);
      } else {
        expect(r.exactNote).toBeUndefined();
      }
      expect(r.method).toMatch(
        c.pIsExact ? /exact/ : c.correct ? /continuity correction/ : /tie correction$/,
      );
    });
  }
});

describe('rankSumExactCdf (R pwilcox)', () => {
  it('small cases by enumeration', () => {
    // n1 = 2, n2 = 2: U ∈ {0,1,2,2,3,4}/6 → P(U ≤ k) = 1/6, 2/6, 4/6, 5/6, 1
    expect([0, 1, 2, 3, 4].map((k) => rankSumExactCdf(k, 2, 2) * 6)).toEqual([1, 2, 4, 5, 6].map((v) => v));
    expect(rankSumExactCdf(-1, 3, 4)).toBe(0);
    expect(rankSumExactCdf(12, 3, 4)).toBe(1);
    // symmetric: P(U ≤ k) + P(U ≤ mn − k − 1) = 1
    expectDigits(rankSumExactCdf(20, 7, 9) + rankSumExactCdf(7 * 9 - 21, 7, 9), 1, 15, 'symmetry');
  });
});

describe('mannWhitney options and degenerate inputs', () => {
  const x = [1.2, 3.4, 2.2, 5.1, 0.3];
  const y = [4.4, 6.1, 2.9, 7.7, 5.5, 8.2];

  it("exact: 'auto' is exact for small samples without ties, false forces the approximation", () => {
    expect(ok(mannWhitney(x, y)).exact).toBe(true);
    const a = ok(mannWhitney(x, y, { exact: false }));
    expect(a.exact).toBe(false);
    expect(a.pValueExact).toBeUndefined();
    expect(a.pValue).toBe(a.pValueAsymptotic);
    expect(a.options).toEqual({ alternative: 'two.sided', exact: false, continuityCorrection: true });
  });

  it('explains a fallback when the exact distribution is too large', () => {
    const big1 = Float64Array.from({ length: 400 }, (_, i) => i * 1.001);
    const big2 = Float64Array.from({ length: 450 }, (_, i) => i * 1.002 + 0.5);
    const r = ok(mannWhitney(big1, big2, { exact: true }));
    expect(r.exact).toBe(false);
    expect(r.exactNote).toMatch(/too large/);
  });

  it('NotComputable: empty group, all values tied, infinite values', () => {
    const a = mannWhitney([1, 2], [Number.NaN]);
    expect(isNotComputable(a) && a.reason).toMatch(/Group 2 has no non-missing values/);
    const b = mannWhitney([3, 3], [3, 3, 3]);
    expect(isNotComputable(b) && b.reason).toMatch(/All 5 values are equal/);
    const c = mannWhitney([1, Number.POSITIVE_INFINITY], [2]);
    expect(isNotComputable(c) && c.reason).toMatch(/infinite/);
  });

  it('1,000,000 values: rank sums and tie counts are exact (Likert-like data)', () => {
    const n = 500_000;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = (i % 5) + 1;
      b[i] = (i % 4) + 1;
    }
    const r = ok(mannWhitney(a, b));
    // Pooled counts per value v = 1..5: a has 100000 each; b has 125000 each of 1..4.
    const counts = [225000, 225000, 225000, 225000, 100000];
    let below = 0;
    let r1 = 0;
    let ties = 0;
    for (let v = 0; v < 5; v++) {
      const mid = below + (counts[v]! + 1) / 2;
      r1 += 100000 * mid;
      ties += counts[v]! ** 3 - counts[v]!;
      below += counts[v]!;
    }
    expect(r.groups[0].rankSum).toBe(r1);
    expectDigits(r.ties.sumT3MinusT, ties, 15, 'Σ(t³ − t)');
    expect(r.ties.tiedGroups).toBe(5);
    expect(r.exact).toBe(false);
  });
});

describe('ranks', () => {
  it('averageRanks matches R rank(ties.method = "average", na.last = "keep")', () => {
    // R: rank(c(10, 20, 10, NA, 5, 20, 20), na.last = "keep") → 2.5 5 2.5 NA 1 5 5
    const r = averageRanks([10, 20, 10, Number.NaN, 5, 20, 20]);
    expect(Array.from(r.ranks)).toEqual([2.5, 5, 2.5, Number.NaN, 1, 5, 5]);
    expect(r.n).toBe(6);
    expect(r.tiedGroups).toBe(2);
    expect(r.sumT3MinusT).toBe(6 + 24);
    expect(r.largestTie).toBe(3);
  });

  it('groupRankSums ranks k groups together', () => {
    const r = groupRankSums([[1, 2], [2, 3, Number.NaN], [0]]);
    expect(r.groupN).toEqual([2, 2, 1]);
    // pooled sorted 0 1 2 2 3 → ranks 1, 2, 3.5, 3.5, 5
    expect(r.rankSums).toEqual([2 + 3.5, 3.5 + 5, 1]);
    expect(r.n).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------------------
// PSPP NPAR TESTS /M-W (SET FORMAT=F20.12; Sig. printed with 3 decimals). PSPP prints U = min(U_x, U_y),
// W = rank sum of the group with the smaller mean rank, Z = −|z| without continuity correction.

describe('agrees with PSPP NPAR TESTS /M-W (test/goldens/pspp/mannwhitney.out.csv)', () => {
  const tables = psppTables('mannwhitney.out.csv');
  const data = readFileSync(new URL('../../goldens/pspp/mannwhitney_data.txt', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) =>
      l
        .trim()
        .split(/\s+/)
        .map((v) => (v === '.' ? Number.NaN : Number(v))),
    );
  const col = (g: number, k: number): number[] => data.filter((r) => r[0] === g).map((r) => r[k]!);

  for (const [order, ti] of [
    ['g(1,2)', 0],
    ['g(2,1)', 1],
  ] as const) {
    for (const [name, k] of [
      ['x', 1],
      ['y', 2],
    ] as const) {
      it(`${name} BY ${order}`, () => {
        const [first, second] = order === 'g(1,2)' ? [1, 2] : [2, 1];
        const r = ok(
          mannWhitney(col(first, k), col(second, k), { continuityCorrection: false, exact: false }),
        );
        const ranks = tables.filter((t) => t.title === 'Ranks')[ti]!.rows;
        const start = ranks.findIndex((row) => row[0] === name);
        for (let i = 0; i < 2; i++) {
          const row = ranks[start + i]!;
          expect(Number(row[2])).toBe(r.groups[i]!.n);
          expectPrinted(r.groups[i]!.meanRank, row[3]!, 12, `${name} mean rank ${i + 1}`);
          expectPrinted(r.groups[i]!.rankSum, row[4]!, 12, `${name} rank sum ${i + 1}`);
        }
        const stats = tables
          .filter((t) => t.title === 'Test Statistics')
          [ti]!.rows.find((row) => row[0] === name)!;
        expectPrinted(r.uMin, stats[1]!, 12, 'Mann-Whitney U');
        expectPrinted(r.wMinRankSum, stats[2]!, 12, 'Wilcoxon W');
        expectPrinted(-Math.abs(r.z), stats[3]!, 12, 'Z');
        expectPrinted(r.pValue, stats[4]!, 3, 'Asymp. Sig. (2-tailed)');
      });
    }
  }
});
