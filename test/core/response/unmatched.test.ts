/**
 * Variables an analysis needs that no column fills: which they are, the columns that read most like them
 * ("did you mean …?"), the suggested mapping file, and the grouped error lines of a failed import.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCollector, formatImportErrors } from '../../../src/core/response/importErrors.js';
import { importTable } from '../../../src/core/response/importer.js';
import {
  formatUnmatched,
  mapColumns,
  suggestedMapping,
  unmatchedTargets,
} from '../../../src/core/response/mapping.js';
import { parseMappingFile } from '../../../src/core/response/mappingFile.js';
import { textSimilarity } from '../../../src/core/response/normalize.js';
import { targets } from './fixtures.js';

const stem = 'How often have you been bothered by the following?';

describe('textSimilarity', () => {
  it('is 1 for texts equal after normalisation, 0 with no character pair in common, symmetric between', () => {
    expect(textSimilarity('  Q3)  Feeling   NERVOUS?* ', 'feeling nervous')).toBe(1);
    expect(textSimilarity('abc', 'xyz')).toBe(0);
    expect(textSimilarity('', 'xyz')).toBe(0);
    const a = 'Feeling nervous, anxious or on edge';
    const b = 'Feeling anxious, nervous or on edge';
    expect(textSimilarity(a, b)).toBe(textSimilarity(b, a));
    // A reworded item reads more like its item than like an unrelated one.
    expect(textSimilarity('Feeling nervous or on edge', a)).toBeGreaterThan(
      textSimilarity('Feeling nervous or on edge', 'Not being able to stop worrying'),
    );
    // Dice on bigrams with multiplicity: " ab " has { " a", "ab", "b " }, " ac " has { " a", "ac", "c " }.
    expect(textSimilarity('ab', 'ac')).toBeCloseTo(1 / 3, 15);
  });
});

describe('unmatchedTargets', () => {
  const headers = [
    'Timestamp',
    `${stem} [Feeling nervous or on edge]`, // reworded mini_1
    'Not being able to stop worrying', // mini_2
    'Q7', // mini_3 under a short code: never guessed, nothing reads like it
    'Sex', // gender under another name
    'Your age in years', // reworded age (a study question: not required)
  ];
  const t = targets(['mini']);
  const plan = mapColumns(headers, t);

  it('lists every instrument item and group variable with no column, with the closest unmapped columns', () => {
    const u = unmatchedTargets(plan.report, t, ['gender']);
    expect(u.map((x) => [x.target.id, x.role])).toEqual([
      ['mini_1', 'item'],
      ['mini_3', 'item'],
      ['gender', 'group'],
    ]);
    expect(u[0]!.suggestions[0]!.column.letter).toBe('B');
    expect(u[0]!.suggestions[0]!.similarity).toBeGreaterThan(0.7);
    expect(u[1]!.suggestions).toEqual([]);
    // Study questions are required only as group variables; "Sex" does not read like "Gender".
    expect(u[2]!.suggestions).toEqual([]);
    const text = formatUnmatched(u);
    expect(text).toMatch(
      /mini_1 — item of mini, "Feeling nervous, anxious or on edge"\n\s+did you mean B ".*\[Feeling nervous or on edge\]" \(\d+%\)\?/,
    );
    expect(text).toMatch(/mini_3 — item of mini, .*\n\s+no unmapped column reads like it/);
    expect(text).toMatch(/gender — group variable, "Gender"/);
  });

  it('is empty when every instrument item has a column (study questions may be absent)', () => {
    const p = mapColumns(['mini_1', 'mini_2', 'mini_3'], t);
    expect(p.report.missingTargets.length).toBeGreaterThan(0);
    expect(unmatchedTargets(p.report, t)).toEqual([]);
  });

  it('says when an item has no text to match (a licensed instrument without its text pack)', () => {
    const bare = t.map((x) => (x.group === 'mini' ? { ...x, texts: [] } : x));
    const p = mapColumns(['Feeling nervous, anxious or on edge'], bare);
    const u = unmatchedTargets(p.report, bare);
    expect(formatUnmatched(u)).toMatch(/mini_1 — item of mini, no item text\n.*text pack/);
  });

  it('writes a mapping file of the matched columns and one suggestion per variable, which mapColumns reads back', () => {
    const u = unmatchedTargets(plan.report, t, ['gender']);
    const m = suggestedMapping(plan.report, u);
    expect(m).toEqual({
      columns: {
        'Not being able to stop worrying': 'mini_2',
        [`${stem} [Feeling nervous or on edge]`]: 'mini_1',
      },
      timestamp: 'Timestamp',
    });
    const parsed = parseMappingFile(JSON.parse(JSON.stringify(m)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const again = mapColumns(headers, t, parsed.value);
    expect(again.errors).toEqual([]);
    expect(again.report.mapped.map((c) => [c.letter, c.variable, c.how])).toEqual([
      ['B', 'mini_1', 'mapping-file'],
      ['C', 'mini_2', 'mapping-file'],
    ]);
  });

  it('suggests each column once, to the variable it reads most like', () => {
    const p = mapColumns(['Feeling nervous anxious on edge', 'Not able to stop worrying'], t);
    const u = unmatchedTargets(p.report, t, [], { minSimilarity: 0 });
    // Both columns are suggestions for every item; the mapping pairs them by closeness, once each.
    expect(u.find((x) => x.target.id === 'mini_3')!.suggestions.length).toBe(2);
    expect(suggestedMapping(p.report, u).columns).toEqual({
      'Feeling nervous anxious on edge': 'mini_1',
      'Not able to stop worrying': 'mini_2',
    });
  });

  it("suggests a column whose answers are a question's option labels, even under another name", () => {
    const rows = [
      ['mini_1', 'mini_2', 'mini_3', 'Sex', 'Tick all that help', 'Notes'],
      ['Not at all', 'Not at all', 'Not at all', 'Female', 'Exercise, Prayer', 'Female'],
      ['Not at all', 'Several days', 'Not at all', 'Male', 'Talking to friends, family', 'fine'],
      ['Several days', 'Not at all', 'Not at all', 'female', '', 'Male'],
    ];
    const r = importTable(t, rows);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.unmappedAnswers?.get(3)).toEqual(['Female', 'Male', 'female']);
    const u = unmatchedTargets(r.mappingReport, t, ['gender', 'coping'], { answers: r.unmappedAnswers });
    const gender = u.find((x) => x.target.id === 'gender')!;
    // "Sex" reads nothing like "Gender", but all its answers are gender's labels; "Notes" has 2 of 3.
    expect(gender.suggestions.map((s) => [s.column.header, s.answers])).toEqual([['Sex', 1]]);
    // A multiple-choice answer counts when each of its parts is a label (labels with commas whole).
    const coping = u.find((x) => x.target.id === 'coping')!;
    expect(coping.suggestions.map((s) => s.column.header)).toEqual(['Tick all that help']);
    expect(formatUnmatched(u)).toMatch(
      /gender — group variable, "Gender"\n\s+did you mean D "Sex" \(its answers are the options\)\?/,
    );
    expect(suggestedMapping(r.mappingReport, u).columns).toMatchObject({
      Sex: 'gender',
      'Tick all that help': 'coping',
    });
    // Instrument items are told apart by their text only (their scale is shared by many items).
    expect(unmatchedTargets(r.mappingReport, t, [], { answers: r.unmappedAnswers })).toEqual([]);
  });

  it('keeps the values and ignored columns of the mapping file it started from', () => {
    const base = parseMappingFile({ columns: { Email: null }, values: { '*': { '-99': 'SKIP' } } });
    if (!base.ok) throw new Error('bad fixture');
    const p = mapColumns(['Email', 'mini_1'], t, base.value);
    const m = suggestedMapping(p.report, unmatchedTargets(p.report, t), base.value);
    expect(m.columns).toEqual({ Email: null, mini_1: 'mini_1' });
    expect(m.values).toEqual({ '*': { '-99': 'SKIP' } });
  });
});

describe('formatImportErrors with the error summary', () => {
  it('prints one line per column and value with its row count, not the same message once per row', () => {
    const rows: string[][] = [['mini_1', 'gender']];
    for (let i = 0; i < 20; i++) rows.push(['Not at all', i % 2 === 0 ? 'F' : 'Female']);
    rows.push(['Often', 'Male']);
    const r = importTable(targets(['mini']), rows);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorCount).toBe(11);
    const text = formatImportErrors(r.errors, r.errorCount, 20, r.errorSummary);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^ {2}Row 2, column "gender": "F" is not one of Female, Male\..* — the same in 9 more rows \(10 in all\)$/,
    );
    expect(lines[2]).toMatch(/^ {2}Row 22, column "mini_1": "Often" is not one of/);
    expect(lines[2]).not.toMatch(/more row/);
    // Without the summary: the first messages one by one, as before.
    expect(formatImportErrors(r.errors, r.errorCount, 3).split('\n')).toHaveLength(5);
  });

  it('counts the errors of groups beyond the limit', () => {
    const c = new ErrorCollector();
    for (let col = 0; col < 5; col++)
      for (let row = 2; row < 5; row++)
        c.add({ code: 'unknown_label', row, column: `c${col}`, value: 'x', item: null, message: `m${col}` });
    const text = formatImportErrors(c.errors, c.total, 2, c.summary());
    expect(text.split('\n')).toEqual([
      'The import failed with 15 errors; nothing was imported.',
      '  m0 — the same in 2 more rows (3 in all)',
      '  m1 — the same in 2 more rows (3 in all)',
      '  … and 9 more errors.',
    ]);
  });
});
