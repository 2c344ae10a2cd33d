import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  correlationMatrix,
  type PearsonResult,
  pearsonCorrelation,
  type SpearmanResult,
  spearmanCorrelation,
} from '../../../src/core/stats/correlation.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { expectPspp, ok, psppNumber, psppTables, readPsppCsv } from './pspp.js';

// Goldens: test/goldens/r/stats_b2.R -> test/goldens/stats_b2.json; test/goldens/pspp/correlation.sps -> .out.csv
const golden = JSON.parse(readFileSync(new URL('../../goldens/stats_b2.json', import.meta.url), 'utf8'));
const STAT = 12;
const PVAL = 11;

const data = readPsppCsv('correlation.csv');
const alternatives = ['two.sided', 'less', 'greater'] as const;

interface PearsonGolden {
  name: string;
  n: number;
  ci90: number[];
  [alt: string]: unknown;
}
const pearsonInputs: Record<string, [number[], number[]]> = {
  'phq9 x gad7': [data.phq9!, data.gad7!],
  'phq9 x sleep': [data.phq9!, data.sleep!],
  'stress x age': [data.stress!, data.age!],
  'n = 5 strong': [
    [1, 2, 3, 4, 5],
    [2.1, 3.9, 6.2, 7.8, 10.1],
  ],
  'large offset': [
    [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 6],
    [3, 1, 4, 1, 5],
  ],
};

describe('pearsonCorrelation vs R cor.test', () => {
  for (const g of golden.pearson as PearsonGolden[]) {
    const [x, y] = pearsonInputs[g.name]!;
    for (const alternative of alternatives) {
      it(`${g.name}, ${alternative}`, () => {
        const G = g[alternative] as {
          estimate: number;
          statistic: number;
          df: number;
          pValue: number;
          ci: number[];
        };
        const res: PearsonResult = ok(pearsonCorrelation(x, y, { alternative }));
        expect(res.n).toBe(g.n);
        expect(res.nMissing).toBe(x.length - g.n);
        expect(res.df).toBe(G.df);
        expectDigits(res.estimate, G.estimate, STAT, `${g.name}: r`);
        expectDigits(res.statistic, G.statistic, STAT, `${g.name}: t`);
        expectDigits(res.pValue, G.pValue, PVAL, `${g.name}: p (${alternative})`);
        expectDigits(res.ci!.lower, G.ci[0]!, STAT, `${g.name}: CI lower (${alternative})`);
        expectDigits(res.ci!.upper, G.ci[1]!, STAT, `${g.name}: CI upper (${alternative})`);
      });
    }
    it(`${g.name}, 90% CI`, () => {
      const res = ok(pearsonCorrelation(x, y, { confLevel: 0.9 }));
      expect(res.ci!.level).toBe(0.9);
      expectDigits(res.ci!.lower, g.ci90[0]!, STAT, `${g.name}: 90% CI lower`);
      expectDigits(res.ci!.upper, g.ci90[1]!, STAT, `${g.name}: 90% CI upper`);
    });
  }

  it('gives no CI for n = 3 (as R) and NotComputable below 3 pairs, for constants and for |r| = 1', () => {
    const three = ok(pearsonCorrelation([1, 2, 4], [2, 1, 3]));
    expect(three.ci).toBeNull();
    expect(three.df).toBe(1);
    const two = pearsonCorrelation([1, 2, Number.NaN, 4], [1, Number.NaN, 3, 5]);
    expect(isNotComputable(two) && two.reason).toMatch(/Only 2 complete pair/);
    const constant = pearsonCorrelation([1, 2, 3, 4], [5, 5, 5, 5]);
    expect(isNotComputable(constant) && constant.reason).toMatch(/y has no variance/);
    const line = pearsonCorrelation([1, 2, 3, 4], [3, 5, 7, 9]);
    expect(isNotComputable(line) && line.reason).toMatch(/exactly on a line/);
    expect(() => pearsonCorrelation([1, 2, 3], [1, 2])).toThrow(/paired/);
  });
});

interface SpearmanAlt {
  estimate: number;
  S: number;
  pValueR: number;
  pValueT: number;
}
interface SpearmanGolden {
  name: string;
  n: number;
  ties: boolean;
  t: number | '-Infinity' | 'Infinity';
  'two.sided': SpearmanAlt;
  less: SpearmanAlt;
  greater: SpearmanAlt;
}
const spearmanInputs: Record<string, [number[], number[]]> = {
  'phq9 x gad7 (ties)': [data.phq9!, data.gad7!],
  'sleep x stress (ties in sleep)': [data.sleep!, data.stress!],
  'stress x age+ (no ties, n > 9)': [data.stress!, data.age!.map((a, i) => a + data.stress![i]! / 1000)],
  'n = 7 exact': [
    [1.2, 3.4, 2.2, 5.1, 4.4, 6.0, 0.3],
    [2, 5, 1, 7, 3, 6, 4],
  ],
  'n = 9 exact': [
    [3, 1, 4, 1.5, 5, 9, 2.6, 6.5, 3.5],
    [2.7, 1.8, 2.8, 1.1, 8.2, 8.4, 5.9, 0.4, 5.2],
  ],
  'n = 10 Edgeworth': [
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    [3, 1, 2, 5, 4, 7, 6, 10, 8, 9],
  ],
  'n = 8 perfect negative': [
    [1, 2, 3, 4, 5, 6, 7, 8],
    [8, 7, 6, 5, 4, 3, 2, 1],
  ],
  'n = 6 ties': [
    [1, 2, 2, 3, 4, 5],
    [1, 3, 2, 4, 6, 5],
  ],
};
const expectedMethod: Record<string, SpearmanResult['pValueMethodUsed']> = {
  'phq9 x gad7 (ties)': 't-approximation',
  'sleep x stress (ties in sleep)': 't-approximation',
  'stress x age+ (no ties, n > 9)': 'edgeworth',
  'n = 7 exact': 'exact',
  'n = 9 exact': 'exact',
  'n = 10 Edgeworth': 'edgeworth',
  'n = 8 perfect negative': 'exact',
  'n = 6 ties': 't-approximation',
};

describe('spearmanCorrelation vs R cor.test(method = "spearman")', () => {
  for (const g of golden.spearman as SpearmanGolden[]) {
    const [x, y] = spearmanInputs[g.name]!;
    for (const alternative of alternatives) {
      it(`${g.name}, ${alternative}`, () => {
        const G = g[alternative];
        // Default: t approximation (SPSS NONPAR CORR; R exact = FALSE).
        const t: SpearmanResult = ok(spearmanCorrelation(x, y, { alternative }));
        expect(t.n).toBe(g.n);
        expect(t.ties).toBe(g.ties);
        expect(t.options.pValueMethod).toBe('t-approximation');
        expect(t.pValueMethodUsed).toBe('t-approximation');
        expectDigits(t.estimate, G.estimate, STAT, `${g.name}: rho`);
        expectDigits(t.statistic, G.S, STAT, `${g.name}: S`);
        expectDigits(t.pValue, G.pValueT, PVAL, `${g.name}: p, t approximation (${alternative})`);
        if (typeof g.t === 'number') expectDigits(t.t!, g.t, STAT, `${g.name}: t`);
        else expect(t.t).toBeNull();
        expect(t.df).toBe(g.n - 2);
        // R's default (AS 89 without ties and n <= 1290, else the t approximation).
        const r: SpearmanResult = ok(spearmanCorrelation(x, y, { alternative, pValueMethod: 'as89' }));
        expect(r.pValueMethodUsed).toBe(expectedMethod[g.name]);
        expectDigits(r.pValue, G.pValueR, PVAL, `${g.name}: p, R default (${alternative})`);
      });
    }
  }

  it('ranks after deleting incomplete pairs and returns NotComputable for constants and n < 3', () => {
    const withNa = ok(spearmanCorrelation([1, Number.NaN, 2, 3, 4], [1, 100, 3, 2, 4]));
    const without = ok(spearmanCorrelation([1, 2, 3, 4], [1, 3, 2, 4]));
    expect(withNa.estimate).toBe(without.estimate);
    expect(withNa.nMissing).toBe(1);
    expect(isNotComputable(spearmanCorrelation([1, 2], [2, 1]))).toBe(true);
    expect(isNotComputable(spearmanCorrelation([1, 1, 1, 1], [1, 2, 3, 4]))).toBe(true);
  });
});

describe('correlationMatrix vs R cor() and cor.test() per pair', () => {
  const G = golden.correlationMatrix as {
    variables: string[];
    pearson: number[][];
    spearman: number[][];
    pearsonListwise: number[][];
    nListwise: number;
    pValueListwise: (number | null)[][];
    n: number[][];
    pValue: (number | null)[][];
    spearmanPValue: (number | null)[][];
  };
  const columns = G.variables.map((v) => data[v]!);

  it('Pearson, pairwise: r, n and p per cell', () => {
    const m = correlationMatrix(columns, { names: G.variables });
    expect(m.names).toEqual(G.variables);
    expect(m.n).toEqual(G.n);
    G.pearson.forEach((row, i) => {
      row.forEach((r, j) => {
        expectDigits(m.estimate[i]![j]!, r, STAT, `r[${i}][${j}]`);
        if (i === j) expect(m.pValue[i]![j]).toBeNull();
        else expectDigits(m.pValue[i]![j]!, G.pValue[i]![j]!, PVAL, `p[${i}][${j}]`);
      });
    });
  });
  it('Spearman, pairwise (t-approximation p)', () => {
    const m = correlationMatrix(columns, { method: 'spearman' });
    G.spearman.forEach((row, i) => {
      row.forEach((r, j) => {
        expectDigits(m.estimate[i]![j]!, r, STAT, `rho[${i}][${j}]`);
        if (i !== j) expectDigits(m.pValue[i]![j]!, G.spearmanPValue[i]![j]!, PVAL, `p[${i}][${j}]`);
      });
    });
  });
  it('Pearson, listwise', () => {
    const m = correlationMatrix(columns, { missing: 'listwise' });
    expect(m.missing).toBe('listwise');
    G.pearsonListwise.forEach((row, i) => {
      row.forEach((r, j) => {
        expectDigits(m.estimate[i]![j]!, r, STAT, `r[${i}][${j}]`);
        expect(m.n[i]![j]).toBe(G.nListwise);
        if (i !== j) expectDigits(m.pValue[i]![j]!, G.pValueListwise[i]![j]!, PVAL, `p[${i}][${j}]`);
      });
    });
  });
  it('marks undefined cells with null and a reason', () => {
    const m = correlationMatrix([
      [1, 2, 3, 4],
      [5, 5, 5, 5],
      [Number.NaN, Number.NaN, 1, 2],
      [2, 4, 6, 8],
    ]);
    expect(m.estimate[1]![1]).toBeNull();
    expect(m.reason[1]![1]).toMatch(/no variance/);
    expect(m.estimate[0]![1]).toBeNull();
    expect(m.reason[0]![1]).toMatch(/no variance/);
    expect(m.estimate[0]![2]).toBeNull();
    expect(m.n[0]![2]).toBe(2);
    expect(m.reason[0]![2]).toMatch(/Only 2 complete pair/);
    // A perfect correlation keeps its estimate, with p = 0.
    expect(m.estimate[0]![3]).toBe(1);
    expect(m.pValue[0]![3]).toBe(0);
  });
});

describe('correlationMatrix vs PSPP CORRELATIONS (correlation.sps)', () => {
  const tables = psppTables('correlation.out.csv').filter((t) => t.title === 'Correlations');
  const vars = ['phq9', 'gad7', 'sleep', 'stress', 'age'];
  const columns = vars.map((v) => data[v]!);
  for (const [index, missing] of [
    [0, 'pairwise'],
    [1, 'listwise'],
  ] as const) {
    it(missing, () => {
      const t = tables[index]!;
      const m = correlationMatrix(columns, { missing });
      const rowsPerVar = missing === 'pairwise' ? 3 : 2; // r, Sig., (N only for pairwise)
      vars.forEach((_, i) => {
        const rRow = t.rows[1 + i * rowsPerVar]!;
        const pRow = t.rows[2 + i * rowsPerVar]!;
        expect(rRow[1]).toBe('Pearson Correlation');
        expect(pRow[1]).toBe('Sig. (2-tailed)');
        vars.forEach((__, j) => {
          expectPspp(m.estimate[i]![j]!, rRow[2 + j]!, `PSPP r[${i}][${j}]`);
          // PSPP's t-distribution tail is good to ~1e-11 relative (R and this code agree to 14 digits), hence 1e-11.
          if (i !== j) expectPspp(m.pValue[i]![j]!, pRow[2 + j]!, `PSPP p[${i}][${j}]`, 1e-11);
          if (missing === 'pairwise') {
            const nRow = t.rows[3 + i * rowsPerVar]!;
            expect(psppNumber(nRow[2 + j])).toBe(m.n[i]![j]);
          }
        });
      });
    });
  }
});
