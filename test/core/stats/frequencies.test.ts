import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type FrequencyTable, frequencies } from '../../../src/core/stats/frequencies.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { ok, psppTableMap } from './pspp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const psppDir = path.resolve(here, '../../goldens/pspp');

// the checked-in data and the labels/missing codes declared in frequencies.sps
const data: string[][] = parse(readFileSync(path.join(psppDir, 'frequencies_data.csv'), 'utf8'), {
  from_line: 2,
});
const column = (i: number) => data.map((r) => (r[i] === '' ? Number.NaN : Number(r[i])));
const labels = {
  0: 'Not at all',
  1: 'Several days',
  2: 'More than half the days',
  3: 'Nearly every day',
  8: 'Not applicable',
  9: 'Skipped',
};
const options = { valueLabels: labels, missingValues: [8, 9] };

/** "22.9%" -> 22.9 (PSPP prints one decimal). */
const pct = (s: string) => Number(s.replace('%', ''));
const oneDecimal = (x: number) => Number(x.toFixed(1));

/**
 * Compare our table with PSPP's rows. PSPP 1.6 lists system-missing (".") before the user-missing
 * codes and prints no "Valid Total"/"Missing Total" rows; we follow SPSS (user-missing codes, then
 * "System", then totals), so rows are matched by label rather than position.
 */
function expectSameAsPspp(ours: FrequencyTable, pspp: string[][]): void {
  let section = '';
  const validRows: string[][] = [];
  const missingRows: string[][] = [];
  let totalRow: string[] | undefined;
  for (const row of pspp.slice(1)) {
    if (row[0] !== '') section = row[0] as string;
    if (section === 'Valid') validRows.push(row);
    else if (section === 'Missing') missingRows.push(row);
    else if (section === 'Total') totalRow = row;
  }
  expect(ours.valid.length).toBe(validRows.length);
  ours.valid.forEach((r, i) => {
    const p = validRows[i] as string[];
    expect(r.label ?? String(r.value)).toBe(p[1]);
    expect(r.frequency).toBe(Number(p[2]));
    expect(oneDecimal(r.percent)).toBe(pct(p[3] as string));
    expect(oneDecimal(r.validPercent)).toBe(pct(p[4] as string));
    expect(oneDecimal(r.cumulativePercent)).toBe(pct(p[5] as string));
  });
  expect(ours.missing.length).toBe(missingRows.length);
  for (const r of ours.missing) {
    const name = r.value === 'system' ? '.' : (r.label ?? String(r.value));
    const p = missingRows.find((row) => row[1] === name);
    expect(p, `missing row ${name}`).toBeDefined();
    expect(r.frequency).toBe(Number((p as string[])[2]));
    expect(oneDecimal(r.percent)).toBe(pct((p as string[])[3] as string));
  }
  expect(totalRow).toBeDefined();
  expect(ours.total.frequency).toBe(Number((totalRow as string[])[2]));
  expect(ours.total.percent).toBe(pct((totalRow as string[])[3] as string));
}

describe('frequencies against PSPP FREQUENCIES (test/goldens/pspp/frequencies.sps)', () => {
  const tables = psppTableMap('frequencies.out.csv');

  it('nervous: value labels, two user-missing codes and system-missing', () => {
    const ours = ok(frequencies(column(2), options));
    expectSameAsPspp(ours, tables.get('Feeling nervous, anxious or on edge') as string[][]);
    expect(ours).toMatchObject({ n: 48, nValid: 39, nMissing: 9 });
    // missing rows as SPSS lists them: each user-missing code, then System
    expect(ours.missing.map((r) => r.value)).toEqual([8, 9, 'system']);
    expect(ours.missing.map((r) => r.label)).toEqual(['Not applicable', 'Skipped', undefined]);
    expect(ours.validTotal).toEqual({ frequency: 39, percent: (100 * 39) / 48, validPercent: 100 });
    expect(ours.missingTotal).toEqual({ frequency: 9, percent: (100 * 9) / 48 });
  });

  it('interest: only one missing code observed', () => {
    const ours = ok(frequencies(column(3), options));
    expectSameAsPspp(ours, tables.get('Little interest or pleasure in doing things') as string[][]);
    expect(ours.missing).toHaveLength(1);
  });

  it('year: no labels and no missing values', () => {
    const ours = ok(frequencies(column(1)));
    expectSameAsPspp(ours, tables.get('year') as string[][]);
    expect(ours.missing).toEqual([]);
    expect(ours.valid.at(-1)?.cumulativePercent).toBe(100);
  });
});

describe('frequencies: exact counts and percentages', () => {
  it('percent of all cases, valid percent and cumulative percent of valid cases', () => {
    const t = ok(frequencies([1, 2, 2, 3, 9, Number.NaN], { missingValues: [9] }));
    expect(t.valid).toEqual([
      { value: 1, frequency: 1, percent: 100 / 6, validPercent: 25, cumulativePercent: 25 },
      { value: 2, frequency: 2, percent: 200 / 6, validPercent: 50, cumulativePercent: 75 },
      { value: 3, frequency: 1, percent: 100 / 6, validPercent: 25, cumulativePercent: 100 },
    ]);
    expect(t.missing).toEqual([
      { value: 9, frequency: 1, percent: 100 / 6 },
      { value: 'system', frequency: 1, percent: 100 / 6 },
    ]);
    expect(t.total).toEqual({ frequency: 6, percent: 100 });
    expect(t.missingValues).toEqual([9]);
  });

  it('accepts a Map of labels and descending order', () => {
    const t = ok(frequencies([0, 1, 1], { valueLabels: new Map([[1, 'Yes']]), order: 'descending' }));
    expect(t.valid.map((r) => [r.value, r.label])).toEqual([
      [1, 'Yes'],
      [0, undefined],
    ]);
    expect(t.valid.map((r) => r.cumulativePercent)).toEqual([(100 * 2) / 3, 100]);
  });

  it('all cases missing: the missing rows are still reported, valid percent is null', () => {
    const t = ok(frequencies([9, 9, Number.NaN], { missingValues: [9] }));
    expect(t.valid).toEqual([]);
    expect(t.validTotal).toEqual({ frequency: 0, percent: 0, validPercent: null });
    expect(t.nMissing).toBe(3);
  });

  it('no cases at all is NotComputable', () => {
    const r = frequencies([]);
    expect(isNotComputable(r)).toBe(true);
  });
});
