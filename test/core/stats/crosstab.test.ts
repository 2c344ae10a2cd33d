import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ChiSquareResult,
  chiSquareIndependence,
  chiSquareIndependenceFromVectors,
  crossTabulate,
  type FisherExactResult,
  fisherExact2x2,
} from '../../../src/core/stats/crosstab.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { expectPspp, ok, psppNumber, psppTables, readPsppCsv } from './pspp.js';

// Goldens: test/goldens/r/stats_b2.R -> test/goldens/stats_b2.json; test/goldens/pspp/crosstab.sps -> .out.csv
const golden = JSON.parse(readFileSync(new URL('../../goldens/stats_b2.json', import.meta.url), 'utf8'));
const STAT = 12; // significant digits vs R for statistics, df, CIs, effect sizes
const PVAL = 11; // ... for p-values

type Num = number | 'Infinity' | '-Infinity' | null;
const num = (v: Num): number =>
  v === 'Infinity' ? Number.POSITIVE_INFINITY : v === '-Infinity' ? Number.NEGATIVE_INFINITY : (v as number);

function rowOf(table: { rows: string[][] }, label: string): string[] {
  const row = table.rows.find((r) => r[0] === label || r[1] === label);
  if (!row) throw new Error(`row ${label} not found`);
  return row;
}

interface ChisqGolden {
  name: string;
  observed: number[][];
  n: number;
  expected: number[][];
  pearson: { statistic: number; df: number; pValue: number };
  likelihoodRatio: { statistic: number; df: number; pValue: number };
  yates?: { statistic: number; df: number; pValue: number };
  linearByLinear: { statistic: number; df: number; pValue: number };
  cellsExpectedBelow5: number;
  minExpected: number;
  cramersV: number;
  phi?: number;
  rowLevels?: number[];
  colLevels?: number[];
}

function checkChisq(res: ChiSquareResult, g: ChisqGolden): void {
  const w = g.name;
  expect(res.n).toBe(g.n);
  expect(res.df).toBe(g.pearson.df);
  expectDigits(res.pearson.statistic, g.pearson.statistic, STAT, `${w}: X²`);
  expectDigits(res.pearson.pValue, g.pearson.pValue, PVAL, `${w}: p(X²)`);
  expectDigits(res.likelihoodRatio.statistic, g.likelihoodRatio.statistic, STAT, `${w}: G²`);
  expectDigits(res.likelihoodRatio.pValue, g.likelihoodRatio.pValue, PVAL, `${w}: p(G²)`);
  expectDigits(res.linearByLinear!.statistic, g.linearByLinear.statistic, STAT, `${w}: linear-by-linear`);
  expectDigits(res.linearByLinear!.pValue, g.linearByLinear.pValue, PVAL, `${w}: p(linear-by-linear)`);
  expectDigits(res.cramersV, g.cramersV, STAT, `${w}: Cramér's V`);
  expect(res.cellsExpectedBelow5).toBe(g.cellsExpectedBelow5);
  expectDigits(res.minExpected, g.minExpected, STAT, `${w}: min expected`);
  g.expected.forEach((row, i) => {
    row.forEach((e, j) => {
      expectDigits(res.expected[i]![j]!, e, STAT, `${w}: expected[${i}][${j}]`);
    });
  });
  if (g.yates && g.yates.statistic < 1e-20) {
    // |ad − bc| < n/2: the corrected statistic is 0 exactly (R prints rounding noise such as 6e-31).
    expect(res.continuityCorrected!.statistic).toBe(0);
    expect(res.continuityCorrected!.pValue).toBe(1);
    expectDigits(res.phi, g.phi!, STAT, `${w}: phi`);
  } else if (g.yates) {
    expectDigits(res.continuityCorrected!.statistic, g.yates.statistic, STAT, `${w}: Yates X²`);
    expectDigits(res.continuityCorrected!.pValue, g.yates.pValue, PVAL, `${w}: p(Yates)`);
    expectDigits(res.phi, g.phi!, STAT, `${w}: phi`);
  } else {
    expect(res.continuityCorrected).toBeNull();
  }
}

describe('chiSquareIndependence vs R chisq.test', () => {
  for (const g of golden.chisq as ChisqGolden[]) {
    it(g.name, () => {
      const res = ok(chiSquareIndependence(g.observed));
      checkChisq(res, g);
      // Default: uncorrected Pearson (SPSS "Pearson Chi-Square", R correct = FALSE).
      expect(res.options.continuityCorrection).toBe(false);
      expect(res.statistic).toBe(res.pearson.statistic);
      expect(res.pValue).toBe(res.pearson.pValue);
      // R's chisq.test() default for 2×2 tables: Yates' correction.
      const yates = ok(chiSquareIndependence(g.observed, { continuityCorrection: true }));
      if (g.yates) {
        expect(yates.options.continuityCorrection).toBe(true);
        expect(yates.method).toMatch(/Yates/);
        expect(yates.statistic).toBe(res.continuityCorrected!.statistic);
        expect(yates.pValue).toBe(res.continuityCorrected!.pValue);
      } else {
        expect(yates.options.continuityCorrection).toBe(false);
        expect(yates.statistic).toBe(res.pearson.statistic);
      }
    });
  }

  it('reports the SPSS footnote quantities exactly', () => {
    const res = ok(
      chiSquareIndependence([
        [0, 5, 7, 3],
        [4, 1, 2, 0],
      ]),
    );
    expect(res.cellsExpectedBelow5).toBe(7);
    expect(res.percentExpectedBelow5).toBe(87.5);
  });
});

describe('chiSquareIndependenceFromVectors vs R table() + chisq.test', () => {
  const ct = readPsppCsv('crosstab.csv');
  const pairs: Record<string, [string, string]> = {
    'sex x burnout': ['sex', 'burnout'],
    'burnout x depressed': ['burnout', 'depressed'],
    'year x burnout': ['year', 'burnout'],
    'year x smoker': ['year', 'smoker'],
    'sex x year': ['sex', 'year'],
  };
  for (const g of golden.chisqFromVectors as ChisqGolden[]) {
    it(g.name, () => {
      const [a, b] = pairs[g.name]!;
      const x = ct[a]!;
      const y = ct[b]!;
      const table = crossTabulate(x, y);
      expect(table.counts).toEqual(g.observed);
      expect(table.rowLevels).toEqual(g.rowLevels);
      expect(table.colLevels).toEqual(g.colLevels);
      expect(table.nMissing).toBe(x.length - g.n);
      const res = ok(chiSquareIndependenceFromVectors(x, y));
      checkChisq(res, g);
      expect(res.table.n).toBe(g.n);
    });
  }

  it('treats null, undefined, NaN and "" as missing and accepts string categories', () => {
    const x = ['a', 'b', null, 'a', 'b', '', 'a', undefined, 'b'];
    const y = [1, 2, 1, Number.NaN, 1, 2, 2, 1, 2];
    const t = crossTabulate(x, y);
    expect(t.rowLevels).toEqual(['a', 'b']);
    expect(t.colLevels).toEqual([1, 2]);
    expect(t.counts).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(t.n).toBe(5);
    expect(t.nMissing).toBe(4);
    const fixed = crossTabulate(x, y, { rowLevels: ['b', 'a'], colLevels: [2, 1] });
    expect(fixed.counts).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });
});

describe('chi-square and Fisher vs PSPP CROSSTABS (crosstab.sps)', () => {
  const tables = psppTables('crosstab.out.csv');
  const chi = tables.filter((t) => t.title === 'Chi-Square Tests');
  const sym = tables.filter((t) => t.title === 'Symmetric Measures');
  // Same order as crosstab.sps: five tables from crosstab.csv, then five tables of counts.
  const cases: ChisqGolden[] = [
    ...(golden.chisqFromVectors as ChisqGolden[]),
    ...['2x2 small', '3x3', '2x2 large', '2x4 with zero cells', '2x2 very large'].map(
      (name) => (golden.chisq as ChisqGolden[]).find((c) => c.name === name)!,
    ),
  ];
  it('has one Chi-Square Tests table per case', () => {
    expect(chi.length).toBe(cases.length);
    expect(sym.length).toBe(cases.length);
  });
  cases.forEach((g, idx) => {
    it(`${g.name}`, () => {
      const res = ok(chiSquareIndependence(g.observed));
      const t = chi[idx]!;
      const pearson = rowOf(t, 'Pearson Chi-Square');
      expectPspp(res.pearson.statistic, pearson[1]!, `${g.name}: PSPP Pearson X²`);
      expect(psppNumber(pearson[2])).toBe(res.df);
      expectPspp(res.pearson.pValue, pearson[3]!, `${g.name}: PSPP p`);
      const lr = rowOf(t, 'Likelihood Ratio');
      expectPspp(res.likelihoodRatio.statistic, lr[1]!, `${g.name}: PSPP G²`);
      expectPspp(res.likelihoodRatio.pValue, lr[3]!, `${g.name}: PSPP p(G²)`);
      const lbl = rowOf(t, 'Linear-by-Linear Association');
      expectPspp(res.linearByLinear!.statistic, lbl[1]!, `${g.name}: PSPP linear-by-linear`);
      expectPspp(res.linearByLinear!.pValue, lbl[3]!, `${g.name}: PSPP p(linear-by-linear)`);
      expect(psppNumber(rowOf(t, 'N of Valid Cases')[1])).toBe(res.n);
      const s = sym[idx]!;
      expectPspp(res.cramersV, rowOf(s, "Cramer's V")[2]!, `${g.name}: PSPP Cramér's V`);
      // PSPP prints |phi| for 2×2 tables (SPSS prints it signed); for larger tables phi = sqrt(X²/n).
      expectPspp(Math.abs(res.phi), rowOf(s, 'Phi')[2]!, `${g.name}: PSPP phi`);
      if (g.observed.length === 2 && g.observed[0]!.length === 2) {
        const cc = rowOf(t, 'Continuity Correction');
        expectPspp(res.continuityCorrected!.statistic, cc[1]!, `${g.name}: PSPP continuity correction`);
        expectPspp(res.continuityCorrected!.pValue, cc[3]!, `${g.name}: PSPP p(continuity correction)`);
        // PSPP's own Fisher probabilities carry ~1e-12 relative error, so these allow 1e-11 relative.
        const fisher = ok(fisherExact2x2(g.observed));
        const f = rowOf(t, "Fisher's Exact Test");
        expectPspp(fisher.pValueOneSided, f[5]!, `${g.name}: PSPP Fisher 1-sided`, 1e-11);
        // PSPP's two-sided Fisher p differs from R's for some tables (it adds only probabilities strictly smaller
        // than the observed one, and is off in the 5th digit for [[2, 9], [7, 3]]); we follow R. Elsewhere:
        if (g.name !== '2x2 small') {
          expectPspp(fisher.pValueTwoSided, f[4]!, `${g.name}: PSPP Fisher 2-sided`, 1e-11);
        }
      }
    });
  });
});

interface FisherAlt {
  pValue: number;
  rEstimate: Num;
  rCi: Num[];
  estimate: Num;
  ci: Num[];
}
interface FisherGolden {
  name: string;
  observed: number[][];
  confLevel: number;
  'two.sided': FisherAlt;
  less: FisherAlt;
  greater: FisherAlt;
  sampleOddsRatio: Num;
}

function expectOr(actual: number | null, expected: Num, digits: number, what: string): void {
  const e = num(expected);
  if (e === Number.POSITIVE_INFINITY) expect(actual, `${what}: infinite is reported as null`).toBeNull();
  else expectDigits(actual!, e, digits, what);
}

describe('fisherExact2x2 vs R fisher.test', () => {
  for (const g of golden.fisher as FisherGolden[]) {
    for (const alternative of ['two.sided', 'less', 'greater'] as const) {
      it(`${g.name}, ${alternative}`, () => {
        const G = g[alternative];
        const res: FisherExactResult = ok(
          fisherExact2x2(g.observed, { alternative, confLevel: g.confLevel }),
        );
        expect(res.alternative).toBe(alternative);
        expect(res.statistic).toBe(g.observed[0]![0]);
        expectDigits(res.pValue, G.pValue, PVAL, `${g.name}: p (${alternative})`);
        // Conditional MLE and exact CI solved to machine precision (R's algorithm run with the tightest tolerance).
        expectOr(res.estimate, G.estimate, STAT, `${g.name}: conditional MLE`);
        expectOr(res.ci.lower, G.ci[0]!, STAT, `${g.name}: CI lower`);
        expectOr(res.ci.upper, G.ci[1]!, STAT, `${g.name}: CI upper`);
        expect(res.ci.level).toBe(g.confLevel);
        // rootTolerance 'r-uniroot' reproduces what fisher.test itself prints (uniroot at tol 1.2e-4).
        const asR = ok(
          fisherExact2x2(g.observed, { alternative, confLevel: g.confLevel, rootTolerance: 'r-uniroot' }),
        );
        expect(asR.options.rootTolerance).toBe('r-uniroot');
        expectOr(asR.estimate, G.rEstimate, STAT, `${g.name}: R's printed estimate`);
        expectOr(asR.ci.lower, G.rCi[0]!, STAT, `${g.name}: R's printed CI lower`);
        expectOr(asR.ci.upper, G.rCi[1]!, STAT, `${g.name}: R's printed CI upper`);
        expectOr(res.sampleOddsRatio, g.sampleOddsRatio, STAT, `${g.name}: sample odds ratio`);
      });
    }
  }

  it('gives all three p-values and the SPSS one-sided p in one result', () => {
    const g = (golden.fisher as FisherGolden[])[0]!;
    const res = ok(fisherExact2x2(g.observed));
    expectDigits(res.pValueTwoSided, g['two.sided'].pValue, PVAL, 'two-sided');
    expectDigits(res.pValueLess, g.less.pValue, PVAL, 'less');
    expectDigits(res.pValueGreater, g.greater.pValue, PVAL, 'greater');
    expect(res.pValueOneSided).toBe(Math.min(res.pValueLess, res.pValueGreater));
  });

  it('does not overflow on a table with 10^6 cases', () => {
    // Balanced margins and a = its expectation: p two-sided = 1 exactly up to rounding, MLE ≈ sample OR ≈ 1.
    const res = ok(
      fisherExact2x2([
        [250000, 250000],
        [250000, 250000],
      ]),
    );
    expect(res.pValueTwoSided).toBeCloseTo(1, 12);
    expect(Math.abs(res.estimate! - 1)).toBeLessThan(1e-12);
    expect(res.ci.lower).toBeLessThan(1);
    expect(res.ci.upper!).toBeGreaterThan(1);
    expect(Number.isFinite(res.ci.lower) && Number.isFinite(res.ci.upper!)).toBe(true);
  });
});

describe('degenerate tables', () => {
  it('returns NotComputable for a zero row or column total, naming it', () => {
    const r = chiSquareIndependence([
      [3, 4],
      [0, 0],
      [2, 5],
    ]);
    expect(isNotComputable(r) && r.reason).toMatch(/Row 2 has no cases/);
    const c = chiSquareIndependence([
      [3, 0, 4],
      [2, 0, 5],
    ]);
    expect(isNotComputable(c) && c.reason).toMatch(/Column 2 has no cases/);
  });
  it('returns NotComputable for fewer than 2 rows or columns and for an empty table', () => {
    expect(isNotComputable(chiSquareIndependence([[1, 2, 3]]))).toBe(true);
    expect(
      isNotComputable(
        chiSquareIndependence([
          [0, 0],
          [0, 0],
        ]),
      ),
    ).toBe(true);
    expect(isNotComputable(chiSquareIndependenceFromVectors([null, 1], [1, null]))).toBe(true);
  });
  it('returns NotComputable for Fisher with a zero margin', () => {
    const r = fisherExact2x2([
      [0, 0],
      [3, 4],
    ]);
    expect(isNotComputable(r)).toBe(true);
  });
  it('throws on invalid counts (programming errors)', () => {
    expect(() =>
      chiSquareIndependence([
        [1, -1],
        [2, 3],
      ]),
    ).toThrow(/non-negative/);
    expect(() => chiSquareIndependence([[1, 2], [3]])).toThrow(/rectangular/);
    expect(() =>
      fisherExact2x2([
        [1.5, 2],
        [3, 4],
      ]),
    ).toThrow(/integer/);
    expect(() =>
      fisherExact2x2([
        [1, 2, 3],
        [3, 4, 5],
      ]),
    ).toThrow(/2×2/);
    expect(() => crossTabulate([1, 2], [1])).toThrow(/paired/);
  });
});
