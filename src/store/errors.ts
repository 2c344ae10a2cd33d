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

/** A problem the store diagnosed: configuration, connection, migration. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: 'config' | 'connect' | 'migration',
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

/** True when `err` is a CHECK-constraint violation from either driver (SQLite or SQLSTATE 23514). */
export function isCheckViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_CHECK' || code === '23514';
}
