/**
 * Respondent routes end to end in process, as a phone without JavaScript would use them: form posts only,
 * state carried in hidden fields. On SQLite, and on PostgreSQL when NABZ_TEST_PG_URL is set.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  countRows,
  createStudy,
  FormBrowser,
  form,
  phq9StudyDefinition,
  SUPPORT_CONTACTS,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

/** A fixed, non-trivial answer pattern for the 30 BACE items (0–3). */
const baceAnswer = (i: number) => String((i * 7 + 1) % 4);

for (const backend of serverBackends()) {
  describe(`respondent routes (${backend.name})`, () => {
    let t: TestApp;
    let ownerId: number;
    beforeEach(async () => {
      t = await testApp({ backend });
      ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
    });
    afterEach(async () => {
      await t.close();
    });

    it('runs a BACE study without JavaScript: consent, screening out, resume code, review, submit, referral', async () => {
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const url = `/s/${study.publicToken}`;

      // 1. A respondent who is not eligible: polite end page, counted, nothing of theirs kept.
      const out = new FormBrowser(t.app);
      await out.get(url);
      expect(out.status).toBe(200);
      expect(out.page()).toBe('consent');
      await out.submit({}, { name: '_consent', value: 'agree' });
      expect(out.page()).toBe('e1');
      await out.submit({ enrolled: '0' });
      expect(out.status).toBe(200);
      expect(out.html).toContain('only for medical students and trainees');
      expect(out.html).not.toContain('<form');
      expect(await countRows(t.store, 'responses')).toBe(0);
      expect(await countRows(t.store, 'resume_drafts')).toBe(0);

      // 2. An eligible respondent, who saves half-way and resumes with the code.
      const b = new FormBrowser(t.app, { 'accept-encoding': 'identity' });
      await b.get(url);
      await b.submit({}, { name: '_consent', value: 'agree' });
      await b.submit({ enrolled: '1' });
      expect(b.page()).toBe('p1');
      // A required answer missing: the page comes back with a message naming it, and nothing moves on.
      await b.submit({ gender: '1', training: '1' });
      expect(b.status).toBe(400);
      expect(b.page()).toBe('p1');
      expect(b.html).toMatch(/Age/);
      // Out of range: also refused with a message.
      await b.submit({ age: '7', gender: '1', training: '1' });
      expect(b.status).toBe(400);
      await b.submit({ age: '21', gender: '1', training: '1' });
      expect(b.status).toBe(200);
      // Specialty (shown only to postgraduates) is skipped: straight to the BACE page.
      expect(b.page()).toBe('p3');
      for (const id of BACE_ITEMS) expect(b.html).toContain(`name="${id}"`);
      // Answer the first ten, then save for later.
      const firstTen = Object.fromEntries(BACE_ITEMS.slice(0, 10).map((id, i) => [id, baceAnswer(i)]));
      await b.submit(firstTen, { name: '_nav', value: 'save' });
      expect(b.status).toBe(200);
      const code = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(b.html)?.[1];
      expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      expect(b.html).not.toContain('<form');

      // Resume in a "new browser": a wrong code is refused, the right one (typed sloppily) brings the answers back.
      const r = new FormBrowser(t.app);
      await r.get(`${url}/resume`);
      expect(r.status).toBe(200);
      await r.submit({ code: 'ZZZZ-ZZZZ' });
      expect(r.status).toBe(400);
      await r.submit({ code: ` ${code!.toLowerCase().replace('-', ' ')} ` });
      expect(r.status).toBe(200);
      expect(r.page()).toBe('p3');
      // The saved answers are pre-filled.
      expect(r.html).toMatch(new RegExp(`name="bace3_01" value="${baceAnswer(0)}"[^>]*checked`));
      const all = Object.fromEntries(BACE_ITEMS.map((id, i) => [id, baceAnswer(i)]));
      await r.submit(all);
      expect(r.page()).toBe('review');
      const idem = r.hidden()._idem;
      expect(idem).toBeTruthy();
      // Submit; then the same form again (double tap / retry): the same thank-you, one response.
      const review = r.html;
      await r.submit({}, { name: '_nav', value: 'submit' });
      expect(r.status).toBe(200);
      expect(r.html).toMatch(/Thank you/i);
      const link = /href="(http:\/\/localhost:3000\/s\/[^"]+\?r=[A-Z0-9]+)"/.exec(r.html)?.[1];
      expect(link).toBeTruthy();
      r.html = review;
      await r.submit({}, { name: '_nav', value: 'submit' });
      expect(r.status).toBe(200);
      expect(r.html).toMatch(/Thank you/i);
      expect(await countRows(t.store, 'responses')).toBe(1);
      // Drafts (session and resume code) are gone once the response is stored.
      expect(await countRows(t.store, 'resume_drafts')).toBe(0);

      const [stored] = await t.store.responses.list(study.id);
      const answers = stored!.answers as Record<string, { kind: string; value?: number }>;
      expect(answers.enrolled).toEqual({ kind: 'value', value: 1 });
      expect(answers.age).toEqual({ kind: 'value', value: 21 });
      expect(answers.specialty).toEqual({ kind: 'not_shown' });
      for (const [i, id] of BACE_ITEMS.entries()) {
        expect(answers[id]).toEqual({ kind: 'value', value: Number(baceAnswer(i)) });
      }
      expect(stored!.language).toBe('en');
      expect(stored!.referralWave).toBeNull();
      expect(stored!.submittedAt).toBeNull(); // anonymous: the day only
      expect(stored!.submittedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      // 3. Someone who follows the referral link is counted in the next wave.
      const path = new URL(link!).pathname + new URL(link!).search;
      const f = new FormBrowser(t.app);
      await f.get(path);
      await f.submit({}, { name: '_consent', value: 'agree' });
      await f.submit({ enrolled: '1' });
      await f.submit({ age: '30', gender: '2', training: '2' });
      expect(f.page()).toBe('p2'); // specialty shown to postgraduates
      await f.submit({ specialty: '3' });
      await f.submit(all);
      await f.submit({}, { name: '_nav', value: 'submit' });
      expect(f.html).toMatch(/Thank you/i);
      const rows = await t.store.responses.list(study.id);
      expect(rows.map((x) => x.referralWave)).toEqual([null, 1]);

      const counters = (await t.store.counters.read(study.id)).totals;
      expect(counters).toMatchObject({
        started: 3,
        screened_out: 1,
        completed: 2,
        resumed: 1,
        page_consent: 3,
        page_e1: 3,
        page_p1: 2,
        page_p2: 1,
        page_p3: 2, // the saved-and-resumed respondent once, the referred respondent
        page_review: 2,
      });
    });

    it('shows the support page, with the researcher contacts, when PHQ-9 item 9 is above 0 — and stores no flag', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const run = async (item9: string) => {
        const b = new FormBrowser(t.app);
        await b.get(`/s/${study.publicToken}`);
        const fields: Record<string, string> = {};
        for (let i = 1; i <= 9; i++) fields[`phq9_${i}`] = i === 9 ? item9 : '1';
        await b.submit(fields);
        // Item 10 (difficulty) follows on its own page because items 1–8 are above 0.
        expect(b.page()).toBe('p2');
        await b.submit({ phq9_10: '1' });
        expect(b.page()).toBe('review');
        await b.submit({}, { name: '_nav', value: 'submit' });
        expect(b.status).toBe(200);
        return b.html;
      };
      const flagged = await run('2');
      for (const c of SUPPORT_CONTACTS) {
        expect(flagged).toContain(c.name.en);
        expect(flagged).toContain(c.phone);
      }
      expect(flagged).toContain('href="tel:+92519290301"');
      const fine = await run('0');
      expect(fine).toMatch(/Thank you/i);
      for (const c of SUPPORT_CONTACTS) expect(fine).not.toContain(c.name.en);
      // Both responses stored as usual; nothing in storage marks the first.
      const rows = await t.store.responses.list(study.id);
      expect(rows).toHaveLength(2);
      for (const row of rows)
        expect(Object.keys(row.answers as object).sort()).toEqual(
          Array.from({ length: 10 }, (_, i) => `phq9_${i + 1}`).sort(),
        );
      const text = JSON.stringify(await t.store.db.selectFrom('responses').selectAll().execute());
      expect(text).not.toMatch(/flag|safety|support/i);
    });

    it('sends the respondent headers, compresses, and picks the language', async () => {
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const br = await t.app.inject({
        method: 'GET',
        url: `/s/${study.publicToken}`,
        headers: { 'accept-encoding': 'gzip, br' },
      });
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-security-policy']).toMatch(/^default-src 'none'/);
      expect(br.headers['cache-control']).toBe('no-store');
      expect(br.headers['set-cookie']).toBeUndefined();
      const html = brotliDecompressSync(br.rawPayload).toString('utf8');
      expect(html).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);

      const ur = await t.app.inject({
        method: 'GET',
        url: `/s/${study.publicToken}`,
        headers: { 'accept-language': 'ur-PK,ur;q=0.9,en;q=0.5', 'accept-encoding': 'gzip' },
      });
      expect(ur.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(ur.rawPayload).toString('utf8')).toMatch(
        /^<!doctype html><html lang="ur" dir="rtl">/,
      );
      const q = await t.app.inject({
        method: 'GET',
        url: `/s/${study.publicToken}?lang=en`,
        headers: { 'accept-language': 'ur' },
      });
      expect(q.body).toMatch(/<html lang="en" dir="ltr">/);
      // A language the study does not offer falls back to its first language.
      const fr = await t.app.inject({ method: 'GET', url: `/s/${study.publicToken}?lang=fr` });
      expect(fr.body).toMatch(/<html lang="en"/);
    });

    it('keeps the session language from the first page to the end', async () => {
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}?lang=ur`);
      await b.submit({}, { name: '_consent', value: 'agree' });
      expect(b.html).toMatch(/<html lang="ur" dir="rtl">/);
    });

    it('closed studies show the closed page; draft studies are 404 except to signed-in roles previewing them', async () => {
      const closed = await createStudy(t.store, {
        ownerId,
        definition: phq9StudyDefinition(),
        status: 'closed',
      });
      const c = await t.app.inject({ method: 'GET', url: `/s/${closed.publicToken}` });
      expect(c.statusCode).toBe(200);
      expect(c.body).toMatch(/closed/i);
      expect(c.body).not.toContain('name="phq9_1"');

      const draft = await createStudy(t.store, {
        ownerId,
        definition: phq9StudyDefinition(),
        status: 'draft',
      });
      expect((await t.app.inject({ method: 'GET', url: `/s/${draft.publicToken}` })).statusCode).toBe(404);
      expect(
        (await t.app.inject({ method: 'GET', url: `/s/${draft.publicToken}?preview=1` })).statusCode,
      ).toBe(404);
      const stranger = await t.createUser({ email: 'stranger@example.org' });
      const s = await t.signIn(stranger.email);
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: `/s/${draft.publicToken}?preview=1`,
            headers: { cookie: s.cookie },
          })
        ).statusCode,
      ).toBe(404);
      const owner = await t.signIn('owner@example.org');
      const p = new FormBrowser(t.app, { cookie: owner.cookie });
      await p.get(`/s/${draft.publicToken}?preview=1`);
      expect(p.status).toBe(200);
      expect(p.html).toContain('name="phq9_1"');
      // A preview runs to the end (support page included) but stores and counts nothing.
      const fields: Record<string, string> = {};
      for (let i = 1; i <= 9; i++) fields[`phq9_${i}`] = '3';
      await p.submit(fields);
      await p.submit({ phq9_10: '2' });
      expect(p.page()).toBe('review');
      await p.submit({}, { name: '_nav', value: 'submit' });
      expect(p.html).toContain(SUPPORT_CONTACTS[0]!.name.en);
      expect(await countRows(t.store, 'responses')).toBe(0);
      expect(await countRows(t.store, 'progress_counters')).toBe(0);
      expect((await t.app.inject({ method: 'GET', url: '/s/no-such-study-token' })).statusCode).toBe(404);
    });

    it('refuses stale or forged sessions with the expired page, and tampered pages without storing anything', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      const h = b.hidden();
      // Unknown session key.
      const forged = await b.submit({ _s: 'AAAAAAAAAAAAAAAAAAAAAA' });
      expect(forged.statusCode).toBe(403);
      // Posting a later page without a session.
      await b.get(`/s/${study.publicToken}`);
      const skip = await b.submit({ _page: 'review', _nav: 'submit', _idem: 'abcdefgh1234' });
      expect(skip.statusCode).toBe(403);
      // An unknown field on a page is an error that names it.
      await b.get(`/s/${study.publicToken}`);
      const extra = await b.submit({ phq9_1: '1', evil_field: 'x' });
      expect(extra.statusCode).toBe(400);
      expect(extra.body).toContain('evil_field');
      // An out-of-range code.
      await b.get(`/s/${study.publicToken}`);
      const bad = await b.submit({ phq9_1: '9' });
      expect(bad.statusCode).toBe(400);
      // Not a form body at all.
      const json = await t.app.inject({
        method: 'POST',
        url: `/s/${study.publicToken}`,
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(json.statusCode).toBe(400);
      // Session expiry: a session idle for more than 24 hours is gone by the next midnight UTC after that
      // (drafts keep days, not times of day), so 49 hours is always past it.
      await b.get(`/s/${study.publicToken}`);
      await b.submit({ phq9_1: '0' });
      expect(b.page()).toBe('review');
      t.advance(49 * 60 * 60 * 1000);
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.status).toBe(403);
      expect(h._page).toBe('p1');
      expect(await countRows(t.store, 'responses')).toBe(0);
    });

    it('stores one response when the final submit is sent many times at once', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      await b.submit({ phq9_1: '0', phq9_9: '0' });
      expect(b.page()).toBe('review');
      const body = form({ ...b.hidden(), _nav: 'submit' });
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.app.inject({ method: 'POST', url: b.action(), headers: body.headers, payload: body.payload }),
        ),
      );
      for (const r of results) {
        expect(r.statusCode).toBe(200);
        expect(r.body).toMatch(/Thank you/i);
      }
      expect(await countRows(t.store, 'responses')).toBe(1);
      expect((await t.store.counters.read(study.id)).totals.completed).toBe(1);
    });

    it('a closed study refuses a session that was started while it was open', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      await b.submit({ phq9_1: '0' });
      await t.store.studies.setStatus({ studyId: study.id, status: 'closed' });
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.html).toMatch(/closed/i);
      expect(await countRows(t.store, 'responses')).toBe(0);
    });
  });
}
