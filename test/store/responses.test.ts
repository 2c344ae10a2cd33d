import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../src/core/respond/engine.js';
import type { Answers } from '../../src/core/response/answer.js';
import { COUNTER_SHARDS } from '../../src/store/counters.js';
import { type NewResponse, type Store, StoreError } from '../../src/store/index.js';
import { newPublicId } from '../../src/store/responses.js';

type StoredResponseLike = { id: number; publicId: string; studyId: number };

/** A respondent's session state on page p1 with these answers (what a draft keeps). */
const draftState = (values: Record<string, number | number[]>): SessionState => ({
  v: 1,
  answers: ans(values),
  seen: ['p1'],
  at: 'p1',
});

import {
  ans,
  makeOpenStudy,
  makeOwner,
  newKey,
  type TestDatabase,
  testBackends,
  useStore,
} from './backends.js';

for (const backend of testBackends()) {
  describe(`responses, drafts, counters and referrals on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    useStore(backend, (open) => {
      ({ db, store } = open);
    });
    /** Store an empty answer set under a new key; `options` (`now`, `language`, …) override the defaults. */
    const insertEmpty = (studyId: number, options: Partial<Omit<NewResponse, 'studyId'>> = {}) =>
      store.responses.insert({ studyId, idempotencyKey: newKey(), answers: {}, language: 'en', ...options });

    describe('idempotent insert', () => {
      it('stores a retried submission once and returns the first id; other answers under its key are a conflict', async () => {
        const { study } = await makeOpenStudy(store);
        const key = newKey();
        const input = {
          studyId: study.id,
          idempotencyKey: key,
          answers: ans({ q1: 3, q2: [1, 2] }),
          language: 'en',
        };
        const first = await store.responses.insert(input);
        expect(first).toMatchObject({ ok: true, created: true, sameAnswers: true });
        if (!first.ok) return;
        expect(first.publicId).toMatch(/^[0-9a-f]{24}$/);
        // A retry (same answers, keys in another order) is the same response …
        const retry = await store.responses.insert({ ...input, answers: ans({ q2: [1, 2], q1: 3 }) });
        expect(retry).toEqual({
          ok: true,
          id: first.id,
          publicId: first.publicId,
          created: false,
          sameAnswers: true,
        });
        // … other answers under the same key are not: the caller is told, and nothing is stored.
        const again = await store.responses.insert({ ...input, answers: ans({ q1: 0 }) });
        expect(again).toEqual({
          ok: true,
          id: first.id,
          publicId: first.publicId,
          created: false,
          sameAnswers: false,
        });
        expect(await store.responses.count(study.id)).toBe(1);
        expect((await store.responses.byId(first.ok ? first.id : -1))?.answers).toEqual(
          ans({ q1: 3, q2: [1, 2] }),
        );
      });

      it('stores answers in the compact form (version 2) and reads them, and rows written before it, unchanged', async () => {
        const { study } = await makeOpenStudy(store);
        const answers = {
          q1: { kind: 'value', value: 2 },
          q2: { kind: 'choices', values: [1, 3] },
          q3: { kind: 'text', text: 'ça va' },
          q4: { kind: 'na' },
          q5: { kind: 'skipped' },
          q6: { kind: 'not_shown' },
        };
        const r = await store.responses.insert({
          studyId: study.id,
          idempotencyKey: newKey(),
          answers,
          language: 'en',
        });
        if (!r.ok) throw new Error(r.code);
        const raw = await store.db
          .selectFrom('responses')
          .select('answers')
          .where('id', '=', r.id)
          .executeTakeFirstOrThrow();
        const text = typeof raw.answers === 'string' ? raw.answers : JSON.stringify(raw.answers);
        expect(JSON.parse(text)).toEqual([
          2,
          { q1: 2, q2: [1, 3], q3: 'ça va', q4: true, q5: null, q6: false },
        ]);
        expect((await store.responses.byId(r.id))?.answers).toStrictEqual(answers);
        // A row as every nabz before version 2 wrote it: the answers object itself.
        const old = await store.responses.insert({
          studyId: study.id,
          idempotencyKey: newKey(),
          answers: {},
          language: 'en',
        });
        if (!old.ok) throw new Error(old.code);
        await sql`UPDATE responses SET answers = ${JSON.stringify(answers)} WHERE id = ${old.id}`.execute(
          store.db,
        );
        expect((await store.responses.byId(old.id))?.answers).toStrictEqual(answers);
        const listed = await store.responses.list(study.id, { limit: 10 });
        expect(listed.map((x) => x.answers)).toStrictEqual([answers, answers]);
      });

      it('stores and reads only answers: anything else is refused on insert, and a damaged row is a StoreError naming it', async () => {
        const { study } = await makeOpenStudy(store);
        const notAnswers = { q1: 3 } as unknown as Answers;
        await expect(
          Promise.resolve().then(() =>
            store.responses.insert({
              studyId: study.id,
              idempotencyKey: newKey(),
              answers: notAnswers,
              language: 'en',
            }),
          ),
        ).rejects.toThrow(/cannot be stored: q1: /);
        expect(await store.responses.count(study.id)).toBe(0);
        const r = await store.responses.insert({
          studyId: study.id,
          idempotencyKey: newKey(),
          answers: ans({ q1: 3 }),
          language: 'en',
        });
        if (!r.ok) throw new Error(r.code);
        // Written by something other than this store: an older form that does not hold answers.
        await sql`UPDATE responses SET answers = ${'{"q1":{"kind":"guess"}}'} WHERE id = ${r.id}`.execute(
          store.db,
        );
        const err = await store.responses.byId(r.id).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreError);
        expect(err).toMatchObject({ code: 'decode' });
        expect((err as Error).message).toContain(
          `stored answers of response ${r.publicId} (study ${study.id})`,
        );
        expect((err as Error).message).toMatch(/q1\.kind: /);
      });

      it('stores exactly one row when 50 copies of one submission arrive at once', async () => {
        const { study } = await makeOpenStudy(store);
        const key = newKey();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.responses.insert({
              studyId: study.id,
              idempotencyKey: key,
              answers: ans({ copy: i }),
              language: 'ur',
            }),
          ),
        );
        const ok = results.filter((r) => r.ok);
        expect(ok).toHaveLength(50);
        expect(ok.filter((r) => r.ok && r.created)).toHaveLength(1);
        expect(new Set(ok.map((r) => (r.ok ? r.id : -1))).size).toBe(1);
        expect(await store.responses.count(study.id)).toBe(1);
      });

      it('stores 50 different submissions arriving at once as 50 rows', async () => {
        const { study } = await makeOpenStudy(store);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.responses.insert({
              studyId: study.id,
              idempotencyKey: newKey(),
              answers: ans({ i }),
              language: 'en',
            }),
          ),
        );
        expect(results.every((r) => r.ok && r.created)).toBe(true);
        expect(await store.responses.count(study.id)).toBe(50);
      });

      it('keeps the same key apart in different studies', async () => {
        const a = await makeOpenStudy(store);
        const b = await makeOpenStudy(store);
        const key = newKey();
        const ra = await store.responses.insert({
          studyId: a.study.id,
          idempotencyKey: key,
          answers: {},
          language: 'en',
        });
        const rb = await store.responses.insert({
          studyId: b.study.id,
          idempotencyKey: key,
          answers: {},
          language: 'en',
        });
        expect(ra).toMatchObject({ ok: true, created: true });
        expect(rb).toMatchObject({ ok: true, created: true });
      });

      it('refuses unknown studies, studies not open and unknown versions as values, storing nothing', async () => {
        const owner = await makeOwner(store);
        const draft = await store.studies.create({ title: 'Draft', ownerId: owner.id, definition: {} });
        const base = { idempotencyKey: newKey(), answers: {}, language: 'en' };
        expect(await store.responses.insert({ ...base, studyId: 999_999 })).toMatchObject({
          ok: false,
          code: 'unknown_study',
        });
        expect(await store.responses.insert({ ...base, studyId: draft.id })).toEqual({
          ok: false,
          code: 'study_not_open',
          message: 'This study is not accepting responses at the moment.',
        });
        const { study } = await makeOpenStudy(store);
        expect(await store.responses.insert({ ...base, studyId: study.id, version: 7 })).toMatchObject({
          ok: false,
          code: 'unknown_version',
        });
        expect(await store.responses.count(study.id)).toBe(0);
        expect(await store.responses.count(draft.id)).toBe(0);
      });

      it('still answers a retry after the study closed, but refuses new submissions', async () => {
        const { study } = await makeOpenStudy(store);
        const key = newKey();
        const first = await store.responses.insert({
          studyId: study.id,
          idempotencyKey: key,
          answers: {},
          language: 'en',
        });
        await store.studies.setStatus({ studyId: study.id, status: 'closed' });
        const retry = await store.responses.insert({
          studyId: study.id,
          idempotencyKey: key,
          answers: {},
          language: 'en',
        });
        expect(retry).toMatchObject({
          ok: true,
          id: first.ok ? first.id : -1,
          created: false,
          sameAnswers: true,
        });
        expect(await insertEmpty(study.id)).toMatchObject({ ok: false, code: 'study_not_open' });
      });

      it('points each response at the version it answered', async () => {
        const { study, ownerId } = await makeOpenStudy(store);
        const r1 = await insertEmpty(study.id);
        await store.studies.updateDefinition({ studyId: study.id, definition: { v: 2 }, userId: ownerId });
        const r2 = await insertEmpty(study.id);
        const r3 = await insertEmpty(study.id, { version: 1 });
        const versions = await Promise.all(
          [r1, r2, r3].map(async (r) => (await store.responses.byId(r.ok ? r.id : -1))?.version),
        );
        expect(versions).toEqual([1, 2, 1]);
      });

      it('keeps the consent on record (version, text hash, language) with each response, also when stored together', async () => {
        const { study } = await makeOpenStudy(store);
        const hash = (c: string) => c.repeat(64);
        // Sent at once, so that they share a transaction (the batch path: one statement on PostgreSQL).
        const results = await Promise.all([
          insertEmpty(study.id, { consent: { version: 3, hash: hash('a'), language: 'ur' } }),
          insertEmpty(study.id, { consent: { version: 2, hash: hash('b'), language: 'en' } }),
          insertEmpty(study.id),
        ]);
        const stored = await Promise.all(results.map((r) => store.responses.byId(r.ok ? r.id : -1)));
        expect(stored.map((r) => r?.consent)).toEqual([
          { version: 3, hash: hash('a'), language: 'ur' },
          { version: 2, hash: hash('b'), language: 'en' },
          null,
        ]);
        // The database itself refuses a hash that is not 64 hex digits.
        await expect(
          insertEmpty(study.id, { consent: { version: 1, hash: 'not-a-hash', language: 'en' } }),
        ).rejects.toThrow();
        expect(await store.responses.count(study.id)).toBe(3);
      });
    });

    describe('what is kept about when', () => {
      const now = new Date('2024-03-05T20:30:15.250Z');

      it('keeps only the day for an anonymous study', async () => {
        const { study } = await makeOpenStudy(store, { anonymous: true });
        const r = await insertEmpty(study.id, { now });
        const stored = await store.responses.byId(r.ok ? r.id : -1);
        expect(stored).toMatchObject({
          submittedOn: '2024-03-05',
          submittedAt: null,
          referralWave: null,
          language: 'en',
        });
      });

      it('uses the given time zone for the day (Karachi is UTC+5)', async () => {
        const { study } = await makeOpenStudy(store);
        const r = await insertEmpty(study.id, { language: 'ur', now, timeZone: 'Asia/Karachi' });
        expect((await store.responses.byId(r.ok ? r.id : -1))?.submittedOn).toBe('2024-03-06');
      });

      it('keeps the time when the owner turned times on, or the study is not anonymous', async () => {
        const timed = await makeOpenStudy(store, { anonymous: true, recordTimes: true });
        const named = await makeOpenStudy(store, { anonymous: false });
        for (const { study } of [timed, named]) {
          const r = await insertEmpty(study.id, { now });
          expect((await store.responses.byId(r.ok ? r.id : -1))?.submittedAt).toEqual(now);
        }
      });

      it('has the database refuse a time for an anonymous study, whoever writes it', async () => {
        const { study } = await makeOpenStudy(store, { anonymous: true });
        await expect(
          store.db
            .insertInto('responses')
            .values({
              public_id: newPublicId(),
              study_id: study.id,
              version: 1,
              idempotency_key: newKey(),
              answers: '{}',
              language: 'en',
              submitted_on: '2024-03-05',
              submitted_at: now,
            })
            .execute(),
        ).rejects.toThrow(/submitted_at must be empty for an anonymous study/);
        expect(await store.responses.count(study.id)).toBe(0);
      });
    });

    describe('reading many responses', () => {
      it('iterates 2,500 responses with keyset pages, each exactly once, in id order (and shuffled for exports)', async () => {
        const { study } = await makeOpenStudy(store);
        const other = await makeOpenStudy(store);
        const rows = (studyId: number, n: number, offset: number) =>
          Array.from({ length: n }, (_, i) => ({
            public_id: newPublicId(),
            study_id: studyId,
            version: 1,
            idempotency_key: `bulk-${offset + i}`,
            answers: `[2,{"n":${offset + i}}]`,
            language: 'en',
            submitted_on: '2024-03-05',
          }));
        for (let offset = 0; offset < 2500; offset += 500) {
          await store.db
            .insertInto('responses')
            .values(rows(study.id, 500, offset))
            .execute();
          // interleave another study's rows so ids of the two studies alternate in blocks
          await store.db
            .insertInto('responses')
            .values(rows(other.study.id, 7, offset))
            .execute();
        }
        expect(await store.responses.count(study.id)).toBe(2500);

        for (const batchSize of [1000, 100, 333, 2500]) {
          const seen: number[] = [];
          const ids: number[] = [];
          for await (const r of store.responses.iterate(study.id, { batchSize })) {
            expect(r.studyId).toBe(study.id);
            const a = r.answers.n;
            seen.push(a?.kind === 'value' ? a.value : Number.NaN);
            ids.push(r.id);
          }
          expect(seen).toHaveLength(2500);
          expect(new Set(seen).size).toBe(2500);
          expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
          expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number))).toBe(true);

          // Exports' order: by the random public id, each response once, not in submission (id) order.
          const shuffled: StoredResponseLike[] = [];
          for await (const r of store.responses.iterateShuffled(study.id, { batchSize }))
            shuffled.push({ id: r.id, publicId: r.publicId, studyId: r.studyId });
          expect(shuffled.every((r) => r.studyId === study.id)).toBe(true);
          expect(shuffled.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
          expect(
            shuffled.every(
              (r, i) =>
                /^[0-9a-f]{24}$/.test(r.publicId) && (i === 0 || r.publicId > shuffled[i - 1]!.publicId),
            ),
          ).toBe(true);
          expect(shuffled.every((r, i) => i === 0 || r.id > shuffled[i - 1]!.id)).toBe(false);
        }

        let pages = 0;
        let total = 0;
        for await (const batch of store.responses.batches(study.id, { batchSize: 1000 })) {
          pages++;
          total += batch.length;
        }
        expect([pages, total]).toEqual([3, 2500]);

        const page1 = await store.responses.list(study.id, { limit: 10 });
        const page2 = await store.responses.list(study.id, { limit: 10, afterId: page1[9]?.id as number });
        expect(page1).toHaveLength(10);
        expect((page2[0]?.id as number) > (page1[9]?.id as number)).toBe(true);
      });
    });

    describe('progress counters', () => {
      it('counts 100 concurrent increments exactly', async () => {
        const { study } = await makeOpenStudy(store);
        const day = '2024-04-01';
        await Promise.all(
          Array.from({ length: 100 }, () =>
            store.counters.increment({ studyId: study.id, name: 'started', day }),
          ),
        );
        await store.counters.increment({ studyId: study.id, name: 'page_3', day, by: 4 });
        await store.counters.increment({ studyId: study.id, name: 'started', day: '2024-04-02' });
        const report = await store.counters.read(study.id);
        expect(report.totals).toEqual({ started: 101, page_3: 4 });
        expect(report.days).toEqual([
          { day: '2024-04-01', name: 'page_3', count: 4 },
          { day: '2024-04-01', name: 'started', count: 100 },
          { day: '2024-04-02', name: 'started', count: 1 },
        ]);
      });

      it('spreads concurrent increments over shards on PostgreSQL (one row on SQLite) and sums them on read', async () => {
        const { study } = await makeOpenStudy(store);
        const day = '2024-05-01';
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            i % 2 === 0
              ? store.counters.increment({ studyId: study.id, name: 'started', day, by: 2 })
              : store.responses.insert({
                  studyId: study.id,
                  idempotencyKey: newKey(),
                  answers: {},
                  language: 'en',
                  now: new Date(`${day}T12:00:00Z`),
                  counters: ['started', 'completed'],
                }),
          ),
        );
        const report = await store.counters.read(study.id);
        expect(report.totals).toEqual({ started: 90, completed: 30 });
        expect(report.days).toEqual([
          { day, name: 'completed', count: 30 },
          { day, name: 'started', count: 90 },
        ]);
        const shards = await store.db
          .selectFrom('progress_counters')
          .select(['shard'])
          .where('study_id', '=', study.id)
          .where('name', '=', 'started')
          .execute();
        const used = new Set(shards.map((r) => r.shard));
        if (backend.name === 'sqlite') expect([...used]).toEqual([0]);
        // 30 increments and up to 30 batches each pick one of 16 shards: all on one is a 16^-29 chance.
        else expect(used.size).toBeGreaterThan(1);
        for (const shard of used) expect(shard >= 0 && shard < COUNTER_SHARDS).toBe(true);
        // Deleting the data reports counters per day and name, however many shard rows they had.
        expect((await store.studies.deleteData(study.id)).counters).toBe(2);
        expect(await store.counters.read(study.id)).toEqual({ totals: {}, days: [] });
      });

      it('counts a name like "constructor" as a plain counter', async () => {
        const { study } = await makeOpenStudy(store);
        await store.counters.increment({ studyId: study.id, name: 'constructor', day: '2024-04-01' });
        expect((await store.counters.read(study.id)).totals).toEqual({ constructor: 1 });
      });

      it('rejects counter names that are not lower-case identifiers', async () => {
        const { study } = await makeOpenStudy(store);
        await expect(store.counters.increment({ studyId: study.id, name: 'Page 3' })).rejects.toThrow(
          RangeError,
        );
        await expect(store.counters.increment({ studyId: study.id, name: 'ok', by: 0 })).rejects.toThrow(
          RangeError,
        );
      });

      it('increments completion counters and clears the draft only when a new response is stored', async () => {
        const { study } = await makeOpenStudy(store);
        const now = new Date('2024-04-03T10:00:00.000Z');
        await store.drafts.save({
          studyId: study.id,
          code: 'K7M2Q9XP',
          version: 1,
          state: draftState({ q1: 2 }),
          page: 2,
          expiresAt: new Date('2024-05-01T00:00:00Z'),
          now,
        });
        const input = {
          studyId: study.id,
          idempotencyKey: newKey(),
          answers: ans({ q1: 2, q2: 1 }),
          language: 'en',
          now,
          counters: ['completed'],
          resumeCode: 'K7M2Q9XP',
        };
        await store.responses.insert(input);
        await store.responses.insert(input);
        expect((await store.counters.read(study.id)).days).toEqual([
          { day: '2024-04-03', name: 'completed', count: 1 },
        ]);
        expect(await store.drafts.load({ studyId: study.id, code: 'K7M2Q9XP', now })).toBeUndefined();
      });
    });

    describe('resume drafts', () => {
      it('saves, overwrites, loads by code and expires drafts', async () => {
        const { study } = await makeOpenStudy(store);
        const t0 = new Date('2024-04-10T08:00:00.000Z');
        const expiresAt = new Date('2024-04-17T08:00:00.000Z');
        const storedExpiry = new Date('2024-04-18T00:00:00.000Z');
        const base = { studyId: study.id, code: 'ABCD2345', version: 1, expiresAt };
        await store.drafts.save({ ...base, state: draftState({ q1: 1 }), page: 1, now: t0 });
        const t1 = new Date('2024-04-10T08:05:00.000Z');
        await store.drafts.save({
          ...base,
          state: draftState({ q1: 1, q2: 4 }),
          page: 2,
          language: 'ur',
          referralWave: 1,
          now: t1,
        });
        // Drafts keep days, not times of day: saved "2024-04-10", expiring at the first midnight after expiresAt.
        expect(await store.drafts.load({ studyId: study.id, code: 'ABCD2345', now: t1 })).toEqual({
          studyId: study.id,
          version: 1,
          state: draftState({ q1: 1, q2: 4 }),
          page: 2,
          language: 'ur',
          referralWave: 1,
          updatedAt: new Date('2024-04-10T00:00:00.000Z'),
          expiresAt: storedExpiry,
        });
        expect(await store.drafts.load({ studyId: study.id, code: 'WRONG234', now: t1 })).toBeUndefined();
        expect(
          await store.drafts.load({ studyId: study.id, code: 'ABCD2345', now: expiresAt }),
        ).toBeDefined();
        expect(
          await store.drafts.load({ studyId: study.id, code: 'ABCD2345', now: storedExpiry }),
        ).toBeUndefined();
        const raw = await db.raw();
        const hashes = await raw.query<{ code_hash: string }>('SELECT code_hash FROM resume_drafts');
        await raw.close();
        expect(hashes.some((h) => h.code_hash.includes('ABCD2345'))).toBe(false);
        expect(await store.drafts.deleteExpired(storedExpiry)).toBeGreaterThanOrEqual(1);
        expect(await store.drafts.delete({ studyId: study.id, code: 'ABCD2345' })).toBe(false);
      });

      it("stores a draft's answers in the stored form of responses' answers and reads every form back", async () => {
        const { study } = await makeOpenStudy(store);
        const now = new Date('2024-04-10T08:00:00.000Z');
        const expiresAt = new Date('2100-01-01T00:00:00Z');
        const state = {
          ...draftState({}),
          answers: {
            q1: { kind: 'value', value: 2 },
            q2: { kind: 'choices', values: [1, 3] },
            q3: { kind: 'text', text: 'a "quoted" — اردو' },
            q4: { kind: 'na' },
            q5: { kind: 'skipped' },
            q6: { kind: 'not_shown' },
          },
          seen: ['p1', 'p2'],
          at: 'p2',
          ref: 'FRIEND22',
          n: 3,
          started: true,
          consent: { v: 2, lang: 'ur' },
          flash: {
            page: 'p2',
            fields: { q3: 'x', q2: ['1', '3'] },
            errors: [{ field: 'q7', code: 'required', message: 'Answer it.' }],
          },
        } satisfies SessionState;
        await store.drafts.save({
          studyId: study.id,
          code: 'ROUND234',
          version: 1,
          state,
          page: 1,
          now,
          expiresAt,
        });
        // Symmetric: what is loaded is what was saved, whatever kind each answer is.
        expect((await store.drafts.load({ studyId: study.id, code: 'ROUND234', now }))?.state).toEqual(state);
        // The answers are in the responses' compact form (answersJson.ts, version 2), not as answer objects.
        const text = (
          await store.db
            .selectFrom('resume_drafts')
            .select('answers')
            .where('study_id', '=', study.id)
            .executeTakeFirstOrThrow()
        ).answers;
        expect(JSON.parse(text).answers).toEqual([
          2,
          { q1: 2, q2: [1, 3], q3: 'a "quoted" — اردو', q4: true, q5: null, q6: false },
        ]);
        // A draft written before (its answers as answer objects) is read by the same decoder.
        const older = JSON.stringify({
          v: 1,
          answers: { q1: { kind: 'value', value: 4 } },
          seen: ['p1'],
          at: 'p1',
        });
        await sql`UPDATE resume_drafts SET answers = ${older} WHERE study_id = ${study.id}`.execute(store.db);
        expect((await store.drafts.load({ studyId: study.id, code: 'ROUND234', now }))?.state).toEqual({
          v: 1,
          answers: { q1: { kind: 'value', value: 4 } },
          seen: ['p1'],
          at: 'p1',
        });
      });

      it('refuses a damaged draft with a StoreError naming the study, the draft and the problem', async () => {
        const { study } = await makeOpenStudy(store);
        const now = new Date('2024-04-10T08:00:00.000Z');
        const expiresAt = new Date('2100-01-01T00:00:00Z');
        await store.drafts.save({
          studyId: study.id,
          code: 'BROKEN23',
          version: 1,
          state: draftState({ q1: 1 }),
          page: 0,
          now,
          expiresAt,
        });
        const { code_hash: hash } = await store.db
          .selectFrom('resume_drafts')
          .select('code_hash')
          .where('study_id', '=', study.id)
          .executeTakeFirstOrThrow();
        const damaged = async (text: string) => {
          await sql`UPDATE resume_drafts SET answers = ${text} WHERE study_id = ${study.id}`.execute(
            store.db,
          );
          const err = await store.drafts.load({ studyId: study.id, code: 'BROKEN23', now }).then(
            (d) => d,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(StoreError);
          expect(err).toMatchObject({ code: 'decode' });
          expect((err as Error).message).toContain(
            `stored draft ${hash.slice(0, 12)} (study ${study.id}) cannot be read`,
          );
          return (err as Error).message;
        };
        expect(await damaged('{"v":1,"seen":[],"at":"p1","answers":[2,{"q1":{"kind":"guess"}}]}')).toMatch(
          /"q1" is not a version-2 answer/,
        );
        expect(await damaged('{"v":1,"seen":[],"at":"p1","answers":{"q1":{"kind":"guess"}}}')).toMatch(
          /q1\.kind: /,
        );
        expect(await damaged('{"v":1,"seen":[],"at":"p1","answers":[9,{}]}')).toMatch(
          /unknown format \(version 9\)/,
        );
        expect(await damaged('{"v":1,"seen":[],"at":"p1"}')).toMatch(/not a session state with answers/);
        expect(await damaged('{"v":7,"seen":[],"at":"p1","answers":[2,{}]}')).toMatch(
          /not a session state \(v, at, seen\)/,
        );
        expect(await damaged('[2,{"q1":1}]')).toMatch(/not a session state with answers/);
        // Text that is not JSON at all never gets in: both databases check the column (json / json_valid).
      });
    });

    describe('referral links', () => {
      it('builds waves from seed links and counts responses per wave', async () => {
        const { study } = await makeOpenStudy(store);
        const seed = await store.referrals.create({ studyId: study.id });
        expect(seed.ok).toBe(true);
        if (!seed.ok) return;
        expect(seed.value).toMatchObject({ studyId: study.id, wave: 0 });
        expect(seed.value.code).toMatch(/^[2-9A-HJKMNP-TV-Z]{8}$/);
        const child = await store.referrals.create({ studyId: study.id, parentCode: seed.value.code });
        const child2 = await store.referrals.create({
          studyId: study.id,
          parentCode: seed.value.code,
          code: 'FRIEND22',
        });
        expect(child).toMatchObject({ ok: true, value: { wave: 1 } });
        expect(child2).toMatchObject({ ok: true, value: { wave: 1, code: 'FRIEND22' } });
        const grandchild = await store.referrals.create({ studyId: study.id, parentCode: 'FRIEND22' });
        expect(grandchild).toMatchObject({ ok: true, value: { wave: 2 } });
        expect(await store.referrals.create({ studyId: study.id, parentCode: 'NOPE2345' })).toMatchObject({
          ok: false,
          code: 'unknown_parent',
        });
        expect(await store.referrals.create({ studyId: study.id, code: 'FRIEND22' })).toMatchObject({
          ok: false,
          code: 'code_taken',
        });
        expect(await store.referrals.create({ studyId: 999_999 })).toMatchObject({
          ok: false,
          code: 'unknown_study',
        });
        expect(await store.referrals.lookup({ studyId: study.id, code: 'FRIEND22' })).toMatchObject({
          wave: 1,
        });
        expect(await store.referrals.lookup({ studyId: study.id + 1, code: 'FRIEND22' })).toBeUndefined();

        for (const wave of [0, 1, 1, 2, null]) {
          await insertEmpty(study.id, { referralWave: wave });
        }
        expect(await store.referrals.waveCounts(study.id)).toEqual([
          { wave: 0, links: 1, responses: 1 },
          { wave: 1, links: 2, responses: 2 },
          { wave: 2, links: 1, responses: 1 },
        ]);
      });
    });

    describe('deleting a study’s data', () => {
      it('removes responses, drafts, counters and links, keeping the study; deleting the study removes the rest', async () => {
        const { study } = await makeOpenStudy(store);
        for (let i = 0; i < 3; i++) {
          await insertEmpty(study.id);
        }
        await store.drafts.save({
          studyId: study.id,
          code: 'DRAFT234',
          version: 1,
          state: { v: 1, answers: {}, seen: [], at: 'p1' },
          page: 0,
          expiresAt: new Date('2100-01-01T00:00:00Z'),
        });
        await store.counters.increment({ studyId: study.id, name: 'started' });
        const seed = await store.referrals.create({ studyId: study.id });
        if (seed.ok) await store.referrals.create({ studyId: study.id, parentCode: seed.value.code });
        expect(await store.studies.deleteData(study.id)).toEqual({
          responses: 3,
          drafts: 1,
          counters: 1,
          referralLinks: 2,
        });
        expect(await store.responses.count(study.id)).toBe(0);
        expect((await store.studies.byId(study.id))?.id).toBe(study.id);

        await insertEmpty(study.id);
        await store.audit.append({ action: 'study.delete', studyId: study.id });
        expect(await store.studies.delete(study.id)).toBe(true);
        expect(await store.studies.byId(study.id)).toBeUndefined();
        expect(await store.studies.versions(study.id)).toEqual([]);
        expect(await store.responses.count(study.id)).toBe(0);
        expect((await store.audit.listForStudy(study.id)).map((e) => e.action)).toEqual(['study.delete']);
      });
    });
  });
}
