/**
 * The databases the storage suite runs against: SQLite always (a file in a temporary directory), PostgreSQL
 * when NABZ_TEST_PG_URL is set (CI: postgres://postgres@127.0.0.1:5432/test). Real databases, no mocks.
 *
 * Isolation on PostgreSQL: every test database is its own schema `nabz_test_<random>`, put on the pool's
 * search_path, and dropped afterwards. If NABZ_TEST_PG_URL is set but the server cannot be reached, creating a
 * test database throws — the suite fails, it does not skip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Answer, Answers } from '../../src/core/response/answer.js';
import { openStore, type Store, type StoreConfig } from '../../src/store/index.js';

/** A second, raw connection to the same database: for introspection and for tampering behind the store's back. */
export interface RawConnection {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestDatabase {
  readonly backend: 'sqlite' | 'postgres';
  readonly config: StoreConfig;
  /** PostgreSQL schema (undefined on SQLite). */
  readonly schema: string | undefined;
  /** Open a Store on this database (runs migrations). */
  open(): Promise<Store>;
  /** Open a raw connection (closed by dispose if still open). */
  raw(): Promise<RawConnection>;
  /** Close raw connections and drop the database (directory or schema). */
  dispose(): Promise<void>;
}

export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  /** A new, empty database. */
  create(): Promise<TestDatabase>;
}

const sqliteBackend: TestBackend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-store-'));
    const file = join(dir, 'data', 'nabz.sqlite');
    const raws: BetterSqlite3.Database[] = [];
    return {
      backend: 'sqlite',
      config: { kind: 'sqlite', file },
      schema: undefined,
      open: () => openStore({ kind: 'sqlite', file }),
      async raw() {
        const conn = new BetterSqlite3(file);
        raws.push(conn);
        return {
          exec: async (sql) => {
            conn.exec(sql);
          },
          query: async <T>(sql: string) => conn.prepare(sql).all() as T[],
          close: async () => {
            if (conn.open) conn.close();
          },
        };
      },
      async dispose() {
        for (const conn of raws) if (conn.open) conn.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export function postgresBackend(url: string): TestBackend {
  const safeUrl = url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
  return {
    name: 'postgres',
    async create() {
      const admin = new pg.Client({ connectionString: url });
      try {
        await admin.connect();
      } catch (err) {
        throw new Error(
          `NABZ_TEST_PG_URL is set to ${safeUrl} but PostgreSQL cannot be reached: ${(err as Error).message}. ` +
            'Start the server (e.g. pg_ctlcluster --skip-systemctl-redirect 15 main start) or unset NABZ_TEST_PG_URL ' +
            'to run the storage suite on SQLite only.',
        );
      }
      const schema = `nabz_test_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      const raws: pg.Client[] = [];
      return {
        backend: 'postgres',
        config: { kind: 'postgres', url, schema, poolSize: 12 },
        schema,
        open: () => openStore({ kind: 'postgres', url, schema, poolSize: 12 }),
        async raw() {
          const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
          await client.connect();
          raws.push(client);
          let closed = false;
          return {
            exec: async (sql) => {
              await client.query(sql);
            },
            query: async <T>(sql: string) => (await client.query(sql)).rows as T[],
            close: async () => {
              if (!closed) {
                closed = true;
                await client.end();
              }
            },
          };
        },
        async dispose() {
          for (const client of raws) await client.end().catch(() => undefined);
          try {
            await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await admin.end();
          }
        },
      };
    },
  };
}

/** The backends to test: SQLite, and PostgreSQL when NABZ_TEST_PG_URL is set. */
export function testBackends(): TestBackend[] {
  const url = process.env.NABZ_TEST_PG_URL?.trim();
  return url ? [sqliteBackend, postgresBackend(url)] : [sqliteBackend];
}

/**
 * For the enclosing describe block: before its tests, a new database with a Store open on it, handed to
 * `opened` (which may also prepare data); after them, the Store closed and the database dropped.
 */
export function useStore(
  backend: TestBackend,
  opened: (open: { db: TestDatabase; store: Store }) => void | Promise<void>,
): void {
  let db: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    db = await backend.create();
    store = await db.open();
    await opened({ db, store });
  });
  afterAll(async () => {
    await store?.close();
    await db?.dispose();
  });
}

/** Helpers for tests that need a study accepting responses. */
export async function makeOwner(store: Store, email = `owner-${randomBytes(4).toString('hex')}@example.org`) {
  const created = await store.users.create({
    email,
    displayName: 'Owner',
    passwordHash: '$argon2id$v=19$test',
  });
  if (!created.ok) throw new Error(created.message);
  return created.value;
}

export async function makeOpenStudy(
  store: Store,
  options: { anonymous?: boolean; recordTimes?: boolean; ownerId?: number } = {},
) {
  const ownerId = options.ownerId ?? (await makeOwner(store)).id;
  const study = await store.studies.create({
    title: 'Burnout among interns',
    ownerId,
    definition: { instruments: [{ instrument: 'bace3' }], languages: ['en', 'ur'] },
    consentText: 'I agree to take part.',
    ...(options.anonymous !== undefined ? { anonymous: options.anonymous } : {}),
    ...(options.recordTimes !== undefined ? { recordTimes: options.recordTimes } : {}),
  });
  await store.studies.setStatus({ studyId: study.id, status: 'open' });
  return { study, ownerId };
}

/** A client-style idempotency key. */
export function newKey(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Answers for store tests, written short: a number is a value answer, a string a text answer, an array of
 * numbers a choices answer (the store stores and reads only `Answers`, core/response/answer.ts).
 */
export function ans(short: Readonly<Record<string, number | string | readonly number[]>>): Answers {
  const out: Record<string, Answer> = {};
  for (const [k, v] of Object.entries(short))
    out[k] =
      typeof v === 'number'
        ? { kind: 'value', value: v }
        : typeof v === 'string'
          ? { kind: 'text', text: v }
          : { kind: 'choices', values: v };
  return out;
}
