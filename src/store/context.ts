import type { Kysely } from 'kysely';
import type { PostgresDirect } from './postgres/dialect.js';
import type { Database } from './schema.js';
import type { SqliteDirect } from './sqlite/dialect.js';

export type BackendKind = 'sqlite' | 'postgres';

/** What every repository is built from: a Kysely instance (or a transaction) and which backend it talks to. */
export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly backend: BackendKind;
  /** SQLite only, and only outside transactions: synchronous statements beside Kysely (see SqliteDirect). */
  readonly sqlite?: SqliteDirect;
  /** PostgreSQL only, and only outside transactions: named statements beside Kysely (see PostgresDirect). */
  readonly postgres?: PostgresDirect;
}

/**
 * Run `fn` in a transaction: a new one, or the caller's when `db` already is one (Kysely does not nest
 * transactions; joining the outer one keeps "all or nothing" for the caller's whole unit of work).
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
