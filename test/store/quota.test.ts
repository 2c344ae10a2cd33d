/**
 * A response quota is checked inside the insert's transaction against the `completed` progress counter
 * (src/store/responses.ts): N concurrent submissions against a quota of k store exactly k — in one group-commit
 * batch, across two stores on the same database (two servers: on PostgreSQL their transactions race for the
 * study's row lock), and one submission per transaction — and a repeat of a stored key is still answered once
 * the quota is full. On SQLite always, on PostgreSQL when NABZ_TEST_PG_URL is set.
 */
import { describe, expect, it } from 'vitest';
import type { InsertResponseResult, NewResponse, Store } from '../../src/store/index.js';
import {
  ans,
  makeOpenStudy,
  newKey,
  type RawConnection,
  type TestDatabase,
  testBackends,
  useStore,
} from './backends.js';

const COMPLETED = { limit: 0, counter: 'completed' } as const;

for (const backend of testBackends()) {
  describe(`response quota on ${backend.name}`, () => {
    let store: Store;
    let db: TestDatabase;
    let raw: RawConnection;
    useStore(backend, async (open) => {
      store = open.store;
      db = open.db;
      raw = await open.db.raw();
    });

    const rowCount = async (studyId: number) =>
      Number(
        (
          await raw.query<{ n: number | string }>(
            `SELECT count(*) AS n FROM responses WHERE study_id = ${Number(studyId)}`,
          )
        )[0]?.n,
      );

    const submission = (studyId: number, limit: number, n: number, key = newKey()): NewResponse => ({
      studyId,
      idempotencyKey: key,
      answers: ans({ n }),
      language: 'en',
      counters: ['started', 'completed'],
      quota: { ...COMPLETED, limit },
    });

    const tally = (results: readonly InsertResponseResult[]) => ({
      created: results.filter((r) => r.ok && r.created).length,
      full: results.filter((r) => !r.ok && r.code === 'quota_reached').length,
    });

    it('stores exactly k of N concurrent submissions in one batch (k = 7, N = 60)', async () => {
      const { study } = await makeOpenStudy(store);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => store.responses.insert(submission(study.id, 7, i))),
      );
      expect(tally(results)).toEqual({ created: 7, full: 53 });
      expect(await rowCount(study.id)).toBe(7);
      expect((await store.counters.read(study.id)).totals).toMatchObject({ completed: 7, started: 7 });
    });

    it('stores exactly k when two stores (two servers) race for the last places', async () => {
      const { study } = await makeOpenStudy(store);
      // Three stored already.
      for (let i = 0; i < 3; i++) await store.responses.insert(submission(study.id, 12, i));
      const other = await db.open();
      try {
        // Each submission in its own microtask turn from both stores: many small batches, interleaved.
        const results = await Promise.all(
          Array.from({ length: 40 }, async (_, i) => {
            await new Promise((r) => setImmediate(r));
            return (i % 2 ? other : store).responses.insert(submission(study.id, 12, 100 + i));
          }),
        );
        expect(tally(results)).toEqual({ created: 9, full: 31 });
      } finally {
        await other.close();
      }
      expect(await rowCount(study.id)).toBe(12);
      expect((await store.counters.read(study.id)).totals.completed).toBe(12);
    });

    it('stores exactly k one transaction per submission (inside a caller transaction), and answers a repeat once full', async () => {
      const { study } = await makeOpenStudy(store);
      const keys = Array.from({ length: 10 }, () => newKey());
      const results = await Promise.all(
        keys.map((key, i) =>
          store.transaction((tx) => tx.responses.insert(submission(study.id, 4, i, key))).catch((err) => err),
        ),
      );
      const ok = results.filter((r): r is InsertResponseResult => !(r instanceof Error));
      expect(ok).toHaveLength(10);
      expect(tally(ok)).toEqual({ created: 4, full: 6 });
      expect(await rowCount(study.id)).toBe(4);
      // A retry of a stored response is answered as that response; a new key is refused.
      const storedKey = keys[results.findIndex((r) => !(r instanceof Error) && r.ok && r.created)] as string;
      const again = await store.responses.insert(submission(study.id, 4, 0, storedKey));
      expect(again).toMatchObject({ ok: true, created: false });
      const fresh = await store.responses.insert(submission(study.id, 4, 99));
      expect(fresh).toMatchObject({ ok: false, code: 'quota_reached' });
      // A raised quota takes more.
      expect(await store.responses.insert(submission(study.id, 5, 100))).toMatchObject({
        ok: true,
        created: true,
      });
      expect(await rowCount(study.id)).toBe(5);
    });

    it('leaves other studies in the same batch alone, and refuses a quota its counters would not count', async () => {
      const { study: full } = await makeOpenStudy(store);
      const { study: plain } = await makeOpenStudy(store);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => store.responses.insert(submission(full.id, 2, i))),
        ...Array.from({ length: 10 }, (_, i) =>
          store.responses.insert({
            studyId: plain.id,
            idempotencyKey: newKey(),
            answers: ans({ n: i }),
            language: 'en',
            counters: ['completed'],
          }),
        ),
      ]);
      expect(tally(results.slice(0, 10))).toEqual({ created: 2, full: 8 });
      expect(tally(results.slice(10))).toEqual({ created: 10, full: 0 });
      await expect(
        store.responses.insert({ ...submission(plain.id, 3, 1), counters: ['started'] }),
      ).rejects.toThrow('The quota counter "completed" is not among the response\'s counters (started)');
    });
  });
}
