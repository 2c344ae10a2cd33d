/**
 * Disk full, read-only database, database down — with real faults, no mocks:
 *
 * | backend    | disk full                                   | read-only                                        | down |
 * |------------|---------------------------------------------|--------------------------------------------------|------|
 * | SQLite     | the file on a 4 MB tmpfs, filled to the last byte | `chattr +i` on the database and WAL files (root cannot write them either) | — (embedded: no server to lose) |
 * | PostgreSQL | the study's database in a tablespace on a full tmpfs | `ALTER SYSTEM SET default_transaction_read_only` + reload | `pg_ctl stop -m immediate`, then start |
 *
 * PostgreSQL faults run on a private cluster (initdb in a temporary directory, free port), never on the shared
 * server; they run when NABZ_TEST_PG_URL is set, as the rest of the PostgreSQL suite does.
 *
 * In every case: submissions through the JSON API and the form flow's final submit get 503 with Retry-After
 * and a message; nothing partial is stored (row counts and the "completed" counter unchanged); and once the
 * fault clears the same submission (same idempotency key) is stored, with no restart — the service resumes by
 * itself. Needs root for mount/chattr/runuser: skipped with the reason when not permitted, unless CI is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real server for the "does not crash" check (dist/, built by npm test).
import { baceAnswers as benchAnswers, createLaunchedStudy, startNabz } from '../../bench/lib/common.mjs';
import { idempotencyKeyHasher } from '../../src/server/respond/submit.js';
import {
  type FaultApp,
  faultApp,
  faultSupport,
  immutableSupported,
  LoopDisk,
  PrivatePostgres,
  postReview,
  respondentAtReview,
  SmallDisk,
  setImmutable,
  snapshot,
} from './helpers.js';

const CI = Boolean(process.env.CI);
const support = faultSupport();

/** Skip with the reason printed, or fail under CI, when a fault cannot be produced here. */
function unavailableHere(reason: string | undefined, skip: (note?: string) => void): boolean {
  if (!reason) return false;
  if (CI) throw new Error(`This fault test cannot run: ${reason}. CI must run it (as root).`);
  console.warn(`skipped: ${reason}`);
  skip(reason);
  return true;
}

type Inject = Awaited<ReturnType<FaultApp['submit']>>;

function expectUnavailable(res: Inject, what: string): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBe(503);
  expect(Number(res.headers['retry-after']), `${what}: Retry-After`).toBeGreaterThan(0);
}

function expectJsonUnavailable(res: Inject): void {
  expectUnavailable(res, 'JSON API');
  const body = res.json() as { error?: string; code?: string };
  expect(body.code).toBe('unavailable');
  expect(body.error).toMatch(/nothing was saved/i);
}

/**
 * The common script: some responses stored; the fault; submissions until one is refused (a disk may still have
 * room in pages already allocated — those are stored and acknowledged, which is right); more refusals, form
 * flow included, with nothing changing; the fault cleared; the refused submissions stored on retry.
 */
async function exercise(
  fa: FaultApp,
  fault: { on(): Promise<void> | void; off(): Promise<void> | void },
): Promise<void> {
  const acked = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const r = await fa.submit(`before-fault-${i}`, i);
    expect(r.statusCode, r.body).toBe(201);
    acked.add(`before-fault-${i}`);
  }
  const respondent = await respondentAtReview(fa.app, fa.token, 1);

  await fault.on();
  let refused: string | undefined;
  for (let i = 0; i < 5000 && refused === undefined; i++) {
    const key = `during-fault-${i}`;
    const r = await fa.submit(key, i);
    if (r.statusCode === 201) acked.add(key);
    else {
      expectJsonUnavailable(r);
      refused = key;
    }
  }
  expect(refused, 'no submission was refused during the fault').toBeDefined();
  const during = await snapshot(fa.store, fa.studyId).catch(() => undefined);
  for (let i = 0; i < 5; i++) expectJsonUnavailable(await fa.submit(`refused-${i}`, i));
  expectJsonUnavailable(await fa.submit(refused!, 0));
  const page = await postReview(fa.app, respondent);
  expectUnavailable(page, 'form flow, final submit');
  expect(page.headers['content-type']).toMatch(/text\/html/);
  expect(page.body).not.toMatch(/Thank you/i);
  // Reads may fail too while the database is down; when they work, nothing has changed.
  if (during) expect(await snapshot(fa.store, fa.studyId).catch(() => during)).toEqual(during);

  await fault.off();
  // No restart: the next tries go through (a pool may need a moment to reconnect).
  let retried: Inject | undefined;
  for (let attempt = 0; attempt < 100; attempt++) {
    retried = await fa.submit(refused!, 0);
    if (retried.statusCode !== 503) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(retried!.statusCode, retried!.body).toBe(201);
  acked.add(refused!);
  for (let i = 0; i < 5; i++) {
    const r = await fa.submit(`refused-${i}`, i);
    expect(r.statusCode, r.body).toBe(201);
    acked.add(`refused-${i}`);
  }
  const thanks = await postReview(fa.app, respondent);
  expect(thanks.statusCode, thanks.body.slice(0, 300)).toBe(200);
  expect(thanks.body).toMatch(/Thank you/i);

  const after = await snapshot(fa.store, fa.studyId);
  // Every acknowledged JSON submission and the one form submission, once each; the counter agrees.
  expect(after.responses).toBe(acked.size + 1);
  expect(after.completed).toBe(acked.size + 1);
  const keys = await fa.store.db.selectFrom('responses').select('idempotency_key').execute();
  expect(new Set(keys.map((k) => k.idempotency_key)).size).toBe(keys.length);
  // Keys are stored as the server's keyed hash, never as sent.
  const hash = idempotencyKeyHasher(fa.store, undefined);
  for (const k of acked) {
    const hashed = await hash(fa.studyId, k);
    expect(
      keys.some((r) => r.idempotency_key === hashed),
      k,
    ).toBe(true);
    expect(keys.some((r) => r.idempotency_key === k)).toBe(false);
  }
}

describe('SQLite', () => {
  it('disk full: 503 with Retry-After, nothing partial, resumes when space is freed', async (ctx) => {
    if (unavailableHere(support.reason, ctx.skip)) return;
    const disk = new SmallDisk(4096);
    let fa: FaultApp | undefined;
    try {
      fa = await faultApp({ kind: 'sqlite', file: join(disk.dir, 'nabz.sqlite') });
      await exercise(fa, {
        on: () => {
          disk.fill();
          expect(disk.free()).toBe(0);
        },
        off: () => disk.unfill(),
      });
    } finally {
      await fa?.close();
      disk.dispose();
    }
  });

  it('read-only database files: 503 with Retry-After, nothing partial, resumes when writable again', async (ctx) => {
    // chattr +i needs a file system that supports it: the temporary directory (ext4, xfs, btrfs), or else a
    // loop-mounted ext4 image.
    let dir = mkdtempSync(join(tmpdir(), 'nabz-readonly-'));
    let loop: LoopDisk | undefined;
    let fa: FaultApp | undefined;
    const file = () => join(dir, 'nabz.sqlite');
    const files = () => [file(), `${file()}-wal`];
    try {
      if (!immutableSupported(dir).ok && support.mount) {
        rmSync(dir, { recursive: true, force: true });
        loop = new LoopDisk();
        dir = loop.dir;
      }
      if (unavailableHere(immutableSupported(dir).reason, ctx.skip)) return;
      fa = await faultApp({ kind: 'sqlite', file: file() });
      // (Not the -shm file: it is memory-mapped, and an immutable mapping would fault the process, not fail a write.)
      await exercise(fa, { on: () => setImmutable(files(), true), off: () => setImmutable(files(), false) });
    } finally {
      try {
        setImmutable(files(), false);
      } catch {
        // never set, or already cleared
      }
      await fa?.close();
      if (loop) loop.dispose();
      else rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(Boolean(process.env.NABZ_TEST_PG_URL))('PostgreSQL (private cluster)', () => {
  let cluster: PrivatePostgres | undefined;
  let why: string | undefined;
  beforeAll(async () => {
    why = PrivatePostgres.unsupported() ?? support.reason;
    if (why && CI) throw new Error(`PostgreSQL fault tests cannot run: ${why}.`);
    if (!why) cluster = await PrivatePostgres.create();
  }, 120_000);
  afterAll(() => cluster?.dispose());

  async function database(name: string, tablespace?: string): Promise<string> {
    await cluster!.sql(`CREATE DATABASE ${name}${tablespace ? ` TABLESPACE ${tablespace}` : ''}`);
    return `postgres://postgres@127.0.0.1:${cluster!.port}/${name}`;
  }

  it('database down: 503 with Retry-After, nothing partial, resumes when the server is back', async (ctx) => {
    if (unavailableHere(why, ctx.skip)) return;
    const fa = await faultApp({ kind: 'postgres', url: await database('fault_down'), poolSize: 4 });
    try {
      await exercise(fa, {
        on: async () => {
          cluster!.stopImmediate();
          const health = await fa.app.inject({ method: 'GET', url: '/healthz' });
          expect(health.statusCode).toBe(503);
        },
        off: () => cluster!.start(),
      });
    } finally {
      cluster!.ensureRunning();
      await fa.close();
    }
  }, 120_000);

  it('database down under load does not crash `nabz serve`; it answers 503 and resumes', async (ctx) => {
    if (unavailableHere(why, ctx.skip)) return;
    const url = await database('fault_serve');
    const tmp = mkdtempSync(join(tmpdir(), 'nabz-serve-'));
    const env = { DATABASE_URL: url, NABZ_SUBMIT_RATE_LIMIT: '1000000000', NABZ_DB_POOL_SIZE: '8' };
    const study = await createLaunchedStudy({ kind: 'postgres', url });
    const server = await startNabz({ dataDir: tmp, env });
    const endpoint = `${server.url}/api/v1/s/${study.token}/responses`;
    const post = (key: string) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ answers: benchAnswers(1) }),
        signal: AbortSignal.timeout(15_000),
      }).then(
        async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }),
        (e: Error) => ({ status: 0, retryAfter: null, body: String(e) }),
      );
    try {
      // 16 respondents submitting continuously, so connections are checked out when the server goes.
      let stop = false;
      let n = 0;
      const statuses: number[] = [];
      const load = Array.from({ length: 16 }, async () => {
        while (!stop) statuses.push((await post(`serve-load-${n++}`)).status);
      });
      while (statuses.filter((s) => s === 201).length < 50) await new Promise((r) => setTimeout(r, 5));
      cluster!.stopImmediate();
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      await Promise.all(load);
      expect(server.proc.exitCode, `nabz serve exited:\n${server.output().slice(-2000)}`).toBeNull();
      expect(server.proc.signalCode).toBeNull();
      const down = await post('serve-during-outage');
      expect(down.status, down.body).toBe(503);
      expect(Number(down.retryAfter)).toBeGreaterThan(0);
      // Only acknowledgements and 503s (or a connection cut by nothing but the client's own timeout).
      expect(
        statuses.filter((s) => s !== 201 && s !== 503),
        JSON.stringify(statuses),
      ).toEqual([]);
      cluster!.start();
      let again = down;
      for (let i = 0; i < 100 && again.status !== 201; i++) {
        again = await post('serve-during-outage');
        if (again.status !== 201) await new Promise((r) => setTimeout(r, 100));
      }
      expect(again.status, again.body).toBe(201);
    } finally {
      cluster!.ensureRunning();
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('read-only database: 503 with Retry-After, nothing partial, resumes when writable again', async (ctx) => {
    if (unavailableHere(why, ctx.skip)) return;
    const fa = await faultApp({ kind: 'postgres', url: await database('fault_readonly'), poolSize: 4 });
    try {
      await exercise(fa, {
        on: async () => {
          await cluster!.sql('ALTER SYSTEM SET default_transaction_read_only = on');
          await cluster!.sql('SELECT pg_reload_conf()');
        },
        off: async () => {
          await cluster!.sql('ALTER SYSTEM RESET default_transaction_read_only');
          await cluster!.sql('SELECT pg_reload_conf()');
        },
      });
    } finally {
      await cluster!.sql('ALTER SYSTEM RESET default_transaction_read_only').catch(() => undefined);
      await cluster!.sql('SELECT pg_reload_conf()').catch(() => undefined);
      await fa.close();
    }
  }, 120_000);

  it('disk full: 503 with Retry-After, nothing partial, resumes when space is freed', async (ctx) => {
    if (unavailableHere(why, ctx.skip)) return;
    const disk = new SmallDisk(32 * 1024, { uid: cluster!.owner.uid, gid: cluster!.owner.gid });
    let fa: FaultApp | undefined;
    try {
      await cluster!.sql(`CREATE TABLESPACE fault_small LOCATION '${disk.dir}'`);
      fa = await faultApp({
        kind: 'postgres',
        url: await database('fault_full', 'fault_small'),
        poolSize: 4,
      });
      await exercise(fa, {
        on: () => {
          disk.fill();
        },
        off: () => disk.unfill(),
      });
    } finally {
      await fa?.close();
      await cluster!.sql('DROP DATABASE IF EXISTS fault_full').catch(() => undefined);
      await cluster!.sql('DROP TABLESPACE IF EXISTS fault_small').catch(() => undefined);
      disk.dispose();
    }
  }, 120_000);
});
