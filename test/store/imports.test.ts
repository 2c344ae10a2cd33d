/**
 * Imported responses (src/store/imports.ts), on SQLite and PostgreSQL (NABZ_TEST_PG_URL): every row and the
 * audit entry in one transaction (a failing row leaves nothing), re-importing the same file adds nothing, the
 * source mark, times of day only where the study records them, and pending uploads (replaced, deleted by the
 * import and by deleting the study's data).
 */
import { describe, expect, it } from 'vitest';
import { fileSha256, importSource, type Store } from '../../src/store/index.js';
import { makeOpenStudy, makeOwner, testBackends, useStore } from './backends.js';

const rows = (n: number, at?: Date) =>
  Array.from({ length: n }, (_, i) => ({
    row: i + 1,
    answers: { bace3_01: { kind: 'value', value: i % 4 } },
    submittedAt: at ?? null,
  }));

const SHA = fileSha256(new TextEncoder().encode('Timestamp,Gender\n2024/03/14 10:15:23 AM GMT+5,Female\n'));

for (const backend of testBackends()) {
  describe(`imports (${backend.name})`, () => {
    let store: Store;
    useStore(backend, ({ store: s }) => {
      store = s;
    });

    /** Import `n` rows of the file SHA into a study, as `actor`. */
    const importN = (studyId: number, actor: number, n: number) =>
      store.imports.importRows({
        studyId,
        actorUserId: actor,
        sha256: SHA,
        fileName: 'responses.csv',
        rows: rows(n),
        language: 'en',
      });

    it('stores every row with its source mark and one audit entry by the actor; the same file again adds nothing', async () => {
      const { study, ownerId } = await makeOpenStudy(store);
      const first = await importN(study.id, ownerId, 5);
      expect(first).toEqual({ ok: true, added: 5, already: 0, source: importSource(SHA) });
      const stored = await store.responses.list(study.id);
      expect(stored).toHaveLength(5);
      expect(stored.every((r) => r.source === `imported:${SHA.slice(0, 12)}`)).toBe(true);
      expect(stored.map((r) => (r.answers as Record<string, { value: number }>).bace3_01!.value)).toEqual([
        0, 1, 2, 3, 0,
      ]);
      const audit = await store.audit.listForStudy(study.id, { action: 'responses.import' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorUserId: ownerId, studyId: study.id });
      expect(audit[0]!.detail).toEqual({
        added: 5,
        already: 0,
        file: 'responses.csv',
        rows: 5,
        sha256: SHA,
        source: importSource(SHA),
      });

      // The same file, now with two more rows: only those are added.
      const again = await importN(study.id, ownerId, 7);
      expect(again).toMatchObject({ ok: true, added: 2, already: 5 });
      expect(await store.responses.count(study.id)).toBe(7);
      expect(await store.imports.countImported(study.id, SHA)).toBe(7);
      // Exactly the same file: nothing added, no audit entry.
      const third = await importN(study.id, ownerId, 7);
      expect(third).toMatchObject({ ok: true, added: 0, already: 7 });
      expect(await store.audit.listForStudy(study.id, { action: 'responses.import' })).toHaveLength(2);
      expect(await store.imports.sources(study.id)).toEqual([{ source: importSource(SHA), count: 7 }]);
      // A collected response has no source.
      const collected = await store.responses.insert({
        studyId: study.id,
        idempotencyKey: 'k'.repeat(64),
        answers: {},
        language: 'en',
      });
      expect(collected.ok).toBe(true);
      expect((await store.responses.byIdempotencyKey(study.id, 'k'.repeat(64)))!.source).toBeNull();
    });

    it('all or nothing: a row that cannot be stored leaves no row, no audit entry and the upload in place', async () => {
      const { study, ownerId } = await makeOpenStudy(store);
      const up = await store.imports.saveUpload({
        studyId: study.id,
        userId: ownerId,
        fileName: 'x.csv',
        format: 'csv',
        bytes: new TextEncoder().encode('a\n1\n'),
      });
      const bad = rows(5).map((r, i) =>
        i === 3 ? { ...r, answers: { bace3_01: { kind: 'value', value: 1n } } } : r,
      );
      await expect(
        store.imports.importRows({
          studyId: study.id,
          actorUserId: ownerId,
          sha256: SHA,
          fileName: 'x.csv',
          rows: bad,
          language: 'en',
          uploadId: up.id,
        }),
      ).rejects.toThrow();
      expect(await store.responses.count(study.id)).toBe(0);
      expect(await store.audit.listForStudy(study.id, { action: 'responses.import' })).toHaveLength(0);
      expect(await store.imports.upload(study.id, up.id, ownerId)).toBeDefined();
      // The good file goes in and takes its upload with it.
      const ok = await store.imports.importRows({
        studyId: study.id,
        actorUserId: ownerId,
        sha256: SHA,
        fileName: 'x.csv',
        rows: rows(5),
        language: 'en',
        uploadId: up.id,
      });
      expect(ok).toMatchObject({ ok: true, added: 5 });
      expect(await store.imports.upload(study.id, up.id, ownerId)).toBeUndefined();
    });

    it('keeps the time of day only when the study records times; the calendar day always', async () => {
      const at = new Date('2024-03-14T05:15:23Z');
      const anonymous = await makeOpenStudy(store);
      await store.imports.importRows({
        studyId: anonymous.study.id,
        actorUserId: anonymous.ownerId,
        sha256: SHA,
        fileName: 'x.csv',
        rows: rows(2, at),
        language: 'en',
      });
      for (const r of await store.responses.list(anonymous.study.id)) {
        expect(r.submittedAt).toBeNull();
        expect(r.submittedOn).toBe('2024-03-14');
      }
      const timed = await makeOpenStudy(store, { recordTimes: true });
      await store.imports.importRows({
        studyId: timed.study.id,
        actorUserId: timed.ownerId,
        sha256: SHA,
        fileName: 'x.csv',
        rows: rows(2, at),
        language: 'en',
      });
      for (const r of await store.responses.list(timed.study.id))
        expect(r.submittedAt?.toISOString()).toBe(at.toISOString());
    });

    it('refuses an unknown study and an empty file; uploads are replaced per user and deleted with the study data', async () => {
      const ownerId = (await makeOwner(store)).id;
      expect(
        await store.imports.importRows({
          studyId: 999_999,
          actorUserId: ownerId,
          sha256: SHA,
          fileName: 'x',
          rows: rows(1),
          language: 'en',
        }),
      ).toMatchObject({ ok: false, code: 'unknown_study' });
      const { study } = await makeOpenStudy(store, { ownerId });
      expect(
        await store.imports.importRows({
          studyId: study.id,
          actorUserId: ownerId,
          sha256: SHA,
          fileName: 'x',
          rows: [],
          language: 'en',
        }),
      ).toMatchObject({ ok: false, code: 'empty' });
      const bytes = new TextEncoder().encode('a,b\n1,2\n');
      const a = await store.imports.saveUpload({
        studyId: study.id,
        userId: ownerId,
        fileName: 'a.csv',
        format: 'csv',
        bytes,
      });
      expect(a.sha256).toBe(fileSha256(bytes));
      const got = await store.imports.upload(study.id, a.id, ownerId);
      expect(Buffer.from(got!.bytes).toString('utf8')).toBe('a,b\n1,2\n');
      expect(await store.imports.upload(study.id, a.id, ownerId + 1)).toBeUndefined();
      const b = await store.imports.saveUpload({
        studyId: study.id,
        userId: ownerId,
        fileName: 'b.csv',
        format: 'csv',
        bytes,
      });
      expect(await store.imports.upload(study.id, a.id, ownerId)).toBeUndefined();
      expect(await store.imports.setMapping(study.id, b.id, { columns: { a: null } })).toBe(true);
      expect((await store.imports.upload(study.id, b.id, ownerId))!.mapping).toEqual({
        columns: { a: null },
      });
      await store.studies.deleteData(study.id);
      expect(await store.imports.upload(study.id, b.id, ownerId)).toBeUndefined();
    });

    it('an upload older than a day is deleted by the housekeeping sweep, a newer one is kept', async () => {
      const { study, ownerId } = await makeOpenStudy(store);
      const bytes = new TextEncoder().encode('a,b\n1,2\n');
      const at = new Date('2026-03-01T10:00:00Z');
      const old = await store.imports.saveUpload({
        studyId: study.id,
        userId: ownerId,
        fileName: 'o.csv',
        format: 'csv',
        bytes,
        now: at,
      });
      const other = await makeOwner(store);
      const fresh = await store.imports.saveUpload({
        studyId: study.id,
        userId: other.id,
        fileName: 'n.csv',
        format: 'csv',
        bytes,
        now: new Date(at.getTime() + 20 * 3600_000),
      });
      expect(await store.imports.deleteExpired(new Date(at.getTime() + 23 * 3600_000))).toBe(0);
      expect(await store.imports.deleteExpired(new Date(at.getTime() + 25 * 3600_000))).toBe(1);
      expect(await store.imports.upload(study.id, old.id, ownerId)).toBeUndefined();
      expect(await store.imports.upload(study.id, fresh.id, other.id)).toBeDefined();
    });
  });
}
