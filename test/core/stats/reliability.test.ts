import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { reverseValue } from '../../../src/core/scoring/score.js';
import {
  cronbachAlpha,
  type ItemMatrix,
  itemMatrixFromColumns,
  itemMatrixFromRows,
  type ReliabilityResult,
} from '../../../src/core/stats/reliability.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { expectPspp, ok, psppTables, readPsppCsv } from './pspp.js';

// Goldens: test/goldens/r/stats_b2.R (psych 2.2.9) -> test/goldens/stats_b2.json;
// test/goldens/pspp/reliability.sps -> reliability.out.csv
const golden = JSON.parse(readFileSync(new URL('../../goldens/stats_b2.json', import.meta.url), 'utf8'));
const STAT = 12;

const rows = parse(readFileSync(new URL('../../goldens/pspp/reliability.csv', import.meta.url), 'utf8'), {
  columns: true,
}) as Record<string, string>[];
const itemNames = Array.from({ length: 8 }, (_, j) => `item${j + 1}`);
const columns = itemNames.map((name) => rows.map((r) => (r[name] === '' ? Number.NaN : Number(r[name]))));

interface AlphaGolden {
  raw: number;
  std: number;
  averageR: number;
  alphaDrop: number[];
  stdAlphaDrop: number[];
  rDrop: number[];
  itemMean: number[];
  itemSd: number[];
  itemN: number[];
  scaleMean: number;
  scaleVariance: number;
  scaleMeanIfDeleted: number[];
  scaleVarianceIfDeleted: number[];
  n: number;
}

function checkAlpha(res: ReliabilityResult, g: AlphaGolden, what: string): void {
  expect(res.n).toBe(g.n);
  expectDigits(res.alpha, g.raw, STAT, `${what}: alpha`);
  expectDigits(res.standardizedAlpha!, g.std, STAT, `${what}: standardized alpha`);
  expectDigits(res.averageInterItemCorrelation!, g.averageR, STAT, `${what}: average r`);
  expectDigits(res.scaleMean, g.scaleMean, STAT, `${what}: scale mean`);
  expectDigits(res.scaleVariance, g.scaleVariance, STAT, `${what}: scale variance`);
  res.items.forEach((it, i) => {
    const w = `${what}: ${it.name}`;
    expect(it.n).toBe(g.itemN[i]);
    expectDigits(it.mean, g.itemMean[i]!, STAT, `${w} mean`);
    expectDigits(it.sd, g.itemSd[i]!, STAT, `${w} sd`);
    expectDigits(it.alphaIfDeleted!, g.alphaDrop[i]!, STAT, `${w} alpha if deleted`);
    expectDigits(it.standardizedAlphaIfDeleted!, g.stdAlphaDrop[i]!, STAT, `${w} std. alpha if deleted`);
    expectDigits(it.correctedItemTotalCorrelation!, g.rDrop[i]!, STAT, `${w} corrected item-total r`);
    expectDigits(it.scaleMeanIfDeleted, g.scaleMeanIfDeleted[i]!, STAT, `${w} scale mean if deleted`);
    expectDigits(
      it.scaleVarianceIfDeleted,
      g.scaleVarianceIfDeleted[i]!,
      STAT,
      `${w} scale variance if deleted`,
    );
  });
}

describe('cronbachAlpha vs R psych::alpha', () => {
  it('listwise (psych::alpha on the complete cases)', () => {
    const res = ok(cronbachAlpha(itemMatrixFromColumns(columns, itemNames)));
    expect(res.options.missing).toBe('listwise');
    expect(res.nExcluded).toBe(rows.length - res.n);
    expect(res.nMinPairwise).toBe(res.n);
    expect(res.items.map((i) => i.name)).toEqual(itemNames);
    checkAlpha(res, golden.reliability.listwise, 'listwise');
  });

  it('pairwise (psych::alpha default with missing data)', () => {
    const res = ok(cronbachAlpha(itemMatrixFromColumns(columns, itemNames), { missing: 'pairwise' }));
    expect(res.options.missing).toBe('pairwise');
    expect(res.nMinPairwise).toBe(golden.reliability.pairwise.nMinPair);
    checkAlpha(res, golden.reliability.pairwise, 'pairwise');
  });

  it('a three-item scale, listwise over its own items (as SPSS)', () => {
    const res = ok(cronbachAlpha(itemMatrixFromColumns(columns.slice(0, 3))));
    checkAlpha(res, golden.reliability.threeItems, 'three items');
  });

  it('two items: no alpha if item deleted', () => {
    const g = golden.reliability.twoItems;
    const res = ok(cronbachAlpha(itemMatrixFromColumns(columns.slice(3, 5))));
    expect(res.n).toBe(g.n);
    expectDigits(res.alpha, g.raw, STAT, 'two items: alpha');
    expectDigits(res.standardizedAlpha!, g.std, STAT, 'two items: standardized alpha');
    res.items.forEach((it, i) => {
      expect(it.alphaIfDeleted).toBeNull();
      expect(it.standardizedAlphaIfDeleted).toBeNull();
      expectDigits(it.correctedItemTotalCorrelation!, g.rDrop[i], STAT, 'two items: r.drop');
    });
  });

  it('gives the same answer from rows as from columns', () => {
    const byRows = itemMatrixFromRows(rows.map((_, r) => columns.map((c) => c[r]!)));
    const a = ok(cronbachAlpha(byRows, { missing: 'pairwise' }));
    expectDigits(a.alpha, golden.reliability.pairwise.raw, STAT, 'alpha from rows');
  });
});

describe('cronbachAlpha vs PSPP RELIABILITY /SUMMARY=TOTAL (reliability.sps)', () => {
  const tables = psppTables('reliability.out.csv');
  const scales: [string, number[][]][] = [
    ['all eight', columns],
    ['first three', columns.slice(0, 3)],
  ];
  scales.forEach(([name, cols], s) => {
    it(name, () => {
      const res = ok(cronbachAlpha(itemMatrixFromColumns(cols)));
      const cases = tables.filter((t) => t.title === 'Case Processing Summary')[s]!;
      expect(Number(cases.rows.find((r) => r[0] === 'Valid')![1])).toBe(res.n);
      expect(Number(cases.rows.find((r) => r[0] === 'Excluded')![1])).toBe(res.nExcluded);
      const stats = tables.filter((t) => t.title === 'Reliability Statistics')[s]!;
      expectPspp(res.alpha, stats.rows[1]![0]!, `${name}: PSPP alpha`);
      expect(Number(stats.rows[1]![1])).toBe(res.nItems);
      const itemTotal = tables.filter((t) => t.title === 'Item-Total Statistics')[s]!;
      res.items.forEach((it, i) => {
        const row = itemTotal.rows[1 + i]!;
        expect(row[0]).toBe(`item${i + 1}`);
        expectPspp(it.scaleMeanIfDeleted, row[1]!, `${name}: ${row[0]} scale mean if deleted`);
        expectPspp(it.scaleVarianceIfDeleted, row[2]!, `${name}: ${row[0]} scale variance if deleted`);
        expectPspp(it.correctedItemTotalCorrelation!, row[3]!, `${name}: ${row[0]} corrected item-total r`);
        expectPspp(it.alphaIfDeleted!, row[4]!, `${name}: ${row[0]} alpha if deleted`);
      });
    });
  });
});

// Reverse-keyed items: real data (psych::bfi, 2800 respondents, test/goldens/pspp/README.md) and a simulated PSS-10.
// Goldens: test/goldens/r/reliability_keys.R (psych::alpha with keys) -> test/goldens/reliability_keys.json;
// test/goldens/pspp/reliability_keys.sps (RELIABILITY on recoded items) -> reliability_keys.out.csv.
const keyed = JSON.parse(
  readFileSync(new URL('../../goldens/reliability_keys.json', import.meta.url), 'utf8'),
);
interface KeyedScale {
  items: string[];
  listwise: AlphaGolden & { keys: number[]; unkeyedRaw: number };
  pairwise: AlphaGolden & { keys: number[]; nMinPair: number; unkeyedRaw: number };
}
const keyedScales: [string, string, KeyedScale, number, number][] = [
  ...Object.entries(keyed.bfi as Record<string, KeyedScale>).map(
    ([name, g]) => [name, 'bfi.csv', g, 1, 6] as [string, string, KeyedScale, number, number],
  ),
  ['PSS-10', 'pss10_sim.csv', keyed.pss10 as KeyedScale, 0, 4],
];
/** The scale's columns with the reverse-keyed ones reversed on the instrument's range, as scoring does. */
function keyedColumns(file: string, g: KeyedScale, min: number, max: number): number[][] {
  const data = readPsppCsv(file);
  return g.items.map((name, j) => {
    const col = data[name]!;
    return g.listwise.keys[j]! < 0 ? col.map((x) => reverseValue(x, min, max)) : col;
  });
}

describe('cronbachAlpha on reverse-keyed items vs R psych::alpha(keys = …)', () => {
  for (const [name, file, g, min, max] of keyedScales) {
    it(`${name}: listwise and pairwise`, () => {
      const cols = keyedColumns(file, g, min, max);
      checkAlpha(ok(cronbachAlpha(itemMatrixFromColumns(cols, g.items))), g.listwise, `${name} listwise`);
      const pw = ok(cronbachAlpha(itemMatrixFromColumns(cols, g.items), { missing: 'pairwise' }));
      expect(pw.nMinPairwise).toBe(g.pairwise.nMinPair);
      checkAlpha(pw, g.pairwise, `${name} pairwise`);
      // Without the keys the same data give another (for mixed keys, much lower) alpha: the keys matter.
      if (g.listwise.keys.some((k) => k < 0)) {
        const raw = ok(
          cronbachAlpha(itemMatrixFromColumns(readColumns(file, g.items)), { missing: 'pairwise' }),
        );
        expectDigits(raw.alpha, g.pairwise.unkeyedRaw, STAT, `${name} unkeyed alpha`);
        expect(raw.alpha).toBeLessThan(g.pairwise.raw - 0.25);
      }
    });
  }
});
function readColumns(file: string, names: readonly string[]): number[][] {
  const data = readPsppCsv(file);
  return names.map((n) => data[n]!);
}

describe('cronbachAlpha on reverse-keyed items vs PSPP RELIABILITY on recoded items (reliability_keys.sps)', () => {
  const tables = psppTables('reliability_keys.out.csv');
  keyedScales.forEach(([name, file, g, min, max], s) => {
    it(name, () => {
      const res = ok(cronbachAlpha(itemMatrixFromColumns(keyedColumns(file, g, min, max))));
      const cases = tables.filter((t) => t.title === 'Case Processing Summary')[s]!;
      expect(Number(cases.rows.find((r) => r[0] === 'Valid')![1])).toBe(res.n);
      expect(Number(cases.rows.find((r) => r[0] === 'Excluded')![1])).toBe(res.nExcluded);
      const stats = tables.filter((t) => t.title === 'Reliability Statistics')[s]!;
      expectPspp(res.alpha, stats.rows[1]![0]!, `${name}: PSPP alpha`);
      const itemTotal = tables.filter((t) => t.title === 'Item-Total Statistics')[s]!;
      res.items.forEach((it, i) => {
        const row = itemTotal.rows[1 + i]!;
        expect(row[0]!.replace(/r$/, '')).toBe(g.items[i]);
        expectPspp(it.scaleMeanIfDeleted, row[1]!, `${name}: ${row[0]} scale mean if deleted`);
        expectPspp(it.scaleVarianceIfDeleted, row[2]!, `${name}: ${row[0]} scale variance if deleted`);
        expectPspp(it.correctedItemTotalCorrelation!, row[3]!, `${name}: ${row[0]} corrected item-total r`);
        expectPspp(it.alphaIfDeleted!, row[4]!, `${name}: ${row[0]} alpha if deleted`);
      });
    });
  });
});

describe('cronbachAlpha at scale', () => {
  it('keeps 12+ digits on 1,000,000 respondents (complete golden rows replicated, incomplete rows interleaved)', () => {
    // Alpha and every correlation are invariant to replicating the sample, so the replicated data must reproduce
    // the listwise golden exactly (up to rounding); the incomplete rows must all be excluded.
    const k = 8;
    const complete: number[][] = [];
    const incomplete: number[][] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = columns.map((c) => c[r]!);
      (row.some(Number.isNaN) ? incomplete : complete).push(row);
    }
    const copies = Math.ceil(1_000_000 / (complete.length + incomplete.length));
    const nRows = copies * (complete.length + incomplete.length);
    const data = new Float64Array(nRows * k);
    let o = 0;
    for (let c = 0; c < copies; c++) {
      for (let r = 0; r < rows.length; r++) {
        for (let j = 0; j < k; j++) data[o++] = columns[j]![r]!;
      }
    }
    const items: ItemMatrix = { data, nRows, nItems: k };
    const res = ok(cronbachAlpha(items));
    const g = golden.reliability.listwise as AlphaGolden;
    expect(nRows).toBeGreaterThanOrEqual(1_000_000);
    expect(res.n).toBe(copies * complete.length);
    expect(res.nExcluded).toBe(copies * incomplete.length);
    expectDigits(res.alpha, g.raw, STAT, 'replicated: alpha');
    expectDigits(res.standardizedAlpha!, g.std, STAT, 'replicated: standardized alpha');
    res.items.forEach((it, i) => {
      expectDigits(it.alphaIfDeleted!, g.alphaDrop[i]!, STAT, `replicated: alpha if deleted ${i + 1}`);
      expectDigits(it.correctedItemTotalCorrelation!, g.rDrop[i]!, STAT, `replicated: r.drop ${i + 1}`);
      expectDigits(it.mean, g.itemMean[i]!, STAT, `replicated: mean ${i + 1}`);
    });
  });
});

describe('degenerate input', () => {
  it('returns NotComputable for fewer than 2 items, fewer than 2 respondents and zero total variance', () => {
    const one = cronbachAlpha(itemMatrixFromColumns([[1, 2, 3]]));
    expect(isNotComputable(one) && one.reason).toMatch(/1 item/);
    const single = cronbachAlpha(
      itemMatrixFromColumns([
        [1, Number.NaN, 2],
        [2, 3, Number.NaN],
      ]),
    );
    expect(isNotComputable(single) && single.reason).toMatch(/Only 1 respondent/);
    const flat = cronbachAlpha(
      itemMatrixFromColumns([
        [1, 1, 1, 1],
        [2, 2, 2, 2],
      ]),
    );
    expect(isNotComputable(flat) && flat.reason).toMatch(/no variance/);
    const pair = cronbachAlpha(
      itemMatrixFromColumns([
        [1, 2, 3, Number.NaN, Number.NaN],
        [Number.NaN, Number.NaN, 1, 2, 3],
      ]),
      { missing: 'pairwise' },
    );
    expect(isNotComputable(pair) && pair.reason).toMatch(/both answered by 1 respondent/);
  });
  it('keeps a constant item in, with null standardized statistics', () => {
    const res = ok(
      cronbachAlpha(
        itemMatrixFromColumns([
          [1, 2, 3, 4, 2],
          [2, 2, 4, 4, 1],
          [1, 1, 1, 1, 1],
        ]),
      ),
    );
    expect(res.standardizedAlpha).toBeNull();
    expect(res.items[2]!.correctedItemTotalCorrelation).toBeNull();
    expect(Number.isFinite(res.alpha)).toBe(true);
  });
  it('throws on a malformed matrix', () => {
    expect(() => cronbachAlpha({ data: new Float64Array(5), nRows: 2, nItems: 3 })).toThrow(/expected nRows/);
    expect(() => itemMatrixFromColumns([[1, 2], [1]])).toThrow(/item 2/);
  });
});
