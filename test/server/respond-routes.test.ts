/**
 * Respondent routes end to end in process, as a phone without JavaScript would use them: form posts only,
 * state carried in hidden fields. On SQLite, and on PostgreSQL when NABZ_TEST_PG_URL is set.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
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
      // The consent on record (docs/consent.md): the version agreed to, the SHA-256 of the English text shown.
      expect(stored!.consent).toEqual({
        version: 2,
        hash: createHash('sha256')
          .update('You may stop at any time. Your answers are anonymous.', 'utf8')
          .digest('hex'),
        language: 'en',
      });

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

    it('redirects after every post (issue 12 finding 18): Back, reload and double taps never resubmit', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const link = `/s/${study.publicToken}`;
      const b = new FormBrowser(t.app);
      await b.get(link);
      const page1: Record<string, string> = {};
      for (let i = 1; i <= 9; i++) page1[`phq9_${i}`] = i === 9 ? '2' : '1';
      // Every post is answered with 303 and a Location naming a page, never the session.
      const first = await b.post(b.action(), form({ ...b.hidden(), ...page1 }));
      expect(first.statusCode).toBe(303);
      expect(first.body).toBe('');
      expect(first.headers.location).toBe(`${link}?p=p2&lang=en`);
      // The session is an HttpOnly, SameSite=Lax, session-only cookie scoped to the link.
      const session = first.cookies.find((c) => c.name === 'nabz_s')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: link });
      expect(session.maxAge).toBeUndefined();
      expect(session.expires).toBeUndefined();
      await b.get(String(first.headers.location));
      expect(b.status).toBe(200);
      expect(b.page()).toBe('p2');
      expect(b.html).not.toContain(session.value);
      const p2 = b.html;
      // A double tap on p2: the second post carries the same step and changes nothing.
      const tap1 = await b.post(b.action(), form({ ...b.hidden(), phq9_10: '1' }));
      const tap2 = await b.post(b.action(), form({ ...b.hidden(), phq9_10: '3' }));
      expect([tap1.statusCode, tap2.statusCode]).toEqual([303, 303]);
      expect(tap2.headers.location).toBe(`${link}?p=review&lang=en`);
      await b.get(String(tap2.headers.location));
      expect(b.page()).toBe('review');
      // The first tap's answer (1) was kept, not the stale second's (3).
      const kept = await t.app.inject({
        method: 'GET',
        url: `${link}?p=p2`,
        headers: { cookie: `nabz_s=${session.value}` },
      });
      expect(kept.body).toMatch(/name="phq9_10" value="1"[^>]*checked/);
      expect(kept.body).not.toMatch(/name="phq9_10" value="3"[^>]*checked/);
      // Back (a GET of an earlier page) shows it with its answers; posting it again works.
      await b.get(`${link}?p=p1`);
      expect(b.page()).toBe('p1');
      expect(b.html).toMatch(/name="phq9_9" value="2"[^>]*checked/);
      await b.submit({ ...page1, phq9_9: '0' });
      expect(b.page()).toBe('p2');
      expect(b.html).toMatch(/name="phq9_10" value="1"[^>]*checked/);
      // The stale p2 from before (an old tab, a page kept by the browser) is ignored: back to where the session is.
      b.html = p2;
      await b.submit({ phq9_10: '2' });
      expect(b.page()).toBe('p2');
      await b.submit({ phq9_10: '1' });
      expect(b.page()).toBe('review');
      // A page never reached cannot be opened by URL: the current page instead.
      const reviewUrl = b.url;
      // Submit; reloading the end page (a GET) and the review URL do not submit again.
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.lastPost!.statusCode).toBe(303);
      expect(b.html).toMatch(/Thank you/i);
      const end = b.url;
      for (let i = 0; i < 3; i++) {
        await b.get(end);
        expect(b.html).toMatch(/Thank you/i);
      }
      await b.get(reviewUrl);
      expect(b.url).toBe(end); // redirected to the end: the review is gone
      expect(b.html).toMatch(/Thank you/i);
      expect(await countRows(t.store, 'responses')).toBe(1);
      const [stored] = await t.store.responses.list(study.id);
      expect((stored!.answers as Record<string, unknown>).phq9_9).toEqual({ kind: 'value', value: 0 });
      const totals = (await t.store.counters.read(study.id)).totals;
      expect(totals).toMatchObject({ started: 1, completed: 1, page_p1: 1, page_p2: 1, page_review: 1 });
      // Opening the link again is a new start, never the ended session.
      await b.get(link);
      expect(b.page()).toBe('p1');
      expect(b.html).not.toMatch(/<input[^>]*checked/);
    });

    it('keeps the flow without a session cookie out of reach, and a declined or screened-out session leaves no cookie', async () => {
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      await b.submit({}, { name: '_consent', value: 'agree' });
      expect(b.page()).toBe('e1');
      expect(b.cookies().nabz_s).toBeTruthy();
      // Someone without the cookie opening the page URL (shared history) sees no answers: the expired page.
      const other = new FormBrowser(t.app);
      await other.get(b.url);
      expect(other.status).toBe(403);
      await b.submit({ enrolled: '0' });
      expect(b.url).toContain('p=ineligible');
      expect(b.cookies().nabz_s).toBeUndefined();
      expect(await countRows(t.store, 'resume_drafts')).toBe(0);
      const d = new FormBrowser(t.app);
      await d.get(`/s/${study.publicToken}`);
      await d.submit({}, { name: '_consent', value: 'decline' });
      expect(d.url).toContain('p=declined');
      expect(d.html).not.toContain('<form');
      expect(d.cookies().nabz_s).toBeUndefined();
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
      // A page of a session (it carries a step) without a session cookie, or with a forged one.
      const forged = await b.submit({ _n: '0' });
      expect(b.lastPost!.statusCode).toBe(303);
      expect(forged.statusCode).toBe(403);
      const forgedCookie = await t.app.inject({
        method: 'POST',
        url: `/s/${study.publicToken}`,
        headers: { ...form({}).headers, cookie: 'nabz_s=AAAAAAAAAAAAAAAAAAAAAA' },
        payload: form({ ...h, _n: '0', phq9_1: '1' }).payload,
      });
      expect(forgedCookie.statusCode).toBe(303);
      expect((await b.get(String(forgedCookie.headers.location))).statusCode).toBe(403);
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

    it('treats a draft the store cannot decode as an expired session: the respondent starts again, nothing stored', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      await b.submit({ phq9_1: '0', phq9_9: '0' });
      expect(b.page()).toBe('review');
      // Damaged behind the store's back: an answer no encoder writes (store/drafts.ts refuses it with a StoreError).
      const bad = '{"v":1,"seen":["p1","review"],"at":"review","answers":[2,{"phq9_1":{"kind":"guess"}}]}';
      await sql`UPDATE resume_drafts SET answers = ${bad}`.execute(t.store.db);
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.status).toBe(403);
      expect(await countRows(t.store, 'responses')).toBe(0);
    });

    it('stores one response when the final submit is sent many times at once', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const b = new FormBrowser(t.app);
      await b.get(`/s/${study.publicToken}`);
      await b.submit({ phq9_1: '0', phq9_9: '0' });
      expect(b.page()).toBe('review');
      const body = form({ ...b.hidden(), _nav: 'submit' });
      const action = b.action();
      const results = await Promise.all(Array.from({ length: 20 }, () => b.post(action, body)));
      // Every one is answered with a redirect to the end page, which thanks them; one response is stored.
      for (const r of results) {
        expect(r.statusCode).toBe(303);
        const end = await b.get(String(r.headers.location));
        expect(end.statusCode).toBe(200);
        expect(end.body).toMatch(/Thank you/i);
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
