import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerStatus, type TextColumn } from '../../src/core/response/dataset.js';
import { completeUtf8End, detectDelimiter, firstInvalidUtf8, readCsv } from '../../src/import/csv.js';
import { importResponses, loadMappingFile } from '../../src/import/index.js';
import { col, ok, targets } from '../core/response/fixtures.js';

const FIX = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabz-import-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const S = AnswerStatus;
const NaN_ = Number.NaN;

function write(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('importResponses: Google Forms CSV (BOM, CRLF, Urdu, grid, quoted newlines)', async () => {
  const r = await importResponses(join(FIX, 'google-forms-urdu.csv'), targets(['mini']));
  it('maps every column and reports the rest', () => {
    const rep = ok(r).mappingReport;
    expect(rep.columns.map((c) => [c.letter, c.status, c.variable ?? null, c.how ?? null])).toEqual([
      ['A', 'timestamp', null, null],
      ['B', 'unmapped', null, null],
      ['C', 'mapped', 'age', 'text'],
      ['D', 'mapped', 'gender', 'text'],
      ['E', 'mapped', 'coping', 'text'],
      ['F', 'mapped', 'mini_1', 'grid-row'],
      ['G', 'mapped', 'mini_2', 'grid-row'],
      ['H', 'mapped', 'mini_3', 'grid-row'],
      ['I', 'mapped', 'comments', 'text'],
    ]);
    expect(rep.columns[0]!.header).toBe('Timestamp'); // BOM removed
    expect(rep.missingTargets).toEqual([]);
  });
  it('codes English and Urdu labels, Urdu digits, N/A and skipped', () => {
    expect(ok(r).rows).toBe(4);
    expect(col(r, 'mini_1')).toEqual({
      values: [0, 1, 3, NaN_],
      status: [S.ANSWERED, S.ANSWERED, S.ANSWERED, S.SKIPPED],
    });
    expect(col(r, 'mini_2')).toEqual({
      values: [1, 2, 3, NaN_],
      status: [S.ANSWERED, S.ANSWERED, S.ANSWERED, S.SKIPPED],
    });
    expect(col(r, 'mini_3')).toEqual({
      values: [NaN_, NaN_, NaN_, 1],
      status: [S.NOT_APPLICABLE, S.NOT_APPLICABLE, S.SKIPPED, S.ANSWERED],
    });
    expect(col(r, 'age')).toEqual({
      values: [21, 22, 35, NaN_],
      status: [S.ANSWERED, S.ANSWERED, S.ANSWERED, S.SKIPPED],
    });
    expect(col(r, 'gender').values).toEqual([1, 1, 2, NaN_]);
  });
  it('splits checkbox answers whose labels contain commas', () => {
    expect(col(r, 'coping__1').values).toEqual([1, 0, 0, NaN_]);
    expect(col(r, 'coping__2').values).toEqual([1, 0, 0, NaN_]);
    expect(col(r, 'coping__3').values).toEqual([0, 1, 0, NaN_]);
    expect(col(r, 'coping__4').values).toEqual([0, 0, 1, NaN_]);
  });
  it('keeps free text with line breaks, quotes and Urdu punctuation', () => {
    expect((ok(r).dataset.columns.get('comments') as TextColumn).values).toEqual([
      'Line one\nline two',
      'بہت اچھا سروے، شکریہ',
      null,
      'He said "fine"\nthen left',
    ]);
  });
  it('reads Google Forms timestamps with their GMT offset', () => {
    expect(Array.from(ok(r).submittedAt!)).toEqual(
      ['2024-03-14T05:15:23Z', '2024-03-14T18:02:10Z', '2024-03-15T03:00:00Z', '2024-03-15T16:30:00Z'].map(
        Date.parse,
      ),
    );
  });
});

describe('importResponses: errors', () => {
  it('names row, column, value and fix for an unknown label (row 14) and collects every error', async () => {
    const r = await importResponses(join(FIX, 'gender-unknown-label.csv'), targets(['mini']));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorCount).toBe(2);
    expect(r.errors.map((e) => e.message)).toEqual([
      'Row 7, column "Age (years)": "200" is above the maximum 80 of item age. Fix the cell or map it in a mapping file ("values": { "age": { "200": <number> | "SKIP" } }).',
      'Row 14, column "Gender": "F" is not one of Female, Male. Fix the cell or map it in a mapping file ("values": { "gender": { "F": <code> } }).',
    ]);
    expect(r.errors[1]).toMatchObject({
      row: 14,
      column: 'Gender',
      value: 'F',
      item: 'gender',
      code: 'unknown_label',
    });
    expect(r.mappingReport!.mapped.length).toBe(2);
  });

  it('refuses "not applicable" on an item that does not allow it', async () => {
    const p = write('na.csv', 'mini_1,mini_3\nNot applicable,Not applicable\n');
    const r = await importResponses(p, targets(['mini']));
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'Row 2, column "mini_1": "Not applicable" means "not applicable", but item mini_1 does not allow "not applicable". Fix the cell or map it in a mapping file ("values": { "mini_1": { "Not applicable": "SKIP" } }).',
    ]);
  });

  it('reports an ambiguous header', async () => {
    const p = write(
      'amb.csv',
      'Feeling nervous, anxious or on edge\n"Not at all"\n'.replace(
        'Feeling nervous, anxious or on edge',
        '"Feeling nervous, anxious or on edge"',
      ),
    );
    const r = await importResponses(p, targets(['mini', 'twin']));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['ambiguous_column']);
    expect(r.mappingReport!.ambiguous.map((c) => c.candidates)).toEqual([['mini_1', 'twin_1']]);
  });

  it('fails clearly on an empty file, a header-only file and duplicate headers', async () => {
    const t = targets(['mini']);
    const empty = await importResponses(write('empty.csv', ''), t);
    expect(!empty.ok && empty.errors.map((e) => e.message)).toEqual([
      'The file is empty: it has no header row and no responses.',
    ]);
    const bomOnly = await importResponses(write('bom-only.csv', '\ufeff'), t);
    expect(!bomOnly.ok && bomOnly.errors.map((e) => e.code)).toEqual(['empty_file']);
    const header = await importResponses(write('header.csv', '\ufeffGender,mini_1\r\n'), t);
    expect(!header.ok && header.errors.map((e) => e.message)).toEqual([
      'The file has a header row but no data rows: there are no responses to import.',
    ]);
    const dup = await importResponses(write('dup.csv', 'Gender,Age (years),Gender\nFemale,21,Male\n'), t);
    expect(!dup.ok && dup.errors.map((e) => e.message)).toEqual([
      'Columns A, C all have the header "Gender", so they cannot be told apart. Rename them in the file so that each header is used once, or ignore them with a mapping file ("columns": { "Gender": null }).',
    ]);
  });

  it('refuses rows with a different number of cells', async () => {
    const r = await importResponses(
      write('ragged.csv', 'Gender,mini_1\nFemale,1\nMale\nFemale,1,2\n'),
      targets(['mini']),
    );
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'Row 3 has 1 cells but the header row has 2 columns. A value may hold an unquoted separator or line break; quote it or fix the row.',
      'Row 4 has 3 cells but the header row has 2 columns. A value may hold an unquoted separator or line break; quote it or fix the row.',
    ]);
  });

  it('stops at malformed quoting with the row and line', async () => {
    const r = await importResponses(
      write('quote.csv', 'Gender,Any comments?\nFemale,"ok"\nMale,"never closed\nFemale,fine\n'),
      targets(['mini']),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.at(-1)!.code).toBe('file');
    expect(r.errors.at(-1)!.message).toMatch(
      /^Row 3 \(line \d+\): a quoted value is never closed: a closing " is missing\. Fix the quoting/,
    );
  });

  it('refuses text that is not UTF-8, and UTF-16', async () => {
    const latin1 = Buffer.from('Gender,Any comments?\nFemale,caf\xe9\n', 'latin1');
    const r = await importResponses(write('latin1.csv', latin1), targets(['mini']));
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual([
      'The file is not UTF-8 text (an invalid byte at line 2, byte 32). Save it as "CSV UTF-8 (Comma delimited)" in Excel, or download it again as CSV from Google Forms or Sheets.',
    ]);
    const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Gender\nFemale\n', 'utf16le')]);
    const r2 = await importResponses(write('u16.csv', u16), targets(['mini']));
    expect(!r2.ok && r2.errors[0]!.message).toMatch(/^The file is UTF-16 text, not UTF-8/);
  });

  it('reports a missing file as a value, not a throw', async () => {
    const r = await importResponses(join(tmp, 'nope.csv'), targets(['mini']));
    expect(!r.ok && r.errors[0]!.message).toBe(`There is no file ${JSON.stringify(join(tmp, 'nope.csv'))}.`);
  });
});

describe('importResponses: code-valued exports', () => {
  it('reads a LimeSurvey-style export: item ids as headers, numeric codes, 0/1 option columns', async () => {
    const r = await importResponses(join(FIX, 'limesurvey-codes.csv'), targets(['mini']));
    const rep = ok(r).mappingReport;
    expect(rep.timestamp!.header).toBe('submitdate');
    expect(rep.unmapped.map((c) => c.header)).toEqual(['id']);
    expect(col(r, 'mini_1').values).toEqual([0, 3, NaN_]);
    expect(col(r, 'mini_3')).toEqual({ values: [NaN_, 2, 1], status: [S.SKIPPED, S.ANSWERED, S.ANSWERED] });
    expect(col(r, 'gender').values).toEqual([1, 2, NaN_]);
    expect(col(r, 'coping__1').values).toEqual([1, 0, NaN_]);
    expect(col(r, 'coping__3').values).toEqual([0, 1, NaN_]);
    expect((ok(r).dataset.columns.get('comments') as TextColumn).values).toEqual(['ok', null, null]);
    expect(Array.from(ok(r).submittedAt!)).toEqual(
      ['2024-03-14T10:15:23Z', '2024-03-14T12:00:00Z', '2024-03-15T08:00:00Z'].map(Date.parse),
    );
  });

  it('reads a Kobo-style export: group paths and space-separated select_multiple codes', async () => {
    const r = await importResponses(join(FIX, 'kobo-codes.csv'), targets(['mini']));
    const rep = ok(r).mappingReport;
    expect(rep.mapped.map((c) => c.variable)).toEqual([
      'mini_1',
      'mini_2',
      'mini_3',
      'age',
      'gender',
      'coping',
    ]);
    expect(rep.timestamp!.header).toBe('_submission_time');
    expect(col(r, 'coping__1').values).toEqual([1, 0]);
    expect(col(r, 'coping__2').values).toEqual([1, 0]);
    expect(col(r, 'coping__3').values).toEqual([0, 1]);
    expect(Array.from(ok(r).submittedAt!)).toEqual(
      ['2024-03-14T05:15:23Z', '2024-03-14T06:05:00Z'].map(Date.parse),
    );
    expect(rep.missingTargets).toEqual(['comments']);
  });

  it('reads short codes and custom values through a mapping file', async () => {
    const m = await loadMappingFile(join(FIX, 'short-codes.mapping.json'));
    if (!m.ok) throw new Error(JSON.stringify(m.issues));
    const r = await importResponses(join(FIX, 'short-codes.csv'), targets(['mini']), { mapping: m.value });
    const rep = ok(r).mappingReport;
    expect(rep.mapped.every((c) => c.how === 'mapping-file')).toBe(true);
    expect(rep.unmapped.map((c) => [c.header, c.status])).toEqual([['Interviewer', 'ignored']]);
    expect(col(r, 'mini_1')).toEqual({ values: [0, NaN_, 3], status: [S.ANSWERED, S.SKIPPED, S.ANSWERED] });
    expect(col(r, 'mini_3')).toEqual({
      values: [NaN_, 2, 1],
      status: [S.NOT_APPLICABLE, S.ANSWERED, S.ANSWERED],
    });
    expect(col(r, 'age')).toEqual({ values: [21, NaN_, 33], status: [S.ANSWERED, S.SKIPPED, S.ANSWERED] });
    expect(col(r, 'gender').values).toEqual([1, 2, 1]);
    expect(col(r, 'coping__1').values).toEqual([0, 1, NaN_]);
    expect(col(r, 'coping__3').values).toEqual([0, 1, NaN_]);
    // 14/03/2024: day/month, decided from the column
    expect(Array.from(ok(r).submittedAt!)).toEqual(
      ['2024-03-14T10:15:00Z', '2024-03-15T09:00:00Z', '2024-03-16T13:45:00Z'].map(Date.parse),
    );
  });

  it('reports a mapping file that is missing, not JSON or the wrong shape', async () => {
    const a = await loadMappingFile(join(tmp, 'none.json'));
    expect(!a.ok && a.issues[0]!.message).toBe(
      `There is no mapping file ${JSON.stringify(join(tmp, 'none.json'))}.`,
    );
    const b = await loadMappingFile(write('bad.json', '{ "columns": '));
    expect(!b.ok && b.issues[0]!.message).toMatch(/^The mapping file is not valid JSON: /);
    const c = await loadMappingFile(write('shape.json', '{ "values": { "gender": { "F": "female" } } }'));
    expect(!c.ok && c.issues[0]!.path).toBe('values.gender.F');
  });
});

describe('CSV reading details', () => {
  it('detects ; and tab separators from the header line', async () => {
    expect(detectDelimiter('a;b;"c,d";e')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('a,b;c')).toBe(',');
    const r = await importResponses(write('semi.csv', 'Gender;Age (years)\nFemale;21\n'), targets(['mini']));
    expect(col(r, 'age').values).toEqual([21]);
    const t = await importResponses(write('tab.tsv', 'Gender\tAge (years)\nMale\t30\n'), targets(['mini']));
    expect(col(t, 'gender').values).toEqual([2]);
  });

  it('decodes characters split across read chunks and counts rows as a spreadsheet does', async () => {
    const p = write('split.csv', '\ufeffجنس,کوئی تبصرہ\r\nعورت,"ایک\r\nدو"\r\n\r\nمرد,تین\r\n');
    const rows: [string[], number][] = [];
    const err = await readCsv(p, (cells, row) => rows.push([cells, row]), { chunkSize: 3 });
    expect(err).toBeNull();
    expect(rows).toEqual([
      [['جنس', 'کوئی تبصرہ'], 1],
      [['عورت', 'ایک\r\nدو'], 2],
      [[''], 3],
      [['مرد', 'تین'], 4],
    ]);
  });

  it('finds the first invalid UTF-8 byte', () => {
    expect(firstInvalidUtf8(Buffer.from('abc'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xd8]))).toBe(-1); // incomplete at the end
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xff]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xa8, 0x61]))).toBe(0); // a stray continuation byte
  });

  it('holds back a character cut at the end of a chunk', () => {
    const urdu = Buffer.from('aب', 'utf8'); // 61 d8 a8
    expect(completeUtf8End(urdu)).toBe(3);
    expect(completeUtf8End(urdu.subarray(0, 2))).toBe(1);
    const emoji = Buffer.from('x😀', 'utf8'); // 78 f0 9f 98 80
    expect([2, 3, 4, 5].map((k) => completeUtf8End(emoji.subarray(0, k)))).toEqual([1, 1, 1, 5]);
    expect(completeUtf8End(Buffer.alloc(0))).toBe(0);
  });

  it('reports progress with rows and bytes, ending with done', async () => {
    const lines = ['Gender,Age (years)'];
    for (let i = 0; i < 5000; i++) lines.push(`${i % 2 ? 'Male' : 'Female'},${20 + (i % 50)}`);
    const p = write('progress.csv', `${lines.join('\n')}\n`);
    const seen: { rows: number; bytes: number; totalBytes: number; done: boolean }[] = [];
    const r = await importResponses(p, targets(['mini']), { onProgress: (x) => seen.push(x) });
    expect(ok(r).rows).toBe(5000);
    const last = seen.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.rows).toBe(5000);
    expect(last.bytes).toBe(last.totalBytes);
    expect(seen.slice(0, -1).every((x) => !x.done && x.bytes <= x.totalBytes)).toBe(true);
  });

  it('rejects when aborted', async () => {
    const p = write('abort.csv', 'Gender\nFemale\n');
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(importResponses(p, targets(['mini']), { signal: ac.signal })).rejects.toThrow('stop');
  });
});
