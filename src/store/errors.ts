/**
 * Expected failures are values; bugs throw.
 *
 * Repository functions return {@link Refused} for outcomes a caller must handle (an e-mail already taken, a
 * setup token already used, a closed study). Everything else — a broken connection, a constraint a correct
 * caller cannot violate — throws; {@link StoreError} is thrown for problems the store diagnoses itself
 * (bad configuration, failed migration, unreachable database), with a message that names the fix.
 */

/** An expected failure: `code` for programs, `message` for people. */
export interface Refused<C extends string> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
}

export function refused<C extends string>(code: C, message: string): Refused<C> {
  return { ok: false, code, message };
}

/** Success carrying a value. */
export interface Done<T> {
  readonly ok: true;
  readonly value: T;
}

export function done<T>(value: T): Done<T> {
  return { ok: true, value };
}

export type Outcome<T, C extends string> = Done<T> | Refused<C>;

/**
 * A problem the store diagnosed: configuration, connection, migration, or a value that does not have its
 * schema's shape (`decode`: written by a caller that skipped the check, or read from a damaged row).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: 'config' | 'connect' | 'migration' | 'decode',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * True when `err` is a unique or primary-key violation from either driver
 * (better-sqlite3 `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY`, PostgreSQL SQLSTATE 23505).
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** True when `err` is a foreign-key violation from either driver (SQLite or SQLSTATE 23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** SQLite and PostgreSQL error codes that mean "the database cannot take writes right now; retry later". */
const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOSPC',
  'EROFS',
  '57P01', // admin_shutdown
  '57P02',
  '57P03', // cannot_connect_now
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * True when `err` (or an error in its `cause` chain) means the database cannot serve requests right now — down,
 * unreachable, locked, full, read-only, a serialization failure or deadlock — so the request may be retried
 * later (the server answers 503 with Retry-After). The one classifier of "database unavailable" for both drivers.
 */
export function isUnavailableError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY'))
        return true;
      if (code.startsWith('08')) return true; // PostgreSQL connection exceptions
    }
    const msg = (e as { message?: unknown }).message;
    if (
      typeof msg === 'string' &&
      /Connection terminated|terminating connection|is not queryable|Client was closed|Connection ended|connection timeout|timeout exceeded when trying to connect|database is locked|disk I\/O error|database or disk is full|attempt to write a readonly database|The database connection is not open|driver has already been destroyed|Cannot use a pool after calling end/i.test(
        msg,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
