/**
 * The database schema as Kysely sees it: one interface per table, column names exactly as in SQL (snake_case).
 *
 * Both backends hold the same tables and columns (src/store/sqlite/migrations.ts and
 * src/store/postgres/migrations.ts); only the SQL types differ. The column types below describe what the
 * shared query code writes and what it may read back from either driver:
 *
 * | kind       | SQLite (STRICT tables)            | PostgreSQL            | written as | read back as                |
 * |------------|-----------------------------------|-----------------------|------------|-----------------------------|
 * | instant    | TEXT, ISO-8601 UTC with ms        | timestamptz           | `Date`     | `Date` (pg) or ISO `string` |
 * | day        | TEXT `YYYY-MM-DD` (CHECKed)       | date                  | `string`   | `string` (pg told not to parse) |
 * | flag       | INTEGER 0/1 (CHECKed)             | boolean               | `boolean`  | `boolean` (pg) or `0 \| 1`  |
 * | JSON       | TEXT (CHECK json_valid)           | jsonb (audit: json)   | `string`   | `string` (pg told not to parse) |
 *
 * `Date` and `boolean` parameters are encoded for SQLite by the statement wrapper in sqlite/dialect.ts, so the
 * shared code writes the same values on both backends. Rows are turned into domain records (camelCase,
 * `Date`, parsed JSON) by the repository modules; nothing outside src/store sees these row types.
 *
 * There are deliberately no columns for IP addresses or user agents anywhere (a test introspects the schema).
 */
import type { ColumnType, Generated } from 'kysely';

/** A point in time. See the table above. */
export type Instant = ColumnType<Date | string, Date, Date>;
/** A point in time that may be absent. */
type NullableInstant = ColumnType<Date | string | null, Date | null | undefined, Date | null>;
/** A boolean with a database default. */
export type Flag = ColumnType<boolean | number, boolean | undefined, boolean>;
/** A calendar day, `YYYY-MM-DD`. */
export type Day = string;
/** JSON text. */
export type JsonText = string;
/** An auto-generated integer id. */
type Id = Generated<number>;

export interface UsersTable {
  id: Id;
  /** Trimmed and lower-cased by the store; unique. */
  email: string;
  display_name: string;
  /** An argon2id PHC string produced by the server; the store never sees a password. */
  password_hash: string;
  is_admin: Flag;
  created_at: Instant;
}

interface SessionsTable {
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  created_at: Instant;
  expires_at: Instant;
}

interface SetupTokensTable {
  /** SHA-256 (hex) of the one-time token. */
  token_hash: string;
  /** What the token may be used for, e.g. `owner` (first account). */
  purpose: string;
  created_at: Instant;
  expires_at: Instant;
  used_at: NullableInstant;
}

export type StudyStatus = 'draft' | 'open' | 'closed';
export type StudyRole = 'owner' | 'analyst' | 'viewer';

export interface StudiesTable {
  id: Id;
  /** The unguessable token in the respondent link (`/s/<public_token>`); unique. */
  public_token: string;
  title: string;
  status: ColumnType<StudyStatus, StudyStatus | undefined, StudyStatus>;
  /** The current definition (a copy of study_versions.definition for `version`). */
  definition: JsonText;
  version: number;
  anonymous: Flag;
  /** Owner's choice to keep submission times for an anonymous study (off by default). */
  record_times: Flag;
  /** Only single-use invitation links accept responses (issue 12, finding 2). */
  invitation_only: Flag;
  /** Invitation links the owner made / revoked (the used ones are made − revoked − rows left). */
  invite_links_made: ColumnType<number, number | undefined, number>;
  invite_links_revoked: ColumnType<number, number | undefined, number>;
  /** k: aggregate cells with fewer respondents are suppressed. */
  min_cell_size: ColumnType<number, number | undefined, number>;
  created_at: Instant;
  updated_at: Instant;
  opened_at: NullableInstant;
  closed_at: NullableInstant;
  /** When the owner archived the study (hidden from the dashboard, closed to respondents); null if not. */
  archived_at: NullableInstant;
  /** A follow-up wave: the screening study whose volunteers it is sent to (0014; src/store/waves.ts). */
  wave_of: ColumnType<number | null, number | null | undefined, number | null>;
  /** The wave's name as the owner gave it ("pre", "post"); null for a study that is not a wave. */
  wave_label: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StudyVersionsTable {
  study_id: number;
  version: number;
  definition: JsonText;
  /** SHA-256 (hex) of the consent text shown with this version, if any. */
  consent_hash: string | null;
  created_by: number | null;
  created_at: Instant;
}

interface StudyRolesTable {
  study_id: number;
  user_id: number;
  role: StudyRole;
  granted_at: Instant;
}

interface StudyInvitationsTable {
  study_id: number;
  /** Normalised (trimmed, lower-case) e-mail address of the invitee; no account need exist. */
  email: string;
  role: StudyRole;
  invited_by: number | null;
  created_at: Instant;
}

interface InstrumentAcknowledgementsTable {
  study_id: number;
  instrument_id: string;
  user_id: number;
  acknowledged_at: Instant;
}

export interface ResponsesTable {
  id: Id;
  study_id: number;
  /** The study version the respondent answered. */
  version: number;
  /**
   * A keyed hash of the client's idempotency key (the server computes it; never the key itself);
   * UNIQUE(study_id, idempotency_key) makes retries harmless.
   */
  idempotency_key: string;
  /** Random (96 bits): the identifier exports and the API show (never `id`, which counts server-wide). */
  public_id: ColumnType<string, string | undefined, string>;
  answers: JsonText;
  language: string;
  /** Always kept. */
  submitted_on: Day;
  /** Only kept when the study is not anonymous or its owner turned times on (a trigger enforces it). */
  submitted_at: NullableInstant;
  /** Recruitment wave of the referral link the respondent came through; null for the main link. */
  referral_wave: number | null;
  /** Null for a collected response; `imported:<file SHA-256 prefix>` for one imported from an export (0009). */
  source: ColumnType<string | null, string | null | undefined, string | null>;
  /** The consent version the respondent agreed to; null without consent (0010; docs/consent.md). */
  consent_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** SHA-256 (hex) of the consent text in the language it was shown in; null without consent (0010). */
  consent_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The language of the consent text shown (the text hashed); null without consent (0010). */
  consent_language: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * A wave response: the keyed hash of the volunteer's code (32 hex; src/store/waves.ts), unique per study;
   * null for every other response (0014).
   */
  panel_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An uploaded export waiting for its import (migration 0009_response_imports; src/store/imports.ts). */
interface ResponseUploadsTable {
  id: Id;
  study_id: number;
  user_id: number;
  file_name: string;
  format: 'csv' | 'xlsx';
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  byte_size: number;
  bytes: Uint8Array;
  /** The mapping chosen so far on the mapping screen (a mapping file, docs/importing.md). */
  mapping: JsonText;
  created_at: Instant;
}

interface ResumeDraftsTable {
  study_id: number;
  /** SHA-256 (hex) of the resume code. */
  code_hash: string;
  version: number;
  answers: JsonText;
  page: number;
  language: string | null;
  referral_wave: number | null;
  updated_at: Instant;
  expires_at: Instant;
}

interface ProgressCountersTable {
  study_id: number;
  day: Day;
  /** e.g. `started`, `completed`, `screened_out`, `page_3`. */
  name: string;
  /** 0 on SQLite; 0 to COUNTER_SHARDS − 1 on PostgreSQL (counters.ts). A count is the sum over its shards. */
  shard: Generated<number>;
  count: number;
}

export interface ReferralLinksTable {
  study_id: number;
  code: string;
  /** Wave of the respondents who arrive through this link: 0 for the researcher's seed links. */
  wave: number;
  /** A day only for anonymous studies. No parent code and no insertion order is kept (a WITHOUT ROWID table on SQLite). */
  created_at: Instant;
}

/** A follow-up volunteer (src/store/volunteers.ts): no response id, no time; contacts sealed. */
interface VolunteersTable {
  study_id: number;
  /** SHA-256 (hex) of the volunteer's random code (the code is in `sealed`, for the owner's personal link). */
  code_hash: string;
  /** Null while fewer than k volunteers wait; then the batch they were shown in, together. */
  batch: number | null;
  status: ColumnType<VolunteerStatus, VolunteerStatus | undefined, VolunteerStatus>;
  /** The qualitative participant made from this volunteer. */
  participant_id: string | null;
  /** AES-256-GCM: 12-byte nonce, 16-byte tag, ciphertext of the volunteer's contact, code, bands and language. */
  sealed: Uint8Array;
}

/** Where a volunteer is: volunteered → invited → consented → attended (or declined). */
export type VolunteerStatus = 'volunteered' | 'invited' | 'consented' | 'attended' | 'declined';

/** The panel ids a follow-up wave was sent to (0014; src/store/waves.ts). */
interface WaveInvitesTable {
  study_id: number;
  panel_id: string;
}

interface InviteLinksTable {
  study_id: number;
  /** HMAC-SHA256 (hex) of the invitation token under the server's secret; the token itself is never stored. */
  token_hash: string;
  /** The day the invitation was made. (A used invitation's row is deleted with the response's insert.) */
  created_on: Day;
}

interface ServerSecretsTable {
  /** e.g. `idempotency`. */
  name: string;
  /** 32 random bytes, hex. */
  value: string;
}

interface AuditLogTable {
  id: Id;
  /** No foreign key: the log outlives the studies and users it mentions. */
  study_id: number | null;
  actor_user_id: number | null;
  action: string;
  /** Canonical JSON text (sorted keys); hashed exactly as stored. */
  detail: JsonText;
  at: Instant;
  prev_hash: string;
  hash: string;
}

/** A view over the migration table: the number and name of the latest applied migration. */
interface SchemaVersionView {
  version: ColumnType<number | string | bigint, never, never>;
  name: ColumnType<string | null, never, never>;
}

/** 0007_limits: one fixed window of one rate limit; `key` is an HMAC (see limits.ts). */
interface RateCountersTable {
  key: string;
  window_start: number;
  expires_at: number;
  count: number;
}

/** 0007_limits: sign-in throttle state (JSON) under an HMAC key, until `expires_at` (ms since the epoch). */
interface LimitStateTable {
  key: string;
  value: string;
  expires_at: number;
}

/** 0011_account_links: an invitation link to a role on a study, or a password reset link for one account. */
interface AccountLinksTable {
  /** SHA-256 (hex) of the link's secret; the secret itself is never stored. */
  token_hash: string;
  kind: 'invite' | 'reset';
  study_id: number | null;
  role: StudyRole | null;
  user_id: number | null;
  created_by: number | null;
  created_at: Instant;
  expires_at: Instant;
  used_at: NullableInstant;
  used_by: number | null;
  revoked_at: NullableInstant;
  failures: ColumnType<number, number | undefined, number>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  setup_tokens: SetupTokensTable;
  studies: StudiesTable;
  study_versions: StudyVersionsTable;
  study_roles: StudyRolesTable;
  study_invitations: StudyInvitationsTable;
  instrument_acknowledgements: InstrumentAcknowledgementsTable;
  responses: ResponsesTable;
  response_uploads: ResponseUploadsTable;
  resume_drafts: ResumeDraftsTable;
  progress_counters: ProgressCountersTable;
  referral_links: ReferralLinksTable;
  audit_log: AuditLogTable;
  server_secrets: ServerSecretsTable;
  invite_links: InviteLinksTable;
  volunteers: VolunteersTable;
  wave_invites: WaveInvitesTable;
  rate_counters: RateCountersTable;
  limit_state: LimitStateTable;
  account_links: AccountLinksTable;
  schema_version: SchemaVersionView;
}

/** Names of the tables (not views) the migrations create, in creation order. */
export const TABLES = [
  'users',
  'sessions',
  'setup_tokens',
  'studies',
  'study_versions',
  'study_roles',
  'instrument_acknowledgements',
  'responses',
  'resume_drafts',
  'progress_counters',
  'referral_links',
  'audit_log',
  'study_invitations',
  'server_secrets',
  'invite_links',
  'rate_counters',
  'limit_state',
  'response_uploads',
  'account_links',
  'volunteers',
] as const satisfies ReadonlyArray<Exclude<keyof Database, 'schema_version'>>;

/** The table Kysely's Migrator records applied migrations in (the lock table gets a `_lock` suffix). */
export const MIGRATION_TABLE = 'nabz_migration';
