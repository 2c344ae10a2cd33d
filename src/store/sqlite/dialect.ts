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
import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
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
interface SqliteStatementSlice {
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
  /** True while a transaction is open on the connection (better-sqlite3's `inTransaction`). */
  readonly inTransaction?: boolean;
}

interface SqliteBackendOptions {
  /** Database file; its directory is created (mode 0700) if missing. */
  readonly file: string;
  /** How long to wait for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

interface SqliteBackend {
  readonly dialect: Dialect;
  /** Human-readable description for start-up logs. */
  readonly description: string;
  /** Synchronous statements and durable write transactions outside Kysely, for the submission hot path. */
  readonly direct: SqliteDirect;
}

function encodeParam(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function encodeParams(params: ReadonlyArray<unknown>): unknown[] {
  return params.map(encodeParam);
}

/** Prepared statements of a connection, cached by SQL text (a busy one, e.g. mid-iteration, is not reused). */
function statementCache(conn: SqliteConnectionSlice, cacheSize = 256) {
  const cache = new Map<string, SqliteStatementSlice>();
  return (sql: string): SqliteStatementSlice => {
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
}

/** Wraps a connection: encodes parameters and caches prepared statements by SQL text. */
function wrapConnection(conn: SqliteConnectionSlice): SqliteDatabase {
  const prepare = statementCache(conn);
  return {
    close: () => conn.close(),
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

/**
 * Direct, synchronous use of the store's connection, beside Kysely, for the one path where Kysely's per-query
 * cost matters: storing submissions under load (src/store/responses.ts).
 *
 * - {@link SqliteDirect.idle}: no transaction is open on the connection. Kysely holds a transaction across
 *   awaits, so statements may only be run here while it is idle; a caller that finds it busy uses Kysely.
 *   Statements run synchronously, so nothing else can use the connection in between.
 * - {@link SqliteDirect.writeTransaction} runs `fn` in `BEGIN IMMEDIATE … COMMIT` with `synchronous=NORMAL`
 *   for that one COMMIT: the WAL frames are written (to the operating system) but the event loop does not
 *   wait for the disk. The caller must then await {@link SqliteDirect.durable} before it tells anyone the
 *   transaction happened: that fsyncs the WAL file on libuv's thread pool, so the disk wait overlaps with
 *   other requests' work, and one fsync covers every transaction committed before it started (group commit).
 *   After `durable()` resolves, the transaction is exactly as durable as a `synchronous=FULL` COMMIT, which is
 *   the same fsync of the same file. Checkpoints keep their own fsyncs (SQLite syncs the WAL before and the
 *   database after each checkpoint in NORMAL mode).
 */
export interface SqliteDirect {
  idle(): boolean;
  /** A cached prepared statement; parameters must already be SQLite values (text for instants, 0/1). */
  statement(sql: string): SqliteStatementSlice;
  /** Run `fn` in one write transaction (rolled back if it throws); see the interface comment on durability. */
  writeTransaction<T>(fn: () => T): T;
  /** Resolves once everything committed before the call is on disk (rejects with the fsync error). */
  durable(): Promise<void>;
  /** Close the WAL file handle (the connection itself is closed by Kysely). */
  close(): void;
}

interface DirectAccessOptions {
  /** How the WAL file is synced (default `fs.fdatasync`); tests pass one they control. */
  readonly sync?: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void;
}

/** Direct access to an already-configured connection of the database `file` (see {@link SqliteDirect}). */
export function directAccess(
  conn: SqliteConnectionSlice,
  file: string,
  options: DirectAccessOptions = {},
): SqliteDirect {
  const sync = options.sync ?? fdatasync;
  const statement = statementCache(conn, 64);
  const memory = file === ':memory:' || file === '';
  let walFd: number | undefined;
  let syncing = false;
  let waiting: { resolve(): void; reject(err: unknown): void }[] = [];

  const openWal = (): number => {
    if (walFd === undefined) {
      walFd = openSync(`${file}-wal`, 'r');
      // The WAL file's directory entry must be durable too (once: the file is not deleted while we hold
      // the connection open).
      const dirFd = openSync(dirname(file), 'r');
      try {
        fsyncDir(dirFd);
      } finally {
        closeSync(dirFd);
      }
    }
    return walFd;
  };

  const startSync = () => {
    const group = waiting;
    waiting = [];
    syncing = true;
    let fd: number;
    try {
      fd = openWal();
    } catch (err) {
      syncing = false;
      for (const w of group) w.reject(err);
      return;
    }
    // fdatasync, as SQLite itself syncs its files on Linux: the data and the metadata needed to read it back.
    sync(fd, (err) => {
      syncing = false;
      for (const w of group) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (waiting.length > 0) startSync();
    });
  };

  return {
    idle: () => conn.inTransaction !== true,
    statement,
    writeTransaction<T>(fn: () => T): T {
      if (conn.inTransaction)
        throw new Error('SqliteDirect.writeTransaction: a transaction is already open.');
      statement('PRAGMA synchronous = NORMAL').run([]);
      try {
        statement('BEGIN IMMEDIATE').run([]);
        try {
          const result = fn();
          statement('COMMIT').run([]);
          return result;
        } catch (err) {
          if (conn.inTransaction) {
            try {
              statement('ROLLBACK').run([]);
            } catch {
              // The original error is the one to report.
            }
          }
          throw err;
        }
      } finally {
        statement('PRAGMA synchronous = FULL').run([]);
      }
    },
    durable(): Promise<void> {
      if (memory) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (!syncing) startSync();
      });
    },
    close() {
      if (walFd !== undefined) closeSync(walFd);
      walFd = undefined;
    },
  };
}

function fsyncDir(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds its data.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
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
    direct: directAccess(slice, file),
  };
}
