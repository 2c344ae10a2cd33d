import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Instrument, InstrumentSchema } from '../../../src/core/instrument/schema.js';
import type { Answers } from '../../../src/core/response/submission.js';
import {
  answerLookup,
  applySkipLogic,
  buildFlow,
  type Flow,
  firstStep,
  isEligible,
  nextStep,
  previousPage,
  progress,
  resumeStep,
  shownPages,
  visibleItems,
} from '../../../src/core/study/pages.js';
import { type ResolvedStudy, resolveStudy } from '../../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';

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
        { value: 0, label: { en: 'No' } },
        { value: 1, label: { en: 'Yes' } },
      ],
      notApplicableLabel: { en: 'N/A' },
    },
  ],
  items: [
    { id: 'm1', scale: 's', text: { en: 'One' }, required: true },
    { id: 'm2', scale: 's', text: { en: 'Two' }, notApplicable: true },
    { id: 'm3', scale: 's', text: { en: 'Three' }, showIf: 'm1 = 1' },
  ],
});

const yesNo = [
  { value: 1, label: { en: 'Yes' } },
  { value: 0, label: { en: 'No' } },
];

const studyInput = {
  id: 's1',
  title: 'Test study',
  languages: ['en', 'ur'],
  instruments: [{ instrument: 'mini' }],
  questions: [
    {
      id: 'age',
      type: 'number',
      text: { en: 'Age (years)' },
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
      text: { en: 'Hobbies' },
      options: [
        { value: 1, label: { en: 'Reading' } },
        { value: 2, label: { en: 'Sport' } },
        { value: 3, label: { en: 'Music' } },
      ],
    },
    { id: 'comment', type: 'longtext', text: { en: 'Anything else?' }, maxLength: 20 },
  ],
  collection: {
    consent: { version: 2, text: { en: 'Information about the study.' } },
    eligibility: {
      questions: [
        { id: 'student', type: 'single', text: { en: 'Are you a student?' }, options: yesNo, required: true },
      ],
      eligibleIf: 'student = 1',
    },
  },
};

const lookup = (id: string): Instrument | undefined => (id === 'mini' ? mini : undefined);

function resolve(input: unknown): ResolvedStudy {
  const r = resolveStudy(input, lookup, ['mini']);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function flowOf(input: unknown): Flow {
  const f = buildFlow(resolve(input));
  if (!f.ok) throw new Error(JSON.stringify(f.issues));
  return f.value;
}

function issuesOf(input: unknown): string[] {
  const f = buildFlow(resolve(input));
  return f.ok ? [] : f.issues.map((i) => `${i.code}: ${i.message}`);
}

const v = (value: number) => ({ kind: 'value', value }) as const;

describe('buildFlow: default paging', () => {
  const flow = flowOf(studyInput);

  it('orders consent, screening, the questions page (split before skip-logic dependants), then the instrument', () => {
    expect(flow.pages.map((p) => [p.id, p.kind, p.items.map((i) => i.id).join(',')])).toEqual([
      ['consent', 'consent', ''],
      ['e1', 'eligibility', 'student'],
      ['p1', 'content', 'age,gender,training'],
      ['p2', 'content', 'specialty,hobbies,comment'],
      ['p3', 'content', 'm1,m2'],
      ['p4', 'content', 'm3'],
    ]);
    expect(flow.consentVersion).toBe(2);
  });

  it('puts the questions page after the instruments when asked (collection.questionsPlacement)', () => {
    const input = studyInput as { collection: Record<string, unknown> };
    const after = flowOf({ ...input, collection: { ...input.collection, questionsPlacement: 'after' } });
    expect(after.pages.map((p) => [p.id, p.items.map((i) => i.id).join(',')])).toEqual([
      ['consent', ''],
      ['e1', 'student'],
      ['p1', 'm1,m2'],
      ['p2', 'm3'],
      ['p3', 'age,gender,training'],
      ['p4', 'specialty,hobbies,comment'],
    ]);
  });

  it('titles instrument pages by the instrument and numbers its items by their position', () => {
    const p3 = flow.pages[4]!;
    expect(p3.title).toEqual({ en: 'Mini scale' });
    expect(p3.items.map((i) => i.number)).toEqual([1, 2]);
    expect(flow.pages[5]!.items[0]!.number).toBe(3);
    expect(flow.pages[2]!.items[0]!.number).toBeUndefined();
    expect(flow.pages[2]!.title).toBeUndefined();
    expect(p3.items[0]!.scale?.id).toBe('s');
  });

  it('lists every answerable item, screening first', () => {
    expect([...flow.items.keys()]).toEqual([
      'student',
      'age',
      'gender',
      'training',
      'specialty',
      'hobbies',
      'comment',
      'm1',
      'm2',
      'm3',
    ]);
    expect(flow.items.get('student')!.screening).toBe(true);
    expect(flow.items.get('age')!.screening).toBe(false);
  });

  it('titles the questions page by its section when one section covers all questions', () => {
    const f = flowOf({
      ...studyInput,
      questions: studyInput.questions.slice(0, 3),
      sections: [{ title: { en: 'About you' }, items: ['age', 'gender', 'training'] }],
    });
    expect(f.pages[2]!.title).toEqual({ en: 'About you' });
  });
});

describe('navigation, skip logic and progress', () => {
  const flow = flowOf(studyInput);
  const base: Answers = { student: v(1), age: v(21), gender: v(1) };

  it('walks consent → screening → content → review', () => {
    expect(firstStep(flow)).toEqual({ kind: 'page', page: flow.pages[0] });
    const s1 = nextStep(flow, 'consent', {});
    expect(s1.kind === 'page' && s1.page.id).toBe('e1');
    const s2 = nextStep(flow, 'e1', { student: v(1) });
    expect(s2.kind === 'page' && s2.page.id).toBe('p1');
    const s3 = nextStep(flow, 'p3', { ...base, m1: v(0) });
    expect(s3).toEqual({ kind: 'review' });
    const s4 = nextStep(flow, 'p3', { ...base, m1: v(1) });
    expect(s4.kind === 'page' && s4.page.id).toBe('p4');
  });

  it('ends screening with "ineligible" when eligibleIf is not met (or unknown)', () => {
    expect(nextStep(flow, 'e1', { student: v(0) })).toEqual({ kind: 'ineligible' });
    expect(nextStep(flow, 'e1', { student: { kind: 'skipped' } })).toEqual({ kind: 'ineligible' });
    expect(isEligible(flow, { student: v(1) })).toBe(true);
    expect(isEligible(flow, {})).toBe(false);
  });

  it('hides items whose showIf is false and skips pages with no visible item', () => {
    const p2 = flow.pages[3]!;
    expect(visibleItems(p2, { ...base, training: v(1) }).map((i) => i.id)).toEqual(['hobbies', 'comment']);
    expect(visibleItems(p2, { ...base, training: v(2) }).map((i) => i.id)).toEqual([
      'specialty',
      'hobbies',
      'comment',
    ]);
    expect(shownPages(flow, { m1: v(0) }).map((p) => p.id)).toEqual(['consent', 'e1', 'p1', 'p2', 'p3']);
    expect(shownPages(flow, { m1: v(1) }).map((p) => p.id)).toEqual([
      'consent',
      'e1',
      'p1',
      'p2',
      'p3',
      'p4',
    ]);
  });

  it('goes back to the previous shown page', () => {
    expect(previousPage(flow, 'review', { m1: v(0) })!.id).toBe('p3');
    expect(previousPage(flow, 'review', { m1: v(1) })!.id).toBe('p4');
    expect(previousPage(flow, 'p1', {})!.id).toBe('e1');
    expect(previousPage(flow, 'consent', {})).toBeNull();
  });

  it('reports page k of n: every page that could be shown plus the review, the same whatever the answers', () => {
    // consent, e1, p1, p2, p3, p4 (shown only when m1 = 1) + review = 7.
    expect(flow.pages.map((p) => p.id)).toEqual(['consent', 'e1', 'p1', 'p2', 'p3', 'p4']);
    expect(progress(flow, 'consent')).toEqual({ current: 1, total: 7 });
    expect(progress(flow, 'p1')).toEqual({ current: 3, total: 7 });
    expect(progress(flow, 'p4')).toEqual({ current: 6, total: 7 });
    expect(progress(flow, 'review')).toEqual({ current: 7, total: 7 });
  });

  it('a conditional page appearing never changes "of N"; a skipped page is skipped in the numbering', () => {
    for (const answers of [{}, { m1: v(0) }, { m1: v(1) }]) {
      const shown = shownPages(flow, answers).map((p) => progress(flow, p.id));
      // Every shown page and the review: one N, numbers strictly increasing.
      const all = [...shown, progress(flow, 'review')];
      expect(new Set(all.map((p) => p.total))).toEqual(new Set([7]));
      for (let i = 1; i < all.length; i++) expect(all[i]!.current).toBeGreaterThan(all[i - 1]!.current);
    }
    // m1 = 0 hides p4: p3 is page 5, then the review is page 7 (6 is skipped).
    expect(shownPages(flow, { m1: v(0) }).at(-1)!.id).toBe('p3');
    expect(progress(flow, 'p3').current).toBe(5);
  });

  it('turns answers of items hidden by a changed answer into NOT_SHOWN, in asking order', () => {
    const before = { ...base, training: v(2), specialty: v(1) };
    expect(applySkipLogic(flow, before).specialty).toEqual(v(1));
    const after = applySkipLogic(flow, { ...before, training: v(1) });
    expect(after.specialty).toEqual({ kind: 'not_shown' });
    expect(after.m3).toEqual({ kind: 'not_shown' });
    // Shown again: back to "not yet asked".
    expect('specialty' in applySkipLogic(flow, { ...after, training: v(2) })).toBe(false);
  });

  it('resumes at the first page with a visible unanswered item', () => {
    const r1 = resumeStep(flow, { student: v(1), age: v(30) });
    expect(r1.kind === 'page' && r1.page.id).toBe('p1');
    const all: Answers = {
      ...base,
      training: v(1),
      specialty: { kind: 'not_shown' },
      hobbies: { kind: 'skipped' },
      comment: { kind: 'skipped' },
      m1: v(0),
      m2: { kind: 'na' },
      m3: { kind: 'not_shown' },
    };
    expect(resumeStep(flow, all)).toEqual({ kind: 'review' });
    expect(resumeStep(flow, { student: v(0) })).toEqual({ kind: 'ineligible' });
  });

  it('looks up answers for expressions: numbers, text, counts of choices and <id>__<value>', () => {
    const l = answerLookup({
      a: v(2),
      t: { kind: 'text', text: 'hi' },
      h: { kind: 'choices', values: [1, 3] },
      n: { kind: 'na' },
    });
    expect([
      l('item', 'a'),
      l('item', 't'),
      l('item', 'h'),
      l('item', 'h__3'),
      l('item', 'h__2'),
      l('item', 'n'),
      l('item', 'zz'),
    ]).toEqual([2, 'hi', 2, 1, 0, null, null]);
    expect(l('score', 'a')).toBeNull();
  });
});

describe('buildFlow: custom pages and problems', () => {
  it('places items by id and instrument:<id>', () => {
    const f = flowOf({
      ...studyInput,
      collection: {
        pages: [
          { title: { en: 'Scale first' }, items: ['instrument:mini'] },
          { items: ['age', 'gender', 'training', 'specialty', 'hobbies', 'comment'] },
        ],
      },
    });
    expect(f.pages.map((p) => [p.id, p.items.map((i) => i.id).join(',')])).toEqual([
      ['p1', 'm1,m2'],
      ['p2', 'm3'],
      ['p3', 'age,gender,training'],
      ['p4', 'specialty,hobbies,comment'],
    ]);
    expect(f.pages[1]!.title).toEqual({ en: 'Scale first' });
  });

  it('reports unknown, duplicate and unplaced items', () => {
    const issues = issuesOf({
      ...studyInput,
      collection: {
        pages: [
          { items: ['instrument:mini', 'm1', 'nope', 'instrument:phq9'] },
          { items: ['age', 'gender', 'training', 'specialty', 'hobbies'] },
        ],
      },
    });
    expect(issues).toEqual([
      'duplicate_item: item "m1" is already placed at collection.pages[0].items[0]; list each item on one page only',
      'unknown_item: "nope" is not a question or instrument item of this study; use a question id, an item id or instrument:<id>',
      'unknown_instrument: "instrument:phq9" names an instrument the study does not use; the study\'s instruments are mini',
      'item_not_placed: item "comment" is on no page; add it (or its id) to a page',
    ]);
  });

  it('rejects skip logic that looks ahead, at scores, at itself, at unknown items or does not parse', () => {
    const q = (showIf: string) => ({
      ...studyInput,
      questions: [{ ...studyInput.questions[0], showIf }, ...studyInput.questions.slice(1)],
    });
    expect(issuesOf(q('gender = 1'))).toEqual([
      'forward_reference: showIf of "age" refers to "gender", which is asked later; skip logic may use only answers given before the item',
    ]);
    expect(issuesOf(q('score.x > 1'))).toEqual([
      'score_in_skip_logic: showIf of "age" uses score.x; scores are computed after submission, so skip logic can use item answers only',
    ]);
    expect(issuesOf(q('age > 1'))).toEqual(['self_reference: showIf of "age" refers to "age" itself']);
    expect(issuesOf(q('ghost = 1'))).toEqual([
      'unknown_item: showIf of "age" refers to "ghost", which is not a question of this study',
    ]);
    expect(issuesOf(q('student ='))[0]).toMatch(/^expression_syntax: showIf of "age": at position 10/);
    // Screening answers may be used by later items.
    expect(issuesOf(q('student = 1'))).toEqual([]);
  });

  it('rejects an eligibility rule over non-screening items, clashing ids and scale questions without a scale', () => {
    const c = studyInput.collection;
    expect(
      issuesOf({
        ...studyInput,
        collection: { ...c, eligibility: { ...c.eligibility, eligibleIf: 'age > 20' } },
      }),
    ).toEqual([
      'forward_reference: eligibleIf refers to "age", which is asked later; skip logic may use only answers given before the item',
    ]);
    expect(
      issuesOf({
        ...studyInput,
        collection: {
          ...c,
          eligibility: { questions: [{ ...c.eligibility.questions[0], id: 'age' }], eligibleIf: 'age = 1' },
        },
      }),
    ).toEqual([
      'duplicate_variable: screening question id "age" is already used by a question or instrument item; rename it',
    ]);
    expect(issuesOf({ ...studyInput, questions: [{ id: 'x', text: { en: 'X' } }] })).toEqual([
      'no_scale: question "x" has type "scale" (the default), but a study\'s own questions have no response scales; give it type "single" with options',
    ]);
  });
});

describe('the BACE example study', () => {
  const study = JSON.parse(
    readFileSync(join(__dirname, '../../../examples/bace-medical-students/study.json'), 'utf8'),
  );
  const r = resolveStudy(study, getInstrument, instrumentIds());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const f = buildFlow(r.value);
  if (!f.ok) throw new Error(JSON.stringify(f.issues));
  const flow = f.value;

  it('pages the demographics (specialty after training) and the 30 BACE items', () => {
    expect(flow.pages.map((p) => [p.id, p.items.length])).toEqual([
      ['p1', 3],
      ['p2', 1],
      ['p3', 30],
    ]);
    const bace = flow.pages[2]!;
    expect(bace.items.map((i) => i.number)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(bace.items.filter((i) => i.item.notApplicable).map((i) => i.number)).toEqual([14, 24, 27, 28, 29]);
    expect(new Set(bace.items.map((i) => i.scale?.options.map((o) => o.value).join(',')))).toEqual(
      new Set(['0,1,2,3']),
    );
  });

  it('asks specialty of postgraduates only', () => {
    const ug = nextStep(flow, 'p1', { age: v(20), gender: v(1), training: v(1) });
    expect(ug.kind === 'page' && ug.page.id).toBe('p3');
    const pg = nextStep(flow, 'p1', { age: v(27), gender: v(2), training: v(2) });
    expect(pg.kind === 'page' && pg.page.id).toBe('p2');
  });
});

describe('every library instrument', () => {
  it('pages without issues; PHQ-9 and GAD-7 function items get their own page', () => {
    const ids = instrumentIds();
    const r = resolveStudy(
      {
        id: 'all',
        title: 'All',
        instruments: ids.map((id) => ({
          instrument: id,
          termsAcknowledged: { by: 'test', at: '2026-01-01' },
        })),
      },
      getInstrument,
      ids,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const f = buildFlow(r.value);
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const phq9 = f.value.pages.filter((p) => p.items[0]?.instrument?.id === 'phq9');
    expect(phq9.map((p) => p.items.length)).toEqual([9, 1]);
    expect(phq9[1]!.items[0]!.number).toBe(10);
    // Item 10 is shown only when some problem was reported.
    expect(visibleItems(phq9[1]!, { phq9_1: v(0) })).toEqual([]);
    expect(visibleItems(phq9[1]!, { phq9_3: v(2) }).map((i) => i.id)).toEqual(['phq9_10']);
  });
});
