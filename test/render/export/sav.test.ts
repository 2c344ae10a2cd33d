/**
 * The .sav writer, checked by GNU PSPP: the files are read back with `pspp` (SYSFILE INFO, DISPLAY
 * DICTIONARY, DISPLAY DOCUMENTS, LIST, output as CSV) and the dictionary and data are compared with the
 * values written by hand below — variable labels, value labels, user-missing values, formats and every case.
 *
 * Skipped only when /usr/bin/pspp is absent and CI is not set; in CI a missing pspp fails the test.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildVariables,
  SAV_NCASES_OFFSET,
  stringSegments,
  truncateUtf8,
  writeSav,
  writeSavFile,
} from '../../../src/render/export/index.js';
import { asyncRecords, FORMULA, LONG_STORY, resolvedStudy, URDU } from './fixture.js';

const PSPP = '/usr/bin/pspp';
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const runPsppTests = existsSync(PSPP) || inCi;

const dir = mkdtempSync(join(tmpdir(), 'nabz-sav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Table = { title: string; rows: string[][] };

/** Run PSPP on a syntax file; its CSV output split into tables. */
function pspp(syntax: string): Table[] {
  writeFileSync(join(dir, 'read.sps'), syntax);
  const r = spawnSync(PSPP, ['-o', 'out.csv', '-O', 'format=csv', 'read.sps'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  const text = readFileSync(join(dir, 'out.csv'), 'utf8');
  expect(r.status, `pspp failed:\n${r.stderr}\n${text}`).toBe(0);
  expect(text).not.toMatch(/warning|error/i);
  return text
    .split(/\n(?=Table: )/)
    .filter((block) => block.startsWith('Table: '))
    .map((block) => {
      const nl = block.indexOf('\n');
      const rows = parse(block.slice(nl + 1), {
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
      return { title: block.slice(7, nl).trim(), rows };
    });
}

function table(tables: Table[], title: string): string[][] {
  const t = tables.find((x) => x.title === title);
  if (!t) throw new Error(`no table "${title}" in ${tables.map((x) => x.title).join(', ')}`);
  return t.rows;
}

/** The "Value Labels" table: variable label → [value, label, user-missing?][]. */
function valueLabels(rows: string[][]): Map<string, [string, string, boolean][]> {
  const out = new Map<string, [string, string, boolean][]>();
  let current = '';
  for (const [variable, value, label] of rows.slice(1)) {
    if (variable?.startsWith('Footnote')) break;
    if (variable) current = variable;
    const missing = /\[a\]$/.test(value!);
    const list = out.get(current) ?? [];
    list.push([value!.replace(/\[a\]$/, ''), label!, missing]);
    out.set(current, list);
  }
  return out;
}

const resolved = resolvedStudy();
const variables = buildVariables(resolved, {
  includeFreeText: true,
  includeTimes: true,
  includeScores: true,
});

const HOBBIES = 'Which of these activities';

/** Per variable: label, measurement level, print format, missing values — written by hand. */
const EXPECTED_DICTIONARY: [string, string, string, string, string][] = [
  ['response_id', 'Response identifier (random; not linked to any person)', 'Nominal', 'A64', ''],
  ['submitted_on', 'Date submitted', 'Scale', 'SDATE10', ''],
  ['submitted_at', 'Time submitted (UTC)', 'Scale', 'YMDHMS19.0', ''],
  ['language', 'Language of the answers', 'Nominal', 'A16', ''],
  [
    'referral_wave',
    'Recruitment wave (0 = the study link, 1 = referred by a wave-0 respondent, …)',
    'Ordinal',
    'F8.0',
    '',
  ],
  ['is_student', 'Are you a student?', 'Nominal', 'F8.0', '-9; -8; -7'],
  ['mini_1', 'I feel stressed', 'Ordinal', 'F8.0', '-9; -8; -7'],
  ['mini_2', 'I feel calm', 'Ordinal', 'F8.0', '-9; -8; -7'],
  ['mini_3', 'Work keeps me awake', 'Ordinal', 'F8.0', '-9; -8; -7'],
  ['mini_4', 'I talk to someone about it', 'Ordinal', 'F8.0', '-9; -8; -7'],
  ['gender', 'Gender', 'Nominal', 'F8.0', '-9; -8; -7'],
  ['age', 'Age (years)', 'Scale', 'F8.0', '-9; -8; -7'],
  ['hobbies__1', `${HOBBIES}…: Sport`, 'Nominal', 'F8.0', '-9; -8; -7'],
  ['hobbies__2', `${HOBBIES}…: Music`, 'Nominal', 'F8.0', '-9; -8; -7'],
  ['hobbies__m1', `${HOBBIES}…: None of these`, 'Nominal', 'F8.0', '-9; -8; -7'],
  ['to_', 'Year of study', 'Nominal', 'F8.0', '-9; -8; -7'],
  ['comment', 'Anything else?', 'Nominal', 'A240', ''],
  ['story', 'Tell us more', 'Nominal', 'A2400', ''],
  ['mini_total', 'MINI total', 'Scale', 'F8.2', ''],
  ['mini_total_band', 'MINI total: band', 'Ordinal', 'F8.0', ''],
  ['mini_total_n', 'MINI total: items answered (of 3)', 'Scale', 'F8.0', ''],
];

const MISSING: [string, string, boolean][] = [
  ['-9', 'Skipped', true],
  ['-8', 'Not applicable', true],
  ['-7', 'Not shown', true],
];
const FREQ: [string, string, boolean][] = [
  ['0', 'Never', false],
  ['1', 'Sometimes', false],
  ['2', 'Often', false],
  ['3', 'Always', false],
];
const CHOSEN: [string, string, boolean][] = [
  ['0', 'Not chosen', false],
  ['1', 'Chosen', false],
];

/** LIST output, cell by cell (PSPP shows system-missing as "."), written by hand from the fixture records. */
const EXPECTED_DATA = [
  [
    'r-0001',
    '2024/03/14',
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
    FORMULA,
    LONG_STORY,
    '7.00',
    '3',
    '3',
  ],
  [
    'r-0002',
    '2024/03/15',
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
    '.',
    '.',
    '1',
  ],
  [
    'r-0003',
    '2024/04/01',
    '.',
    'en',
    '.',
    '1',
    '3',
    '0',
    '3',
    '-9',
    '2',
    '-9',
    '0',
    '1',
    '0',
    '-8',
    '-3',
    '',
    '9.00',
    '3',
    '3',
  ],
];

function checkDictionary(tables: Table[]): void {
  const dict = table(tables, 'Variables');
  expect(dict[0]).toEqual([
    'Name',
    'Position',
    'Label',
    'Measurement Level',
    'Role',
    'Width',
    'Alignment',
    'Print Format',
    'Write Format',
    'Missing Values',
  ]);
  expect(dict.slice(1).map((r) => r[0])).toEqual(EXPECTED_DICTIONARY.map((e) => e[0]));
  dict.slice(1).forEach((r, i) => {
    const [name, label, measure, format, missing] = EXPECTED_DICTIONARY[i]!;
    if (name.startsWith('hobbies')) {
      // item text shortened so that "<item>: <option>" fits SPSS's 256 bytes and still names the option
      expect(r[2]!.startsWith(HOBBIES)).toBe(true);
      expect(r[2]!.endsWith(label.slice(HOBBIES.length))).toBe(true);
      expect(Buffer.byteLength(r[2]!)).toBeLessThanOrEqual(256);
      expect(Buffer.byteLength(r[2]!)).toBeGreaterThan(250);
    } else {
      expect(r[2], name).toBe(label);
    }
    expect([r[3], r[7], r[8], r[9]], name).toEqual([measure, format, format, missing]);
  });

  const vl = valueLabels(table(tables, 'Value Labels'));
  expect(vl.get('Are you a student?')).toEqual([...MISSING, ['0', 'No', false], ['1', 'Yes', false]]);
  for (const item of ['I feel stressed', 'I feel calm', 'Work keeps me awake', 'I talk to someone about it'])
    expect(vl.get(item), item).toEqual([...MISSING, ...FREQ]);
  expect(vl.get('Gender')).toEqual([...MISSING, ['1', 'Female', false], ['2', 'Male', false]]);
  expect(vl.get('Age (years)')).toEqual(MISSING);
  expect(vl.get('Year of study')).toEqual([...MISSING, ['1', 'First', false], ['2', 'Second', false]]);
  const hobbyLabels = [...vl.entries()].filter(([k]) => k.startsWith(HOBBIES));
  expect(hobbyLabels).toHaveLength(3);
  for (const [, labels] of hobbyLabels) expect(labels).toEqual([...MISSING, ...CHOSEN]);
  expect(vl.get('MINI total: band')).toEqual([
    ['1', 'Low', false],
    ['2', 'Moderate', false],
    ['3', 'High', false],
  ]);
  expect(vl.size).toBe(12);
}

function checkData(tables: Table[]): void {
  const data = table(tables, 'Data List');
  expect(data[0]).toEqual(EXPECTED_DICTIONARY.map((e) => e[0]));
  expect(data.slice(1).map((r) => r.map((c) => (c === '.  ' ? '.' : c)))).toEqual(EXPECTED_DATA);
}

describe.skipIf(!runPsppTests)('writeSav, read back by GNU PSPP', () => {
  it('bytecode-compressed file with the case count patched: dictionary, documents and data intact', async () => {
    const path = join(dir, 'study.sav');
    const summary = await writeSavFile(path, variables, asyncRecords(), {
      fileLabel: resolved.study.title,
      documents: [
        'MINI: MINI © 2020 J. Doe; free to use with attribution. This line is longer than eighty bytes, so it wraps.',
      ],
      now: new Date(2024, 4, 6, 7, 8, 9),
    });
    expect(summary).toMatchObject({ rows: 3, truncated: 0 });
    expect(readFileSync(path).readInt32LE(SAV_NCASES_OFFSET)).toBe(3);

    const tables = pspp(
      `GET FILE='study.sav'.\nSYSFILE INFO FILE='study.sav'.\nDISPLAY DICTIONARY.\nDISPLAY DOCUMENTS.\nLIST.\n`,
    );
    const info = new Map(table(tables, 'File Information').map((r) => [r[0], r[1]]));
    expect(info.get('Label')).toBe('Export test study — طلبہ');
    expect(info.get('Created')).toBe('06 May 24 07:08:09 by nabz export');
    expect(info.get('Variables')).toBe('21');
    expect(info.get('Cases')).toBe('3');
    expect(info.get('Compression')).toBe('SAV');
    expect(info.get('Encoding')).toBe('UTF-8');
    expect(table(tables, 'Documents')).toEqual([
      [
        // 80 characters would reach "than", but © takes 2 bytes: the line breaks before it
        'MINI: MINI © 2020 J. Doe; free to use with attribution. This line is longer\nthan eighty bytes, so it wraps.',
      ],
    ]);
    checkDictionary(tables);
    checkData(tables);
  });

  it('uncompressed file streamed to a writable (case count unknown, -1) reads the same', async () => {
    const path = join(dir, 'streamed.sav');
    const summary = await writeSav(variables, asyncRecords(), createWriteStream(path), {
      compression: 'none',
    });
    expect(summary.rows).toBe(3);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(summary.bytes);
    expect(bytes.readInt32LE(SAV_NCASES_OFFSET)).toBe(-1);
    expect(bytes.readInt32LE(72)).toBe(0); // compression: none

    const tables = pspp(`GET FILE='streamed.sav'.\nDISPLAY DICTIONARY.\nDISPLAY DOCUMENTS.\nLIST.\n`);
    // by default the documents are the instruments' licence lines
    expect(table(tables, 'Documents')).toEqual([['MINI: MINI © 2020 J. Doe; free to use with attribution.']]);
    checkDictionary(tables);
    checkData(tables);
  });

  it('narrower string widths cut long text at a character boundary and count the cuts', async () => {
    const narrow = buildVariables(resolved, {
      includeFreeText: true,
      stringWidths: { comment: 67, story: 61 },
    });
    const path = join(dir, 'narrow.sav');
    const summary = await writeSavFile(path, narrow, asyncRecords());
    // comment: 67 bytes hold the Urdu sentence exactly; story: 708 bytes cut to 61, where an Urdu letter
    // (bytes 60–61) would straddle the cut, so 60 bytes = the first 33 characters remain
    expect(summary.truncated).toBe(1);
    const tables = pspp(`GET FILE='narrow.sav'.\nLIST comment story.\n`);
    const data = table(tables, 'Data List');
    expect(data[2]![0]).toBe(URDU);
    expect(data[1]![1]).toBe([...URDU].slice(0, 33).join(''));
    expect(Buffer.byteLength(data[1]![1]!)).toBe(60);
  });
});

describe('sav layout helpers', () => {
  it('very long strings: one 255-byte segment per 252 bytes of width (PSPP guide example: 20,000 → 80)', () => {
    const segs = stringSegments(20_000);
    expect(segs).toHaveLength(80);
    expect(segs.slice(0, 79).every((w) => w === 255)).toBe(true);
    expect(segs[79]).toBe(92);
    expect(stringSegments(255)).toEqual([255]);
    expect(stringSegments(256)).toEqual([255, 4]);
  });

  it('truncateUtf8 never splits a character', () => {
    expect(truncateUtf8('abc', 2)).toBe('ab');
    expect(truncateUtf8('مجھے', 3)).toBe('م'); // 2-byte letters
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
  });
});
