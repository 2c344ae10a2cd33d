import { describe, expect, it } from 'vitest';
import { AnswerStatus, type NumericColumn } from '../../../src/core/response/dataset.js';
import { importTable } from '../../../src/core/response/importer.js';
import { targetsFromStudy } from '../../../src/core/response/targets.js';
import { buildFlow } from '../../../src/core/study/pages.js';
import { deriveShortLabel, shortLabel, studyQuestionItems } from '../../../src/core/study/questions.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { StudySchema } from '../../../src/core/study/schema.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';
import { buildVariables, codebookRows } from '../../../src/render/export/index.js';

const resolve = (s: unknown) => resolveStudy(s, getInstrument, instrumentIds());
const AGREE = [
  { value: 1, label: { en: 'Strongly disagree' } },
  { value: 2, label: { en: 'Disagree' } },
  { value: 3, label: { en: 'Neutral' } },
  { value: 4, label: { en: 'Agree' } },
  { value: 5, label: { en: 'Strongly agree' } },
];
const grid = {
  id: 'stress',
  type: 'grid',
  text: { en: 'How stressful do you find' },
  short: 'Sources of stress',
  options: AGREE,
  rows: [
    { id: 'exams', text: { en: 'Exams' } },
    { id: 'wards', text: { en: 'Clinical placements on the wards' }, short: 'Wards' },
  ],
};
const study = {
  id: 's',
  title: 'S',
  questions: [
    {
      id: 'level',
      type: 'single',
      text: { en: 'What is your current level of training?' },
      options: [
        { value: 1, label: { en: 'Pre-clinical' } },
        { value: 2, label: { en: 'Clinical' } },
      ],
    },
    grid,
  ],
};

describe('short labels', () => {
  it('drop the question words, numbering and trailing punctuation, and cut at a word', () => {
    expect(deriveShortLabel('What is your current level of training?')).toBe('Level of training');
    expect(deriveShortLabel('Gender')).toBe('Gender');
    expect(deriveShortLabel('3. Which year of study are you in?')).toBe('Year of study are you in');
    expect(deriveShortLabel('Please select your ethnicity:')).toBe('Ethnicity');
    expect(deriveShortLabel('Which of these help you cope? (select all that apply)')).toBe(
      'Which of these help you cope',
    );
    expect(deriveShortLabel('How many hours do you sleep on a typical night before an examination?')).toBe(
      'How many hours do you sleep on a typical…',
    );
    expect(deriveShortLabel('How many hours do you sleep on a typical night').length).toBeLessThanOrEqual(41);
  });

  it("use the author's short label first, then the text, then the id", () => {
    expect(shortLabel({ id: 'x', short: 'Training', text: { en: 'What is your level?' } })).toBe('Training');
    expect(shortLabel({ id: 'x', text: { ur: 'آپ کی عمر' } })).toBe('آپ کی عمر');
    expect(shortLabel({ id: 'x' })).toBe('x');
  });

  it('are one line of at most 60 characters', () => {
    const r = StudySchema.safeParse({
      ...study,
      questions: [{ ...study.questions[0], short: 'x'.repeat(61) }],
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/at most 60 characters/);
  });
});

describe('grid questions', () => {
  it('are refused with the fix when rows, options or agreeing values are wrong', () => {
    const bad = (q: Record<string, unknown>) => {
      const r = resolve({ ...study, questions: [{ ...grid, ...q }] });
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    };
    expect(bad({ rows: undefined })).toMatch(/questions\[0\]\.rows: grid question "stress" needs rows/);
    expect(bad({ options: [AGREE[0]] })).toMatch(/needs at least two options/);
    expect(
      bad({
        rows: [
          { id: 'a', text: { en: 'A' } },
          { id: 'A', text: { en: 'B' } },
        ],
      }),
    ).toMatch(/questions\[0\]\.rows\[1\]\.id: grid question "stress": row id "A" is used twice/);
    expect(bad({ rows: [{ id: 'r'.repeat(60), text: { en: 'A' } }] })).toMatch(/longer than 64 characters/);
    expect(bad({ agreeing: [4, 6] })).toMatch(
      /agreeing\[1\].*6 is not one of its option values \(1, 2, 3, 4, 5\)/,
    );
    const single = resolve({
      ...study,
      questions: [{ ...study.questions[0], rows: grid.rows, agreeing: [2] }],
    });
    expect(single.ok).toBe(false);
    if (!single.ok) {
      const msg = single.issues.map((i) => i.message).join('\n');
      expect(msg).toMatch(/has rows but type "single"; rows belong to type "grid"/);
      expect(msg).toMatch(/has "agreeing" but type "single"/);
    }
  });

  it('make one single-choice variable per row, <question>_<row>, and refuse clashing names', () => {
    const r = resolve(study);
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    expect([...r.value.variables.keys()]).toEqual(['level', 'stress_exams', 'stress_wards']);
    const v = r.value.variables.get('stress_wards')!;
    expect(v.item.type).toBe('single');
    expect(v.item.options).toEqual(AGREE);
    expect(v.item.text).toEqual({ en: 'How stressful do you find [Clinical placements on the wards]' });
    expect(v.item.short).toBe('Wards');
    expect(r.value.variables.get('stress_exams')!.item.short).toBe('Exams');
    expect(v.grid?.question.id).toBe('stress');
    expect(v.grid?.index).toBe(1);
    expect(studyQuestionItems(r.value.study).map((i) => i.id)).toEqual([
      'level',
      'stress_exams',
      'stress_wards',
    ]);

    const clash = resolve({
      ...study,
      questions: [...study.questions, { id: 'stress_exams', type: 'number', text: { en: 'n' } }],
    });
    expect(clash.ok).toBe(false);
    if (!clash.ok) expect(clash.issues[0]!.message).toMatch(/question id "stress_exams" is already used/);
    const twice = resolve({
      ...study,
      questions: [...study.questions, { ...grid, rows: [{ id: 'other', text: { en: 'Other' } }] }],
    });
    expect(twice.ok).toBe(false);
    if (!twice.ok)
      expect(twice.issues[0]!.message).toMatch(
        /grid question id "stress" is already used by another question/,
      );
  });

  it('are imported from a Google Forms export ("Stem [Row]" headers) and from row texts', () => {
    const r = resolve(study);
    if (!r.ok) throw new Error('study');
    const t = targetsFromStudy(r.value.study, getInstrument);
    if (!t.ok) throw new Error(JSON.stringify(t.issues));
    const gf = importTable(t.value, [
      [
        'Timestamp',
        'What is your current level of training?',
        'How stressful do you find [Exams]',
        'How stressful do you find [Clinical placements on the wards]',
      ],
      ['3/14/2024 10:00:00', 'Clinical', 'Agree', ''],
      ['3/14/2024 11:00:00', 'Pre-clinical', 'Strongly disagree', 'Neutral'],
    ]);
    expect(gf.ok, JSON.stringify(!gf.ok && gf.errors)).toBe(true);
    if (!gf.ok) return;
    const col = (id: string) => gf.dataset.columns.get(id) as NumericColumn;
    expect(Array.from(col('stress_exams').values)).toEqual([4, 1]);
    expect(Array.from(col('stress_wards').status)).toEqual([AnswerStatus.SKIPPED, AnswerStatus.ANSWERED]);
    expect(Array.from(col('stress_wards').values)).toEqual([Number.NaN, 3]);

    const byRow = importTable(t.value, [
      ['level', 'Exams', 'Clinical placements on the wards'],
      ['1', 'Agree', 'Disagree'],
    ]);
    expect(byRow.ok).toBe(true);
    if (byRow.ok)
      expect(Array.from((byRow.dataset.columns.get('stress_wards') as NumericColumn).values)).toEqual([2]);

    // An answer that is not one of the grid's options stops the import with the row, column and value.
    const wrong = importTable(t.value, [['stress_exams'], ['Very much']]);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(JSON.stringify(wrong.errors)).toMatch(/Very much/);
  });

  it('are placed on pages by the grid id, and the flow knows each row’s grid', () => {
    const r = resolve({ ...study, collection: { pages: [{ items: ['stress'] }, { items: ['level'] }] } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const f = buildFlow(r.value);
    expect(f.ok, JSON.stringify(!f.ok && f.issues)).toBe(true);
    if (!f.ok) return;
    expect(f.value.pages[0]!.items.map((i) => [i.id, i.grid?.question.id, i.grid?.row.id])).toEqual([
      ['stress_exams', 'stress', 'exams'],
      ['stress_wards', 'stress', 'wards'],
    ]);
    // Default pages: every variable of the study's questions in order.
    const d = resolve(study);
    if (!d.ok) throw new Error('study');
    const df = buildFlow(d.value);
    if (!df.ok) throw new Error(JSON.stringify(df.issues));
    expect(df.value.pages[0]!.items.map((i) => i.id)).toEqual(['level', 'stress_exams', 'stress_wards']);
  });

  it('export one coded variable per row, with the short labels in the codebook', () => {
    const r = resolve({ ...study, sections: [{ title: { en: 'Stress' }, items: ['stress'] }] });
    if (!r.ok) throw new Error('study');
    const vars = buildVariables(r.value);
    const rows = codebookRows(vars).filter((x) => x.name.startsWith('stress') || x.name === 'level');
    expect(rows.map((x) => [x.name, x.short, x.belongsTo])).toEqual([
      ['level', 'Level of training', 'Question'],
      ['stress_exams', 'Exams', 'Question: Stress (grid: Sources of stress)'],
      ['stress_wards', 'Wards', 'Question: Stress (grid: Sources of stress)'],
    ]);
    expect(rows[1]!.values).toBe(
      '1 = Strongly disagree; 2 = Disagree; 3 = Neutral; 4 = Agree; 5 = Strongly agree',
    );
  });
});
