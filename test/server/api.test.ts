/**
 * The respondents' JSON API: idempotency (repeats and 50 concurrent posts of one key → one row), the 4xx matrix
 * with "nothing stored" checks, a lecture hall's 300 submissions from one address, the rate limit, /healthz.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baceAnswers as completeBaceAnswers } from '../faults/helpers.js';
import {
  baceStudyDefinition,
  countRows,
  createStudy,
  phq9StudyDefinition,
  SUPPORT_CONTACTS,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

/** The agreement to the BACE study's consent (version 2) that every accepted submission to it carries. */
const CONSENT = { agreed: true, version: 2 };

/** A body with the agreement to the study's consent, unless it says something about consent itself. */
const withConsent = (body: unknown): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && !('consent' in body)
    ? { ...body, consent: CONSENT }
    : body;

/** A complete, valid BACE response as the API takes it, with one item answered "not applicable". */
const baceAnswers = (seed = 0): Record<string, unknown> => ({ ...completeBaceAnswers(seed), bace3_14: 'na' });

for (const backend of serverBackends()) {
  describe(`JSON API (${backend.name})`, () => {
    let t: TestApp;
    let token: string;
    let studyId: number;
    beforeEach(async () => {
      t = await testApp({ backend });
      const owner = await t.createUser({ email: 'owner@example.org' });
      const s = await createStudy(t.store, { ownerId: owner.id, definition: baceStudyDefinition() });
      token = s.publicToken;
      studyId = s.id;
    });
    afterEach(async () => {
      await t.close();
    });

    const post = (
      body: unknown,
      headers: Record<string, string> = {},
      url = `/api/v1/s/${token}/responses`,
    ) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(withConsent(body)),
      });

    /** Rows in every table a submission could touch. */
    const snapshot = async () => ({
      responses: await countRows(t.store, 'responses'),
      drafts: await countRows(t.store, 'resume_drafts'),
      counters: await countRows(t.store, 'progress_counters'),
      links: await countRows(t.store, 'referral_links'),
    });

    it('stores a response once per idempotency key (header or body) and answers repeats with the same id', async () => {
      const r1 = await post(
        { language: 'en', answers: baceAnswers() },
        { 'idempotency-key': 'a1b2c3d4-0000-4000-8000-000000000001' },
      );
      expect(r1.statusCode).toBe(201);
      // The JSON API's own short header set (src/server/app.ts): no studio CSP, no rate-limit advertising.
      expect(r1.headers).toMatchObject({
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      expect(
        Object.keys(r1.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'x-frame-options'),
      ).toEqual([]);
      const id = r1.json().id;
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      expect(r1.json().referralLink).toMatch(
        new RegExp(`^http://localhost:3000/s/${token}\\?r=[A-Z0-9]{8}$`),
      );
      const r2 = await post(
        { language: 'en', answers: baceAnswers() },
        { 'idempotency-key': 'a1b2c3d4-0000-4000-8000-000000000001' },
      );
      expect(r2.statusCode).toBe(200);
      expect(r2.json()).toEqual({ id, duplicate: true });
      const r3 = await post({
        idempotencyKey: 'a1b2c3d4-0000-4000-8000-000000000001',
        language: 'en',
        answers: baceAnswers(),
      });
      expect(r3.json()).toEqual({ id, duplicate: true });
      // The same key with other answers is not a retry: a conflict, and nothing stored.
      const r4 = await post({
        idempotencyKey: 'a1b2c3d4-0000-4000-8000-000000000001',
        answers: baceAnswers(5),
      });
      expect(r4.statusCode).toBe(409);
      expect(r4.json()).toMatchObject({ code: 'conflict' });
      expect(await countRows(t.store, 'responses')).toBe(1);
      // The stored answers are those of the first post.
      const [row] = await t.store.responses.list(studyId);
      expect(row!.publicId).toBe(id);
      const stored = row!.answers as Record<string, unknown>;
      expect(stored.bace3_14).toEqual({ kind: 'na' });
      expect(stored.age).toEqual({ kind: 'value', value: 19 });
      expect((await t.store.counters.read(studyId)).totals).toMatchObject({ started: 1, completed: 1 });
    });

    it('50 concurrent posts of one key store one row', async () => {
      const key = 'concurrent-key-0001';
      const results = await Promise.all(
        Array.from({ length: 50 }, () => post({ answers: baceAnswers() }, { 'idempotency-key': key })),
      );
      const codes = results.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 200)).toHaveLength(49);
      expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
      expect(await countRows(t.store, 'responses')).toBe(1);
      expect((await t.store.counters.read(studyId)).totals.completed).toBe(1);
    });

    it('refuses bad requests with a 4xx naming the problem, and stores nothing', async () => {
      const key = { 'idempotency-key': 'matrix-key-00000001' };
      const big = 'x'.repeat(300 * 1024);
      const cases: {
        name: string;
        send: () => ReturnType<typeof post>;
        status: number;
        path?: string;
        match?: RegExp;
      }[] = [
        {
          name: 'unknown item',
          send: () => post({ answers: { ...baceAnswers(), bace3_99: 1 } }, key),
          status: 400,
          path: 'answers.bace3_99',
        },
        {
          name: 'out of range',
          send: () => post({ answers: { ...baceAnswers(), bace3_01: 7 } }, key),
          status: 400,
          path: 'answers.bace3_01',
        },
        {
          name: 'age out of range',
          send: () => post({ answers: { ...baceAnswers(), age: 200 } }, key),
          status: 400,
          path: 'answers.age',
        },
        {
          name: 'not a number',
          send: () => post({ answers: { ...baceAnswers(), age: 'twenty' } }, key),
          status: 400,
          path: 'answers.age',
        },
        {
          name: 'missing required',
          send: () => post({ answers: { ...baceAnswers(), age: undefined } }, key),
          status: 400,
          path: 'answers.age',
        },
        {
          name: 'wrong JSON type',
          send: () => post({ answers: { ...baceAnswers(), bace3_02: { x: 1 } } }, key),
          status: 400,
          path: 'answers.bace3_02',
        },
        {
          name: 'deep nesting',
          send: () => post(`{"answers":{"bace3_02":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, key),
          status: 400,
          path: 'answers.bace3_02',
        },
        {
          name: 'invalid UTF-8',
          send: () =>
            t.app.inject({
              method: 'POST',
              url: `/api/v1/s/${token}/responses`,
              headers: { 'content-type': 'application/json', ...key },
              payload: Buffer.concat([
                Buffer.from('{"answers":{"bace3_01":"'),
                Buffer.from([0xff, 0xfe, 0xc3]),
                Buffer.from('"}}'),
              ]),
            }),
          status: 400,
          match: /not valid UTF-8/,
        },
        {
          name: 'duplicated keys',
          send: () => post('{"answers":{"bace3_01":1,"bace3_01":9}}', key),
          status: 400,
          path: 'answers.bace3_01',
        },
        {
          name: 'answers not an object',
          send: () => post({ answers: [1, 2, 3] }, key),
          status: 400,
          path: 'answers',
        },
        { name: 'missing answers', send: () => post({ language: 'en' }, key), status: 400, path: 'answers' },
        {
          name: 'extra field',
          send: () => post({ answers: baceAnswers(), ip: '1.2.3.4' }, key),
          status: 400,
          path: 'ip',
        },
        { name: 'body not an object', send: () => post('[1,2]', key), status: 400 },
        { name: 'malformed JSON', send: () => post('{"answers": {', key), status: 400, match: /JSON/ },
        { name: 'empty JSON body', send: () => post('', key), status: 400 },
        {
          name: 'prototype pollution',
          send: () => post('{"answers":{},"__proto__":{"x":1}}', key),
          status: 400,
        },
        {
          name: 'missing key',
          send: () => post({ answers: baceAnswers() }),
          status: 400,
          path: 'idempotencyKey',
        },
        {
          name: 'bad key',
          send: () => post({ answers: baceAnswers() }, { 'idempotency-key': 'a b' }),
          status: 400,
          path: 'idempotencyKey',
        },
        {
          name: 'keys differ',
          send: () => post({ answers: baceAnswers(), idempotencyKey: 'other-key-0000001' }, key),
          status: 400,
          path: 'idempotencyKey',
        },
        {
          name: 'too large',
          send: () => post({ answers: { ...baceAnswers(), note: big } }, key),
          status: 413,
        },
        {
          name: 'text/plain',
          send: () =>
            t.app.inject({
              method: 'POST',
              url: `/api/v1/s/${token}/responses`,
              headers: { 'content-type': 'text/plain', ...key },
              payload: '{}',
            }),
          status: 415,
        },
        {
          name: 'form body',
          send: () =>
            t.app.inject({
              method: 'POST',
              url: `/api/v1/s/${token}/responses`,
              headers: { 'content-type': 'application/x-www-form-urlencoded', ...key },
              payload: 'a=1',
            }),
          status: 415,
        },
        {
          name: 'unknown content type',
          send: () =>
            t.app.inject({
              method: 'POST',
              url: `/api/v1/s/${token}/responses`,
              headers: { 'content-type': 'application/xml', ...key },
              payload: '<a/>',
            }),
          status: 415,
        },
        {
          name: 'unknown study',
          send: () => post({ answers: baceAnswers() }, key, '/api/v1/s/nosuchstudy123/responses'),
          status: 404,
        },
      ];
      const before = await snapshot();
      for (const c of cases) {
        const res = await c.send();
        expect(res.statusCode, c.name).toBe(c.status);
        const body = res.json();
        expect(typeof body.error, c.name).toBe('string');
        expect(body.error.length, c.name).toBeGreaterThan(10);
        if (c.path)
          expect(
            body.issues?.map((i: { path: string }) => i.path),
            c.name,
          ).toContain(c.path);
        if (c.match) expect(body.error, c.name).toMatch(c.match);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('answers a bad body with one 400 listing every problem as { path, code, message } (the body schema of core/respond/apiBody.ts), storing nothing', async () => {
      const before = await snapshot();
      const res = await post({ answers: [1], language: 7, referral: '!', extra: true, idempotencyKey: 'x' });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.code).toBe('validation');
      expect(body.issues).toEqual([
        {
          path: 'extra',
          code: 'unknown_field',
          message: expect.stringMatching(/^unknown field; the body may have /),
        },
        {
          path: 'idempotencyKey',
          code: 'invalid_format',
          message: expect.stringMatching(/8–128 characters/),
        },
        { path: 'language', code: 'invalid_type', message: 'must be a language tag such as "en" or "ur"' },
        {
          path: 'referral',
          code: 'invalid_value',
          message: 'must be the referral code from the link (?r=...)',
        },
        { path: 'answers', code: 'invalid_value', message: 'must be an object of item id → value' },
      ]);
      expect(body.error).toBe(
        'The response was not stored: extra: unknown field; the body may have language, answers, idempotencyKey, referral, consent (and 4 more problems).',
      );
      // Answers checked against the study carry their codes too.
      const bad = await post(
        { answers: { ...baceAnswers(), bace3_99: 1 } },
        { 'idempotency-key': 'bad-answers-0001' },
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.json().issues).toEqual([
        { path: 'answers.bace3_99', code: 'unknown_field', message: expect.any(String) },
      ]);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a closed study (409) and a draft one (404); screened-out answers are counted, not stored (422)', async () => {
      const before = await countRows(t.store, 'responses');
      const inel = await post(
        { answers: { ...baceAnswers(), enrolled: 0 } },
        { 'idempotency-key': 'ineligible-0001' },
      );
      expect(inel.statusCode).toBe(422);
      expect(inel.json().code).toBe('ineligible');
      expect((await t.store.counters.read(studyId)).totals.screened_out).toBe(1);

      await t.store.studies.setStatus({ studyId, status: 'closed' });
      const closed = await post({ answers: baceAnswers() }, { 'idempotency-key': 'closed-key-0001' });
      expect(closed.statusCode).toBe(409);
      expect(closed.json().code).toBe('closed');
      // Reopened: accepted at once (a study kept as closed is read again before a refusal), then closed again:
      // refused at once (the insert checks the status in its own transaction, whatever the route has kept).
      await t.store.studies.setStatus({ studyId, status: 'open' });
      const reopened = await post({ answers: baceAnswers() }, { 'idempotency-key': 'reopened-key-0001' });
      expect(reopened.statusCode).toBe(201);
      await t.store.studies.setStatus({ studyId, status: 'closed' });
      const closedAgain = await post({ answers: baceAnswers() }, { 'idempotency-key': 'closed-key-0002' });
      expect(closedAgain.statusCode).toBe(409);
      expect(closedAgain.json().code).toBe('closed');
      // A retry of a key stored while open is still answered as a repeat.
      const retry = await post({ answers: baceAnswers() }, { 'idempotency-key': 'reopened-key-0001' });
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ id: reopened.json().id, duplicate: true });

      const owner = await t.store.users.byEmail('owner@example.org');
      const draft = await createStudy(t.store, {
        ownerId: owner!.id,
        definition: baceStudyDefinition(),
        status: 'draft',
      });
      const d = await post(
        { answers: baceAnswers() },
        { 'idempotency-key': 'draft-key-0001' },
        `/api/v1/s/${draft.publicToken}/responses`,
      );
      expect(d.statusCode).toBe(404);
      expect(await countRows(t.store, 'responses')).toBe(before + 1);
    });

    it('returns the support contacts to the respondent when a safety rule fires, and stores nothing about it', async () => {
      const owner = await t.store.users.byEmail('owner@example.org');
      const s = await createStudy(t.store, { ownerId: owner!.id, definition: phq9StudyDefinition() });
      const answers: Record<string, number> = {};
      for (let i = 1; i <= 9; i++) answers[`phq9_${i}`] = i === 9 ? 1 : 0;
      const res = await post(
        { answers },
        { 'idempotency-key': 'phq-flag-0001' },
        `/api/v1/s/${s.publicToken}/responses`,
      );
      expect(res.statusCode).toBe(201);
      expect(res.json().support.contacts).toEqual(SUPPORT_CONTACTS);
      const again = await post(
        { answers },
        { 'idempotency-key': 'phq-flag-0001' },
        `/api/v1/s/${s.publicToken}/responses`,
      );
      expect(again.json().support.contacts).toEqual(SUPPORT_CONTACTS);
      const fine = await post(
        { answers: { ...answers, phq9_9: 0 } },
        { 'idempotency-key': 'phq-fine-0001' },
        `/api/v1/s/${s.publicToken}/responses`,
      );
      expect(fine.json().support).toBeUndefined();
    });

    it('accepts 300 submissions from one address on one study link (a lecture hall behind one NAT)', async () => {
      const results = [];
      for (let i = 0; i < 300; i++) {
        results.push(
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/s/${token}/responses`,
            remoteAddress: '10.20.30.40',
            headers: {
              'content-type': 'application/json',
              'idempotency-key': `hall-${String(i).padStart(6, '0')}`,
            },
            payload: JSON.stringify({ answers: baceAnswers(i), consent: CONSENT }),
          }),
        );
      }
      expect(results.filter((r) => r.statusCode !== 201).map((r) => r.statusCode)).toEqual([]);
      expect(await countRows(t.store, 'responses')).toBe(300);
    });

    it('refuses a submission without agreement to the current consent version (400 naming the field and the fix) and keeps the consent on record with a stored one', async () => {
      const before = await snapshot();
      const send = (consent: unknown, key: string) =>
        post(
          {
            language: 'ur',
            answers: baceAnswers(7),
            ...(consent === undefined ? { consent: undefined } : { consent }),
          },
          { 'idempotency-key': key },
        );
      const missing = await send(undefined, 'consent-key-0001');
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({
        code: 'validation',
        error: expect.stringMatching(
          /^The response was not stored: consent: missing: this study asks for consent; show the respondent the study's consent text \(version 2\) and send "consent": \{"agreed": true, "version": 2\} once they agree\.$/,
        ),
        issues: [{ path: 'consent', code: 'consent_required' }],
      });
      const declined = await send({ agreed: false, version: 2 }, 'consent-key-0002');
      expect(declined.statusCode).toBe(400);
      expect(declined.json().issues).toMatchObject([{ path: 'consent.agreed', code: 'consent_not_given' }]);
      const old = await send({ agreed: true, version: 1 }, 'consent-key-0003');
      expect(old.statusCode).toBe(400);
      expect(old.json().issues).toMatchObject([
        {
          path: 'consent.version',
          code: 'consent_version',
          message: expect.stringMatching(/^is 1, but the study's consent is version 2 now/),
        },
      ]);
      expect(await snapshot()).toEqual(before);
      // Agreeing to version 2: stored with the version, the SHA-256 of the Urdu text shown and its language.
      const ok = await send(CONSENT, 'consent-key-0004');
      expect(ok.statusCode).toBe(201);
      const stored = await t.store.responses.list(studyId);
      expect(stored.map((r) => r.consent)).toEqual([
        {
          version: 2,
          hash: createHash('sha256').update('آپ کسی بھی وقت رک سکتے ہیں۔', 'utf8').digest('hex'),
          language: 'ur',
        },
      ]);
    });

    it('counts API submissions in the progress funnel as the form counts them (started, each page, completed or screened out)', async () => {
      expect(
        (await post({ answers: baceAnswers(1) }, { 'idempotency-key': 'funnel-key-0001' })).statusCode,
      ).toBe(201);
      const out = await post(
        { answers: { ...baceAnswers(2), enrolled: 0 } },
        { 'idempotency-key': 'funnel-key-0002' },
      );
      expect(out.statusCode).toBe(422);
      // A repeat counts nothing.
      expect(
        (await post({ answers: baceAnswers(1) }, { 'idempotency-key': 'funnel-key-0001' })).statusCode,
      ).toBe(200);
      const totals = (await t.store.counters.read(studyId)).totals;
      expect(totals).toEqual({
        started: 2,
        page_consent: 2, // both saw the consent page …
        page_e1: 2, // … and the screening question
        screened_out: 1,
        page_p1: 1, // the one who continued: the pages shown for their answers (p2 is for postgraduates only)
        page_p3: 1,
        page_review: 1,
        completed: 1,
      });
      const owner = await t.signIn('owner@example.org');
      const page = await t.app.inject({
        method: 'GET',
        url: `/studies/${studyId}/progress`,
        headers: { cookie: owner.cookie },
      });
      expect(page.body).toContain('<b id="n-started" data-k="started">2</b>');
      expect(page.body).toContain('<b id="n-completed" data-k="completed">1</b>');
      expect(page.body).toContain('(consent)</td><td class="n">2</td><td class="n">100%');
    });

    it('the report names the referral waves the respondents came through (methods, recruitment)', async () => {
      let referral = '';
      for (let i = 0; i < 6; i++) {
        const r = await post({ answers: baceAnswers(i) }, { 'idempotency-key': `wave0-key-${i}000` });
        expect(r.statusCode).toBe(201);
        referral ||= new URL(r.json().referralLink).searchParams.get('r') ?? '';
      }
      for (let i = 0; i < 5; i++)
        expect(
          (await post({ answers: baceAnswers(10 + i), referral }, { 'idempotency-key': `wave1-key-${i}000` }))
            .statusCode,
        ).toBe(201);
      const owner = await t.signIn('owner@example.org');
      const page = await t.app.inject({
        method: 'GET',
        url: `/studies/${studyId}/analysis`,
        headers: { cookie: owner.cookie },
      });
      expect(page.body).toContain(
        'Recruitment: the study link and referral links passed on by respondents (snowball sampling, 1 wave of referral); 6 through the study link (wave 0) and 5 in wave 1.',
      );
    });

    it('GET /healthz reports the database', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true, backend: backend.name });
    });
  });
}

describe('JSON API rate limit', () => {
  it('answers 429 with a JSON message once an address exceeds the per-study limit; other addresses are unaffected', async () => {
    const t = await testApp({ config: { submitRateLimitPerMinute: 5 } });
    try {
      const owner = await t.createUser();
      const s = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const send = (i: number, ip: string) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${s.publicToken}/responses`,
          remoteAddress: ip,
          headers: { 'content-type': 'application/json', 'idempotency-key': `rl-${ip}-${i}-0000` },
          payload: JSON.stringify({ answers: { phq9_1: 0 } }),
        });
      for (let i = 0; i < 5; i++) expect((await send(i, '10.0.0.1')).statusCode).toBe(201);
      const limited = await send(5, '10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('rate_limited');
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await send(0, '10.0.0.2')).statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('answers 503 with Retry-After when the database is gone, and /healthz says so', async () => {
    const t = await testApp();
    const owner = await t.createUser();
    const s = await createStudy(t.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
    await t.store.close();
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${s.publicToken}/responses`,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'db-down-0001' },
        payload: JSON.stringify({ answers: { phq9_1: 0 } }),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().code).toBe('unavailable');
      const h = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(h.statusCode).toBe(503);
      const page = await t.app.inject({ method: 'GET', url: `/s/${s.publicToken}` });
      expect(page.statusCode).toBe(503);
    } finally {
      await t.app.close();
      await t.db.dispose();
    }
  });
});
