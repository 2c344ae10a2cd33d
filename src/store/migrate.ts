/**
 * Run the backend's migrations with Kysely's Migrator and an in-code provider (no file-system scanning, so
 * the compiled `dist/` needs no migration folder). All pending migrations of one run share one transaction
 * on both backends: a run is all-or-nothing, so the schema is always at a released version, never between
 * two. On PostgreSQL the Migrator also holds an advisory lock, so instances starting together migrate once.
 * Re-running is a no-op.
 */
import { type Kysely, type Migration, type MigrationResult, Migrator, sql } from 'kysely';
import { toNumber } from './codec.js';
import { StoreError } from './errors.js';
import { type Database, MIGRATION_TABLE } from './schema.js';

/** What happened to one migration during this run. */
export interface MigrationStep {
  readonly name: string;
  /**
   * `applied` (committed); `failed`; `rolled_back`: it ran, but a later step of the same run failed, so the
   * whole run was undone; `not_run`: after the failed step.
   */
  readonly status: 'applied' | 'failed' | 'rolled_back' | 'not_run';
}

/** The schema version: how many migrations are applied and the latest one's name. */
export interface SchemaVersion {
  readonly version: number;
  readonly name: string | null;
}

/** A migration failed; `steps` says which ones ran, failed and did not run. */
export class MigrationError extends StoreError {
  constructor(
    message: string,
    readonly steps: readonly MigrationStep[],
    options?: { cause?: unknown },
  ) {
    super(message, 'migration', options);
  }
}

/** A migration's `up`: run SQL statements one after the other (each backend's migrations are such lists). */
export function runStatements(statements: readonly string[]): Migration['up'] {
  return async (db) => {
    for (const statement of statements) await sql.raw(statement).execute(db);
  };
}

function step(result: MigrationResult, runFailed: boolean): MigrationStep {
  const status =
    result.status === 'Success'
      ? runFailed
        ? 'rolled_back'
        : 'applied'
      : result.status === 'Error'
        ? 'failed'
        : 'not_run';
  return { name: result.migrationName, status };
}

/**
 * Apply all pending migrations. Returns one step per pending migration (empty when up to date).
 * Throws {@link MigrationError} naming the failed step, with every step's status; nothing of the run remains.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  migrations: Readonly<Record<string, Migration>>,
  options: { schema?: string } = {},
): Promise<MigrationStep[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    ...(options.schema !== undefined ? { migrationTableSchema: options.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const steps = (results ?? []).map((r) => step(r, error !== undefined));
  if (error !== undefined) {
    const failed = steps.find((s) => s.status === 'failed');
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      failed
        ? `Migration ${failed.name} failed; this run's migrations were rolled back: ${reason}`
        : `Migrations could not start: ${reason}`,
      steps,
      { cause: error },
    );
  }
  return steps;
}

/** Read the schema version from the `schema_version` view. */
export async function readSchemaVersion(db: Kysely<Database>): Promise<SchemaVersion> {
  const row = await db.selectFrom('schema_version').select(['version', 'name']).executeTakeFirst();
  return { version: row ? toNumber(row.version) : 0, name: row?.name ?? null };
}
