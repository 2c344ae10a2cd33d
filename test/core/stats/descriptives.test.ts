import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { descriptives as describeValues, moments, quantiles } from '../../../src/core/stats/descriptives.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits, lre } from '../../helpers/accuracy.js';
import { ok, psppTableMap } from './pspp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const nistDir = path.join(repoRoot, 'test/goldens/reference/nist');
const certified = JSON.parse(readFileSync(path.join(nistDir, 'certified_values.json'), 'utf8'))
  .univariate as Record<string, { n: number; mean: string; sd: string }>;
const goldens = JSON.parse(readFileSync(path.join(repoRoot, 'test/goldens/stats_a.json'), 'utf8'));

/** Data lines of a NIST StRD univariate file (original NIST layout or the '#'-commented one). */
function readNist(file: string): number[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  let start = -1;
  lines.forEach((line, i) => {
    if (/^(#\s*)?Data(:\s*Y)?$/.test(line.trim())) start = i;
  });
  if (start < 0) throw new Error(`${file}: no "Data" header line`);
  return lines
    .slice(start + 1)
    .filter((l) => /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(l))
    .map(Number);
}

// test/goldens/reference/README.md: binary64 limits for the SD; we assert them minus 0.5.
const SD_DIGITS: Record<string, number> = {
  Lew: 14.5,
  Lottery: 14.5,
  NumAcc1: 14.5,
  Mavro: 12.5,
  Michelso: 12.5,
  NumAcc2: 13.5,
  NumAcc3: 8.5,
  NumAcc4: 7.5,
  PiDigits: 14,
};

describe('NIST StRD univariate: mean and SD at the binary64 limits', () => {
  const files = readdirSync(path.join(nistDir, 'univariate')).filter((f) => f.endsWith('.txt'));
  const report: string[] = [];
  afterAll(() => console.log(`NIST univariate LRE (mean, sd):\n${report.join('\n')}`));

  it('has all nine data sets', () => {
    expect(files.map((f) => f.replace('.txt', '')).sort()).toEqual(Object.keys(certified).sort());
  });

  for (const file of files) {
    const name = file.replace('.txt', '');
    it(name, () => {
      const x = readNist(path.join(nistDir, 'univariate', file));
      const c = certified[name] as { n: number; mean: string; sd: string };
      expect(x.length).toBe(c.n);
      const r = ok(describeValues(x));
      const sdDigits = SD_DIGITS[name] as number;
      report.push(
        `  ${name.padEnd(9)} mean ${lre(r.mean, Number(c.mean)).toFixed(2)}  sd ${lre(r.sd as number, Number(c.sd)).toFixed(2)} (need ${sdDigits})`,
      );
      expect(r.n).toBe(c.n);
      expectDigits(r.mean, Number(c.mean), 14.5, `${name} mean`);
      expectDigits(r.sd as number, Number(c.sd), sdDigits, `${name} sd`);
      // the textbook one-pass formula would fail here; Float64Array input gives the same answer
      const typed = ok(describeValues(Float64Array.from(x)));
      expect(typed.sd).toBe(r.sd);
      expect(typed.mean).toBe(r.mean);
    });
  }
});

describe('against R (mean, sd, var, quantile type 6 and 7)', () => {
  for (const g of goldens.descriptives) {
    it(g.name, () => {
      const x = (g.x as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
      for (const [definition, key] of [
        ['spss', 'type6'],
        ['r', 'type7'],
      ] as const) {
        const r = ok(describeValues(x, { quantileDefinition: definition }));
        expect(r.n).toBe(g.n);
        expect(r.nMissing).toBe(g.nMissing);
        expect(r.quantileDefinition).toBe(definition);
        expectDigits(r.mean, g.mean, 14, `${g.name} mean`);
        expectDigits(r.sum, g.sum, 14, `${g.name} sum`);
        expect(r.min).toBe(g.min);
        expect(r.max).toBe(g.max);
        expect(r.range).toBe(g.max - g.min);
        if (g.sd === null) {
          expect(r.sd).toBeNull();
          expect(r.variance).toBeNull();
          expect(r.se).toBeNull();
        } else {
          expectDigits(r.sd as number, g.sd, 13, `${g.name} sd`);
          expectDigits(r.variance as number, g.variance, 13, `${g.name} variance`);
          expectDigits(r.se as number, g.se, 13, `${g.name} se`);
        }
        const [q1, med, q3] = g[key] as number[];
        expectDigits(r.q1, q1 as number, 14, `${g.name} q1 ${definition}`);
        expectDigits(r.median, med as number, 14, `${g.name} median ${definition}`);
        expectDigits(r.q3, q3 as number, 14, `${g.name} q3 ${definition}`);
        expectDigits(r.iqr, (q3 as number) - (q1 as number), 13, `${g.name} iqr ${definition}`);
        const qs = quantiles(x, g.probs, definition);
        if (isNotComputable(qs)) throw new Error(qs.reason);
        (g[`${key}_probs`] as number[]).forEach((ref, i) => {
          expectDigits(qs[i] as number, ref, 14, `${g.name} quantile p=${g.probs[i]} ${definition}`);
        });
      }
    });
  }
});

// ---- PSPP FREQUENCIES / EXAMINE on the same data (printed to display precision) --------------

/** PSPP prints ".18" for 0.18 and "-.19" for -0.19. */
function psppNumber(s: string): number {
  return Number(s.replace(/^(-?)\./, '$10.'));
}

/** The number of decimals PSPP printed. */
function decimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

function expectPrinted(value: number, printed: string, what: string): void {
  const d = decimals(printed);
  expect(value.toFixed(d), `${what}: ours ${value}, PSPP printed ${printed}`).toBe(
    psppNumber(printed).toFixed(d),
  );
}

describe('against PSPP (test/goldens/pspp/frequencies.sps)', () => {
  const tables = psppTableMap('frequencies.out.csv');
  const csv: string[][] = parse(
    readFileSync(path.join(repoRoot, 'test/goldens/pspp/frequencies_data.csv'), 'utf8'),
    { from_line: 2 },
  );
  const sleep = csv.map((r) => (r[4] === '' || r[4] === undefined ? Number.NaN : Number(r[4])));

  it('FREQUENCIES /STATISTICS: n, mean, SE, SD, variance, range, min, max, sum', () => {
    const stats = tables.get('Statistics');
    if (stats === undefined) throw new Error('no Statistics table');
    const cell = (label: string, sub = ''): string => {
      let section = '';
      for (const row of stats) {
        if (row[0] !== '') section = row[0] as string;
        if (section === label && (row[1] ?? '') === sub) return row[2] as string;
      }
      throw new Error(`no ${label} ${sub}`);
    };
    const r = ok(describeValues(sleep));
    expect(r.n).toBe(Number(cell('N', 'Valid')));
    expect(r.nMissing).toBe(Number(cell('N', 'Missing')));
    expectPrinted(r.mean, cell('Mean'), 'mean');
    expectPrinted(r.se as number, cell('S.E. Mean'), 'SE mean');
    expectPrinted(r.median, cell('Median'), 'median');
    expectPrinted(r.sd as number, cell('Std Dev'), 'SD');
    expectPrinted(r.variance as number, cell('Variance'), 'variance');
    expectPrinted(r.range, cell('Range'), 'range');
    expectPrinted(r.min, cell('Minimum'), 'min');
    expectPrinted(r.max, cell('Maximum'), 'max');
    expectPrinted(r.sum, cell('Sum'), 'sum');
  });

  it("PSPP's FREQUENCIES percentiles use R type 7 ('r'), unlike SPSS", () => {
    const stats = tables.get('Statistics') as string[][];
    const at = (p: string) =>
      (stats.find((row) => row[1] === p && row[2] !== undefined) as string[])[2] as string;
    const r = ok(describeValues(sleep, { quantileDefinition: 'r' }));
    expectPrinted(r.q1, at('25'), 'P25');
    expectPrinted(r.median, at('50'), 'P50');
    expectPrinted(r.q3, at('75'), 'P75');
    // and the SPSS definition gives a different 25th percentile on these data
    const spss = ok(describeValues(sleep, { quantileDefinition: 'spss' }));
    expect(spss.q1.toFixed(3)).not.toBe(r.q1.toFixed(3));
  });

  it("EXAMINE /PERCENTILES=HAVERAGE matches 'spss' (R type 6)", () => {
    const table = tables.get('Percentiles') as string[][];
    const row = table.find((r) => r[1] === 'Weighted Average') as string[];
    const r = ok(describeValues(sleep, { quantileDefinition: 'spss' }));
    expectPrinted(r.q1, row[2] as string, 'HAVERAGE P25');
    expectPrinted(r.median, row[3] as string, 'HAVERAGE P50');
    expectPrinted(r.q3, row[4] as string, 'HAVERAGE P75');
  });
});

describe('degenerate input and speed', () => {
  it('returns NotComputable when every value is missing or there are none', () => {
    const all = describeValues([Number.NaN, Number.NaN]);
    expect(isNotComputable(all)).toBe(true);
    if (isNotComputable(all)) expect(all.reason).toMatch(/All 2 values are missing/);
    expect(isNotComputable(describeValues([]))).toBe(true);
    expect(isNotComputable(moments(new Float64Array(0)))).toBe(true);
    expect(isNotComputable(quantiles([Number.NaN], [0.5]))).toBe(true);
  });

  it('reports a single value without a spread (null, never NaN)', () => {
    const r = ok(describeValues([Number.NaN, 4.5]));
    expect(r).toMatchObject({ n: 1, nMissing: 1, mean: 4.5, sd: null, variance: null, se: null });
    expect(r).toMatchObject({ min: 4.5, max: 4.5, median: 4.5, q1: 4.5, q3: 4.5, range: 0 });
  });

  it('a constant sample has SD exactly 0', () => {
    const r = ok(describeValues(new Float64Array(1000).fill(0.1)));
    expect(r.sd).toBe(0);
    expect(r.mean).toBe(0.1);
  });

  it('rejects probabilities outside [0, 1] as a programming error', () => {
    expect(() => quantiles([1, 2], [1.5])).toThrow(/not in \[0, 1\]/);
  });

  it('1,000,000 values: exact closed forms, and the time per pass is printed', () => {
    const n = 1_000_000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i * 7919) % n) + 1; // a permutation of 1..n
    moments(x); // warm-up
    const t0 = performance.now();
    const m = moments(x);
    const t1 = performance.now();
    const r = ok(describeValues(x));
    const t2 = performance.now();
    if (isNotComputable(m)) throw new Error(m.reason);
    console.log(
      `1e6 Float64Array: moments (2 passes) ${(t1 - t0).toFixed(1)} ms, full describe with quartiles ${(t2 - t1).toFixed(1)} ms`,
    );
    expect(m.sum).toBe((n * (n + 1)) / 2);
    expect(m.mean).toBe((n + 1) / 2);
    expectDigits(m.variance as number, (n * (n + 1)) / 12, 14.5, 'variance of 1..n');
    expect(r.median).toBe((n + 1) / 2);
    expect(r.q1).toBe(250000.25); // type 6: position 0.25 (n+1) = 250000.25
    expect(r.q3).toBe(750000.75);
  });
});
