/**
 * Written consent in the qualitative project's document (src/store/qual.ts `ProjectDocSchema`, rules in
 * src/core/qual/consent.ts) on every backend: form versions and records round-trip through the store, a
 * project stored before they existed reads with empty lists, a record that breaks the schema is refused
 * with nothing written, and a withdrawal plan (participant deleted + withdrawal on the consent record) is one
 * transaction: when any change of it is refused, neither the deletion nor the withdrawal is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsentRecord, withdrawConsents } from '../../src/core/qual/consent.js';
import type { QualActor, Store } from '../../src/store/index.js';
import { makeOwner, type TestDatabase, testBackends } from './backends.js';

const A: QualActor = { coderId: 'u1', userId: null };

const FORM = {
  version: 'v1',
  language: 'ur' as const,
  title: 'رضامندی',
  text: 'میں رضامند ہوں۔',
  addedAt: '2026-12-01T10:00:00.000Z',
  addedBy: 'u1',
};
const RECORD: ConsentRecord = {
  id: 'consent-1',
  participantId: 'p1',
  pseudonym: 'P1',
  formVersion: 'v1',
  signedOn: '2026-11-30',
  signedAs: 'عائشہ خان',
  witness: 'W. S.',
  notes: '',
  recordedAt: '2026-12-01T10:05:00.000Z',
  recordedBy: 'u1',
};

for (const backend of testBackends()) {
  describe(`written consent storage on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    let projectId: number;
    let studyId: number;

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
      const owner = await makeOwner(store);
      studyId = (await store.studies.create({ title: 'FGD', ownerId: owner.id, definition: {} })).id;
      const r = await store.qual.create({ studyId, name: 'FGD', actor: A });
      if (!r.ok) throw new Error(r.message);
      projectId = r.value.id;
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    it('reads a project stored before consent existed with empty lists', async () => {
      const p = await store.qual.byStudy(studyId);
      expect(p?.doc.consentForms).toEqual([]);
      expect(p?.doc.consents).toEqual([]);
    });

    it('stores form versions and records in the project document, exactly (Urdu kept)', async () => {
      const r = await store.qual.apply(projectId, A, (s) => ({
        changes: [
          { kind: 'participant', id: 'p1', expect: 'new', data: { id: 'p1', pseudonym: 'P1' } },
          { kind: 'participant', id: 'p2', expect: 'new', data: { id: 'p2', pseudonym: 'P2' } },
        ],
        project: {
          doc: { ...s.project.doc, consentForms: [FORM], consents: [RECORD] },
          audit: { action: 'consent.record', before: null, after: { ...RECORD, signedAs: '[confidential]' } },
        },
        result: null,
      }));
      expect(r.ok).toBe(true);
      const p = await store.qual.byStudy(studyId);
      expect(p?.doc.consentForms).toEqual([FORM]);
      expect(p?.doc.consents).toEqual([RECORD]);
      expect(JSON.stringify(await store.qual.auditTrail(projectId))).not.toContain('عائشہ');
    });

    it('refuses a record that breaks the schema, writing nothing', async () => {
      const before = await store.qual.byStudy(studyId);
      await expect(
        store.qual.apply(projectId, A, (s) => ({
          project: {
            doc: {
              ...s.project.doc,
              consents: [...s.project.doc.consents, { ...RECORD, id: 'c2', signedOn: 'soon' }],
            },
            audit: { action: 'consent.record', before: null, after: null },
          },
          result: null,
        })),
      ).rejects.toThrow(/signedOn/);
      expect(await store.qual.byStudy(studyId)).toEqual(before);
    });

    it('commits a withdrawal with the deletion or not at all', async () => {
      const withdrawal = { at: '2026-12-07T09:00:00.000Z', by: 'u1', note: 'by phone' };
      const plan = (expect: number | 'any') =>
        store.qual.apply(projectId, A, (s) => ({
          changes: [{ kind: 'participant' as const, id: 'p1', expect, data: null }],
          project: {
            doc: { ...s.project.doc, consents: withdrawConsents(s.project.doc.consents, 'p1', withdrawal) },
            audit: { action: 'consent.withdraw', before: null, after: null },
          },
          result: null,
        }));
      const stale = await plan(99);
      expect(stale).toMatchObject({ ok: false, code: 'conflict' });
      expect((await store.qual.byStudy(studyId))?.doc.consents[0]?.withdrawal).toBeUndefined();
      expect(await store.qual.entity(projectId, 'participant', 'p1')).not.toBeNull();

      expect((await plan('any')).ok).toBe(true);
      expect(await store.qual.entity(projectId, 'participant', 'p1')).toBeNull();
      expect((await store.qual.byStudy(studyId))?.doc.consents).toEqual([{ ...RECORD, withdrawal }]);
    });
  });
}
