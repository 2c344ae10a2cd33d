/**
 * The respondent-session engine, directly: every rule the three adapters (form routes, JSON API, studio preview)
 * share, including the two the old preview got wrong (Back from a page with problems is allowed; a page never
 * reached cannot be posted or shown).
 */
import { describe, expect, it } from 'vitest';
import {
  advance,
  type Effect,
  endOutcome,
  followUpOffer,
  isStatelessEnd,
  judgeResponse,
  judgeSubmission,
  nonceOf,
  parseState,
  present,
  presentStart,
  resume,
  type SessionState,
  safetyFlagged,
  startState,
} from '../../../src/core/respond/engine.js';
import type { Answers } from '../../../src/core/response/submission.js';
import { prepareDefinition } from '../../../src/server/respond/load.js';
import { followUpStudy } from '../../server/followUpHelpers.js';
import { BACE_ITEMS, baceStudyDefinition, phq9StudyDefinition } from '../../server/helpers.js';

const bace = prepareDefinition(baceStudyDefinition(), 1);
const phq9 = prepareDefinition(phq9StudyDefinition(), 1);
const v = (value: number) => ({ kind: 'value' as const, value });
const post = (state: SessionState, pageId: string, fields: Record<string, string> = {}) => ({
  pageId,
  fields: { _page: pageId, ...fields },
  nonce: nonceOf(state),
  lang: 'en',
});
const kinds = (effects: readonly Effect[]) => effects.map((e) => e.kind);
const counted = (effects: readonly Effect[]) => effects.flatMap((e) => (e.kind === 'count' ? e.names : []));

/** A BACE session on page p1 (consent agreed, eligible). */
function atP1(): SessionState {
  const s0 = startState(bace.flow);
  const a = advance(
    bace,
    { state: s0, isNew: true },
    { ...post(s0, 'consent', { _consent: 'agree' }), nonce: undefined },
  );
  const b = advance(bace, { state: a.state!, isNew: false }, post(a.state!, 'e1', { enrolled: '1' }));
  expect(b.state!.at).toBe('p1');
  return b.state!;
}

describe('respondent-session engine', () => {
  it('starts on the first page and opens a session when the first page is left', () => {
    const s0 = startState(bace.flow, { ref: 'ABCD1234', shared: true });
    expect(s0).toMatchObject({ at: 'consent', seen: ['consent'], n: 0, ref: 'ABCD1234', shared: true });
    const a = advance(
      bace,
      { state: s0, isNew: true },
      { ...post(s0, 'consent', { _consent: 'agree' }), nonce: undefined },
    );
    expect(kinds(a.effects)).toEqual(['startSession', 'saveDraft', 'count']);
    expect(counted(a.effects)).toEqual(['started', 'page_consent', 'page_e1']);
    expect(a.state).toMatchObject({ at: 'e1', seen: ['consent', 'e1'], n: 1, started: true });
    expect(a.place).toEqual({ kind: 'page', pageId: 'e1' });
    // A new session may post only the first page.
    const wrong = advance(bace, { state: s0, isNew: true }, { ...post(s0, 'p1'), nonce: undefined });
    expect(wrong.ignored).toBe(true);
    expect(wrong.effects).toEqual([]);
  });

  it('ignores a post carrying another step (double tap, stale page)', () => {
    const s = atP1();
    const stale = advance(
      bace,
      { state: s, isNew: false },
      { ...post(s, 'p1', { age: '21', gender: '1', training: '1' }), nonce: '0' },
    );
    expect(stale).toMatchObject({
      ignored: true,
      effects: [],
      place: { kind: 'page', pageId: 'p1' },
      state: s,
    });
  });

  it('enforces "page seen" on posts and on GETs', () => {
    const s = atP1();
    const skip = advance(bace, { state: s, isNew: false }, post(s, 'p3'));
    expect(skip.ignored).toBe(true);
    const review = advance(
      bace,
      { state: s, isNew: false },
      post(s, 'review', { _nav: 'submit', _idem: 'abcdefgh1' }),
    );
    expect(review.ignored).toBe(true);
    const shown = present(bace, s, 'p3');
    expect(shown.kind === 'page' && shown.page.id).toBe('p1');
    const earlier = present(bace, s, 'e1');
    expect(earlier.kind === 'page' && earlier.page.id).toBe('e1');
    expect(earlier.kind === 'page' && earlier.answers.enrolled).toEqual(v(1));
  });

  it('shows a page again with its problems and what was typed; Back from it is allowed', () => {
    const s = atP1();
    const bad = advance(
      bace,
      { state: s, isNew: false },
      post(s, 'p1', { age: '7', gender: '1', training: '1' }),
    );
    expect(bad.place).toEqual({ kind: 'page', pageId: 'p1' });
    expect(kinds(bad.effects)).toEqual(['saveDraft']);
    expect(bad.state!.answers.age).toBeUndefined();
    const shown = present(bace, bad.state!, 'p1');
    expect(shown.kind).toBe('page');
    if (shown.kind !== 'page') return;
    expect(shown.errors?.map((e) => e.field)).toEqual(['age']);
    expect(shown.fields).toMatchObject({ age: '7', gender: '1' });
    expect(Object.keys(shown.fields ?? {}).some((k) => k.startsWith('_'))).toBe(false);
    // The problems belong to p1 only.
    const other = present(bace, bad.state!, 'e1');
    expect(other.kind === 'page' && other.errors).toBeFalsy();
    // Back with an invalid page: allowed, what parsed is kept, the problems are gone.
    const back = advance(
      bace,
      { state: bad.state!, isNew: false },
      post(bad.state!, 'p1', { _nav: 'back', age: '7', gender: '2' }),
    );
    expect(back.place).toEqual({ kind: 'page', pageId: 'e1' });
    expect(back.state!.flash).toBeUndefined();
    expect(back.state!.answers.gender).toEqual(v(2));
    expect(counted(back.effects)).toEqual([]); // e1 was counted when first reached
  });

  it('the language switch (_nav=lang:ur) shows the same page again, keeping what was typed, unchecked, counting nothing', () => {
    const s = atP1();
    // Nothing required is checked (age and training are left empty).
    const sw = advance(
      bace,
      { state: s, isNew: false },
      { ...post(s, 'p1', { _nav: 'lang:ur', gender: '2' }), lang: 'ur' },
    );
    expect(sw.ignored).toBeUndefined();
    expect(sw.place).toEqual({ kind: 'page', pageId: 'p1' });
    expect(sw.state!.answers.gender).toEqual(v(2));
    expect(sw.state!.flash).toBeUndefined();
    expect(kinds(sw.effects)).toEqual(['saveDraft']);
    // On the review: the review again.
    const r: SessionState = { ...sw.state!, at: 'review', seen: [...sw.state!.seen, 'review'] };
    const rv = advance(bace, { state: r, isNew: false }, post(r, 'review', { _nav: 'lang:en' }));
    expect(rv.place).toEqual({ kind: 'review' });
    expect(rv.state!.answers).toEqual(r.answers);
    // On a first page (no session yet): the session opens with what was typed, and nothing is counted.
    const s0 = startState(phq9.flow);
    const first = advance(
      phq9,
      { state: s0, isNew: true },
      { ...post(s0, s0.at, { _nav: 'lang:ur', phq9_1: '2' }), nonce: undefined },
    );
    expect(kinds(first.effects)).toEqual(['startSession', 'saveDraft']);
    expect(first.place).toEqual({ kind: 'page', pageId: s0.at });
    expect(first.state!.answers.phq9_1).toEqual(v(2));
    expect(first.state!.started).toBeUndefined();
    // Leaving it later counts the start then.
    const on = advance(phq9, { state: first.state!, isNew: false }, post(first.state!, s0.at, {}));
    expect(counted(on.effects)).toContain('started');
    // A malformed tag is not a switch.
    const bad = advance(bace, { state: s, isNew: false }, post(s, 'p1', { _nav: 'lang:<x>' }));
    expect(bad.state!.flash?.errors.map((e) => e.field)).toContain('_nav');
  });

  it('applies skip logic and counts each page once', () => {
    const s = atP1();
    const next = advance(
      bace,
      { state: s, isNew: false },
      post(s, 'p1', { age: '21', gender: '1', training: '1' }),
    );
    expect(next.place).toEqual({ kind: 'page', pageId: 'p3' }); // specialty (p2) is for postgraduates only
    expect(next.state!.answers.specialty).toEqual({ kind: 'not_shown' });
    expect(counted(next.effects)).toEqual(['page_p3']);
    const pg = advance(
      bace,
      { state: s, isNew: false },
      post(s, 'p1', { age: '30', gender: '1', training: '2' }),
    );
    expect(pg.place).toEqual({ kind: 'page', pageId: 'p2' });
  });

  it('ends a declined or screened-out session, keeping nothing', () => {
    const s0 = startState(bace.flow);
    const d = advance(
      bace,
      { state: s0, isNew: true },
      { ...post(s0, 'consent', { _consent: 'decline' }), nonce: undefined },
    );
    expect(d).toMatchObject({ state: null, place: { kind: 'end', end: 'declined' } });
    expect(kinds(d.effects)).toEqual(['count']); // no draft existed
    expect(counted(d.effects)).toEqual(['declined']);
    const a = advance(
      bace,
      { state: s0, isNew: true },
      { ...post(s0, 'consent', { _consent: 'agree' }), nonce: undefined },
    );
    const out = advance(bace, { state: a.state!, isNew: false }, post(a.state!, 'e1', { enrolled: '0' }));
    expect(out).toMatchObject({ state: null, place: { kind: 'end', end: 'ineligible' } });
    expect(kinds(out.effects)).toEqual(['deleteDraft', 'count']);
    expect(counted(out.effects)).toEqual(['screened_out']);
  });

  it('saves for later: the answers go to a resume code, the session ends', () => {
    const s = atP1();
    const saved = advance(bace, { state: s, isNew: false }, post(s, 'p1', { _nav: 'save', age: '21' }));
    expect(saved).toMatchObject({ state: null, place: { kind: 'end', end: 'saved' } });
    const keep = saved.effects.find((e) => e.kind === 'saveForLater');
    expect(keep?.kind === 'saveForLater' && keep.state).toMatchObject({ at: 'p1', answers: { age: v(21) } });
    expect(kinds(saved.effects)).toEqual(['saveForLater', 'deleteDraft']);
    // Resumed on the page where it was saved, counted as resumed.
    const r = resume(bace, keep!.kind === 'saveForLater' ? keep.state : s);
    expect(r.place).toEqual({ kind: 'page', pageId: 'p1' });
    expect(r.state).toMatchObject({ at: 'p1', n: 0, answers: { age: v(21) } });
    expect(counted(r.effects)).toEqual(['resumed']);
  });

  it('submits from the review once, with the validated answers; a preview stores nothing', () => {
    let s = startState(phq9.flow);
    const page1: Record<string, string> = {};
    for (let i = 1; i <= 9; i++) page1[`phq9_${i}`] = i === 9 ? '2' : '1';
    let a = advance(phq9, { state: s, isNew: true }, { ...post(s, 'p1', page1), nonce: undefined });
    s = a.state!;
    a = advance(phq9, { state: s, isNew: false }, post(s, 'p2', { phq9_10: '1' }));
    s = a.state!;
    expect(s.at).toBe('review');
    // No idempotency key: shown again, nothing submitted.
    const noKey = advance(phq9, { state: s, isNew: false }, post(s, 'review', { _nav: 'submit' }));
    expect(kinds(noKey.effects)).toEqual(['saveDraft']);
    expect(noKey.place).toEqual({ kind: 'review' });
    const done = advance(
      phq9,
      { state: s, isNew: false },
      post(s, 'review', { _nav: 'submit', _idem: 'k-12345678' }),
    );
    expect(kinds(done.effects)).toEqual(['submit', 'deleteDraft']);
    const sub = done.effects[0]!;
    // The form counted the start when the first page was left: the submit counts the completion only.
    expect(sub.kind === 'submit' && sub.counters).toEqual(['completed']);
    expect(sub.kind === 'submit' && sub.answers.phq9_9).toEqual(v(2));
    expect(sub.kind === 'submit' && sub.idem).toBe('k-12345678');
    // The session is over (nothing of it is kept); no safety flag is decided for a stored response here.
    expect(done.state).toBeNull();
    expect(done.place).toEqual({ kind: 'end', end: 'submitted' });
    // A preview: no submit, no counts; the support page is known from the answers.
    const pv: SessionState = { ...s, preview: true };
    const previewed = advance(phq9, { state: pv, isNew: false }, post(pv, 'review', { _nav: 'submit' }));
    expect(kinds(previewed.effects)).toEqual(['deleteDraft']);
    expect(previewed.place).toEqual({ kind: 'end', end: 'submitted', flagged: true });
  });

  it('judges whole responses for the JSON API: invalid, ineligible (counted) or accepted with the safety flag', () => {
    const answers: Record<string, ReturnType<typeof v>> = {};
    for (let i = 1; i <= 10; i++) answers[`phq9_${i}`] = v(i === 9 ? 3 : 0);
    const ok = judgeResponse(phq9, answers, 'en');
    expect(ok).toMatchObject({ kind: 'accept', flagged: true });
    const fine = judgeResponse(phq9, { ...answers, phq9_1: v(1), phq9_9: v(0) }, 'en');
    expect(fine).toMatchObject({ kind: 'accept', flagged: false });
    const bad = judgeResponse(phq9, { ...answers, phq9_1: v(7) }, 'en');
    expect(bad.kind).toBe('invalid');
    expect(bad.kind === 'invalid' && bad.issues[0]!.path).toBe('phq9_1');
    const baceAnswers: Answers = { enrolled: v(0) };
    const out = judgeResponse(bace, baceAnswers, 'en');
    expect(out.kind).toBe('invalid'); // invalid answers are not judged for eligibility
    const all: Record<string, ReturnType<typeof v> | { kind: 'not_shown' }> = {
      enrolled: v(0),
      age: v(21),
      gender: v(1),
      training: v(1),
      specialty: { kind: 'not_shown' },
    };
    for (const id of BACE_ITEMS) all[id] = v(1);
    const ineligible = judgeResponse(bace, all, 'en');
    // Counted as the form counts a screened-out respondent: started, the consent and screening pages, screened out.
    expect(ineligible).toEqual({
      kind: 'ineligible',
      effects: [{ kind: 'count', names: ['started', 'page_consent', 'page_e1', 'screened_out'] }],
    });
  });

  it('decides a JSON API submission: invitation, then closed, then invalid answers refused; a retry keeps its answers', () => {
    const json: Record<string, unknown> = {};
    for (let i = 1; i <= 10; i++) json[`phq9_${i}`] = i === 9 ? 3 : 0;
    const input = { answers: json, lang: 'en', idem: 'h', open: true, invitationUsable: true };
    const ok = judgeSubmission(phq9, input);
    expect(ok.kind).toBe('accept');
    expect(ok.kind === 'accept' && ok.flagged).toBe(true);
    expect(ok.kind === 'accept' && ok.effects).toEqual([
      {
        kind: 'submit',
        answers: expect.objectContaining({ phq9_9: v(3) }),
        idem: 'h',
        // As the form counts: started, every page shown, the review, completed (the progress page's funnel).
        counters: ['started', ...phq9.flow.pages.map((p) => `page_${p.id}`), 'page_review', 'completed'],
        flagged: true,
      },
    ]);
    // A refusal keeps the accepted answers, so that a retry of a stored response is still recognised.
    const used = judgeSubmission(phq9, { ...input, open: false, invitationUsable: false });
    expect(used).toMatchObject({ kind: 'refuse', reason: 'invitation_invalid', retry: { flagged: true } });
    const closed = judgeSubmission(phq9, { ...input, open: false });
    expect(closed).toMatchObject({ kind: 'refuse', reason: 'closed', issues: [] });
    expect(closed.kind === 'refuse' && closed.retry?.answers.phq9_9).toEqual(v(3));
    // Answers that do not parse, or are not valid: issues under answers.*, with codes; no retry answers.
    const unknown = judgeSubmission(phq9, { ...input, answers: { ...json, phq9_99: 1 } });
    expect(unknown).toEqual({
      kind: 'refuse',
      reason: 'invalid',
      issues: [{ path: 'answers.phq9_99', code: 'unknown_field', message: expect.any(String) }],
    });
    const notObject = judgeSubmission(phq9, { ...input, answers: [1] });
    expect(notObject.kind === 'refuse' && notObject.issues.map((i) => i.path)).toEqual(['answers']);
    const range = judgeSubmission(phq9, { ...input, answers: { ...json, phq9_1: 7 } });
    expect(range.kind === 'refuse' && range.reason).toBe('invalid');
    expect(range.kind === 'refuse' && range.issues.map((i) => i.path)).toEqual(['answers.phq9_1']);
    const agreed = { consent: { agreed: true, version: 2 } };
    const incomplete = judgeSubmission(bace, { ...input, ...agreed, answers: { enrolled: 1 } });
    expect(incomplete.kind === 'refuse' && incomplete.reason).toBe('invalid');
    expect(
      incomplete.kind === 'refuse' && incomplete.issues.every((i) => i.path.startsWith('answers.')),
    ).toBe(true);
    // Closed beats invalid answers (nothing about the answers is said for a closed study).
    expect(judgeSubmission(phq9, { ...input, answers: { x: 1 }, open: false })).toMatchObject({
      reason: 'closed',
    });
    // Failing only the eligibility rule: screened out, counted.
    const baceJson: Record<string, unknown> = { enrolled: 0, age: 21, gender: 1, training: 1 };
    for (const id of BACE_ITEMS) baceJson[id] = 1;
    expect(judgeSubmission(bace, { ...input, ...agreed, answers: baceJson })).toEqual({
      kind: 'ineligible',
      effects: [{ kind: 'count', names: ['started', 'page_consent', 'page_e1', 'screened_out'] }],
    });
  });

  it('refuses a JSON API submission to a study with consent without agreement to its current version', () => {
    const baceJson: Record<string, unknown> = { enrolled: 1, age: 21, gender: 1, training: 1 };
    for (const id of BACE_ITEMS) baceJson[id] = 1;
    const input = { answers: baceJson, lang: 'ur', idem: 'h', open: true, invitationUsable: true };
    const issuesOf = (consent?: { agreed: boolean; version: number }) => {
      const d = judgeSubmission(bace, { ...input, ...(consent ? { consent } : {}) });
      return d.kind === 'refuse' ? d.issues.map((i) => [i.path, i.code, i.message]) : d.kind;
    };
    expect(issuesOf()).toEqual([
      [
        'consent',
        'consent_required',
        `missing: this study asks for consent; show the respondent the study's consent text (version 2) and send "consent": {"agreed": true, "version": 2} once they agree`,
      ],
    ]);
    expect(issuesOf({ agreed: false, version: 2 })).toEqual([
      [
        'consent.agreed',
        'consent_not_given',
        expect.stringMatching(/^must be true: a response is stored only/),
      ],
    ]);
    expect(issuesOf({ agreed: true, version: 1 })).toEqual([
      [
        'consent.version',
        'consent_version',
        expect.stringMatching(/^is 1, but the study's consent is version 2 now;/),
      ],
    ]);
    // Nothing is counted as screened out without consent: the consent is judged first.
    const ineligible = judgeSubmission(bace, { ...input, answers: { ...baceJson, enrolled: 0 } });
    expect(ineligible).toMatchObject({ kind: 'refuse', reason: 'invalid' });
    // With consent to version 2: stored with the consent (and the language of the text shown, Urdu here).
    const ok = judgeSubmission(bace, { ...input, consent: { agreed: true, version: 2 } });
    expect(ok.kind === 'accept' && ok.effects[0]).toMatchObject({
      kind: 'submit',
      consent: { v: 2, lang: 'ur' },
    });
    // A study without consent takes none and records none.
    const json: Record<string, unknown> = {};
    for (let i = 1; i <= 10; i++) json[`phq9_${i}`] = 0;
    const phq = judgeSubmission(phq9, { ...input, answers: json, consent: { agreed: true, version: 9 } });
    expect(phq.kind === 'accept' && phq.effects[0]).not.toHaveProperty('consent');
  });

  it('records the consent agreed to in the session, and sends a session without it back to the consent page', () => {
    const s0 = startState(bace.flow);
    const a = advance(
      bace,
      { state: s0, isNew: true },
      { ...post(s0, 'consent', { _consent: 'agree' }), nonce: undefined, lang: 'ur' },
    );
    expect(a.state?.consent).toEqual({ v: 2, lang: 'ur' });
    // Kept in the stored draft.
    expect(parseState(JSON.parse(JSON.stringify(a.state)))?.consent).toEqual({ v: 2, lang: 'ur' });
    // A session at the review without an agreement on record (a draft kept from before) is asked again.
    const atReview: SessionState = { ...atP1(), at: 'review', seen: ['consent', 'e1', 'p1', 'review'] };
    const { consent: _c, ...without } = atReview;
    const back = advance(
      bace,
      { state: without, isNew: false },
      post(without, 'review', { _nav: 'submit', _idem: 'a1b2c3d4-0000-4000-8000-000000000009' }),
    );
    expect(back.place).toEqual({ kind: 'page', pageId: 'consent' });
    expect(kinds(back.effects)).not.toContain('submit');
  });

  it('presents the start (the first page) and names the ends that need no session', () => {
    const start = presentStart(bace);
    expect(start?.kind === 'page' && start.page.id).toBe('consent');
    expect(start?.answers).toEqual({});
    expect(isStatelessEnd('declined')).toBe(true);
    expect(isStatelessEnd('ineligible')).toBe(true);
    for (const p of ['submitted', 'saved', 'review', 'p1']) expect(isStatelessEnd(p)).toBe(false);
  });

  it('keeps the resume code’s hash in a resumed session (so that its draft goes when the response is stored)', () => {
    const s = atP1();
    const r = resume(bace, s, 'hash-of-code');
    expect(r.state?.rc).toBe('hash-of-code');
    expect(kinds(r.effects)).toEqual(['startSession', 'saveDraft', 'count']);
    expect(resume(bace, s).state?.rc).toBeUndefined();
  });

  it('reads back only well-formed stored states', () => {
    const s = atP1();
    expect(parseState(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(parseState({ ...s, answers: { age: { kind: 'bogus' } } })).toBeUndefined();
    expect(parseState({ v: 2 })).toBeUndefined();
    const odd = parseState({ ...s, n: -1, flash: { page: 'p1' } });
    expect(odd?.n).toBeUndefined();
    expect(odd?.flash).toBeUndefined();
  });
});

describe('the end page outcome (endOutcome)', () => {
  const followUp = prepareDefinition(followUpStudy(), 1);
  /** PHQ-9 items 1–8 at `v` and item 9 at `nine` (the safety item), item 10 at 0. */
  const phq = (v: number, nine: number): Answers =>
    Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `phq9_${i + 1}`,
        { kind: 'value', value: i === 8 ? nine : i === 9 ? 0 : v },
      ]),
    );

  it('gives the safety flag and the follow-up offer of one scoring, as each alone gives them', () => {
    let offers = 0;
    let flags = 0;
    for (const v of [0, 1, 2, 3])
      for (const nine of [0, 1]) {
        const a = phq(v, nine);
        const out = endOutcome(followUp, a);
        expect(out).toEqual({ flagged: safetyFlagged(followUp.plan, a), offer: followUpOffer(followUp, a) });
        offers += out.offer ? 1 : 0;
        flags += out.flagged ? 1 : 0;
      }
    // Both branches are exercised: some answers earn the offer (Moderate, 10–14), some the flag (item 9 > 0).
    expect(offers).toBeGreaterThan(0);
    expect(flags).toBe(4);
    expect(endOutcome(followUp, phq(1, 3))).toEqual({
      flagged: true,
      offer: { bands: { phq9_total: 'Moderate' } },
    });
  });

  it('has neither without safety rules or a follow-up', () => {
    expect(endOutcome(bace, {})).toEqual({ flagged: false, offer: null });
  });
});
