import { describe, expect, it } from 'vitest';
import { ItemSchema } from '../../../src/core/instrument/schema.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import {
  buildVariables,
  createRowEncoder,
  missingCodesFor,
  NameAllocator,
  spssDate,
  spssDateTime,
  spssSafeName,
} from '../../../src/render/export/index.js';
import {
  DEFAULT_VARIABLE_NAMES,
  LONG_QUESTION,
  mini,
  records,
  resolvedStudy,
  studyInput,
} from './fixture.js';

const resolved = resolvedStudy();

describe('buildVariables', () => {
  it('by default: metadata, screening, items, questions; no free text, times or scores', () => {
    const vars = buildVariables(resolved);
    expect(vars.map((v) => v.name)).toEqual(DEFAULT_VARIABLE_NAMES);
  });

  it('item variables: labels, value labels, missing codes, groups', () => {
    const vars = buildVariables(resolved, { includeScores: true, includeFreeText: true });
    const by = new Map(vars.map((v) => [v.name, v]));
    const m2 = by.get('mini_2')!;
    expect(m2).toMatchObject({
      label: 'I feel calm',
      type: 'numeric',
      format: { type: 'F', width: 8, decimals: 0 },
      measure: 'ordinal',
      valueLabels: [
        { value: 0, label: 'Never' },
        { value: 1, label: 'Sometimes' },
        { value: 2, label: 'Often' },
        { value: 3, label: 'Always' },
      ],
      missing: [
        { kind: 'skipped', value: -9, label: 'Skipped' },
        { kind: 'not_applicable', value: -8, label: 'Not applicable' },
        { kind: 'not_shown', value: -7, label: 'Not shown' },
      ],
      scoring: 'reverse keyed when scored: 0 + 3 − value',
    });
    expect(m2.group.kind === 'instrument' && m2.group.instrument.attribution).toBe(
      'MINI © 2020 J. Doe; free to use with attribution.',
    );
    expect(by.get('gender')!.group).toEqual({ kind: 'question', section: 'Demographics' });
    expect(by.get('is_student')!.group).toEqual({ kind: 'screening' });
    // a multiple-choice item: one 0/1 variable per option, the full label kept (the .sav writer shortens it)
    const none = by.get('hobbies__m1')!;
    expect(none.label).toBe(`${LONG_QUESTION}: None of these`);
    expect(none.valueLabels).toEqual([
      { value: 0, label: 'Not chosen' },
      { value: 1, label: 'Chosen' },
    ]);
    expect(by.get('comment')!.format).toEqual({ type: 'A', width: 240 }); // 60 characters × 4 bytes
    expect(by.get('mini_total')!.scoring).toBe(
      "Prorated sum of items 1–3 (0–9). Prorated sum (mean × number of items) of 3 items (mini_1, mini_2, mini_3); reverse keyed: mini_2; needs at least 2 answered items; bands: Low from 0, Moderate from 4, High from 7; the instrument owner's scoring",
    );
    expect(by.get('mini_total_band')!.valueLabels).toEqual([
      { value: 1, label: 'Low' },
      { value: 2, label: 'Moderate' },
      { value: 3, label: 'High' },
    ]);
  });

  it('names: SPSS-safe, unique ignoring case, items win clashes with generated names', () => {
    const r = resolveStudy(
      {
        id: 'clash',
        title: 'Clashes',
        questions: [
          {
            id: 'Language',
            type: 'single',
            text: { en: 'First language' },
            options: [{ value: 1, label: { en: 'Urdu' } }],
          },
          { id: 'with', type: 'number', text: { en: 'With whom' } },
          { id: 'x__1', type: 'number', text: { en: 'Clash with a choice' } },
          {
            id: 'x',
            type: 'multiple',
            text: { en: 'X' },
            options: [
              { value: 1, label: { en: 'one' } },
              { value: 2.5, label: { en: 'two and a half' } },
            ],
          },
        ],
      },
      () => undefined,
      [],
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(buildVariables(r.value).map((v) => v.name)).toEqual([
      'response_id',
      'submitted_on',
      'language_2',
      'Language',
      'with_',
      'x__1',
      'x__1_2',
      'x__2_5',
    ]);
  });

  it('spssSafeName and NameAllocator keep names within 64 bytes', () => {
    expect(spssSafeName('to')).toBe('to_');
    expect(spssSafeName('ALL')).toBe('ALL_');
    expect(spssSafeName('1st-year')).toBe('v1st_year');
    const a = new NameAllocator();
    const long = `a${'b'.repeat(63)}`;
    expect(a.allocate(long)).toBe(long);
    const second = a.allocate(long.toUpperCase());
    expect(second).toBe(`${'A'}${'B'.repeat(61)}_2`);
    expect(second.length).toBe(64);
  });

  it('missing codes move out of an item’s own range', () => {
    const item = (x: object) => ItemSchema.parse({ id: 'q', ...x });
    expect(missingCodesFor(item({ type: 'number', min: 0, max: 10 }), undefined).map((m) => m.value)).toEqual(
      [-9, -8, -7],
    );
    expect(
      missingCodesFor(item({ type: 'number', min: -50, max: 50 }), undefined).map((m) => m.value),
    ).toEqual([-99, -98, -97]);
    expect(missingCodesFor(item({ type: 'number', min: -100 }), undefined).map((m) => m.value)).toEqual([
      -999, -998, -997,
    ]);
    // unbounded below: the furthest codes, and the codebook says so
    expect(missingCodesFor(item({ type: 'number' }), undefined).map((m) => m.value)).toEqual([
      -999999999, -999999998, -999999997,
    ]);
    const opts = [-8, 0, 1].map((value) => ({ value, label: { en: String(value) } }));
    expect(missingCodesFor(item({ type: 'single', options: opts }), opts).map((m) => m.value)).toEqual([
      -99, -98, -97,
    ]);
  });
});

describe('createRowEncoder', () => {
  it('answers → values and missing codes; scores via scoreRespondent', () => {
    const vars = buildVariables(resolved, { includeScores: true, includeFreeText: true, includeTimes: true });
    const encode = createRowEncoder(vars);
    const names = vars.map((v) => v.name);
    const row = (i: number) => Object.fromEntries(encode(records[i]!).map((x, k) => [names[k], x]));
    expect(row(1)).toMatchObject({
      mini_1: 0,
      mini_2: -9,
      mini_3: -8,
      mini_4: -7,
      hobbies__1: -9,
      mini_total: null, // one item answered, the score needs two
      mini_total_band: null,
      mini_total_n: 1,
      story: '',
      submitted_at: '2024-03-15T23:59:59Z',
    });
    // 3 + (0 + 3 − 0) + 3 = 9 over 3 answered items: prorated 9; band "High" (from 7) is the 3rd
    expect(row(2)).toMatchObject({
      mini_total: 9,
      mini_total_band: 3,
      mini_total_n: 3,
      submitted_at: null,
      referral_wave: null,
    });
  });

  it('a study with consent exports the consent version each respondent agreed to, after the response metadata', () => {
    const withConsent = resolveStudy(
      {
        ...studyInput,
        collection: {
          ...studyInput.collection,
          consent: { version: 3, text: { en: 'You may stop at any time.' } },
        },
      },
      (id) => (id === 'mini' ? mini : undefined),
      ['mini'],
    );
    if (!withConsent.ok) throw new Error(JSON.stringify(withConsent.issues));
    const vars = buildVariables(withConsent.value);
    expect(vars.map((v) => v.name).slice(0, 5)).toEqual([
      'response_id',
      'submitted_on',
      'language',
      'referral_wave',
      'consent_version',
    ]);
    expect(vars[4]).toMatchObject({
      label: 'Consent version agreed to (empty: imported, or stored before consent was recorded)',
      type: 'numeric',
      measure: 'ordinal',
    });
    const encode = createRowEncoder(vars);
    expect(encode({ ...records[0]!, consentVersion: 3 })[4]).toBe(3);
    expect(encode(records[0]!)[4]).toBeNull();
    // Without consent there is no such column.
    expect(buildVariables(resolved).map((v) => v.name)).not.toContain('consent_version');
  });

  it('SPSS dates count seconds from 14 October 1582', () => {
    expect(spssDate('1582-10-14')).toBe(0);
    expect(spssDate('1582-10-15')).toBe(86400);
    // 1970-01-01 is day 141,428 of the Gregorian calendar as SPSS counts it
    expect(spssDate('1970-01-01')).toBe(141428 * 86400);
    expect(spssDate('2024-02-30')).toBeNull();
    expect(spssDate('14/03/2024')).toBeNull();
    expect(spssDateTime('1970-01-01T00:00:01.999Z')).toBe(141428 * 86400 + 1);
    expect(spssDateTime('nonsense')).toBeNull();
  });
});
