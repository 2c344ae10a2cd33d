/**
 * Duplicating, archiving, restoring and deleting a study from the studio (issue 14), in process on every
 * backend: the copy is a new draft with the design and no data; an archived study leaves the dashboard, is
 * closed to respondents and cannot be reopened until restored; a deletion needs the title typed exactly
 * (a mismatch is a 400 with the problem linked to the field and nothing deleted) and then removes the study
 * with its data; every change is in the audit log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duplicateDefinition } from '../../src/core/study/lifecycle.js';
import {
  baceStudyDefinition,
  createStudy,
  ownerStudio,
  type SignedIn,
  serverBackends,
  type studioClient,
  type TestApp,
} from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;
let owner: SignedIn;

async function openStudyWithResponse(): Promise<number> {
  const { id } = await createStudy(t.store, {
    ownerId: owner.user.id,
    definition: { ...baceStudyDefinition(), title: 'Exam stress 2026' },
  });
  await t.store.responses.insert({
    studyId: id,
    idempotencyKey: 'k'.repeat(32),
    answers: {},
    language: 'en',
  });
  return id;
}

for (const backend of serverBackends()) {
  describe(`study lifecycle over HTTP on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c, owner } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    it('duplicates a study into a new draft with its design, none of its data, audited', async () => {
      const id = await openStudyWithResponse();
      const r = await c.post(`/studies/${id}/duplicate`, {});
      expect(r.statusCode).toBe(303);
      const copyId = Number(/^\/studies\/(\d+)\/edit/.exec(String(r.headers.location))![1]);
      expect(copyId).not.toBe(id);
      const copy = (await t.store.studies.byId(copyId))!;
      expect(copy).toMatchObject({ title: 'Copy of Exam stress 2026', status: 'draft', version: 1 });
      const source = (await t.store.studies.byId(id))!;
      expect(copy.definition).toEqual(duplicateDefinition(source.definition, 'Copy of Exam stress 2026'));
      expect(await t.store.responses.count(copyId)).toBe(0);
      expect(await t.store.responses.count(id)).toBe(1);
      const audit = await t.store.audit.listForStudy(copyId);
      expect(audit.map((e) => [e.action, e.actorUserId, e.detail])).toEqual([
        ['study.duplicate', owner.user.id, { from: id, fromVersion: source.version }],
      ]);
      const page = await c.get(`/studies/${copyId}/edit?saved=duplicate`);
      expect(page.statusCode).toBe(200);
    });

    it('archives: hidden from the dashboard, closed to respondents, not reopenable; restore lists it again', async () => {
      const id = await openStudyWithResponse();
      const token = (await t.store.studies.byId(id))!.publicToken;
      expect((await c.get('/')).body).toContain('Exam stress 2026');
      const overview = await c.get(`/studies/${id}`);
      expect(overview.body).toContain('Archive “Exam stress 2026”');
      expect(overview.body).toContain('Duplicate “Exam stress 2026”');

      expect((await c.post(`/studies/${id}/archive`, {})).headers.location).toBe('/archive');
      const archived = (await t.store.studies.byId(id))!;
      expect(archived.status).toBe('closed');
      expect(archived.archivedAt).not.toBeNull();
      expect((await c.get('/')).body).not.toContain('Exam stress 2026');
      expect((await c.get('/archive')).body).toContain('Restore “Exam stress 2026”');
      // Respondents find it closed (after the link cache's second).
      await new Promise((r) => setTimeout(r, 1100));
      const resp = await t.app.inject({ method: 'GET', url: `/s/${token}` });
      expect(resp.body.toLowerCase()).toContain('closed');
      const refused = await c.post(`/studies/${id}/reopen`, {});
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('The study is archived: restore it');

      expect((await c.post(`/studies/${id}/restore`, {})).headers.location).toBe(`/studies/${id}`);
      expect((await t.store.studies.byId(id))!).toMatchObject({ status: 'closed', archivedAt: null });
      expect((await c.get('/')).body).toContain('Exam stress 2026');
      expect((await c.post(`/studies/${id}/reopen`, {})).body).not.toContain('The study is archived');
      const actions = (await t.store.audit.listForStudy(id)).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['study.archive', 'study.restore']));
    });

    it('deletes only after the title is typed exactly, with all the data, keeping the audit entry', async () => {
      const id = await openStudyWithResponse();
      const confirm = await c.get(`/studies/${id}/delete`);
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain('1 response;');

      const wrong = await c.post(`/studies/${id}/delete`, { confirm: 'Exam stress' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('&quot;Exam stress&quot; is not the study&#39;s title');
      expect(wrong.body).toMatch(
        /id="del-confirm"[^>]*aria-describedby="del-confirm-e"[^>]*aria-invalid="true" autofocus/,
      );
      expect(wrong.body).toContain('<title>Error: Delete');
      expect(await t.store.studies.byId(id)).toBeDefined();
      expect(await t.store.responses.count(id)).toBe(1);

      const ok = await c.post(`/studies/${id}/delete`, { confirm: '  Exam stress 2026 ' });
      expect(ok.statusCode).toBe(303);
      expect(await t.store.studies.byId(id)).toBeUndefined();
      expect(await t.store.responses.count(id)).toBe(0);
      const last = (await t.store.audit.listForStudy(id)).at(-1)!;
      expect(last).toMatchObject({
        action: 'study.delete',
        actorUserId: owner.user.id,
        detail: { title: 'Exam stress 2026', responses: 1 },
      });
      expect((await c.get(`/studies/${id}`)).statusCode).toBe(404);
    });

    it('lets only the owner duplicate, archive or delete', async () => {
      const id = await openStudyWithResponse();
      const u = await t.createUser({ email: 'ann@example.org', name: 'Ann Analyst' });
      await t.store.roles.grant({ studyId: id, userId: u.id, role: 'analyst' });
      const analyst = await t.signIn(u.email, u.password);
      const post = (url: string) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: analyst.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `_csrf=${encodeURIComponent(analyst.csrf)}&confirm=Exam+stress+2026`,
        });
      for (const a of ['duplicate', 'archive', 'delete'])
        expect((await post(`/studies/${id}/${a}`)).statusCode).toBe(403);
      expect(await t.store.studies.byId(id)).toBeDefined();
    });
  });
}
