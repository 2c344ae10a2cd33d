/**
 * Qualitative projects: one per study, stored as **versioned JSON documents per entity**.
 *
 * A project row (`qual_projects`) holds the project document (name, description, COREQ/SRQR metadata, theme
 * reviewers, REFI GUIDs) and whether coder comparison is open. Every entity of the project — source (with
 * its speaker turns), participant, coder, code, segment, memo, theme, member-check packet, transcript
 * correction — is one row of `qual_entities` holding the entity as JSON, validated on every write and read by
 * the core's Zod schema for its kind (`SourceSchema`, `SegmentSchema`, … from src/core/qual/model.ts), with its
 * own `version`. Why this shape (docs/qualitative.md, "Storage"):
 *
 * - **Define once.** The core's schemas are the only description of an entity; there is no second,
 *   column-by-column schema to drift from them. `toQualProject` assembles the rows into the core's
 *   `QualProject`, on which every core function (agreement, results, REFI-QDA) runs unchanged.
 * - **No lost work.** Two coders working at once write different rows; they only meet when they edit the same
 *   entity, and then the version check refuses the second write with a `conflict` naming both versions
 *   (the server answers 409). A single document per project would make every concurrent save a conflict.
 * - **Atomic.** {@link QualRepo.apply} runs one plan — any number of entity changes plus their audit events —
 *   in one transaction, after locking the project row (PostgreSQL `FOR UPDATE`; SQLite's write lock), so the
 *   checks see exactly what the writes change, and a failure leaves nothing behind.
 * - **Blind coding in the query.** Segments carry their coder in a column; reads ask for the segments of the
 *   viewer (and of coders who are not nabz users, i.e. imported codings) unless the owner opened comparison.
 *
 * The audit trail (`qual_audit`) is the core's hash chain (`appendAuditEvent`, `verifyAuditChain`, SHA-256)
 * per project: `seq` is the primary key with the project and `prev_hash` is unique per project, so the chain
 * cannot fork; triggers refuse UPDATE and DELETE (the rows go only with their project). Transcript text never
 * enters the trail: a source is recorded by name, length and SHA-256; participants' names (and aliases that
 * are names) are masked.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { toIssues } from '../core/instrument/schema.js';
import {
  type AuditEvent,
  type AuditVerification,
  appendAuditEvent,
  verifyAuditChain,
} from '../core/qual/audit.js';
import { AgreementBaselineSchema } from '../core/qual/codebook.js';
import { ConsentFormSchema, ConsentRecordSchema } from '../core/qual/consent.js';
import { checkMedia } from '../core/qual/media.js';
import {
  CoderSchema,
  CodeSchema,
  IsoDateTimeSchema,
  MemoSchema,
  ParticipantSchema,
  QualIdSchema,
  QualMetaSchema,
  type QualProject,
  SegmentSchema,
  SourceSchema,
  ThemeSchema,
  TurnSchema,
} from '../core/qual/model.js';
import { codePointLength } from '../core/qual/offsets.js';
import { classifyLabel } from '../core/qual/transcript.js';
import { at as atIndex } from '../core/stats/at.js';
import { fromJsonText, sha256Hex, toBool, toDate, toJsonText, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { done, type Outcome, type Refused, refused } from './errors.js';
import { codebookMethods } from './qualCodebook.js';
import type { Database, Flag, Instant, JsonText } from './schema.js';

// ---------------------------------------------------------------------------------------------------------
// Tables (added by migration 0002_qual; kept here so the core schema file stays untouched)

type QualProjectsTable = {
  id: import('kysely').Generated<number>;
  study_id: number;
  name: string;
  doc: JsonText;
  version: number;
  comparison_open: Flag;
  created_at: Instant;
  updated_at: Instant;
};

type QualEntitiesTable = {
  project_id: number;
  kind: QualKind;
  entity_id: string;
  /** The coder of a segment or of an inductive code (blind coding is filtered on it); null otherwise. */
  coder_id: string | null;
  position: number;
  data: JsonText;
  version: number;
  created_at: Instant;
  updated_at: Instant;
};

type QualAuditTable = {
  project_id: number;
  seq: number;
  actor: string;
  actor_user_id: number | null;
  /** ISO 8601 text exactly as hashed. */
  at: string;
  action: string;
  entity_kind: string;
  entity_id: string;
  before: JsonText;
  after: JsonText;
  prev_hash: string;
  hash: string;
};

/** A transcript's recording (migration 0008_qual_media): the bytes; the transcript's document describes them. */
type QualMediaTable = {
  project_id: number;
  kind: import('kysely').Generated<'source'>;
  source_id: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  bytes: Uint8Array;
  created_at: Instant;
};

type QualTables = {
  qual_projects: QualProjectsTable;
  qual_entities: QualEntitiesTable;
  qual_audit: QualAuditTable;
  qual_media: QualMediaTable;
};

/** Names of the tables migrations 0002_qual and 0008_qual_media create. */
export const QUAL_TABLES = ['qual_projects', 'qual_entities', 'qual_audit', 'qual_media'] as const;

// ---------------------------------------------------------------------------------------------------------
// Stored documents

/** A coder: a researcher, linked to a nabz user (`u<userId>`), or imported (no user). */
const StoredCoderSchema = CoderSchema.extend({
  userId: z.number().int().positive().nullable().default(null),
});
export type StoredCoder = z.infer<typeof StoredCoderSchema>;

/** What a transcript's document says about its recording (the bytes are in `qual_media`). */
const MediaMetaSchema = z.object({
  /** The uploaded file's name, as shown to researchers (never used to decide the type). */
  name: z.string().min(1).max(300),
  contentType: z.enum([
    'audio/mpeg',
    'audio/mp4',
    'audio/wav',
    'audio/ogg',
    'video/ogg',
    'video/webm',
    'video/mp4',
  ]),
  kind: z.enum(['audio', 'video']),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  addedAt: IsoDateTimeSchema,
});
export type MediaMeta = z.infer<typeof MediaMetaSchema>;

/** A source with its speaker turns, how it came in and, optionally, its recording. */
const StoredSourceSchema = z.object({
  source: SourceSchema,
  turns: z.array(TurnSchema).default([]),
  /** txt, docx, vtt, srt, qdpx. */
  format: z.string().min(1).default('txt'),
  media: MediaMetaSchema.optional(),
});
export type StoredSource = z.infer<typeof StoredSourceSchema>;

const MemberCheckStatusSchema = z.enum(['not_sent', 'sent', 'returned', 'corrected', 'approved']);
export type MemberCheckStatus = z.infer<typeof MemberCheckStatusSchema>;

/** A participant's member-checking packet: its status, language, the version sent, and its history. */
const MemberCheckSchema = z.object({
  participantId: QualIdSchema,
  language: z.enum(['en', 'ur']).default('en'),
  status: MemberCheckStatusSchema.default('not_sent'),
  /** SHA-256 of the packet content when it was last sent. */
  versionHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .default(null),
  history: z
    .array(
      z.object({
        status: MemberCheckStatusSchema,
        at: IsoDateTimeSchema,
        by: QualIdSchema,
        versionHash: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .nullable(),
        note: z.string().optional(),
      }),
    )
    .default([]),
});
export type MemberCheck = z.infer<typeof MemberCheckSchema>;

/** A tracked edit to a transcript (a participant's correction): what stood at `[start, end)` and what replaced it. */
const CorrectionSchema = z.object({
  id: QualIdSchema,
  participantId: QualIdSchema,
  sourceId: QualIdSchema,
  /** Code points in the text as it was before this edit. */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  before: z.string(),
  after: z.string(),
  by: QualIdSchema,
  at: IsoDateTimeSchema,
  /** The packet version the participant corrected. */
  packetHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .default(null),
  note: z.string().optional(),
});
export type Correction = z.infer<typeof CorrectionSchema>;

/** The project document: everything of a `QualProject` that is not an entity of its own. */
const ProjectDocSchema = z.object({
  description: z.string().optional(),
  createdAt: IsoDateTimeSchema.optional(),
  meta: QualMetaSchema.default({}),
  themeReviewers: z.array(QualIdSchema).default([]),
  refiGuids: z.record(z.string(), z.string()).default({}),
  /** Sources whose consensus coding has been started (src/core/qual/consensus.ts). */
  consensusSources: z.array(QualIdSchema).default([]),
  /** The agreement among the coders before consensus changed anything (recorded by the first step, kept). */
  consensusBaseline: AgreementBaselineSchema.optional(),
  /** Versions of the written consent form (src/core/qual/consent.ts); never edited once added. */
  consentForms: z.array(ConsentFormSchema).default([]),
  /** Written consent per participant, with its withdrawal; kept after a withdrawal deletes the participant. */
  consents: z.array(ConsentRecordSchema).default([]),
});
export type ProjectDoc = z.infer<typeof ProjectDocSchema>;

/** The kinds of entity a project holds, with the schema each row's JSON must satisfy. */
const QUAL_KIND_SCHEMAS = {
  source: StoredSourceSchema,
  participant: ParticipantSchema,
  coder: StoredCoderSchema,
  code: CodeSchema,
  segment: SegmentSchema,
  memo: MemoSchema,
  theme: ThemeSchema,
  member_check: MemberCheckSchema,
  correction: CorrectionSchema,
} as const;
export type QualKind = keyof typeof QUAL_KIND_SCHEMAS;
type QualData<K extends QualKind> = z.infer<(typeof QUAL_KIND_SCHEMAS)[K]>;

const KIND_LABEL: Record<QualKind, string> = {
  source: 'Transcript',
  participant: 'Participant',
  coder: 'Coder',
  code: 'Code',
  segment: 'Coded segment',
  memo: 'Memo',
  theme: 'Theme',
  member_check: 'Member-check packet',
  correction: 'Correction',
};

// ---------------------------------------------------------------------------------------------------------
// Records

export interface QualProjectRecord {
  readonly id: number;
  readonly studyId: number;
  readonly name: string;
  readonly doc: ProjectDoc;
  readonly version: number;
  /** True once the owner opened coder comparison: every coder then sees every segment. */
  readonly comparisonOpen: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface QualEntity<K extends QualKind = QualKind> {
  readonly kind: K;
  readonly id: string;
  readonly coderId: string | null;
  readonly position: number;
  readonly data: QualData<K>;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A project with (some of) its entities, in position order per kind. */
export interface QualState {
  readonly project: QualProjectRecord;
  /** Entities by kind, each list in position order (then creation). */
  readonly entities: { readonly [K in QualKind]: readonly QualEntity<K>[] };
  /** One entity by kind and id. */
  get<K extends QualKind>(kind: K, id: string): QualEntity<K> | undefined;
  /** Whether segments of other coders were left out (blind coding). */
  readonly blind: boolean;
}

/** Who acts: a coder id (`u<userId>` for nabz users) and the user id, for the audit trail. */
export interface QualActor {
  readonly coderId: string;
  readonly userId: number | null;
}

/** Whose segments a read includes. */
export interface QualVisibility {
  /** The reading coder (their own segments are always visible); null for a reader who codes nothing. */
  readonly coderId: string | null;
  /** Every segment regardless of comparison (server-internal: exports after comparison, tests). */
  readonly all?: boolean;
}

export type QualRefusal = 'conflict' | 'exists' | 'not_found' | 'invalid';

/**
 * One change of a plan. `expect` is the version the caller read (update or delete must still find it),
 * `'new'` (insert; refused when the id exists) or `'any'` (server-side follow-up changes, e.g. shifting
 * segments after a transcript edit, made under the same lock). `data: null` deletes.
 */
export interface QualChange {
  readonly kind: QualKind;
  readonly id: string;
  readonly expect: number | 'new' | 'any';
  readonly data: unknown;
  readonly position?: number;
  /** Audit event for this change: default action `<kind>.create|update|delete` with before/after documents. */
  readonly audit?: { readonly action?: string; readonly before?: unknown; readonly after?: unknown } | false;
}

/** Link a recording to a transcript, or remove it (`bytes: null`). */
export interface QualMediaOp {
  readonly sourceId: string;
  /** The file's name as uploaded (shown to researchers; the type comes from the bytes). */
  readonly name?: string;
  readonly bytes: Uint8Array | null;
}

/** A stored recording (or a byte range of it). */
export interface QualMedia {
  readonly contentType: MediaMeta['contentType'];
  /** The whole recording's size. */
  readonly size: number;
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** What a plan asks the store to do, atomically. */
export interface QualPlan<T> {
  readonly changes?: readonly QualChange[];
  /** Change the project row itself (name, document, comparison). */
  readonly project?: {
    readonly expect?: number;
    readonly name?: string;
    readonly doc?: ProjectDoc;
    readonly comparisonOpen?: boolean;
    readonly audit: { readonly action: string; readonly before: unknown; readonly after: unknown };
  };
  /**
   * Recordings to link to transcripts (`bytes`) or to remove (`bytes: null`), after `changes`: the transcript
   * must exist or be created by this plan. The store checks each recording ({@link checkMedia}: size, type by
   * its bytes), writes it and the description in the transcript's document, and audits `media.attach` /
   * `media.remove` (name, type, size, SHA-256; never the bytes).
   */
  readonly media?: readonly QualMediaOp[];
  /** Audit events that go with no stored change (e.g. an export, a packet printed). */
  readonly events?: readonly {
    readonly action: string;
    readonly entity: { readonly kind: string; readonly id: string };
    readonly before?: unknown;
    readonly after?: unknown;
  }[];
  readonly result: T;
}

/** SHA-256 hex of a UTF-8 string (the hash function of the qualitative audit chain). */
export const qualHash = sha256Hex;

/** What the audit trail records of an entity: never transcript text, never a participant's name. */
function auditView(kind: QualKind, data: unknown): unknown {
  if (data == null) return null;
  if (kind === 'source') {
    const s = data as StoredSource;
    return {
      id: s.source.id,
      name: s.source.name,
      language: s.source.language,
      format: s.format,
      length: codePointLength(s.source.text),
      sha256: sha256Hex(s.source.text),
      turns: s.turns.length,
      ...(s.media ? { media: s.media } : {}),
    };
  }
  if (kind === 'participant') {
    // A name, and aliases that are names ("Ayesha", "عائشہ"), are confidential; labels like "P4" are not.
    const p = data as { name?: string; aliases?: string[] };
    return {
      ...p,
      ...(p.name !== undefined ? { name: '[confidential]' } : {}),
      ...(p.aliases
        ? { aliases: p.aliases.map((a) => (classifyLabel(a)?.kind === 'name' ? '[confidential]' : a)) }
        : {}),
    };
  }
  return data;
}

function parseKind<K extends QualKind>(kind: K, data: unknown): Outcome<QualData<K>, 'invalid'> {
  const r = QUAL_KIND_SCHEMAS[kind].safeParse(data);
  if (r.success) return done(r.data as QualData<K>);
  const issues = toIssues(r.error);
  return refused(
    'invalid',
    `${KIND_LABEL[kind]} is not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
  );
}

/** Stored JSON text of a value, `null` for an absent one. */
function jsonText(value: unknown): string {
  return toJsonText(value ?? null, 'A qualitative record');
}

function toProject(row: {
  id: number;
  study_id: number;
  name: string;
  doc: string;
  version: number;
  comparison_open: boolean | number;
  created_at: Date | string;
  updated_at: Date | string;
}): QualProjectRecord {
  return {
    id: row.id,
    studyId: row.study_id,
    name: row.name,
    doc: ProjectDocSchema.parse(fromJsonText(row.doc)),
    version: row.version,
    comparisonOpen: toBool(row.comparison_open),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toEntity(row: {
  kind: QualKind;
  entity_id: string;
  coder_id: string | null;
  position: number;
  data: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}): QualEntity {
  const parsed = QUAL_KIND_SCHEMAS[row.kind].safeParse(fromJsonText(row.data));
  if (!parsed.success)
    throw new TypeError(
      `Stored ${row.kind} "${row.entity_id}" no longer matches its schema: ${parsed.error.message}`,
    );
  return {
    kind: row.kind,
    id: row.entity_id,
    coderId: row.coder_id,
    position: row.position,
    data: parsed.data as QualData<QualKind>,
    version: row.version,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toAuditEvent(row: QualAuditTable): AuditEvent {
  return {
    seq: toNumber(row.seq),
    actor: row.actor,
    at: row.at,
    action: row.action,
    entity: { kind: row.entity_kind, id: row.entity_id },
    before: fromJsonText(row.before),
    after: fromJsonText(row.after),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const EMPTY_KINDS = (): { [K in QualKind]: QualEntity<K>[] } => ({
  source: [],
  participant: [],
  coder: [],
  code: [],
  segment: [],
  memo: [],
  theme: [],
  member_check: [],
  correction: [],
});

function makeState(project: QualProjectRecord, list: readonly QualEntity[], blind: boolean): QualState {
  const entities = EMPTY_KINDS();
  const byKey = new Map<string, QualEntity>();
  const sorted = [...list].sort(
    (a, b) => a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime() || cmp(a.id, b.id),
  );
  for (const e of sorted) {
    (entities[e.kind] as QualEntity[]).push(e);
    byKey.set(`${e.kind}\u0000${e.id}`, e);
  }
  return {
    project,
    entities,
    blind,
    get: <K extends QualKind>(kind: K, id: string) =>
      byKey.get(`${kind}\u0000${id}`) as QualEntity<K> | undefined,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The coder ids whose segments `viewer` may see in `coders` (before comparison opens). */
function visibleCoderIds(
  coders: readonly QualEntity<'coder'>[],
  viewer: QualVisibility,
  comparisonOpen: boolean,
): string[] | 'all' {
  if (viewer.all || comparisonOpen) return 'all';
  const ids = coders.filter((c) => c.data.userId === null).map((c) => c.id);
  if (viewer.coderId !== null) ids.push(viewer.coderId);
  return [...new Set(ids)];
}

/**
 * The core's `QualProject` from a state: sources, turns, participants, coders, codes, segments, memos and
 * themes in stored order. References to segments the state does not hold (blind coding) are dropped: memos
 * about them, and quotes of themes that point at them. The project id is `study-<studyId>`.
 */
export function toQualProject(state: QualState): QualProject {
  const p = state.project;
  const e = state.entities;
  const segmentIds = new Set(e.segment.map((s) => s.id));
  const turns: Record<string, QualProject['turns'][string]> = {};
  for (const s of e.source) turns[s.id] = s.data.turns;
  return {
    id: `study-${p.studyId}`,
    name: p.name,
    ...(p.doc.description !== undefined ? { description: p.doc.description } : {}),
    ...(p.doc.createdAt !== undefined ? { createdAt: p.doc.createdAt } : {}),
    sources: e.source.map((s) => s.data.source),
    turns,
    participants: e.participant.map((x) => x.data),
    coders: e.coder.map(({ data: { userId: _u, ...c } }) => c),
    codes: e.code.map((x) => x.data),
    segments: e.segment.map((x) => x.data),
    memos: e.memo
      .map((x) => x.data)
      .filter((m) => m.target.kind !== 'segment' || segmentIds.has(m.target.id)),
    themes: e.theme.map((x) => ({
      ...x.data,
      quoteSegmentIds: x.data.quoteSegmentIds.filter((id) => segmentIds.has(id)),
    })),
    themeReviewers: p.doc.themeReviewers,
    meta: p.doc.meta,
    refiGuids: p.doc.refiGuids,
  };
}

/** The message of a version conflict: whose data, which versions, what to do. */
function conflictMessage(kind: QualKind | 'project', name: string, had: number, now: number | null): string {
  const what = kind === 'project' ? 'The project settings' : `${KIND_LABEL[kind]} "${name}"`;
  if (now === null)
    return `${what} was deleted by someone else while you were working on it. Nothing was saved; reload the page.`;
  return `${what} was changed by someone else while you were editing it (you started from version ${had}, it is now version ${now}). Nothing was saved: reload the page to see their change, then apply yours again.`;
}

function displayName(kind: QualKind, id: string, data: unknown): string {
  const d = data as { name?: unknown; source?: { name?: unknown }; pseudonym?: unknown };
  if (kind === 'source' && typeof d?.source?.name === 'string') return d.source.name;
  if (kind === 'participant' && typeof d?.pseudonym === 'string') return d.pseudonym;
  if (typeof d?.name === 'string') return d.name;
  return id;
}

/**
 * A transcript's recording is described only by the store (plan.media): an update that leaves the description
 * out keeps it; one that sets another description is a programming error.
 */
function keepMedia(c: QualChange, data: unknown, old: QualEntity | undefined): unknown {
  if (c.kind !== 'source') return data;
  const next = data as StoredSource;
  const had = (old?.data as StoredSource | undefined)?.media;
  if (next.media === undefined) return had ? { ...next, media: had } : next;
  if (had && JSON.stringify(had) === JSON.stringify(next.media)) return next;
  throw new Error(`Plan describes a recording of "${c.id}" without storing it; use plan.media.`);
}

/** A recording to write or remove, decided before anything is written (see {@link planMedia}). */
interface MediaWrite {
  readonly sourceId: string;
  /** The transcript's document as this plan leaves it (before the recording's description). */
  readonly doc: StoredSource;
  /** Whether this plan writes the transcript itself (then its version was already counted). */
  readonly inPlan: boolean;
  readonly put?: { readonly meta: MediaMeta; readonly bytes: Uint8Array };
  /** Why a recording is removed without being asked to (a participant who speaks in it was deleted). */
  readonly reason?: string;
}

function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Check a plan's recordings against the state and the plan's own changes: the transcript exists (and is not
 * deleted by the plan), a new recording passes {@link checkMedia}, a removed one exists. Deleting a
 * participant (consent withdrawn) removes every recording they speak in — in the transcript as it was or as
 * the plan leaves it — since their voice cannot be cut out of it.
 */
function planMedia(
  state: QualState,
  parsed: readonly { change: QualChange; data: unknown }[],
  ops: readonly QualMediaOp[],
  now: Date,
): MediaWrite[] | Refused<QualRefusal> {
  const final = (id: string): { doc: StoredSource | null | undefined; inPlan: boolean } => {
    const p = parsed.find((x) => x.change.kind === 'source' && x.change.id === id);
    if (p) return { doc: p.data as StoredSource | null, inPlan: true };
    return { doc: state.get('source', id)?.data, inPlan: false };
  };
  const out: MediaWrite[] = [];
  for (const op of ops) {
    if (out.some((w) => w.sourceId === op.sourceId))
      throw new Error(`Plan changes the recording of "${op.sourceId}" twice.`);
    const { doc, inPlan } = final(op.sourceId);
    if (!doc) return refused('not_found', `Transcript "${op.sourceId}" does not exist (any more).`);
    if (op.bytes === null) {
      if (!doc.media && !state.get('source', op.sourceId)?.data.media)
        return refused('not_found', `Transcript "${doc.source.name}" has no recording.`);
      out.push({ sourceId: op.sourceId, doc, inPlan });
      continue;
    }
    const name = op.name?.trim() || `${doc.source.name} (recording)`;
    const checked = checkMedia(op.bytes, name);
    if (!checked.ok) return refused('invalid', checked.message);
    const meta: MediaMeta = {
      name: name.slice(0, 300),
      contentType: checked.type.contentType as MediaMeta['contentType'],
      kind: checked.type.kind,
      size: op.bytes.length,
      sha256: sha256Bytes(op.bytes),
      addedAt: now.toISOString(),
    };
    out.push({ sourceId: op.sourceId, doc, inPlan, put: { meta, bytes: op.bytes } });
  }
  const withdrawn = parsed
    .filter((x) => x.change.kind === 'participant' && x.data === null)
    .map((x) => x.change.id);
  for (const pid of withdrawn)
    for (const s of state.entities.source) {
      if (!s.data.media || out.some((w) => w.sourceId === s.id)) continue;
      const { doc, inPlan } = final(s.id);
      if (!doc) continue; // deleted by the plan: its recording goes with it
      const speaks = (turns: readonly { participantId: string | null }[]) =>
        turns.some((t) => t.participantId === pid);
      if (speaks(s.data.turns) || speaks(doc.turns))
        out.push({ sourceId: s.id, doc, inPlan, reason: `participant ${pid} was deleted` });
    }
  return out;
}

/** The repository: projects, their entities and their audit trail. */
export function qualRepo({ db: baseDb, backend }: StoreContext) {
  type QDb = Kysely<Database & QualTables>;
  const q = (db: Kysely<Database>): QDb => db.withTables<QualTables>() as unknown as QDb;
  const db = q(baseDb);

  const projectRow = async (d: QDb, where: { id?: number; studyId?: number }, lock = false) =>
    d
      .selectFrom('qual_projects')
      .selectAll()
      .$if(where.id !== undefined, (qb) => qb.where('id', '=', where.id as number))
      .$if(where.studyId !== undefined, (qb) => qb.where('study_id', '=', where.studyId as number))
      .$if(lock && backend === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();

  const loadState = async (
    d: QDb,
    project: QualProjectRecord,
    viewer: QualVisibility,
  ): Promise<QualState> => {
    const coderRows = await d
      .selectFrom('qual_entities')
      .selectAll()
      .where('project_id', '=', project.id)
      .where('kind', '=', 'coder')
      .execute();
    const coders = coderRows.map((r) => toEntity(r) as QualEntity<'coder'>);
    const visible = visibleCoderIds(coders, viewer, project.comparisonOpen);
    const rows = await d
      .selectFrom('qual_entities')
      .selectAll()
      .where('project_id', '=', project.id)
      .where('kind', '<>', 'coder')
      // Only segments and inductive codes carry a coder: while blind, those of other coders are left out.
      .$if(visible !== 'all', (qb) =>
        qb.where((eb) =>
          (visible as string[]).length
            ? eb.or([eb('coder_id', 'is', null), eb('coder_id', 'in', visible as string[])])
            : eb('coder_id', 'is', null),
        ),
      )
      .execute();
    return makeState(project, [...coders, ...rows.map(toEntity)], visible !== 'all');
  };

  const lastEvent = async (d: QDb, projectId: number): Promise<AuditEvent | undefined> => {
    const row = await d
      .selectFrom('qual_audit')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toAuditEvent(row) : undefined;
  };

  const appendEvents = async (
    d: QDb,
    projectId: number,
    actor: QualActor,
    at: string,
    events: readonly {
      action: string;
      entity: { kind: string; id: string };
      before?: unknown;
      after?: unknown;
    }[],
  ): Promise<AuditEvent[]> => {
    let log: AuditEvent[] = [];
    const last = await lastEvent(d, projectId);
    if (last) log = [last];
    const out: AuditEvent[] = [];
    for (const ev of events) {
      log = appendAuditEvent(
        log,
        {
          actor: actor.coderId,
          at,
          action: ev.action,
          entity: ev.entity,
          before: ev.before ?? null,
          after: ev.after ?? null,
        },
        sha256Hex,
      );
      const e = atIndex(log, log.length - 1);
      await d
        .insertInto('qual_audit')
        .values({
          project_id: projectId,
          seq: e.seq,
          actor: e.actor,
          actor_user_id: actor.userId,
          at: e.at,
          action: e.action,
          entity_kind: e.entity.kind,
          entity_id: e.entity.id,
          before: jsonText(e.before),
          after: jsonText(e.after),
          prev_hash: e.prevHash,
          hash: e.hash,
        })
        .execute();
      out.push(e);
      log = [e];
    }
    return out;
  };

  /** Write or remove one planned recording and the transcript's description of it; its audit event. */
  const writeMedia = async (d: QDb, projectId: number, w: MediaWrite, now: Date) => {
    await d
      .deleteFrom('qual_media')
      .where('project_id', '=', projectId)
      .where('source_id', '=', w.sourceId)
      .execute();
    const { media: before, ...rest } = w.doc;
    if (w.put)
      await d
        .insertInto('qual_media')
        .values({
          project_id: projectId,
          source_id: w.sourceId,
          content_type: w.put.meta.contentType,
          byte_size: w.put.meta.size,
          sha256: w.put.meta.sha256,
          bytes: Buffer.from(w.put.bytes.buffer, w.put.bytes.byteOffset, w.put.bytes.byteLength),
          created_at: now,
        })
        .execute();
    const doc: StoredSource = w.put ? { ...rest, media: w.put.meta } : rest;
    await d
      .updateTable('qual_entities')
      .set((eb) => ({
        data: jsonText(doc),
        version: w.inPlan ? eb.ref('version') : eb('version', '+', 1),
        updated_at: now,
      }))
      .where('project_id', '=', projectId)
      .where('kind', '=', 'source')
      .where('entity_id', '=', w.sourceId)
      .execute();
    return {
      action: w.put ? 'media.attach' : 'media.remove',
      entity: { kind: 'source', id: w.sourceId },
      before: before ?? null,
      after: w.put ? w.put.meta : w.reason ? { reason: w.reason } : null,
    };
  };

  const repo = {
    /**
     * Start the qualitative project of a study (one per study). Refused with `exists` when the study has one.
     * With `creatorName`, the creating user becomes its first coder and theme reviewer, in the same
     * transaction. The first audit events record the creation.
     */
    async create(input: {
      studyId: number;
      name: string;
      description?: string;
      actor: QualActor;
      creatorName?: string;
      now?: Date;
    }): Promise<Outcome<QualProjectRecord, 'exists' | 'invalid'>> {
      const now = input.now ?? new Date();
      const name = input.name.trim();
      if (!name || name.length > 300)
        return refused('invalid', 'A project needs a name of 1 to 300 characters.');
      const coder =
        input.creatorName !== undefined
          ? parseKind('coder', {
              id: input.actor.coderId,
              name: input.creatorName,
              userId: input.actor.userId,
            })
          : undefined;
      if (coder && !coder.ok) return coder;
      const doc = ProjectDocSchema.parse({
        ...(input.description ? { description: input.description } : {}),
        createdAt: now.toISOString(),
        ...(coder ? { themeReviewers: [input.actor.coderId] } : {}),
      });
      return inTransaction(baseDb, async (txBase) => {
        const tx = q(txBase);
        if (await projectRow(tx, { studyId: input.studyId }))
          return refused('exists', 'This study already has a qualitative project.');
        const row = await tx
          .insertInto('qual_projects')
          .values({
            study_id: input.studyId,
            name,
            doc: jsonText(doc),
            version: 1,
            comparison_open: false,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const project = toProject(row);
        if (coder?.ok)
          await tx
            .insertInto('qual_entities')
            .values({
              project_id: project.id,
              kind: 'coder',
              entity_id: input.actor.coderId,
              coder_id: null,
              position: 1,
              data: jsonText(coder.value),
              version: 1,
              created_at: now,
              updated_at: now,
            })
            .execute();
        await appendEvents(tx, project.id, input.actor, now.toISOString(), [
          {
            action: 'project.create',
            entity: { kind: 'project', id: `study-${input.studyId}` },
            before: null,
            after: { name, ...doc },
          },
          ...(coder?.ok
            ? [
                {
                  action: 'coder.create',
                  entity: { kind: 'coder', id: input.actor.coderId },
                  before: null,
                  after: coder.value,
                },
              ]
            : []),
        ]);
        return done(project);
      });
    },

    /** The project of a study, or null. */
    async byStudy(studyId: number): Promise<QualProjectRecord | null> {
      const row = await projectRow(db, { studyId });
      return row ? toProject(row) : null;
    },

    /** The project with the entities `viewer` may see (segments of other coders only once comparison is open). */
    async state(projectId: number, viewer: QualVisibility): Promise<QualState | null> {
      const row = await projectRow(db, { id: projectId });
      if (!row) return null;
      return loadState(db, toProject(row), viewer);
    },

    /** One entity (no visibility filter: for server-side checks, never rendered as such). */
    async entity<K extends QualKind>(projectId: number, kind: K, id: string): Promise<QualEntity<K> | null> {
      const row = await db
        .selectFrom('qual_entities')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('kind', '=', kind)
        .where('entity_id', '=', id)
        .executeTakeFirst();
      return row ? (toEntity(row) as QualEntity<K>) : null;
    },

    /**
     * Run a plan atomically: lock the project, load its full state (every coder's segments — the plan runs on
     * the server and must not echo what the caller may not see), let `plan` decide, check every version,
     * write the changes and append one audit event per change (plus `events`), all in one transaction.
     * Refusals (from the plan or a version check) write nothing.
     */
    async apply<T>(
      projectId: number,
      actor: QualActor,
      plan: (
        state: QualState,
      ) => QualPlan<T> | Refused<QualRefusal> | Promise<QualPlan<T> | Refused<QualRefusal>>,
      options: { now?: Date } = {},
    ): Promise<Outcome<{ result: T; events: AuditEvent[] }, QualRefusal>> {
      const now = options.now ?? new Date();
      const at = now.toISOString();
      return inTransaction(baseDb, async (txBase) => {
        const tx = q(txBase);
        const row = await projectRow(tx, { id: projectId }, true);
        if (!row) return refused('not_found', 'The qualitative project does not exist (any more).');
        const project = toProject(row);
        const state = await loadState(tx, project, { coderId: actor.coderId, all: true });
        const p = await plan(state);
        if ('ok' in p && p.ok === false) return p;
        const planned = p as QualPlan<T>;
        const changes = planned.changes ?? [];

        // Check everything first: nothing is written unless the whole plan holds.
        const parsed: { change: QualChange; data: unknown; old: QualEntity | undefined }[] = [];
        const seen = new Set<string>();
        for (const c of changes) {
          const key = `${c.kind}\u0000${c.id}`;
          if (seen.has(key)) throw new Error(`Plan changes ${c.kind} "${c.id}" twice.`);
          seen.add(key);
          const idOk = QualIdSchema.safeParse(c.id);
          if (!idOk.success)
            return refused('invalid', `"${c.id}" is not a valid id: ${idOk.error.issues[0]?.message}`);
          const old = state.get(c.kind, c.id);
          if (c.expect === 'new' && old)
            return refused(
              'exists',
              `${KIND_LABEL[c.kind]} "${displayName(c.kind, c.id, old.data)}" already exists.`,
            );
          if (typeof c.expect === 'number' && (!old || old.version !== c.expect))
            return refused(
              'conflict',
              conflictMessage(
                c.kind,
                displayName(c.kind, c.id, old?.data ?? c.data),
                c.expect,
                old?.version ?? null,
              ),
            );
          if (c.data === null) {
            if (!old) return refused('not_found', `${KIND_LABEL[c.kind]} "${c.id}" does not exist.`);
            parsed.push({ change: c, data: null, old });
            continue;
          }
          const d = parseKind(c.kind, c.data);
          if (!d.ok) return d;
          const innerId = d.value as { id?: string; participantId?: string; source?: { id: string } };
          const ownId = innerId.source?.id ?? innerId.id ?? innerId.participantId;
          if (ownId !== undefined && ownId !== c.id)
            throw new Error(`Plan stores ${c.kind} "${ownId}" under id "${c.id}".`);
          parsed.push({ change: c, data: keepMedia(c, d.value, old), old });
        }
        const mediaOps = planMedia(state, parsed, planned.media ?? [], now);
        if (!Array.isArray(mediaOps)) return mediaOps;
        if (planned.project?.expect !== undefined && planned.project.expect !== project.version)
          return refused(
            'conflict',
            conflictMessage('project', project.name, planned.project.expect, project.version),
          );

        const positions = new Map<QualKind, number>();
        const nextPosition = (kind: QualKind) => {
          let n = positions.get(kind);
          if (n === undefined) n = Math.max(0, ...state.entities[kind].map((x) => x.position));
          n += 1;
          positions.set(kind, n);
          return n;
        };
        const events: {
          action: string;
          entity: { kind: string; id: string };
          before?: unknown;
          after?: unknown;
        }[] = [];
        for (const { change: c, data, old } of parsed) {
          // Segments belong to their coder; an inductive code to the coder who created it while blind.
          const coderId =
            c.kind === 'segment' && data
              ? (data as { coderId: string }).coderId
              : c.kind === 'code' && data
                ? ((data as { createdBy?: string }).createdBy ?? null)
                : (old?.coderId ?? null);
          if (data === null) {
            await tx
              .deleteFrom('qual_entities')
              .where('project_id', '=', projectId)
              .where('kind', '=', c.kind)
              .where('entity_id', '=', c.id)
              .execute();
          } else if (!old) {
            await tx
              .insertInto('qual_entities')
              .values({
                project_id: projectId,
                kind: c.kind,
                entity_id: c.id,
                coder_id: coderId,
                position: c.position ?? nextPosition(c.kind),
                data: jsonText(data),
                version: 1,
                created_at: now,
                updated_at: now,
              })
              .execute();
          } else {
            const r = await tx
              .updateTable('qual_entities')
              .set({
                data: jsonText(data),
                coder_id: coderId,
                position: c.position ?? old.position,
                version: old.version + 1,
                updated_at: now,
              })
              .where('project_id', '=', projectId)
              .where('kind', '=', c.kind)
              .where('entity_id', '=', c.id)
              .where('version', '=', old.version)
              .executeTakeFirst();
            if (Number(r.numUpdatedRows) !== 1)
              throw new Error(`${c.kind} "${c.id}" changed under the project lock.`);
          }
          if (c.audit !== false) {
            const verb = data === null ? 'delete' : old ? 'update' : 'create';
            events.push({
              action: c.audit?.action ?? `${c.kind}.${verb}`,
              entity: { kind: c.kind, id: c.id },
              before: c.audit && 'before' in c.audit ? c.audit.before : auditView(c.kind, old?.data ?? null),
              after: c.audit && 'after' in c.audit ? c.audit.after : auditView(c.kind, data),
            });
          }
        }
        for (const op of mediaOps) events.push(await writeMedia(tx, projectId, op, now));
        if (planned.project) {
          const pp = planned.project;
          const doc = pp.doc ? ProjectDocSchema.parse(pp.doc) : project.doc;
          const name = pp.name?.trim() ?? project.name;
          if (!name || name.length > 300)
            return refused('invalid', 'A project needs a name of 1 to 300 characters.');
          await tx
            .updateTable('qual_projects')
            .set({
              name,
              doc: jsonText(doc),
              comparison_open: pp.comparisonOpen ?? project.comparisonOpen,
              version: project.version + 1,
              updated_at: now,
            })
            .where('id', '=', projectId)
            .where('version', '=', project.version)
            .execute();
          events.push({
            action: pp.audit.action,
            entity: { kind: 'project', id: `study-${project.studyId}` },
            before: pp.audit.before,
            after: pp.audit.after,
          });
        }
        events.push(...(planned.events ?? []));
        const written = await appendEvents(tx, projectId, actor, at, events);
        return done({ result: planned.result, events: written });
      });
    },

    /** Append audit events that change nothing else (e.g. an export). */
    async record(
      projectId: number,
      actor: QualActor,
      events: NonNullable<QualPlan<unknown>['events']>,
      options: { now?: Date } = {},
    ): Promise<AuditEvent[]> {
      const r = await repo.apply(projectId, actor, () => ({ events, result: null }), options);
      if (!r.ok) throw new Error(r.message);
      return r.value.events;
    },

    /** The project's audit trail in order. */
    async auditTrail(projectId: number): Promise<AuditEvent[]> {
      const rows = await db
        .selectFrom('qual_audit')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('seq')
        .execute();
      return rows.map(toAuditEvent);
    },

    /** Check every link of the project's audit chain; the head hash when intact, else the first broken link. */
    async verifyAudit(projectId: number): Promise<AuditVerification> {
      return verifyAuditChain(await repo.auditTrail(projectId), sha256Hex);
    },

    /** Delete a project with its entities and audit trail (e.g. with its study's data). */
    async remove(projectId: number): Promise<boolean> {
      const r = await db.deleteFrom('qual_projects').where('id', '=', projectId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /**
     * A transcript's recording, or null when it has none. With `range` (byte offsets, end exclusive, within
     * the recording), only those bytes are read from the database.
     */
    async media(
      projectId: number,
      sourceId: string,
      range?: { start: number; end: number },
    ): Promise<QualMedia | null> {
      const bytes =
        range === undefined
          ? sql<Uint8Array>`${sql.ref('bytes')}`
          : backend === 'postgres'
            ? sql<Uint8Array>`substring(bytes from ${range.start + 1} for ${range.end - range.start})`
            : sql<Uint8Array>`substr(bytes, ${range.start + 1}, ${range.end - range.start})`;
      const row = await db
        .selectFrom('qual_media')
        .select(['content_type', 'byte_size', 'sha256', bytes.as('bytes')])
        .where('project_id', '=', projectId)
        .where('source_id', '=', sourceId)
        .executeTakeFirst();
      if (!row) return null;
      const b = row.bytes;
      return {
        contentType: row.content_type as MediaMeta['contentType'],
        size: toNumber(row.byte_size),
        sha256: row.sha256,
        bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
      };
    },

    /** Count rows per table (diagnostics and tests). */
    async counts(projectId: number): Promise<{ entities: number; audit: number }> {
      const e = await db
        .selectFrom('qual_entities')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      const a = await sql<{
        n: number | string;
      }>`SELECT count(*) AS n FROM qual_audit WHERE project_id = ${projectId}`.execute(db);
      return { entities: toNumber(e.n as number | string), audit: toNumber(atIndex(a.rows, 0).n) };
    },
  };
  return Object.assign(repo, codebookMethods(repo.apply, toQualProject));
}

export type QualRepo = ReturnType<typeof qualRepo>;
