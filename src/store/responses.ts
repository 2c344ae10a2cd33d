/**
 * Responses. A submission is stored once however often it is sent: the client's idempotency key is unique per
 * study, the insert is `INSERT … ON CONFLICT DO NOTHING` followed by a select of the winner, inside one
 * transaction that has committed (and, with the durability settings of both backends, reached the disk)
 * before `insert` returns.
 *
 * Group commit, both backends: submissions that arrive while earlier ones are being stored are stored together
 * in one transaction (one fsync for many), and each `insert` still resolves only after the transaction that
 * contains its row is on disk. On SQLite the batch runs synchronously on the connection beside Kysely and its
 * fsync runs off the event loop (SqliteDirect in ./sqlite/dialect.ts); on PostgreSQL a batch is one pooled
 * transaction, a few at a time. A failing shared transaction is retried one submission per transaction, so
 * one bad row cannot fail the others. The study is read once per transaction, a repeated key is caught by the
 * insert itself (no separate pre-check), and the counters are incremented in one statement per batch. The
 * rules are written once (`insertSteps`) and run any of three ways (`runWithKysely`; `runDirect` on SQLite's
 * direct connection; `runPgDirect`, named statements on PostgreSQL's pool).
 *
 * A response quota (`NewResponse.quota`) is checked inside the same transaction, against a progress counter
 * (no COUNT over the responses): on PostgreSQL the study's row is locked first (`FOR UPDATE`), so submissions
 * to a study with a quota are stored one transaction at a time and the counter read after the lock includes
 * every response committed before; on SQLite there is one writer anyway. Increments of the same transaction
 * (an earlier row of the batch) count too. So however many submissions race for the last places, exactly
 * the quota is stored.
 *
 * What is kept is deliberately little: no IP address, no user agent (there are no such columns), the
 * calendar day always, the time only when the study is not anonymous or its owner turned times on.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Answers } from '../core/response/answer.js';
import { decodeStoredAnswers, encodeStoredAnswers } from '../core/response/answersJson.js';
import { at } from '../core/stats/at.js';
import { calendarDay, canonicalJson, fromJsonText, secretHash, toDateOrNull, toNumber } from './codec.js';
import { type BackendKind, inTransaction, type StoreContext } from './context.js';
import { COUNTER_KEY, checkCounterName, counterShard } from './counters.js';
import { type Refused, refused, StoreError } from './errors.js';
import type { PgStatement } from './postgres/dialect.js';
import type { Database, ResponsesTable } from './schema.js';
import type { SqliteDirect } from './sqlite/dialect.js';
import { type PanelState, panelState } from './waves.js';

export interface NewResponse {
  readonly studyId: number;
  /**
   * The submission's idempotency key as it is to be stored (the server passes a keyed hash of the client's key,
   * never the key itself); a retry with the same key returns the first response.
   */
  readonly idempotencyKey: string;
  /** Checked against the answers schema when stored (a TypeError naming the item otherwise). */
  readonly answers: Answers;
  /** Language the respondent answered in, e.g. `en`, `ur`. */
  readonly language: string;
  /** The study version answered; default the study's current version. */
  readonly version?: number;
  /** Wave of the referral link the respondent came through; omit or null for the main link. */
  readonly referralWave?: number | null;
  readonly now?: Date;
  /** IANA time zone for the calendar day kept with the response (default UTC). */
  readonly timeZone?: string;
  /** Progress counters to increment by one, in the same transaction, only when a new response is stored. */
  readonly counters?: readonly string[];
  /** Resume code whose draft is deleted, in the same transaction, when a new response is stored. */
  readonly resumeCode?: string;
  /**
   * The keyed hash of an invitation token (src/store/invitelinks.ts). Required for a new response to an
   * invitation-only study; the invitation is used up (its row deleted) in the same transaction as the insert,
   * and nothing in the response refers to it.
   */
  readonly invitationHash?: string | undefined;
  /**
   * A follow-up wave's response (src/store/waves.ts): the panel id of the volunteer's personal wave link.
   * Required for a new response to a wave; it must be one the wave was sent to and not have answered it yet.
   */
  readonly panelId?: string | undefined;
  /**
   * The e-consent on record (docs/consent.md): the consent version agreed to and the SHA-256 (hex) of the
   * consent text in the language it was shown in. Absent for a study without consent.
   */
  readonly consent?: ConsentRecord;
  /**
   * The study's response quota: a new response is refused (`quota_reached`) once the progress counter
   * `counter` (summed over its days) has reached `limit`; a repeat of a stored key is still answered. The
   * counter must be one of `counters`, so that each response stored under the quota counts towards it.
   */
  readonly quota?: ResponseQuota | undefined;
}

/** A response quota: at most `limit` responses, counted by the progress counter `counter`. */
export interface ResponseQuota {
  readonly limit: number;
  readonly counter: string;
}

/** What is kept of a respondent's agreement: the version, the SHA-256 (hex) of the text shown and its language. */
export interface ConsentRecord {
  readonly version: number;
  readonly hash: string;
  readonly language: string;
}

export type InsertResponseRefusal =
  | 'unknown_study'
  | 'study_not_open'
  | 'unknown_version'
  /** The study is invitation-only and no invitation was given. */
  | 'invitation_required'
  /** The invitation is not an unused one of the study's: used already, revoked, or mistyped. */
  | 'invitation_invalid'
  /** The study's response quota is reached (see {@link NewResponse.quota}). */
  | 'quota_reached'
  /** The study is a follow-up wave and no personal wave link was used. */
  | 'panel_required'
  /** The wave was not sent to this panel id (a mistyped or foreign link). */
  | 'panel_invalid'
  /** This volunteer has answered this wave already: one response per volunteer per wave. */
  | 'panel_used';

export type InsertResponseResult =
  | {
      readonly ok: true;
      readonly id: number;
      /** The response's random public identifier (what exports and the API show). */
      readonly publicId: string;
      readonly created: boolean;
      /**
       * Whether the stored answers are the ones sent (always true for a new response; false when the key was
       * stored before with other answers: a conflict, not a retry).
       */
      readonly sameAnswers: boolean;
    }
  | Refused<InsertResponseRefusal>;

export interface StoredResponse {
  /** The internal row id: counts responses server-wide, so it is never shown (use `publicId`). */
  readonly id: number;
  /** Random (96 bits); what exports and the API show. */
  readonly publicId: string;
  readonly studyId: number;
  readonly version: number;
  /** Decoded through the answers schema (core/response/answer.ts); a row that does not decode is a StoreError. */
  readonly answers: Answers;
  readonly language: string;
  /** `YYYY-MM-DD`, always present. */
  readonly submittedOn: string;
  /** Present only when times are kept for the study. */
  readonly submittedAt: Date | null;
  readonly referralWave: number | null;
  /** Null for a collected response; `imported:<file SHA-256 prefix>` for one imported from an export. */
  readonly source: string | null;
  /** The consent agreed to (version and text hash); null for a study without consent and for imports. */
  readonly consent: ConsentRecord | null;
  /** A follow-up wave's response: the volunteer's panel id (src/store/waves.ts); null otherwise. */
  readonly panelId: string | null;
}

const responseColumns = [
  'id',
  'public_id',
  'study_id',
  'version',
  'answers',
  'language',
  'submitted_on',
  'submitted_at',
  'referral_wave',
  'source',
  'consent_version',
  'consent_hash',
  'consent_language',
  'panel_id',
] as const;

/** A row's answers, decoded; a StoreError naming the response and the problem when they do not decode. */
function storedAnswers(row: { public_id: string; study_id: number; answers: string }): Answers {
  try {
    return decodeStoredAnswers(fromJsonText(row.answers));
  } catch (err) {
    throw new StoreError(
      `The stored answers of response ${row.public_id} (study ${row.study_id}) cannot be read: ${(err as Error).message}`,
      'decode',
      { cause: err },
    );
  }
}

function toResponse(row: Pick<Selectable<ResponsesTable>, (typeof responseColumns)[number]>): StoredResponse {
  return {
    id: row.id,
    publicId: row.public_id,
    studyId: row.study_id,
    version: row.version,
    answers: storedAnswers(row),
    language: row.language,
    submittedOn: row.submitted_on,
    submittedAt: toDateOrNull(row.submitted_at),
    referralWave: row.referral_wave,
    source: row.source,
    consent:
      row.consent_version !== null && row.consent_hash !== null && row.consent_language !== null
        ? { version: row.consent_version, hash: row.consent_hash, language: row.consent_language }
        : null,
    panelId: row.panel_id,
  };
}

/** A submission ready for the database: encoded once, before it waits for a transaction. */
interface PreparedResponse {
  readonly input: NewResponse;
  readonly publicId: string;
  readonly now: Date;
  readonly answers: string;
  readonly submittedOn: string;
  readonly counters: readonly string[];
}

/** What one transaction knows about a study: read once per transaction, however many submissions it stores. */
interface StudyFacts {
  readonly status: string;
  readonly version: number;
  readonly keepTime: boolean;
  readonly invitationOnly: boolean;
  /** A follow-up wave: new responses need a panel id the wave was sent to. */
  readonly wave: boolean;
  /** Versions found (true) or not (false) in study_versions, in this transaction. */
  readonly versions: Map<number, boolean>;
}

interface CounterIncrement {
  readonly studyId: number;
  readonly day: string;
  readonly name: string;
  by: number;
}

/** Per-transaction state: studies read so far and counter increments to apply before COMMIT. */
interface TxState {
  readonly studies: Map<number, StudyFacts | null>;
  /** `studyId day name` → increment. */
  readonly counters: Map<string, CounterIncrement>;
  /** `studyId name` → the counter's committed total, read once per transaction (after the study's lock). */
  readonly quotaBase: Map<string, number>;
}

function newTxState(): TxState {
  return { studies: new Map(), counters: new Map(), quotaBase: new Map() };
}

function checkedBatchSize(batchSize = 1000): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer.`);
  return batchSize;
}

/** Random bytes for public ids, drawn 256 ids at a time (one call into the generator per 256 submissions). */
let idPool = Buffer.alloc(0);
let idPoolAt = 0;

/** A response's public identifier: 96 random bits as 24 hex digits (no order, no count, no time in it). */
export function newPublicId(): string {
  if (idPoolAt + 12 > idPool.length) {
    idPool = randomBytes(12 * 256);
    idPoolAt = 0;
  }
  const id = idPool.toString('hex', idPoolAt, idPoolAt + 12);
  idPoolAt += 12;
  return id;
}

/**
 * Whether two stored answer texts hold the same answers, whichever stored form each is in (answersJson.ts: a row
 * from before the compact form, or jsonb's respelling of it): compared decoded, as canonical JSON values (key
 * order and number spelling do not matter).
 */
function sameJson(storedText: string, preparedText: string): boolean {
  if (storedText === preparedText) return true;
  try {
    const canonical = (text: string) => canonicalJson(decodeStoredAnswers(JSON.parse(text)));
    return canonical(storedText) === canonical(preparedText);
  } catch {
    return false;
  }
}

function prepare(input: NewResponse): PreparedResponse {
  const now = input.now ?? new Date();
  const counters = input.counters ?? [];
  for (const name of counters) checkCounterName(name);
  const quota = input.quota;
  if (quota !== undefined) {
    if (!Number.isSafeInteger(quota.limit) || quota.limit < 1)
      throw new RangeError(`A response quota must be a positive integer, got ${quota.limit}.`);
    if (!counters.includes(quota.counter))
      throw new RangeError(
        `The quota counter "${quota.counter}" is not among the response's counters (${counters.join(', ') || 'none'}): the response would not count towards its quota.`,
      );
  }
  return {
    input,
    publicId: newPublicId(),
    now,
    answers: encodeStoredAnswers(input.answers),
    submittedOn: calendarDay(now, input.timeZone),
    counters,
  };
}

/** The column values of a new response (as Kysely inserts them; the direct path binds them in this order). */
interface ResponseRow {
  readonly public_id: string;
  readonly study_id: number;
  readonly version: number;
  readonly idempotency_key: string;
  readonly answers: string;
  readonly language: string;
  readonly submitted_on: string;
  readonly submitted_at: Date | null;
  readonly referral_wave: number | null;
  readonly consent_version: number | null;
  readonly consent_hash: string | null;
  readonly consent_language: string | null;
  readonly panel_id: string | null;
}

/**
 * The statements an insert needs, as steps: {@link insertSteps} yields one, its driver runs it (through Kysely,
 * awaiting; or synchronously on SQLite's direct connection) and sends the result back. One copy of the rules,
 * two ways to run them.
 */
type Step =
  | { readonly op: 'study'; readonly studyId: number }
  | { readonly op: 'version'; readonly studyId: number; readonly version: number }
  | { readonly op: 'insert'; readonly row: ResponseRow }
  /**
   * Insert rows in the given order in one statement (`ON CONFLICT DO NOTHING`); gives, per row, its new id, or
   * undefined when its key was stored before (or by an earlier row of the same statement).
   */
  | { readonly op: 'insertMany'; readonly rows: readonly ResponseRow[] }
  | { readonly op: 'existing'; readonly studyId: number; readonly key: string }
  /**
   * A counter's committed total over all days, for a quota; on PostgreSQL after locking the study's row
   * (`SELECT … FOR UPDATE`), which the transaction holds until it ends.
   */
  | { readonly op: 'quotaCount'; readonly studyId: number; readonly name: string }
  | { readonly op: 'deleteDraft'; readonly studyId: number; readonly codeHash: string }
  /** Use up an unused invitation (delete its row); gives its `created_on` day, or undefined when there was none. */
  | { readonly op: 'useInvitation'; readonly studyId: number; readonly hash: string }
  /** Undo that (the response turned out to be a repeat): the row as it was. */
  | {
      readonly op: 'restoreInvitation';
      readonly studyId: number;
      readonly hash: string;
      readonly day: string;
    }
  /** A wave's panel id: `answered` (a response has it), `invited` (the wave was sent to it) or `unknown`. */
  | { readonly op: 'panel'; readonly studyId: number; readonly panelId: string }
  | { readonly op: 'counters'; readonly rows: readonly (CounterIncrement & { readonly shard: number })[] };

/** What each step gives back: the study row, whether the version exists, the new or existing id. */
type StudyRow = {
  status: string;
  version: number;
  anonymous: boolean | number;
  record_times: boolean | number;
  invitation_only: boolean | number;
  wave_of: number | null;
};
/** A stored response found by its key: what a repeat is answered with. */
interface ExistingRow {
  id: number;
  public_id: string;
  answers: string;
}
type StepResult = StudyRow | ExistingRow | boolean | number | string | (number | undefined)[] | undefined;
type Steps<T> = Generator<Step, T, StepResult>;

function* studyFacts(state: TxState, studyId: number): Steps<StudyFacts | null> {
  const known = state.studies.get(studyId);
  if (known !== undefined) return known;
  const row = (yield { op: 'study', studyId }) as StudyRow | undefined;
  const facts = row
    ? {
        status: row.status,
        version: row.version,
        keepTime: !row.anonymous || Boolean(row.record_times),
        invitationOnly: Boolean(row.invitation_only),
        wave: row.wave_of !== null,
        versions: new Map<number, boolean>([[row.version, true]]),
      }
    : null;
  state.studies.set(studyId, facts);
  return facts;
}

function* versionExists(facts: StudyFacts, studyId: number, version: number): Steps<boolean> {
  const known = facts.versions.get(version);
  if (known !== undefined) return known;
  const found = (yield { op: 'version', studyId, version }) as boolean;
  facts.versions.set(version, found);
  return found;
}

/** The row a submission inserts, given what the transaction knows about its study. */
function rowOf(p: PreparedResponse, study: StudyFacts): ResponseRow {
  const { input } = p;
  return {
    public_id: p.publicId,
    study_id: input.studyId,
    version: input.version ?? study.version,
    idempotency_key: input.idempotencyKey,
    answers: p.answers,
    language: input.language,
    submitted_on: p.submittedOn,
    submitted_at: study.keepTime ? p.now : null,
    referral_wave: input.referralWave ?? null,
    consent_version: input.consent?.version ?? null,
    consent_hash: input.consent?.hash ?? null,
    consent_language: input.consent?.language ?? null,
    panel_id: input.panelId ?? null,
  };
}

/** Responses counted towards a quota so far: the counter's committed total and this transaction's increments. */
function* quotaCount(state: TxState, studyId: number, name: string): Steps<number> {
  const key = `${studyId} ${name}`;
  let base = state.quotaBase.get(key);
  if (base === undefined) {
    base = (yield { op: 'quotaCount', studyId, name }) as number;
    state.quotaBase.set(key, base);
  }
  let pending = 0;
  for (const c of state.counters.values()) if (c.studyId === studyId && c.name === name) pending += c.by;
  return base + pending;
}

/** Gather the counter increments of a newly stored response (applied by {@link counterSteps}). */
function countCreated(state: TxState, p: PreparedResponse): void {
  for (const name of p.counters) {
    const k = `${p.input.studyId} ${p.submittedOn} ${name}`;
    const c = state.counters.get(k);
    if (c) c.by += 1;
    else state.counters.set(k, { studyId: p.input.studyId, day: p.submittedOn, name, by: 1 });
  }
}

/**
 * Store one prepared submission in the current transaction (which the driver commits). The common case is
 * one statement: the study is read once per transaction, a repeated key is caught by `ON CONFLICT DO
 * NOTHING`, and counter increments are gathered in `state` for {@link counterSteps}.
 */
function* insertSteps(state: TxState, p: PreparedResponse): Steps<InsertResponseResult> {
  const { input } = p;
  const study = yield* studyFacts(state, input.studyId);
  const acceptsNew =
    study !== null &&
    study.status === 'open' &&
    (input.version === undefined || (yield* versionExists(study, input.studyId, input.version)));
  if (!acceptsNew || study === null) {
    // A repeat of a stored key is answered whatever the study's state; only a new key is refused.
    const seen = (yield { op: 'existing', studyId: input.studyId, key: input.idempotencyKey }) as
      | ExistingRow
      | undefined;
    if (seen !== undefined) return repeatOf(seen, p);
    if (!study) return refused('unknown_study', `Study ${input.studyId} does not exist.`);
    if (study.status !== 'open') {
      return refused('study_not_open', 'This study is not accepting responses at the moment.');
    }
    return refused('unknown_version', `Study ${input.studyId} has no version ${input.version}.`);
  }
  const quota = input.quota;
  if (quota !== undefined && (yield* quotaCount(state, input.studyId, quota.counter)) >= quota.limit) {
    // Full: a repeat of a stored key is still answered as that response; a new one is refused.
    const seen = (yield { op: 'existing', studyId: input.studyId, key: input.idempotencyKey }) as
      | ExistingRow
      | undefined;
    if (seen !== undefined) return repeatOf(seen, p);
    return refused('quota_reached', 'This study has reached its response quota.');
  }
  // Invitation-only: the invitation is used up (its row deleted) before the insert, so two transactions cannot
  // both use it (PostgreSQL's second DELETE waits for the first and then finds no row).
  let invitation: { hash: string; day: string } | undefined;
  if (study.invitationOnly) {
    const hash = input.invitationHash;
    const day =
      hash === undefined
        ? undefined
        : ((yield { op: 'useInvitation', studyId: input.studyId, hash }) as string | undefined);
    if (hash === undefined || day === undefined) {
      // A retry of a response stored with this invitation (a double tap, two tabs) gets that response.
      const seen = (yield { op: 'existing', studyId: input.studyId, key: input.idempotencyKey }) as
        | ExistingRow
        | undefined;
      if (seen !== undefined) return repeatOf(seen, p);
      return hash === undefined
        ? refused('invitation_required', 'This study accepts responses through invitation links only.')
        : refused(
            'invitation_invalid',
            'This invitation link has been used already, was revoked, or is mistyped.',
          );
    }
    invitation = { hash, day };
  }
  if (study.wave) {
    const refusal = yield* panelRefusal(input);
    if (refusal !== undefined) {
      // A retry of this very response (a double tap) gets that response; anything else is refused.
      const seen = (yield { op: 'existing', studyId: input.studyId, key: input.idempotencyKey }) as
        | ExistingRow
        | undefined;
      if (seen !== undefined) return repeatOf(seen, p);
      if (invitation !== undefined)
        yield { op: 'restoreInvitation', studyId: input.studyId, hash: invitation.hash, day: invitation.day };
      return refusal;
    }
  }
  const id = (yield { op: 'insert', row: rowOf(p, study) }) as number | undefined;
  if (id === undefined) {
    // The key was stored before with another invitation (or none): this one stays unused.
    if (invitation !== undefined)
      yield { op: 'restoreInvitation', studyId: input.studyId, hash: invitation.hash, day: invitation.day };
    // Stored before (committed, or earlier in this same transaction).
    const winner = (yield { op: 'existing', studyId: input.studyId, key: input.idempotencyKey }) as
      | ExistingRow
      | undefined;
    if (winner === undefined) throw new Error('Idempotent insert found neither a new nor an existing row.');
    return repeatOf(winner, p);
  }
  countCreated(state, p);
  if (input.resumeCode !== undefined) {
    yield { op: 'deleteDraft', studyId: input.studyId, codeHash: secretHash(input.resumeCode) };
  }
  return { ok: true, id, publicId: p.publicId, created: true, sameAnswers: true };
}

/** Why a new response to a follow-up wave is refused (no, unknown or used panel id), or undefined: it may go in. */
function* panelRefusal(input: NewResponse): Steps<Refused<InsertResponseRefusal> | undefined> {
  const panelId = input.panelId;
  if (panelId === undefined)
    return refused('panel_required', 'This follow-up accepts responses through personal wave links only.');
  const state = (yield { op: 'panel', studyId: input.studyId, panelId }) as PanelState;
  if (state === 'answered')
    return refused('panel_used', 'This volunteer has answered this follow-up already.');
  if (state !== 'invited')
    return refused('panel_invalid', 'This follow-up was not sent to this personal link.');
  return undefined;
}

/** The answer to a key stored before: its response, and whether this submission's answers are the stored ones. */
function repeatOf(row: ExistingRow, p: PreparedResponse): InsertResponseResult {
  const stored = typeof row.answers === 'string' ? row.answers : JSON.stringify(row.answers);
  return {
    ok: true,
    id: Number(row.id),
    publicId: row.public_id,
    created: false,
    sameAnswers: sameJson(stored, p.answers),
  };
}

/**
 * Apply the gathered counter increments: one upsert per (study, day, name) on the transaction's `shard` (see
 * counters.ts), in the same transaction, in key order so that two transactions never lock the same rows in
 * opposite orders.
 */
function* counterSteps(state: TxState, shard: number): Steps<void> {
  if (state.counters.size === 0) return;
  const rows = [...state.counters.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => ({ ...c, shard }));
  state.counters.clear();
  yield { op: 'counters', rows };
}

/** Order of two submissions' row locks: by study, then by stored idempotency key. */
function lockOrder(a: PreparedResponse, b: PreparedResponse): number {
  const s = a.input.studyId - b.input.studyId;
  if (s !== 0) return s;
  const ka = a.input.idempotencyKey;
  const kb = b.input.idempotencyKey;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Every submission of a batch, then the counters (on `shard`): the whole of one transaction's work. The
 * submissions are stored in lock order (study, key), not in arrival order, and results are returned in arrival
 * order. A transaction waits on another only at a key that the other inserted first (the unique index on
 * (study_id, idempotency_key) makes the second insert wait for the first's COMMIT); with every transaction
 * taking keys in the same ascending order, no two can wait on each other, however bursts of repeated keys are
 * spread over batches and servers. (Counters come after every insert, in key order, on one shard per
 * transaction: they cannot close a cycle either.) Before, two batches holding the same keys in different
 * orders deadlocked on PostgreSQL until its deadlock_timeout, and both were then retried one row at a time.
 */
function* batchSteps(items: readonly PreparedResponse[], shard: number): Steps<InsertResponseResult[]> {
  const state = newTxState();
  const order = items.map((_, i) => i);
  if (items.length > 1)
    order.sort((i, j) => lockOrder(items[i] as PreparedResponse, items[j] as PreparedResponse) || i - j);
  const out = new Array<InsertResponseResult>(items.length);
  if (items.length > 1 && (yield* allPlain(state, items))) {
    yield* plainSteps(
      state,
      order.map((i) => items[i] as PreparedResponse),
      order.map((i) => (r: InsertResponseResult) => {
        out[i] = r;
      }),
    );
  } else for (const i of order) out[i] = yield* insertSteps(state, items[i] as PreparedResponse);
  yield* counterSteps(state, shard);
  return out;
}

/**
 * Whether every submission of a batch is a plain one: its study open, its version the current one, no
 * invitation to use up, no draft to delete and no quota to check. (Reads each study once, as {@link insertSteps} would.)
 */
function* allPlain(state: TxState, items: readonly PreparedResponse[]): Steps<boolean> {
  for (const p of items) {
    const { input } = p;
    const study = yield* studyFacts(state, input.studyId);
    if (study === null || study.status !== 'open' || study.invitationOnly || study.wave) return false;
    if (input.version !== undefined && study.versions.get(input.version) !== true) return false;
    if (input.resumeCode !== undefined || input.quota !== undefined) return false;
  }
  return true;
}

/**
 * Plain submissions (see {@link allPlain}), already in lock order, in ONE insert statement: what
 * {@link insertSteps} does one row at a time, with one round trip for the whole batch on PostgreSQL. A row
 * whose key was stored before (or earlier in the batch) is answered as a repeat, as there.
 */
function* plainSteps(
  state: TxState,
  items: readonly PreparedResponse[],
  answer: readonly ((r: InsertResponseResult) => void)[],
): Steps<void> {
  const rows = items.map((p) => rowOf(p, state.studies.get(p.input.studyId) as StudyFacts));
  const ids = (yield { op: 'insertMany', rows }) as (number | undefined)[];
  for (let i = 0; i < items.length; i++) {
    const p = items[i] as PreparedResponse;
    const id = ids[i];
    let result: InsertResponseResult;
    if (id !== undefined) {
      countCreated(state, p);
      result = { ok: true, id, publicId: p.publicId, created: true, sameAnswers: true };
    } else {
      const winner = (yield { op: 'existing', studyId: p.input.studyId, key: p.input.idempotencyKey }) as
        | ExistingRow
        | undefined;
      if (winner === undefined) throw new Error('Idempotent insert found neither a new nor an existing row.');
      result = repeatOf(winner, p);
    }
    (answer[i] as (r: InsertResponseResult) => void)(result);
  }
}

/** Run steps through Kysely (either backend, inside the caller's transaction `tx`). */
async function runWithKysely<T>(tx: Kysely<Database>, steps: Steps<T>, backend: BackendKind): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let result: StepResult;
    switch (step.op) {
      case 'study':
        result = await tx
          .selectFrom('studies')
          .select(['status', 'version', 'anonymous', 'record_times', 'invitation_only', 'wave_of'])
          .where('id', '=', step.studyId)
          .executeTakeFirst();
        break;
      case 'version':
        result =
          (await tx
            .selectFrom('study_versions')
            .select('version')
            .where('study_id', '=', step.studyId)
            .where('version', '=', step.version)
            .executeTakeFirst()) !== undefined;
        break;
      case 'insert': {
        const row = await tx
          .insertInto('responses')
          .values(step.row)
          .onConflict((oc) => oc.columns(['study_id', 'idempotency_key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        result = row?.id;
        break;
      }
      case 'insertMany':
        result = await insertManyKysely(tx, step.rows, backend);
        break;
      case 'existing':
        result = await tx
          .selectFrom('responses')
          .select(['id', 'public_id', 'answers'])
          .where('study_id', '=', step.studyId)
          .where('idempotency_key', '=', step.key)
          .executeTakeFirst();
        break;
      case 'quotaCount':
        if (backend === 'postgres')
          await tx.selectFrom('studies').select('id').where('id', '=', step.studyId).forUpdate().execute();
        result = toNumber(
          (
            await tx
              .selectFrom('progress_counters')
              .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('count'), eb.lit(0)).as('n'))
              .where('study_id', '=', step.studyId)
              .where('name', '=', step.name)
              .executeTakeFirstOrThrow()
          ).n,
        );
        break;
      case 'deleteDraft':
        await tx
          .deleteFrom('resume_drafts')
          .where('study_id', '=', step.studyId)
          .where('code_hash', '=', step.codeHash)
          .execute();
        result = undefined;
        break;
      case 'useInvitation': {
        const row = await tx
          .deleteFrom('invite_links')
          .where('study_id', '=', step.studyId)
          .where('token_hash', '=', step.hash)
          .returning('created_on')
          .executeTakeFirst();
        result = row?.created_on;
        break;
      }
      case 'restoreInvitation':
        await tx
          .insertInto('invite_links')
          .values({ study_id: step.studyId, token_hash: step.hash, created_on: step.day })
          .execute();
        result = undefined;
        break;
      case 'panel':
        result = await panelState(tx, step.studyId, step.panelId);
        break;
      case 'counters':
        await tx
          .insertInto('progress_counters')
          .values(
            step.rows.map((c) => ({
              study_id: c.studyId,
              day: c.day,
              name: c.name,
              shard: c.shard,
              count: c.by,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(COUNTER_KEY)
              .doUpdateSet((eb) => ({ count: eb('progress_counters.count', '+', eb.ref('excluded.count')) })),
          )
          .execute();
        result = undefined;
        break;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** The same statements as {@link runWithKysely}, in SQLite's dialect, for the direct connection. */
const DIRECT_SQL = {
  study:
    'SELECT status, version, anonymous, record_times, invitation_only, wave_of FROM studies WHERE id = ?',
  panel:
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM responses WHERE study_id = ? AND panel_id = ?) THEN 'answered' " +
    "WHEN EXISTS (SELECT 1 FROM wave_invites WHERE study_id = ? AND panel_id = ?) THEN 'invited' ELSE 'unknown' END AS state",
  useInvitation: 'DELETE FROM invite_links WHERE study_id = ? AND token_hash = ? RETURNING created_on',
  restoreInvitation: 'INSERT INTO invite_links (study_id, token_hash, created_on) VALUES (?, ?, ?)',
  version: 'SELECT 1 AS found FROM study_versions WHERE study_id = ? AND version = ?',
  insert:
    'INSERT INTO responses (public_id, study_id, version, idempotency_key, answers, language, submitted_on, submitted_at, referral_wave, consent_version, consent_hash, consent_language, panel_id) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, idempotency_key) DO NOTHING',
  existing: 'SELECT id, public_id, answers FROM responses WHERE study_id = ? AND idempotency_key = ?',
  deleteDraft: 'DELETE FROM resume_drafts WHERE study_id = ? AND code_hash = ?',
  quotaCount: 'SELECT COALESCE(SUM(count), 0) AS n FROM progress_counters WHERE study_id = ? AND name = ?',
  counter:
    'INSERT INTO progress_counters (study_id, day, name, shard, count) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (study_id, day, name, shard) DO UPDATE SET count = progress_counters.count + excluded.count',
} as const;

/** A response row's values in the order of `DIRECT_SQL.insert`, as SQLite stores them. */
function directParams(r: ResponseRow): unknown[] {
  return [
    r.public_id,
    r.study_id,
    r.version,
    r.idempotency_key,
    r.answers,
    r.language,
    r.submitted_on,
    r.submitted_at ? r.submitted_at.toISOString() : null,
    r.referral_wave,
    r.consent_version,
    r.consent_hash,
    r.consent_language,
    r.panel_id,
  ];
}

/**
 * Insert rows in order in one statement (PostgreSQL: `INSERT … SELECT FROM unnest(…) WITH ORDINALITY ORDER
 * BY` the arrays' order, one round trip however many rows; SQLite through Kysely: one insert per row, as it
 * costs no round trip). Gives each row's new id, or undefined for a row not inserted (its key was stored
 * before, or by an earlier row of the same statement: the first in order wins, as one by one).
 */
async function insertManyKysely(
  tx: Kysely<Database>,
  rows: readonly ResponseRow[],
  backend: BackendKind,
): Promise<(number | undefined)[]> {
  if (backend !== 'postgres') {
    const ids: (number | undefined)[] = [];
    for (const row of rows) {
      const r = await tx
        .insertInto('responses')
        .values(row)
        .onConflict((oc) => oc.columns(['study_id', 'idempotency_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      ids.push(r?.id);
    }
    return ids;
  }
  const col = <K extends keyof ResponseRow>(k: K) => rows.map((r) => r[k]);
  const inserted = await sql<{ id: number | string; study_id: number; idempotency_key: string }>`
    INSERT INTO responses (public_id, study_id, version, idempotency_key, answers, language, submitted_on, submitted_at, referral_wave, consent_version, consent_hash, consent_language, panel_id)
    SELECT p, s, v, k, a::jsonb, l, d::date, t::timestamptz, w, cv, ch, cl, pn
    FROM unnest(${col('public_id')}::text[], ${col('study_id')}::int[], ${col('version')}::int[],
      ${col('idempotency_key')}::text[], ${col('answers')}::text[], ${col('language')}::text[],
      ${col('submitted_on')}::text[], ${rows.map((r) => (r.submitted_at ? r.submitted_at.toISOString() : null))}::text[],
      ${col('referral_wave')}::int[], ${col('consent_version')}::int[], ${col('consent_hash')}::text[],
      ${col('consent_language')}::text[], ${col('panel_id')}::text[]) WITH ORDINALITY AS u(p, s, v, k, a, l, d, t, w, cv, ch, cl, pn, o)
    ORDER BY o
    ON CONFLICT (study_id, idempotency_key) DO NOTHING
    RETURNING id, study_id, idempotency_key`.execute(tx);
  return idsInOrder(rows, inserted.rows);
}

/**
 * Each row's new id from an insert's `RETURNING id, study_id, idempotency_key`, in the rows' order; undefined for
 * a row not inserted (its key was stored before, or by an earlier row of the same statement).
 */
function idsInOrder(
  rows: readonly ResponseRow[],
  inserted: readonly { id: number | string; study_id: number; idempotency_key: string }[],
): (number | undefined)[] {
  const idOf = new Map(inserted.map((r) => [`${r.study_id} ${r.idempotency_key}`, Number(r.id)]));
  return rows.map((r) => {
    const k = `${r.study_id} ${r.idempotency_key}`;
    const id = idOf.get(k);
    idOf.delete(k); // a later row with the same key was not the one inserted
    return id;
  });
}

/** Run steps synchronously on SQLite's direct connection (inside {@link SqliteDirect.writeTransaction}). */
function runDirect<T>(direct: SqliteDirect, steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let result: StepResult;
    switch (step.op) {
      case 'study':
        result = direct.statement(DIRECT_SQL.study).all([step.studyId])[0] as StudyRow | undefined;
        break;
      case 'version':
        result = direct.statement(DIRECT_SQL.version).all([step.studyId, step.version]).length > 0;
        break;
      case 'insert': {
        const done = direct.statement(DIRECT_SQL.insert).run(directParams(step.row));
        result = done.changes === 1 ? Number(done.lastInsertRowid) : undefined;
        break;
      }
      case 'insertMany': {
        const stmt = direct.statement(DIRECT_SQL.insert);
        result = step.rows.map((r) => {
          const done = stmt.run(directParams(r));
          return done.changes === 1 ? Number(done.lastInsertRowid) : undefined;
        });
        break;
      }
      case 'existing':
        result = direct.statement(DIRECT_SQL.existing).all([step.studyId, step.key])[0] as
          | ExistingRow
          | undefined;
        break;
      case 'quotaCount':
        result = Number(
          (direct.statement(DIRECT_SQL.quotaCount).all([step.studyId, step.name])[0] as { n: number }).n,
        );
        break;
      case 'deleteDraft':
        direct.statement(DIRECT_SQL.deleteDraft).run([step.studyId, step.codeHash]);
        result = undefined;
        break;
      case 'useInvitation': {
        const row = direct.statement(DIRECT_SQL.useInvitation).all([step.studyId, step.hash])[0] as
          | { created_on: string }
          | undefined;
        result = row?.created_on;
        break;
      }
      case 'restoreInvitation':
        direct.statement(DIRECT_SQL.restoreInvitation).run([step.studyId, step.hash, step.day]);
        result = undefined;
        break;
      case 'panel':
        result = (
          direct
            .statement(DIRECT_SQL.panel)
            .all([step.studyId, step.panelId, step.studyId, step.panelId])[0] as { state: string }
        ).state;
        break;
      case 'counters': {
        const stmt = direct.statement(DIRECT_SQL.counter);
        for (const c of step.rows) stmt.run([c.studyId, c.day, c.name, c.shard, c.by]);
        result = undefined;
        break;
      }
    }
    next = steps.next(result);
  }
  return next.value;
}

/**
 * The same statements as {@link runWithKysely}, in PostgreSQL's dialect, as named statements (each connection
 * parses and plans them once). Rows of several submissions go in one statement (`unnest` of one array per column,
 * in the given order), so the text does not depend on how many there are.
 */
const PG_SQL = {
  study: [
    'nabz_study',
    'SELECT status, version, anonymous, record_times, invitation_only, wave_of FROM studies WHERE id = $1',
  ],
  panel: [
    'nabz_panel',
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM responses WHERE study_id = $1 AND panel_id = $2) THEN 'answered' " +
      "WHEN EXISTS (SELECT 1 FROM wave_invites WHERE study_id = $1 AND panel_id = $2) THEN 'invited' ELSE 'unknown' END AS state",
  ],
  version: ['nabz_version', 'SELECT 1 AS found FROM study_versions WHERE study_id = $1 AND version = $2'],
  insert: [
    'nabz_insert',
    'INSERT INTO responses (public_id, study_id, version, idempotency_key, answers, language, submitted_on, submitted_at, referral_wave, consent_version, consent_hash, consent_language, panel_id) ' +
      'VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::date, $8::timestamptz, $9, $10, $11, $12, $13) ON CONFLICT (study_id, idempotency_key) DO NOTHING RETURNING id',
  ],
  insertMany: [
    'nabz_insert_many',
    'INSERT INTO responses (public_id, study_id, version, idempotency_key, answers, language, submitted_on, submitted_at, referral_wave, consent_version, consent_hash, consent_language, panel_id) ' +
      'SELECT p, s, v, k, a::jsonb, l, d::date, t::timestamptz, w, cv, ch, cl, pn ' +
      'FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[], $12::text[], $13::text[]) ' +
      'WITH ORDINALITY AS u(p, s, v, k, a, l, d, t, w, cv, ch, cl, pn, o) ORDER BY o ' +
      'ON CONFLICT (study_id, idempotency_key) DO NOTHING RETURNING id, study_id, idempotency_key',
  ],
  existing: [
    'nabz_existing',
    'SELECT id, public_id, answers FROM responses WHERE study_id = $1 AND idempotency_key = $2',
  ],
  deleteDraft: ['nabz_delete_draft', 'DELETE FROM resume_drafts WHERE study_id = $1 AND code_hash = $2'],
  lockStudy: ['nabz_lock_study', 'SELECT id FROM studies WHERE id = $1 FOR UPDATE'],
  quotaCount: [
    'nabz_quota_count',
    'SELECT COALESCE(SUM(count), 0) AS n FROM progress_counters WHERE study_id = $1 AND name = $2',
  ],
  useInvitation: [
    'nabz_use_invitation',
    'DELETE FROM invite_links WHERE study_id = $1 AND token_hash = $2 RETURNING created_on',
  ],
  restoreInvitation: [
    'nabz_restore_invitation',
    'INSERT INTO invite_links (study_id, token_hash, created_on) VALUES ($1, $2, $3::date)',
  ],
  counters: [
    'nabz_counters',
    'INSERT INTO progress_counters (study_id, day, name, shard, count) ' +
      'SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::smallint[], $5::bigint[]) ' +
      'ON CONFLICT (study_id, day, name, shard) DO UPDATE SET count = progress_counters.count + excluded.count',
  ],
} as const satisfies Record<string, readonly [string, string]>;

/** Run steps on PostgreSQL's direct path (inside {@link PostgresDirect.transaction}). */
async function runPgDirect<T>(q: PgStatement, steps: Steps<T>): Promise<T> {
  const run = <R>(which: keyof typeof PG_SQL, values: readonly unknown[]) =>
    q<R>(PG_SQL[which][0], PG_SQL[which][1], values);
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let result: StepResult;
    switch (step.op) {
      case 'study':
        result = (await run<StudyRow>('study', [step.studyId]))[0];
        break;
      case 'version':
        result = (await run('version', [step.studyId, step.version])).length > 0;
        break;
      case 'insert': {
        const row = (await run<{ id: number | string }>('insert', directParams(step.row)))[0];
        result = row === undefined ? undefined : Number(row.id);
        break;
      }
      case 'insertMany': {
        const rows = step.rows;
        const cols = rows.map(directParams);
        const arrays = Array.from({ length: 13 }, (_, c) => cols.map((r) => r[c]));
        const inserted = await run<{ id: number | string; study_id: number; idempotency_key: string }>(
          'insertMany',
          arrays,
        );
        result = idsInOrder(rows, inserted);
        break;
      }
      case 'existing':
        result = (await run<ExistingRow>('existing', [step.studyId, step.key]))[0];
        break;
      case 'quotaCount':
        // As runWithKysely: the study's row locked first, so quota submissions are stored one transaction at a time.
        await run('lockStudy', [step.studyId]);
        result = toNumber(
          (await run<{ n: number | string }>('quotaCount', [step.studyId, step.name]))[0]?.n ?? 0,
        );
        break;
      case 'deleteDraft':
        await run('deleteDraft', [step.studyId, step.codeHash]);
        result = undefined;
        break;
      case 'useInvitation':
        result = (await run<{ created_on: string }>('useInvitation', [step.studyId, step.hash]))[0]
          ?.created_on;
        break;
      case 'panel':
        result = (await run<{ state: string }>('panel', [step.studyId, step.panelId]))[0]?.state;
        break;
      case 'restoreInvitation':
        await run('restoreInvitation', [step.studyId, step.hash, step.day]);
        result = undefined;
        break;
      case 'counters': {
        const r = step.rows;
        await run('counters', [
          r.map((c) => c.studyId),
          r.map((c) => c.day),
          r.map((c) => c.name),
          r.map((c) => c.shard),
          r.map((c) => c.by),
        ]);
        result = undefined;
        break;
      }
      default: {
        // A new step needs its statement here too (the compiler says so), as in runWithKysely and runDirect.
        const unknown: never = step;
        throw new Error(`runPgDirect: no statement for step ${JSON.stringify(unknown)}`);
      }
    }
    next = steps.next(result);
  }
  return next.value;
}

/** A submission waiting in the group-commit queue. */
interface Pending {
  readonly prepared: PreparedResponse;
  resolve(result: InsertResponseResult): void;
  reject(err: unknown): void;
}

/** The most submissions stored in one group-commit transaction. */
const MAX_BATCH = 512;
/** PostgreSQL: group-commit transactions under way at once (each holds one pooled connection). */
const MAX_PG_BATCHES_IN_FLIGHT = 4;

export function responsesRepo({ db, backend, sqlite, postgres }: StoreContext) {
  /** One submission in its own transaction (or the caller's), through Kysely. */
  const insertAlone = (p: PreparedResponse): Promise<InsertResponseResult> =>
    inTransaction(
      db,
      async (tx) =>
        (await runWithKysely(tx, batchSteps([p], counterShard(backend)), backend))[0] as InsertResponseResult,
    );

  // Group commit, both backends. Submissions that arrive while earlier ones are being stored are queued and
  // stored together in ONE transaction, flushed once the event loop has read what is waiting (setImmediate);
  // each caller's promise settles only after that transaction has committed and is on disk.
  // - SQLite, on the direct connection (the usual case): the statements run synchronously and the fsync runs
  //   on the thread pool (SqliteDirect.durable); one batch is on its way to the disk at a time, and what
  //   arrives meanwhile becomes the next batch (a COMMIT made during an fsync would wait for the next one
  //   anyway). When a Kysely transaction is open on the connection, the batch goes through Kysely with a
  //   synchronous=FULL COMMIT instead.
  // - PostgreSQL: a batch is one transaction over one pooled connection (BEGIN, the study row, one insert for
  //   the batch, the counters, COMMIT), a few batches at a time, in named statements that each connection
  //   prepares once (PostgresDirect, runPgDirect) rather than through Kysely.
  // If a shared transaction fails, each submission is retried in a transaction of its own, so one bad row
  // cannot fail the others (and, when the database itself is failing, each gets that failure).
  let queue: Pending[] = [];
  let scheduled = false;
  /** Batches taken from the queue whose callers have not been answered yet. */
  let inFlight = 0;
  const maxInFlight = backend === 'postgres' ? MAX_PG_BATCHES_IN_FLIGHT : 1;
  /** Shared transactions run, and those that failed and were retried one submission per transaction. */
  const stats = { transactions: 0, retried: 0 };

  // The next batch starts after this one's callers have been answered (their promise jobs run first).
  const batchDone = () => {
    inFlight--;
    if (queue.length > 0 && !scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  // A batch is answered only once its WAL sync has completed; a failed sync fails the whole batch.
  const runBatchDirect = (direct: SqliteDirect, batch: Pending[]) => {
    const items = batch.map((b) => b.prepared);
    let results: (InsertResponseResult | Error)[];
    stats.transactions++;
    try {
      results = direct.writeTransaction(() => runDirect(direct, batchSteps(items, 0)));
    } catch {
      stats.retried++;
      results = items.map((p) => {
        try {
          return direct.writeTransaction(
            () => runDirect(direct, batchSteps([p], 0))[0] as InsertResponseResult,
          );
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      });
    }
    direct
      .durable()
      .then(
        () =>
          batch.forEach((item, i) => {
            const r = results[i] as InsertResponseResult | Error;
            if (r instanceof Error) item.reject(r);
            else item.resolve(r);
          }),
        (err: unknown) => {
          for (const item of batch) item.reject(err);
        },
      )
      .finally(batchDone);
  };

  const runBatchKysely = async (batch: Pending[]) => {
    let results: InsertResponseResult[];
    stats.transactions++;
    try {
      const items = batch.map((b) => b.prepared);
      const shard = counterShard(backend);
      results = postgres
        ? await postgres.transaction((q) => runPgDirect(q, batchSteps(items, shard)))
        : await db.transaction().execute((tx) => runWithKysely(tx, batchSteps(items, shard), backend));
    } catch {
      stats.retried++;
      await Promise.all(batch.map((item) => insertAlone(item.prepared).then(item.resolve, item.reject)));
      return;
    }
    for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(results[i] as InsertResponseResult);
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
      queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
      inFlight++;
      if (sqlite?.idle()) runBatchDirect(sqlite, batch);
      else runBatchKysely(batch).then(batchDone, batchDone);
    }
  };

  const enqueue = (prepared: PreparedResponse) =>
    new Promise<InsertResponseResult>((resolve, reject) => {
      queue.push({ prepared, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  /** Keyset pages of a study's responses in id order (the internal, storage order; never shown as such). */
  async function* batches(
    studyId: number,
    options: { batchSize?: number; afterId?: number } = {},
  ): AsyncGenerator<StoredResponse[], void, undefined> {
    const batchSize = checkedBatchSize(options.batchSize);
    let after = options.afterId ?? 0;
    for (;;) {
      const rows = await db
        .selectFrom('responses')
        .select(responseColumns)
        .where('study_id', '=', studyId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(batchSize)
        .execute();
      if (rows.length > 0) yield rows.map(toResponse);
      if (rows.length < batchSize) return;
      after = at(rows, rows.length - 1).id;
    }
  }

  /**
   * Pages of a study's responses in public-id order: a random order, for exports, so that no file lists
   * responses in the order they were submitted. The ids are read first, sorted by the database (8 bytes a
   * response in memory: 0.8 MB for 100,000), then the rows `batchSize` at a time; every response stored before
   * the call is returned exactly once, however many arrive meanwhile. (No index orders the public ids: a
   * random-order index made every insert measurably slower, and only exports read in this order.)
   */
  async function* shuffledBatches(
    studyId: number,
    options: { batchSize?: number } = {},
  ): AsyncGenerator<StoredResponse[], void, undefined> {
    const batchSize = checkedBatchSize(options.batchSize);
    const order = await db
      .selectFrom('responses')
      .select('id')
      .where('study_id', '=', studyId)
      .orderBy('public_id')
      .orderBy('id')
      .execute();
    const ids = Float64Array.from(order, (r) => Number(r.id));
    for (let at = 0; at < ids.length; at += batchSize) {
      const chunk = [...ids.subarray(at, at + batchSize)];
      const rows = await db
        .selectFrom('responses')
        .select(responseColumns)
        .where('study_id', '=', studyId)
        .where('id', 'in', chunk)
        .execute();
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      const page: StoredResponse[] = [];
      for (const id of chunk) {
        const row = byId.get(id);
        if (row) page.push(toResponse(row)); // a row deleted meanwhile is left out
      }
      if (page.length > 0) yield page;
    }
  }

  return {
    /**
     * Store a submission once. Same (study, idempotency key) again → the existing id and `created: false`
     * (with `sameAnswers` saying whether the answers are the stored ones), whatever the study's status. Refused when the study does not exist, is not open (for a new key), or the
     * version does not belong to it. `submittedAt` is filled only if the study is not anonymous or records times.
     */
    async insert(input: NewResponse): Promise<InsertResponseResult> {
      const prepared = prepare(input);
      if (!db.isTransaction) return enqueue(prepared);
      return insertAlone(prepared);
    },

    async byId(id: number): Promise<StoredResponse | undefined> {
      const row = await db
        .selectFrom('responses')
        .select(responseColumns)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toResponse(row) : undefined;
    },

    /** The response stored under this idempotency key (as stored: the caller's hash of the client's key), if any. */
    async byIdempotencyKey(studyId: number, key: string): Promise<StoredResponse | undefined> {
      const row = await db
        .selectFrom('responses')
        .select(responseColumns)
        .where('study_id', '=', studyId)
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      return row ? toResponse(row) : undefined;
    },

    /** Number of responses stored for a study. */
    async count(studyId: number): Promise<number> {
      const row = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', studyId)
        .executeTakeFirstOrThrow();
      return toNumber(row.n as number | string | bigint);
    },

    /** One page: up to `limit` (default 1000) responses with id greater than `afterId`, in id order. */
    async list(
      studyId: number,
      options: { afterId?: number; limit?: number } = {},
    ): Promise<StoredResponse[]> {
      const rows = await db
        .selectFrom('responses')
        .select(responseColumns)
        .where('study_id', '=', studyId)
        .where('id', '>', options.afterId ?? 0)
        .orderBy('id')
        .limit(options.limit ?? 1000)
        .execute();
      return rows.map(toResponse);
    },

    batches,

    /**
     * Group commit so far in this process: shared transactions run, and how many of them failed and were
     * retried one submission per transaction (a deadlock or a bad row; see `flush`).
     */
    groupStats(): { readonly transactions: number; readonly retried: number } {
      return { ...stats };
    },

    /**
     * Every response of a study, one at a time, in id order, reading `batchSize` (default 1000) rows per query
     * (keyset pagination on the primary key: memory stays flat for 100k+ responses, and every response stored
     * before the iteration began is returned exactly once even while new ones arrive). For analyses and
     * snapshots; exports use `iterateShuffled`.
     */
    async *iterate(
      studyId: number,
      options: { batchSize?: number; afterId?: number } = {},
    ): AsyncGenerator<StoredResponse, void, undefined> {
      for await (const batch of batches(studyId, options)) yield* batch;
    },

    /**
     * Every response of a study in public-id order, which is random (not the order of submission): what exports
     * list (see `shuffledBatches`).
     */
    async *iterateShuffled(
      studyId: number,
      options: { batchSize?: number } = {},
    ): AsyncGenerator<StoredResponse, void, undefined> {
      for await (const batch of shuffledBatches(studyId, options)) yield* batch;
    },
  };
}

export type ResponsesRepo = ReturnType<typeof responsesRepo>;
