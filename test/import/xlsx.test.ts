import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerStatus, type TextColumn } from '../../src/core/response/dataset.js';
import { importResponses } from '../../src/import/index.js';
import { plainCell } from '../../src/import/xlsx.js';
import { col, ok, targets } from '../core/response/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'nabz-import-xlsx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const S = AnswerStatus;
const stem = 'How often have you been bothered by the following?';

/** A workbook shaped like Google Sheets' download of a form's responses, plus a second sheet. */
async function makeWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Form Responses 1');
  ws.addRow([
    'Timestamp',
    'Age (years)',
    'جنس',
    'Which of these help you cope?',
    `${stem} [Feeling nervous, anxious or on edge]`,
    `${stem} [Not being able to stop worrying]`,
    `${stem} [Trouble with work or studies]`,
    'Any comments?',
  ]);
  ws.addRow([
    new Date(Date.UTC(2024, 2, 14, 10, 15, 23)),
    21,
    'Female',
    'Talking to friends, family, Exercise',
    'Not at all',
    'کئی دن',
    'Not applicable',
    'Line one\nline two',
  ]);
  ws.getCell('A2').numFmt = 'm/d/yyyy h:mm:ss';
  ws.addRow([
    new Date(Date.UTC(2024, 2, 15, 8, 0, 0)),
    35,
    'مرد',
    'نماز',
    { richText: [{ text: 'Nearly ' }, { font: { bold: true }, text: 'every day' }] },
    2,
    '',
    'بہت اچھا، شکریہ',
  ]);
  ws.getCell('A3').numFmt = 'm/d/yyyy h:mm:ss';
  ws.addRow([]); // blank row 4 (not written by exceljs)
  ws.addRow([
    new Date(Date.UTC(2024, 2, 16, 9, 30, 0)),
    { formula: '20+2', result: 22 },
    'Female',
    '',
    '',
    '',
    'Several days',
    '',
  ]);
  ws.getCell('A5').numFmt = 'm/d/yyyy h:mm:ss';
  const other = wb.addWorksheet('Codes');
  other.addRow(['mini_1', 'gender']);
  other.addRow([3, 2]);
  other.addRow([1, 1]);
  await wb.xlsx.writeFile(path);
}

describe('importResponses: XLSX', () => {
  const path = join(tmp, 'responses.xlsx');
  beforeAll(() => makeWorkbook(path));

  it('reads the first worksheet: date cells, numbers, rich text, formulas, Urdu, multi-line text', async () => {
    const r = await importResponses(path, targets(['mini']));
    expect(ok(r).rows).toBe(3);
    expect(ok(r).mappingReport.mapped.map((c) => c.variable)).toEqual([
      'age',
      'gender',
      'coping',
      'mini_1',
      'mini_2',
      'mini_3',
      'comments',
    ]);
    expect(col(r, 'age').values).toEqual([21, 35, 22]);
    expect(col(r, 'gender').values).toEqual([1, 2, 1]);
    expect(col(r, 'mini_1')).toEqual({
      values: [0, 3, Number.NaN],
      status: [S.ANSWERED, S.ANSWERED, S.SKIPPED],
    });
    expect(col(r, 'mini_2').values).toEqual([1, 2, Number.NaN]);
    expect(col(r, 'mini_3')).toEqual({
      values: [Number.NaN, Number.NaN, 1],
      status: [S.NOT_APPLICABLE, S.SKIPPED, S.ANSWERED],
    });
    expect(col(r, 'coping__1').values).toEqual([1, 0, Number.NaN]);
    expect(col(r, 'coping__3').values).toEqual([0, 1, Number.NaN]);
    expect((ok(r).dataset.columns.get('comments') as TextColumn).values).toEqual([
      'Line one\nline two',
      'بہت اچھا، شکریہ',
      null,
    ]);
    expect(Array.from(ok(r).submittedAt!)).toEqual(
      ['2024-03-14T10:15:23Z', '2024-03-15T08:00:00Z', '2024-03-16T09:30:00Z'].map(Date.parse),
    );
  });

  it('reads a named worksheet', async () => {
    const r = await importResponses(path, targets(['mini']), { sheet: 'Codes' });
    expect(col(r, 'mini_1').values).toEqual([3, 1]);
    expect(col(r, 'gender').values).toEqual([2, 1]);
  });

  it('names the worksheets when the requested one is missing', async () => {
    const r = await importResponses(path, targets(['mini']), { sheet: 'Sheet9' });
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'The workbook has no worksheet named "Sheet9". Its worksheets are: "Form Responses 1", "Codes".',
    ]);
  });

  it('reports errors with worksheet row numbers', async () => {
    const p = join(tmp, 'bad.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Responses');
    ws.addRow(['Gender', 'mini_1']);
    ws.addRow(['Female', 0]);
    ws.getCell('A5').value = 'F';
    ws.getCell('B5').value = 1;
    await wb.xlsx.writeFile(p);
    const r = await importResponses(p, targets(['mini']));
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'Row 5, column "Gender": "F" is not one of Female, Male. Fix the cell or map it in a mapping file ("values": { "gender": { "F": <code> } }).',
    ]);
  });

  it('refuses a header-only sheet and a sheet whose first row is blank', async () => {
    const p = join(tmp, 'header.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('A').addRow(['Gender']);
    const b = wb.addWorksheet('B');
    b.getCell('A3').value = 'Gender';
    b.getCell('A4').value = 'Female';
    await wb.xlsx.writeFile(p);
    const r = await importResponses(p, targets(['mini']));
    expect(!r.ok && r.errors[0]!.code).toBe('no_data_rows');
    const r2 = await importResponses(p, targets(['mini']), { sheet: 'B' });
    expect(!r2.ok && r2.errors[0]!.message).toBe(
      'Row 1 is blank: the first row must hold the column headers (question texts or item ids).',
    );
  });

  it('reports a file that is not a workbook', async () => {
    const p = join(tmp, 'fake.xlsx');
    writeFileSync(p, 'Gender\nFemale\n');
    const r = await importResponses(p, targets(['mini']));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]!.message).toMatch(
      /^The file is not a readable XLSX workbook \(.*\)\. Save it again as "Excel Workbook \(\.xlsx\)", or export it as CSV UTF-8\.$/,
    );
  });
});

describe('plainCell', () => {
  it('flattens exceljs cell values', () => {
    expect(plainCell({ richText: [{ text: 'a' }, { text: 'b' }] })).toBe('ab');
    expect(plainCell({ formula: 'A1', result: 3 })).toBe(3);
    expect(plainCell({ formula: 'A1' })).toBeNull();
    expect(plainCell({ text: 'site', hyperlink: 'https://x' })).toBe('site');
    expect(plainCell({ error: '#N/A' })).toBe('#N/A');
    expect(plainCell(undefined)).toBeNull();
  });
});
