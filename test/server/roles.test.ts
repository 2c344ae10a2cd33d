/**
 * Roles × routes: every studio page and action of a study, for a signed-out browser, a user with a role on
 * another study only, a viewer, an analyst and the owner. Signed out → sign-in (GET) or 401 (POST); no role →
 * 404, exactly as for a study that does not exist; a role that is not enough → 403; otherwise 200/303. No
 * refused response carries the study's title or link token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyRole } from '../../src/store/index.js';
import { formBody, serverBackends, type TestApp, testApp } from './helpers.js';

type Who = 'signed_out' | 'other_study' | 'viewer' | 'analyst' | 'owner';
const WHO: readonly Who[] = ['signed_out', 'other_study', 'viewer', 'analyst', 'owner'];
const ALL: readonly StudyRole[] = ['owner', 'analyst', 'viewer'];
const WORK: readonly StudyRole[] = ['owner', 'analyst'];
const OWNER: readonly StudyRole[] = ['owner'];

const TITLE = 'Secret Study Alpha';

let t: TestApp;
let studyId: number;
let otherId: number;
let publicToken: string;
const browsers = new Map<Who, { cookie: string; csrf: string }>();
let viewerEmail = '';

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly roles: readonly StudyRole[];
  /** Status for an allowed role. */
  readonly ok: number;
  readonly body?: Record<string, string | readonly string[]>;
}

// In order: state changes (close, reopen) come after the pages, and each route is tried by the owner last.
const routes = (): Route[] => [
  { method: 'GET', path: '', roles: ALL, ok: 200 },
  { method: 'GET', path: '/edit', roles: OWNER, ok: 200 },
  { method: 'GET', path: '/preview', roles: WORK, ok: 200 },
  { method: 'GET', path: '/share', roles: WORK, ok: 200 },
  { method: 'GET', path: '/share/present', roles: WORK, ok: 200 },
  { method: 'GET', path: '/qr.svg', roles: WORK, ok: 200 },
  { method: 'GET', path: '/progress', roles: ALL, ok: 200 },
  { method: 'GET', path: '/analysis', roles: ALL, ok: 200 },
  { method: 'GET', path: '/analysis?group=year', roles: ALL, ok: 200 },
  { method: 'GET', path: '/analysis/report.html', roles: ALL, ok: 200 },
  { method: 'GET', path: '/exports', roles: WORK, ok: 200 },
  { method: 'GET', path: '/roles', roles: OWNER, ok: 200 },
  { method: 'GET', path: '/audit', roles: OWNER, ok: 200 },
  {
    method: 'POST',
    path: '/preview',
    roles: WORK,
    ok: 303,
    body: { _page: 'consent', _consent: 'agree', _idem: 'x' },
  },
  // Nothing is flagged in this study: the review is refused with the list of flagged rows (none).
  { method: 'POST', path: '/analysis/review', roles: WORK, ok: 400, body: { rows: '1', decision: 'keep' } },
  { method: 'POST', path: '/exports', roles: WORK, ok: 200, body: { format: 'csv' } },
  { method: 'POST', path: '/exports', roles: WORK, ok: 200, body: { format: 'sav' } },
  {
    method: 'POST',
    path: '/edit/basics',
    roles: OWNER,
    ok: 303,
    body: { title: TITLE, languages: ['en', 'ur'] },
  },
  {
    method: 'POST',
    path: '/edit/settings',
    roles: OWNER,
    ok: 303,
    body: { anonymous: 'on', referrals: 'on', minCellSize: '5' },
  },
  { method: 'POST', path: '/edit/json', roles: OWNER, ok: 400, body: { definition: '{' } },
  { method: 'POST', path: '/referrals', roles: OWNER, ok: 303 },
  { method: 'POST', path: '/roles', roles: OWNER, ok: 303, body: { email: viewerEmail, role: 'viewer' } },
  { method: 'POST', path: '/roles/remove', roles: OWNER, ok: 303, body: { userId: '999999' } },
  { method: 'POST', path: '/launch', roles: OWNER, ok: 303, body: { confirmed: '1' } },
  { method: 'POST', path: '/close', roles: OWNER, ok: 303 },
  { method: 'POST', path: '/reopen', roles: OWNER, ok: 303 },
];

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeAll(async () => {
      t = await testApp({ backend });
      const owner = await t.createUser({ email: 'owner@example.org', name: 'Owner' });
      const analyst = await t.createUser({ email: 'analyst@example.org', name: 'Analyst' });
      const viewer = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      const other = await t.createUser({ email: 'other@example.org', name: 'Other' });
      viewerEmail = viewer.email;
      const definition = {
        id: 'alpha',
        title: TITLE,
        languages: ['en', 'ur'],
        instruments: [{ instrument: 'bace3', termsAcknowledged: { by: 'Owner', at: '2025-01-01' } }],
        questions: [
          {
            id: 'year',
            type: 'single',
            text: { en: 'Year of study' },
            options: [
              { value: 1, label: { en: 'First' } },
              { value: 2, label: { en: 'Second' } },
            ],
          },
        ],
        collection: { consent: { version: 1, text: { en: 'Consent.' } }, referrals: true },
      };
      const study = await t.store.studies.create({ title: TITLE, ownerId: owner.id, definition });
      studyId = study.id;
      publicToken = study.publicToken;
      await t.store.acknowledgements.record({ studyId, instrumentId: 'bace3', userId: owner.id });
      await t.store.roles.grant({ studyId, userId: analyst.id, role: 'analyst' });
      await t.store.roles.grant({ studyId, userId: viewer.id, role: 'viewer' });
      await t.store.studies.setStatus({ studyId, status: 'open' });
      for (let i = 0; i < 12; i++) {
        const answers: Record<string, unknown> = { year: { kind: 'value', value: (i % 2) + 1 } };
        for (let j = 1; j <= 30; j++)
          answers[`bace3_${String(j).padStart(2, '0')}`] = { kind: 'value', value: (i * j) % 4 };
        await t.store.responses.insert({ studyId, idempotencyKey: `r${i}`, answers, language: 'en' });
      }
      const otherStudy = await t.store.studies.create({
        title: 'Other Study Beta',
        ownerId: other.id,
        definition: { id: 'beta', title: 'Other Study Beta', instruments: [{ instrument: 'gad7' }] },
      });
      otherId = otherStudy.id;

      browsers.set('signed_out', await t.csrfFor());
      browsers.set('other_study', await t.signIn(other.email));
      browsers.set('viewer', await t.signIn(viewer.email));
      browsers.set('analyst', await t.signIn(analyst.email));
      browsers.set('owner', await t.signIn(owner.email));
    });

    afterAll(async () => {
      await t.close();
    });

    function roleOf(who: Who): StudyRole | null {
      return who === 'owner' || who === 'analyst' || who === 'viewer' ? who : null;
    }

    function expected(route: Route, who: Who): number {
      if (who === 'signed_out') return route.method === 'GET' ? 303 : 401;
      const role = roleOf(who);
      if (role === null) return 404;
      return route.roles.includes(role) ? route.ok : 403;
    }

    describe('role × route matrix', () => {
      it('gives each role exactly its routes, and nothing of the study to anyone else', async () => {
        const failures: string[] = [];
        let checked = 0;
        for (const route of routes()) {
          for (const who of WHO) {
            const b = browsers.get(who)!;
            const url = `/studies/${studyId}${route.path}`;
            const res =
              route.method === 'GET'
                ? await t.app.inject({ method: 'GET', url, headers: { cookie: b.cookie } })
                : await t.app.inject({
                    method: 'POST',
                    url,
                    headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                    payload: formBody({ ...(route.body ?? {}), _csrf: b.csrf }),
                  });
            checked++;
            const want = expected(route, who);
            const label = `${who} ${route.method} ${url}`;
            if (res.statusCode !== want)
              failures.push(`${label}: ${res.statusCode}, expected ${want} ${res.body.slice(0, 200)}`);
            if (want === 303 && who === 'signed_out') {
              expect(res.headers.location, label).toBe(`/signin?next=${encodeURIComponent(url)}`);
            }
            if (want === 401 || want === 403 || want === 404 || (who === 'signed_out' && want === 303)) {
              // Zero leaks: a refused response carries neither the title nor the link token.
              if (res.body.includes(TITLE) || res.body.includes('Secret Study'))
                failures.push(`${label}: leaks the title`);
              if (res.body.includes(publicToken)) failures.push(`${label}: leaks the link token`);
              if (res.headers['content-disposition']) failures.push(`${label}: sends a file`);
            }
          }
        }
        expect(failures).toEqual([]);
        expect(checked).toBe(routes().length * WHO.length);
        // The state changes above were made by the owner only.
        const actions = (await t.store.audit.listForStudy(studyId)).map(
          (e) => `${e.action}:${e.actorUserId}`,
        );
        const ownerId = (await t.store.users.byEmail('owner@example.org'))!.id;
        const analystId = (await t.store.users.byEmail('analyst@example.org'))!.id;
        for (const a of actions) {
          if (a.startsWith('study.') || a.startsWith('role.') || a.startsWith('referral.'))
            expect(a.endsWith(`:${ownerId}`), a).toBe(true);
        }
        expect(actions).toContain(`export.csv:${analystId}`);
        expect(actions).not.toContain(
          `export.csv:${(await t.store.users.byEmail('viewer@example.org'))!.id}`,
        );
      });

      it('answers a study that does not exist exactly like a study without a role', async () => {
        const owner = browsers.get('owner')!;
        const other = browsers.get('other_study')!;
        const missing = await t.app.inject({
          method: 'GET',
          url: '/studies/987654',
          headers: { cookie: owner.cookie },
        });
        const noRole = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}`,
          headers: { cookie: other.cookie },
        });
        expect(missing.statusCode).toBe(404);
        expect(noRole.statusCode).toBe(404);
        expect(noRole.body).toBe(missing.body);
        for (const bad of ['/studies/abc', '/studies/0', '/studies/1e3', '/studies/-1/edit']) {
          const r = await t.app.inject({ method: 'GET', url: bad, headers: { cookie: owner.cookie } });
          expect(r.statusCode, bad).toBe(404);
        }
        // And the other study's owner sees only their own on the dashboard.
        const dash = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: other.cookie } });
        expect(dash.body).toContain('Other Study Beta');
        expect(dash.body).not.toContain(TITLE);
        // Cross-study: the owner of Alpha has no access to Beta.
        const cross = await t.app.inject({
          method: 'GET',
          url: `/studies/${otherId}/analysis`,
          headers: { cookie: owner.cookie },
        });
        expect(cross.statusCode).toBe(404);
        expect(cross.body).not.toContain('Other Study Beta');
      });

      it('lets only the owner manage roles, refusing to remove the last owner', async () => {
        const owner = browsers.get('owner')!;
        const ownerId = (await t.store.users.byEmail('owner@example.org'))!.id;
        const r = await t.app.inject({
          method: 'POST',
          url: `/studies/${studyId}/roles/remove`,
          headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: formBody({ userId: String(ownerId), _csrf: owner.csrf }),
        });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('A study needs at least one owner');
        const unknown = await t.app.inject({
          method: 'POST',
          url: `/studies/${studyId}/roles`,
          headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: formBody({ email: 'nobody@example.org', role: 'analyst', _csrf: owner.csrf }),
        });
        // An invitation, answered as for an existing account (no enumeration; test/server/hardening.test.ts).
        expect(unknown.statusCode).toBe(303);
        expect(await t.store.roles.invitations(studyId)).toMatchObject([
          { email: 'nobody@example.org', role: 'analyst' },
        ]);
        const audit = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}/audit`,
          headers: { cookie: owner.cookie },
        });
        expect(audit.body).toContain('The audit chain is intact');
        // Newest first.
        const first = audit.body.indexOf('<code>study.reopen</code>');
        const earlier = audit.body.indexOf('<code>study.close</code>');
        expect(first).toBeGreaterThan(0);
        expect(first).toBeLessThan(earlier);
      });

      it('shows viewers aggregates only: no exports, no preview, no link', async () => {
        const viewer = browsers.get('viewer')!;
        const overview = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}`,
          headers: { cookie: viewer.cookie },
        });
        expect(overview.statusCode).toBe(200);
        expect(overview.body).not.toContain(`href="/studies/${studyId}/exports"`);
        expect(overview.body).not.toContain(`href="/studies/${studyId}/preview"`);
        expect(overview.body).not.toContain(publicToken);
        const analysis = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}/analysis`,
          headers: { cookie: viewer.cookie },
        });
        expect(analysis.statusCode).toBe(200);
        expect(analysis.body).toContain('cells with fewer than 5 respondents are suppressed');
      });
    });
  });
}
