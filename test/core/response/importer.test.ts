import { describe, expect, it } from 'vitest';
import { AnswerStatus, type NumericColumn, type TextColumn } from '../../../src/core/response/dataset.js';
import { importTable, ResponseImport } from '../../../src/core/response/importer.js';
import { parseMappingFile } from '../../../src/core/response/mappingFile.js';
import { targets } from './fixtures.js';

const S = AnswerStatus;
const num = (r: { dataset: { columns: ReadonlyMap<string, unknown> } }, id: string) => {
  const c = r.dataset.columns.get(id) as NumericColumn;
  return { values: Array.from(c.values), status: Array.from(c.status) };
};

describe('importTable', () => {
  it('codes a small Google-Forms-like table into columns', () => {
    const r = importTable(targets(['mini']), [
      [
        'Timestamp',
        'Gender',
        'Age (years)',
        'mini_1',
        'mini_3',
        'Which of these help you cope?',
        'Any comments?',
      ],
      ['3/14/2024 10:00:00', 'Female', '21', 'Several days', 'Not applicable', 'Exercise, Prayer', 'ok'],
      ['3/15/2024 11:30:00', 'Male', '', '', '1', '', ''],
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rows).toBe(2);
    expect(r.dataset.n).toBe(2);
    expect([...r.dataset.columns.keys()]).toEqual([
      'mini_1',
      'mini_2',
      'mini_3',
      'age',
      'gender',
      'coping__1',
      'coping__2',
      'coping__3',
      'coping__4',
      'comments',
    ]);
    expect(num(r, 'gender')).toEqual({ values: [1, 2], status: [S.ANSWERED, S.ANSWERED] });
    expect(num(r, 'age')).toEqual({ values: [21, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'mini_1')).toEqual({ values: [1, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'mini_3')).toEqual({ values: [Number.NaN, 1], status: [S.NOT_APPLICABLE, S.ANSWERED] });
    // no column: not shown
    expect(num(r, 'mini_2')).toEqual({
      values: [Number.NaN, Number.NaN],
      status: [S.NOT_SHOWN, S.NOT_SHOWN],
    });
    expect(num(r, 'coping__2')).toEqual({ values: [1, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'coping__3')).toEqual({ values: [1, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'coping__1')).toEqual({ values: [0, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect((r.dataset.columns.get('comments') as TextColumn).values).toEqual(['ok', null]);
    expect(Array.from(r.submittedAt!)).toEqual([
      Date.parse('2024-03-14T10:00:00Z'),
      Date.parse('2024-03-15T11:30:00Z'),
    ]);
    expect(r.mappingReport.missingTargets).toEqual(['mini_2']);
    expect(r.warnings).toEqual([]);
  });

  it('is all or nothing: errors give no dataset, and every error is reported with row and column', () => {
    const r = importTable(targets(['mini']), [
      ['Gender', 'Age (years)', 'mini_1'],
      ['Female', '21', '0'],
      ['F', '200', 'Not applicable'],
      ['Male', '30', '1'],
      ['F', 'x', '9'],
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect('dataset' in r).toBe(false);
    expect(r.errorCount).toBe(6);
    expect(r.errors.map((e) => [e.row, e.column, e.value, e.item, e.code])).toEqual([
      [3, 'Gender', 'F', 'gender', 'unknown_label'],
      [3, 'Age (years)', '200', 'age', 'out_of_range'],
      [3, 'mini_1', 'Not applicable', 'mini_1', 'na_not_allowed'],
      [5, 'Gender', 'F', 'gender', 'unknown_label'],
      [5, 'Age (years)', 'x', 'age', 'not_a_number'],
      [5, 'mini_1', '9', 'mini_1', 'unknown_code'],
    ]);
    expect(r.errors[0]!.message).toBe(
      'Row 3, column "Gender": "F" is not one of Female, Male. Fix the cell or map it in a mapping file ("values": { "gender": { "F": <code> } }).',
    );
    expect(r.errors[2]!.message).toBe(
      'Row 3, column "mini_1": "Not applicable" means "not applicable", but item mini_1 does not allow "not applicable". Fix the cell or map it in a mapping file ("values": { "mini_1": { "Not applicable": "SKIP" } }).',
    );
    expect(r.errorSummary.find((g) => g.value === 'F')).toMatchObject({
      code: 'unknown_label',
      column: 'Gender',
      count: 2,
      firstRow: 3,
    });
  });

  it('caps the stored errors but counts and groups all of them', () => {
    const rows: string[][] = [['Gender']];
    for (let i = 0; i < 250; i++) rows.push([i % 2 === 0 ? 'F' : 'M']);
    const r = importTable(targets(['mini']), rows, { maxErrors: 100 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(100);
    expect(r.errorCount).toBe(250);
    expect(r.errorSummary.map((g) => [g.value, g.count, g.firstRow])).toEqual([
      ['F', 125, 2],
      ['M', 125, 3],
    ]);
    expect(r.errors[99]!.row).toBe(101);
  });

  it('skips blank rows (keeping spreadsheet row numbers) and warns', () => {
    const r = importTable(targets(['mini']), [
      ['Gender', 'mini_1'],
      ['Female', '0'],
      ['', ''],
      ['', '  '],
      ['X', '1'],
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.row).toBe(5);
    expect(r.rows).toBe(2);
    expect(r.warnings).toEqual(['2 blank rows were skipped.']);
  });

  it('refuses rows longer than the header, and in exact mode shorter ones', () => {
    const t = targets(['mini']);
    const long = importTable(t, [['Gender'], ['Female', 'extra']]);
    expect(!long.ok && long.errors[0]!.message).toBe(
      'Row 2 has 2 cells but the header row has 1 columns. A value may hold an unquoted separator or line break; quote it or fix the row.',
    );
    // trailing empty cells are harmless in spreadsheets
    expect(importTable(t, [['Gender'], ['Female', '']]).ok).toBe(true);
    expect(importTable(t, [['Gender', 'mini_1'], ['Female']]).ok).toBe(true);
    expect(importTable(t, [['Gender', 'mini_1'], ['Female']], { rowLength: 'exact' }).ok).toBe(false);
  });

  it('fails clearly on an empty table, a blank header row and a header without data', () => {
    const t = targets(['mini']);
    const e1 = importTable(t, []);
    expect(!e1.ok && e1.errors[0]!.message).toBe('The file is empty: it has no header row and no responses.');
    const e2 = importTable(t, [
      ['', ''],
      ['Female', '1'],
    ]);
    expect(!e2.ok && e2.errors[0]!.message).toBe(
      'Row 1 is blank: the first row must hold the column headers (question texts or item ids).',
    );
    const e3 = importTable(t, [['Gender', 'mini_1']]);
    expect(!e3.ok && e3.errors[0]!.message).toBe(
      'The file has a header row but no data rows: there are no responses to import.',
    );
    expect(!e3.ok && e3.mappingReport!.mapped.length).toBe(2);
  });

  it('omits or refuses variables without a column when asked', () => {
    const t = targets(['mini']);
    const omit = importTable(t, [['Gender'], ['Female']], { missingTargets: 'omit' });
    expect(omit.ok && [...omit.dataset.columns.keys()]).toEqual(['gender']);
    const strict = importTable(t, [['Gender'], ['Female']], { missingTargets: 'error' });
    expect(!strict.ok && strict.errors.map((e) => e.item)).toEqual([
      'mini_1',
      'mini_2',
      'mini_3',
      'age',
      'coping__1',
      'coping__2',
      'coping__3',
      'coping__4',
      'comments',
    ]);
    expect(!strict.ok && strict.errors[0]!.message).toBe(
      'No column of the file fills mini_1. Add the column, or map an existing one in a mapping file ("columns": { "<header>": "mini_1" }).',
    );
  });

  it('decides the day/month order of timestamps from the whole column', () => {
    const t = targets(['mini']);
    const dmy = importTable(t, [
      ['Timestamp', 'Gender'],
      ['3/4/2024 10:00', 'Female'],
      ['25/4/2024 10:00', 'Male'],
    ]);
    expect(dmy.ok && Array.from(dmy.submittedAt!)).toEqual([
      Date.parse('2024-04-03T10:00:00Z'),
      Date.parse('2024-04-25T10:00:00Z'),
    ]);
    const amb = importTable(t, [
      ['Timestamp', 'Gender'],
      ['3/4/2024 10:00', 'Female'],
    ]);
    expect(amb.ok && Array.from(amb.submittedAt!)).toEqual([Date.parse('2024-03-04T10:00:00Z')]);
    expect(amb.warnings).toEqual([
      'Column "Timestamp": dates such as 3/4/2024 can be month/day or day/month; all 1 such rows were read as month/day/year. Set dateOrder to "dmy" if they are day/month/year.',
    ]);
    const set = importTable(
      t,
      [
        ['Timestamp', 'Gender'],
        ['3/4/2024 10:00', 'Female'],
      ],
      { dateOrder: 'dmy' },
    );
    expect(set.ok && Array.from(set.submittedAt!)).toEqual([Date.parse('2024-04-03T10:00:00Z')]);
    expect(set.warnings).toEqual([]);
    const mixed = importTable(t, [
      ['Timestamp', 'Gender'],
      ['13/4/2024', 'Female'],
      ['4/13/2024', 'Male'],
    ]);
    expect(!mixed.ok && mixed.errors[0]!.message).toBe(
      'Column "Timestamp" mixes day/month and month/day dates: row 2 ("13/4/2024") can only be day/month/year and row 3 ("4/13/2024") only month/day/year. Fix the dates, or ignore the column with a mapping file ("timestamp": null).',
    );
    const bad = importTable(t, [
      ['Timestamp', 'Gender'],
      ['soon', 'Female'],
    ]);
    expect(!bad.ok && bad.errors[0]!).toMatchObject({
      code: 'bad_timestamp',
      row: 2,
      column: 'Timestamp',
      value: 'soon',
    });
  });

  it('applies a mapping file to columns and values', () => {
    const m = parseMappingFile({
      columns: { SEX: 'gender', C1: 'coping__1', C3: 'coping__3' },
      values: { gender: { F: 1, M: 2 }, '*': { '-99': 'SKIP' } },
    });
    if (!m.ok) throw new Error('mapping');
    const r = importTable(
      targets(['mini']),
      [
        ['SEX', 'C1', 'C3', 'AGE (YEARS)'],
        ['F', 'Y', '', '-99'],
        ['M', '', '1', '22'],
      ],
      { mapping: m.value },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(num(r, 'gender').values).toEqual([1, 2]);
    expect(num(r, 'coping__1')).toEqual({ values: [1, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'coping__3')).toEqual({ values: [Number.NaN, 1], status: [S.SKIPPED, S.ANSWERED] });
    expect(num(r, 'coping__2').status).toEqual([S.NOT_SHOWN, S.NOT_SHOWN]);
    expect(num(r, 'age')).toEqual({ values: [Number.NaN, 22], status: [S.SKIPPED, S.ANSWERED] });
  });

  it('accepts XLSX-typed cells: numbers, booleans and dates', () => {
    const imp = new ResponseImport(targets(['mini']), ['Timestamp', 'Age (years)', 'mini_1', 'coping__2']);
    imp.addRow([new Date('2024-03-14T10:15:23Z'), 21, 3, true]);
    imp.addRow([45365.5, 22.0, null, false]);
    const r = imp.finish();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(num(r, 'age').values).toEqual([21, 22]);
    expect(num(r, 'mini_1')).toEqual({ values: [3, Number.NaN], status: [S.ANSWERED, S.SKIPPED] });
    expect(num(r, 'coping__2').values).toEqual([1, 0]);
    expect(Array.from(r.submittedAt!)).toEqual([
      Date.parse('2024-03-14T10:15:23Z'),
      Date.parse('2024-03-14T12:00:00Z'),
    ]);
  });

  it('grows columns past several chunks without losing rows', () => {
    const imp = new ResponseImport(targets(['mini']), ['mini_1', 'Age (years)']);
    const n = 200_003;
    for (let i = 0; i < n; i++) imp.addRow([String(i % 4), i % 7 === 0 ? '' : String(16 + (i % 60))]);
    const r = imp.finish();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.dataset.columns.get('mini_1') as NumericColumn;
    const a = r.dataset.columns.get('age') as NumericColumn;
    expect(c.values.length).toBe(n);
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (c.values[i] !== i % 4) ok = false;
      if (i % 7 === 0 ? a.status[i] !== S.SKIPPED : a.values[i] !== 16 + (i % 60)) ok = false;
    }
    expect(ok).toBe(true);
  });
});
