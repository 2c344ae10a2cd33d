import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyDraft } from '../../src/core/study/schema.js';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  openStore,
  type Store,
  StoreError,
} from '../../src/store/index.js';
import { makeOpenStudy, makeOwner, newKey, type TestDatabase, testBackends, useStore } from './backends.js';
import { QUAL_COLUMNS } from './qualColumns.js';

/** The schema as designed, written out independently of the migrations. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  users: ['id', 'email', 'display_name', 'password_hash', 'is_admin', 'created_at'],
  sessions: ['token_hash', 'user_id', 'created_at', 'expires_at'],
  setup_tokens: ['token_hash', 'purpose', 'created_at', 'expires_at', 'used_at'],
  studies: [
    'id',
    'public_token',
    'title',
    'status',
    'definition',
    'version',
    'anonymous',
    'record_times',
    'min_cell_size',
    'created_at',
    'updated_at',
    'opened_at',
    'closed_at',
    'invitation_only',
    'invite_links_made',
    'invite_links_revoked',
    'archived_at',
    'wave_of', // 0014_waves
    'wave_label',
  ],
  study_versions: ['study_id', 'version', 'definition', 'consent_hash', 'created_by', 'created_at'],
  study_roles: ['study_id', 'user_id', 'role', 'granted_at'],
  instrument_acknowledgements: ['study_id', 'instrument_id', 'user_id', 'acknowledged_at'],
  responses: [
    'id',
    'study_id',
    'version',
    'idempotency_key',
    'answers',
    'language',
    'submitted_on',
    'submitted_at',
    'referral_wave',
    'public_id',
    'source', // 0009_response_imports
    'consent_version', // 0013_response_consent
    'consent_hash',
    'consent_language',
    'panel_id', // 0014_waves
  ],
  resume_drafts: [
    'study_id',
    'code_hash',
    'version',
    'answers',
    'page',
    'language',
    'referral_wave',
    'updated_at',
    'expires_at',
  ],
  progress_counters: ['study_id', 'day', 'name', 'count', 'shard'], // shard: 0006_counter_shards
  referral_links: ['study_id', 'code', 'wave', 'created_at'],
  audit_log: ['id', 'study_id', 'actor_user_id', 'action', 'detail', 'at', 'prev_hash', 'hash'],
  // 0003_invitations
  study_invitations: ['study_id', 'email', 'role', 'invited_by', 'created_at'],
  server_secrets: ['name', 'value'],
  invite_links: ['study_id', 'token_hash', 'created_on'],
  // 0007_limits
  rate_counters: ['key', 'window_start', 'expires_at', 'count'],
  limit_state: ['key', 'value', 'expires_at'],
  // 0011_account_links
  account_links: [
    'token_hash',
    'kind',
    'study_id',
    'role',
    'user_id',
    'created_by',
    'created_at',
    'expires_at',
    'used_at',
    'used_by',
    'revoked_at',
    'failures',
  ],
  // 0009_response_imports
  response_uploads: [
    'id',
    'study_id',
    'user_id',
    'file_name',
    'format',
    'sha256',
    'byte_size',
    'bytes',
    'mapping',
    'created_at',
  ],
  // 0012_volunteers: no response id, no time (src/store/volunteers.ts)
  volunteers: ['study_id', 'code_hash', 'batch', 'status', 'participant_id', 'sealed'],
  // 0014_waves: the panel ids a wave was sent to (src/store/waves.ts)
  wave_invites: ['study_id', 'panel_id'],
  // 0002_qual: the same list test/store/qual.test.ts checks in detail
  ...QUAL_COLUMNS,
};

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

async function columnsOf(db: TestDatabase): Promise<Record<string, string[]>> {
  const raw = await db.raw();
  try {
    const rows =
      db.backend === 'sqlite'
        ? await raw.query<{ t: string; c: string }>(
            `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`,
          )
        : await raw.query<{ t: string; c: string }>(
            `SELECT c.table_name AS t, c.column_name AS c FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             ORDER BY c.table_name, c.ordinal_position`,
          );
    const out: Record<string, string[]> = {};
    for (const r of rows) {
      out[r.t] = [...(out[r.t] ?? []), r.c];
    }
    return out;
  } finally {
    await raw.close();
  }
}

for (const backend of testBackends()) {
  describe(`store on ${backend.name}`, () => {
    describe('migrations', () => {
      let db: TestDatabase;
      beforeAll(async () => {
        db = await backend.create();
      });
      afterAll(async () => {
        await db?.dispose();
      });

      it('migrates an empty database step by step, and opening again is a no-op', async () => {
        const first = await db.open();
        try {
          expect(first.migrations).toEqual([
            { name: '0001_core', status: 'applied' },
            { name: '0002_qual', status: 'applied' },
            { name: '0003_invitations', status: 'applied' },
            { name: '0004_respondent_privacy', status: 'applied' },
            { name: '0005_invite_links', status: 'applied' },
            { name: '0006_counter_shards', status: 'applied' },
            { name: '0007_limits', status: 'applied' },
            { name: '0008_qual_media', status: 'applied' },
            { name: '0009_response_imports', status: 'applied' },
            { name: '0010_study_archive', status: 'applied' },
            { name: '0011_account_links', status: 'applied' },
            { name: '0012_volunteers', status: 'applied' },
            { name: '0013_response_consent', status: 'applied' },
            { name: '0014_waves', status: 'applied' },
          ]);
          expect(await first.schemaVersion()).toEqual({ version: 14, name: '0014_waves' });
        } finally {
          await first.close();
        }
        const second = await db.open();
        try {
          expect(second.migrations).toEqual([]);
          expect(await second.schemaVersion()).toEqual({ version: 14, name: '0014_waves' });
        } finally {
          await second.close();
        }
        const raw = await db.raw();
        const rows = await raw.query<{ version: number | string; name: string }>(
          'SELECT version, name FROM schema_version',
        );
        await raw.close();
        expect(rows.map((r) => [Number(r.version), r.name])).toEqual([[14, '0014_waves']]);
      });

      it('0006_counter_shards keeps the counts of a database made before it, as shard 0', async () => {
        const old = await backend.create();
        try {
          let store = await old.open();
          let studyId: number;
          try {
            studyId = (await makeOpenStudy(store)).study.id;
            // Put the table back as 0001_core made it (no shard column, key study, day, name) and forget 0006.
            if (old.backend === 'sqlite') {
              await sql`CREATE TABLE pc_old (study_id INTEGER NOT NULL, day TEXT NOT NULL, name TEXT NOT NULL,
                count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (study_id, day, name)) STRICT`.execute(
                store.db,
              );
              await sql`DROP TABLE progress_counters`.execute(store.db);
              await sql`ALTER TABLE pc_old RENAME TO progress_counters`.execute(store.db);
            } else {
              await sql`ALTER TABLE progress_counters DROP CONSTRAINT progress_counters_pkey`.execute(
                store.db,
              );
              await sql`ALTER TABLE progress_counters DROP COLUMN shard`.execute(store.db);
              await sql`ALTER TABLE progress_counters ADD PRIMARY KEY (study_id, day, name)`.execute(
                store.db,
              );
            }
            await sql`DELETE FROM nabz_migration WHERE name = '0006_counter_shards'`.execute(store.db);
            // … and the later 0007_limits … 0014_waves, so they run again in order.
            await sql`DROP TABLE rate_counters`.execute(store.db);
            await sql`DROP TABLE limit_state`.execute(store.db);
            await sql`DROP TABLE qual_media`.execute(store.db);
            await sql`DROP TABLE response_uploads`.execute(store.db);
            await sql`DROP TABLE volunteers`.execute(store.db);
            await sql`ALTER TABLE responses DROP COLUMN source`.execute(store.db);
            await sql`ALTER TABLE responses DROP COLUMN consent_version`.execute(store.db);
            await sql`ALTER TABLE responses DROP COLUMN consent_hash`.execute(store.db);
            await sql`ALTER TABLE responses DROP COLUMN consent_language`.execute(store.db);
            await sql`ALTER TABLE studies DROP COLUMN archived_at`.execute(store.db);
            await sql`DROP TABLE account_links`.execute(store.db);
            await sql`DROP TABLE wave_invites`.execute(store.db);
            await sql`DROP INDEX responses_panel`.execute(store.db);
            await sql`DROP INDEX studies_wave_of`.execute(store.db);
            await sql`ALTER TABLE responses DROP COLUMN panel_id`.execute(store.db);
            await sql`ALTER TABLE studies DROP COLUMN wave_of`.execute(store.db);
            await sql`ALTER TABLE studies DROP COLUMN wave_label`.execute(store.db);
            await sql`DELETE FROM nabz_migration WHERE name IN ('0007_limits', '0008_qual_media', '0009_response_imports', '0010_study_archive', '0011_account_links', '0012_volunteers', '0013_response_consent', '0014_waves')`.execute(
              store.db,
            );
            await sql`INSERT INTO progress_counters (study_id, day, name, count)
              VALUES (${studyId}, '2024-03-01', 'started', 7), (${studyId}, '2024-03-01', 'completed', 5),
                     (${studyId}, '2024-03-02', 'started', 2)`.execute(store.db);
          } finally {
            await store.close();
          }
          store = await old.open();
          try {
            expect(store.migrations).toEqual([
              { name: '0006_counter_shards', status: 'applied' },
              { name: '0007_limits', status: 'applied' },
              { name: '0008_qual_media', status: 'applied' },
              { name: '0009_response_imports', status: 'applied' },
              { name: '0010_study_archive', status: 'applied' },
              { name: '0011_account_links', status: 'applied' },
              { name: '0012_volunteers', status: 'applied' },
              { name: '0013_response_consent', status: 'applied' },
              { name: '0014_waves', status: 'applied' },
            ]);
            expect(await store.counters.read(studyId)).toEqual({
              totals: { started: 9, completed: 5 },
              days: [
                { day: '2024-03-01', name: 'completed', count: 5 },
                { day: '2024-03-01', name: 'started', count: 7 },
                { day: '2024-03-02', name: 'started', count: 2 },
              ],
            });
            const shards = await store.db.selectFrom('progress_counters').select('shard').execute();
            expect(shards.map((r) => r.shard)).toEqual([0, 0, 0]);
            // Counting on after the migration adds to the same totals.
            await store.counters.increment({ studyId, name: 'started', day: '2024-03-02', by: 3 });
            expect((await store.counters.read(studyId)).totals).toEqual({ started: 12, completed: 5 });
          } finally {
            await store.close();
          }
        } finally {
          await old.dispose();
        }
      });

      it('has exactly the designed tables and columns, and none for IP addresses or user agents', async () => {
        const columns = await columnsOf(db);
        const { nabz_migration, nabz_migration_lock, ...tables } = columns;
        expect(nabz_migration).toBeDefined();
        expect(nabz_migration_lock).toBeDefined();
        expect(tables).toEqual(EXPECTED_COLUMNS);
        const identifying =
          /(^|_)(ip|ip_?addr(ess)?|remote_?addr(ess)?|user_?agent|ua|useragent|client_?ip)(_|$)/i;
        for (const [table, cols] of Object.entries(columns)) {
          for (const c of cols)
            expect(identifying.test(c), `${table}.${c} looks like an IP or user agent`).toBe(false);
        }
      });

      if (backend.name === 'postgres') {
        it('introspects its own schema only (another schema dropped meanwhile cannot fail a migration start)', async () => {
          const other = `${db.schema}_other`;
          const raw = await db.raw();
          await raw.exec(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.stranger (id serial primary key)`);
          const store = await db.open();
          try {
            const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
            expect(tables.every((t) => t.schema === db.schema)).toBe(true);
            expect(tables.map((t) => t.name)).not.toContain('stranger');
            expect(tables.map((t) => t.name)).toContain('responses');
            const ids = tables.find((t) => t.name === 'responses')!.columns.find((c) => c.name === 'id')!;
            expect(ids.isAutoIncrementing).toBe(true);
          } finally {
            await store.close();
            await raw.exec(`DROP SCHEMA ${other} CASCADE`);
          }
        });
      }

      if (backend.name === 'sqlite') {
        it('opens SQLite in WAL mode with synchronous=FULL, foreign keys on and a busy timeout', async () => {
          const store = await db.open();
          try {
            const one = async (pragma: string) => {
              const r = await sql.raw(`PRAGMA ${pragma}`).execute(store.db);
              return Object.values(r.rows[0] as object)[0];
            };
            expect(String(await one('journal_mode')).toLowerCase()).toBe('wal');
            expect(await one('synchronous')).toBe(2); // 2 = FULL
            expect(await one('foreign_keys')).toBe(1);
            expect(await one('busy_timeout')).toBe(5000);
          } finally {
            await store.close();
          }
        });
      } else {
        it('runs PostgreSQL sessions with synchronous_commit=on in the configured schema', async () => {
          const store = await db.open();
          try {
            const r = await sql<{
              sc: string;
              s: string;
            }>`SELECT current_setting('synchronous_commit') AS sc, current_schema() AS s`.execute(store.db);
            expect(r.rows[0]).toEqual({ sc: 'on', s: db.schema });
          } finally {
            await store.close();
          }
        });

        it('lets two server instances start together on one database: one migrates, both serve', async () => {
          const shared = await backend.create();
          try {
            const [a, b] = await Promise.all([shared.open(), shared.open()]);
            try {
              expect([a.migrations.length, b.migrations.length].sort()).toEqual([0, 14]);
              const { study } = await makeOpenStudy(a);
              const key = newKey();
              const results = await Promise.all(
                Array.from({ length: 20 }, (_, i) =>
                  (i % 2 ? a : b).responses.insert({
                    studyId: study.id,
                    idempotencyKey: key,
                    answers: {},
                    language: 'en',
                  }),
                ),
              );
              expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
              expect(await b.responses.count(study.id)).toBe(1);
              await Promise.all(
                Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).audit.append({ action: 'sign_in' })),
              );
              expect(await a.audit.verify()).toMatchObject({ ok: true, count: 10 });
            } finally {
              await a.close();
              await b.close();
            }
          } finally {
            await shared.dispose();
          }
        });

        it('creates the configured schema when it does not exist yet', async () => {
          if (db.config.kind !== 'postgres') throw new Error('unreachable');
          const schema = `${db.schema}_new`;
          const store = await openStore({ kind: 'postgres', url: db.config.url, schema });
          try {
            expect(store.description).toContain(`(schema ${schema})`);
            expect(store.migrations).toEqual([
              { name: '0001_core', status: 'applied' },
              { name: '0002_qual', status: 'applied' },
              { name: '0003_invitations', status: 'applied' },
              { name: '0004_respondent_privacy', status: 'applied' },
              { name: '0005_invite_links', status: 'applied' },
              { name: '0006_counter_shards', status: 'applied' },
              { name: '0007_limits', status: 'applied' },
              { name: '0008_qual_media', status: 'applied' },
              { name: '0009_response_imports', status: 'applied' },
              { name: '0010_study_archive', status: 'applied' },
              { name: '0011_account_links', status: 'applied' },
              { name: '0012_volunteers', status: 'applied' },
              { name: '0013_response_consent', status: 'applied' },
              { name: '0014_waves', status: 'applied' },
            ]);
          } finally {
            await store.close();
            const raw = await db.raw();
            await raw.exec(`DROP SCHEMA ${schema} CASCADE`);
            await raw.close();
          }
        });
      }
    });

    describe('repositories', () => {
      let db: TestDatabase;
      let store: Store;
      useStore(backend, (open) => {
        ({ db, store } = open);
      });

      it('creates users, refuses a second account for the same address (any case) as a value', async () => {
        const before = await store.users.count();
        const at = new Date('2024-05-01T08:00:00.000Z');
        const a = await store.users.create({
          email: '  Ayesha.Khan@Example.ORG ',
          displayName: 'Ayesha Khan',
          passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
          isAdmin: true,
          now: at,
        });
        expect(a.ok).toBe(true);
        if (!a.ok) return;
        expect(a.value).toEqual({
          id: a.value.id,
          email: 'ayesha.khan@example.org',
          displayName: 'Ayesha Khan',
          isAdmin: true,
          createdAt: at,
        });
        const dup = await store.users.create({
          email: 'AYESHA.KHAN@example.org',
          displayName: 'Someone',
          passwordHash: 'x',
        });
        expect(dup).toEqual({
          ok: false,
          code: 'email_taken',
          message: 'An account with the e-mail address ayesha.khan@example.org already exists.',
        });
        expect(await store.users.count()).toBe(before + 1);
        const found = await store.users.byEmail('ayesha.khan@EXAMPLE.org');
        expect(found?.passwordHash).toBe('$argon2id$v=19$m=19456,t=2,p=1$abc$def');
        expect(found?.id).toBe(a.value.id);
        expect(await store.users.byId(a.value.id)).toEqual(a.value);
        expect(await store.users.byId(999_999)).toBeUndefined();
        expect((await store.users.list()).map((u) => u.email)).toContain('ayesha.khan@example.org');
        expect(await store.users.setPasswordHash(a.value.id, 'new-hash')).toBe(true);
        expect((await store.users.byEmail('ayesha.khan@example.org'))?.passwordHash).toBe('new-hash');
      });

      it('reports a unique violation from the database as a recognisable error', async () => {
        const u = await makeOwner(store);
        const attempt = store.db
          .insertInto('users')
          .values({ email: u.email, display_name: 'Dup', password_hash: 'x', created_at: new Date() })
          .execute();
        const err = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeDefined();
        expect(isUniqueViolation(err)).toBe(true);
        expect(isForeignKeyViolation(err)).toBe(false);
      });

      it('keeps sessions by token hash only and honours expiry', async () => {
        const u = await makeOwner(store);
        const now = new Date('2024-06-01T10:00:00.000Z');
        const expiresAt = new Date('2024-06-01T22:00:00.000Z');
        await store.sessions.create({ token: 'secret-session-token', userId: u.id, expiresAt, now });
        const s = await store.sessions.getValid('secret-session-token', new Date('2024-06-01T21:59:59.999Z'));
        expect(s).toEqual({ userId: u.id, createdAt: now, expiresAt, user: u });
        expect(await store.sessions.getValid('secret-session-token', expiresAt)).toBeUndefined();
        expect(await store.sessions.getValid('other-token', now)).toBeUndefined();
        const raw = await db.raw();
        const rows = await raw.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
        await raw.close();
        expect(rows.map((r) => r.token_hash)).toContain(sha256('secret-session-token'));
        expect(rows.some((r) => r.token_hash === 'secret-session-token')).toBe(false);
        expect(
          await store.sessions.deleteExpired(new Date('2024-06-02T00:00:00.000Z')),
        ).toBeGreaterThanOrEqual(1);
        await store.sessions.create({
          token: 't2',
          userId: u.id,
          expiresAt: new Date('2100-01-01T00:00:00Z'),
        });
        expect(await store.sessions.delete('t2')).toBe(true);
        expect(await store.sessions.delete('t2')).toBe(false);
      });

      it('consumes a setup token exactly once, even when 20 requests race', async () => {
        const now = new Date('2024-06-01T10:00:00.000Z');
        const expiresAt = new Date('2024-06-02T10:00:00.000Z');
        await store.setupTokens.create({ token: 'setup-abc', expiresAt, now });
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.setupTokens.consume('setup-abc', { now })),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code))).toEqual(
          Array(19).fill('already_used'),
        );
        expect(await store.setupTokens.consume('setup-abc', { now })).toMatchObject({
          ok: false,
          code: 'already_used',
        });
        expect(await store.setupTokens.consume('nope', { now })).toMatchObject({
          ok: false,
          code: 'unknown_token',
        });
        await store.setupTokens.create({ token: 'setup-late', expiresAt, now });
        expect(await store.setupTokens.consume('setup-late', { now: expiresAt })).toMatchObject({
          ok: false,
          code: 'expired',
        });
        expect(await store.setupTokens.consume('setup-late', { now, purpose: 'invite' })).toMatchObject({
          ok: false,
          code: 'unknown_token',
        });
        expect(await store.setupTokens.deleteExpired(new Date('2024-06-03T00:00:00Z'))).toBe(2);
      });

      it('creates a study with its owner role and first version, and versions its definition', async () => {
        const owner = await makeOwner(store);
        const t0 = new Date('2024-07-01T09:00:00.000Z');
        const study = await store.studies.create({
          title: '  Stress in house officers ',
          ownerId: owner.id,
          definition: { instruments: [{ instrument: 'phq9' }], consent: { en: 'v1' } },
          consentText: 'Consent v1',
          now: t0,
        });
        expect(study).toMatchObject({
          title: 'Stress in house officers',
          status: 'draft',
          version: 1,
          anonymous: true,
          recordTimes: false,
          minCellSize: 5,
          createdAt: t0,
          updatedAt: t0,
          openedAt: null,
          closedAt: null,
          definition: { instruments: [{ instrument: 'phq9' }], consent: { en: 'v1' } },
        });
        expect(study.publicToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(await store.roles.roleOf({ userId: owner.id, studyId: study.id })).toBe('owner');
        expect(await store.studies.byPublicToken(study.publicToken)).toEqual(study);
        expect(await store.studies.byPublicToken('no-such-token')).toBeUndefined();

        const t1 = new Date('2024-07-02T09:00:00.000Z');
        const v2 = await store.studies.updateDefinition({
          studyId: study.id,
          definition: { instruments: [{ instrument: 'phq9' }, { instrument: 'gad7' }] },
          consentText: 'Consent v2',
          userId: owner.id,
          now: t1,
        });
        expect(v2).toEqual({
          studyId: study.id,
          version: 2,
          definition: { instruments: [{ instrument: 'phq9' }, { instrument: 'gad7' }] },
          consentHash: sha256('Consent v2'),
          createdBy: owner.id,
          createdAt: t1,
        });
        const versions = await store.studies.versions(study.id);
        expect(versions.map((v) => [v.version, v.consentHash])).toEqual([
          [1, sha256('Consent v1')],
          [2, sha256('Consent v2')],
        ]);
        expect((await store.studies.version({ studyId: study.id, version: 1 }))?.definition).toEqual({
          instruments: [{ instrument: 'phq9' }],
          consent: { en: 'v1' },
        });
        const current = await store.studies.byId(study.id);
        expect(current).toMatchObject({
          version: 2,
          updatedAt: t1,
          definition: { instruments: [{ instrument: 'phq9' }, { instrument: 'gad7' }] },
        });
        expect(
          await store.studies.updateDefinition({ studyId: 999_999, definition: {}, userId: null }),
        ).toBeUndefined();

        const t2 = new Date('2024-07-03T09:00:00.000Z');
        expect(await store.studies.setStatus({ studyId: study.id, status: 'open', now: t2 })).toMatchObject({
          status: 'open',
          openedAt: t2,
          closedAt: null,
        });
        const t3 = new Date('2024-07-04T09:00:00.000Z');
        expect(await store.studies.setStatus({ studyId: study.id, status: 'closed', now: t3 })).toMatchObject(
          {
            status: 'closed',
            openedAt: t2,
            closedAt: t3,
          },
        );
        expect(
          await store.studies.setSettings({
            studyId: study.id,
            anonymous: false,
            minCellSize: 10,
            title: 'Renamed',
          }),
        ).toMatchObject({ anonymous: false, recordTimes: false, minCellSize: 10, title: 'Renamed' });

        const mine = await store.studies.listForUser(owner.id);
        expect(mine.map((s) => [s.id, s.role])).toEqual([[study.id, 'owner']]);
        expect(mine[0]).not.toHaveProperty('definition');
      });

      it('checks definitions against the draft schema on write and read (StoreError naming study, version, path)', async () => {
        const owner = await makeOwner(store);
        const raw = await db.raw();
        const count = async () =>
          Number((await raw.query<{ n: number | string }>('SELECT count(*) AS n FROM studies'))[0]?.n);
        const before = await count();
        const bad = { title: 'Bad', instruments: ['phq9'] } as unknown as StudyDraft;
        await expect(
          store.studies.create({ title: 'Bad', ownerId: owner.id, definition: bad }),
        ).rejects.toThrow(/definition of the new study "Bad" is not a study definition \(instruments\[0\]: /);
        expect(await count()).toBe(before);
        const study = await store.studies.create({
          title: 'Good',
          ownerId: owner.id,
          definition: { id: 'good' },
        });
        await expect(
          store.studies.updateDefinition({ studyId: study.id, definition: bad, userId: owner.id }),
        ).rejects.toMatchObject({ name: 'StoreError', code: 'decode' });
        expect((await store.studies.byId(study.id))?.version).toBe(1);
        // A row damaged outside nabz: the read stops and says where, instead of handing on a wrong shape.
        await raw.exec(
          `UPDATE studies SET definition = '{"id":"good","questions":[{"id":"q1","type":"dial"}]}' WHERE id = ${study.id}`,
        );
        const err = await store.studies.byId(study.id).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe('decode');
        expect((err as Error).message).toMatch(
          new RegExp(
            `stored definition of study ${study.id} \\(version 1\\) is not a study definition \\(questions\\[0\\]\\.`,
          ),
        );
        expect((await store.studies.version({ studyId: study.id, version: 1 }))?.definition).toEqual({
          id: 'good',
        });
        await raw.close();
      });

      it('rolls a failed study creation back completely', async () => {
        const raw = await db.raw();
        const count = async (table: string) =>
          Number((await raw.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
        const before = [await count('studies'), await count('study_versions'), await count('study_roles')];
        const err = await store.studies.create({ title: 'Orphan', ownerId: 987_654, definition: {} }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isForeignKeyViolation(err)).toBe(true);
        expect([await count('studies'), await count('study_versions'), await count('study_roles')]).toEqual(
          before,
        );
        await raw.close();
      });

      it('rolls a whole unit of work back when it throws, and commits it when it does not', async () => {
        const email = 'tx-test@example.org';
        await expect(
          store.transaction(async (tx) => {
            const u = await tx.users.create({ email, displayName: 'Tx', passwordHash: 'h' });
            if (!u.ok) throw new Error(u.message);
            await tx.studies.create({ title: 'In a transaction', ownerId: u.value.id, definition: {} });
            await tx.audit.append({ action: 'study.create', actorUserId: u.value.id });
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await store.users.byEmail(email)).toBeUndefined();
        const audit = await store.audit.list({ limit: 1000 });
        expect(audit.some((e) => e.action === 'study.create')).toBe(false);

        const id = await store.transaction(async (tx) => {
          const u = await tx.users.create({ email, displayName: 'Tx', passwordHash: 'h' });
          if (!u.ok) throw new Error(u.message);
          const s = await tx.studies.create({ title: 'Committed', ownerId: u.value.id, definition: {} });
          return s.id;
        });
        expect((await store.studies.byId(id))?.title).toBe('Committed');
      });

      it('grants, changes and revokes roles, and never leaves a study without an owner', async () => {
        const owner = await makeOwner(store);
        const analyst = await makeOwner(store);
        const viewer = await makeOwner(store);
        const study = await store.studies.create({ title: 'Roles', ownerId: owner.id, definition: {} });
        expect(await store.roles.grant({ studyId: study.id, userId: analyst.id, role: 'analyst' })).toEqual({
          ok: true,
          previous: null,
        });
        expect(await store.roles.grant({ studyId: study.id, userId: viewer.id, role: 'analyst' })).toEqual({
          ok: true,
          previous: null,
        });
        expect(await store.roles.grant({ studyId: study.id, userId: viewer.id, role: 'viewer' })).toEqual({
          ok: true,
          previous: 'analyst',
        });
        expect(await store.roles.roleOf({ userId: viewer.id, studyId: study.id })).toBe('viewer');
        expect((await store.roles.list(study.id)).map((r) => [r.userId, r.role])).toEqual([
          [owner.id, 'owner'],
          [analyst.id, 'analyst'],
          [viewer.id, 'viewer'],
        ]);

        expect(await store.roles.revoke({ studyId: study.id, userId: owner.id })).toMatchObject({
          ok: false,
          code: 'last_owner',
        });
        expect(
          await store.roles.grant({ studyId: study.id, userId: owner.id, role: 'viewer' }),
        ).toMatchObject({
          ok: false,
          code: 'last_owner',
        });
        expect(
          await store.roles.grant({ studyId: study.id, userId: analyst.id, role: 'owner' }),
        ).toMatchObject({
          ok: true,
        });
        expect(await store.roles.revoke({ studyId: study.id, userId: owner.id })).toEqual({
          ok: true,
          removed: true,
        });
        expect(await store.roles.revoke({ studyId: study.id, userId: owner.id })).toEqual({
          ok: true,
          removed: false,
        });
        expect(await store.roles.roleOf({ userId: owner.id, studyId: study.id })).toBeNull();
        expect(await store.roles.grant({ studyId: 999_999, userId: owner.id, role: 'viewer' })).toMatchObject(
          {
            ok: false,
            code: 'unknown_study',
          },
        );
        expect(await store.roles.grant({ studyId: study.id, userId: 999_999, role: 'viewer' })).toMatchObject(
          {
            ok: false,
            code: 'unknown_user',
          },
        );
        // A role on one study gives nothing on another.
        const other = await store.studies.create({ title: 'Other', ownerId: owner.id, definition: {} });
        expect(await store.roles.roleOf({ userId: viewer.id, studyId: other.id })).toBeNull();
      });

      it('records instrument acknowledgements once per study, instrument and user', async () => {
        const owner = await makeOwner(store);
        const study = await store.studies.create({ title: 'Terms', ownerId: owner.id, definition: {} });
        const at = new Date('2024-08-01T12:00:00.000Z');
        expect(await store.acknowledgements.has({ studyId: study.id, instrumentId: 'bace-v3' })).toBe(false);
        expect(
          await store.acknowledgements.record({
            studyId: study.id,
            instrumentId: 'bace-v3',
            userId: owner.id,
            now: at,
          }),
        ).toEqual({ created: true });
        expect(
          await store.acknowledgements.record({
            studyId: study.id,
            instrumentId: 'bace-v3',
            userId: owner.id,
          }),
        ).toEqual({ created: false });
        expect(await store.acknowledgements.has({ studyId: study.id, instrumentId: 'bace-v3' })).toBe(true);
        expect(await store.acknowledgements.list(study.id)).toEqual([
          { instrumentId: 'bace-v3', userId: owner.id, acknowledgedAt: at },
        ]);
      });

      it('refuses values the schema forbids (CHECK constraints) on both backends', async () => {
        const owner = await makeOwner(store);
        const study = await store.studies.create({ title: 'Checks', ownerId: owner.id, definition: {} });
        await expect(
          store.studies.setStatus({ studyId: study.id, status: 'paused' as 'open' }),
        ).rejects.toThrow();
        await expect(store.studies.setSettings({ studyId: study.id, minCellSize: 0 })).rejects.toThrow();
        const other = await makeOwner(store);
        await expect(
          store.roles.grant({ studyId: study.id, userId: other.id, role: 'admin' as 'owner' }),
        ).rejects.toThrow();
        expect(await store.roles.roleOf({ userId: other.id, studyId: study.id })).toBeNull();
        expect((await store.studies.byId(study.id))?.status).toBe('draft');
      });
    });
  });
}
