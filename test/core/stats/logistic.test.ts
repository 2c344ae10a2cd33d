import { describe, expect, it } from 'vitest';
import {
  hosmerLemeshow,
  type LogisticProblem,
  type LogisticRegressionResult,
  logisticRegression,
} from '../../../src/core/stats/logistic.js';
import type { RegressorColumn } from '../../../src/core/stats/regression.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits, lre } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';
import {
  bfi,
  factor,
  regressionGolden as golden,
  infert,
  infertText,
  mt,
  num,
  PVAL,
  STAT,
  sim,
  simText,
} from './regression-data.js';

// Goldens: test/goldens/r/regression.R (glm binomial run to the exact maximum, confint.default, exact profile
// bounds by uniroot, MASS confint, Hosmer-Lemeshow as ResourceSelection::hoslem.test)

interface GlmGolden extends CoefGolden {
  events: number;
  or: number[];
  or_lower: number[];
  or_upper: number[];
  null_deviance: number;
  deviance: number;
  aic: number;
  lr: number;
  lr_df: number;
  lr_p: number;
  cox_snell: number;
  nagelkerke: number;
  hl: { statistic: number; df: number; p: number; n: number[]; observed: number[]; expected: number[] };
  classification: number[];
  profile_lower?: number[];
  profile_upper?: number[];
  mass_lower?: number[];
  mass_upper?: number[];
}

const models: Record<string, () => [number[], RegressorColumn[]]> = {
  sim: () => [sim.depressed!, [num(sim, 'stress'), num(sim, 'sleep'), ...factor('site', simText.site!)]],
  infert: () => [
    infert.case!,
    [
      num(infert, 'spontaneous'),
      num(infert, 'induced'),
      num(infert, 'age'),
      ...factor('education', infertText.education!, ['0-5yrs', '6-11yrs', '12+ yrs']),
    ],
  ],
  mtcars: () => [mt.vs!, [num(mt, 'mpg'), num(mt, 'am')]],
  bfi: () => [
    bfi.gender!.map((g) => (Number.isNaN(g) ? g : g === 2 ? 1 : 0)),
    ['A1', 'C1', 'N1', 'E1', 'age'].map((v) => num(bfi, v)),
  ],
};

function compare(name: string, r: LogisticRegressionResult, g: GlmGolden): void {
  expect(r.n).toBe(g.n);
  expect(r.events).toBe(g.events);
  r.coefficients.forEach((c, j) => {
    const w = `${name} ${g.names[j]}`;
    expectDigits(c.estimate, g.estimate[j]!, STAT, `${w} B`);
    expectDigits(c.se, g.se[j]!, STAT, `${w} SE`);
    expectDigits(c.statistic, g.statistic[j]!, STAT, `${w} z`);
    expectDigits(c.waldChiSquare, g.statistic[j]! ** 2, STAT, `${w} Wald`);
    // a tail probability amplifies the relative error of z by z² (bfi A1: z = 7.7, p = 1.8e-14): ask for the
    // digits z has, less log10(z²), capped at PVAL
    const zDigits = Math.min(PVAL, STAT - Math.log10(Math.max(1, g.statistic[j]! ** 2)));
    expectDigits(c.pValue, g.p[j]!, zDigits, `${w} p`);
    expectDigits(c.oddsRatio, g.or[j]!, STAT, `${w} OR`);
    expectDigits(c.oddsRatioCi.lower, g.or_lower[j]!, STAT, `${w} OR lower`);
    expectDigits(c.oddsRatioCi.upper, g.or_upper[j]!, STAT, `${w} OR upper`);
    if (g.profile_lower) {
      // the exact root to 10 digits (both root finders stop at ~1e-14 of B); MASS's spline interpolation of the
      // profile agrees to 2.9-6 digits (mtcars mpg lower: 2.96)
      expectDigits(c.profileCi!.lower!, g.profile_lower[j]!, 10, `${w} profile lower`);
      expectDigits(c.profileCi!.upper!, g.profile_upper![j]!, 10, `${w} profile upper`);
      expect(lre(c.profileCi!.lower!, g.mass_lower![j]!)).toBeGreaterThan(2.5);
      expect(lre(c.profileCi!.upper!, g.mass_upper![j]!)).toBeGreaterThan(2.5);
    }
  });
  expectDigits(r.nullDeviance, g.null_deviance, STAT, `${name} null deviance`);
  expectDigits(r.deviance, g.deviance, STAT, `${name} deviance`);
  expectDigits(r.aic, g.aic, STAT, `${name} AIC`);
  expectDigits(r.modelTest.statistic, g.lr, STAT, `${name} LR chi2`);
  expect(r.modelTest.df).toBe(g.lr_df);
  expectDigits(r.modelTest.pValue, g.lr_p, PVAL, `${name} LR p`);
  expectDigits(r.coxSnellR2, g.cox_snell, STAT, `${name} Cox-Snell`);
  expectDigits(r.nagelkerkeR2, g.nagelkerke, STAT, `${name} Nagelkerke`);
  const hl = ok(r.hosmerLemeshow);
  expect(hl.df).toBe(g.hl.df);
  expect(hl.groups.map((x) => x.n)).toEqual(g.hl.n);
  expect(hl.groups.map((x) => x.observed)).toEqual(g.hl.observed);
  for (const [j, x] of hl.groups.entries()) {
    expectDigits(x.expected, g.hl.expected[j]!, STAT, `${name} HL expected ${j + 1}`);
  }
  expectDigits(hl.statistic, g.hl.statistic, STAT, `${name} HL chi2`);
  expectDigits(hl.pValue, g.hl.p, PVAL, `${name} HL p`);
  // R's table(y, predicted) in column-major order: [0/0, 1/0, 0/1, 1/1]
  const [a, b, c, d] = g.classification;
  expect(r.classification.counts).toEqual([
    [a, c],
    [b, d],
  ]);
}

describe('logisticRegression against R glm(binomial)', () => {
  for (const [name, build] of Object.entries(models)) {
    it(name, () => {
      const [y, xs] = build();
      const g = golden.glm[name] as GlmGolden;
      const r = ok(logisticRegression(y, xs, { profileCi: g.profile_lower !== undefined }));
      compare(name, r, g);
      expect(r.n + r.nExcluded).toBe(y.length);
    });
  }
  it('warns about few events per variable (mtcars: 14 events, 2 predictors)', () => {
    const r = ok(logisticRegression(mt.vs!, [num(mt, 'mpg'), num(mt, 'am')]));
    expect(r.eventsPerVariable).toBe(7);
    expect(r.warnings.map((w) => w.kind)).toEqual(['low_events_per_variable']);
    expect(r.warnings[0]!.message).toMatch(/^Only 7\.0 events per predictor column \(14 for 2\)/);
    const s = ok(logisticRegression(sim.depressed!, [num(sim, 'stress')]));
    expect(s.warnings).toEqual([]);
  });
});

function problemOf(r: unknown): LogisticProblem {
  expect(isNotComputable(r)).toBe(true);
  return r as LogisticProblem;
}

describe('logisticRegression problems', () => {
  const y = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1];
  const noise = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  it('complete separation by one predictor, named', () => {
    const x = [1, 2, 3, 7, 8, 9, 2.5, 10, 1.5, 11];
    const p = problemOf(
      logisticRegression(y, [
        { name: 'noise', values: noise },
        { name: 'score', values: x },
      ]),
    );
    expect(p.problem).toBe('separation');
    expect(p.column).toBe('score');
    expect(p.reason).toMatch(/^score separates the outcome completely/);
  });
  it('quasi-complete separation: a category with only non-events', () => {
    const grp = ['a', 'b', 'a', 'a', 'b', 'a', 'c', 'b', 'c', 'a'];
    const p = problemOf(logisticRegression(y, factor('grp', grp)));
    expect(p.problem).toBe('separation');
    expect(p.column).toBe('grp: c');
    expect(p.reason).toMatch(/quasi-completely/);
  });
  it('separation by a combination of predictors, naming the runaway coefficient', () => {
    // neither x1 nor x2 separates alone; x1 + x2 > 0 does
    const x1 = [-2, 1, -3, 2, -1, 3, 0.5, -0.5, -4, 4];
    const x2 = [1, -2, 2, -1, 2, -2, -1, 1, 3, -3];
    const yy = x1.map((v, i) => (v + x2[i]! > 0 ? 1 : 0));
    const cols = [
      { name: 'x1', values: x1 },
      { name: 'x2', values: x2 },
    ];
    const p = problemOf(logisticRegression(yy, cols));
    expect(p.problem).toBe('separation');
    expect(['x1', 'x2']).toContain(p.column);
    expect(p.reason).toMatch(/^The predictors separate the outcome/);
  });
  it('an empty category among the complete cases', () => {
    const grp = ['a', 'b', 'a', 'a', 'b', 'a', 'c', 'b', 'c', 'a'];
    const cols = factor('grp', grp);
    const age = [20, 21, 22, 23, 24, 25, Number.NaN, 27, Number.NaN, 29];
    const p = problemOf(logisticRegression(y, [...cols, { name: 'age', values: age }]));
    expect(p).toMatchObject({ problem: 'empty_category', column: 'grp: c' });
    expect(p.reason).toBe(
      'grp: c has no cases among the 8 complete cases: merge that category with another or leave it out.',
    );
  });
  it('a singular design names the aliased column', () => {
    const twice = noise.map((v) => 2 * v);
    const p = problemOf(
      logisticRegression(y, [
        { name: 'noise', values: noise },
        { name: 'noise x 2', values: twice },
      ]),
    );
    expect(p).toMatchObject({ problem: 'singular_design', column: 'noise x 2' });
  });
  it('an outcome that is not 0/1, or constant', () => {
    expect(problemOf(logisticRegression([0, 1, 2, 1], [{ name: 'x', values: [1, 2, 3, 4] }])).reason).toBe(
      'The outcome must be coded 0/1; row 3 has 2. Recode it (1 = the event) first.',
    );
    expect(problemOf(logisticRegression([1, 1, 1, 1], [{ name: 'x', values: [1, 2, 3, 4] }])).problem).toBe(
      'outcome_constant',
    );
  });
});

describe('hosmerLemeshow', () => {
  it('refuses fitted values with fewer than 3 distinct groups', () => {
    expect(isNotComputable(hosmerLemeshow([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]))).toBe(true);
  });
  it('refuses a quantile group with no respondent (tied fitted values), naming why, instead of NaN', () => {
    // quantile(type 7) cuts 0.1, 0.16, 0.6, 0.66, 0.9: nobody's fitted value lies in (0.6, 0.66], so R's
    // hoslem.test(y, fitted, g = 10) returns X-squared = NaN
    const fitted = [...Array(10).fill(0.1), 0.2, 0.3, ...Array(10).fill(0.6), 0.7, 0.8, 0.9];
    const y = fitted.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const r = hosmerLemeshow(y, fitted);
    expect(isNotComputable(r) && r.reason).toMatch(/1 of the 4 groups .* hold no respondent/);
  });
});
