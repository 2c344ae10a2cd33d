/**
 * The SQLite submission path beside Kysely (SqliteDirect, src/store/sqlite/dialect.ts): a batch is committed
 * with synchronous=NORMAL and its callers are answered only after the WAL file has been synced off the event
 * loop. These tests hold that sync in their hand: nothing is acknowledged before it completes, what arrives
 * meanwhile waits for the next batch, a failed sync fails its batch, and the connection goes back to
 * synchronous=FULL after every batch, whatever happened in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database, InsertResponseResult } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { responsesRepo } from '../../src/store/responses.js';
import {
  configureSqlite,
  directAccess,
  type SqliteConnectionSlice,
  StoreSqliteDialect,
} from '../../src/store/sqlite/dialect.js';
import { ans, makeOpenStudy, newKey } from './backends.js';

type SyncCall = { fd: number; done: (err: NodeJS.ErrnoException | null) => void };

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A migrated database with an open study, and a responses repository whose WAL syncs the test releases. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'nabz-direct-'));
  dirs.push(dir);
  const file = join(dir, 'nabz.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  const { study } = await makeOpenStudy(store);
  await store.close();

  const conn = new BetterSqlite3(file);
  const slice = conn as unknown as SqliteConnectionSlice;
  configureSqlite(slice, file);
  const syncs: SyncCall[] = [];
  const direct = directAccess(slice, file, { sync: (fd, done) => syncs.push({ fd, done }) });
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect(slice) });
  closers.push(async () => {
    await db.destroy();
    direct.close();
  });
  const repo = responsesRepo({ db, backend: 'sqlite', sqlite: direct });
  const other = new BetterSqlite3(file, { readonly: true });
  closers.push(() => other.close());
  const committed = () => (other.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
  const insert = (key = newKey()) =>
    repo.insert({ studyId: study.id, idempotencyKey: key, answers: ans({ q: 1 }), language: 'en' });
  return { conn, direct, repo, syncs, committed, insert, study };
}

/** Let setImmediate callbacks and promise jobs run. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function track(p: Promise<InsertResponseResult>) {
  const state: { settled: boolean; value?: InsertResponseResult; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('SQLite direct group commit', () => {
  it('commits a batch at once but answers nobody until its WAL sync completes', async () => {
    const t = await setup();
    const a = track(t.insert());
    const b = track(t.insert());
    const c = track(t.insert());
    await turns();
    expect(t.committed()).toBe(3); // one transaction, visible to other connections...
    expect(t.syncs).toHaveLength(1); // ...one sync of the WAL for all three...
    expect([a.settled, b.settled, c.settled]).toEqual([false, false, false]); // ...and no answer yet
    t.syncs[0]?.done(null);
    await turns();
    expect([a.value, b.value, c.value].map((r) => r?.ok && r.created)).toEqual([true, true, true]);
    expect(new Set([a, b, c].map((s) => (s.value?.ok ? s.value.id : 0))).size).toBe(3);
  });

  it('holds what arrives during a sync for the next batch, then syncs again', async () => {
    const t = await setup();
    const first = track(t.insert());
    await turns();
    expect(t.syncs).toHaveLength(1);
    const second = track(t.insert());
    const third = track(t.insert());
    await turns();
    expect(t.committed()).toBe(1); // not committed while the first batch is on its way to the disk
    t.syncs[0]?.done(null);
    await turns();
    expect(first.settled).toBe(true);
    expect(t.committed()).toBe(3);
    expect(t.syncs).toHaveLength(2);
    expect([second.settled, third.settled]).toEqual([false, false]);
    t.syncs[1]?.done(null);
    await turns();
    expect([second.value?.ok, third.value?.ok]).toEqual([true, true]);
  });

  it('fails the whole batch with the sync error, and a retry of the same key is a repeat', async () => {
    const t = await setup();
    const key = newKey();
    const failed = track(t.insert(key));
    await turns();
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    t.syncs[0]?.done(eio);
    await turns();
    expect(failed.error).toBe(eio);
    const retry = track(t.insert(key));
    await turns();
    t.syncs[1]?.done(null);
    await turns();
    expect(retry.value).toMatchObject({ ok: true, created: false });
  });

  it('puts the connection back to synchronous=FULL after each batch, even one that failed', async () => {
    const t = await setup();
    const full = () => (t.conn.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
    expect(full()).toBe(2);
    expect(() =>
      t.direct.writeTransaction(() => {
        expect(full()).toBe(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(full()).toBe(2);
    expect(t.conn.inTransaction).toBe(false);
    const p = track(t.insert());
    await turns();
    expect(full()).toBe(2);
    t.syncs[0]?.done(null);
    await turns();
    expect(p.value?.ok).toBe(true);
  });

  it('syncs the WAL file itself', async () => {
    const t = await setup();
    const p = track(t.insert());
    await turns();
    const fd = t.syncs[0]?.fd as number;
    const { fstatSync, statSync } = await import('node:fs');
    const wal = statSync(`${(t.conn as unknown as { name: string }).name}-wal`);
    expect(fstatSync(fd).ino).toBe(wal.ino);
    t.syncs[0]?.done(null);
    await turns();
    expect(p.settled).toBe(true);
  });
});
