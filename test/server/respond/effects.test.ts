/**
 * The respondent side's one effect executor (server/respond/effects.ts), directly, over the real store and a
 * real Fastify reply: each effect the engine returns does what it says — the session key and cookie, the draft
 * row (at most 64 KB in its stored form: a 413 beyond), counters, a resume code and its cookie, a stored
 * response with its referral link and end cookie — and nothing a scope leaves out (a preview keeps no resume
 * code; the JSON API has no session).
 */
import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyReply } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Effect,
  judgeSubmission,
  type SessionState,
  startState,
} from '../../../src/core/respond/engine.js';
import { HttpError } from '../../../src/server/errors.js';
import {
  Cookies,
  EffectExecutor,
  type EffectOutcome,
  type EffectScope,
} from '../../../src/server/respond/effects.js';
import { type LoadedStudy, prepareDefinition } from '../../../src/server/respond/load.js';
import { DraftLimiter, loadDraft, saveDraft } from '../../../src/server/respond/state.js';
import { idempotencyKeyHasher } from '../../../src/server/respond/submit.js';
import { EncodedDraftState, type Study } from '../../../src/store/index.js';
import { baceAnswers } from '../../faults/helpers.js';
import {
  baceStudyDefinition,
  countRows,
  createStudy,
  serverBackends,
  type TestApp,
  testApp,
} from '../helpers.js';

/** A state with `n` numeric answers (`{"kind":"value","value":3}` in JSON, `3` stored) and one text answer. */
function stateWith(n: number, text = ''): SessionState {
  const answers: Record<string, SessionState['answers'][string]> = {};
  for (let i = 0; i < n; i++) answers[`item_${i}`] = { kind: 'value', value: 3 };
  if (text) answers.note = { kind: 'text', text };
  return { v: 1, answers, seen: ['consent', 'p1'], at: 'p1', n: 1 };
}

for (const backend of serverBackends()) {
  describe(`EffectExecutor (${backend.name})`, () => {
    let t: TestApp;
    let study: Study;
    let loaded: LoadedStudy;
    let executor: EffectExecutor;
    beforeEach(async () => {
      t = await testApp({ backend });
      const owner = await t.createUser({ email: 'owner@example.org' });
      const s = await createStudy(t.store, { ownerId: owner.id, definition: baceStudyDefinition() });
      study = (await t.store.studies.byPublicToken(s.publicToken))!;
      loaded = prepareDefinition(study.definition, study.version);
      executor = new EffectExecutor(
        t.store,
        idempotencyKeyHasher(t.store, 'x'.repeat(32)),
        new DraftLimiter(t.store.limits, Date.now),
      );
    });
    afterEach(async () => {
      await t.close();
    });

    const cookies = (names: { end?: string; saved?: string } = { end: 'e', saved: 'sv' }) =>
      new Cookies({ path: '/s/abc', session: 'sess', ...names }, false);

    /** Run effects in a real request and return the outcome and the Set-Cookie headers. */
    async function run(effects: readonly Effect[], scope: (reply: FastifyReply) => EffectScope) {
      const app = Fastify();
      await app.register(cookie);
      let outcome: EffectOutcome | undefined;
      app.get('/run', async (_req, reply) => {
        outcome = await executor.run(effects, scope(reply));
        return reply.send('ok');
      });
      const res = await app.inject({ method: 'GET', url: '/run' });
      await app.close();
      expect(res.statusCode, res.body).toBe(200);
      const set = res.headers['set-cookie'];
      return { outcome: outcome!, cookies: (Array.isArray(set) ? set : set ? [set] : []).map(String) };
    }
    const scopeOf = (
      reply: FastifyReply,
      before: SessionState,
      after: SessionState | null,
      c = cookies(),
    ) => ({
      study,
      loaded,
      lang: 'en',
      now: new Date(),
      reply,
      session: { key: '', before, after, wave: null, cookies: c },
      addressKey: '127.0.0.1|abc',
    });

    it('starts a session (key, cookie, earlier end and saved cookies cleared), saves its draft and counts', async () => {
      const s0 = startState(loaded.flow);
      const after: SessionState = { ...s0, at: 'e1', seen: ['consent', 'e1'], n: 1 };
      const r = await run(
        [
          { kind: 'startSession' },
          { kind: 'saveDraft' },
          { kind: 'count', names: ['started', 'page_consent'] },
        ],
        (reply) => scopeOf(reply, s0, after),
      );
      expect(r.outcome.key).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(r.cookies.find((c) => c.startsWith('sess='))).toMatch(
        new RegExp(`^sess=${r.outcome.key}; Path=/s/abc; HttpOnly; SameSite=Lax$`),
      );
      expect(r.cookies.some((c) => c.startsWith('e=;'))).toBe(true);
      expect(r.cookies.some((c) => c.startsWith('sv=;'))).toBe(true);
      const draft = await loadDraft(t.store, study.id, r.outcome.key, new Date());
      expect(draft?.state).toEqual(after);
      expect((await t.store.counters.read(study.id)).totals).toMatchObject({ started: 1, page_consent: 1 });
    });

    it('saves for later under a new resume code shown by a cookie; a preview scope (no saved cookie) keeps nothing', async () => {
      const s0 = { ...startState(loaded.flow), shared: true as const };
      const r = await run([{ kind: 'saveForLater', state: s0 }], (reply) => scopeOf(reply, s0, null));
      const saved = r.cookies.find((c) => c.startsWith('sv='));
      const m = /^sv=([A-Z0-9]{4}-[A-Z0-9]{4})\.(\d{4}-\d{2}-\d{2})\.s;/.exec(saved ?? '');
      expect(m, saved).not.toBeNull();
      const draft = await loadDraft(t.store, study.id, m![1]!, new Date());
      expect(draft?.state.rc).toMatch(/^[0-9a-f]{64}$/);
      const before = await countRows(t.store, 'resume_drafts');
      const p = await run([{ kind: 'saveForLater', state: s0 }], (reply) =>
        scopeOf(reply, s0, null, cookies({})),
      );
      expect(p.cookies).toEqual([]);
      expect(await countRows(t.store, 'resume_drafts')).toBe(before);
    });

    it('submits a session’s response once: stored, referral link made, end cookie with the hashed key and the code', async () => {
      const d = judgeSubmission(loaded, {
        answers: baceAnswers(1),
        lang: 'en',
        idem: 'unused',
        open: true,
        invitationUsable: true,
        consent: { agreed: true, version: 2 },
      });
      if (d.kind !== 'accept') throw new Error(JSON.stringify(d));
      const e = d.effects[0]!;
      if (e.kind !== 'submit') throw new Error('not a submit');
      const s0: SessionState = { ...startState(loaded.flow), at: 'review' };
      const submit: Effect = { ...e, idem: 'page-key-0001', counters: ['completed'] };
      const r = await run([submit, { kind: 'deleteDraft' }], (reply) => ({
        ...scopeOf(reply, s0, null),
        session: { key: 'session-key-0000001', before: s0, after: null, wave: null, cookies: cookies() },
      }));
      expect(r.outcome.stored).toMatchObject({ created: true, flagged: false });
      expect(r.outcome.stored?.referralCode).toMatch(/^[A-Z0-9]{4,16}$/);
      expect(r.cookies.find((c) => c.startsWith('e='))).toMatch(
        new RegExp(`^e=k\\.[0-9a-f]{64}\\.${r.outcome.stored?.referralCode}\\.-; Path=/s/abc`),
      );
      expect(await countRows(t.store, 'responses')).toBe(1);
      expect((await t.store.counters.read(study.id)).totals.completed).toBe(1);
    });

    it('turns a study closed meanwhile into the closed outcome, storing nothing and running nothing after it', async () => {
      await t.store.studies.setStatus({ studyId: study.id, status: 'closed' });
      const s0: SessionState = { ...startState(loaded.flow), at: 'review' };
      const d = judgeSubmission(loaded, {
        answers: baceAnswers(2),
        lang: 'en',
        idem: 'k',
        open: true,
        invitationUsable: true,
        consent: { agreed: true, version: 2 },
      });
      const e = d.kind === 'accept' ? d.effects[0]! : undefined;
      const r = await run([e!, { kind: 'count', names: ['after'] }], (reply) => ({
        ...scopeOf(reply, s0, null),
        session: { key: 'session-key-0000002', before: s0, after: null, wave: null, cookies: cookies() },
      }));
      expect(r.outcome).toEqual({ key: 'session-key-0000002', closed: true });
      expect(await countRows(t.store, 'responses')).toBe(0);
      expect((await t.store.counters.read(study.id)).totals.after).toBeUndefined();
    });

    it('stores the JSON API’s single submit effect with the hashed key as given, and refuses anything else', async () => {
      const d = judgeSubmission(loaded, {
        answers: baceAnswers(3),
        lang: 'en',
        idem: 'f'.repeat(64),
        open: true,
        invitationUsable: true,
        consent: { agreed: true, version: 2 },
      });
      if (d.kind !== 'accept') throw new Error(JSON.stringify(d));
      const scope = { study, loaded, lang: 'en', now: new Date(), reply: {} as FastifyReply, referral: null };
      const r = await executor.submit(d.effects, scope);
      expect(r.created).toBe(true);
      const stored = await t.store.responses.byIdempotencyKey(study.id, 'f'.repeat(64));
      expect(stored?.publicId).toBe(r.publicId);
      // The consent on record: the version agreed to and the SHA-256 of the English text shown.
      expect(stored?.consent).toEqual({
        version: 2,
        hash: createHash('sha256')
          .update('You may stop at any time. Your answers are anonymous.', 'utf8')
          .digest('hex'),
        language: 'en',
      });
      expect((await t.store.counters.read(study.id)).totals).toMatchObject({ started: 1, completed: 1 });
      expect(() => executor.submit([{ kind: 'saveDraft' }], scope)).toThrow(/one submit effect/);
    });

    const save = (state: SessionState, key: string) =>
      saveDraft(t.store, {
        studyId: study.id,
        key,
        state,
        version: 1,
        language: 'en',
        wave: null,
        pageIndex: 1,
        now: new Date(),
        ttlMs: 3_600_000,
      });

    it('keeps a draft whose stored form fits in 64 KB though its plain JSON does not', async () => {
      const state = stateWith(3000);
      expect(Buffer.byteLength(JSON.stringify(state), 'utf8')).toBeGreaterThan(64 * 1024);
      expect(new EncodedDraftState(state).bytes).toBeLessThan(64 * 1024);
      await save(state, 'k'.repeat(22));
      expect((await loadDraft(t.store, study.id, 'k'.repeat(22), new Date()))?.state).toEqual(state);
    });

    it('refuses a draft whose stored form is over 64 KB: 413, its stored size in the message, nothing saved', async () => {
      const state = stateWith(10, 'x'.repeat(70 * 1024));
      const stored = new EncodedDraftState(state).bytes;
      const err = await save(state, 'm'.repeat(22)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ status: 413, code: 'too_large' });
      expect((err as Error).message).toBe(
        `Your answers so far are too long to keep between pages (${Math.ceil(stored / 1024)} KB; at most 64 KB); nothing was saved. Shorten the longest free-text answers.`,
      );
      expect(await countRows(t.store, 'resume_drafts')).toBe(0);
    });
  });
}
