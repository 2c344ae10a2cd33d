import { describe, expect, it } from 'vitest';
import { type Instrument, InstrumentSchema } from '../../../src/core/instrument/schema.js';
import { AnswerStatus } from '../../../src/core/response/dataset.js';
import {
  type Answers,
  answerStatus,
  answersFromJson,
  type FormFields,
  itemName,
  parseNav,
  parsePageSubmission,
  validateResponse,
} from '../../../src/core/response/submission.js';
import { buildFlow, type Flow } from '../../../src/core/study/pages.js';
import { type ResolvedStudy, resolveStudy } from '../../../src/core/study/resolve.js';

const mini: Instrument = InstrumentSchema.parse({
  id: 'mini',
  version: '1',
  title: { en: 'Mini scale' },
  shortTitle: 'MINI',
  citation: 'Test instrument',
  licence: { name: 'test', textIncluded: true, terms: 'none', attribution: 'MINI © Test' },
  languages: ['en'],
  scales: [
    {
      id: 's',
      options: [
        { value: 0, label: { en: 'Not at all' } },
        { value: 1, label: { en: 'A little' } },
        { value: 2, label: { en: 'Quite a lot' } },
        { value: 3, label: { en: 'A lot' } },
      ],
      notApplicableLabel: { en: 'Not applicable' },
    },
  ],
  items: [
    { id: 'm1', scale: 's', text: { en: 'One' }, required: true },
    { id: 'm2', scale: 's', text: { en: 'Two' }, notApplicable: true },
    { id: 'm3', scale: 's', text: { en: 'Three' }, required: true },
  ],
});

const studyInput = {
  id: 's1',
  title: 'Test study',
  languages: ['en', 'ur'],
  instruments: [{ instrument: 'mini' }],
  questions: [
    {
      id: 'age',
      type: 'number',
      text: { en: 'Age (years)', ur: 'عمر (سال)' },
      min: 18,
      max: 80,
      integer: true,
      required: true,
    },
    {
      id: 'gender',
      type: 'single',
      text: { en: 'Gender' },
      options: [
        { value: 1, label: { en: 'Female' } },
        { value: 2, label: { en: 'Male' } },
      ],
      required: true,
    },
    {
      id: 'training',
      type: 'single',
      text: { en: 'Level of training' },
      options: [
        { value: 1, label: { en: 'Undergraduate' } },
        { value: 2, label: { en: 'Postgraduate' } },
      ],
      required: true,
    },
    {
      id: 'specialty',
      type: 'single',
      text: { en: 'Specialty' },
      options: [
        { value: 1, label: { en: 'Medicine' } },
        { value: 2, label: { en: 'Surgery' } },
      ],
      showIf: 'training == 2',
      required: true,
    },
    {
      id: 'hobbies',
      type: 'multiple',
      text: { en: 'Which of these do you do in a usual week, outside your studies?' },
      options: [
        { value: 1, label: { en: 'Reading' } },
        { value: 2, label: { en: 'Sport' } },
        { value: 3, label: { en: 'Music' } },
      ],
    },
    { id: 'comment', type: 'longtext', text: { en: 'Anything else?' }, maxLength: 20 },
    { id: 'weight', type: 'number', text: { en: 'Weight' } },
  ],
  collection: {
    consent: { text: { en: 'Information.' } },
    eligibility: {
      questions: [
        {
          id: 'student',
          type: 'single',
          text: { en: 'Are you a student?' },
          options: [
            { value: 1, label: { en: 'Yes' } },
            { value: 0, label: { en: 'No' } },
          ],
          required: true,
        },
      ],
      eligibleIf: 'student = 1',
    },
  },
};

function setup(): { resolved: ResolvedStudy; flow: Flow } {
  const r = resolveStudy(studyInput, (id) => (id === 'mini' ? mini : undefined), ['mini']);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const f = buildFlow(r.value);
  if (!f.ok) throw new Error(JSON.stringify(f.issues));
  return { resolved: r.value, flow: f.value };
}
const { resolved, flow } = setup();
const page = (id: string) => flow.pages.find((p) => p.id === id)!;
const v = (value: number) => ({ kind: 'value', value }) as const;
const messages = (fields: FormFields, pageId = 'p1', so: Answers = { student: v(1) }, lang = 'en') =>
  parsePageSubmission(flow, page(pageId), fields, so, { lang }).errors.map((e) => e.message);

describe('the page layout this file relies on', () => {
  it('has the expected pages', () => {
    expect(flow.pages.map((p) => `${p.id}:${p.items.map((i) => i.id).join(',')}`)).toEqual([
      'consent:',
      'e1:student',
      'p1:age,gender,training',
      'p2:specialty,hobbies,comment,weight',
      'p3:m1,m2,m3',
    ]);
  });
});

describe('parsePageSubmission: messages that say what to fix', () => {
  it('asks for every required item in page order', () => {
    expect(messages({})).toEqual([
      'Please fill in Age.',
      'Please choose an answer for Gender.',
      'Please choose an answer for Level of training.',
    ]);
    expect(messages({ m2: '1' }, 'p3')).toEqual([
      'Please choose an answer for item 1.',
      'Please choose an answer for item 3.',
    ]);
  });

  it('checks numbers: whole, in range, digits only; accepts Urdu and Arabic-Indic digits', () => {
    const f = (age: string) => ({ age, gender: '1', training: '1' });
    expect(messages(f('17'))).toEqual(['Age must be a whole number between 18 and 80.']);
    expect(messages(f('81'))).toEqual(['Age must be a whole number between 18 and 80.']);
    expect(messages(f('18.5'))).toEqual(['Age must be a whole number between 18 and 80.']);
    expect(messages(f('twenty'))).toEqual(['Age must be a whole number between 18 and 80.']);
    expect(messages(f('1e1'))).toEqual(['Age must be a whole number between 18 and 80.']);
    const ok = (age: string) => parsePageSubmission(flow, page('p1'), f(age), {}).answers.age;
    expect(ok(' 21 ')).toEqual(v(21));
    expect(ok('۲۱')).toEqual(v(21));
    expect(ok('٢١')).toEqual(v(21));
    expect(ok('18')).toEqual(v(18));
    expect(ok('80')).toEqual(v(80));
    expect(messages({ weight: 'heavy' }, 'p2', { training: v(1) })).toEqual([
      'Weight must be a number, written with digits only.',
    ]);
    expect(
      parsePageSubmission(flow, page('p2'), { weight: '61.5' }, { training: v(1) }).answers.weight,
    ).toEqual(v(61.5));
  });

  it('accepts option values and "na" only where allowed', () => {
    const r = parsePageSubmission(flow, page('p3'), { m1: '3', m2: 'na', m3: '0' }, {});
    expect(r.ok).toBe(true);
    expect(r.answers).toEqual({ m1: v(3), m2: { kind: 'na' }, m3: v(0) });
    expect(messages({ m1: 'na', m3: '4' }, 'p3')).toEqual([
      '"Not applicable" cannot be chosen for item 1; please choose one of the answers.',
      'The answer for item 3 is not one of its options; please choose again.',
    ]);
    expect(messages({ m1: ['1', '2'], m3: '-1' }, 'p3')).toEqual([
      'Please choose only one answer for item 1.',
      'The answer for item 3 is not one of its options; please choose again.',
    ]);
  });

  it('reads multiple choice from a repeated field, in option order', () => {
    const r = parsePageSubmission(flow, page('p2'), { hobbies: ['3', '1', '3'] }, { training: v(1) });
    expect(r.answers.hobbies).toEqual({ kind: 'choices', values: [1, 3] });
    expect(messages({ hobbies: ['1', '7'] }, 'p2', { training: v(1) })).toEqual([
      'The answer for “Which of these do you do in a usual week, outside your…” is not one of its options; please choose again.',
    ]);
  });

  it('limits text length in characters and cleans it', () => {
    expect(messages({ comment: 'x'.repeat(21) }, 'p2', { training: v(1) })).toEqual([
      '“Anything else?” must be at most 20 characters long (it has 21); please shorten it.',
    ]);
    const r = parsePageSubmission(flow, page('p2'), { comment: '  نبض\r\nok\u0000 ' }, { training: v(1) });
    expect(r.answers.comment).toEqual({ kind: 'text', text: 'نبض\nok' });
    // 20 emoji are 20 characters, though 40 UTF-16 code units.
    expect(parsePageSubmission(flow, page('p2'), { comment: '😀'.repeat(20) }, { training: v(1) }).ok).toBe(
      true,
    );
  });

  it('records empty optional items as skipped and hidden items as not shown', () => {
    const r = parsePageSubmission(flow, page('p2'), { comment: '   ' }, { training: v(1) });
    expect(r.ok).toBe(true);
    expect(r.answers).toEqual({
      specialty: { kind: 'not_shown' },
      hobbies: { kind: 'skipped' },
      comment: { kind: 'skipped' },
      weight: { kind: 'skipped' },
    });
  });

  it('rejects an answer to an item the respondent was not shown', () => {
    expect(messages({ specialty: '1' }, 'p2', { training: v(1) })).toEqual([
      'Specialty is not asked after your earlier answers; please reload the page.',
    ]);
    expect(messages({ specialty: '1' }, 'p2', { training: v(2) })).toEqual([]);
  });

  it('rejects unknown fields, unknown control fields and malformed control fields', () => {
    const r = parsePageSubmission(
      flow,
      page('p3'),
      { m1: '1', m3: '1', bace3_01: '2', _evil: 'x', _csrf: ['a', 'b'], _idem: 'k1', _page: 'p3' },
      {},
    );
    expect(r.errors.map((e) => [e.field, e.code])).toEqual([
      ['bace3_01', 'unknown_field'],
      ['_evil', 'unknown_field'],
      ['_csrf', 'bad_control'],
    ]);
    expect(r.errors[0]!.message).toBe(
      'The form sent an unexpected field "bace3_01"; please reload the page and try again.',
    );
    expect(r.controls).toEqual({ _idem: 'k1', _page: 'p3' });
    expect(
      parsePageSubmission(
        flow,
        page('p3'),
        { _t: 'x'.repeat(513) },
        {},
        { requireAnswers: false },
      ).errors.map((e) => e.code),
    ).toEqual(['bad_control']);
    // the session key left the form for a cookie (redirect-after-POST): a posted `_s` is now an unknown field
    expect(
      parsePageSubmission(flow, page('p3'), { _s: 'x' }, {}, { requireAnswers: false }).errors.map(
        (e) => e.code,
      ),
    ).toEqual(['unknown_field']);
  });

  it('does not require answers for Back and Save, but still checks values', () => {
    const back = parsePageSubmission(flow, page('p1'), { _nav: 'back', age: '' }, {});
    expect(back.ok).toBe(true);
    expect(back.nav).toEqual({ kind: 'back' });
    const save = parsePageSubmission(flow, page('p1'), { _nav: 'save', age: '7' }, {});
    expect(save.errors.map((e) => e.message)).toEqual(['Age must be a whole number between 18 and 80.']);
    expect(save.answers).toEqual({ gender: { kind: 'skipped' }, training: { kind: 'skipped' } });
  });

  it('reads the navigation button', () => {
    expect(parseNav({})).toEqual({ kind: 'next' });
    expect(parseNav({ _nav: 'submit' })).toEqual({ kind: 'submit' });
    expect(parseNav({ _nav: 'goto:p12' })).toEqual({ kind: 'goto', page: 'p12' });
    expect(parseNav({ _nav: 'goto:../x' })).toBeUndefined();
    expect(parseNav({ _nav: ['next', 'back'] })).toBeUndefined();
    const r = parsePageSubmission(
      flow,
      page('p1'),
      { _nav: 'explode', age: '20', gender: '1', training: '1' },
      {},
    );
    expect(r.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['_nav:bad_control']);
  });

  it('reads the consent choice', () => {
    expect(parsePageSubmission(flow, 'consent', { _consent: 'agree' }, {}).consent).toBe('agree');
    expect(parsePageSubmission(flow, 'consent', { _consent: 'decline' }, {}).consent).toBe('decline');
    expect(messages({}, 'consent')).toEqual(['Please choose whether you agree to take part.']);
    expect(parsePageSubmission(flow, 'consent', { _consent: 'maybe' }, {}).errors.map((e) => e.code)).toEqual(
      ['bad_control'],
    );
    expect(parsePageSubmission(flow, 'p99', {}, {}).errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      '_page:bad_control',
    ]);
  });

  it('speaks Urdu, naming questions in Urdu where the study has the text', () => {
    expect(messages({ age: '12', training: '1' }, 'p1', {}, 'ur')).toEqual([
      'عمر 18 اور 80 کے درمیان کوئی مکمل عدد ہونا چاہیے۔',
      'براہِ کرم Gender کا جواب منتخب کریں۔',
    ]);
    expect(messages({ m1: 'na', m3: '1' }, 'p3', {}, 'ur')).toEqual([
      'سوال 1 کے لیے "لاگو نہیں" منتخب نہیں کیا جا سکتا؛ براہِ کرم کوئی ایک جواب منتخب کریں۔',
    ]);
  });

  it('names items: instrument number, short question text, quoted long text', () => {
    expect(itemName(flow.items.get('m2')!, 'en')).toBe('item 2');
    expect(itemName(flow.items.get('age')!, 'en')).toBe('Age');
    expect(itemName(flow.items.get('age')!, 'ur')).toBe('عمر');
    expect(itemName(flow.items.get('comment')!, 'en')).toBe('“Anything else?”');
  });
});

const complete: Answers = {
  student: v(1),
  age: v(22),
  gender: v(2),
  training: v(1),
  hobbies: { kind: 'choices', values: [2] },
  comment: { kind: 'text', text: 'none' },
  m1: v(0),
  m2: { kind: 'na' },
  m3: v(3),
};

describe('validateResponse: the whole response, never trusting pages', () => {
  it('accepts a complete response and fills in skipped and not-shown items', () => {
    const r = validateResponse(resolved, complete);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.specialty).toEqual({ kind: 'not_shown' });
    expect(r.value.weight).toEqual({ kind: 'skipped' });
    expect(Object.keys(r.value)).toEqual([
      'student',
      'age',
      'gender',
      'training',
      'specialty',
      'hobbies',
      'comment',
      'weight',
      'm1',
      'm2',
      'm3',
    ]);
  });

  const issues = (answers: unknown, opts = {}) => {
    const r = validateResponse(resolved, answers, opts);
    return r.ok ? [] : r.issues.map((i) => `${i.path} ${i.code}: ${i.message}`);
  };

  it('rejects unknown ids, missing required items and invalid values', () => {
    expect(issues({ ...complete, ghost: v(1) })).toEqual([
      'ghost unknown_field: The form sent an unexpected field "ghost"; please reload the page and try again.',
    ]);
    const { m3: _m3, ...noM3 } = complete;
    expect(issues(noM3)).toEqual(['m3 required: Please choose an answer for item 3.']);
    expect(issues({ ...complete, age: v(17) })).toEqual([
      'age out_of_range: Age must be a whole number between 18 and 80.',
    ]);
    expect(issues({ ...complete, m1: { kind: 'na' } })).toEqual([
      'm1 na_not_allowed: "Not applicable" cannot be chosen for item 1; please choose one of the answers.',
    ]);
    expect(issues({ ...complete, m1: v(0.5) })).toEqual([
      'm1 not_option: The answer for item 1 is not one of its options; please choose again.',
    ]);
    expect(issues({ ...complete, m1: { kind: 'text', text: '2' } })).toEqual([
      'm1 not_option: The answer for item 1 is not one of its options; please choose again.',
    ]);
    expect(issues({ ...complete, hobbies: { kind: 'choices', values: [2, 9] } })[0]).toMatch(
      /^hobbies not_option/,
    );
    expect(issues({ ...complete, m1: { kind: 'value', value: '2' } })).toHaveLength(1);
    expect(issues({ ...complete, comment: { kind: 'text', text: 'x'.repeat(21) } })[0]).toMatch(
      /^comment too_long/,
    );
    expect(issues({ ...complete, age: 22 })).toHaveLength(1);
    expect(issues([])).toEqual([' not_an_object: answers must be an object of item id → answer']);
  });

  it('checks skip-logic consistency both ways', () => {
    expect(issues({ ...complete, specialty: v(1) })).toEqual([
      'specialty not_shown: Specialty has an answer although the earlier answers hide it; it must be recorded as not shown',
    ]);
    expect(issues({ ...complete, training: v(2), specialty: { kind: 'not_shown' } })).toEqual([
      'specialty shown_item_not_shown: Specialty is recorded as not shown although the earlier answers show it',
    ]);
    expect(issues({ ...complete, training: v(2) })).toEqual([
      'specialty required: Please choose an answer for Specialty.',
    ]);
    expect(issues({ ...complete, training: v(2), specialty: v(2) })).toEqual([]);
  });

  it('refuses screened-out responses unless told otherwise', () => {
    expect(issues({ ...complete, student: v(0) })).toEqual([
      'eligibility ineligible: the screening answers do not meet the eligibility rule; nothing may be stored',
    ]);
    expect(issues({ ...complete, student: v(0) }, { requireEligible: false })).toEqual([]);
  });
});

describe('answersFromJson and answerStatus', () => {
  it('converts JSON values with the same checks as form fields', () => {
    const r = answersFromJson(flow, {
      age: 30,
      m2: 'na',
      hobbies: [3, '1'],
      comment: 'hi',
      weight: null,
      m1: 2,
    });
    expect(r.ok).toBe(true);
    expect(r.answers).toEqual({
      age: v(30),
      m2: { kind: 'na' },
      hobbies: { kind: 'choices', values: [1, 3] },
      comment: { kind: 'text', text: 'hi' },
      weight: { kind: 'skipped' },
      m1: v(2),
    });
    const bad = answersFromJson(flow, { nope: 1, m1: { x: 1 }, m3: 9 });
    expect(bad.errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'nope:unknown_field',
      'm1:not_option',
      'm3:not_option',
    ]);
    expect(answersFromJson(flow, 'x').ok).toBe(false);
  });

  it('maps answers to the dataset statuses', () => {
    expect(
      [
        v(1),
        { kind: 'na' },
        { kind: 'skipped' },
        { kind: 'not_shown' },
        { kind: 'text', text: 'a' },
        undefined,
      ].map((a) => answerStatus(a as never)),
    ).toEqual([
      AnswerStatus.ANSWERED,
      AnswerStatus.NOT_APPLICABLE,
      AnswerStatus.SKIPPED,
      AnswerStatus.NOT_SHOWN,
      AnswerStatus.ANSWERED,
      AnswerStatus.SKIPPED,
    ]);
  });
});
