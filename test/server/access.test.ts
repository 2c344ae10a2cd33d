/**
 * Access, beyond test/server/roles.test.ts (which covers the main role × route matrix):
 *
 * - the routes that matrix leaves out — every export format, every design section, the new-study pages, the
 *   dashboard, the respondent preview of a draft study and its public link — for a signed-out browser, a
 *   user with a role on another study only, viewer, analyst and owner: 0 leaks (no title, no link token, no file
 *   in any refusal), and cross-study attempts answered exactly like a study that does not exist;
 * - CSRF on every state-changing researcher route: no token, a token of another browser, a forged token →
 *   403, and the database unchanged;
 * - session fixation with the attacker's own valid session planted in the victim's browser;
 * - brute-force sign-in over HTTP: the per-address request limit (429 + Retry-After), the account-wide lock of a
 *   distributed attack, which never applies to the owner's known address and always ends after 15 minutes —
 *   however many rounds the attack goes on, the owner is never locked out for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUAL_TABLES, type StudyRole, TABLES } from '../../src/store/index.js';
import {
  baceStudyDefinition,
  createStudy,
  form,
  mergeCookies,
  serverBackends,
  TEST_PASSWORD,
  type TestApp,
  testApp,
} from './helpers.js';

type Who = 'signed_out' | 'other_study' | 'viewer' | 'analyst' | 'owner';
const WHO: readonly Who[] = ['signed_out', 'other_study', 'viewer', 'analyst', 'owner'];
const WORK: readonly StudyRole[] = ['owner', 'analyst'];
const OWNER: readonly StudyRole[] = ['owner'];
const TITLE = 'Confidential Study Gamma';
const MIN = 60 * 1000;

interface Route {
  readonly method: 'GET' | 'POST';
  /** Under /studies/:id unless it starts with '!' (then the rest is the whole path). */
  readonly path: string;
  readonly roles: readonly StudyRole[] | 'any-signed-in';
  /** Statuses accepted for an allowed role (a 400 proves the request got past the access check). */
  readonly ok: readonly number[];
  readonly body?: Record<string, string | readonly string[]>;
}

const routes: readonly Route[] = [
  { method: 'GET', path: '!/', roles: 'any-signed-in', ok: [200] },
  { method: 'GET', path: '!/studies/new', roles: 'any-signed-in', ok: [200] },
  { method: 'POST', path: '!/studies', roles: 'any-signed-in', ok: [400], body: { title: '' } },
  ...(['xlsx', 'scored', 'codebook', 'codebook_csv'] as const).map(
    (format): Route => ({ method: 'POST', path: '/exports', roles: WORK, ok: [200], body: { format } }),
  ),
  { method: 'POST', path: '/exports', roles: WORK, ok: [400], body: { format: 'pdf' } },
  {
    method: 'POST',
    path: '/exports',
    roles: WORK,
    ok: [200],
    body: { format: 'csv', includeFreeText: 'on', labels: 'labels' },
  },
  {
    method: 'POST',
    path: '/edit/instruments',
    roles: OWNER,
    ok: [400],
    body: { instrument: 'no-such-instrument' },
  },
  { method: 'POST', path: '/edit/questions', roles: OWNER, ok: [400], body: { _form: 'question', id: '' } },
  {
    method: 'POST',
    path: '/edit/eligibility',
    roles: OWNER,
    ok: [400],
    body: { _form: 'screening', id: '' },
  },
  {
    method: 'POST',
    path: '/edit/contacts',
    roles: OWNER,
    ok: [400],
    body: { _form: 'contacts', action: 'add' },
  },
  { method: 'POST', path: '/edit/nope', roles: OWNER, ok: [404] },
  { method: 'POST', path: '/edit/consent', roles: OWNER, ok: [303, 400], body: { _form: 'consent' } },
];

/** Row counts of every table. */
async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [...TABLES, ...QUAL_TABLES]) {
    const row = await t.store.db
      .selectFrom(table as 'responses')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

for (const backend of serverBackends()) {
  describe(`access (${backend.name})`, () => {
    let t: TestApp;
    let studyId: number;
    let token: string;
    let draftToken: string;
    let draftId: number;
    let otherId: number;
    const browsers = new Map<Who, { cookie: string; csrf: string }>();

    beforeAll(async () => {
      t = await testApp({ backend });
      const owner = await t.createUser({ email: 'owner@example.org' });
      const analyst = await t.createUser({ email: 'analyst@example.org' });
      const viewer = await t.createUser({ email: 'viewer@example.org' });
      const other = await t.createUser({ email: 'other@example.org' });
      const def = { ...baceStudyDefinition(), title: TITLE };
      const s = await createStudy(t.store, { ownerId: owner.id, definition: def, title: TITLE });
      studyId = s.id;
      token = s.publicToken;
      const d = await createStudy(t.store, {
        ownerId: owner.id,
        definition: def,
        title: TITLE,
        status: 'draft',
      });
      draftId = d.id;
      draftToken = d.publicToken;
      for (const id of [studyId, draftId]) {
        await t.store.acknowledgements.record({ studyId: id, instrumentId: 'bace3', userId: owner.id });
        await t.store.roles.grant({ studyId: id, userId: analyst.id, role: 'analyst' });
        await t.store.roles.grant({ studyId: id, userId: viewer.id, role: 'viewer' });
      }
      const o = await createStudy(t.store, {
        ownerId: other.id,
        definition: { ...baceStudyDefinition(), title: 'Other Study Delta' },
        title: 'Other Study Delta',
      });
      otherId = o.id;
      browsers.set('signed_out', await t.csrfFor());
      browsers.set('other_study', await t.signIn(other.email));
      browsers.set('viewer', await t.signIn(viewer.email));
      browsers.set('analyst', await t.signIn(analyst.email));
      browsers.set('owner', await t.signIn(owner.email));
    });
    afterAll(async () => {
      await t?.close();
    });

    const roleOf = (who: Who): StudyRole | null =>
      who === 'owner' || who === 'analyst' || who === 'viewer' ? who : null;

    const send = (
      method: 'GET' | 'POST',
      url: string,
      who: Who,
      body?: Record<string, string | readonly string[]>,
    ) => {
      const b = browsers.get(who)!;
      if (method === 'GET') return t.app.inject({ method, url, headers: { cookie: b.cookie } });
      const f = form({ ...(body ?? {}), _csrf: b.csrf });
      return t.app.inject({ method, url, headers: { ...f.headers, cookie: b.cookie }, payload: f.payload });
    };

    it('gives each role exactly the routes the roles matrix leaves out, and leaks nothing to anyone else', async () => {
      const failures: string[] = [];
      for (const route of routes) {
        // The owner last: an allowed request may change the study.
        for (const who of WHO) {
          const url = route.path.startsWith('!') ? route.path.slice(1) : `/studies/${studyId}${route.path}`;
          const res = await send(route.method, url, who, route.body);
          const label = `${who} ${route.method} ${url} ${JSON.stringify(route.body ?? {})}`;
          let want: readonly number[];
          if (who === 'signed_out') want = [route.method === 'GET' ? 303 : 401];
          else if (route.roles === 'any-signed-in') want = route.ok;
          else if (roleOf(who) === null) want = [404];
          else want = route.roles.includes(roleOf(who)!) ? route.ok : [403];
          if (!want.includes(res.statusCode))
            failures.push(
              `${label}: ${res.statusCode}, expected ${want.join('/')}: ${res.body.slice(0, 200)}`,
            );
          const refused =
            res.statusCode === 401 ||
            res.statusCode === 403 ||
            res.statusCode === 404 ||
            who === 'signed_out';
          if (refused) {
            if (res.body.includes(TITLE)) failures.push(`${label}: leaks the title`);
            if (res.body.includes(token) || res.body.includes(draftToken))
              failures.push(`${label}: leaks a link token`);
            if (res.headers['content-disposition']) failures.push(`${label}: sends a file`);
          }
          // Nobody but the study's people ever sees its title.
          if (who === 'other_study' && res.body.includes(TITLE)) failures.push(`${label}: shows the title`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('answers cross-study requests exactly like a study that does not exist, for every method', async () => {
      const owner = browsers.get('owner')!;
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['GET', '/analysis/report.html', undefined],
        ['GET', '/qr.svg', undefined],
        ['POST', '/exports', { format: 'csv' }],
        ['POST', '/exports', { format: 'sav' }],
        ['POST', '/roles', { email: 'owner@example.org', role: 'owner' }],
        ['POST', '/close', {}],
        ['POST', '/edit/json', { definition: '{}' }],
      ] as const) {
        const cross = await send(method, `/studies/${otherId}${path}`, 'owner', body);
        const missing = await send(method, `/studies/99999${path}`, 'owner', body);
        expect(cross.statusCode, `${method} ${path}`).toBe(404);
        expect(cross.body, `${method} ${path}`).toBe(missing.body);
        expect(cross.body).not.toContain('Other Study Delta');
        expect(cross.headers['content-disposition']).toBeUndefined();
      }
      // The owner of Gamma did not become an owner of Delta, and Delta is still open.
      expect(
        await t.store.roles.roleOf({
          userId: (await t.store.users.byEmail('owner@example.org'))!.id,
          studyId: otherId,
        }),
      ).toBeNull();
      expect((await t.store.studies.byId(otherId))!.status).toBe('open');
      void owner;
    });

    it('keeps a draft study invisible to the public; its respondent preview needs a role on it', async () => {
      for (const who of WHO) {
        const pub = await send('GET', `/s/${draftToken}`, who);
        expect(pub.statusCode, `${who}: public link of a draft`).toBe(404);
        const api = await t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${draftToken}/responses`,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `draft-${who}-0001`,
            cookie: browsers.get(who)!.cookie,
          },
          payload: JSON.stringify({ answers: {} }),
        });
        expect(api.statusCode, `${who}: API on a draft`).toBe(404);
        const preview = await send('GET', `/s/${draftToken}?preview=1`, who);
        // Owners and analysts preview (as in the studio); a viewer sees aggregates only; no role: 404.
        const role = roleOf(who);
        expect(preview.statusCode, `${who}: preview of a draft`).toBe(
          !role ? 404 : role === 'viewer' ? 403 : 200,
        );
        if (!roleOf(who)) expect(preview.body).not.toContain(TITLE);
      }
      expect(await t.store.responses.count(draftId)).toBe(0);
    });

    it('refuses every state-changing researcher request without a valid CSRF token, changing nothing', async () => {
      const owner = browsers.get('owner')!;
      const otherBrowser = browsers.get('analyst')!;
      const posts: [string, Record<string, string>][] = [
        ['/studies', { title: 'CSRF study', languages: 'en' }],
        [`/studies/${studyId}/close`, {}],
        [`/studies/${studyId}/referrals`, {}],
        [`/studies/${studyId}/roles`, { email: 'other@example.org', role: 'owner' }],
        [`/studies/${studyId}/roles/remove`, { userId: '1' }],
        [`/studies/${studyId}/edit/basics`, { _form: 'basics', title: 'Hijacked', languages: 'en' }],
        [`/studies/${studyId}/edit/settings`, { _form: 'settings', minCellSize: '1' }],
        [
          `/studies/${studyId}/edit/json`,
          { _form: 'json', definition: JSON.stringify(baceStudyDefinition()) },
        ],
        [`/studies/${studyId}/exports`, { format: 'csv' }],
        [`/studies/${studyId}/preview`, { _page: 'consent', _consent: 'agree' }],
        [`/studies/${draftId}/launch`, { confirmed: '1' }],
        ['/signout', {}],
      ];
      const before = await rowCounts(t);
      const status = (await t.store.studies.byId(studyId))!.status;
      for (const [url, fields] of posts) {
        for (const [label, extra, headers] of [
          ['no token', {}, {}],
          ["another browser's token", { _csrf: otherBrowser.csrf }, {}],
          ['a forged token', { _csrf: 'forged-token-value' }, {}],
          ["another browser's token in the header", {}, { 'x-csrf-token': otherBrowser.csrf }],
        ] as const) {
          const f = form({ ...fields, ...extra });
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { ...f.headers, ...headers, cookie: owner.cookie },
            payload: f.payload,
          });
          expect(res.statusCode, `${url} with ${label}`).toBe(403);
          expect(res.headers['content-disposition'], `${url} with ${label}`).toBeUndefined();
        }
      }
      expect(await rowCounts(t)).toEqual(before);
      expect((await t.store.studies.byId(studyId))!.status).toBe(status);
      // The owner is still signed in (the forged sign-out did nothing).
      const still = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: owner.cookie } });
      expect(still.statusCode).toBe(200);
    });

    it("does not let an attacker's planted session become the victim's (session fixation)", async () => {
      const attacker = await t.createUser({ email: 'attacker@example.org' });
      const victim = await t.createUser({ email: 'victim@example.org' });
      const a = await t.signIn(attacker.email);
      const attackerToken = /nabz_session=([^;]+)/.exec(a.cookie)![1]!;
      // The victim's browser carries the attacker's session cookie (planted), and signs in.
      const c = await t.csrfFor(`nabz_session=${attackerToken}`);
      const f = form({ email: victim.email, password: TEST_PASSWORD, _csrf: c.csrf });
      const res = await t.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { ...f.headers, cookie: c.cookie },
        payload: f.payload,
      });
      expect(res.statusCode).toBe(303);
      const after = mergeCookies(c.cookie, res);
      const victimToken = /nabz_session=([^;]+)/.exec(after)![1]!;
      expect(victimToken).not.toBe(attackerToken);
      // The planted token does not give the attacker the victim's account.
      const probe = await t.app.inject({
        method: 'GET',
        url: '/',
        headers: { cookie: `nabz_session=${attackerToken}` },
      });
      expect(probe.body).not.toContain('victim@example.org');
      const session = await t.store.sessions.getValid(attackerToken, new Date(t.now()));
      expect(session?.user.id ?? attacker.id).toBe(attacker.id);
      const mine = await t.store.sessions.getValid(victimToken, new Date(t.now()));
      expect(mine?.user.id).toBe(victim.id);
    });
  });
}

describe('brute-force sign-in over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function attempt(email: string, password: string, ip: string, fields: Record<string, string> = {}) {
    const c = await t.csrfFor();
    const f = form({ email, password, _csrf: c.csrf, ...fields });
    return t.app.inject({
      method: 'POST',
      url: '/signin',
      headers: { ...f.headers, cookie: c.cookie },
      payload: f.payload,
      remoteAddress: ip,
    });
  }

  it('limits sign-in requests per address (429 with Retry-After), other addresses unaffected', async () => {
    const ip = '198.51.100.200';
    const statuses: number[] = [];
    // Empty passwords: refused before any password check, so only the request limit counts.
    for (let i = 0; i < 35; i++) statuses.push((await attempt('someone@example.org', '', ip)).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    const limited = await attempt('someone@example.org', '', ip);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatch(/Too many/i);
    expect((await attempt('someone@example.org', '', '198.51.100.201')).statusCode).toBe(400);
  });

  it('locks an account under a distributed attack for 15 minutes at a time, never for its known address', async () => {
    const owner = await t.createUser({ email: 'owner@example.org' });
    const home = '203.0.113.10';
    expect((await attempt(owner.email, TEST_PASSWORD, home)).statusCode).toBe(303);
    for (let round = 0; round < 3; round++) {
      // 60 attacker addresses, one wrong guess each (no address reaches its own limits).
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++)
        statuses.push(
          (await attempt(owner.email, `wrong-${round}-${i}`, `10.${round}.0.${i + 1}`)).statusCode,
        );
      expect(
        statuses.slice(0, 50).every((s) => s === 401),
        JSON.stringify(statuses),
      ).toBe(true);
      expect(
        statuses.slice(50).every((s) => s === 429),
        JSON.stringify(statuses),
      ).toBe(true);
      // A new address is refused, even with the right password — but the owner at home signs in.
      const fresh = await attempt(owner.email, TEST_PASSWORD, `192.0.2.${round + 1}`);
      expect(fresh.statusCode).toBe(429);
      expect(Number(fresh.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
      expect((await attempt(owner.email, TEST_PASSWORD, home)).statusCode).toBe(303);
      // However long the attack goes on, the account-wide lock ends after 15 minutes.
      t.advance(15 * MIN + 1000);
      expect((await attempt(owner.email, TEST_PASSWORD, `192.0.2.${round + 1}`)).statusCode).toBe(303);
      t.advance(61 * MIN);
    }
    // The refusal for an unknown account under the same conditions looks the same (no account oracle).
    const a = await attempt('nobody@example.org', 'x-wrong', '10.9.9.9');
    const b = await attempt(owner.email, 'x-wrong', '10.9.9.10');
    expect(a.statusCode).toBe(b.statusCode);
    expect(a.body.replace(/value="[^"]*"/g, '')).toBe(b.body.replace(/value="[^"]*"/g, ''));
  }, 120_000);
});
