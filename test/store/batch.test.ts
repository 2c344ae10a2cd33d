/**
 * Group commit of responses: many submissions arriving together (some repeating a key, one invalid) are stored
 * exactly once per key, each caller gets the id of its key's row, every promise settles only after the COMMIT
 * that holds its row, counters count each stored response once, and one bad row does not fail the others.
 * On both backends the submissions that arrive while earlier ones are being stored share one transaction.
 */

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type InsertResponseResult, openStore, type Store, type StoreConfig } from '../../src/store/index.js';
import { ans, makeOpenStudy, newKey, type RawConnection, testBackends, useStore } from './backends.js';

for (const backend of testBackends()) {
  describe(`grouped response inserts on ${backend.name}`, () => {
    let store: Store;
    let raw: RawConnection;
    let config: StoreConfig;
    useStore(backend, async (open) => {
      store = open.store;
      config = open.db.config;
      raw = await open.db.raw(); // closed by the database's dispose
    });

    const rowsOf = async (studyId: number) =>
      raw.query<{ id: number | string; idempotency_key: string; answers: unknown }>(
        `SELECT id, idempotency_key, answers FROM responses WHERE study_id = ${Number(studyId)} ORDER BY id`,
      );

    it('stores 120 concurrent submissions over 80 keys once per key, each resolved with its key’s id after COMMIT', async () => {
      const { study } = await makeOpenStudy(store);
      const keys = Array.from({ length: 80 }, () => newKey());
      // Every key once, then 40 repeats of the first 40 keys (with different answers: the first wins).
      const plan = [
        ...keys.map((k, i) => ({ key: k, n: i })),
        ...keys.slice(0, 40).map((k, i) => ({ key: k, n: 1000 + i })),
      ];
      const seenAtSettle: number[] = [];
      const before = store.responses.groupStats();
      const results = await Promise.all(
        plan.map(({ key, n }) =>
          store.responses
            .insert({
              studyId: study.id,
              idempotencyKey: key,
              answers: ans({ n }),
              language: 'en',
              counters: ['started', 'completed'],
            })
            .then(async (r: InsertResponseResult) => {
              // Read through another connection: only committed rows are visible there.
              if (r.ok) {
                const found = await raw.query<{ n: number | string }>(
                  `SELECT count(*) AS n FROM responses WHERE id = ${Number(r.id)}`,
                );
                seenAtSettle.push(Number(found[0]?.n));
              }
              return r;
            }),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(seenAtSettle).toEqual(plan.map(() => 1));
      // Every group transaction succeeded as a whole (none fell back to one submission per transaction): the
      // one-statement insert of plain submissions (PostgreSQL: unnest) ran and its ids are the rows' ids.
      expect(store.responses.groupStats().retried).toBe(before.retried);

      const rows = await rowsOf(study.id);
      expect(rows).toHaveLength(80);
      const idByKey = new Map(rows.map((r) => [r.idempotency_key, Number(r.id)]));
      expect(idByKey.size).toBe(80);
      const created = results.filter((r) => r.ok && r.created);
      expect(created).toHaveLength(80);
      plan.forEach(({ key }, i) => {
        const r = results[i];
        expect(r?.ok && r.id).toBe(idByKey.get(key));
        // The first submission of each key is the stored one; its repeats are reported as not created.
        expect(r?.ok && r.created).toBe(i < 80);
      });
      for (const r of rows) {
        const answers = typeof r.answers === 'string' ? JSON.parse(r.answers) : r.answers;
        expect(answers).toEqual([2, { n: keys.indexOf(r.idempotency_key) }]);
      }
      const counters = await store.counters.read(study.id);
      expect(counters.totals).toEqual({ started: 80, completed: 80 });
    });

    it('fails only the bad submission of a group, and refuses a closed study’s new keys but answers its stored ones', async () => {
      const { study } = await makeOpenStudy(store);
      const { study: closed } = await makeOpenStudy(store);
      const storedKey = newKey();
      const stored = await store.responses.insert({
        studyId: closed.id,
        idempotencyKey: storedKey,
        answers: ans({ a: 1 }),
        language: 'en',
      });
      await store.studies.setStatus({ studyId: closed.id, status: 'closed' });

      const goodKeys = Array.from({ length: 10 }, () => newKey());
      const settled = await Promise.allSettled([
        ...goodKeys.slice(0, 5).map((k) =>
          store.responses.insert({
            studyId: study.id,
            idempotencyKey: k,
            answers: ans({ k }),
            language: 'en',
          }),
        ),
        // A negative wave breaks a CHECK constraint inside the transaction.
        store.responses.insert({
          studyId: study.id,
          idempotencyKey: newKey(),
          answers: {},
          language: 'en',
          referralWave: -1,
        }),
        store.responses.insert({ studyId: closed.id, idempotencyKey: newKey(), answers: {}, language: 'en' }),
        store.responses.insert({
          studyId: closed.id,
          idempotencyKey: storedKey,
          answers: ans({ a: 1 }),
          language: 'en',
        }),
        store.responses.insert({ studyId: 987654321, idempotencyKey: newKey(), answers: {}, language: 'en' }),
        ...goodKeys.slice(5).map((k) =>
          store.responses.insert({
            studyId: study.id,
            idempotencyKey: k,
            answers: ans({ k }),
            language: 'en',
          }),
        ),
      ]);
      const statuses = settled.map((s) => s.status);
      expect(statuses).toEqual([...Array(5).fill('fulfilled'), 'rejected', ...Array(8).fill('fulfilled')]);
      const value = (i: number) => (settled[i] as PromiseFulfilledResult<InsertResponseResult>).value;
      expect(value(6)).toMatchObject({ ok: false, code: 'study_not_open' });
      expect(value(7)).toEqual({
        ok: true,
        id: stored.ok ? stored.id : -1,
        publicId: stored.ok ? stored.publicId : '',
        created: false,
        sameAnswers: true,
      });
      expect(value(8)).toMatchObject({ ok: false, code: 'unknown_study' });
      const rows = await rowsOf(study.id);
      expect(rows.map((r) => r.idempotency_key).sort()).toEqual([...goodKeys].sort());
      expect(await store.responses.count(closed.id)).toBe(1);
    });

    it('stores bursts of repeated keys in opposite orders in concurrent transactions without a deadlock', async () => {
      const { study } = await makeOpenStudy(store);
      const keys = Array.from({ length: 150 }, () => newKey());
      const before = store.responses.groupStats();
      const submit = (order: readonly string[]) =>
        order.map((key) =>
          store.responses.insert({
            studyId: study.id,
            idempotencyKey: key,
            answers: ans({ key }),
            language: 'en',
            counters: ['started', 'completed'],
          }),
        );
      // Each wave is queued in its own event-loop turn, so each becomes its own group transaction, and on
      // PostgreSQL they run at the same time on different connections: the same keys in order, reversed,
      // and interleaved — the lock pattern of many clients retrying the same keys against several servers.
      const waves: Promise<InsertResponseResult>[][] = [];
      const orders = [
        keys,
        [...keys].reverse(),
        keys.filter((_, i) => i % 2 === 1).concat(keys.filter((_, i) => i % 2 === 0).reverse()),
      ];
      for (const order of orders) {
        waves.push(submit(order));
        await new Promise((r) => setImmediate(r));
      }
      const results = await Promise.all(waves.map((w) => Promise.all(w)));
      const after = store.responses.groupStats();
      // No shared transaction failed (a deadlock is detected by PostgreSQL after deadlock_timeout and fails one
      // of the transactions, whose submissions are then retried alone).
      // (SQLite stores one group at a time, so the second and third waves may share a transaction.)
      expect(after.transactions - before.transactions).toBeGreaterThanOrEqual(2);
      expect(after.retried - before.retried).toBe(0);
      const rows = await rowsOf(study.id);
      expect(rows).toHaveLength(keys.length);
      const idByKey = new Map(rows.map((r) => [r.idempotency_key, Number(r.id)]));
      orders.forEach((order, w) => {
        order.forEach((key, i) => {
          const r = results[w]?.[i];
          expect(r?.ok && r.id).toBe(idByKey.get(key));
          expect(r?.ok && r.sameAnswers).toBe(true);
        });
      });
      expect(results.flat().filter((r) => r.ok && r.created)).toHaveLength(keys.length);
      const counters = await store.counters.read(study.id);
      expect(counters.totals).toEqual({ started: keys.length, completed: keys.length });
    });

    it('stores a group of plain submissions in one statement with every column, times kept where the study keeps them', async () => {
      const { study: timed } = await makeOpenStudy(store, { anonymous: false });
      const { study: anonymous } = await makeOpenStudy(store);
      const now = new Date('2026-12-07T10:11:12.345Z');
      const before = store.responses.groupStats();
      const plan = Array.from({ length: 20 }, (_, i) => ({
        studyId: i % 2 ? anonymous.id : timed.id,
        idempotencyKey: newKey(),
        answers: ans({ i }),
        language: i % 3 ? 'en' : 'ur',
        referralWave: i % 4 ? null : 2,
        now,
      }));
      const results = await Promise.all(plan.map((p) => store.responses.insert(p)));
      expect(store.responses.groupStats().retried).toBe(before.retried);
      for (const [i, r] of results.entries()) {
        const p = plan[i] as (typeof plan)[number];
        expect(r.ok && r.created).toBe(true);
        const stored = await store.responses.byId(r.ok ? r.id : -1);
        expect(stored).toMatchObject({
          publicId: r.ok ? r.publicId : '',
          studyId: p.studyId,
          answers: ans({ i }),
          language: p.language,
          referralWave: p.referralWave,
          submittedOn: '2026-12-07',
          submittedAt: p.studyId === timed.id ? now : null,
        });
      }
    });

    if (backend.name === 'postgres') {
      it('stores a group through named (prepared) statements, without Kysely', async () => {
        // A store with one pooled connection: the statements prepared on it are the ones its batches used.
        const one = await openStore({ ...config, poolSize: 1 } as StoreConfig);
        try {
          const { study } = await makeOpenStudy(one);
          const results = await Promise.all(
            Array.from({ length: 12 }, (_, i) =>
              one.responses.insert({
                studyId: study.id,
                idempotencyKey: newKey(),
                answers: ans({ i }),
                language: 'en',
                counters: ['started', 'completed'],
              }),
            ),
          );
          expect(results.every((r) => r.ok && r.created)).toBe(true);
          const prepared = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(
            one.db,
          );
          expect(prepared.rows.map((r) => r.name)).toEqual(
            expect.arrayContaining(['nabz_study', 'nabz_insert_many', 'nabz_counters']),
          );
          expect((await one.counters.read(study.id)).totals).toEqual({ started: 12, completed: 12 });
        } finally {
          await one.close();
        }
      });
    }

    if (backend.name === 'sqlite') {
      it('stores the submissions of one event-loop turn in one transaction', async () => {
        const { study } = await makeOpenStudy(store);
        let visibleAtFirst = -1;
        const n = 64;
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.responses
              .insert({ studyId: study.id, idempotencyKey: newKey(), answers: ans({ i }), language: 'en' })
              .then(async () => {
                if (visibleAtFirst < 0) {
                  visibleAtFirst = -2; // claimed before the await below
                  const c = await raw.query<{ n: number }>(
                    `SELECT count(*) AS n FROM responses WHERE study_id = ${study.id}`,
                  );
                  visibleAtFirst = Number(c[0]?.n);
                }
              }),
          ),
        );
        // When the first caller hears back, all of them are committed: they shared one COMMIT.
        expect(visibleAtFirst).toBe(n);
      });
    }
  });
}
