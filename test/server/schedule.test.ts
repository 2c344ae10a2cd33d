/**
 * Issue 14: a study's scheduled close date and response quota (evaluated at each request: the respondent link
 * shows the polite closed page in its language, revealing no count; the JSON API refuses with 409 saying why),
 * support contacts on every respondent's end page (`supportForAll`), and the studio's settings form for them.
 * On SQLite, and on PostgreSQL when NABZ_TEST_PG_URL is set.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { baceAnswers } from '../faults/helpers.js';
import {
  baceStudyDefinition,
  countRows,
  createStudy,
  FormBrowser,
  phq9StudyDefinition,
  SUPPORT_CONTACTS,
  serverBackends,
  studioClient,
  type TestApp,
  testApp,
} from './helpers.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');

for (const backend of serverBackends()) {
  describe(`close date, quota and support for everyone (${backend.name})`, () => {
    let t: TestApp;
    let ownerId: number;
    beforeEach(async () => {
      t = await testApp({ backend, start: NOW });
      ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
    });
    afterEach(async () => {
      await t.close();
    });

    /** The BACE study with extra collection settings. */
    const bace = (collection: Record<string, unknown>) => {
      const d = baceStudyDefinition();
      return { ...d, collection: { ...(d.collection as object), ...collection } };
    };
    const submit = (token: string, key: string, seed = 1) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${token}/responses`,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        payload: JSON.stringify({ answers: baceAnswers(seed), consent: { agreed: true, version: 2 } }),
      });

    it('closes the day after its close date: the link shows the closed page in English and Urdu (no count), the API refuses naming the date', async () => {
      const open = await createStudy(t.store, { ownerId, definition: bace({ closesOn: '2026-12-07' }) });
      expect((await t.app.inject({ method: 'GET', url: `/s/${open.publicToken}` })).body).toContain(
        'name="_consent"',
      );
      expect((await submit(open.publicToken, 'close-date-0001')).statusCode).toBe(201);

      const past = await createStudy(t.store, { ownerId, definition: bace({ closesOn: '2026-12-06' }) });
      const en = await t.app.inject({ method: 'GET', url: `/s/${past.publicToken}?lang=en` });
      expect(en.statusCode).toBe(200);
      expect(en.body).toContain('This study is closed');
      expect(en.body).not.toContain('name="_consent"');
      const ur = await t.app.inject({ method: 'GET', url: `/s/${past.publicToken}?lang=ur` });
      expect(ur.body).toMatch(/<html lang="ur" dir="rtl">/);
      expect(ur.body).not.toContain('This study is closed');
      const refused = await submit(past.publicToken, 'close-date-0002');
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        code: 'closed',
        error:
          'This study closed after 2026-12-06 (its scheduled close date) and does not accept responses; nothing was stored.',
      });
      // A page posted to the closed link goes to the closed page, and nothing is stored.
      const b = new FormBrowser(t.app);
      await b.get(`/s/${open.publicToken}`);
      b.html = b.html.replaceAll(open.publicToken, past.publicToken);
      await b.submit({}, { name: '_consent', value: 'agree' });
      expect(b.html).toContain('This study is closed');
      expect(await countRows(t.store, 'responses')).toBe(1);
    });

    it('stops at its quota: the next submission is refused (409, the quota named, no count), the link shows the closed page', async () => {
      const s = await createStudy(t.store, { ownerId, definition: bace({ quota: 2 }) });
      expect((await submit(s.publicToken, 'quota-key-0001', 1)).statusCode).toBe(201);
      expect((await submit(s.publicToken, 'quota-key-0002', 2)).statusCode).toBe(201);
      const third = await submit(s.publicToken, 'quota-key-0003', 3);
      expect(third.statusCode).toBe(409);
      expect(third.json().error).toBe(
        'This study has reached its response quota and does not accept responses; nothing was stored.',
      );
      expect(third.body).not.toMatch(/\b2\b/);
      // A retry of a stored response is still answered as that response.
      expect((await submit(s.publicToken, 'quota-key-0002', 2)).statusCode).toBe(200);
      const page = await t.app.inject({ method: 'GET', url: `/s/${s.publicToken}` });
      expect(page.body).toContain('This study is closed');
      expect(page.body).not.toMatch(/quota|\b2 responses/i);
      expect(await countRows(t.store, 'responses')).toBe(2);
    });

    it('stores exactly the quota when submissions race (API: 409 for the rest; form: the closed page), with no COUNT per request', async () => {
      const s = await createStudy(t.store, { ownerId, definition: bace({ quota: 3 }) });
      const counted = vi.spyOn(t.store.responses, 'count');
      const api = await Promise.all(
        Array.from({ length: 10 }, (_, i) => submit(s.publicToken, `race-key-${1000 + i}`, i)),
      );
      expect(api.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, ...Array(7).fill(409)]);
      for (const r of api.filter((x) => x.statusCode === 409))
        expect(r.json()).toEqual({
          code: 'closed',
          error:
            'This study has reached its response quota and does not accept responses; nothing was stored.',
        });
      expect(await countRows(t.store, 'responses')).toBe(3);

      // The form: five respondents at the last page of a study with one place left submit at once. The one
      // stored sees the thank-you page (not the closed page its response caused); the others the closed page.
      const f = await createStudy(t.store, {
        ownerId,
        definition: { ...phq9StudyDefinition(), collection: { supportContacts: SUPPORT_CONTACTS, quota: 1 } },
      });
      const browsers = Array.from({ length: 5 }, () => new FormBrowser(t.app));
      const fields: Record<string, string> = {};
      for (let i = 1; i <= 9; i++) fields[`phq9_${i}`] = i === 1 ? '1' : '0';
      for (const b of browsers) {
        await b.get(`/s/${f.publicToken}`);
        await b.submit(fields);
        await b.submit({ phq9_10: '0' });
        expect(b.html).toContain('value="submit"');
      }
      await Promise.all(browsers.map((b) => b.submit({}, { name: '_nav', value: 'submit' })));
      const pageOf = (html: string) =>
        html.includes('This study is closed') ? 'closed' : /<h1>Thank you/.test(html) ? 'thanks' : html;
      const pages = browsers.map((b) => pageOf(b.html));
      expect(pages.sort()).toEqual(['closed', 'closed', 'closed', 'closed', 'thanks']);
      expect(await countRows(t.store, 'responses')).toBe(4);
      expect((await t.store.counters.read(f.id)).totals.completed).toBe(1);
      expect(counted).not.toHaveBeenCalled();
      // Reloaded, the stored respondent's end page stays; a new visitor sees the closed page.
      const winner = browsers.find((b) => pageOf(b.html) === 'thanks');
      await winner?.get(winner.url);
      expect(pageOf(winner?.html ?? '')).toBe('thanks');
      const late = new FormBrowser(t.app);
      await late.get(`/s/${f.publicToken}`);
      expect(late.html).toContain('This study is closed');
    });

    it('shows the support contacts on every end page when the study says so (form and API), not otherwise', async () => {
      const all = await createStudy(t.store, {
        ownerId,
        definition: {
          ...phq9StudyDefinition(),
          collection: { supportContacts: SUPPORT_CONTACTS, supportForAll: true },
        },
      });
      const some = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const calm: Record<string, unknown> = {};
      for (let i = 1; i <= 10; i++) calm[`phq9_${i}`] = i === 1 ? 1 : 0;
      const send = (token: string, key: string) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${token}/responses`,
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          payload: JSON.stringify({ answers: calm }),
        });
      const a = await send(all.publicToken, 'support-all-0001');
      expect(a.statusCode, a.body).toBe(201);
      expect(a.json().support.contacts).toHaveLength(SUPPORT_CONTACTS.length);
      const n = await send(some.publicToken, 'support-all-0002');
      expect(n.json().support).toBeUndefined();
      // The form: a respondent whom no safety rule flags sees the thank-you page with the contacts.
      const b = new FormBrowser(t.app);
      await b.get(`/s/${all.publicToken}`);
      const fields: Record<string, string> = {};
      for (let i = 1; i <= 9; i++) fields[`phq9_${i}`] = i === 1 ? '1' : '0';
      await b.submit(fields);
      await b.submit({ phq9_10: '0' });
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.html).toMatch(/Thank you/);
      expect(b.html).toContain('If you would like to talk to someone');
      for (const c of SUPPORT_CONTACTS) expect(b.html).toContain((c.name as { en: string }).en);
    });

    it('the studio settings form saves the close date, quota and support-for-everyone, shows them, and names a bad value', async () => {
      const s = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const owner = await t.signIn('owner@example.org');
      const c = studioClient(t, owner);
      const url = `/studies/${s.id}/edit/settings`;
      const base = { _form: 'settings', minCellSize: '5', anonymous: '1' };
      const bad = await c.post(url, { ...base, closesOn: '2026-02-30', quota: '0' });
      expect(bad.statusCode, bad.body.slice(0, 300)).toBe(400);
      expect(bad.body).toContain('&quot;2026-02-30&quot; is not a close date');
      expect(bad.body).toContain('&quot;0&quot; is not a response quota');
      const ok = await c.post(url, { ...base, closesOn: '2026-12-31', quota: '150', supportForAll: '1' });
      expect(ok.statusCode, /id="settings".*?<\/ul>/s.exec(ok.body)?.[0]).toBe(303);
      const col = (await c.definitionOf(s.id)).collection as Record<string, unknown>;
      expect(col).toMatchObject({ closesOn: '2026-12-31', quota: 150, supportForAll: true });
      const edit = await c.get(`/studies/${s.id}/edit`);
      expect(edit.body).toContain('value="2026-12-31"');
      expect(edit.body).toContain('value="150"');
      const overview = await c.get(`/studies/${s.id}`);
      expect(overview.body).toContain('after 2026-12-31 (UTC); at 150 responses (quota)');
      // Emptied: no close date, no quota.
      await c.post(url, { ...base, closesOn: '', quota: '' });
      const after = (await c.definitionOf(s.id)).collection as Record<string, unknown>;
      expect(after.closesOn).toBeUndefined();
      expect(after.quota).toBeUndefined();
      expect(after.supportForAll).toBe(false);
    });
  });
}
