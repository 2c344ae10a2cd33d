/**
 * PostgreSQL migrations. Same names, same tables and columns as ../sqlite/migrations.ts; only the SQL types
 * differ (see ../schema.ts). Forward-only: a released migration is never edited, a change is a new one
 * (`0002_…`, e.g. the qualitative-project tables).
 *
 * Objects are created unqualified, i.e. in the first schema of the connection's search_path (the schema the
 * store was opened with). Functions pin that search_path (`SET search_path FROM CURRENT`) so triggers find
 * their tables whatever the caller's search_path is.
 */
import type { Migration } from 'kysely';
import { runStatements } from '../migrate.js';

const hash = (name: string) => `${name} text NOT NULL CHECK (length(${name}) = 64)`;

const core: readonly string[] = [
  `CREATE TABLE users (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    password_hash text NOT NULL CHECK (length(password_hash) > 0),
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
  )`,

  `CREATE TABLE sessions (
    ${hash('token_hash')} PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
  )`,
  'CREATE INDEX sessions_user_id ON sessions (user_id)',
  'CREATE INDEX sessions_expires_at ON sessions (expires_at)',

  `CREATE TABLE setup_tokens (
    ${hash('token_hash')} PRIMARY KEY,
    purpose text NOT NULL DEFAULT 'owner' CHECK (length(purpose) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
  )`,

  `CREATE TABLE studies (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_token text NOT NULL CHECK (length(public_token) BETWEEN 8 AND 64),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    definition jsonb NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    anonymous boolean NOT NULL DEFAULT true,
    record_times boolean NOT NULL DEFAULT false,
    min_cell_size integer NOT NULL DEFAULT 5 CHECK (min_cell_size BETWEEN 1 AND 1000),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    opened_at timestamptz,
    closed_at timestamptz,
    CONSTRAINT studies_public_token_key UNIQUE (public_token)
  )`,

  `CREATE TABLE study_versions (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    definition jsonb NOT NULL,
    consent_hash text CHECK (consent_hash IS NULL OR length(consent_hash) = 64),
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, version)
  )`,

  `CREATE TABLE study_roles (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'analyst', 'viewer')),
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, user_id)
  )`,
  'CREATE INDEX study_roles_user_id ON study_roles (user_id)',

  `CREATE TABLE instrument_acknowledgements (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    instrument_id text NOT NULL CHECK (length(instrument_id) BETWEEN 1 AND 200),
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    acknowledged_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, instrument_id, user_id)
  )`,

  `CREATE TABLE responses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    version integer NOT NULL,
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    answers jsonb NOT NULL,
    language text NOT NULL CHECK (length(language) BETWEEN 1 AND 35),
    submitted_on date NOT NULL,
    submitted_at timestamptz,
    referral_wave integer CHECK (referral_wave >= 0),
    CONSTRAINT responses_study_version_fkey FOREIGN KEY (study_id, version)
      REFERENCES study_versions (study_id, version) ON DELETE CASCADE,
    CONSTRAINT responses_study_id_idempotency_key_key UNIQUE (study_id, idempotency_key)
  )`,
  'CREATE INDEX responses_study_id_id ON responses (study_id, id)',
  `CREATE FUNCTION nabz_responses_time_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      IF NEW.submitted_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM studies s WHERE s.id = NEW.study_id AND s.anonymous AND NOT s.record_times) THEN
        RAISE EXCEPTION 'responses.submitted_at must be empty for an anonymous study unless its owner turned times on'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`,
  `CREATE TRIGGER responses_time_guard BEFORE INSERT OR UPDATE OF submitted_at ON responses
    FOR EACH ROW EXECUTE FUNCTION nabz_responses_time_guard()`,

  `CREATE TABLE resume_drafts (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('code_hash')},
    version integer NOT NULL,
    answers jsonb NOT NULL,
    page integer NOT NULL DEFAULT 0 CHECK (page >= 0),
    language text CHECK (language IS NULL OR length(language) BETWEEN 1 AND 35),
    referral_wave integer CHECK (referral_wave >= 0),
    updated_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, code_hash),
    FOREIGN KEY (study_id, version) REFERENCES study_versions (study_id, version) ON DELETE CASCADE
  )`,
  'CREATE INDEX resume_drafts_expires_at ON resume_drafts (expires_at)',

  `CREATE TABLE progress_counters (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    day date NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    count bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (study_id, day, name)
  )`,

  `CREATE TABLE referral_links (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    code text NOT NULL CHECK (length(code) BETWEEN 4 AND 64),
    wave integer NOT NULL CHECK (wave >= 0),
    parent_code text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, code),
    FOREIGN KEY (study_id, parent_code) REFERENCES referral_links (study_id, code) ON DELETE CASCADE
  )`,
  'CREATE INDEX referral_links_parent ON referral_links (study_id, parent_code)',

  // detail is json, not jsonb: json keeps the text exactly as written, and the hash chain covers that text.
  `CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id integer,
    actor_user_id integer,
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    detail json NOT NULL,
    at timestamptz NOT NULL,
    ${hash('prev_hash')},
    ${hash('hash')},
    CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash),
    CONSTRAINT audit_log_hash_key UNIQUE (hash)
  )`,
  'CREATE INDEX audit_log_study_id_id ON audit_log (study_id, id)',
  `CREATE FUNCTION nabz_audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION nabz_audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION nabz_audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION nabz_audit_log_append_only()`,

  'CREATE VIEW schema_version AS SELECT count(*) AS version, max(name) AS name FROM nabz_migration',
];

/**
 * 0002_qual: qualitative projects, their entities as versioned JSON documents, and the per-project audit hash
 * chain. Same tables and columns as the SQLite migration (see its comment and src/store/qual.ts). `before` and
 * `after` of the audit trail are `json` (kept as written); entity documents are `jsonb`.
 */
const QUAL_KINDS =
  "'source', 'participant', 'coder', 'code', 'segment', 'memo', 'theme', 'member_check', 'correction'";

const qual: readonly string[] = [
  `CREATE TABLE qual_projects (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    doc jsonb NOT NULL,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    comparison_open boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT qual_projects_study_id_key UNIQUE (study_id)
  )`,

  `CREATE TABLE qual_entities (
    project_id integer NOT NULL REFERENCES qual_projects (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN (${QUAL_KINDS})),
    entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 128),
    coder_id text CHECK (coder_id IS NULL OR length(coder_id) BETWEEN 1 AND 128),
    position integer NOT NULL DEFAULT 0,
    data jsonb NOT NULL,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, kind, entity_id)
  )`,
  'CREATE INDEX qual_entities_coder ON qual_entities (project_id, kind, coder_id)',

  `CREATE TABLE qual_audit (
    project_id integer NOT NULL,
    seq integer NOT NULL CHECK (seq >= 1),
    actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 128),
    actor_user_id integer,
    at text NOT NULL CHECK (length(at) BETWEEN 10 AND 40),
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    entity_kind text NOT NULL CHECK (length(entity_kind) BETWEEN 1 AND 64),
    entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 128),
    before json NOT NULL,
    after json NOT NULL,
    ${hash('prev_hash')},
    ${hash('hash')},
    PRIMARY KEY (project_id, seq),
    CONSTRAINT qual_audit_prev_hash_key UNIQUE (project_id, prev_hash)
  )`,
  `CREATE FUNCTION nabz_qual_audit_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM qual_projects p WHERE p.id = OLD.project_id) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'qual_audit is append-only: % is not allowed while its project exists', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$`,
  `CREATE TRIGGER qual_audit_no_update BEFORE UPDATE ON qual_audit
    FOR EACH ROW EXECUTE FUNCTION nabz_qual_audit_guard()`,
  `CREATE TRIGGER qual_audit_no_delete BEFORE DELETE ON qual_audit
    FOR EACH ROW EXECUTE FUNCTION nabz_qual_audit_guard()`,
  `CREATE TRIGGER qual_audit_no_truncate BEFORE TRUNCATE ON qual_audit
    FOR EACH STATEMENT EXECUTE FUNCTION nabz_audit_log_append_only()`,
  `CREATE FUNCTION nabz_qual_projects_erase_audit() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      DELETE FROM qual_audit WHERE project_id = OLD.id;
      RETURN OLD;
    END $$`,
  `CREATE TRIGGER qual_projects_erase_audit AFTER DELETE ON qual_projects
    FOR EACH ROW EXECUTE FUNCTION nabz_qual_projects_erase_audit()`,
];

/** Invitations to a study's roles: the invitee accepts before they get the role (issue 12, finding 16). */
const invitations: readonly string[] = [
  `CREATE TABLE study_invitations (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    role text NOT NULL CHECK (role IN ('owner', 'analyst', 'viewer')),
    invited_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (study_id, email)
  )`,
  'CREATE INDEX study_invitations_email ON study_invitations (email)',
];

/** 0004_respondent_privacy: see ../sqlite/migrations.ts (the referral links are rewritten in code order). */
const respondentPrivacy: readonly string[] = [
  'ALTER TABLE responses ADD COLUMN public_id text CHECK (public_id IS NULL OR length(public_id) BETWEEN 8 AND 64)',
  `UPDATE responses SET public_id = substr(md5(gen_random_uuid()::text || id::text), 1, 24)`,
  `UPDATE responses SET idempotency_key = 'legacy:' || id`,
  'ALTER TABLE responses ALTER COLUMN public_id SET DEFAULT substr(md5(gen_random_uuid()::text), 1, 24)',
  'ALTER TABLE responses ALTER COLUMN public_id SET NOT NULL',
  `CREATE TABLE referral_links_new (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    code text NOT NULL CHECK (length(code) BETWEEN 4 AND 64),
    wave integer NOT NULL CHECK (wave >= 0),
    created_at timestamptz NOT NULL,
    CONSTRAINT referral_links_pk PRIMARY KEY (study_id, code)
  )`,
  `INSERT INTO referral_links_new (study_id, code, wave, created_at)
    SELECT study_id, code, wave, created_at FROM referral_links ORDER BY study_id, code`,
  'DROP TABLE referral_links',
  'ALTER TABLE referral_links_new RENAME TO referral_links',
  'ALTER TABLE referral_links RENAME CONSTRAINT referral_links_pk TO referral_links_pkey',
  `CREATE TABLE server_secrets (
    name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    ${hash('value')}
  )`,
  // gen_random_uuid() draws from PostgreSQL's cryptographic generator: two of them (244 random bits), hashed.
  `INSERT INTO server_secrets (name, value)
    VALUES ('idempotency', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'))`,
];

/** 0005_invite_links: see ../sqlite/migrations.ts (a used invitation's row is deleted, so no xmin links it). */
const inviteLinks: readonly string[] = [
  'ALTER TABLE studies ADD COLUMN invitation_only boolean NOT NULL DEFAULT false',
  'ALTER TABLE studies ADD COLUMN invite_links_made integer NOT NULL DEFAULT 0 CHECK (invite_links_made >= 0)',
  'ALTER TABLE studies ADD COLUMN invite_links_revoked integer NOT NULL DEFAULT 0 CHECK (invite_links_revoked >= 0)',
  `CREATE TABLE invite_links (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('token_hash')},
    created_on date NOT NULL,
    CONSTRAINT invite_links_pkey PRIMARY KEY (study_id, token_hash)
  )`,
];

/**
 * Progress counters spread over shards (issue 13): each (study, day, name) count may have several rows, one
 * per shard, and is their sum, so concurrent transactions add to different rows instead of queueing on one.
 */
const counterShards: readonly string[] = [
  'ALTER TABLE progress_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63)',
  'ALTER TABLE progress_counters DROP CONSTRAINT progress_counters_pkey',
  'ALTER TABLE progress_counters ADD PRIMARY KEY (study_id, day, name, shard)',
];

/** 0007_limits: see ../sqlite/migrations.ts. */
const limits: readonly string[] = [
  `CREATE TABLE rate_counters (
    ${hash('key')},
    window_start bigint NOT NULL,
    expires_at bigint NOT NULL,
    count integer NOT NULL CHECK (count >= 1),
    PRIMARY KEY (key, window_start)
  )`,
  'CREATE INDEX rate_counters_expires ON rate_counters (expires_at)',
  `CREATE TABLE limit_state (
    ${hash('key')} PRIMARY KEY,
    value text NOT NULL,
    expires_at bigint NOT NULL
  )`,
  'CREATE INDEX limit_state_expires ON limit_state (expires_at)',
];

/** The recording types 0008_qual_media accepts (src/core/qual/media.ts recognises them by their bytes). */
const MEDIA_TYPES =
  "'audio/mpeg', 'audio/mp4', 'audio/wav', 'audio/ogg', 'video/ogg', 'video/webm', 'video/mp4'";

/** 0008_qual_media: recordings linked to transcripts; as the SQLite migration (see its comment). */
const qualMedia: readonly string[] = [
  `CREATE TABLE qual_media (
    project_id integer NOT NULL,
    kind text NOT NULL DEFAULT 'source' CHECK (kind = 'source'),
    source_id text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 128),
    content_type text NOT NULL CHECK (content_type IN (${MEDIA_TYPES})),
    byte_size integer NOT NULL CHECK (byte_size BETWEEN 1 AND 33554432),
    ${hash('sha256')},
    bytes bytea NOT NULL CHECK (octet_length(bytes) = byte_size),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, source_id),
    FOREIGN KEY (project_id, kind, source_id) REFERENCES qual_entities (project_id, kind, entity_id) ON DELETE CASCADE
  )`,
];

/** 0009_response_imports: imported responses and pending uploads; as the SQLite migration (see its comment). */
const responseImports: readonly string[] = [
  `ALTER TABLE responses ADD COLUMN source text CHECK (source IS NULL OR source ~ '^imported:[0-9a-f]+$')`,
  `CREATE TABLE response_uploads (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    ${hash('sha256')},
    byte_size integer NOT NULL CHECK (byte_size BETWEEN 1 AND 33554432),
    bytes bytea NOT NULL CHECK (octet_length(bytes) = byte_size),
    mapping jsonb NOT NULL,
    created_at timestamptz NOT NULL
  )`,
  'CREATE INDEX response_uploads_study_id ON response_uploads (study_id, user_id)',
];

/** 0010_study_archive: when a study was archived (hidden, closed to respondents); as the SQLite migration. */
const studyArchive: readonly string[] = ['ALTER TABLE studies ADD COLUMN archived_at timestamptz'];

/** 0011_account_links: see ../sqlite/migrations.ts. */
const accountLinks: readonly string[] = [
  `CREATE TABLE account_links (
    ${hash('token_hash')} PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('invite', 'reset')),
    study_id integer REFERENCES studies (id) ON DELETE CASCADE,
    role text CHECK (role IS NULL OR role IN ('owner', 'analyst', 'viewer')),
    user_id integer REFERENCES users (id) ON DELETE CASCADE,
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    used_by integer REFERENCES users (id) ON DELETE SET NULL,
    revoked_at timestamptz,
    failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    CHECK ((kind = 'invite' AND study_id IS NOT NULL AND role IS NOT NULL AND user_id IS NULL)
        OR (kind = 'reset' AND user_id IS NOT NULL AND study_id IS NULL AND role IS NULL))
  )`,
  'CREATE INDEX account_links_study ON account_links (study_id)',
  'CREATE INDEX account_links_user ON account_links (user_id)',
];

/** 0012_volunteers: see ../sqlite/migrations.ts (no response id, no arrival order; contacts sealed). */
const volunteers: readonly string[] = [
  `CREATE TABLE volunteers (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    ${hash('code_hash')},
    batch integer CHECK (batch IS NULL OR batch >= 1),
    status text NOT NULL DEFAULT 'volunteered' CHECK (status IN ('volunteered', 'invited', 'consented', 'attended', 'declined')),
    participant_id text CHECK (participant_id IS NULL OR length(participant_id) BETWEEN 1 AND 128),
    sealed bytea NOT NULL CHECK (octet_length(sealed) BETWEEN 29 AND 8192),
    CONSTRAINT volunteers_pkey PRIMARY KEY (study_id, code_hash)
  )`,
];

/** 0013_response_consent: the consent version and text hash with each response; as the SQLite migration. */
const responseConsent: readonly string[] = [
  'ALTER TABLE responses ADD COLUMN consent_version integer CHECK (consent_version IS NULL OR consent_version >= 1)',
  "ALTER TABLE responses ADD COLUMN consent_hash text CHECK (consent_hash IS NULL OR consent_hash ~ '^[0-9a-f]{64}$')",
  'ALTER TABLE responses ADD COLUMN consent_language text CHECK (consent_language IS NULL OR length(consent_language) BETWEEN 2 AND 35)',
];

/** 0014_waves: follow-up waves, the panel id of a wave response and the panel ids a wave was sent to; as SQLite. */
const waves: readonly string[] = [
  'ALTER TABLE studies ADD COLUMN wave_of integer CHECK (wave_of IS NULL OR wave_of >= 1)',
  'ALTER TABLE studies ADD COLUMN wave_label text CHECK (wave_label IS NULL OR length(wave_label) BETWEEN 1 AND 40)',
  "ALTER TABLE responses ADD COLUMN panel_id text CHECK (panel_id IS NULL OR panel_id ~ '^[0-9a-f]{32}$')",
  'CREATE UNIQUE INDEX responses_panel ON responses (study_id, panel_id) WHERE panel_id IS NOT NULL',
  'CREATE INDEX studies_wave_of ON studies (wave_of) WHERE wave_of IS NOT NULL',
  `CREATE TABLE wave_invites (
    study_id integer NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    panel_id text NOT NULL CHECK (panel_id ~ '^[0-9a-f]{32}$'),
    CONSTRAINT wave_invites_pkey PRIMARY KEY (study_id, panel_id)
  )`,
];

/** All PostgreSQL migrations by name; names sort in the order they run. */
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
