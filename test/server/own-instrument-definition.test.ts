/**
 * Stored study definitions carry own instruments inline (`definition`): the studio's check and launch check
 * accept them, the respondent flow asks their items, and a submission is validated and flagged with the own
 * instrument's reverse keys and safety rule, as for a library instrument.
 */
import { describe, expect, it } from 'vitest';
import { answersFromJson, validateResponse } from '../../src/core/response/submission.js';
import { prepareDefinition } from '../../src/server/respond/load.js';
import { safetyFlagged } from '../../src/server/respond/submit.js';
import { checkDefinition, launchCheck } from '../../src/server/studio/definition.js';
import { SUPPORT_CONTACTS } from './helpers.js';

const own = {
  id: 'att',
  title: { en: 'Attitudes' },
  scales: [{ id: 'agree', options: [1, 2, 3, 4, 5].map((value) => ({ value, label: { en: `A${value}` } })) }],
  items: [1, 2, 3].map((k) => ({
    id: `att_${k}`,
    scale: 'agree',
    text: { en: `Statement ${k}` },
    ...(k === 3 ? { reverse: true } : {}),
  })),
  scores: [{ id: 'att_sum', label: { en: 'Sum' }, items: ['att_1', 'att_2', 'att_3'], method: 'sum' }],
  safety: [{ id: 'att_low', when: 'score.att_sum <= 4', description: 'very negative attitude' }],
};
const definition = () => ({
  id: 'own_study',
  title: 'Own instrument study',
  languages: ['en'],
  instruments: [{ instrument: 'att', definition: own }],
  collection: { supportContacts: SUPPORT_CONTACTS },
});

describe('a stored definition with an inline own instrument', () => {
  it('passes the studio checks and the launch check', () => {
    const c = checkDefinition(definition());
    expect(c.ok, JSON.stringify(!c.ok && c.issues)).toBe(true);
    const l = launchCheck(definition(), new Set());
    expect(l.problems).toEqual([]);
    // Without support contacts its safety rule blocks launch, as a library instrument's does.
    const { collection: _, ...noContacts } = definition();
    expect(launchCheck(noContacts, new Set()).problems.map((p) => p.code)).toContain('no_support_contacts');
  });

  it('is asked, scored with its reverse key and flagged by its safety rule', () => {
    const loaded = prepareDefinition(definition(), 1);
    expect([...loaded.flow.items.keys()]).toEqual(['att_1', 'att_2', 'att_3']);
    // 1 + 1 + (6 − 5) = 3 ≤ 4: flagged (unreversed it would be 7). 1 + 1 + (6 − 1) = 7: not flagged.
    const parsed = answersFromJson(loaded.flow, { att_1: 1, att_2: 1, att_3: 5 }, 'en');
    expect(parsed.errors).toEqual([]);
    const v = validateResponse(loaded.resolved, parsed.answers, { flow: loaded.flow, lang: 'en' });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(safetyFlagged(loaded, v.value)).toBe(true);
    const calm = answersFromJson(loaded.flow, { att_1: 1, att_2: 1, att_3: 1 }, 'en');
    const v2 = validateResponse(loaded.resolved, calm.answers, { flow: loaded.flow, lang: 'en' });
    if (!v2.ok) throw new Error(JSON.stringify(v2.issues));
    expect(safetyFlagged(loaded, v2.value)).toBe(false);
  });
});
