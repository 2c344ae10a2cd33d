/**
 * A study's own intro texts (issue 14): on a page (`collection.pages[i].intro`), on the page of the own
 * questions (`collection.questionsIntro`) and before an instrument (`instruments[i].intro`). Every study
 * language needs the text; an intro is at most INTRO_MAX_LENGTH characters per language; the flow carries them.
 */
import { describe, expect, it } from 'vitest';
import { introOf, parseIntroTarget, setIntro } from '../../../src/core/study/editing.js';
import { studyIntros } from '../../../src/core/study/intros.js';
import { buildFlow } from '../../../src/core/study/pages.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { INTRO_MAX_LENGTH, type StudyDraft, StudySchema } from '../../../src/core/study/schema.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';

const resolve = (s: unknown) => resolveStudy(s, getInstrument, instrumentIds());
const WARDS = {
  en: 'The next questions are about your last month on the wards.',
  ur: 'اگلے سوالات وارڈز پر آپ کے پچھلے مہینے کے بارے میں ہیں۔',
};
const AGE = { id: 'age', type: 'number', text: { en: 'Age', ur: 'عمر' } };

const paged = (intro: unknown, languages = ['en', 'ur']) => ({
  id: 's',
  title: 'S',
  languages,
  instruments: [{ instrument: 'phq9', intro: WARDS }],
  questions: [AGE],
  collection: {
    pages: [
      { title: { en: 'About you', ur: 'آپ کے بارے میں' }, intro, items: ['age'] },
      { items: ['instrument:phq9'] },
    ],
  },
});

describe('intro texts: schema and the every-language rule', () => {
  it('accepts intros in every study language and carries them to the flow', () => {
    const r = resolve(paged(WARDS));
    expect(r.ok, r.ok ? '' : JSON.stringify(r.issues)).toBe(true);
    if (!r.ok) return;
    const flow = buildFlow(r.value);
    expect(flow.ok).toBe(true);
    if (!flow.ok) return;
    const [p1, p2] = flow.value.pages;
    expect(p1!.intro).toEqual(WARDS);
    expect(p2!.intro).toBeUndefined();
    expect(flow.value.instrumentIntros.get('phq9')).toEqual(WARDS);
    expect(studyIntros(r.value.study).map((p) => p.path)).toEqual([
      'collection.pages[0].intro',
      'instruments[0].intro',
    ]);
  });

  it('names the page, the instrument and the missing language', () => {
    const def = paged({ en: 'Only English here.' });
    (def.instruments[0] as { intro: unknown }).intro = { ur: 'صرف اردو' };
    const r = resolve(def);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const mine = r.issues.filter((i) => i.code === 'intro_missing_language');
    expect(mine.map((i) => i.path)).toEqual(['collection.pages[0].intro', 'instruments[0].intro']);
    expect(mine[0]!.message).toBe(
      'the intro of page 1 ("About you") has no Urdu (ur) text, but the study is offered in English and Urdu: write it in Urdu too (Design → Intro texts), or remove the intro',
    );
    expect(mine[1]!.message).toContain('the intro before PHQ-9 has no English (en) text');
  });

  it('an English-only study needs English only; extra languages are kept', () => {
    const r = resolve(paged({ en: 'Hello.', ur: 'سلام' }, ['en']));
    expect(r.ok).toBe(true);
    expect(resolve(paged({ ur: 'سلام' }, ['en'])).ok).toBe(false);
  });

  it(`refuses an intro over ${INTRO_MAX_LENGTH} characters, and one of spaces only`, () => {
    const long = StudySchema.safeParse(paged({ en: 'x'.repeat(INTRO_MAX_LENGTH + 1), ur: 'ٹھیک' }));
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.path).toEqual(['collection', 'pages', 0, 'intro', 'en']);
    expect(long.error?.issues[0]?.message).toContain(`at most ${INTRO_MAX_LENGTH} characters per language`);
    expect(StudySchema.safeParse(paged({ en: 'x'.repeat(INTRO_MAX_LENGTH), ur: 'ٹھیک' })).success).toBe(true);
    const blank = StudySchema.safeParse(paged({ en: '   ', ur: 'ٹھیک' }));
    expect(blank.error?.issues[0]?.message).toContain('must not be only spaces');
  });

  it('the own questions’ page intro (no pages) is on that page; with pages it is refused, not ignored', () => {
    const def = {
      id: 's',
      title: 'S',
      instruments: [{ instrument: 'phq9' }],
      questions: [AGE],
      collection: { questionsIntro: { en: 'First, about you.' }, questionsPlacement: 'after' },
    };
    const r = resolve(def);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const flow = buildFlow(r.value);
    if (!flow.ok) throw new Error('flow');
    const pages = flow.value.pages;
    expect(pages.at(-1)!.items.map((fi) => fi.id)).toEqual(['age']);
    expect(pages.at(-1)!.intro).toEqual({ en: 'First, about you.' });
    expect(pages.slice(0, -1).every((p) => p.intro === undefined)).toBe(true);
    const bad = resolve({
      ...def,
      collection: { ...def.collection, pages: [{ items: ['age', 'instrument:phq9'] }] },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.code)).toContain('intro_not_shown');
  });
});

describe('setIntro (the studio form)', () => {
  const draft = (): StudyDraft =>
    ({
      id: 's',
      title: 'S',
      languages: ['en', 'ur'],
      instruments: [{ instrument: 'phq9' }],
      questions: [AGE],
    }) as StudyDraft;

  it('sets, edits and removes an instrument intro and the own questions’ page intro', () => {
    const d = draft();
    const ins = parseIntroTarget('instrument:phq9')!;
    expect(setIntro(d, ins, WARDS)).toEqual({ ok: true, value: { changed: true } });
    expect(introOf(d, ins)).toEqual(WARDS);
    expect(setIntro(d, ins, WARDS)).toEqual({ ok: true, value: { changed: false } });
    expect(setIntro(d, ins, { ...WARDS, en: 'Edited.' }).ok).toBe(true);
    expect(d.instruments![0]!.intro!.en).toBe('Edited.');
    expect(setIntro(d, ins, {}).ok).toBe(true);
    expect(d.instruments![0]).toEqual({ instrument: 'phq9' });
    const q = parseIntroTarget('questions')!;
    expect(setIntro(d, q, WARDS).ok).toBe(true);
    expect(d.collection?.questionsIntro).toEqual(WARDS);
    expect(resolve(d).ok).toBe(true);
  });

  it('refuses a missing study language, a text too long and an unknown target, by language', () => {
    const d = draft();
    const r = setIntro(
      d,
      { kind: 'instrument', id: 'phq9' },
      { en: 'English only', ur: 'ب'.repeat(INTRO_MAX_LENGTH + 1) },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([['ur', 'too_long']]);
    const m = setIntro(d, { kind: 'instrument', id: 'phq9' }, { en: 'English only' });
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.issues.map((i) => [i.path, i.code])).toEqual([['ur', 'intro_missing_language']]);
      expect(m.issues[0]!.message).toContain('has no Urdu (ur) text');
    }
    expect(setIntro(d, { kind: 'instrument', id: 'gad7' }, WARDS).ok).toBe(false);
    expect(setIntro(d, { kind: 'page', index: 0 }, WARDS).ok).toBe(false);
    expect(d.instruments![0]).toEqual({ instrument: 'phq9' });
    expect(parseIntroTarget('page:0')).toBeUndefined();
    expect(parseIntroTarget('page:2')).toEqual({ kind: 'page', index: 1 });
    expect(parseIntroTarget('<script>')).toBeUndefined();
  });
});
