/**
 * A study's life in the studio (issue 14) on every backend: duplicating copies the definition and the privacy
 * settings but no data, role or acknowledgement; archiving hides it from the owner's list and closes an open
 * study, restoring brings it back closed; deleting removes the study with every row that belongs to it
 * (responses, drafts, counters, links, invitations, qualitative project, uploads, versions, roles) in one
 * transaction and keeps the audit log.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { makeOpenStudy, makeOwner, newKey, type TestDatabase, testBackends } from './backends.js';

/** Tables with a study_id column whose rows belong to the study (all but the audit log). */
const STUDY_TABLES = [
  'study_versions',
  'study_roles',
  'instrument_acknowledgements',
  'responses',
  'resume_drafts',
  'progress_counters',
  'referral_links',
  'qual_projects',
  'study_invitations',
  'invite_links',
  'response_uploads',
  'account_links',
] as const;

for (const backend of testBackends()) {
  describe(`study lifecycle on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    const rowsOf = async (studyId: number): Promise<Record<string, number>> => {
      const raw = await db.raw();
      try {
        const out: Record<string, number> = {};
        for (const t of STUDY_TABLES) {
          const r = await raw.query<{ n: number | string }>(
            `SELECT count(*) AS n FROM ${t} WHERE study_id = ${studyId}`,
          );
          out[t] = Number(r[0]!.n);
        }
        return out;
      } finally {
        await raw.close();
      }
    };

    /** An open study with a row in every table that can hold one. */
    const fullStudy = async () => {
      const { study, ownerId } = await makeOpenStudy(store);
      await store.responses.insert({
        studyId: study.id,
        version: 1,
        idempotencyKey: newKey(),
        answers: {},
        language: 'en',
      });
      await store.drafts.save({
        studyId: study.id,
        code: 'DRAFT234',
        version: 1,
        state: { v: 1, answers: {}, seen: [], at: 'p1' },
        page: 0,
        expiresAt: new Date('2100-01-01T00:00:00Z'),
      });
      await store.counters.increment({ studyId: study.id, name: 'started' });
      await store.referrals.create({ studyId: study.id });
      await store.acknowledgements.record({ studyId: study.id, instrumentId: 'bace-v3', userId: ownerId });
      await store.inviteLinks.create({ studyId: study.id, tokenHashes: ['a'.repeat(64)] });
      const project = await store.qual.create({
        studyId: study.id,
        name: 'Interviews',
        actor: { coderId: 'u1', userId: ownerId },
      });
      expect(project.ok).toBe(true);
      const analyst = await makeOwner(store);
      await store.roles.grant({ studyId: study.id, userId: analyst.id, role: 'analyst' });
      await store.roles.invite({
        studyId: study.id,
        email: 'viewer@example.org',
        role: 'viewer',
        invitedBy: ownerId,
      });
      await store.accountLinks.create({
        token: `invitation-link-${newKey()}`,
        kind: 'invite',
        studyId: study.id,
        role: 'viewer',
        createdBy: ownerId,
        expiresAt: new Date('2100-01-01T00:00:00Z'),
      });
      return { study, ownerId };
    };

    it('duplicates the definition and settings into a new draft study with none of the data', async () => {
      const { study, ownerId } = await fullStudy();
      await store.studies.setSettings({ studyId: study.id, invitationOnly: true, minCellSize: 8 });
      const copier = await makeOwner(store);
      const copy = await store.studies.duplicate({
        fromStudyId: study.id,
        title: 'Copy of Burnout among interns',
        ownerId: copier.id,
        definition: { instruments: [{ instrument: 'bace3' }], languages: ['en'] },
        consentText: 'I agree.',
      });
      expect(copy).toBeDefined();
      expect(copy!.id).not.toBe(study.id);
      expect(copy!.publicToken).not.toBe(study.publicToken);
      expect(copy).toMatchObject({
        title: 'Copy of Burnout among interns',
        status: 'draft',
        version: 1,
        anonymous: true,
        invitationOnly: true,
        minCellSize: 8,
        openedAt: null,
        archivedAt: null,
        definition: { instruments: [{ instrument: 'bace3' }], languages: ['en'] },
      });
      expect(await rowsOf(copy!.id)).toEqual({
        ...Object.fromEntries(STUDY_TABLES.map((t) => [t, 0])),
        study_versions: 1,
        study_roles: 1,
      });
      expect(await store.roles.roleOf({ studyId: copy!.id, userId: copier.id })).toBe('owner');
      expect(await store.roles.roleOf({ studyId: copy!.id, userId: ownerId })).toBeNull();
      expect(await store.studies.duplicate({ ...copyInput(copier.id), fromStudyId: 999999 })).toBeUndefined();
    });

    it('archives (hidden, closed) and restores (listed, still closed)', async () => {
      const { study, ownerId } = await makeOpenStudy(store);
      const other = await store.studies.create({ title: 'Kept', ownerId, definition: {} });
      const at = new Date('2026-12-07T10:00:00Z');
      const archived = await store.studies.setArchived({ studyId: study.id, archived: true, now: at });
      expect(archived).toMatchObject({ status: 'closed', archivedAt: at, closedAt: at });
      expect((await store.studies.linkState(study.publicToken))?.status).toBe('closed');
      expect((await store.studies.listForUser(ownerId)).map((s) => s.id)).toEqual([other.id]);
      expect((await store.studies.listForUser(ownerId, { archived: 'only' })).map((s) => s.id)).toEqual([
        study.id,
      ]);
      expect(await store.studies.listForUser(ownerId, { archived: 'include' })).toHaveLength(2);

      const restored = await store.studies.setArchived({ studyId: study.id, archived: false });
      expect(restored).toMatchObject({ status: 'closed', archivedAt: null, closedAt: at });
      expect((await store.studies.listForUser(ownerId)).map((s) => s.id).sort()).toEqual(
        [study.id, other.id].sort(),
      );
      // A draft study stays a draft when archived.
      expect((await store.studies.setArchived({ studyId: other.id, archived: true }))?.status).toBe('draft');
      expect(await store.studies.setArchived({ studyId: 999999, archived: true })).toBeUndefined();
    });

    it('deletes a study with all its data in one transaction and keeps the audit log', async () => {
      const { study } = await fullStudy();
      const before = await rowsOf(study.id);
      for (const t of STUDY_TABLES) if (t !== 'response_uploads') expect(before[t], t).toBeGreaterThan(0);
      const deleted = await store.audited(
        (tx) => tx.studies.deleteWithData(study.id),
        (d) => ({ action: 'study.delete', studyId: study.id, actorUserId: null, detail: { ...d } }),
      );
      expect(deleted).toEqual({ responses: 1, drafts: 1, counters: 1, referralLinks: 1 });
      expect(await store.studies.byId(study.id)).toBeUndefined();
      expect(Object.values(await rowsOf(study.id)).every((n) => n === 0)).toBe(true);
      expect((await store.audit.listForStudy(study.id)).map((e) => e.action)).toContain('study.delete');
      expect(await store.studies.deleteWithData(study.id)).toBeUndefined();
    });

    it('deletes a study whose stored definition is damaged (its reads refuse it)', async () => {
      const { study } = await fullStudy();
      const damaged = '{"id":"x","questions":[{"id":"q1","type":"dial"}]}';
      await sql`UPDATE studies SET definition = ${sql.raw(backend.name === 'postgres' ? `'${damaged}'::jsonb` : `'${damaged}'`)} WHERE id = ${study.id}`.execute(
        store.db,
      );
      await expect(store.studies.byId(study.id)).rejects.toMatchObject({ code: 'decode' });
      expect(await store.studies.deleteWithData(study.id)).toEqual({
        responses: 1,
        drafts: 1,
        counters: 1,
        referralLinks: 1,
      });
      expect(Object.values(await rowsOf(study.id)).every((n) => n === 0)).toBe(true);
    });

    it('leaves everything when the audit entry of a deletion is refused', async () => {
      const { study } = await fullStudy();
      const before = await rowsOf(study.id);
      await expect(
        store.audited(
          (tx) => tx.studies.deleteWithData(study.id),
          () => ({ action: '', studyId: study.id, actorUserId: null }),
        ),
      ).rejects.toThrow();
      expect(await rowsOf(study.id)).toEqual(before);
      expect((await store.studies.byId(study.id))?.id).toBe(study.id);
    });
  });
}

function copyInput(ownerId: number) {
  return { fromStudyId: 0, title: 'Copy', ownerId, definition: {} };
}
