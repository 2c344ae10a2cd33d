/**
 * The XLSX writer, read back with exceljs: sheets, header names with label notes, values as codes and as
 * labels, Excel dates, the codebook sheet — and no cell anywhere is a formula (text like
 * `=HYPERLINK(...)` is stored as a plain string).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../src/lib/zip.js';
import {
  buildVariables,
  type ExportVariable,
  writeXlsx,
  type XlsxExportOptions,
} from '../../../src/render/export/index.js';
import {
  ALL_VARIABLE_NAMES,
  asyncRecords,
  CODEBOOK_COLUMNS,
  expectFailingSourceDestroysSink,
  FORMULA,
  LONG_STORY,
  records,
  resolvedStudy,
  URDU,
} from './fixture.js';

async function xlsxOf(
  variables: readonly ExportVariable[],
  options: XlsxExportOptions = {},
): Promise<ExcelJS.Workbook> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const summary = await writeXlsx(variables, asyncRecords(), sink, options);
  const buf = Buffer.concat(chunks);
  expect(summary.bytes).toBe(buf.length);
  expect(summary.rows).toBe(3);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** Row values without exceljs's leading empty slot; empty cells as null. */
function values(ws: ExcelJS.Worksheet, row: number, n: number): unknown[] {
  const r = ws.getRow(row);
  return Array.from({ length: n }, (_, i) => {
    const v = r.getCell(i + 1).value;
    return v === undefined ? null : v;
  });
}

function formulaCells(wb: ExcelJS.Workbook): string[] {
  const found: string[] = [];
  for (const ws of wb.worksheets) {
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (cell.type === ExcelJS.ValueType.Formula || cell.formula !== undefined)
          found.push(`${ws.name}!${cell.address}`);
      });
    });
  }
  return found;
}

const resolved = resolvedStudy();
const all = buildVariables(resolved, { includeFreeText: true, includeTimes: true, includeScores: true });
const day = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

describe('writeXlsx', () => {
  it('Data sheet: names with label notes, codes, empty missing cells, Excel dates; no formulas', async () => {
    const wb = await xlsxOf(all);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Data', 'Variables']);
    const data = wb.getWorksheet('Data')!;
    expect(data.rowCount).toBe(4);
    expect(values(data, 1, 21)).toEqual(ALL_VARIABLE_NAMES);
    expect(data.getCell('A1').note).toBe('Response identifier (random; not linked to any person)');
    expect(data.getCell('G1').note).toBe('I feel stressed');
    expect(values(data, 2, 21)).toEqual([
      'r-0001',
      day(2024, 3, 14),
      new Date(Date.UTC(2024, 2, 14, 10, 22, 5)),
      'en',
      0,
      1,
      2,
      1,
      3,
      0,
      1,
      21,
      1,
      0,
      1,
      2,
      FORMULA,
      LONG_STORY,
      7,
      3,
      3,
    ]);
    expect(values(data, 3, 21)).toEqual([
      'r-0002',
      day(2024, 3, 15),
      new Date(Date.UTC(2024, 2, 15, 23, 59, 59)),
      'ur',
      1,
      1,
      0,
      null,
      null,
      null,
      null,
      19,
      null,
      null,
      null,
      1,
      URDU,
      null,
      null,
      null,
      1,
    ]);
    expect(values(data, 4, 21)).toEqual([
      'r-0003',
      day(2024, 4, 1),
      null,
      'en',
      null,
      1,
      3,
      0,
      3,
      null,
      2,
      null,
      0,
      1,
      0,
      null,
      '-3',
      null,
      9,
      3,
      3,
    ]);
    expect(data.getCell('B2').numFmt).toBe('yyyy-mm-dd');
    // the formula-like answer is a string cell, never a formula
    expect(data.getCell('Q2').type).toBe(ExcelJS.ValueType.String);
    expect(formulaCells(wb)).toEqual([]);
  });

  it('labels, missing as labels', async () => {
    const wb = await xlsxOf(all, { labels: 'labels', missing: 'codes' });
    const data = wb.getWorksheet('Data')!;
    expect(values(data, 3, 21).slice(5)).toEqual([
      'Yes',
      'Never',
      'Skipped',
      'Not applicable',
      'Not shown',
      'Skipped',
      19,
      'Skipped',
      'Skipped',
      'Skipped',
      'First',
      URDU,
      null,
      null,
      null,
      1,
    ]);
    expect(values(data, 2, 21).slice(19)).toEqual(['High', 3]);
    expect(formulaCells(wb)).toEqual([]);
  });

  it('Variables sheet: the codebook', async () => {
    const wb = await xlsxOf(all);
    const book = wb.getWorksheet('Variables')!;
    expect(values(book, 1, 10)).toEqual(CODEBOOK_COLUMNS);
    expect(book.rowCount).toBe(22);
    expect(values(book, 9, 10)).toEqual([
      'mini_2',
      'I feel calm',
      'I feel calm',
      'numeric',
      'F8.0',
      '0 = Never; 1 = Sometimes; 2 = Often; 3 = Always',
      '-9 = Skipped; -8 = Not applicable; -7 = Not shown',
      'MINI item',
      'reverse keyed when scored: 0 + 3 − value',
      'MINI © 2020 J. Doe; free to use with attribution.',
    ]);
  });

  it('a record source that fails destroys the sink and rejects', async () => {
    await expectFailingSourceDestroysSink((recs, sink) => writeXlsx(all, recs, sink));
  });

  it('never writes a character XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates, controls), even cut at 32,767', async () => {
    // Stored before input refused them (issue 12, finding 11): one such answer made the whole file unreadable.
    const cut = `${'a'.repeat(32766)}😀tail`; // Excel's cell limit falls inside the surrogate pair
    const rs = records.map((r, i) =>
      i === 0
        ? {
            ...r,
            answers: {
              ...r.answers,
              comment: { kind: 'text' as const, text: 'x\uFFFEy\uFFFFz\uD800w\u0001v' },
              story: { kind: 'text' as const, text: cut },
            },
          }
        : r,
    );
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    await writeXlsx(all, asyncRecords(rs), sink);
    const buf = Buffer.concat(chunks);
    const { entries } = readZip(new Uint8Array(buf));
    const sheet = new TextDecoder().decode(entries.find((e) => e.name === 'xl/worksheets/sheet1.xml')!.data);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 forbids
    expect(sheet).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const row = values(wb.getWorksheet('Data')!, 2, 21);
    expect(row[16]).toBe('x\uFFFDy\uFFFDz\uFFFDw\uFFFDv');
    expect(row[17]).toBe(`${'a'.repeat(32766)}\uFFFD`);
  });
});
