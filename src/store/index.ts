/**
 * The storage layer: `openStore(config)` opens SQLite (default, a file under the data directory) or PostgreSQL
 * (when DATABASE_URL is set), runs the migrations and returns typed repositories over one Kysely instance.
 *
 * ```ts
 * const store = await openStore(storeConfigFromEnv(process.env, dataDir));
 * for (const step of store.migrations) console.log(`migration ${step.name}: ${step.status}`);
 * const owner = await store.users.create({ email, displayName, passwordHash });
 * const r = await store.responses.insert({ studyId, idempotencyKey, answers, language: 'en' });
 * await store.close();
 * ```
 *
 * One Store per process and database: on SQLite it owns the file's single connection.
 */
import { join } from 'node:path';
import { Kysely, type Migration, sql, type Transaction } from 'kysely';
import { type AccountLinksRepo, accountLinksRepo } from './accountLinks.js';
import { type AuditRepo, auditRepo, type NewAuditEntry } from './audit.js';
import { redactUrl } from './codec.js';
import type { BackendKind, StoreContext } from './context.js';
import { type CountersRepo, countersRepo } from './counters.js';
import { type DraftsRepo, draftsRepo } from './drafts.js';
import { StoreError } from './errors.js';
import { type ImportsRepo, importsRepo } from './imports.js';
import { type InviteLinksRepo, inviteLinksRepo } from './invitelinks.js';
import { type LimitsRepo, limitsRepo } from './limits.js';
import { type MigrationStep, migrateToLatest, readSchemaVersion, type SchemaVersion } from './migrate.js';
import type { PostgresDirect } from './postgres/dialect.js';
import { type QualRepo, qualRepo } from './qual.js';
import { type ReferralsRepo, referralsRepo } from './referrals.js';
import { type ResponsesRepo, responsesRepo } from './responses.js';
import { type AcknowledgementsRepo, acknowledgementsRepo, type RolesRepo, rolesRepo } from './roles.js';
import type { Database } from './schema.js';
import { type SecretsRepo, secretsRepo } from './secrets.js';
import { type SessionsRepo, type SetupTokensRepo, sessionsRepo, setupTokensRepo } from './sessions.js';
import type { SqliteDirect } from './sqlite/dialect.js';
import { type StudiesRepo, studiesRepo } from './studies.js';
import { type UsersRepo, usersRepo } from './users.js';
import { type VolunteersRepo, volunteersRepo } from './volunteers.js';
import { type WavesRepo, wavesRepo } from './waves.js';

export type { AccountLink, AccountLinkKind, AccountLinkRefusal } from './accountLinks.js';
export { MAX_LINK_FAILURES } from './accountLinks.js';
export type { AuditEntry, AuditVerification, NewAuditEntry } from './audit.js';
export { auditEntryHash, GENESIS_HASH } from './audit.js';
export {
  calendarDay,
  canonicalJson,
  normalizeEmail,
  randomCode,
  randomToken,
  redactUrl,
  secretHash,
  sha256Hex,
} from './codec.js';
export type { BackendKind } from './context.js';
export type { CounterDay, CounterReport } from './counters.js';
export type { Draft, DraftInput } from './drafts.js';
export { EncodedDraftState } from './drafts.js';
export type { Done, Outcome, Refused } from './errors.js';
export {
  isForeignKeyViolation,
  isUnavailableError,
  isUniqueViolation,
  StoreError,
} from './errors.js';
export type { ImportOutcome, ImportRefusal, ImportRow, StoredUpload } from './imports.js';
export { fileSha256, importSource, MAX_UPLOAD_BYTES } from './imports.js';
export type { InviteLinkCounts } from './invitelinks.js';
export { MAX_INVITATIONS_PER_CALL } from './invitelinks.js';
export type { LimitsRepo } from './limits.js';
export type { MigrationStep, SchemaVersion } from './migrate.js';
export { MigrationError } from './migrate.js';
export type {
  Correction,
  MediaMeta,
  MemberCheck,
  MemberCheckStatus,
  ProjectDoc,
  QualActor,
  QualChange,
  QualEntity,
  QualKind,
  QualMedia,
  QualMediaOp,
  QualPlan,
  QualProjectRecord,
  QualRefusal,
  QualState,
  QualVisibility,
  StoredCoder,
  StoredSource,
} from './qual.js';
export { QUAL_TABLES, qualHash, toQualProject } from './qual.js';
export type { ReferralLink, ReferralRefusal, WaveCount } from './referrals.js';
export type {
  ConsentRecord,
  InsertResponseRefusal,
  InsertResponseResult,
  NewResponse,
  StoredResponse,
} from './responses.js';
export type { Acknowledgement, RoleGrant, RoleRefusal, StudyInvitation } from './roles.js';
export type { Database, StudyRole, StudyStatus, VolunteerStatus } from './schema.js';
export { TABLES } from './schema.js';
export type { Session, SetupTokenRefusal } from './sessions.js';
export type {
  DeletedStudyData,
  NewStudy,
  Study,
  StudyLinkState,
  StudySettings,
  StudySummary,
  StudyVersion,
} from './studies.js';
export type { NewUser, User, UserWithPasswordHash } from './users.js';
export type { Volunteer, VolunteerContact, VolunteerDetails } from './volunteers.js';
export { VOLUNTEER_STATUSES, volunteerCodeHash } from './volunteers.js';

/** Where the data lives. */
export type StoreConfig =
  | {
      readonly kind: 'sqlite';
      /** The database file; its directory is created on first run. */
      readonly file: string;
      /** Wait this long (ms) for another process's write lock (default 5000). */
      readonly busyTimeoutMs?: number;
    }
  | {
      readonly kind: 'postgres';
      /** postgres://user:password@host:port/database */
      readonly url: string;
      /** Schema for the tables (created if missing); default the role's search_path (usually `public`). */
      readonly schema?: string;
      /** Pooled connections per process (default 10). */
      readonly poolSize?: number;
    };

/** The repositories, bound to the store or to one transaction. */
export interface Repositories {
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly setupTokens: SetupTokensRepo;
  readonly studies: StudiesRepo;
  readonly roles: RolesRepo;
  readonly acknowledgements: AcknowledgementsRepo;
  readonly responses: ResponsesRepo;
  readonly drafts: DraftsRepo;
  readonly counters: CountersRepo;
  readonly referrals: ReferralsRepo;
  readonly audit: AuditRepo;
  readonly secrets: SecretsRepo;
  readonly inviteLinks: InviteLinksRepo;
  /** Rate-limit counters and sign-in throttle state shared by every server process (migration 0007_limits). */
  readonly limits: LimitsRepo;
  /** Qualitative projects (migration 0002_qual). */
  readonly qual: QualRepo;
  /** Responses imported from an export, and uploads waiting for their import (migration 0009_response_imports). */
  readonly imports: ImportsRepo;
  /** Invitation and password reset links (migration 0011_account_links). */
  readonly accountLinks: AccountLinksRepo;
  readonly volunteers: VolunteersRepo;
  /** Follow-up waves: panel ids, who a wave was sent to, withdrawal (migration 0014_waves). */
  readonly waves: WavesRepo;
}

export interface Store extends Repositories {
  readonly backend: BackendKind;
  /** e.g. `SQLite /data/nabz.sqlite (WAL, synchronous=FULL)`, `PostgreSQL postgres://nabz:***@db/nabz (schema public)`. */
  readonly description: string;
  /** The migrations this open applied (empty when the schema was already up to date). */
  readonly migrations: readonly MigrationStep[];
  /**
   * The underlying Kysely instance — for the store's own tests and tools (bench/, test/) only. The server never
   * queries the database itself: every query it needs is a repository function (test/core/boundaries.test.ts).
   */
  readonly db: Kysely<Database>;
  /** How many migrations are applied, and the latest one's name. */
  schemaVersion(): Promise<SchemaVersion>;
  /** One round trip to the database (`select 1`); throws when it cannot be reached (see isUnavailableError). */
  ping(): Promise<void>;
  /**
   * Run `fn` in one transaction: all its writes commit together or none do (throw to roll back). Inside, use
   * only the `tx` repositories — on SQLite the store's own connection is busy until `fn` returns.
   */
  transaction<T>(fn: (tx: Repositories & { readonly db: Transaction<Database> }) => Promise<T>): Promise<T>;
  /**
   * The one way to make an audited change: run the write `fn` and append its audit entry in the same
   * transaction, so the change and its entry commit together or not at all (a failed append undoes the write).
   * `entry` is the entry, or a function of `fn`'s result giving it — undefined when nothing was changed (a
   * refusal, a no-op), in which case nothing is appended.
   */
  audited<T>(
    fn: (tx: Repositories) => Promise<T>,
    entry: AuditedEntry | ((result: T) => AuditedEntry | undefined),
  ): Promise<T>;
  /** Close the connection(s). */
  close(): Promise<void>;
}

/** The audit entry of an audited write: who (`actorUserId`, null for the system) did what to which study. */
interface AuditedEntry extends NewAuditEntry {
  readonly actorUserId: number | null;
}

/** Build the repositories over a Kysely instance or transaction. */
export function repositories(ctx: StoreContext): Repositories {
  const secrets = secretsRepo(ctx);
  return {
    users: usersRepo(ctx),
    sessions: sessionsRepo(ctx),
    setupTokens: setupTokensRepo(ctx),
    studies: studiesRepo(ctx),
    roles: rolesRepo(ctx),
    acknowledgements: acknowledgementsRepo(ctx),
    responses: responsesRepo(ctx),
    drafts: draftsRepo(ctx),
    counters: countersRepo(ctx),
    referrals: referralsRepo(ctx),
    audit: auditRepo(ctx),
    inviteLinks: inviteLinksRepo(ctx),
    secrets,
    limits: limitsRepo(ctx, secrets),
    qual: qualRepo(ctx),
    imports: importsRepo(ctx),
    accountLinks: accountLinksRepo(ctx),
    volunteers: volunteersRepo(ctx, secrets),
    waves: wavesRepo(ctx, secrets),
  };
}

/** The default SQLite file inside a data directory. */
function defaultSqliteFile(dataDir: string): string {
  return join(dataDir, 'nabz.sqlite');
}

/**
 * Choose the backend from the environment: PostgreSQL when `DATABASE_URL` is a postgres:// or postgresql:// URL
 * (optional `NABZ_DB_SCHEMA`, `NABZ_DB_POOL_SIZE`), otherwise SQLite at `<dataDir>/nabz.sqlite`.
 * Throws a StoreError for a DATABASE_URL of another kind or a bad pool size.
 */
export function storeConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): StoreConfig {
  const url = env.DATABASE_URL?.trim();
  if (!url) return { kind: 'sqlite', file: defaultSqliteFile(dataDir) };
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new StoreError(
      `DATABASE_URL=${redactUrl(url)} is not supported: use postgres://user:password@host:5432/database, ` +
        'or unset DATABASE_URL to use the built-in SQLite file.',
      'config',
    );
  }
  const schema = env.NABZ_DB_SCHEMA?.trim();
  const poolText = env.NABZ_DB_POOL_SIZE?.trim();
  let poolSize: number | undefined;
  if (poolText) {
    poolSize = Number(poolText);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
      throw new StoreError(
        `NABZ_DB_POOL_SIZE=${poolText} is not valid: use a whole number from 1 to 1000.`,
        'config',
      );
    }
  }
  return {
    kind: 'postgres',
    url,
    ...(schema ? { schema } : {}),
    ...(poolSize !== undefined ? { poolSize } : {}),
  };
}

/**
 * Open the store: connect, apply the durability settings, run pending migrations (reported per step in
 * `store.migrations`), and return the repositories. Throws StoreError (config/connect) or MigrationError.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  let backend: BackendKind;
  let db: Kysely<Database>;
  let description: string;
  let migrations: Readonly<Record<string, Migration>>;
  let schema: string | undefined;
  let direct: SqliteDirect | undefined;
  let pgDirect: PostgresDirect | undefined;
  if (config.kind === 'sqlite') {
    const sqlite = await import('./sqlite/dialect.js');
    const opened = sqlite.openSqliteBackend({
      file: config.file,
      ...(config.busyTimeoutMs !== undefined ? { busyTimeoutMs: config.busyTimeoutMs } : {}),
    });
    backend = 'sqlite';
    direct = opened.direct;
    db = new Kysely<Database>({ dialect: opened.dialect });
    description = opened.description;
    migrations = (await import('./sqlite/migrations.js')).migrations;
  } else if (config.kind === 'postgres') {
    const postgres = await import('./postgres/dialect.js');
    const opened = await postgres.openPostgresBackend({
      url: config.url,
      ...(config.schema !== undefined ? { schema: config.schema } : {}),
      ...(config.poolSize !== undefined ? { poolSize: config.poolSize } : {}),
    });
    backend = 'postgres';
    pgDirect = opened.direct;
    db = new Kysely<Database>({ dialect: opened.dialect });
    description = opened.description;
    schema = opened.schema;
    migrations = (await import('./postgres/migrations.js')).migrations;
  } else {
    throw new StoreError(
      `Unknown store kind ${(config as { kind: unknown }).kind}: use sqlite or postgres.`,
      'config',
    );
  }

  let steps: MigrationStep[];
  try {
    steps = await migrateToLatest(db, migrations, schema !== undefined ? { schema } : {});
  } catch (err) {
    await db.destroy();
    direct?.close();
    throw err;
  }

  const repos = repositories({
    db,
    backend,
    ...(direct ? { sqlite: direct } : {}),
    ...(pgDirect ? { postgres: pgDirect } : {}),
  });
  return {
    ...repos,
    backend,
    description,
    migrations: steps,
    db,
    schemaVersion: () => readSchemaVersion(db),
    ping: async () => {
      await sql`select 1 as ok`.execute(db);
    },
    transaction: (fn) =>
      db.transaction().execute((tx) => fn({ ...repositories({ db: tx, backend }), db: tx })),
    audited: (fn, entry) =>
      db.transaction().execute(async (tx) => {
        const repos = repositories({ db: tx, backend });
        const result = await fn(repos);
        const e = typeof entry === 'function' ? entry(result) : entry;
        if (e) await repos.audit.append(e);
        return result;
      }),
    close: async () => {
      await db.destroy();
      direct?.close();
    },
  };
}
