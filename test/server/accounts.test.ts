/**
 * People and passwords over HTTP (issue 14), on SQLite and (with NABZ_TEST_PG_URL) PostgreSQL: invitation
 * links (made by owners only, shown once, single use, expiring, withdrawable), the invitee choosing their own
 * account details or accepting while signed in, no account enumeration (the answer for an address with an
 * account is byte-identical to the one for a new address, and the account is left alone), changing one's
 * password (current one required, other sessions ended), administrators' reset links (single use, expiring,
 * sessions ended), CSRF and the rate limit on the public link pages, and the audit entries.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVITE_LINK_MS, LINK_RATE_LIMIT_PER_MINUTE, RESET_LINK_MS } from '../../src/server/auth/accounts.js';
import type { Store } from '../../src/store/index.js';
import {
  csrfFromHtml,
  formBody,
  mergeCookies,
  type SignedIn,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

const NEW_PASSWORD = 'a new long pass phrase';

for (const backend of serverBackends()) {
  describe(`accounts and links over HTTP on ${backend.name}`, () => {
    let t: TestApp;
    let app: FastifyInstance;
    let store: Store;
    let owner: SignedIn;
    let analyst: SignedIn;
    let admin: SignedIn;
    let studyId: number;

    const post = (url: string, fields: Record<string, string>, who: { cookie: string; csrf: string }) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
      });
    const get = (url: string, cookie = '') => app.inject({ method: 'GET', url, headers: { cookie } });
    const status = (res: LightMyRequestResponse, code: number) => {
      expect(res.statusCode, res.body.slice(0, 1200)).toBe(code);
      return res;
    };
    /** Make an invitation link as the owner and return its path. */
    const makeLink = async (role = 'analyst') => {
      const res = status(await post(`/studies/${studyId}/roles/links`, { role }, owner), 200);
      const m = /value="https?:\/\/[^"/]+(\/join\/[A-Za-z0-9_-]+)"/.exec(res.body);
      expect(m, 'the page shows the new link').not.toBeNull();
      return m![1]!;
    };
    /** A signed-out browser on `path`: its cookie and a CSRF token from the page. */
    const visitor = async (path: string) => {
      const res = await get(path);
      return {
        res,
        cookie: mergeCookies('', res),
        csrf: res.statusCode === 200 ? csrfFromHtml(res.body) : '',
      };
    };

    beforeAll(async () => {
      t = await testApp({ backend });
      ({ app, store } = t);
      const o = await t.createUser({ email: 'owner@example.org', name: 'Dr Owner' });
      const a = await t.createUser({ email: 'analyst@example.org', name: 'Dr Analyst' });
      await t.createUser({ email: 'admin@example.org', name: 'Admin', admin: true });
      studyId = (await store.studies.create({ title: 'Burnout survey', ownerId: o.id, definition: {} })).id;
      await store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      owner = await t.signIn('owner@example.org');
      analyst = await t.signIn('analyst@example.org');
      admin = await t.signIn('admin@example.org');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('lets only owners make invitation links; the link is shown once and listed until used', async () => {
      status(await post(`/studies/${studyId}/roles/links`, { role: 'viewer' }, analyst), 403);
      status(await post(`/studies/${studyId}/roles/links`, { role: 'boss' }, owner), 400);
      const path = await makeLink('viewer');
      const people = status(await get(`/studies/${studyId}/roles`, owner.cookie), 200);
      expect(people.body).not.toContain(path);
      expect(people.body).toContain('roles/links/withdraw');
      const links = await store.accountLinks.openInvites(studyId);
      expect(links.map((l) => l.role)).toContain('viewer');
      // The stored row holds the hash of the secret, never the secret.
      expect(links.map((l) => l.id)).not.toContain(path.slice('/join/'.length));
    });

    it('a new invitee chooses their own details, gets the role, and the link is then used up', async () => {
      const path = await makeLink('analyst');
      const v = await visitor(path);
      status(v.res, 200);
      expect(v.res.body).toContain('Join “Burnout survey”');
      const bad = status(
        await post(path, { name: 'New Person', email: 'nope', password: 'short', password2: 'short' }, v),
        400,
      );
      expect(bad.body).toContain('&quot;nope&quot; is not an e-mail address');
      expect(bad.body).toContain('use at least 10');
      const ok = status(
        await post(
          path,
          { name: 'New Person', email: 'New@Example.org', password: NEW_PASSWORD, password2: NEW_PASSWORD },
          v,
        ),
        200,
      );
      expect(ok.body).toContain('Sign in to continue');
      const user = (await store.users.byEmail('new@example.org'))!;
      expect(user.displayName).toBe('New Person');
      expect(await store.roles.roleOf({ userId: user.id, studyId })).toBe('analyst');
      expect(ok.body).toContain(`/signin?next=${encodeURIComponent(path)}`);
      const signedIn = await t.signIn('new@example.org', NEW_PASSWORD);
      // Signing in returns to the link, which takes the account that used it to the study.
      const back = status(await get(path, signedIn.cookie), 303);
      expect(back.headers.location).toBe(`/studies/${studyId}`);
      status(await get(`/studies/${studyId}`, signedIn.cookie), 200);
      const again = status((await visitor(path)).res, 410);
      expect(again.body).toContain('has already been used');
      status(
        await post(
          path,
          { name: 'X', email: 'x@example.org', password: NEW_PASSWORD, password2: NEW_PASSWORD },
          v,
        ),
        410,
      );
      expect(await store.users.byEmail('x@example.org')).toBeUndefined();
    });

    it('does not enumerate accounts: an address with an account gets the same answer and is left alone', async () => {
      const pathA = await makeLink('viewer');
      const pathB = await makeLink('viewer');
      const a = await visitor(pathA);
      const b = await visitor(pathB);
      const fields = { name: 'Someone', password: 'attacker chosen pw', password2: 'attacker chosen pw' };
      const known = status(await post(pathA, { ...fields, email: 'analyst@example.org' }, a), 200);
      const unknown = status(await post(pathB, { ...fields, email: 'brand-new@example.org' }, b), 200);
      // Identical apart from what the visitor typed and the link they used (the page returns to it).
      const norm = (res: LightMyRequestResponse, email: string, path: string) =>
        res.body.replaceAll(email, 'EMAIL').replaceAll(encodeURIComponent(path), 'LINK');
      expect(norm(known, 'analyst@example.org', pathA)).toBe(norm(unknown, 'brand-new@example.org', pathB));
      expect(known.headers['content-type']).toBe(unknown.headers['content-type']);
      // The existing account keeps its password and role; the link stays for its holder.
      status((await t.attemptSignIn('analyst@example.org', 'attacker chosen pw')).res, 401);
      await t.signIn('analyst@example.org');
      const analystId = (await store.users.byEmail('analyst@example.org'))!.id;
      expect(await store.roles.roleOf({ userId: analystId, studyId })).toBe('analyst');
      status((await visitor(pathA)).res, 200);
      // Its holder signs in (the page's link returns to the invitation) and can accept it.
      const holder = await t.signIn('analyst@example.org');
      expect(status(await get(pathA, holder.cookie), 200).body).toContain('Accept the invitation');
      // Each such attempt counts against the link; the fifth withdraws it.
      for (let i = 0; i < 4; i++) await post(pathA, { ...fields, email: 'analyst@example.org' }, a);
      const withdrawn = status((await visitor(pathA)).res, 410);
      expect(withdrawn.body).toContain('was withdrawn');
    });

    it('a signed-in user accepts with their account; a member is not changed by a link', async () => {
      const path = await makeLink('viewer');
      const other = await t.createUser({ email: 'colleague@example.org', name: 'Colleague' });
      const c = await t.signIn(other.email);
      const page = status(await get(path, c.cookie), 200);
      expect(page.body).toContain('Accept the invitation');
      const res = status(
        await post(`${path}/accept`, {}, { cookie: c.cookie, csrf: csrfFromHtml(page.body) }),
        303,
      );
      expect(res.headers.location).toBe(`/studies/${studyId}`);
      expect(await store.roles.roleOf({ userId: other.id, studyId })).toBe('viewer');
      const second = await makeLink('viewer');
      const p2 = status(await get(second, analyst.cookie), 200);
      const refused = status(
        await post(`${second}/accept`, {}, { cookie: analyst.cookie, csrf: csrfFromHtml(p2.body) }),
        409,
      );
      expect(refused.body).toContain('You already have the role analyst');
      status((await visitor(second)).res, 200);
    });

    it('refuses expired and withdrawn links with a message saying which, and posts without CSRF', async () => {
      const path = await makeLink('viewer');
      const v = await visitor(path);
      status(
        await app.inject({
          method: 'POST',
          url: path,
          headers: { cookie: v.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'name=a&email=a%40b.org&password=xxxxxxxxxxxx&password2=xxxxxxxxxxxx',
        }),
        403,
      );
      // A link past its time (made in the store: moving the app's clock would also end every session).
      const creator = (await store.users.byEmail('owner@example.org'))!.id;
      const past = new Date(t.now() - 1000);
      await store.accountLinks.create({
        token: 'expired-invitation-0123456789',
        kind: 'invite',
        studyId,
        role: 'viewer',
        createdBy: creator,
        expiresAt: past,
      });
      const expired = status((await visitor('/join/expired-invitation-0123456789')).res, 410);
      expect(expired.body).toContain('expired on');
      expect(expired.body).toContain('ask the study&#39;s owner for a new one');
      expect(INVITE_LINK_MS).toBe(7 * 86_400_000);
      const fresh = await makeLink('viewer');
      const id = (await store.accountLinks.openInvites(studyId))[0]!.id;
      status(await post(`/studies/${studyId}/roles/links/withdraw`, { link: id }, owner), 303);
      status((await visitor(fresh)).res, 410);
      status((await visitor('/join/not-a-real-link-0123456789')).res, 410);
    });

    it('changes the password: the current one is required and other sessions end', async () => {
      const u = await t.createUser({ email: 'changer@example.org', name: 'Changer' });
      const here = await t.signIn(u.email);
      const elsewhere = await t.signIn(u.email);
      const page = status(await get('/account', here.cookie), 200);
      const csrf = csrfFromHtml(page.body);
      const wrong = status(
        await post(
          '/account/password',
          { current: 'not my password', password: NEW_PASSWORD, password2: NEW_PASSWORD },
          { cookie: here.cookie, csrf },
        ),
        400,
      );
      expect(wrong.body).toContain('The current password is not right.');
      const mismatch = status(
        await post(
          '/account/password',
          { current: u.password, password: NEW_PASSWORD, password2: 'something else!' },
          { cookie: here.cookie, csrf },
        ),
        400,
      );
      expect(mismatch.body).toContain('not the same');
      const ok = status(
        await post(
          '/account/password',
          { current: u.password, password: NEW_PASSWORD, password2: NEW_PASSWORD },
          { cookie: here.cookie, csrf },
        ),
        303,
      );
      expect(ok.headers.location).toBe('/account?changed=1');
      const after = mergeCookies(here.cookie, ok);
      expect(status(await get('/account?changed=1', after), 200).body).toContain('Your password was changed');
      expect((await get('/account', elsewhere.cookie)).statusCode).toBe(303);
      status((await t.attemptSignIn(u.email, u.password)).res, 401);
      await t.signIn(u.email, NEW_PASSWORD);
      status(await get('/account'), 303);
    });

    it('an administrator makes a single-use reset link; using it sets the password and ends every session', async () => {
      const u = await t.createUser({ email: 'forgetful@example.org', name: 'Forgetful' });
      const session = await t.signIn(u.email);
      const user = (await store.users.byEmail(u.email))!;
      status(await post(`/admin/users/${user.id}/reset-link`, {}, owner), 403);
      status(await get('/admin/users', owner.cookie), 403);
      const list = status(await get('/admin/users', admin.cookie), 200);
      expect(list.body).toContain('forgetful@example.org');
      const first = status(await post(`/admin/users/${user.id}/reset-link`, {}, admin), 200);
      const firstPath = /value="https?:\/\/[^"/]+(\/reset\/[A-Za-z0-9_-]+)"/.exec(first.body)![1]!;
      const made = status(await post(`/admin/users/${user.id}/reset-link`, {}, admin), 200);
      const path = /value="https?:\/\/[^"/]+(\/reset\/[A-Za-z0-9_-]+)"/.exec(made.body)![1]!;
      expect(status((await visitor(firstPath)).res, 410).body).toContain('was withdrawn');
      const v = await visitor(path);
      expect(status(v.res, 200).body).toContain('forgetful@example.org');
      status(await post(path, { password: 'short', password2: 'short' }, v), 400);
      const done = status(await post(path, { password: NEW_PASSWORD, password2: NEW_PASSWORD }, v), 303);
      expect(done.headers.location).toBe('/signin?reset=1');
      expect(status(await get('/signin?reset=1'), 200).body).toContain('Your password was changed');
      expect((await get('/account', session.cookie)).statusCode).toBe(303);
      await t.signIn(u.email, NEW_PASSWORD);
      const reused = status((await visitor(path)).res, 410);
      expect(reused.body).toContain('has already been used');
      const adminId = (await store.users.byEmail('admin@example.org'))!.id;
      await store.accountLinks.create({
        token: 'expired-reset-link-0123456789',
        kind: 'reset',
        userId: user.id,
        createdBy: adminId,
        expiresAt: new Date(t.now() - 1000),
      });
      expect(status((await visitor('/reset/expired-reset-link-0123456789')).res, 410).body).toContain(
        'expired on',
      );
      expect(RESET_LINK_MS).toBe(86_400_000);
    });

    it('audits every change without the passwords or link secrets', async () => {
      const entries = (await store.audit.pageForStudy(studyId, { limit: 200 })).entries;
      const actions = new Set(entries.map((e) => e.action));
      for (const a of ['role.invite_link', 'role.invite_link_withdraw', 'account.create', 'role.grant'])
        expect(actions).toContain(a);
      const all = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      for (const a of ['password.change', 'password.reset_link', 'password.reset', 'join.existing_address'])
        expect(all).toContain(a);
      expect(all).not.toContain(NEW_PASSWORD);
      expect(all).not.toContain('attacker chosen pw');
    });

    it('rate-limits the public link pages per address', async () => {
      let last = 0;
      for (let i = 0; i <= LINK_RATE_LIMIT_PER_MINUTE; i++)
        last = (
          await app.inject({
            method: 'GET',
            url: '/join/rate-limit-probe-0123456789',
            remoteAddress: '203.0.113.9',
          })
        ).statusCode;
      expect(last).toBe(429);
    });
  });
}
