/**
 * Follow-up eligibility after the survey (issue 14): the `band.<id>` references of the expression language,
 * the checks that name an unknown score, band or label with the valid ones, and the judgement on one
 * respondent's answers (what a volunteer carries: the bands the rule uses).
 */
import { describe, expect, it } from 'vitest';
import {
  parseExpression,
  printExpression,
  validateExpression,
} from '../../../src/core/instrument/expression.js';
import type { Answer } from '../../../src/core/response/submission.js';
import { buildScoringPlan } from '../../../src/core/scoring/index.js';
import {
  bandsShown,
  buildFollowUp,
  DEFAULT_INVITATION,
  followUpScope,
  invitationText,
  judgeFollowUp,
  parseVolunteerContact,
  volunteerParticipant,
} from '../../../src/core/study/followUp.js';
import { buildFlow } from '../../../src/core/study/pages.js';
import { resolvedLookup, resolveStudy } from '../../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../../src/instruments/index.js';

function prepared(eligibleIf: string | undefined) {
  const r = resolveStudy(
    {
      id: 'fu',
      title: 'Screening',
      instruments: [{ instrument: 'dass21' }, { instrument: 'phq9' }],
      questions: [
        {
          id: 'year',
          type: 'single',
          text: { en: 'Year' },
          options: [1, 2, 3].map((v) => ({ value: v, label: { en: String(v) } })),
        },
      ],
      ...(eligibleIf !== undefined ? { followUp: { eligibleIf } } : {}),
    },
    getInstrument,
    instrumentIds(),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const p = buildScoringPlan(r.value.study, resolvedLookup(r.value));
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return { resolved: r.value, plan: p.value, rule: buildFollowUp(r.value, p.value) };
}

const v = (value: number): Answer => ({ kind: 'value', value });
/** DASS-21 with every item at `d` (depression items at `dep`), PHQ-9 with every item at `p`, year 2. */
function answers(dep: number, d: number, p: number): Record<string, Answer> {
  const depression = new Set([3, 5, 10, 13, 16, 17, 21]);
  const out: Record<string, Answer> = { year: v(2) };
  for (let i = 1; i <= 21; i++) out[`dass21_${String(i).padStart(2, '0')}`] = v(depression.has(i) ? dep : d);
  for (let i = 1; i <= 9; i++) out[`phq9_${i}`] = v(p);
  out.phq9_10 = v(0);
  return out;
}

describe('band references in the expression language', () => {
  it('parses band.<id> and prints it back', () => {
    const r = parseExpression('band.dass21_d in ["Moderate", "Severe"] and score.phq9_total >= 10');
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(printExpression(r.value)).toBe(
        'band.dass21_d in ["Moderate", "Severe"] and score.phq9_total >= 10',
      );
  });

  it('refuses a second dot and says where', () => {
    const r = parseExpression('band.dass21_d.x = "Severe"');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/position 14.*a score id has no dot/);
  });

  it('is refused wherever bands are not known (skip logic, safety rules)', () => {
    const r = validateExpression('band.phq9_total = "Severe"', {
      items: new Set(),
      scores: new Set(['phq9_total']),
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: 'band_not_allowed' });
  });

  it('is refused in screening and skip logic of a study', () => {
    const r = resolveStudy(
      {
        id: 's',
        title: 'S',
        instruments: [{ instrument: 'phq9' }],
        collection: {
          eligibility: {
            questions: [
              {
                id: 'ok',
                type: 'single',
                text: { en: 'OK?' },
                options: [{ value: 1, label: { en: 'Yes' } }],
              },
            ],
            eligibleIf: 'band.phq9_total = "Severe"',
          },
        },
      },
      getInstrument,
      instrumentIds(),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = buildFlow(r.value);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.issues[0]?.message).toMatch(/band\.phq9_total; bands are computed after submission/);
  });
});

describe('buildFollowUp: checks naming the valid scores, bands and labels', () => {
  it('accepts a rule over bands and scores and records the bands it uses', () => {
    const { rule } = prepared('band.dass21_d != "Extremely severe" and score.phq9_total >= 10');
    expect(rule.ok).toBe(true);
    if (rule.ok) expect(rule.value?.bandScores.map((b) => b.id)).toEqual(['dass21_d', 'phq9_total']);
  });

  it('is undefined without a follow-up', () => {
    expect(prepared(undefined).rule).toEqual({ ok: true, value: undefined });
  });

  it('names an unknown band with the scores that have bands', () => {
    const { rule } = prepared('band.dass21_x = "Severe"');
    expect(rule.ok).toBe(false);
    if (!rule.ok) {
      expect(rule.issues[0]).toMatchObject({ path: 'followUp.eligibleIf', code: 'unknown_band' });
      expect(rule.issues[0]?.message).toContain(
        '"band.dass21_x" is not a score with bands; did you mean "dass21_d", "dass21_a", "dass21_s"',
      );
    }
  });

  it('names a mistyped band label with the valid labels (a typo would silently never match)', () => {
    const { rule } = prepared('band.dass21_d in ["Moderate", "Extremly severe"]');
    expect(rule.ok).toBe(false);
    if (!rule.ok) {
      expect(rule.issues).toHaveLength(1);
      expect(rule.issues[0]?.code).toBe('unknown_band_label');
      expect(rule.issues[0]?.message).toContain(
        '"Extremly severe" is not a band of dass21_d; its bands are "Normal", "Mild", "Moderate", "Severe", "Extremely severe"',
      );
    }
  });

  it('refuses ordering a band (labels would compare alphabetically) and a number as a label', () => {
    const order = prepared('band.dass21_d >= "Moderate"').rule;
    expect(order.ok).toBe(false);
    if (!order.ok) expect(order.issues[0]).toMatchObject({ code: 'band_order' });
    const num = prepared('band.dass21_d = 2').rule;
    expect(num.ok).toBe(false);
    if (!num.ok) expect(num.issues[0]?.message).toContain('2 is not a band of dass21_d');
  });

  it('names an unknown score, and a rule with no score at all', () => {
    const unknown = prepared('score.dass_d > 10').rule;
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.issues[0]).toMatchObject({ code: 'unknown_score' });
    const items = prepared('year = 2').rule;
    expect(items.ok).toBe(false);
    if (!items.ok) expect(items.issues[0]).toMatchObject({ code: 'no_score' });
  });

  it('lists the scope: every score, and the bands of the banded ones', () => {
    const { resolved, plan } = prepared(undefined);
    const scope = followUpScope(resolved, plan);
    expect([...(scope.bands?.keys() ?? [])]).toEqual(['dass21_d', 'dass21_a', 'dass21_s', 'phq9_total']);
    expect(scope.bands?.get('phq9_total')).toContain('Moderately severe');
  });
});

describe('judgeFollowUp on one respondent', () => {
  const { plan, rule } = prepared('band.dass21_d in ["Moderate", "Severe"] and year = 2');
  if (!rule.ok || !rule.value) throw new Error('rule');
  const r = rule.value;

  it('offers the follow-up with the bands the rule uses when it holds', () => {
    // Depression items at 1: 7 × 1 × 2 = 14 → Moderate.
    expect(judgeFollowUp(r, plan, answers(1, 0, 0))).toEqual({ bands: { dass21_d: 'Moderate' } });
  });

  it('offers nothing when the band does not match (Normal, Extremely severe)', () => {
    expect(judgeFollowUp(r, plan, answers(0, 0, 0))).toBeNull();
    expect(judgeFollowUp(r, plan, answers(3, 0, 0))).toBeNull(); // 42: Extremely severe
  });

  it('offers nothing when the score cannot be computed (unknown is not eligible)', () => {
    const a = answers(1, 0, 0);
    a.dass21_03 = { kind: 'skipped' };
    a.dass21_05 = { kind: 'skipped' };
    expect(judgeFollowUp(r, plan, a)).toBeNull();
  });

  it('a != rule: a missing score is unknown, not "not severe"', () => {
    const ne = prepared('band.phq9_total != "Severe"').rule;
    if (!ne.ok || !ne.value) throw new Error('rule');
    const a = answers(0, 0, 1);
    expect(judgeFollowUp(ne.value, plan, a)).toEqual({ bands: { phq9_total: 'Mild' } }); // 9 × 1
    delete a.phq9_1;
    delete a.phq9_2;
    expect(judgeFollowUp(ne.value, plan, a)).toBeNull();
  });
});

describe('the owner side: k-safe bands, invitation texts, participants', () => {
  const v = (batch: number | null, band: string) => ({ batch, bands: { dass21_d: band } });

  it('shows bands only where k volunteers of the same batch share them', () => {
    expect(
      bandsShown([v(1, 'Severe'), v(1, 'Severe'), v(1, 'Moderate'), v(2, 'Moderate'), v(null, 'Severe')], 2),
    ).toEqual([true, true, false, false, false]);
    // A profile is all bands together.
    expect(
      bandsShown(
        [
          { batch: 1, bands: { a: 'High', b: 'Low' } },
          { batch: 1, bands: { b: 'Low', a: 'High' } },
          { batch: 1, bands: { a: 'High', b: 'High' } },
        ],
        2,
      ),
    ).toEqual([true, true, false]);
  });

  it('fills the invitation and appends the link when the message has none', () => {
    expect(invitationText('Dear {name}, see {link}.', { name: 'Ayesha', link: 'https://x/v/A' })).toBe(
      'Dear Ayesha, see https://x/v/A.',
    );
    expect(invitationText('Come on Monday', { link: 'https://x/v/A' })).toBe('Come on Monday\nhttps://x/v/A');
    expect(invitationText('  ', { link: 'L' })).toBe(
      DEFAULT_INVITATION.replace('{name}', 'there').replace('{link}', 'L'),
    );
  });

  it('makes a participant with the next pseudonym and the shown bands as attributes', () => {
    const labels = new Map([['dass21_d', 'Depression (DASS-21 × 2)']]);
    expect(
      volunteerParticipant({
        id: 'vol-1',
        takenPseudonyms: ['P1', 'P3'],
        bands: { dass21_d: 'Severe' },
        labels,
      }),
    ).toEqual({
      id: 'vol-1',
      pseudonym: 'P2',
      aliases: [],
      attributes: { 'follow-up volunteer': true, 'Depression (DASS-21 × 2) band': 'Severe' },
    });
    expect(
      volunteerParticipant({ id: 'vol-2', takenPseudonyms: [], bands: null, labels }).attributes,
    ).toEqual({
      'follow-up volunteer': true,
      'screening bands': 'withheld (fewer than k volunteers share them)',
    });
  });

  it('reads the volunteer form: e-mail or phone, Urdu digits, agreement', () => {
    expect(parseVolunteerContact({ phone: '۰۳۰۰-۱۲۳ ۴۵۶۷', agree: '1' })).toEqual({
      ok: true,
      contact: { phone: '03001234567' },
    });
    expect(parseVolunteerContact({ email: 'x@', agree: '' })).toEqual({
      ok: false,
      errors: ['email', 'agree'],
    });
    expect(parseVolunteerContact({ agree: '1' })).toEqual({ ok: false, errors: ['contact'] });
  });
});
