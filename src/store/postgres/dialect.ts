/**
 * PostgreSQL backend: Kysely's PostgresDialect over a `pg` pool, set up so both backends return the same
 * JavaScript values.
 *
 * - json/jsonb and date come back as text (the shared code parses JSON itself; a `date` parsed by pg would
 *   become local midnight and shift by the server's time zone), int8 as a number (counts and ids stay far
 *   below 2^53; a larger value throws instead of losing digits).
 * - Every connection runs with `synchronous_commit=on`, whatever the server default, so COMMIT returns only
 *   once the WAL record is flushed: an acknowledged response survives a crash.
 * - An optional schema is put first on `search_path` for every pooled connection; tests and multi-tenant
 *   installations use it for isolation.
 *
 * The store depends only on the slice of `pg` Kysely declares (`PostgresPool`: `connect`, `end`; clients:
 * `query`, `release`). Kysely's Postgres adapter already runs migrations in a transaction under an advisory
 * lock, so several instances starting at once migrate exactly once.
 */
import { type Dialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../codec.js';
import { StoreError } from '../errors.js';

export interface PostgresBackendOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Schema to create and use (first on search_path); default: the server's search_path (usually `public`). */
  readonly schema?: string;
  /** Maximum pooled connections per process (default 10). */
  readonly poolSize?: number;
  /** Where to report errors of idle pooled connections (default: console.error). */
  readonly onPoolError?: (err: Error) => void;
}

export interface PostgresBackend {
  readonly dialect: Dialect;
  readonly description: string;
  /** The schema the store's tables live in (resolved from search_path when not configured). */
  readonly schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const OID = { int8: 20, json: 114, date: 1082, jsonb: 3802 } as const;

const asText = (value: string): string => value;
const asSafeInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`PostgreSQL int8 ${value} does not fit a JavaScript number.`);
  return n;
};

const parsers = new Map<number, (value: string) => unknown>([
  [OID.int8, asSafeInteger],
  [OID.json, asText],
  [OID.jsonb, asText],
  [OID.date, asText],
]);

const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    parsers.get(oid) ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Connect to PostgreSQL, check the connection, create the schema if one is configured, and return the dialect.
 * Throws a StoreError with the (password-redacted) URL and the driver's reason when the server is unreachable.
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const { url, schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      `PostgreSQL schema name "${schema}" is not allowed: use lower-case letters, digits and underscores, ` +
        'starting with a letter or underscore (at most 63 characters).',
      'config',
    );
  }
  const settings = ['-c synchronous_commit=on'];
  if (schema !== undefined) settings.push(`-c search_path=${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: settings.join(' '),
    types: typeParsers,
    application_name: 'nabz',
    // An unreachable server gives a quick error (a 503 with Retry-After) instead of a hung request.
    connectionTimeoutMillis: 5000,
  });
  const report =
    options.onPoolError ??
    ((err: Error) => console.error(`nabz: idle PostgreSQL connection: ${err.message}`));
  pool.on('error', report);
  // A checked-out client that loses its server emits 'error' on itself, not on the pool: without a listener
  // the process would die. The query in flight still fails and is reported to its caller.
  pool.on('connect', (client) => client.on('error', report));
  let resolvedSchema: string;
  try {
    const client = await pool.connect();
    try {
      if (schema !== undefined) {
        // Look first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a role confined
        // to an existing schema may lack.
        const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      }
      const res = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      resolvedSchema = res.rows[0]?.schema ?? '';
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message || String(err)}. ` +
        'Check that the server is running and that DATABASE_URL (user, password, host, port, database) is right.',
      'connect',
      { cause: err },
    );
  }
  if (!resolvedSchema) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `PostgreSQL at ${redactUrl(url)}: no schema on search_path exists. ` +
        'Create one (e.g. CREATE SCHEMA nabz) and set NABZ_DB_SCHEMA, or fix the role’s search_path.',
      'config',
    );
  }
  return {
    dialect: new PostgresDialect({ pool }),
    description: `PostgreSQL ${redactUrl(url)} (schema ${resolvedSchema})`,
    schema: resolvedSchema,
  };
}
