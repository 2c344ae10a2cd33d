/**
 * Privacy of anonymous studies: after respondents (form flow and JSON API, with a referral and a resume code) and a
 * researcher sign-in, a scan of every column of every table finds no client IP address, no user agent and no
 * forwarded-for address, and respondent data carry no precise time. The server log (info level) holds no
 * address, header, query string or secret either.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerSetupLink } from '../../src/server/auth/setup.js';
import { TABLES } from '../../src/store/index.js';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  createStudy,
  FormBrowser,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

const CLIENT_IP = '203.0.113.77';
const FORWARDED_IP = '198.51.100.99';
const USER_AGENT = 'Mozilla/5.0 (Linux; Android 9; PrivacyProbe-7731) AppleWebKit/537.36 Chrome/99 Mobile';
const NEEDLES = [CLIENT_IP, FORWARDED_IP, '127.0.0.1', 'PrivacyProbe', 'AppleWebKit', 'Mozilla/5.0'];

for (const backend of serverBackends()) {
  describe(`privacy (${backend.name})`, () => {
    let t: TestApp;
    const log: string[] = [];
    beforeEach(async () => {
      log.length = 0;
      t = await testApp({ backend, log, logLevel: 'trace' });
    });
    afterEach(async () => {
      await t.close();
    });

    it('stores and logs no IP address, user agent or precise respondent time', async () => {
      const headers = {
        'user-agent': USER_AGENT,
        'x-forwarded-for': FORWARDED_IP,
        'x-real-ip': FORWARDED_IP,
      };
      const setup = await ownerSetupLink(t.store, 'http://localhost:3000', t.now);
      const setupToken = setup!.split('/').pop()!;
      await t.app.inject({ method: 'GET', url: `/setup/${setupToken}`, headers, remoteAddress: CLIENT_IP });
      const owner = await t.createUser({ email: 'owner@example.org' });
      await t.signIn(owner.email);
      await t.signIn(owner.email).catch(() => undefined);
      const study = await createStudy(t.store, { ownerId: owner.id, definition: baceStudyDefinition() });
      const url = `/s/${study.publicToken}`;
      const all = Object.fromEntries(BACE_ITEMS.map((id, i) => [id, String(i % 4)]));

      // A respondent without JavaScript, who saves, resumes and submits, then passes the link on.
      const b = new FormBrowser(t.app, headers, CLIENT_IP);
      await b.get(`${url}?lang=en`);
      await b.submit({}, { name: '_consent', value: 'agree' });
      await b.submit({ enrolled: '1' });
      await b.submit({ age: '22', gender: '2', training: '1' });
      await b.submit({ bace3_01: '2' }, { name: '_nav', value: 'save' });
      const code = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(b.html)![1]!;
      await b.get(`${url}/resume`);
      await b.submit({ code });
      await b.submit(all);
      await b.submit({}, { name: '_nav', value: 'submit' });
      const referral = /\?r=([A-Z0-9]+)/.exec(b.html)![1]!;
      // A screened-out respondent.
      const s = new FormBrowser(t.app, headers, CLIENT_IP);
      await s.get(url);
      await s.submit({}, { name: '_consent', value: 'agree' });
      await s.submit({ enrolled: '0' });
      // An abandoned session (its draft stays until it expires).
      const a = new FormBrowser(t.app, headers, CLIENT_IP);
      await a.get(url);
      await a.submit({}, { name: '_consent', value: 'agree' });
      // The JSON API, through the referral link.
      const api = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${study.publicToken}/responses`,
        remoteAddress: CLIENT_IP,
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': 'privacy-probe-0001' },
        payload: JSON.stringify({
          referral,
          consent: { agreed: true, version: 2 },
          answers: {
            enrolled: 1,
            age: 30,
            gender: 1,
            training: 1,
            ...Object.fromEntries(BACE_ITEMS.map((id) => [id, 1])),
          },
        }),
      });
      expect(api.statusCode).toBe(201);

      // Every column of every table.
      for (const table of TABLES) {
        const rows = await t.store.db.selectFrom(table).selectAll().execute();
        const text = JSON.stringify(rows);
        for (const needle of NEEDLES)
          expect(text.includes(needle), `${needle} found in ${table}`).toBe(false);
      }
      // Respondent data carry days, not times.
      const responses = await t.store.db.selectFrom('responses').selectAll().execute();
      expect(responses).toHaveLength(2);
      for (const r of responses) expect(r.submitted_at).toBeNull();
      const links = await t.store.db.selectFrom('referral_links').select('created_at').execute();
      expect(links.length).toBeGreaterThan(0);
      for (const l of links) expect(new Date(l.created_at).toISOString()).toMatch(/T00:00:00\.000Z$/);
      expect(responses.map((r) => r.referral_wave).sort()).toEqual([1, null].sort());

      // The log: researcher requests were logged (so the check is not vacuous) without addresses, headers,
      // queries or secrets; respondent requests not at all (a log line's millisecond time would date each
      // anonymous respondent's pages and submission).
      expect(log.some((l) => l.includes('"url":"/signin"'))).toBe(true);
      expect(log.filter((l) => l.includes(study.publicToken))).toEqual([]);
      expect(log.filter((l) => l.includes('/api/v1/s/'))).toEqual([]);
      const text = log.join('\n');
      for (const needle of [
        ...NEEDLES,
        setupToken,
        code,
        referral,
        'lang=en',
        'user-agent',
        'remoteAddress',
      ]) {
        expect(text.includes(needle), `${needle} found in the log`).toBe(false);
      }
    });
  });
}
