/**
 * SQLite backend: a Kysely dialect over better-sqlite3, opened for durability.
 *
 * - `journal_mode=WAL`: readers never block the writer and a crash never leaves a half-written page.
 * - `synchronous=FULL`: every COMMIT fsyncs the WAL before it returns, so a response the server has
 *   acknowledged survives a power cut (NORMAL would only guarantee consistency, not durability).
 * - `foreign_keys=ON`: SQLite leaves them off by default.
 * - `busy_timeout`: another process holding the write lock makes us wait, not fail.
 * - Write transactions start with `BEGIN IMMEDIATE` (Kysely's driver uses a deferred `BEGIN`), so a
 *   transaction takes the write lock up front instead of failing with SQLITE_BUSY when it upgrades from
 *   read to write while another process writes.
 * - Migrations run inside a transaction (SQLite's DDL is transactional; Kysely's stock adapter assumes not).
 *
 * The store depends only on the slice of better-sqlite3 declared in {@link SqliteConnectionSlice}; `Date`
 * and `boolean` parameters are encoded here (ISO-8601 text and 0/1), so the shared query code passes the
 * same values to both backends.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type SqliteStatement,
} from 'kysely';
import { StoreError } from '../errors.js';

/** The part of a better-sqlite3 statement the store uses. */
export interface SqliteStatementSlice {
  readonly reader: boolean;
  readonly busy: boolean;
  all(params: ReadonlyArray<unknown>): unknown[];
  run(params: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(params: ReadonlyArray<unknown>): IterableIterator<unknown>;
}

/** The part of a better-sqlite3 `Database` the store uses. */
export interface SqliteConnectionSlice {
  prepare(sql: string): SqliteStatementSlice;
  close(): void;
}

export interface SqliteBackendOptions {
  /** Database file; its directory is created (mode 0700) if missing. */
  readonly file: string;
  /** How long to wait for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

export interface SqliteBackend {
  readonly dialect: Dialect;
  /** Human-readable description for start-up logs. */
  readonly description: string;
}

function encodeParam(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function encodeParams(params: ReadonlyArray<unknown>): unknown[] {
  return params.map(encodeParam);
}

/** Wraps a connection: encodes parameters and caches prepared statements by SQL text. */
function wrapConnection(conn: SqliteConnectionSlice, cacheSize = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatementSlice>();
  const prepare = (sql: string): SqliteStatementSlice => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) return hit;
    const stmt = conn.prepare(sql);
    if (!hit) {
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return {
    close: () => {
      cache.clear();
      conn.close();
    },
    prepare(sql: string): SqliteStatement {
      const stmt = prepare(sql);
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(encodeParams(params)),
        run: (params) => stmt.run(encodeParams(params)),
        iterate: (params) => stmt.iterate(encodeParams(params)),
      };
    },
  };
}

function pragma(conn: SqliteConnectionSlice, text: string): unknown[] {
  const stmt = conn.prepare(`PRAGMA ${text}`);
  if (stmt.reader) return stmt.all([]);
  stmt.run([]);
  return [];
}

function firstValue(rows: unknown[]): unknown {
  const row = rows[0];
  return row && typeof row === 'object' ? Object.values(row)[0] : undefined;
}

/**
 * Apply the durability pragmas to an open connection and check they took effect.
 * Throws a StoreError naming the file system problem when WAL cannot be enabled.
 */
export function configureSqlite(conn: SqliteConnectionSlice, file: string, busyTimeoutMs = 5000): void {
  pragma(conn, `busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  const mode = String(firstValue(pragma(conn, 'journal_mode = WAL'))).toLowerCase();
  if (mode !== 'wal' && file !== ':memory:') {
    throw new StoreError(
      `SQLite file ${file}: could not switch to WAL journal mode (got "${mode}"). ` +
        'Put the data directory on a local disk (WAL does not work on network file systems).',
      'config',
    );
  }
  pragma(conn, 'synchronous = FULL');
  pragma(conn, 'foreign_keys = ON');
  if (Number(firstValue(pragma(conn, 'foreign_keys'))) !== 1) {
    throw new StoreError(`SQLite file ${file}: foreign keys could not be enabled.`, 'config');
  }
}

class StoreSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (disk full, I/O error, read-only file); Kysely's
   * ROLLBACK then fails with "no transaction is active" and would hide the real error, turning a 503 into a 500.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (e) {
      if (!/no transaction is active/i.test((e as Error).message)) throw e;
    }
  }
}

/** A Kysely dialect over an already-configured connection slice. */
export class StoreSqliteDialect implements Dialect {
  readonly #database: SqliteDatabase;
  constructor(connection: SqliteConnectionSlice) {
    this.#database = wrapConnection(connection);
  }
  createDriver(): Driver {
    return new StoreSqliteDriver({ database: this.#database });
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new StoreSqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** Open (creating if needed) the SQLite file and return the dialect for it. */
export function openSqliteBackend(options: SqliteBackendOptions): SqliteBackend {
  const { file } = options;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError(
        `Cannot create the data directory ${dirname(file)}: ${(err as Error).message}. ` +
          'Choose a writable data directory.',
        'config',
        { cause: err },
      );
    }
  }
  let conn: BetterSqlite3.Database;
  try {
    conn = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  } catch (err) {
    throw new StoreError(`Cannot open the SQLite file ${file}: ${(err as Error).message}.`, 'connect', {
      cause: err,
    });
  }
  const slice = conn as unknown as SqliteConnectionSlice;
  try {
    configureSqlite(slice, file, busyTimeoutMs);
  } catch (err) {
    conn.close();
    throw err;
  }
  return {
    dialect: new StoreSqliteDialect(slice),
    description: `SQLite ${file} (WAL, synchronous=FULL)`,
  };
}
