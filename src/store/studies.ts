/**
 * Studies and their versioned definitions. A study row holds the current definition and its version number;
 * every definition ever saved is kept in study_versions, and each response points at the version it answered.
 * The store checks every definition it writes and reads against the one draft schema (core/study/schema.ts,
 * `StudyDraftSchema`) and keeps the JSON as given; resolving it against the library is core/study's job. A stored
 * definition that does not pass is a StoreError naming the study, the version and the path.
 */
import type { Selectable } from 'kysely';
import { parseStudyDraft, type StudyDraft } from '../core/study/schema.js';
import {
  fromJsonText,
  randomToken,
  sha256Hex,
  toBool,
  toDate,
  toDateOrNull,
  toJsonText,
  toNumber,
} from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { StudiesTable, StudyRole, StudyStatus, StudyVersionsTable } from './schema.js';
import { removeStudyVolunteers } from './volunteers.js';

/** A study without its definition (for lists). */
export interface StudySummary {
  readonly id: number;
  /** Token in the respondent link. */
  readonly publicToken: string;
  readonly title: string;
  readonly status: StudyStatus;
  /** Current definition version. */
  readonly version: number;
  readonly anonymous: boolean;
  /** Keep submission times although the study is anonymous (owner's choice; off by default). */
  readonly recordTimes: boolean;
  /** Who can answer: false = anyone with the link; true = only holders of a single-use invitation link. */
  readonly invitationOnly: boolean;
  /** k: aggregate cells with fewer respondents are suppressed. */
  readonly minCellSize: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the study was last opened; null if never. */
  readonly openedAt: Date | null;
  /** When the study was last closed; null unless closed. */
  readonly closedAt: Date | null;
  /** When the owner archived it (hidden from the dashboard, closed to respondents); null if not archived. */
  readonly archivedAt: Date | null;
  /** A follow-up wave: the screening study whose volunteers it goes to; null for any other study. */
  readonly waveOf: number | null;
  /** The wave's name ("pre", "post"); null for a study that is not a wave. */
  readonly waveLabel: string | null;
}

export interface Study extends StudySummary {
  /** The current definition, as stored (checked against `StudyDraftSchema`). */
  readonly definition: StudyDraft;
}

export interface StudyVersion {
  readonly studyId: number;
  readonly version: number;
  readonly definition: StudyDraft;
  /** SHA-256 (hex) of the consent text of this version, or null. */
  readonly consentHash: string | null;
  readonly createdBy: number | null;
  readonly createdAt: Date;
}

export interface NewStudy {
  readonly title: string;
  /** The creating user; becomes the study's owner. */
  readonly ownerId: number;
  readonly definition: StudyDraft;
  /** Consent text shown with this version; its SHA-256 is recorded with the version. */
  readonly consentText?: string | null;
  /** Default true. */
  readonly anonymous?: boolean;
  /** Default false. */
  readonly recordTimes?: boolean;
  /** Default 5. */
  readonly minCellSize?: number;
  /** A follow-up wave of this screening study (src/store/waves.ts), with its name. */
  readonly wave?: { readonly of: number; readonly label: string };
  readonly now?: Date;
}

export interface StudySettings {
  readonly title?: string;
  readonly anonymous?: boolean;
  readonly recordTimes?: boolean;
  /** Only single-use invitation links accept responses (the public link alone does not). */
  readonly invitationOnly?: boolean;
  readonly minCellSize?: number;
}

/** A copy of a study (see {@link StudiesRepo.duplicate}). */
interface DuplicateStudy {
  /** The study copied: its anonymity, time recording, invitation-only setting and k are carried over. */
  readonly fromStudyId: number;
  readonly title: string;
  /** The user who copies it; becomes the copy's only owner. */
  readonly ownerId: number;
  /** The copy's first definition (the caller prepares it: core/study/lifecycle.ts `duplicateDefinition`). */
  readonly definition: StudyDraft;
  readonly consentText?: string | null;
  /** Make the copy a follow-up wave of this study (src/store/waves.ts), with its name. */
  readonly wave?: { readonly of: number; readonly label: string };
  readonly now?: Date;
}

/** How many responses, drafts, counters (per day and name) and links {@link StudiesRepo.deleteData} removed. */
export interface DeletedStudyData {
  readonly responses: number;
  readonly drafts: number;
  readonly counters: number;
  readonly referralLinks: number;
}

const summaryColumns = [
  'id',
  'public_token',
  'title',
  'status',
  'version',
  'anonymous',
  'record_times',
  'invitation_only',
  'min_cell_size',
  'created_at',
  'updated_at',
  'opened_at',
  'closed_at',
  'archived_at',
  'wave_of',
  'wave_label',
] as const;

type SummaryRow = Pick<Selectable<StudiesTable>, (typeof summaryColumns)[number]>;

function toSummary(row: SummaryRow): StudySummary {
  return {
    id: row.id,
    publicToken: row.public_token,
    title: row.title,
    status: row.status,
    version: row.version,
    anonymous: toBool(row.anonymous),
    recordTimes: toBool(row.record_times),
    invitationOnly: toBool(row.invitation_only),
    minCellSize: row.min_cell_size,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    openedAt: toDateOrNull(row.opened_at),
    closedAt: toDateOrNull(row.closed_at),
    archivedAt: toDateOrNull(row.archived_at),
    waveOf: row.wave_of === null ? null : toNumber(row.wave_of),
    waveLabel: row.wave_label,
  };
}

/**
 * A definition checked against the draft schema, as it is written (`what` names it) and read back: a definition
 * that does not pass is never stored, and one read that does not pass (a damaged row, or one written by a
 * version of nabz with other rules) stops with the study, the version and each path, not a guess.
 */
function checkedDefinition(value: unknown, what: string): StudyDraft {
  const r = parseStudyDraft(value);
  if (r.ok) return r.value;
  const problems = r.issues.map((i) => `${i.path || '(the definition)'}: ${i.message}`).join('; ');
  throw new StoreError(
    `${what} is not a study definition (${problems}). Correct it with a definition that passes schemas/study.schema.json.`,
    'decode',
  );
}

function toStudy(row: SummaryRow & { definition: string }): Study {
  const definition = checkedDefinition(
    fromJsonText(row.definition),
    `The stored definition of study ${row.id} (version ${row.version})`,
  );
  return { ...toSummary(row), definition };
}

function toVersion(row: Selectable<StudyVersionsTable>): StudyVersion {
  return {
    studyId: row.study_id,
    version: row.version,
    definition: checkedDefinition(
      fromJsonText(row.definition),
      `The stored definition of study ${row.study_id} (version ${row.version})`,
    ),
    consentHash: row.consent_hash,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
  };
}

function consentHash(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : sha256Hex(text);
}

/** What a respondent link's submission needs to know about its study before it uses the cached definition. */
export interface StudyLinkState {
  readonly id: number;
  readonly status: StudyStatus;
  readonly version: number;
  readonly anonymous: boolean;
  readonly recordTimes: boolean;
  readonly invitationOnly: boolean;
}

export function studiesRepo({ db, backend }: StoreContext) {
  return {
    /**
     * Create a study in one transaction: the study (status draft, version 1), its first version and the
     * owner role for `ownerId`. Nothing is left behind if any step fails (e.g. an unknown owner).
     */
    async create(input: NewStudy): Promise<Study> {
      const now = input.now ?? new Date();
      const definition = toJsonText(
        checkedDefinition(input.definition, `The definition of the new study "${input.title}"`),
        'Study definition',
      );
      return inTransaction(db, async (tx) => {
        const row = await tx
          .insertInto('studies')
          .values({
            public_token: randomToken(16),
            title: input.title.trim(),
            definition,
            version: 1,
            anonymous: input.anonymous ?? true,
            record_times: input.recordTimes ?? false,
            min_cell_size: input.minCellSize ?? 5,
            wave_of: input.wave?.of ?? null,
            wave_label: input.wave?.label ?? null,
            created_at: now,
            updated_at: now,
          })
          .returning([...summaryColumns, 'definition'])
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('study_versions')
          .values({
            study_id: row.id,
            version: 1,
            definition,
            consent_hash: consentHash(input.consentText),
            created_by: input.ownerId,
            created_at: now,
          })
          .execute();
        await tx
          .insertInto('study_roles')
          .values({ study_id: row.id, user_id: input.ownerId, role: 'owner', granted_at: now })
          .execute();
        return toStudy(row);
      });
    },

    async byId(id: number): Promise<Study | undefined> {
      const row = await db
        .selectFrom('studies')
        .select([...summaryColumns, 'definition'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toStudy(row) : undefined;
    },

    /** The study a respondent link points at. */
    async byPublicToken(publicToken: string): Promise<Study | undefined> {
      const row = await db
        .selectFrom('studies')
        .select([...summaryColumns, 'definition'])
        .where('public_token', '=', publicToken)
        .executeTakeFirst();
      return row ? toStudy(row) : undefined;
    },

    /**
     * The small, changing part of the study behind a link (id, status, version, privacy settings): callers
     * that keep the parsed definition reuse it while these are unchanged (a definition never changes without
     * a new version).
     */
    async linkState(publicToken: string): Promise<StudyLinkState | undefined> {
      const row = await db
        .selectFrom('studies')
        .select(['id', 'status', 'version', 'anonymous', 'record_times', 'invitation_only'])
        .where('public_token', '=', publicToken)
        .executeTakeFirst();
      return row
        ? {
            id: row.id,
            status: row.status,
            version: row.version,
            anonymous: toBool(row.anonymous),
            recordTimes: toBool(row.record_times),
            invitationOnly: toBool(row.invitation_only),
          }
        : undefined;
    },

    /**
     * Studies on which `userId` has a role, with that role; most recently updated first. Archived studies only
     * with `archived: 'include'` (all) or `'only'` (the archive list); by default they are left out.
     */
    async listForUser(
      userId: number,
      opts: { archived?: 'exclude' | 'include' | 'only' } = {},
    ): Promise<Array<StudySummary & { readonly role: StudyRole }>> {
      const archived = opts.archived ?? 'exclude';
      const rows = await db
        .selectFrom('studies as s')
        .innerJoin('study_roles as r', 'r.study_id', 's.id')
        .select(summaryColumns.map((c) => `s.${c}` as const))
        .select('r.role')
        .where('r.user_id', '=', userId)
        .$if(archived === 'exclude', (q) => q.where('s.archived_at', 'is', null))
        .$if(archived === 'only', (q) => q.where('s.archived_at', 'is not', null))
        .orderBy('s.updated_at', 'desc')
        .orderBy('s.id', 'desc')
        .execute();
      return rows.map((row) => ({ ...toSummary(row), role: row.role }));
    },

    /** The follow-up waves of a screening study (src/store/waves.ts), oldest first, with their definitions. */
    async waves(parentId: number): Promise<Study[]> {
      const rows = await db
        .selectFrom('studies')
        .select([...summaryColumns, 'definition'])
        .where('wave_of', '=', parentId)
        .orderBy('id')
        .execute();
      return rows.map(toStudy);
    },

    /**
     * Save a new definition: increments the version atomically, records the version row and makes it current.
     * Returns the new version, or undefined when the study does not exist.
     */
    async updateDefinition(input: {
      studyId: number;
      definition: StudyDraft;
      consentText?: string | null;
      userId: number | null;
      now?: Date;
    }): Promise<StudyVersion | undefined> {
      const now = input.now ?? new Date();
      const definition = toJsonText(
        checkedDefinition(input.definition, `The new definition of study ${input.studyId}`),
        'Study definition',
      );
      return inTransaction(db, async (tx) => {
        const bumped = await tx
          .updateTable('studies')
          .set((eb) => ({ version: eb('version', '+', 1), definition, updated_at: now }))
          .where('id', '=', input.studyId)
          .returning('version')
          .executeTakeFirst();
        if (!bumped) return undefined;
        const row = await tx
          .insertInto('study_versions')
          .values({
            study_id: input.studyId,
            version: bumped.version,
            definition,
            consent_hash: consentHash(input.consentText),
            created_by: input.userId,
            created_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toVersion(row);
      });
    },

    /** One saved version of a study's definition. */
    async version(input: { studyId: number; version: number }): Promise<StudyVersion | undefined> {
      const row = await db
        .selectFrom('study_versions')
        .selectAll()
        .where('study_id', '=', input.studyId)
        .where('version', '=', input.version)
        .executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    /** All saved versions of a study, oldest first. */
    async versions(studyId: number): Promise<StudyVersion[]> {
      const rows = await db
        .selectFrom('study_versions')
        .selectAll()
        .where('study_id', '=', studyId)
        .orderBy('version')
        .execute();
      return rows.map(toVersion);
    },

    /**
     * Set the status. Opening stamps `openedAt` and clears `closedAt`; closing stamps `closedAt` and deletes the
     * study's follow-up volunteers (their contact details), in one transaction.
     * Which transitions are allowed is the caller's rule. Returns the updated study, or undefined if none.
     */
    async setStatus(input: {
      studyId: number;
      status: StudyStatus;
      now?: Date;
    }): Promise<StudySummary | undefined> {
      const now = input.now ?? new Date();
      const stamps =
        input.status === 'open'
          ? { opened_at: now, closed_at: null }
          : input.status === 'closed'
            ? { closed_at: now }
            : {};
      return inTransaction(db, async (tx) => {
        const row = await tx
          .updateTable('studies')
          .set({ status: input.status, updated_at: now, ...stamps })
          .where('id', '=', input.studyId)
          .returning(summaryColumns)
          .executeTakeFirst();
        // Closing deletes the follow-up volunteers' contact details with it (issue 14, src/store/volunteers.ts).
        if (row && input.status === 'closed') await removeStudyVolunteers(tx, input.studyId);
        return row ? toSummary(row) : undefined;
      });
    },

    /** Change title, anonymity, submission-time recording or k. Returns the updated study, or undefined if none. */
    async setSettings(
      input: StudySettings & { studyId: number; now?: Date },
    ): Promise<StudySummary | undefined> {
      const row = await db
        .updateTable('studies')
        .set({
          updated_at: input.now ?? new Date(),
          ...(input.title !== undefined ? { title: input.title.trim() } : {}),
          ...(input.anonymous !== undefined ? { anonymous: input.anonymous } : {}),
          ...(input.recordTimes !== undefined ? { record_times: input.recordTimes } : {}),
          ...(input.invitationOnly !== undefined ? { invitation_only: input.invitationOnly } : {}),
          ...(input.minCellSize !== undefined ? { min_cell_size: input.minCellSize } : {}),
        })
        .where('id', '=', input.studyId)
        .returning(summaryColumns)
        .executeTakeFirst();
      return row ? toSummary(row) : undefined;
    },

    /**
     * Delete everything respondents left in a study — responses, resume drafts, progress counters, referral
     * links, follow-up volunteers — in one transaction, keeping the study, its versions, roles and the audit log.
     */
    async deleteData(studyId: number): Promise<DeletedStudyData> {
      return inTransaction(db, async (tx) => {
        const count = async (table: 'responses' | 'resume_drafts' | 'progress_counters' | 'referral_links') =>
          toNumber(
            (await tx.deleteFrom(table).where('study_id', '=', studyId).executeTakeFirst()).numDeletedRows,
          );
        const responses = await count('responses');
        const drafts = await count('resume_drafts');
        // A counter is a (day, name): counted before deleting, as one however many shards it has (counters.ts).
        const counterKeys = await tx
          .selectFrom('progress_counters')
          .select(['day', 'name'])
          .where('study_id', '=', studyId)
          .groupBy(['day', 'name'])
          .execute();
        await count('progress_counters');
        const counters = counterKeys.length;
        const referralLinks = await count('referral_links');
        // Uploaded exports not yet imported hold raw respondent data too.
        await tx.deleteFrom('response_uploads').where('study_id', '=', studyId).execute();
        // Follow-up volunteers' contact details go with the responses they volunteered after.
        await removeStudyVolunteers(tx, studyId);
        return { responses, drafts, counters, referralLinks };
      });
    },

    /** Delete the study and everything that belongs to it (the audit log keeps its entries). */
    async delete(studyId: number): Promise<boolean> {
      const res = await db.deleteFrom('studies').where('id', '=', studyId).executeTakeFirst();
      return Number(res.numDeletedRows) === 1;
    },

    /**
     * Delete a study with all its data in one transaction — responses, drafts, counters, referral and
     * invitation links, uploads, versions, roles, acknowledgements, qualitative projects and their media (the
     * foreign keys cascade) — and say how much respondent data went. Undefined when there is no such study.
     * The audit log keeps its entries (the caller appends the deletion in the same transaction).
     */
    async deleteWithData(studyId: number): Promise<DeletedStudyData | undefined> {
      return inTransaction(db, async (tx) => {
        const repo = studiesRepo({ db: tx, backend });
        // Whether it exists, without decoding its definition: a study whose stored definition is damaged can
        // still be deleted.
        const found = await tx
          .selectFrom('studies')
          .select('id')
          .where('id', '=', studyId)
          .executeTakeFirst();
        if (!found) return undefined;
        const data = await repo.deleteData(studyId);
        await repo.delete(studyId);
        return data;
      });
    },

    /**
     * Archive (`archived: true`) or restore a study. Archiving stamps `archivedAt` and closes an open study in
     * the same statement (respondents see the "closed" page); restoring clears the stamp and leaves the study
     * closed (the owner reopens it when wanted). Undefined when there is no such study.
     */
    async setArchived(input: {
      studyId: number;
      archived: boolean;
      now?: Date;
    }): Promise<StudySummary | undefined> {
      const now = input.now ?? new Date();
      return inTransaction(db, async (tx) => {
        const before = await tx
          .selectFrom('studies')
          .select('status')
          .where('id', '=', input.studyId)
          .executeTakeFirst();
        if (!before) return undefined;
        const close = input.archived && before.status === 'open';
        const row = await tx
          .updateTable('studies')
          .set({
            archived_at: input.archived ? now : null,
            updated_at: now,
            ...(close ? { status: 'closed' as const, closed_at: now } : {}),
          })
          .where('id', '=', input.studyId)
          .returning(summaryColumns)
          .executeTakeFirstOrThrow();
        if (close) await removeStudyVolunteers(tx, input.studyId);
        return toSummary(row);
      });
    },

    /**
     * A new draft study copied from another: the given definition as version 1, the source's privacy settings
     * (anonymity, time recording, invitation-only, k), a new respondent token, and `ownerId` as its only owner.
     * No response, draft, link, role or acknowledgement of the source is copied. Undefined when the source
     * does not exist.
     */
    async duplicate(input: DuplicateStudy): Promise<Study | undefined> {
      return inTransaction(db, async (tx) => {
        const repo = studiesRepo({ db: tx, backend });
        const from = await repo.byId(input.fromStudyId);
        if (!from) return undefined;
        const copy = await repo.create({
          title: input.title,
          ownerId: input.ownerId,
          definition: input.definition,
          consentText: input.consentText ?? null,
          anonymous: from.anonymous,
          recordTimes: from.recordTimes,
          minCellSize: from.minCellSize,
          ...(input.wave ? { wave: input.wave } : {}),
          ...(input.now ? { now: input.now } : {}),
        });
        if (!from.invitationOnly) return copy;
        return {
          ...copy,
          ...(await repo.setSettings({ studyId: copy.id, invitationOnly: true, now: copy.createdAt })),
        };
      });
    },
  };
}

export type StudiesRepo = ReturnType<typeof studiesRepo>;
