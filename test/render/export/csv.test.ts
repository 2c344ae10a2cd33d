import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { buildVariables, type ExportRecord, writeCsv } from '../../../src/render/export/index.js';
import {
  ALL_VARIABLE_NAMES,
  asyncRecords,
  DEFAULT_VARIABLE_NAMES,
  expectFailingSourceDestroysSink,
  FORMULA,
  LONG_STORY,
  resolvedStudy,
  URDU,
} from './fixture.js';

async function csvOf(run: (sink: Writable) => Promise<unknown>): Promise<{ text: string; raw: Buffer }> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await run(sink);
  const raw = Buffer.concat(chunks);
  return { raw, text: raw.toString('utf8') };
}

const rows = (text: string): string[][] => parse(text, { bom: true }) as string[][];

const resolved = resolvedStudy();
const all = buildVariables(resolved, { includeFreeText: true, includeTimes: true, includeScores: true });

const HEADER = ALL_VARIABLE_NAMES;
const NEUTRALISED = `'${FORMULA}`;

describe('writeCsv', () => {
  it('codes, missing as empty cells (the defaults); UTF-8 with BOM, CRLF', async () => {
    const { raw, text } = await csvOf((s) => writeCsv(all, asyncRecords(), s));
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.split('\r\n')).toHaveLength(5); // header, 3 records, final empty string
    expect(rows(text)).toEqual([
      HEADER,
      [
        'r-0001',
        '2024-03-14',
        '2024-03-14 10:22:05',
        'en',
        '0',
        '1',
        '2',
        '1',
        '3',
        '0',
        '1',
        '21',
        '1',
        '0',
        '1',
        '2',
        NEUTRALISED,
        LONG_STORY,
        '7',
        '3',
        '3',
      ],
      [
        'r-0002',
        '2024-03-15',
        '2024-03-15 23:59:59',
        'ur',
        '1',
        '1',
        '0',
        '',
        '',
        '',
        '',
        '19',
        '',
        '',
        '',
        '1',
        URDU,
        '',
        '',
        '',
        '1',
      ],
      [
        'r-0003',
        '2024-04-01',
        '',
        'en',
        '',
        '1',
        '3',
        '0',
        '3',
        '',
        '2',
        '',
        '0',
        '1',
        '0',
        '',
        '-3',
        '',
        '9',
        '3',
        '3',
      ],
    ]);
  });

  it('labels, with missing shown by their labels', async () => {
    const { text } = await csvOf((s) =>
      writeCsv(all, asyncRecords(), s, { labels: 'labels', missing: 'codes' }),
    );
    expect(rows(text).slice(1)).toEqual([
      [
        'r-0001',
        '2024-03-14',
        '2024-03-14 10:22:05',
        'en',
        '0',
        'Yes',
        'Often',
        'Sometimes',
        'Always',
        'Never',
        'Female',
        '21',
        'Chosen',
        'Not chosen',
        'Chosen',
        'Second',
        NEUTRALISED,
        LONG_STORY,
        '7',
        'High',
        '3',
      ],
      [
        'r-0002',
        '2024-03-15',
        '2024-03-15 23:59:59',
        'ur',
        '1',
        'Yes',
        'Never',
        'Skipped',
        'Not applicable',
        'Not shown',
        'Skipped',
        '19',
        'Skipped',
        'Skipped',
        'Skipped',
        'First',
        URDU,
        '',
        '',
        '',
        '1',
      ],
      [
        'r-0003',
        '2024-04-01',
        '',
        'en',
        '',
        'Yes',
        'Always',
        'Never',
        'Always',
        'Skipped',
        'Male',
        'Skipped',
        'Not chosen',
        'Chosen',
        'Not chosen',
        'Not applicable',
        '-3',
        '',
        '9',
        'High',
        '3',
      ],
    ]);
  });

  it('codes with missing codes', async () => {
    const { text } = await csvOf((s) =>
      writeCsv(all, asyncRecords(), s, { labels: 'codes', missing: 'codes' }),
    );
    expect(rows(text)[2]).toEqual([
      'r-0002',
      '2024-03-15',
      '2024-03-15 23:59:59',
      'ur',
      '1',
      '1',
      '0',
      '-9',
      '-8',
      '-7',
      '-9',
      '19',
      '-9',
      '-9',
      '-9',
      '1',
      URDU,
      '',
      '',
      '',
      '1',
    ]);
  });

  it('leaves out free text, times and scores unless chosen; no BOM when asked', async () => {
    const vars = buildVariables(resolved);
    const { raw, text } = await csvOf((s) => writeCsv(vars, asyncRecords(), s, { bom: false }));
    expect(raw[0]).toBe('r'.charCodeAt(0));
    expect(rows(text)[0]).toEqual(DEFAULT_VARIABLE_NAMES);
    expect(text).not.toContain(URDU);
    expect(text).not.toContain('10:22');
  });

  it('neutralises formulas in labels too, but not plain negative numbers', async () => {
    const r = resolveStudy(
      {
        id: 'hostile',
        title: 'Hostile labels',
        questions: [
          {
            id: 'q',
            type: 'single',
            text: { en: 'Q' },
            options: [
              { value: -3, label: { en: '@SUM(A1:A9)' } },
              { value: 1, label: { en: '+1' } },
              { value: 2, label: { en: '-2' } },
            ],
          },
        ],
      },
      () => undefined,
      [],
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const vars = buildVariables(r.value);
    const recs: ExportRecord[] = [-3, 1, 2].map((v, i) => ({
      responseId: `=cmd|' /C calc'!A${i}`,
      submittedOn: '2024-01-01',
      language: 'en',
      answers: { q: { kind: 'value', value: v } },
    }));
    const codes = rows((await csvOf((s) => writeCsv(vars, recs, s))).text);
    expect(codes.slice(1).map((x) => x[3])).toEqual(['-3', '1', '2']);
    expect(codes[1]![0]).toBe(`'=cmd|' /C calc'!A0`);
    const labels = rows((await csvOf((s) => writeCsv(vars, recs, s, { labels: 'labels' }))).text);
    // "+1" and "-2" are plain numbers a spreadsheet reads as numbers; "@SUM(…)" would be a formula
    expect(labels.slice(1).map((x) => x[3])).toEqual(["'@SUM(A1:A9)", '+1', '-2']);
  });

  it('a record source that fails destroys the sink and rejects', async () => {
    await expectFailingSourceDestroysSink((recs, sink) => writeCsv(all, recs, sink));
  });

  it('a closed destination stops the export', async () => {
    const sink = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        setImmediate(cb);
      },
    });
    sink.destroy();
    await expect(writeCsv(all, asyncRecords(), sink)).rejects.toThrow(/closed/);
  });
});
