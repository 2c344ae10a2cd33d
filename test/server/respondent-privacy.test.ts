/**
 * Issue 12, respondent-side privacy, tried as an attacker would (each test first reproduced the attack on the
 * code before the fix, where it extracted what its comment says):
 * - finding 5: who referred whom, rebuilt from the referral links' parent codes and insertion order matched
 *   against the responses' id order;
 * - finding 6: the sequential server-wide response id in the API and exports, and exports in submission order;
 * - finding 8: an idempotency key replayed with other answers answered with the stored response's support
 *   block; client keys stored verbatim;
 * - finding 12: one address filling the disk with "save and continue later" drafts (1,000 in 17 s), kept 14 days.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NEW_SESSIONS_PER_ADDRESS_HOUR,
  RESUME_TTL_MS,
  SAVES_PER_ADDRESS_HOUR,
} from '../../src/server/respond/state.js';
import { exportRecords } from '../../src/server/studio/exports.js';
import { baceAnswers } from '../faults/helpers.js';
import {
  baceStudyDefinition,
  countRows,
  createStudy,
  FormBrowser,
  form,
  phq9StudyDefinition,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

for (const backend of serverBackends()) {
  describe(`respondent privacy (${backend.name})`, () => {
    let t: TestApp;
    let ownerId: number;
    beforeEach(async () => {
      t = await testApp({ backend });
      ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
    });
    afterEach(async () => {
      await t.close();
    });

    const post = (token: string, body: unknown, key: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${token}/responses`,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        // The BACE study asks for consent (version 2): every submission carries the agreement.
        payload: JSON.stringify({ consent: { agreed: true, version: 2 }, ...(body as object) }),
      });

    it('finding 5: the referral links cannot be matched to responses to rebuild who referred whom', async () => {
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const code = (link: string) => new URL(link).searchParams.get('r') as string;
      // A chain A → B → C, with respondents from the main link in between.
      const chain: string[] = [];
      let referral: string | undefined;
      for (let i = 0; i < 8; i++) {
        const inChain = i % 2 === 0 && chain.length < 3;
        const res = await post(
          study.publicToken,
          { answers: baceAnswers(i), ...(inChain && referral ? { referral } : {}) },
          `chain-key-${i}-0000`,
        );
        expect(res.statusCode, res.body).toBe(201);
        const own = code(res.json().referralLink);
        if (inChain) {
          chain.push(own);
          referral = own;
        }
      }
      expect((await t.store.responses.list(study.id)).map((r) => r.referralWave)).toContain(2);

      // What an insider reading the database gets: every link row as stored, every response row.
      const links = (await t.store.db.selectFrom('referral_links').selectAll().execute()) as Record<
        string,
        unknown
      >[];
      const codes = new Set(links.map((l) => String(l.code)));
      // No link row names another link (its parent): the tree, and so the chain, is not kept.
      for (const l of links) {
        for (const [col, v] of Object.entries(l))
          if (col !== 'code') expect(codes.has(String(v)), `referral_links.${col} = ${v}`).toBe(false);
      }
      // Responses keep no code either (only the wave).
      const responses = await t.store.db.selectFrom('responses').selectAll().execute();
      for (const r of responses) for (const v of Object.values(r)) expect(codes.has(String(v))).toBe(false);
      if (backend.name === 'sqlite') {
        // The links as stored are in code order, not creation order (no rowid to sort them by time either).
        const stored = links.filter((l) => l.study_id === study.id).map((l) => String(l.code));
        expect(stored).toEqual([...stored].sort());
        const raw = await t.store.db
          .selectFrom('referral_links')
          .select((eb) => eb.fn.countAll().as('n'))
          .execute();
        expect(Number(raw[0]?.n)).toBe(links.length);
      }
    });

    it('finding 6: responses are shown by a random id, never the server-wide count, and exported in no submission order', async () => {
      // Another study's responses first: a sequential id would show the server's volume.
      const other = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      for (let i = 0; i < 5; i++)
        expect(
          (await post(other.publicToken, { answers: baceAnswers(i) }, `other-${i}-0000`)).statusCode,
        ).toBe(201);
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await post(
          study.publicToken,
          { answers: { ...baceAnswers(i), age: 18 + i } },
          `six-${i}-0000`,
        );
        expect(res.statusCode).toBe(201);
        const id = res.json().id;
        expect(typeof id).toBe('string');
        expect(id).toMatch(/^[0-9a-f]{24}$/);
        ids.push(id);
      }
      const internal = (await t.store.responses.list(study.id)).map((r) => String(r.id));
      for (const id of ids) expect(internal).not.toContain(id);

      const exported: { id: string; age: number }[] = [];
      for await (const r of exportRecords(t.store, study.id, false)) {
        const age = r.answers.age;
        exported.push({ id: r.responseId, age: age?.kind === 'value' ? age.value : -1 });
      }
      // Every response once, under the id its respondent was given …
      expect(exported.map((e) => e.id).sort()).toEqual([...ids].sort());
      for (const e of exported) expect(ids.indexOf(e.id)).toBe(e.age - 18);
      // … in an order that is not the order of submission (ages were given in submission order).
      const ages = exported.map((e) => e.age);
      expect(ages).not.toEqual([...ages].sort((a, b) => a - b));
    });

    it('finding 8: a replayed idempotency key gets no other submission’s support block, and keys are not stored', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const flagged: Record<string, number> = {};
      for (let i = 1; i <= 9; i++) flagged[`phq9_${i}`] = i === 9 ? 2 : 1;
      // A client that builds its key from a name and a time.
      const victimKey = 'alice.khan-2026-12-07T08:30:12.345Z';
      const first = await post(study.publicToken, { answers: flagged }, victimKey);
      expect(first.statusCode).toBe(201);
      expect(first.json().support).toBeDefined();
      // The victim's own retry (same answers) is still a duplicate with its support block.
      const retry = await post(study.publicToken, { answers: flagged }, victimKey);
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ id: first.json().id, duplicate: true });
      expect(retry.json().support).toBeDefined();

      // An attacker who knows (or guesses) the key, with harmless answers: before the fix, a 200 with the
      // victim's support contacts, i.e. "item 9 fired for Alice".
      const harmless: Record<string, number> = {};
      for (let i = 1; i <= 9; i++) harmless[`phq9_${i}`] = 0;
      const probe = await post(study.publicToken, { answers: harmless }, victimKey);
      expect(probe.statusCode).toBe(409);
      expect(probe.json()).toMatchObject({ code: 'conflict' });
      expect(probe.json().support).toBeUndefined();
      expect(probe.json().id).toBeUndefined();
      // Invalid answers (the early refusal path) and a closed study reveal nothing either.
      const invalid = await post(study.publicToken, { answers: { phq9_1: 7 } }, victimKey);
      expect(invalid.statusCode).toBe(409);
      expect(invalid.json().support).toBeUndefined();
      await t.store.studies.setStatus({ studyId: study.id, status: 'closed' });
      const closedProbe = await post(study.publicToken, { answers: harmless }, victimKey);
      expect(closedProbe.statusCode).toBe(409);
      expect(closedProbe.json().support).toBeUndefined();
      // The victim's retry after closing still gets its own answer.
      const late = await post(study.publicToken, { answers: flagged }, victimKey);
      expect(late.statusCode).toBe(200);
      expect(late.json().support).toBeDefined();
      expect(await countRows(t.store, 'responses')).toBe(1);

      // The key is not stored (a keyed hash is), nor any part of it.
      const rows = await t.store.db.selectFrom('responses').selectAll().execute();
      const text = JSON.stringify(rows);
      for (const needle of [victimKey, 'alice', '2026-12-07T08'])
        expect(text.includes(needle), needle).toBe(false);
      expect(rows[0]?.idempotency_key).toMatch(/^[0-9a-f]{64}$/);
    });

    it('finding 8: a form’s final submit replayed without its session shows nothing of the stored response', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      const answers: Record<string, string> = {};
      for (let i = 1; i <= 9; i++) answers[`phq9_${i}`] = i === 9 ? '2' : '1';
      answers.phq9_10 = '1';
      for (let step = 0; step < 5 && b.page() !== 'review'; step++)
        await b.submit(
          Object.fromEntries(Object.entries(answers).filter(([k]) => b.html.includes(`name="${k}"`))),
        );
      expect(b.page()).toBe('review');
      const review = b.hidden();
      const action = b.action();
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.html).toContain('Umang');
      const body = form({ ...review, _nav: 'submit' });
      // The victim's double tap (same browser, so the same session cookie) gets the same page.
      const again = await b.post(action, body);
      expect(again.statusCode).toBe(303);
      expect((await b.get(String(again.headers.location))).body).toContain('Umang');
      // Someone else replaying the page without the session, or with another one, does not.
      for (const cookie of [undefined, 'nabz_s=AAAAAAAAAAAAAAAAAAAAAA']) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/s/${study.publicToken}`,
          headers: { ...body.headers, ...(cookie ? { cookie } : {}) },
          payload: body.payload,
        });
        expect(r.statusCode).toBe(303);
        expect(r.body).not.toContain('Umang');
        const shown = await t.app.inject({
          method: 'GET',
          url: String(r.headers.location),
          headers: cookie ? { cookie } : {},
        });
        expect(shown.body).not.toContain('Umang');
      }
      expect(await countRows(t.store, 'responses')).toBe(1);
    });

    it('finding 12: one address cannot fill the disk with drafts, they expire sooner, and an owner can purge them', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const page1: Record<string, string> = { _lang: 'en', _page: 'p1' };
      for (let i = 1; i <= 9; i++) page1[`phq9_${i}`] = '1';
      const post = (nav: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: `/s/${study.publicToken}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ ...page1, _nav: nav }).toString(),
          remoteAddress,
        });
      // "Save and continue later", over and over from one address.
      const saves: number[] = [];
      for (let i = 0; i < SAVES_PER_ADDRESS_HOUR + 10; i++)
        saves.push((await post('save', '203.0.113.9')).statusCode);
      expect(saves.filter((c) => c === 303)).toHaveLength(SAVES_PER_ADDRESS_HOUR);
      expect(saves.slice(SAVES_PER_ADDRESS_HOUR).every((c) => c === 429)).toBe(true);
      expect(await countRows(t.store, 'resume_drafts')).toBe(SAVES_PER_ADDRESS_HOUR);
      // Another address is not affected, and an hour later the first may save again.
      expect((await post('save', '198.51.100.4')).statusCode).toBe(303);
      t.advance(3_600_000);
      expect((await post('save', '203.0.113.9')).statusCode).toBe(303);
      // Saved drafts expire within 7 days (was 14).
      const d = await t.store.db.selectFrom('resume_drafts').select('expires_at').execute();
      for (const r of d)
        expect(new Date(r.expires_at).getTime()).toBeLessThanOrEqual(t.now() + RESUME_TTL_MS + 86_400_000);
      expect(RESUME_TTL_MS).toBe(7 * 86_400_000);
      // New sessions (each a draft) from one address are bounded too.
      let refused = 0;
      for (let i = 0; i < NEW_SESSIONS_PER_ADDRESS_HOUR + 5; i++)
        if ((await post('next', '203.0.113.10')).statusCode === 429) refused++;
      expect(refused).toBe(5);

      // The owner deletes every unfinished questionnaire at once; a viewer may not.
      const owner = await t.signIn('owner@example.org');
      const viewer = await t.createUser({ email: 'viewer@example.org' });
      await t.store.roles.grant({ studyId: study.id, userId: viewer.id, role: 'viewer' });
      const v = await t.signIn(viewer.email);
      const purge = (who: { cookie: string; csrf: string }) =>
        t.app.inject({
          method: 'POST',
          url: `/studies/${study.id}/drafts/purge`,
          headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: who.csrf }).toString(),
        });
      expect((await purge(v)).statusCode).toBe(403);
      expect(await countRows(t.store, 'resume_drafts')).toBeGreaterThan(0);
      expect((await purge(owner)).statusCode).toBe(303);
      expect(await countRows(t.store, 'resume_drafts')).toBe(0);
    });
  });
}
