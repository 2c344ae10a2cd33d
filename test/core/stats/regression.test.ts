import { describe, expect, it } from 'vitest';
import {
  dummyCode,
  type LinearRegressionResult,
  linearRegression,
  type RegressorColumn,
} from '../../../src/core/stats/regression.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';
import {
  bfi,
  STAT as DIGITS,
  factor,
  regressionGolden as golden,
  mt,
  num,
  PVAL,
  sim,
  simText,
} from './regression-data.js';

// Goldens: test/goldens/r/regression.R (R lm, summary.lm, confint, car::vif)

interface LmGolden extends CoefGolden {
  ci_lower: number[];
  ci_upper: number[];
  beta: number[];
  r2: number;
  adj_r2: number;
  sigma: number;
  f: number;
  df1: number;
  df2: number;
  f_p: number;
  // R writes NULL (car::vif refuses a one-term model) as []
  vif: { terms: string[]; gvif: number[]; df: number[]; adj: number[] } | null | [];
}

const models: Record<string, () => [number[], RegressorColumn[], number]> = {
  sim_numeric: () => [sim.phq9!, [num(sim, 'age'), num(sim, 'sleep'), num(sim, 'stress')], 0],
  sim_factor: () => [
    sim.phq9!,
    [num(sim, 'age'), num(sim, 'sleep'), num(sim, 'stress'), ...factor('site', simText.site!)],
    0,
  ],
  sim_one: () => [sim.phq9!, [num(sim, 'stress')], 0],
  mtcars: () => [mt.mpg!, [num(mt, 'wt'), num(mt, 'hp'), ...factor('cyl_f', mt.cyl!)], 0],
  mtcars_numeric: () => [mt.mpg!, ['wt', 'hp', 'disp', 'drat', 'qsec'].map((v) => num(mt, v)), 0],
  bfi: () => [
    bfi.N1!,
    [...['A1', 'C1', 'E1', 'age'].map((v) => num(bfi, v)), ...factor('educ_f', bfi.education!)],
    0,
  ],
};

function compare(name: string, r: LinearRegressionResult, g: LmGolden): void {
  expect(r.n).toBe(g.n);
  expect(r.coefficients.length).toBe(g.names.length);
  r.coefficients.forEach((c, j) => {
    const w = `${name} ${g.names[j]}`;
    expectDigits(c.estimate, g.estimate[j]!, DIGITS, `${w} B`);
    expectDigits(c.se, g.se[j]!, DIGITS, `${w} SE`);
    expectDigits(c.statistic, g.statistic[j]!, DIGITS, `${w} t`);
    expectDigits(c.pValue, g.p[j]!, PVAL, `${w} p`);
    expectDigits(c.ci.lower, g.ci_lower[j]!, DIGITS, `${w} CI lower`);
    expectDigits(c.ci.upper, g.ci_upper[j]!, DIGITS, `${w} CI upper`);
    if (j > 0) expectDigits(c.standardized!, g.beta[j - 1]!, DIGITS, `${w} beta`);
    else expect(c.standardized).toBeNull();
  });
  expectDigits(r.rSquared, g.r2, DIGITS, `${name} R2`);
  expectDigits(r.adjustedRSquared, g.adj_r2, DIGITS, `${name} adj R2`);
  expectDigits(r.sigma, g.sigma, DIGITS, `${name} sigma`);
  expectDigits(r.fTest.statistic, g.f, DIGITS, `${name} F`);
  expect(r.fTest.df).toEqual([g.df1, g.df2]);
  expectDigits(r.fTest.pValue, g.f_p, PVAL, `${name} F p`);
  if (g.vif === null || Array.isArray(g.vif)) {
    expect(isNotComputable(r.vif)).toBe(true);
  } else {
    expect(isNotComputable(r.vif)).toBe(false);
    const vif = r.vif as Exclude<LinearRegressionResult['vif'], { kind: 'not_computable' }>;
    expect(vif.map((v) => v.term)).toEqual(g.vif.terms);
    vif.forEach((v, j) => {
      expect(v.df).toBe(g.vif!.df[j]);
      expectDigits(v.gvif, g.vif!.gvif[j]!, DIGITS, `${name} GVIF ${v.term}`);
      expectDigits(v.gvifAdjusted, g.vif!.adj[j]!, DIGITS, `${name} GVIF^(1/2df) ${v.term}`);
    });
  }
}

describe('linearRegression against R lm / confint / car::vif', () => {
  for (const [name, build] of Object.entries(models)) {
    it(name, () => {
      const [y, xs] = build();
      const r = ok(linearRegression(y, xs));
      compare(name, r, golden.lm[name] as LmGolden);
      expect(r.n + r.nExcluded).toBe(y.length);
    });
  }
});

describe('linearRegression problems', () => {
  it('names the aliased column of a singular design', () => {
    const x1 = [1, 2, 3, 4, 5, 6, 7];
    const x2 = [2, 1, 4, 3, 6, 5, 8];
    const x3 = x1.map((v, i) => v + 2 * x2[i]!);
    const y = [3, 1, 4, 1, 5, 9, 2];
    const r = linearRegression(y, [
      { name: 'x1', values: x1 },
      { name: 'x2', values: x2 },
      { name: 'x1 + 2 x2', values: x3 },
    ]);
    expect(isNotComputable(r)).toBe(true);
    expect((r as { reason: string }).reason).toMatch(
      /^x1 \+ 2 x2 is a linear combination of the intercept and x1, x2/,
    );
  });
  it('names a constant predictor', () => {
    const r = linearRegression([1, 2, 3, 5], [{ name: 'const', values: [4, 4, 4, 4] }]);
    expect((r as { reason: string }).reason).toMatch(/^const is a linear combination of the intercept/);
  });
  it('reports too few complete cases with the counts', () => {
    const r = linearRegression(
      [1, 2, Number.NaN, 4],
      [
        { name: 'a', values: [1, 3, 2, 5] },
        { name: 'b', values: [2, Number.NaN, 1, 1] },
      ],
    );
    expect((r as { reason: string }).reason).toBe(
      'Linear regression with 2 predictor columns needs more than 3 complete cases; 2 are complete (2 excluded for missing values).',
    );
  });
  it('refuses a constant outcome', () => {
    expect(isNotComputable(linearRegression([2, 2, 2, 2], [{ name: 'a', values: [1, 2, 3, 4] }]))).toBe(true);
  });
});

describe('dummyCode', () => {
  it('codes against the first level by default and against a chosen reference', () => {
    const d = ok(dummyCode('site', ['B', 'A', null, 'C', 'A']));
    expect(d.levels).toEqual(['A', 'B', 'C']);
    expect(d.reference).toBe('A');
    expect(d.counts).toEqual([2, 1, 1]);
    expect(d.columns.map((c) => c.name)).toEqual(['site: B', 'site: C']);
    expect(Array.from(d.columns[0]!.values)).toEqual([1, 0, Number.NaN, 0, 0]);
    const e = ok(dummyCode('site', ['B', 'A', 'C'], { reference: 'C' }));
    expect(e.columns.map((c) => c.name)).toEqual(['site: A', 'site: B']);
    expect(e.columns.every((c) => c.term === 'site')).toBe(true);
  });
  it('returns a problem naming an empty level', () => {
    const r = dummyCode('year', [1, 2, 2, 4], { levels: [1, 2, 3, 4] });
    expect(r).toEqual({
      kind: 'not_computable',
      reason: 'year: level 3 has no observations; merge it with another level or leave it out before coding.',
    });
  });
  it('throws for a value outside the levels or an unknown reference', () => {
    expect(() => dummyCode('year', [1, 5], { levels: [1, 2] })).toThrow(
      /value 5 \(row 2\) is not one of the levels/,
    );
    expect(() => dummyCode('year', [1, 2], { reference: 3 })).toThrow(
      /reference level 3 is not one of the levels/,
    );
  });
});
