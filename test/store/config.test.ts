import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError, openStore, StoreError, storeConfigFromEnv } from '../../src/store/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { postgresBackend } from './backends.js';

describe('storeConfigFromEnv', () => {
  it('uses an SQLite file in the data directory when DATABASE_URL is unset or empty', () => {
    expect(storeConfigFromEnv({}, '/var/lib/nabz')).toEqual({
      kind: 'sqlite',
      file: '/var/lib/nabz/nabz.sqlite',
    });
    expect(storeConfigFromEnv({ DATABASE_URL: '  ' }, 'data')).toEqual({
      kind: 'sqlite',
      file: 'data/nabz.sqlite',
    });
  });

  it('uses PostgreSQL for postgres:// and postgresql:// URLs, with optional schema and pool size', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://u:p@db:5432/nabz' }, 'data')).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/nabz',
    });
    expect(
      storeConfigFromEnv(
        { DATABASE_URL: 'postgresql://db/nabz', NABZ_DB_SCHEMA: 'survey', NABZ_DB_POOL_SIZE: '20' },
        'data',
      ),
    ).toEqual({ kind: 'postgres', url: 'postgresql://db/nabz', schema: 'survey', poolSize: 20 });
  });

  it('refuses other URLs and bad pool sizes with a message that names the fix and hides the password', () => {
    expect(() => storeConfigFromEnv({ DATABASE_URL: 'mysql://root:hunter2@db/nabz' }, 'data')).toThrow(
      'DATABASE_URL=mysql://root:***@db/nabz is not supported: use postgres://user:password@host:5432/database, ' +
        'or unset DATABASE_URL to use the built-in SQLite file.',
    );
    expect(() =>
      storeConfigFromEnv({ DATABASE_URL: 'postgres://db/nabz', NABZ_DB_POOL_SIZE: 'many' }, 'data'),
    ).toThrow('NABZ_DB_POOL_SIZE=many is not valid: use a whole number from 1 to 1000.');
  });
});

describe('openStore', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates the data directory on first run (private to the user)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nabz-config-'));
    dirs.push(root);
    const file = join(root, 'a', 'b', 'nabz.sqlite');
    const store = await openStore(storeConfigFromEnv({}, join(root, 'a', 'b')));
    try {
      expect(store.backend).toBe('sqlite');
      expect(store.description).toBe(`SQLite ${file} (WAL, synchronous=FULL)`);
      expect(existsSync(file)).toBe(true);
      expect(statSync(join(root, 'a', 'b')).mode & 0o777).toBe(0o700);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable PostgreSQL server as a StoreError naming the (redacted) URL', async () => {
    const url = 'postgres://nabz:topsecret@127.0.0.1:1/nabz';
    const err = await openStore({ kind: 'postgres', url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('connect');
    expect((err as Error).message).toMatch(
      /^Cannot connect to PostgreSQL at postgres:\/\/nabz:\*\*\*@127\.0\.0\.1:1\/nabz: /,
    );
    expect((err as Error).message).not.toContain('topsecret');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      openStore({ kind: 'postgres', url: 'postgres://127.0.0.1:1/x', schema: 'a; DROP TABLE users' }),
    ).rejects.toThrow(/schema name "a; DROP TABLE users" is not allowed/);
  });

  it('reports a failing migration by name and rolls the whole run back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nabz-config-'));
    dirs.push(root);
    const store = await openStore({ kind: 'sqlite', file: join(root, 'nabz.sqlite') });
    try {
      const { sql } = await import('kysely');
      const err = await migrateToLatest(store.db, {
        '0001_core': { up: async () => undefined },
        '0002_qual': { up: async () => undefined },
        '0003_invitations': { up: async () => undefined },
        '0004_respondent_privacy': { up: async () => undefined },
        '0005_invite_links': { up: async () => undefined },
        '0006_counter_shards': { up: async () => undefined },
        '0007_limits': { up: async () => undefined },
        '0008_qual_media': { up: async () => undefined },
        '0009_response_imports': { up: async () => undefined },
        '0010_study_archive': { up: async () => undefined },
        '0011_account_links': { up: async () => undefined },
        '0012_volunteers': { up: async () => undefined },
        '0013_response_consent': { up: async () => undefined },
        '0014_waves': { up: async () => undefined },
        '0015_good': { up: async (db) => void (await sql`CREATE TABLE extra_a (x INTEGER)`.execute(db)) },
        '0016_bad': {
          up: async (db) => {
            await sql`CREATE TABLE extra_b (x INTEGER)`.execute(db);
            await sql`THIS IS NOT SQL`.execute(db);
          },
        },
        '0017_later': { up: async () => undefined },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as MigrationError).message).toMatch(
        /^Migration 0016_bad failed; this run's migrations were rolled back: /,
      );
      expect((err as MigrationError).steps).toEqual([
        { name: '0015_good', status: 'rolled_back' },
        { name: '0016_bad', status: 'failed' },
        { name: '0017_later', status: 'not_run' },
      ]);
      const tables = (
        await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(store.db)
      ).rows.map((r) => r.name);
      expect(tables).not.toContain('extra_a');
      expect(tables).not.toContain('extra_b');
      expect(tables).toContain('responses');
      expect(await store.schemaVersion()).toEqual({ version: 14, name: '0014_waves' });
    } finally {
      await store.close();
    }
  });
});

describe('the storage suite itself', () => {
  it('fails, rather than skips, when NABZ_TEST_PG_URL points at a server that is not there', async () => {
    await expect(postgresBackend('postgres://postgres:pw@127.0.0.1:1/test').create()).rejects.toThrow(
      /^NABZ_TEST_PG_URL is set to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test but PostgreSQL cannot be reached: /,
    );
  });
});
