/**
 * Follow-up volunteers (src/store/volunteers.ts), on SQLite and PostgreSQL (NABZ_TEST_PG_URL): contact details
 * sealed at rest (no plaintext in any column, a box moved to another row does not open), release in batches of
 * k, no column that refers to a response or orders rows by arrival, status, participant link, removal, and
 * deletion with the study's data.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Store, volunteerCodeHash } from '../../src/store/index.js';
import { removeStudyVolunteers } from '../../src/store/volunteers.js';
import { makeOpenStudy, type TestDatabase, testBackends, useStore } from './backends.js';

const details = (n: number, bands: Record<string, string | null> = { dass21_d: 'Moderate' }) => ({
  contact: { name: `Volunteer ${n}`, email: `volunteer${n}@example.org`, phone: `+92 300 000000${n}` },
  code: randomBytes(10).toString('hex').toUpperCase(),
  bands,
  language: 'en',
});

for (const backend of testBackends()) {
  describe(`volunteers (${backend.name})`, () => {
    let store: Store;
    let database: TestDatabase;
    useStore(backend, (t) => {
      store = t.store;
      database = t.db;
    });

    it('keeps volunteers waiting until k of them wait, then shows them all as one batch', async () => {
      const { study } = await makeOpenStudy(store);
      const added = [];
      for (let i = 1; i <= 2; i++) {
        const d = details(i);
        added.push(d);
        expect(await store.volunteers.add({ studyId: study.id, details: d, k: 3 })).toEqual({
          released: false,
        });
      }
      expect(await store.volunteers.list(study.id)).toEqual({ volunteers: [], waiting: 2 });
      const third = details(3);
      expect(await store.volunteers.add({ studyId: study.id, details: third, k: 3 })).toEqual({
        released: true,
      });
      const { volunteers, waiting } = await store.volunteers.list(study.id);
      expect(waiting).toBe(0);
      expect(volunteers.map((v) => v.batch)).toEqual([1, 1, 1]);
      expect(volunteers.map((v) => v.contact.email).sort()).toEqual([
        'volunteer1@example.org',
        'volunteer2@example.org',
        'volunteer3@example.org',
      ]);
      const one = volunteers.find((v) => v.code === third.code)!;
      expect(one).toMatchObject({
        status: 'volunteered',
        participantId: null,
        bands: { dass21_d: 'Moderate' },
      });
      // The next one waits again.
      await store.volunteers.add({ studyId: study.id, details: details(4), k: 3 });
      expect((await store.volunteers.list(study.id)).waiting).toBe(1);
      // A code used already is refused (primary key).
      await expect(store.volunteers.add({ studyId: study.id, details: third, k: 3 })).rejects.toThrow();
    });

    it('stores no contact, code or band in clear, and no column that refers to a response or a time', async () => {
      const { study } = await makeOpenStudy(store);
      const d = details(7, { dass21_d: 'Extremely severe' });
      await store.volunteers.add({ studyId: study.id, details: d, k: 1 });
      const raw = await database.raw();
      const rows = await raw.query<Record<string, unknown>>(
        `SELECT * FROM volunteers WHERE study_id = ${study.id}`,
      );
      expect(Object.keys(rows[0]!).sort()).toEqual(
        ['batch', 'code_hash', 'participant_id', 'sealed', 'status', 'study_id'].sort(),
      );
      const dump = JSON.stringify(rows, (_k, v) =>
        v instanceof Uint8Array || (v && v.type === 'Buffer')
          ? Buffer.from(v.data ?? v).toString('latin1')
          : v,
      );
      for (const secret of ['volunteer7@example.org', '000007', 'Volunteer 7', d.code, 'Extremely severe'])
        expect(dump).not.toContain(secret);
      expect(rows[0]!.code_hash).toBe(volunteerCodeHash(d.code));
      if (backend.name === 'sqlite') {
        const t = await raw.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'volunteers'");
        expect(t[0]!.sql).toMatch(/WITHOUT ROWID/);
      }
      // A box moved onto another volunteer's row does not open (the row is its additional data).
      const other = details(8);
      await store.volunteers.add({ studyId: study.id, details: other, k: 1 });
      await raw.exec(
        `UPDATE volunteers SET sealed = (SELECT sealed FROM volunteers WHERE code_hash = '${volunteerCodeHash(d.code)}') WHERE code_hash = '${volunteerCodeHash(other.code)}'`,
      );
      await expect(store.volunteers.get(study.id, volunteerCodeHash(other.code))).rejects.toThrow();
      await raw.close();
    });

    it('tracks status and the participant made, removes one, and all with the study data', async () => {
      const { study } = await makeOpenStudy(store);
      const d = details(1);
      await store.volunteers.add({ studyId: study.id, details: d, k: 1 });
      await store.volunteers.add({ studyId: study.id, details: details(2), k: 1 });
      const h = volunteerCodeHash(d.code);
      expect(await store.volunteers.setStatus(study.id, h, 'invited')).toBe(true);
      expect(await store.volunteers.setParticipant(study.id, h, 'p-1')).toBe(true);
      expect(await store.volunteers.get(study.id, h)).toMatchObject({
        status: 'invited',
        participantId: 'p-1',
      });
      expect(await store.volunteers.setStatus(study.id, '0'.repeat(64), 'invited')).toBe(false);
      expect(await store.volunteers.remove(study.id, h)).toBe(true);
      expect(await store.volunteers.get(study.id, h)).toBeUndefined();
      expect((await store.volunteers.list(study.id)).volunteers).toHaveLength(1);
      await store.studies.deleteData(study.id);
      expect(await store.volunteers.list(study.id)).toEqual({ volunteers: [], waiting: 0 });
    });

    it('closing or archiving an open study deletes its volunteers', async () => {
      const a = await makeOpenStudy(store);
      const b = await makeOpenStudy(store);
      await store.volunteers.add({ studyId: a.study.id, details: details(1), k: 1 });
      await store.volunteers.add({ studyId: b.study.id, details: details(2), k: 1 });
      await store.studies.setStatus({ studyId: a.study.id, status: 'closed' });
      expect(await store.volunteers.list(a.study.id)).toEqual({ volunteers: [], waiting: 0 });
      expect((await store.volunteers.list(b.study.id)).volunteers).toHaveLength(1);
      await store.studies.setArchived({ studyId: b.study.id, archived: true });
      expect(await store.volunteers.list(b.study.id)).toEqual({ volunteers: [], waiting: 0 });
    });

    it('removeStudyVolunteers deletes every volunteer of the study only', async () => {
      const a = await makeOpenStudy(store);
      const b = await makeOpenStudy(store);
      await store.volunteers.add({ studyId: a.study.id, details: details(1), k: 1 });
      await store.volunteers.add({ studyId: a.study.id, details: details(2), k: 5 });
      await store.volunteers.add({ studyId: b.study.id, details: details(3), k: 1 });
      expect(await removeStudyVolunteers(store.db, a.study.id)).toBe(2);
      expect((await store.volunteers.list(b.study.id)).volunteers).toHaveLength(1);
    });
  });
}
