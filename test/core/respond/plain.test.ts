/**
 * The JSON API's precompiled judge (`judgePlainSubmission`, with `compilePlainAnswers`): whenever it decides, its
 * decision is exactly `judgeSubmission`'s (answers, flag, counters, consent), on generated submissions to studies
 * with skip logic, screening, consent, number items, "not applicable" and safety rules; and it does decide the
 * usual complete submission (else the API would take the general path every time).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgePlainSubmission, judgeSubmission, type RespondFlow } from '../../../src/core/respond/engine.js';
import { prepareDefinition } from '../../../src/server/respond/load.js';
import { baceStudyDefinition, phq9StudyDefinition } from '../../server/helpers.js';

const example = (name: string) =>
  JSON.parse(readFileSync(`examples/${name}/study.json`, 'utf8')) as Record<string, unknown>;

const STUDIES: Record<string, RespondFlow> = {
  // Skip logic (specialty shown when training = 2), a number item, "not applicable" items.
  bace: prepareDefinition(example('bace-medical-students'), 1),
  // The same with consent (version 2), a screening question and its rule.
  'bace with consent and screening': prepareDefinition(baceStudyDefinition(), 1),
  'phq9-gad7': prepareDefinition(example('phq9-gad7-students'), 1),
  // A safety rule (item 9).
  phq9: prepareDefinition(phq9StudyDefinition(), 1),
};

/** Values a client might send for an item: its options, "na", numbers in and out of range, other JSON. */
function valuesFor(study: RespondFlow, id: string): fc.Arbitrary<unknown> {
  const fi = study.flow.items.get(id);
  const opts = (fi?.scale?.options ?? fi?.item.options ?? []).map((o) => o.value);
  const n = fi?.item.type === 'number' ? [fi.item.min ?? 0, fi.item.max ?? 100] : [0, 10];
  return fc.oneof(
    { weight: 12, arbitrary: opts.length ? fc.constantFrom(...opts) : fc.integer({ min: n[0], max: n[1] }) },
    { weight: 3, arbitrary: fc.integer({ min: (n[0] ?? 0) - 3, max: (n[1] ?? 10) + 3 }) },
    { weight: 2, arbitrary: fc.constant('na') },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant(null),
        fc.constant(-0),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constant(1e15),
        fc.string({ maxLength: 5 }),
        fc.constant(opts.map(String)[0] ?? '1'),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      ),
    },
  );
}

/** Mostly valid answers (an option, an in-range number or "na" for each item), then up to three changes. */
function answersFor(study: RespondFlow): fc.Arbitrary<Record<string, unknown>> {
  const ids = [...study.flow.items.keys()];
  const good = (id: string): fc.Arbitrary<unknown> => {
    const fi = study.flow.items.get(id);
    const opts = (fi?.scale?.options ?? fi?.item.options ?? []).map((o) => o.value);
    if (opts.length) return fc.constantFrom(...opts, ...(fi?.item.notApplicable ? ['na'] : []));
    return fc.integer({ min: fi?.item.min ?? 0, max: fi?.item.max ?? 100 });
  };
  const change = fc.tuple(
    fc.constantFrom(...ids, 'unknown_item', 'toString', 'constructor'),
    fc.option(fc.constant(0), { nil: undefined, freq: 3 }), // undefined: leave the item out
  );
  return fc
    .tuple(
      fc.tuple(...ids.map(good)),
      fc.array(fc.tuple(change, fc.integer({ min: 0, max: 1000 })), { maxLength: 3 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: ids.length - 1 }), fc.anything()), { maxLength: 1 }),
    )
    .chain(([vals, changes, junk]) =>
      fc.tuple(...changes.map(([[id]]) => valuesFor(study, id))).map((changed) => {
        const a: Record<string, unknown> = {};
        ids.forEach((id, i) => {
          a[id] = vals[i];
        });
        changes.forEach(([[id, keep]], i) => {
          if (keep === undefined) delete a[id];
          else a[id] = changed[i];
        });
        for (const [i, v] of junk) a[ids[i] as string] = v;
        return a;
      }),
    );
}

/** A complete, valid answer set: the first option of each shown item (the usual submission). */
function usual(study: RespondFlow): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  for (const [id, fi] of study.flow.items) {
    if (fi.showIf) continue;
    const opts = fi.scale?.options ?? fi.item.options;
    a[id] = opts?.length ? opts[0]?.value : (fi.item.min ?? 20);
  }
  return a;
}

describe('judgePlainSubmission', () => {
  for (const [name, study] of Object.entries(STUDIES)) {
    it(`${name}: decides exactly as judgeSubmission whenever it decides`, () => {
      let decided = 0;
      const consent = fc.option(fc.record({ agreed: fc.boolean(), version: fc.constantFrom(1, 2, 3) }), {
        nil: undefined,
      });
      fc.assert(
        fc.property(answersFor(study), fc.constantFrom('en', 'ur', 'fr'), consent, (answers, lang, c) => {
          const claim = c ? { consent: c } : {};
          const plain = judgePlainSubmission(study, { answers, lang, idem: 'k', ...claim });
          if (plain === undefined) return;
          decided++;
          const general = judgeSubmission(study, {
            answers,
            lang,
            idem: 'k',
            open: true,
            invitationUsable: true,
            ...claim,
          });
          expect(plain).toEqual(general);
        }),
        { numRuns: 400 },
      );
      expect(decided).toBeGreaterThan(0);
    });

    it(`${name}: decides the usual complete submission`, () => {
      const cv = study.flow.consentVersion;
      const input = {
        answers: usual(study),
        lang: 'en',
        idem: 'k',
        ...(cv !== undefined ? { consent: { agreed: true, version: cv } } : {}),
      };
      const plain = judgePlainSubmission(study, input);
      expect(plain?.kind).toBe('accept');
      expect(plain).toEqual(judgeSubmission(study, { ...input, open: true, invitationUsable: true }));
    });
  }

  it('leaves a refusal to judgeSubmission: unknown items, labels, missing required answers, no consent', () => {
    const bace = STUDIES.bace as RespondFlow;
    const ok = usual(bace);
    expect(judgePlainSubmission(bace, { answers: ok, lang: 'en', idem: 'k' })).toBeDefined();
    for (const answers of [
      { ...ok, nope: 1 },
      { ...ok, gender: 'Female' },
      { ...ok, gender: 9 },
      { ...ok, age: 17.5 },
      { ...ok, specialty: 1 }, // hidden: training is not 2
      Object.fromEntries(Object.entries(ok).filter(([k]) => k !== 'age')),
    ])
      expect(judgePlainSubmission(bace, { answers, lang: 'en', idem: 'k' })).toBeUndefined();
    const withConsent = STUDIES['bace with consent and screening'] as RespondFlow;
    const a = usual(withConsent);
    expect(judgePlainSubmission(withConsent, { answers: a, lang: 'en', idem: 'k' })).toBeUndefined();
    expect(
      judgePlainSubmission(withConsent, {
        answers: a,
        lang: 'en',
        idem: 'k',
        consent: { agreed: true, version: 1 },
      }),
    ).toBeUndefined();
    expect(
      judgePlainSubmission(withConsent, {
        answers: { ...a, enrolled: 0 },
        lang: 'en',
        idem: 'k',
        consent: { agreed: true, version: 2 },
      }),
    ).toBeUndefined();
  });
});
