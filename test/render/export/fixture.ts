/**
 * A small study for the export tests: a 4-item instrument with a reverse-keyed item, a "not applicable"
 * item, a skip-logic item, a score with bands; study questions of every type (single, number, multiple
 * choice with a negative option value, text with Urdu, longtext), a question named with an SPSS reserved
 * word (`to`), a screening question; hand-written records covering every answer kind; and the expectations the
 * writers share.
 */
import { PassThrough, type Writable } from 'node:stream';
import { expect } from 'vitest';
import { type Instrument, InstrumentSchema } from '../../../src/core/instrument/schema.js';
import { type ResolvedStudy, resolveStudy } from '../../../src/core/study/resolve.js';
import type { ExportRecord } from '../../../src/render/export/model.js';

export const URDU = 'مجھے پڑھائی کا بہت دباؤ محسوس ہوتا ہے';
export const FORMULA = '=HYPERLINK("http://evil.example","click")';

export const mini: Instrument = InstrumentSchema.parse({
  id: 'mini',
  version: '2',
  title: { en: 'Mini stress scale' },
  shortTitle: 'MINI',
  citation: 'Doe J. A mini stress scale. J Test. 2020;1:1–2.',
  licence: {
    name: 'Public domain',
    textIncluded: true,
    terms: 'Free to use.',
    attribution: 'MINI © 2020 J. Doe; free to use with attribution.',
  },
  languages: ['en', 'ur'],
  scales: [
    {
      id: 'freq',
      options: [
        { value: 0, label: { en: 'Never' } },
        { value: 1, label: { en: 'Sometimes' } },
        { value: 2, label: { en: 'Often' } },
        { value: 3, label: { en: 'Always' } },
      ],
      notApplicableLabel: { en: 'Does not apply' },
    },
  ],
  items: [
    { id: 'mini_1', scale: 'freq', text: { en: 'I feel stressed' } },
    { id: 'mini_2', scale: 'freq', text: { en: 'I feel calm' }, reverse: true },
    { id: 'mini_3', scale: 'freq', text: { en: 'Work keeps me awake' }, notApplicable: true },
    { id: 'mini_4', scale: 'freq', text: { en: 'I talk to someone about it' }, showIf: 'mini_1 > 0' },
  ],
  scores: [
    {
      id: 'mini_total',
      label: { en: 'MINI total' },
      items: ['mini_1', 'mini_2', 'mini_3'],
      method: 'prorated_sum',
      minAnswered: 2,
      bands: [
        { min: 0, label: { en: 'Low' } },
        { min: 4, label: { en: 'Moderate' } },
        { min: 7, label: { en: 'High' } },
      ],
      description: 'Prorated sum of items 1–3 (0–9)',
    },
  ],
});

/** A 300-character label: longer than SPSS's 256-byte variable labels. */
export const LONG_QUESTION = `Which of these ${'activities '.repeat(24).trim()} do you do?`;

export const studyInput = {
  id: 'exp1',
  title: 'Export test study — طلبہ',
  languages: ['en', 'ur'],
  instruments: [{ instrument: 'mini' }],
  questions: [
    {
      id: 'gender',
      type: 'single',
      text: { en: 'Gender', ur: 'جنس' },
      options: [
        { value: 1, label: { en: 'Female', ur: 'عورت' } },
        { value: 2, label: { en: 'Male', ur: 'مرد' } },
      ],
    },
    { id: 'age', type: 'number', text: { en: 'Age (years)' }, min: 16, max: 80, integer: true },
    {
      id: 'hobbies',
      type: 'multiple',
      text: { en: LONG_QUESTION },
      options: [
        { value: 1, label: { en: 'Sport' } },
        { value: 2, label: { en: 'Music' } },
        { value: -1, label: { en: 'None of these' } },
      ],
    },
    {
      id: 'to',
      type: 'single',
      text: { en: 'Year of study' },
      options: [
        { value: 1, label: { en: 'First' } },
        { value: 2, label: { en: 'Second' } },
      ],
    },
    { id: 'comment', type: 'text', text: { en: 'Anything else?' }, maxLength: 60 },
    { id: 'story', type: 'longtext', text: { en: 'Tell us more' }, maxLength: 600 },
  ],
  sections: [{ title: { en: 'Demographics' }, items: ['gender', 'age'] }],
  collection: {
    referrals: true,
    eligibility: {
      questions: [
        {
          id: 'is_student',
          type: 'single',
          text: { en: 'Are you a student?' },
          options: [
            { value: 1, label: { en: 'Yes' } },
            { value: 0, label: { en: 'No' } },
          ],
        },
      ],
      eligibleIf: 'is_student == 1',
    },
  },
};

export function resolvedStudy(): ResolvedStudy {
  const r = resolveStudy(studyInput, (id) => (id === 'mini' ? mini : undefined), ['mini']);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** 526 characters, 708 bytes of UTF-8 (Urdu letters take 2 bytes): a very long string in .sav. */
export const LONG_STORY = `${URDU} — ${'ab'.repeat(150)} ${URDU.repeat(5)}`;

export const records: readonly ExportRecord[] = [
  {
    responseId: 'r-0001',
    submittedOn: '2024-03-14',
    submittedAt: '2024-03-14T10:22:05.123Z',
    language: 'en',
    referralWave: 0,
    answers: {
      is_student: { kind: 'value', value: 1 },
      mini_1: { kind: 'value', value: 2 },
      mini_2: { kind: 'value', value: 1 },
      mini_3: { kind: 'value', value: 3 },
      mini_4: { kind: 'value', value: 0 },
      gender: { kind: 'value', value: 1 },
      age: { kind: 'value', value: 21 },
      hobbies: { kind: 'choices', values: [1, -1] },
      to: { kind: 'value', value: 2 },
      comment: { kind: 'text', text: FORMULA },
      story: { kind: 'text', text: LONG_STORY },
    },
  },
  {
    responseId: 'r-0002',
    submittedOn: '2024-03-15',
    submittedAt: '2024-03-15T23:59:59Z',
    language: 'ur',
    referralWave: 1,
    answers: {
      is_student: { kind: 'value', value: 1 },
      mini_1: { kind: 'value', value: 0 },
      mini_2: { kind: 'skipped' },
      mini_3: { kind: 'na' },
      mini_4: { kind: 'not_shown' },
      gender: { kind: 'skipped' },
      age: { kind: 'value', value: 19 },
      hobbies: { kind: 'skipped' },
      to: { kind: 'value', value: 1 },
      comment: { kind: 'text', text: URDU },
      story: { kind: 'skipped' },
    },
  },
  {
    responseId: 'r-0003',
    submittedOn: '2024-04-01',
    language: 'en',
    answers: {
      is_student: { kind: 'value', value: 1 },
      mini_1: { kind: 'value', value: 3 },
      mini_2: { kind: 'value', value: 0 },
      mini_3: { kind: 'value', value: 3 },
      mini_4: { kind: 'skipped' },
      gender: { kind: 'value', value: 2 },
      age: { kind: 'skipped' },
      hobbies: { kind: 'choices', values: [2] },
      to: { kind: 'na' },
      comment: { kind: 'text', text: '-3' },
    },
  },
];

/** The records as an async iterable (as the store delivers them). */
export async function* asyncRecords(rs: readonly ExportRecord[] = records): AsyncGenerator<ExportRecord> {
  for (const r of rs) yield r;
}

/** The variable names of the fixture study with free text, times and scores included, in export order. */
export const ALL_VARIABLE_NAMES: readonly string[] = [
  'response_id',
  'submitted_on',
  'submitted_at',
  'language',
  'referral_wave',
  'is_student',
  'mini_1',
  'mini_2',
  'mini_3',
  'mini_4',
  'gender',
  'age',
  'hobbies__1',
  'hobbies__2',
  'hobbies__m1',
  'to_',
  'comment',
  'story',
  'mini_total',
  'mini_total_band',
  'mini_total_n',
];

/** The variable names by default: without free text (comment, story), times (submitted_at) and scores. */
export const DEFAULT_VARIABLE_NAMES: readonly string[] = ALL_VARIABLE_NAMES.filter(
  (n) => !['submitted_at', 'comment', 'story'].includes(n) && !n.startsWith('mini_total'),
);

/** The columns of the codebook (its CSV and the XLSX "Variables" sheet). */
export const CODEBOOK_COLUMNS: readonly string[] = [
  'Variable',
  'Label',
  'Short label',
  'Type',
  'Format',
  'Values',
  'Missing values',
  'Belongs to',
  'Scoring',
  'Licence',
];

/** A writer given a record source that fails after one record rejects with its error and destroys the sink. */
export async function expectFailingSourceDestroysSink(
  write: (records: AsyncIterable<ExportRecord>, sink: Writable) => Promise<unknown>,
): Promise<void> {
  async function* failing(): AsyncGenerator<ExportRecord> {
    yield records[0]!;
    throw new Error('database went away');
  }
  const sink = new PassThrough();
  sink.resume();
  await expect(write(failing(), sink)).rejects.toThrow('database went away');
  expect(sink.destroyed).toBe(true);
}
