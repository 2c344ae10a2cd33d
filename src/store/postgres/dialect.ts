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
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Dialect,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { redactUrl } from '../codec.js';
import { StoreError } from '../errors.js';

interface PostgresBackendOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Schema to create and use (first on search_path); default: the server's search_path (usually `public`). */
  readonly schema?: string;
  /** Maximum pooled connections per process (default 10). */
  readonly poolSize?: number;
  /** Where to report errors of idle pooled connections (default: console.error). */
  readonly onPoolError?: (err: Error) => void;
}

/** Runs one named (prepared) statement on a transaction's connection and gives its rows. */
export type PgStatement = <R>(name: string, text: string, values: readonly unknown[]) => Promise<R[]>;

/**
 * Direct use of the pool beside Kysely, for the one path where Kysely's per-query building matters: storing
 * submissions under load (src/store/responses.ts). {@link PostgresDirect.transaction} runs `fn` in BEGIN …
 * COMMIT on one pooled connection (ROLLBACK, and the error passed on, when anything fails); its statements are
 * named, so each connection parses and plans a statement once and then only binds and executes it (pg keeps
 * the names per connection). Same durability as any transaction here: the connection has
 * `synchronous_commit=on`, so COMMIT returns once the WAL is flushed.
 */
export interface PostgresDirect {
  transaction<T>(fn: (statement: PgStatement) => Promise<T>): Promise<T>;
}

function postgresDirect(pool: pg.Pool): PostgresDirect {
  return {
    async transaction(fn) {
      const client = await pool.connect();
      const statement: PgStatement = async <R>(name: string, text: string, values: readonly unknown[]) =>
        (await client.query({ name, text, values: values as unknown[] })).rows as R[];
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        try {
          const result = await fn(statement);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch((e: Error) => {
            broken = e; // the connection is unusable: the pool drops it
          });
          throw err;
        }
      } finally {
        client.release(broken);
      }
    },
  };
}

interface PostgresBackend {
  readonly dialect: Dialect;
  /** Named statements in a transaction of their own, beside Kysely (see {@link PostgresDirect}). */
  readonly direct: PostgresDirect;
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
    dialect: new SchemaPostgresDialect({ pool }, resolvedSchema),
    direct: postgresDirect(pool),
    description: `PostgreSQL ${redactUrl(url)} (schema ${resolvedSchema})`,
    schema: resolvedSchema,
  };
}

/**
 * Kysely's PostgreSQL introspector lists the tables of every schema in the database, calling
 * `has_schema_privilege` and `pg_get_serial_sequence` on each: a schema dropped by someone else meanwhile (another
 * application, another test run on the same database) makes that query fail with "schema … does not exist", and
 * with it the migrator's start (it introspects to find its own table). The store only ever needs its own schema,
 * so its introspector reads that schema alone.
 */
class SchemaPostgresDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly schema: string,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaIntrospector(db, this.schema);
  }
}

interface ColumnRow {
  table: string;
  table_type: string;
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
  auto_incrementing: boolean;
  comment: string | null;
}

class SchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    return [{ name: this.schema }];
  }

  async getTables(options: { withInternalKyselyTables?: boolean } = {}): Promise<TableMetadata[]> {
    const rows = await sql<ColumnRow>`
      SELECT c.relname AS "table", c.relkind AS table_type, a.attname AS "column", t.typname AS "type",
             a.attnotnull AS not_null, a.atthasdef AS has_default,
             (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false)) AS auto_incrementing,
             col_description(a.attrelid, a.attnum) AS "comment"
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE ns.nspname = ${this.schema} AND c.relkind IN ('r', 'v', 'p') AND a.attnum >= 1 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata & { columns: TableMetadata['columns'][number][] }>();
    for (const r of rows.rows) {
      if (!options.withInternalKyselyTables && r.table.startsWith('kysely_')) continue;
      let table = tables.get(r.table);
      if (!table) {
        table = { name: r.table, schema: this.schema, isView: r.table_type === 'v', columns: [] };
        tables.set(r.table, table);
      }
      table.columns.push({
        name: r.column,
        dataType: r.type,
        isNullable: !r.not_null,
        isAutoIncrementing: r.auto_incrementing,
        hasDefaultValue: r.has_default,
        ...(r.comment !== null ? { comment: r.comment } : {}),
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: { withInternalKyselyTables?: boolean }): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
