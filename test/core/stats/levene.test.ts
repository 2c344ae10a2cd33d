import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { levene } from '../../../src/core/stats/levene.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';

// Goldens: test/goldens/r/stats_b1.R — anova(lm(|x − centre| ~ group)), centre = mean (SPSS) or median
// (car::leveneTest's default; cross-checked there against car when it is installed).
const G = JSON.parse(
  readFileSync(new URL('../../goldens/stats_b1.json', import.meta.url), 'utf8'),
  (_k, v) => (v === null ? Number.NaN : v),
);

describe('levene vs R (k = 2, 3, 4; center mean and median)', () => {
  for (const c of G.levene) {
    for (const center of ['mean', 'median'] as const) {
      it(`${c.name}, center = ${center}`, () => {
        const r = levene(c.groups, { center });
        if (isNotComputable(r)) throw new Error(r.reason);
        const want = c[center];
        expectDigits(r.statistic, want.F, 12, 'F');
        expectDigits(r.pValue, want.p, 11, 'p');
        expect(r.df).toEqual([want.df1, want.df2]);
        expect(r.k).toBe(c.groups.length);
        expect(r.center).toBe(center);
        expect(r.n).toBe(want.df1 + want.df2 + 1);
      });
    }
  }

  it("defaults to center = 'mean' (SPSS)", () => {
    const c = G.levene[1];
    const r = levene(c.groups);
    if (isNotComputable(r)) throw new Error(r.reason);
    expect(r.center).toBe('mean');
    expectDigits(r.statistic, c.mean.F, 12, 'F');
  });
});

describe('levene degenerate inputs', () => {
  it('returns NotComputable with a reason', () => {
    const cases: [ReturnType<typeof levene>, RegExp][] = [
      [levene([[1, 2, 3]]), /at least 2 groups/],
      [levene([[1, 2], []]), /Group 2 has no non-missing values/],
      [levene([[1], [2]]), /more values than groups/],
      [
        levene([
          [3, 3, 3],
          [5, 5],
        ]),
        /zero denominator/,
      ],
      [
        levene([
          [1, 3],
          [2, 6],
        ]),
        /zero denominator/,
      ],
      [levene([[1, Number.POSITIVE_INFINITY], [2]]), /non-finite/],
    ];
    for (const [r, re] of cases) {
      expect(isNotComputable(r)).toBe(true);
      if (isNotComputable(r)) expect(r.reason).toMatch(re);
    }
  });

  it('drops missing values per group', () => {
    const c = G.levene[0];
    const padded = c.groups.map((g: number[]) => [Number.NaN, ...g, Number.NaN]);
    const r = levene(padded);
    if (isNotComputable(r)) throw new Error(r.reason);
    expectDigits(r.statistic, c.mean.F, 12, 'F');
    expect(r.groupN).toEqual(c.groups.map((g: number[]) => g.filter((v) => !Number.isNaN(v)).length));
  });
});
