/**
 * SQLite migrations. Same names, same tables and columns as ../postgres/migrations.ts; only the SQL types
 * differ (see ../schema.ts). Forward-only: a released migration is never edited, a change is a new one
 * (`0002_…`, e.g. the qualitative-project tables).
 *
 * Tables are STRICT (a value of the wrong type is an error, not silently stored) and carry CHECK constraints
 * for the shapes SQLite has no type for: flags, days, JSON.
 */
import type { Migration } from 'kysely';
import { runStatements } from '../migrate.js';

const flag = (name: string, dflt: 0 | 1) =>
  `${name} INTEGER NOT NULL DEFAULT ${dflt} CHECK (${name} IN (0, 1))`;
const day = (name: string) =>
  `${name} TEXT NOT NULL CHECK (${name} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')`;
const json = (name: string) => `${name} TEXT NOT NULL CHECK (json_valid(${name}))`;
const hash = (name: string) => `${name} TEXT NOT NULL CHECK (length(${name}) = 64)`;

const core: readonly string[] = [
  `CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    password_hash TEXT NOT NULL CHECK (length(password_hash) > 0),
    ${flag('is_admin', 0)},
    created_at TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
  ) STRICT`,

  `CREATE TABLE sessions (
    ${hash('token_hash')} PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT`,
  'CREATE INDEX sessions_user_id ON sessions (user_id)',
  'CREATE INDEX sessions_expires_at ON sessions (expires_at)',

  `CREATE TABLE setup_tokens (
    ${hash('token_hash')} PRIMARY KEY,
    purpose TEXT NOT NULL DEFAULT 'owner' CHECK (length(purpose) BETWEEN 1 AND 50),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  ) STRICT`,

  `CREATE TABLE studies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_token TEXT NOT NULL CHECK (length(public_token) BETWEEN 8 AND 64),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    ${json('definition')},
    version INTEGER NOT NULL CHECK (version >= 1),
    ${flag('anonymous', 1)},
    ${flag('record_times', 0)},
    min_cell_size INTEGER NOT NULL DEFAULT 5 CHECK (min_cell_size BETWEEN 1 AND 1000),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    opened_at TEXT,
    closed_at TEXT,
    CONSTRAINT studies_public_token_key UNIQUE (public_token)
  ) STRICT`,

  `CREATE TABLE study_versions (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    ${json('definition')},
    consent_hash TEXT CHECK (consent_hash IS NULL OR length(consent_hash) = 64),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (study_id, version)
  ) STRICT`,

  `CREATE TABLE study_roles (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'analyst', 'viewer')),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (study_id, user_id)
  ) STRICT`,
  'CREATE INDEX study_roles_user_id ON study_roles (user_id)',

  `CREATE TABLE instrument_acknowledgements (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    instrument_id TEXT NOT NULL CHECK (length(instrument_id) BETWEEN 1 AND 200),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (study_id, instrument_id, user_id)
  ) STRICT`,

  `CREATE TABLE responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    ${json('answers')},
    language TEXT NOT NULL CHECK (length(language) BETWEEN 1 AND 35),
    ${day('submitted_on')},
    submitted_at TEXT,
    referral_wave INTEGER CHECK (referral_wave >= 0),
    CONSTRAINT responses_study_version_fkey FOREIGN KEY (study_id, version)
      REFERENCES study_versions (study_id, version) ON DELETE CASCADE,
    CONSTRAINT responses_study_id_idempotency_key_key UNIQUE (study_id, idempotency_key)
  ) STRICT`,
  'CREATE INDEX responses_study_id_id ON responses (study_id, id)',
  `CREATE TRIGGER responses_time_guard BEFORE INSERT ON responses
    WHEN NEW.submitted_at IS NOT NULL AND EXISTS (
      SELECT 1 FROM studies s WHERE s.id = NEW.study_id AND s.anonymous = 1 AND s.record_times = 0)
    BEGIN
      SELECT RAISE(ABORT, 'responses.submitted_at must be empty for an anonymous study unless its owner turned times on');
    END`,
  `CREATE TRIGGER responses_time_guard_update BEFORE UPDATE OF submitted_at ON responses
    WHEN NEW.submitted_at IS NOT NULL AND EXISTS (
      SELECT 1 FROM studies s WHERE s.id = NEW.study_id AND s.anonymous = 1 AND s.record_times = 0)
    BEGIN
      SELECT RAISE(ABORT, 'responses.submitted_at must be empty for an anonymous study unless its owner turned times on');
    END`,

  `CREATE TABLE resume_drafts (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('code_hash')},
    version INTEGER NOT NULL,
    ${json('answers')},
    page INTEGER NOT NULL DEFAULT 0 CHECK (page >= 0),
    language TEXT CHECK (language IS NULL OR length(language) BETWEEN 1 AND 35),
    referral_wave INTEGER CHECK (referral_wave >= 0),
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (study_id, code_hash),
    FOREIGN KEY (study_id, version) REFERENCES study_versions (study_id, version) ON DELETE CASCADE
  ) STRICT`,
  'CREATE INDEX resume_drafts_expires_at ON resume_drafts (expires_at)',

  `CREATE TABLE progress_counters (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${day('day')},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (study_id, day, name)
  ) STRICT`,

  `CREATE TABLE referral_links (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    code TEXT NOT NULL CHECK (length(code) BETWEEN 4 AND 64),
    wave INTEGER NOT NULL CHECK (wave >= 0),
    parent_code TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (study_id, code),
    FOREIGN KEY (study_id, parent_code) REFERENCES referral_links (study_id, code) ON DELETE CASCADE
  ) STRICT`,
  'CREATE INDEX referral_links_parent ON referral_links (study_id, parent_code)',

  `CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER,
    actor_user_id INTEGER,
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    ${json('detail')},
    at TEXT NOT NULL,
    ${hash('prev_hash')},
    ${hash('hash')},
    CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash),
    CONSTRAINT audit_log_hash_key UNIQUE (hash)
  ) STRICT`,
  'CREATE INDEX audit_log_study_id_id ON audit_log (study_id, id)',
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END`,

  'CREATE VIEW schema_version AS SELECT count(*) AS version, max(name) AS name FROM nabz_migration',
];

/**
 * 0002_qual: qualitative projects (one per study). Each entity of a project (source, participant, coder, code,
 * segment, memo, theme, member-check packet, transcript correction) is one row holding its JSON document,
 * validated by the core's schema for its kind (src/store/qual.ts), with its own version for optimistic
 * concurrency. `coder_id` is set on segments so blind coding is enforced in the query. The project's audit
 * trail is a hash chain per project (core/qual/audit.ts), append-only by trigger; its rows may only be
 * deleted once their project is gone (deleting a study erases its qualitative data, trail included).
 */
const QUAL_KINDS =
  "'source', 'participant', 'coder', 'code', 'segment', 'memo', 'theme', 'member_check', 'correction'";

const qual: readonly string[] = [
  `CREATE TABLE qual_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    ${json('doc')},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    ${flag('comparison_open', 0)},
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT qual_projects_study_id_key UNIQUE (study_id)
  ) STRICT`,

  `CREATE TABLE qual_entities (
    project_id INTEGER NOT NULL REFERENCES qual_projects (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN (${QUAL_KINDS})),
    entity_id TEXT NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 128),
    coder_id TEXT CHECK (coder_id IS NULL OR length(coder_id) BETWEEN 1 AND 128),
    position INTEGER NOT NULL DEFAULT 0,
    ${json('data')},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, kind, entity_id)
  ) STRICT`,
  'CREATE INDEX qual_entities_coder ON qual_entities (project_id, kind, coder_id)',

  `CREATE TABLE qual_audit (
    project_id INTEGER NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 128),
    actor_user_id INTEGER,
    at TEXT NOT NULL CHECK (length(at) BETWEEN 10 AND 40),
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    entity_kind TEXT NOT NULL CHECK (length(entity_kind) BETWEEN 1 AND 64),
    entity_id TEXT NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 128),
    ${json('before')},
    ${json('after')},
    ${hash('prev_hash')},
    ${hash('hash')},
    PRIMARY KEY (project_id, seq),
    CONSTRAINT qual_audit_prev_hash_key UNIQUE (project_id, prev_hash)
  ) STRICT`,
  `CREATE TRIGGER qual_audit_no_update BEFORE UPDATE ON qual_audit
    BEGIN SELECT RAISE(ABORT, 'qual_audit is append-only: UPDATE is not allowed'); END`,
  `CREATE TRIGGER qual_audit_no_delete BEFORE DELETE ON qual_audit
    WHEN EXISTS (SELECT 1 FROM qual_projects p WHERE p.id = OLD.project_id)
    BEGIN SELECT RAISE(ABORT, 'qual_audit is append-only: DELETE is not allowed while its project exists'); END`,
  `CREATE TRIGGER qual_projects_erase_audit AFTER DELETE ON qual_projects
    BEGIN DELETE FROM qual_audit WHERE project_id = OLD.id; END`,
];

/** Invitations to a study's roles: the invitee accepts before they get the role (issue 12, finding 16). */
const invitations: readonly string[] = [
  `CREATE TABLE study_invitations (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    role TEXT NOT NULL CHECK (role IN ('owner', 'analyst', 'viewer')),
    invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (study_id, email)
  ) STRICT`,
  'CREATE INDEX study_invitations_email ON study_invitations (email)',
];

/**
 * 0004_respondent_privacy (issue 12):
 * - responses get `public_id`, a random per-response identifier (24 hex digits: 96 bits, so unique in practice;
 *   no index, which would slow every insert) shown in exports and the API instead of the sequential
 *   server-wide `id`; existing rows get one too;
 * - idempotency keys are stored as a keyed hash from now on (the server computes it); keys stored verbatim
 *   before are replaced by `legacy:<id>`, so no client-chosen key (which may carry a time or a name) remains;
 * - referral links lose `parent_code` and become a WITHOUT ROWID table ordered by their random code: neither
 *   a parent nor an insertion order is kept that could be matched against the responses' order;
 * - server_secrets holds generated secrets (the idempotency-key hash key unless NABZ_SECRET is set).
 */
const respondentPrivacy: readonly string[] = [
  'ALTER TABLE responses ADD COLUMN public_id TEXT CHECK (public_id IS NULL OR length(public_id) BETWEEN 8 AND 64)',
  'UPDATE responses SET public_id = lower(hex(randomblob(12)))',
  `UPDATE responses SET idempotency_key = 'legacy:' || id`,
  // SQLite cannot add a NOT NULL column with a random default, and a trigger filling one in cost every insert
  // measurable time: a response without a public id is refused instead (the store always writes one).
  `CREATE TRIGGER responses_public_id_required BEFORE INSERT ON responses WHEN NEW.public_id IS NULL
    BEGIN SELECT RAISE(ABORT, 'responses.public_id is required (the store writes a random one)'); END`,
  `CREATE TRIGGER responses_public_id_kept BEFORE UPDATE OF public_id ON responses WHEN NEW.public_id IS NULL
    BEGIN SELECT RAISE(ABORT, 'responses.public_id cannot be emptied'); END`,
  `CREATE TABLE referral_links_new (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    code TEXT NOT NULL CHECK (length(code) BETWEEN 4 AND 64),
    wave INTEGER NOT NULL CHECK (wave >= 0),
    created_at TEXT NOT NULL,
    PRIMARY KEY (study_id, code)
  ) STRICT, WITHOUT ROWID`,
  `INSERT INTO referral_links_new (study_id, code, wave, created_at)
    SELECT study_id, code, wave, created_at FROM referral_links ORDER BY study_id, code`,
  'DROP TABLE referral_links',
  'ALTER TABLE referral_links_new RENAME TO referral_links',
  `CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    ${hash('value')}
  ) STRICT`,
  // randomblob is SQLite's cryptographic generator (sqlite3_randomness, seeded from the OS).
  `INSERT INTO server_secrets (name, value) VALUES ('idempotency', lower(hex(randomblob(32))))`,
];

/**
 * 0005_invite_links (issue 12, finding 2): invitation-only studies. `studies.invitation_only` says whether the
 * public link alone accepts responses; `invite_links_made` and `invite_links_revoked` count the owner's actions
 * (so the share page can say how many were used without keeping used ones). `invite_links` holds one row per
 * unused single-use link: a keyed hash of its token (never the token) and the day it was made. A link is used
 * up by deleting its row in the transaction that stores the response: nothing about a used invitation is kept
 * (no flag, no time, no response id, and on PostgreSQL no row whose `xmin` equals the response's), and the
 * rows that remain have no insertion order (a WITHOUT ROWID table ordered by the random hash).
 */
const inviteLinks: readonly string[] = [
  'ALTER TABLE studies ADD COLUMN invitation_only INTEGER NOT NULL DEFAULT 0 CHECK (invitation_only IN (0, 1))',
  'ALTER TABLE studies ADD COLUMN invite_links_made INTEGER NOT NULL DEFAULT 0 CHECK (invite_links_made >= 0)',
  'ALTER TABLE studies ADD COLUMN invite_links_revoked INTEGER NOT NULL DEFAULT 0 CHECK (invite_links_revoked >= 0)',
  `CREATE TABLE invite_links (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('token_hash')},
    ${day('created_on')},
    PRIMARY KEY (study_id, token_hash)
  ) STRICT, WITHOUT ROWID`,
];

/**
 * Progress counters spread over shards (issue 13): each (study, day, name) count may have several rows, one
 * per shard, and is their sum. SQLite cannot change a primary key in place, so the table is rebuilt (same
 * columns as PostgreSQL's, in the same order); existing counts become shard 0.
 */
const counterShards: readonly string[] = [
  `CREATE TABLE progress_counters_sharded (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${day('day')},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    shard INTEGER NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63),
    PRIMARY KEY (study_id, day, name, shard)
  ) STRICT`,
  'INSERT INTO progress_counters_sharded (study_id, day, name, count, shard) SELECT study_id, day, name, count, 0 FROM progress_counters',
  'DROP TABLE progress_counters',
  'ALTER TABLE progress_counters_sharded RENAME TO progress_counters',
];

/**
 * 0007_limits: rate-limit windows and sign-in throttle state shared by every server process (see
 * ../limits.ts); keys are HMAC-SHA256 hex, times are ms since the epoch.
 */
const limits: readonly string[] = [
  `CREATE TABLE rate_counters (
    ${hash('key')},
    window_start INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 1),
    PRIMARY KEY (key, window_start)
  ) STRICT`,
  'CREATE INDEX rate_counters_expires ON rate_counters (expires_at)',
  `CREATE TABLE limit_state (
    ${hash('key')} PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX limit_state_expires ON limit_state (expires_at)',
];

/** The recording types 0008_qual_media accepts (src/core/qual/media.ts recognises them by their bytes). */
const MEDIA_TYPES =
  "'audio/mpeg', 'audio/mp4', 'audio/wav', 'audio/ogg', 'video/ogg', 'video/webm', 'video/mp4'";

/**
 * 0008_qual_media: recordings linked to transcripts (issue 10, "Media"), at most one per transcript. The bytes
 * live here, their description (name, type, size, SHA-256) in the transcript's document (src/store/qual.ts).
 * The row's key includes the constant kind 'source' so it can reference the transcript's entity row: deleting
 * the transcript (or the project, or the study) deletes the recording in the same statement.
 */
const qualMedia: readonly string[] = [
  `CREATE TABLE qual_media (
    project_id INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'source' CHECK (kind = 'source'),
    source_id TEXT NOT NULL CHECK (length(source_id) BETWEEN 1 AND 128),
    content_type TEXT NOT NULL CHECK (content_type IN (${MEDIA_TYPES})),
    byte_size INTEGER NOT NULL CHECK (byte_size BETWEEN 1 AND 33554432),
    ${hash('sha256')},
    bytes BLOB NOT NULL CHECK (length(bytes) = byte_size),
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, source_id),
    FOREIGN KEY (project_id, kind, source_id) REFERENCES qual_entities (project_id, kind, entity_id) ON DELETE CASCADE
  ) STRICT`,
];

/**
 * 0009_response_imports: responses brought in from an export (the studio's import page, src/store/imports.ts).
 * `responses.source` is null for a collected response and `imported:<first 12 hex digits of the file's
 * SHA-256>` for an imported one (exports and the dataset page show it). `response_uploads` holds an uploaded
 * file between the upload and the import (the mapping screen reads it again); the import deletes it in the
 * same transaction as it stores the rows, and a newer upload of the same user replaces it.
 */
const responseImports: readonly string[] = [
  `ALTER TABLE responses ADD COLUMN source TEXT CHECK (source IS NULL OR source GLOB 'imported:[0-9a-f]*')`,
  `CREATE TABLE response_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    ${hash('sha256')},
    byte_size INTEGER NOT NULL CHECK (byte_size BETWEEN 1 AND 33554432),
    bytes BLOB NOT NULL CHECK (length(bytes) = byte_size),
    ${json('mapping')},
    created_at TEXT NOT NULL
  ) STRICT`,
  'CREATE INDEX response_uploads_study_id ON response_uploads (study_id, user_id)',
];

/**
 * 0010_study_archive: an archived study (issue 14) is hidden from the dashboard and closed to respondents (the
 * studio closes it in the same transaction); restoring clears the stamp. Null = not archived.
 */
const studyArchive: readonly string[] = ['ALTER TABLE studies ADD COLUMN archived_at TEXT'];

/**
 * 0011_account_links (issue 14): single-use, expiring links for accounts — an owner's invitation to a role on
 * a study (`invite`: study and role; the invitee sets their own name, e-mail and password, or signs in) and an
 * administrator's password reset for one account (`reset`: the user). Only the SHA-256 of the link's secret is
 * stored. `failures` counts refused attempts on the link (wrong password for an existing address); a link with
 * five is revoked. Rows go with their study or user.
 */
const accountLinks: readonly string[] = [
  `CREATE TABLE account_links (
    ${hash('token_hash')} PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
    study_id INTEGER REFERENCES studies (id) ON DELETE CASCADE,
    role TEXT CHECK (role IS NULL OR role IN ('owner', 'analyst', 'viewer')),
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    CHECK ((kind = 'invite' AND study_id IS NOT NULL AND role IS NOT NULL AND user_id IS NULL)
        OR (kind = 'reset' AND user_id IS NOT NULL AND study_id IS NULL AND role IS NULL))
  ) STRICT`,
  'CREATE INDEX account_links_study ON account_links (study_id)',
  'CREATE INDEX account_links_user ON account_links (user_id)',
];

/**
 * 0012_volunteers: follow-up volunteers (issue 14, src/store/volunteers.ts). Contacts, the volunteer's code
 * and bands are one AES-256-GCM box (`sealed`); the row is found by the SHA-256 of the code. Nothing here
 * refers to a response, and no column orders rows by arrival (no time, no rowid: WITHOUT ROWID with the
 * random hash as key): `batch` is null while fewer than k volunteers wait, then all waiting ones get the next
 * batch number together.
 */
const volunteers: readonly string[] = [
  `CREATE TABLE volunteers (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('code_hash')},
    batch INTEGER CHECK (batch IS NULL OR batch >= 1),
    status TEXT NOT NULL DEFAULT 'volunteered' CHECK (status IN ('volunteered', 'invited', 'consented', 'attended', 'declined')),
    participant_id TEXT CHECK (participant_id IS NULL OR length(participant_id) BETWEEN 1 AND 128),
    sealed BLOB NOT NULL CHECK (length(sealed) BETWEEN 29 AND 8192),
    PRIMARY KEY (study_id, code_hash)
  ) STRICT, WITHOUT ROWID`,
];

/**
 * 0013_response_consent: the e-consent on record with each response (issue 14, docs/consent.md): the consent
 * version the respondent agreed to, the SHA-256 (hex) of the consent text as it was shown and that text's
 * language (which may differ from the response's `language` when the respondent switched language after
 * agreeing). All null for a study without consent and for imported responses.
 */
const responseConsent: readonly string[] = [
  'ALTER TABLE responses ADD COLUMN consent_version INTEGER CHECK (consent_version IS NULL OR consent_version >= 1)',
  "ALTER TABLE responses ADD COLUMN consent_hash TEXT CHECK (consent_hash IS NULL OR (length(consent_hash) = 64 AND consent_hash NOT GLOB '*[^0-9a-f]*'))",
  'ALTER TABLE responses ADD COLUMN consent_language TEXT CHECK (consent_language IS NULL OR length(consent_language) BETWEEN 2 AND 35)',
];

/**
 * 0014_waves: follow-up waves (issue 14, src/store/waves.ts). A wave is a study of its own whose `wave_of` names
 * the screening study whose volunteers it is sent to (`wave_label`: "pre", "post", … as the owner names it). A
 * wave response carries `panel_id`: a keyed hash (server secret `wave-panel`, the parent study) of the
 * volunteer's random code — never the code, never a contact; unique per wave (one response per volunteer per
 * wave). `wave_invites` holds the panel ids a wave was sent to (no time, no order: WITHOUT ROWID on the random
 * hash), which is what a personal wave link is checked against. `wave_of` is a plain id, not a foreign key:
 * ids are never reused (AUTOINCREMENT, identity), and a wave outlives a deleted screening study with its data.
 */
const waves: readonly string[] = [
  'ALTER TABLE studies ADD COLUMN wave_of INTEGER CHECK (wave_of IS NULL OR wave_of >= 1)',
  'ALTER TABLE studies ADD COLUMN wave_label TEXT CHECK (wave_label IS NULL OR length(wave_label) BETWEEN 1 AND 40)',
  "ALTER TABLE responses ADD COLUMN panel_id TEXT CHECK (panel_id IS NULL OR (length(panel_id) = 32 AND panel_id NOT GLOB '*[^0-9a-f]*'))",
  'CREATE UNIQUE INDEX responses_panel ON responses (study_id, panel_id) WHERE panel_id IS NOT NULL',
  'CREATE INDEX studies_wave_of ON studies (wave_of) WHERE wave_of IS NOT NULL',
  `CREATE TABLE wave_invites (
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    panel_id TEXT NOT NULL CHECK (length(panel_id) = 32 AND panel_id NOT GLOB '*[^0-9a-f]*'),
    PRIMARY KEY (study_id, panel_id)
  ) STRICT, WITHOUT ROWID`,
];

/** All SQLite migrations by name; names sort in the order they run. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_core': { up: runStatements(core) },
  '0002_qual': { up: runStatements(qual) },
  '0003_invitations': { up: runStatements(invitations) },
  '0004_respondent_privacy': { up: runStatements(respondentPrivacy) },
  '0005_invite_links': { up: runStatements(inviteLinks) },
  '0006_counter_shards': { up: runStatements(counterShards) },
  '0007_limits': { up: runStatements(limits) },
  '0008_qual_media': { up: runStatements(qualMedia) },
  '0009_response_imports': { up: runStatements(responseImports) },
  '0010_study_archive': { up: runStatements(studyArchive) },
  '0011_account_links': { up: runStatements(accountLinks) },
  '0012_volunteers': { up: runStatements(volunteers) },
  '0013_response_consent': { up: runStatements(responseConsent) },
  '0014_waves': { up: runStatements(waves) },
};
