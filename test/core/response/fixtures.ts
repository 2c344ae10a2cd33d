/**
 * Small instruments and a study defined inline for the import tests (the library's instruments are not
 * needed: the importer works on any instrument that parses with the schema).
 */
import {
  type Instrument,
  type InstrumentInput,
  InstrumentSchema,
  type ItemInput,
} from '../../../src/core/instrument/schema.js';
import type { NumericColumn } from '../../../src/core/response/dataset.js';
import type { ImportResult, ImportSuccess } from '../../../src/core/response/importer.js';
import type { Target } from '../../../src/core/response/targets.js';
import { targetsFromStudy } from '../../../src/core/response/targets.js';
import { type Study, StudySchema } from '../../../src/core/study/schema.js';

const licence = { name: 'test', textIncluded: true, terms: 'test only', attribution: 'test' };

const freq = {
  id: 'freq',
  options: [
    { value: 0, label: { en: 'Not at all', ur: 'بالکل نہیں' } },
    { value: 1, label: { en: 'Several days', ur: 'کئی دن' } },
    { value: 2, label: { en: 'More than half the days', ur: 'آدھے سے زیادہ دن' } },
    { value: 3, label: { en: 'Nearly every day', ur: 'تقریباً ہر روز' } },
  ],
  notApplicableLabel: { en: 'Not applicable', ur: 'لاگو نہیں' },
};

/** Three frequency items; only mini_3 allows "not applicable". */
export const miniInput: InstrumentInput = {
  id: 'mini',
  version: '1.0',
  title: { en: 'Mini anxiety scale', ur: 'مختصر پیمانہ' },
  shortTitle: 'MINI',
  citation: 'Test instrument.',
  licence,
  languages: ['en', 'ur'],
  scales: [freq],
  items: [
    {
      id: 'mini_1',
      scale: 'freq',
      text: { en: 'Feeling nervous, anxious or on edge', ur: 'گھبراہٹ، بے چینی یا تناؤ محسوس کرنا' },
    },
    {
      id: 'mini_2',
      scale: 'freq',
      text: { en: 'Not being able to stop worrying', ur: 'فکر کو روک نہ پانا' },
    },
    {
      id: 'mini_3',
      scale: 'freq',
      notApplicable: true,
      text: { en: 'Trouble with work or studies', ur: 'کام یا پڑھائی میں مشکل' },
    },
  ],
};

/** An instrument sharing an item text with mini (for ambiguity tests). */
export const twinInput: InstrumentInput = {
  id: 'twin',
  version: '1.0',
  title: { en: 'Twin scale' },
  shortTitle: 'TWIN',
  citation: 'Test instrument.',
  licence,
  languages: ['en'],
  scales: [freq],
  items: [
    { id: 'twin_1', scale: 'freq', text: { en: 'Feeling nervous, anxious or on edge' } },
    { id: 'twin_2', scale: 'freq', text: { en: 'Feeling down or hopeless' } },
  ],
};

export const mini: Instrument = InstrumentSchema.parse(miniInput);
export const twin: Instrument = InstrumentSchema.parse(twinInput);

export const questions: ItemInput[] = [
  {
    id: 'age',
    type: 'number',
    text: { en: 'Age (years)', ur: 'عمر (سال)' },
    min: 16,
    max: 80,
    integer: true,
  },
  {
    id: 'gender',
    type: 'single',
    text: { en: 'Gender', ur: 'جنس' },
    options: [
      { value: 1, label: { en: 'Female', ur: 'عورت' } },
      { value: 2, label: { en: 'Male', ur: 'مرد' } },
    ],
  },
  {
    id: 'coping',
    type: 'multiple',
    text: { en: 'Which of these help you cope?' },
    options: [
      { value: 1, label: { en: 'Talking to friends, family' } },
      { value: 2, label: { en: 'Exercise' } },
      { value: 3, label: { en: 'Prayer', ur: 'نماز' } },
      { value: 4, label: { en: 'Other, not listed' } },
    ],
  },
  { id: 'comments', type: 'longtext', text: { en: 'Any comments?', ur: 'کوئی تبصرہ؟' }, maxLength: 200 },
];

export const library = new Map<string, Instrument>([
  ['mini', mini],
  ['twin', twin],
]);

export function study(instruments: string[] = ['mini'], qs: ItemInput[] = questions): Study {
  return StudySchema.parse({
    id: 'test',
    title: 'Test study',
    instruments: instruments.map((instrument) => ({ instrument })),
    questions: qs,
  });
}

/** Targets of a study with the given instruments and the questions above. */
export function targets(instruments: string[] = ['mini'], qs: ItemInput[] = questions): Target[] {
  const r = targetsFromStudy(study(instruments, qs), (id) => library.get(id));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** The successful import, or a throw listing its errors. */
export function ok(r: ImportResult): ImportSuccess {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r;
}

/** A numeric column of a successful import as plain arrays of values and statuses. */
export function col(r: ImportResult, id: string): { values: number[]; status: number[] } {
  const c = ok(r).dataset.columns.get(id) as NumericColumn;
  return { values: Array.from(c.values), status: Array.from(c.status) };
}
