/**
 * Accounts and sessions: first-run setup link, sign-in and sign-out, session fixation, CSRF, idle expiry,
 * brute-force lockout, audit entries. In process, on SQLite and (NABZ_TEST_PG_URL) PostgreSQL.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerSetupLink } from '../../src/server/auth/setup.js';
import { SignInThrottle } from '../../src/server/auth/throttle.js';
import type { Store } from '../../src/store/index.js';
import { useStore } from '../store/backends.js';
import {
  countRows,
  csrfFromHtml,
  form,
  mergeCookies,
  serverBackends,
  TEST_PASSWORD,
  type TestApp,
  testApp,
} from './helpers.js';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;

function sessionOf(cookie: string): string | undefined {
  return /(?:^|; )nabz_session=([^;]+)/.exec(cookie)?.[1];
}

for (const backend of serverBackends()) {
  describe(`auth (${backend.name})`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await testApp({ backend });
    });
    afterEach(async () => {
      await t.close();
    });

    /** POST /signin from a browser with `cookie`, returning the response and the browser's cookies after. */
    const signInAttempt = (email: string, password: string, opts: { cookie?: string; ip?: string } = {}) =>
      t.attemptSignIn(email, password, opts);

    /** Whether a cookie header belongs to a signed-in browser (GET /signin redirects then). */
    async function signedIn(cookie: string): Promise<boolean> {
      const res = await t.app.inject({ method: 'GET', url: '/signin', headers: { cookie } });
      return res.statusCode === 303;
    }

    it('a sign-in and its audit entry commit together: when the entry cannot be written, no session is made', async () => {
      const u = await t.createUser({ email: 'ana@example.org' });
      // The audit log refuses sign_in entries (as a full disk or a broken connection would, mid-transaction).
      if (backend.name === 'sqlite')
        await sql`CREATE TRIGGER refuse_sign_in BEFORE INSERT ON audit_log WHEN NEW.action = 'sign_in'
          BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`.execute(t.store.db);
      else {
        await sql`CREATE FUNCTION refuse_sign_in() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.action = 'sign_in' THEN RAISE EXCEPTION 'audit log unavailable'; END IF; RETURN NEW; END $$`.execute(
          t.store.db,
        );
        await sql`CREATE TRIGGER refuse_sign_in BEFORE INSERT ON audit_log
          FOR EACH ROW EXECUTE FUNCTION refuse_sign_in()`.execute(t.store.db);
      }
      const sessions = await countRows(t.store, 'sessions');
      const { res, cookie } = await signInAttempt(u.email, TEST_PASSWORD);
      expect(res.statusCode).toBe(500);
      expect(sessionOf(cookie)).toBeUndefined();
      expect(await countRows(t.store, 'sessions')).toBe(sessions);
      expect(await signedIn(cookie)).toBe(false);
    });

    it('prints a setup link only when there are no accounts, and the link works exactly once', async () => {
      const link = await ownerSetupLink(t.store, 'http://localhost:3000', t.now);
      expect(link).toMatch(/^http:\/\/localhost:3000\/setup\/[A-Za-z0-9_-]{32}$/);
      const path = new URL(link!).pathname;
      const page = await t.app.inject({ method: 'GET', url: path });
      expect(page.statusCode).toBe(200);
      const cookie = mergeCookies('', page);
      const csrf = csrfFromHtml(page.body);

      // Mistakes are reported and do not use up the link.
      const short = form({
        _csrf: csrf,
        name: 'Dr Owner',
        email: 'owner@example.org',
        password: 'short',
        password2: 'short',
      });
      const r1 = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...short.headers, cookie },
        payload: short.payload,
      });
      expect(r1.statusCode).toBe(400);
      expect(r1.body).toContain('at least 10');
      const differ = form({
        _csrf: csrf,
        email: 'owner@example.org',
        password: TEST_PASSWORD,
        password2: `${TEST_PASSWORD}!`,
      });
      const r2 = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...differ.headers, cookie },
        payload: differ.payload,
      });
      expect(r2.statusCode).toBe(400);
      // Without the CSRF token: refused.
      const noCsrf = form({ email: 'owner@example.org', password: TEST_PASSWORD, password2: TEST_PASSWORD });
      const r3 = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...noCsrf.headers, cookie },
        payload: noCsrf.payload,
      });
      expect(r3.statusCode).toBe(403);

      const ok = form({
        _csrf: csrf,
        name: 'Dr Owner',
        email: 'Owner@Example.org',
        password: TEST_PASSWORD,
        password2: TEST_PASSWORD,
      });
      const r4 = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...ok.headers, cookie },
        payload: ok.payload,
      });
      expect(r4.statusCode).toBe(303);
      expect(r4.headers.location).toBe('/');
      const after = mergeCookies(cookie, r4);
      expect(await signedIn(after)).toBe(true);
      const owner = await t.store.users.byEmail('owner@example.org');
      expect(owner?.isAdmin).toBe(true);
      expect(owner?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

      // Used: neither the form nor the post works again, and no second link is printed.
      expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
      const again = form({
        _csrf: csrf,
        email: 'second@example.org',
        password: TEST_PASSWORD,
        password2: TEST_PASSWORD,
      });
      const r5 = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...again.headers, cookie },
        payload: again.payload,
      });
      expect(r5.statusCode).toBe(410);
      expect(await t.store.users.count()).toBe(1);
      expect(await ownerSetupLink(t.store, 'http://localhost:3000', t.now)).toBeUndefined();
      expect((await t.app.inject({ method: 'GET', url: '/setup/not-a-real-token' })).statusCode).toBe(410);
    });

    it('signs in and out with a rotated session, httpOnly SameSite=Lax cookies, and audit entries', async () => {
      const u = await t.createUser({ email: 'ana@example.org' });
      const before = await countRows(t.store, 'audit_log');

      const wrong = await signInAttempt('ana@example.org', 'not the password');
      expect(wrong.res.statusCode).toBe(401);
      expect(wrong.res.body).toContain('not right');
      expect(sessionOf(wrong.cookie)).toBeUndefined();

      const first = await signInAttempt('ANA@example.org ', TEST_PASSWORD);
      expect(first.res.statusCode).toBe(303);
      const setCookie = String(first.res.headers['set-cookie']);
      expect(setCookie).toMatch(/nabz_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
      expect(setCookie).not.toMatch(/Secure/);
      const s1 = sessionOf(first.cookie)!;

      // Session fixation: signing in again (or over a planted cookie) always issues a new session and ends the old one.
      const second = await signInAttempt('ana@example.org', TEST_PASSWORD, { cookie: first.cookie });
      const s2 = sessionOf(second.cookie)!;
      expect(s2).not.toBe(s1);
      expect(await signedIn(`nabz_session=${s1}`)).toBe(false);
      expect(await signedIn(second.cookie)).toBe(true);
      const planted = await signInAttempt('ana@example.org', TEST_PASSWORD, {
        cookie: 'nabz_session=attacker-chosen-value-0123456789',
      });
      expect(sessionOf(planted.cookie)).not.toBe('attacker-chosen-value-0123456789');

      // Sign-out needs the CSRF token.
      const { csrf } = await t.csrfFor(second.cookie);
      const noToken = await t.app.inject({
        method: 'POST',
        url: '/signout',
        headers: { cookie: second.cookie },
      });
      expect(noToken.statusCode).toBe(403);
      const badToken = form({ _csrf: 'forged' });
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/signout',
            headers: { ...badToken.headers, cookie: second.cookie },
            payload: badToken.payload,
          })
        ).statusCode,
      ).toBe(403);
      expect(await signedIn(second.cookie)).toBe(true);
      const out = form({ _csrf: csrf });
      const res = await t.app.inject({
        method: 'POST',
        url: '/signout',
        headers: { ...out.headers, cookie: second.cookie },
        payload: out.payload,
      });
      expect(res.statusCode).toBe(303);
      expect(await signedIn(second.cookie)).toBe(false);

      // Sign-in itself is CSRF-protected too (login CSRF).
      const body = form({ email: 'ana@example.org', password: TEST_PASSWORD });
      expect((await t.app.inject({ method: 'POST', url: '/signin', ...body })).statusCode).toBe(403);

      const entries = (await t.store.audit.list({ limit: 50 })).slice(
        0,
        (await countRows(t.store, 'audit_log')) - before,
      );
      const actions = entries.map((e) => e.action).reverse();
      expect(actions).toEqual(['sign_in.failure', 'sign_in', 'sign_in', 'sign_in', 'sign_out']);
      expect(entries.find((e) => e.action === 'sign_in.failure')?.detail).toEqual({
        email: 'ana@example.org',
        reason: 'wrong_password',
      });
      expect(entries.find((e) => e.action === 'sign_in')?.actorUserId).toBe(u.id);
    });

    it('sends only local paths as next (no open redirect)', async () => {
      await t.createUser({ email: 'ana@example.org' });
      for (const [next, expected] of [
        ['/studies/3', '/studies/3'],
        ['//evil.example', '/'],
        ['/\\evil.example', '/'],
        ['https://evil.example/', '/'],
      ] as const) {
        const c = await t.csrfFor();
        const body = form({ email: 'ana@example.org', password: TEST_PASSWORD, _csrf: c.csrf, next });
        const res = await t.app.inject({
          method: 'POST',
          url: '/signin',
          headers: { ...body.headers, cookie: c.cookie },
          payload: body.payload,
        });
        expect(res.headers.location).toBe(expected);
      }
    });

    it('ends sessions after 12 idle hours (sliding) and 7 days at most', async () => {
      await t.createUser({ email: 'ana@example.org' });
      const { cookie } = await t.signIn('ana@example.org');
      t.advance(11 * HOUR);
      expect(await signedIn(cookie)).toBe(true); // slides the expiry forward
      t.advance(11 * HOUR);
      expect(await signedIn(cookie)).toBe(true);
      t.advance(12 * HOUR + MIN);
      expect(await signedIn(cookie)).toBe(false);

      const fresh = await t.signIn('ana@example.org');
      for (let h = 0; h < 7 * 24 - 10; h += 10) {
        t.advance(10 * HOUR);
        expect(await signedIn(fresh.cookie)).toBe(true);
      }
      t.advance(11 * HOUR);
      expect(await signedIn(fresh.cookie)).toBe(false);
    });

    it('locks an account+address pair after 5 failures for 15 minutes, without locking the owner out elsewhere', async () => {
      await t.createUser({ email: 'owner@example.org' });
      const attacker = '198.51.100.7';
      for (let i = 0; i < 5; i++) {
        const r = await signInAttempt('owner@example.org', `guess-${i}-wrong`, { ip: attacker });
        expect(r.res.statusCode).toBe(401);
      }
      // Locked for that address: even the right password is not checked, and the answer says to wait.
      const locked = await signInAttempt('owner@example.org', TEST_PASSWORD, { ip: attacker });
      expect(locked.res.statusCode).toBe(429);
      expect(locked.res.headers['retry-after']).toBe('900');
      expect(locked.res.body).toContain('Try again in 15 minutes');
      // The owner, from another address, signs in.
      const owner = await signInAttempt('owner@example.org', TEST_PASSWORD, { ip: '203.0.113.20' });
      expect(owner.res.statusCode).toBe(303);
      // The lock expires.
      t.advance(15 * MIN + 1000);
      const later = await signInAttempt('owner@example.org', TEST_PASSWORD, { ip: attacker });
      expect(later.res.statusCode).toBe(303);
      const audit = await t.store.audit.list({ limit: 100 });
      expect(
        audit.some(
          (e) => e.action === 'sign_in.failure' && (e.detail as { reason?: string }).reason === 'locked',
        ),
      ).toBe(true);
    });
  });
}

for (const backend of serverBackends()) {
  describe(`sign-in throttle policy (${backend.name})`, () => {
    let store: Store;
    useStore(backend, (open) => {
      store = open.store;
    });
    // Each test uses its own e-mail and address names: the state is in the shared store.
    const throttle = (clock: () => number) => new SignInThrottle({ state: store.limits, clock });

    it('doubles repeated pair locks up to 24 h and forgets failures after a success', async () => {
      let now = 0;
      const th = throttle(() => now);
      const fail = async (n: number, ip = 'a') => {
        for (let i = 0; i < n; i++) await th.fail('u@x', ip);
      };
      await fail(5);
      expect(await th.check('u@x', 'a')).toEqual({ allowed: false, scope: 'pair', retryAfterMs: 15 * MIN });
      now += 15 * MIN;
      expect((await th.check('u@x', 'a')).allowed).toBe(true);
      await fail(5);
      expect(await th.check('u@x', 'a')).toMatchObject({ allowed: false, retryAfterMs: 30 * MIN });
      now += 30 * MIN;
      await fail(5);
      expect(await th.check('u@x', 'a')).toMatchObject({ retryAfterMs: 60 * MIN });
      for (let k = 0; k < 10; k++) {
        const d = await th.check('u@x', 'a');
        if (d.allowed) throw new Error('expected a lock');
        now += d.retryAfterMs;
        await fail(5);
      }
      expect(await th.check('u@x', 'a')).toMatchObject({ retryAfterMs: 24 * HOUR });
      now += 24 * HOUR;
      await th.succeed('u@x', 'a');
      await fail(4);
      expect((await th.check('u@x', 'a')).allowed).toBe(true);
    });

    it('locks an address trying many accounts (password spraying)', async () => {
      let now = 0;
      const th = throttle(() => now);
      for (let i = 0; i < 20; i++) await th.fail(`user${i}@x`, 'sprayer');
      expect(await th.check('new@x', 'sprayer')).toMatchObject({ allowed: false, scope: 'address' });
      expect((await th.check('new@x', 'someone-else')).allowed).toBe(true);
      now += 15 * MIN;
      expect((await th.check('new@x', 'sprayer')).allowed).toBe(true);
    });

    it('locks an account attacked from many addresses for 15 minutes at most, never for known addresses', async () => {
      let now = 0;
      const th = throttle(() => now);
      await th.succeed('owner@x', 'home'); // the owner signed in from home before
      for (let i = 0; i < 50; i++) await th.fail('owner@x', `bot-${i}`);
      expect(await th.check('owner@x', 'cafe')).toMatchObject({
        allowed: false,
        scope: 'account',
        retryAfterMs: 15 * MIN,
      });
      expect((await th.check('owner@x', 'home')).allowed).toBe(true);
      // Still attacked: each new wave of 50 failures re-locks for 15 minutes — never longer.
      now += 15 * MIN;
      expect((await th.check('owner@x', 'cafe')).allowed).toBe(true);
      for (let i = 0; i < 50; i++) await th.fail('owner@x', `bot2-${i}`);
      expect(await th.check('owner@x', 'cafe')).toMatchObject({ allowed: false, retryAfterMs: 15 * MIN });
    });

    it('deletes forgotten state, so a flood of addresses leaves no rows behind, and stores no address in clear', async () => {
      let now = 40 * 24 * HOUR; // after the 30 days the earlier tests' known addresses are remembered
      const th = throttle(() => now);
      for (let i = 0; i < 200; i++) await th.fail(`flood${i}@x`, `203.0.113.${i}`);
      const rows = await store.db.selectFrom('limit_state').select(['key', 'value']).execute();
      expect(rows.length).toBeGreaterThanOrEqual(600);
      for (const r of rows) expect(r.key).toMatch(/^[0-9a-f]{64}$/);
      expect(rows.some((r) => r.value.includes('203.0.113.') || r.value.includes('flood'))).toBe(false);
      // Past every lock (24 h at most) and the hour after it, one more failure sweeps the forgotten rows.
      now += 25 * HOUR + 1;
      await th.fail('last@x', '198.51.100.1');
      const left = await store.db.selectFrom('limit_state').select('key').execute();
      expect(left.length).toBe(3);
    });
  });
}
