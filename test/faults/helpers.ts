/**
 * Real faults for the fault suite, no mocks: a small tmpfs filled to capacity (disk full), the immutable
 * attribute on the database files (read-only, which even root cannot write through), and a private PostgreSQL
 * cluster that can be stopped, made read-only (ALTER SYSTEM + reload) or given a tablespace on a full tmpfs.
 * Mounting needs root (CAP_SYS_ADMIN); `faultSupport()` says whether it is available and why not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { BACE_ITEMS, freePort } from '../../bench/lib/common.mjs';
import { buildApp } from '../../src/server/app.js';
import { configFromEnv } from '../../src/server/config.js';
import { openStore, type Store, type StoreConfig } from '../../src/store/index.js';
import { baceStudyDefinition, createStudy, FormBrowser, form } from '../server/helpers.js';

/** A complete, valid answer set for the test BACE study (eligibility `enrolled = 1`). */
export function baceAnswers(seed = 0): Record<string, unknown> {
  const a: Record<string, unknown> = {
    enrolled: 1,
    age: 19 + (seed % 10),
    gender: 1 + (seed % 2),
    training: 1,
  };
  BACE_ITEMS.forEach((id, i) => {
    a[id] = (i + seed) % 4;
  });
  return a;
}

/** Whether this process may mount file systems and set immutable attributes (root), with the reason if not. */
export function faultSupport(): { mount: boolean; reason?: string } {
  if (process.getuid?.() !== 0)
    return { mount: false, reason: 'not running as root (mount needs CAP_SYS_ADMIN)' };
  const dir = mkdtempSync(join(tmpdir(), 'nabz-mountprobe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return { mount: true };
  } catch (e) {
    return {
      mount: false,
      reason: `mount -t tmpfs is not permitted here: ${String((e as Error).message).trim()}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tmpfs of `sizeKb` mounted on a fresh directory; `fill()` fills it to the last byte, `unfill()` frees it. */
export class SmallDisk {
  readonly dir: string;
  private fillers = 0;
  constructor(sizeKb: number, options: { uid?: number; gid?: number } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'nabz-disk-'));
    const opts = [`size=${sizeKb}k`, 'mode=0755'];
    if (options.uid !== undefined) opts.push(`uid=${options.uid}`);
    if (options.gid !== undefined) opts.push(`gid=${options.gid}`);
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', this.dir], { stdio: 'pipe' });
  }
  /** Write filler files until the file system refuses (ENOSPC), down to single bytes. */
  fill(): number {
    let total = 0;
    for (const size of [1 << 20, 64 << 10, 4096, 512, 1]) {
      const buf = Buffer.alloc(size, 0x61);
      for (;;) {
        const file = join(this.dir, `filler-${this.fillers++}`);
        let fd: number;
        try {
          fd = openSync(file, 'w');
        } catch {
          break; // no inode or no space for even an empty file
        }
        let wrote = 0;
        try {
          for (;;) {
            wrote += writeSync(fd, buf);
          }
        } catch {
          // ENOSPC
        } finally {
          closeSync(fd);
        }
        total += wrote;
        if (wrote === 0) break;
      }
    }
    return total;
  }
  unfill(): void {
    for (const f of readdirSync(this.dir))
      if (f.startsWith('filler-')) rmSync(join(this.dir, f), { force: true });
  }
  free(): number {
    const out = execFileSync('df', ['--output=avail', '-B1', this.dir], { encoding: 'utf8' });
    return Number(out.trim().split('\n').pop());
  }
  dispose(): void {
    spawnSync('umount', [this.dir]);
    spawnSync('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A 32 MB ext4 file system in a loop-mounted image (where the temporary directory does not support chattr). */
export class LoopDisk {
  readonly dir: string;
  private readonly image: string;
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'nabz-loop-'));
    this.image = `${this.dir}.img`;
    execFileSync('truncate', ['-s', '32M', this.image]);
    execFileSync('mkfs.ext4', ['-q', '-F', this.image], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', this.image, this.dir], { stdio: 'pipe' });
  }
  dispose(): void {
    spawnSync('umount', [this.dir]);
    spawnSync('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.image, { force: true });
  }
}

/** chattr ±i (immutable: no write even for root; the files stay open and readable). */
export function setImmutable(files: readonly string[], on: boolean): void {
  execFileSync('chattr', [on ? '+i' : '-i', ...files], { stdio: 'pipe' });
}

/** Whether chattr +i works on files in `dir` (ext4, xfs, btrfs do; tmpfs and overlay may not). */
export function immutableSupported(dir: string): { ok: boolean; reason?: string } {
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'not running as root (chattr +i needs CAP_LINUX_IMMUTABLE)' };
  const probe = join(dir, `.immutable-probe-${randomBytes(3).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'w'));
    setImmutable([probe], true);
    setImmutable([probe], false);
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      reason: `chattr +i is not supported on ${dir}: ${String((e as Error).message).trim()}`,
    };
  } finally {
    spawnSync('chattr', ['-i', probe]);
    rmSync(probe, { force: true });
  }
}

/** The newest installed PostgreSQL server binaries (Debian layout), or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

function userId(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * A private PostgreSQL cluster (initdb in a temporary directory, run as the `postgres` OS user, listening on a
 * free loopback port), so faults never touch the shared server other suites use.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly root: string;
  readonly data: string;
  readonly sockets: string;
  readonly bin: string;
  readonly owner: { uid: number; gid: number };
  private running = false;

  private constructor(bin: string, port: number, owner: { uid: number; gid: number }) {
    this.bin = bin;
    this.port = port;
    this.owner = owner;
    this.root = mkdtempSync(join(tmpdir(), 'nabz-pgfault-'));
    chmodSync(this.root, 0o755);
    this.data = join(this.root, 'data');
    this.sockets = join(this.root, 'run');
    mkdirSync(this.sockets);
    chownSync(this.root, owner.uid, owner.gid);
    chownSync(this.sockets, owner.uid, owner.gid);
  }

  /** Why a private cluster cannot be made here, or undefined when it can. */
  static unsupported(): string | undefined {
    if (process.getuid?.() !== 0) return 'not running as root (initdb runs as the postgres user via runuser)';
    if (!postgresBinDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
    if (!userId('postgres')) return 'no postgres OS user';
    return undefined;
  }

  static async create(): Promise<PrivatePostgres> {
    const why = PrivatePostgres.unsupported();
    if (why) throw new Error(`Cannot start a private PostgreSQL cluster: ${why}.`);
    const pgc = new PrivatePostgres(postgresBinDir()!, await freePort(), userId('postgres')!);
    pgc.asPostgres('initdb', ['-D', pgc.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    pgc.start();
    return pgc;
  }

  private asPostgres(tool: string, args: string[]): string {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args], {
      encoding: 'utf8',
      cwd: this.root,
    });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.asPostgres('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.root, 'log.txt'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -k ${this.sockets} -c listen_addresses=127.0.0.1 -c max_connections=40 -c shared_buffers=16MB`,
      'start',
    ]);
    this.running = true;
  }

  /** Start the server again if a test left it stopped. */
  ensureRunning(): void {
    if (!this.running) this.start();
  }

  /** Stop at once, as a crash would (`-m immediate`: no checkpoint, connections cut). */
  stopImmediate(): void {
    this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  /** Run SQL as the superuser on database `db`. */
  async sql(text: string, db = 'postgres'): Promise<pg.QueryResult> {
    const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/${db}` });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  }

  /** A directory the server may use as a tablespace location (owned by postgres). */
  chownForTablespace(dir: string): void {
    chownSync(dir, this.owner.uid, this.owner.gid);
  }

  dispose(): void {
    if (this.running) {
      try {
        this.stopImmediate();
      } catch {
        // already stopped
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The app over a store, as `nabz serve` builds it (in process: requests through `app.inject`). */
export interface FaultApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly token: string;
  readonly studyId: number;
  /** POST a complete response with this key to the JSON API. */
  submit(key: string, seed?: number): ReturnType<FastifyInstance['inject']>;
  close(): Promise<void>;
}

export async function faultApp(storeConfig: StoreConfig): Promise<FaultApp> {
  const store = await openStore(storeConfig);
  const config = {
    ...configFromEnv({}, { port: 3000, dataDir: '/nonexistent-fault-data-dir' }),
    submitRateLimitPerMinute: 1_000_000,
  };
  const app = await buildApp({ store, config });
  await app.ready();
  const owner = await store.users.create({
    email: 'owner@example.org',
    displayName: 'Owner',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$ZmF1bHRz$bm90LWEtcmVhbC1oYXNo',
  });
  if (!owner.ok) throw new Error(owner.message);
  const study = await createStudy(store, { ownerId: owner.value.id, definition: baceStudyDefinition() });
  return {
    app,
    store,
    token: study.publicToken,
    studyId: study.id,
    submit: (key, seed = 0) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/s/${study.publicToken}/responses`,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        payload: JSON.stringify({ answers: baceAnswers(seed), consent: { agreed: true, version: 2 } }),
      }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** Row counts of every table that a submission could touch, and the completed counter's total. */
export async function snapshot(store: Store, studyId: number) {
  const count = async (table: 'responses' | 'progress_counters' | 'referral_links' | 'resume_drafts') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const totals = (await store.counters.read(studyId)).totals;
  return {
    responses: await count('responses'),
    counters: await count('progress_counters'),
    referralLinks: await count('referral_links'),
    drafts: await count('resume_drafts'),
    completed: totals.completed ?? 0,
    started: totals.started ?? 0,
  };
}

/** A respondent without JavaScript who has reached the review page: its form, to be posted (and re-posted). */
export async function respondentAtReview(
  app: FastifyInstance,
  token: string,
  seed = 0,
): Promise<SavedReview> {
  const b = new FormBrowser(app);
  await b.get(`/s/${token}?lang=en`);
  await b.submit({}, { name: '_consent', value: 'agree' });
  await b.submit({ enrolled: '1' });
  await b.submit({ age: String(20 + (seed % 9)), gender: '1', training: '1' });
  const all = Object.fromEntries(BACE_ITEMS.map((id, i) => [id, String((i + seed) % 4)]));
  await b.submit(all);
  if (b.page() !== 'review')
    throw new Error(`expected the review page, got ${b.status}: ${b.html.slice(0, 300)}`);
  return { browser: b, action: b.action(), fields: { ...b.hidden(), _nav: 'submit' } };
}

/** A review page kept to be posted (and re-posted) by the browser that holds its session cookie. */
export interface SavedReview {
  readonly browser: FormBrowser;
  readonly action: string;
  readonly fields: Record<string, string>;
}

/**
 * Post a saved review form (the final submit of the form flow) from its browser; a 303 is followed, so the
 * answer is the page the respondent sees (or the post's own error answer).
 */
export async function postReview(_app: FastifyInstance, saved: SavedReview) {
  const r = await saved.browser.post(saved.action, form(saved.fields));
  return r.statusCode === 303 ? saved.browser.get(String(r.headers.location)) : r;
}
