/**
 * Responses. A submission is stored once however often it is sent: the client's idempotency key is unique per
 * study, the insert is `INSERT … ON CONFLICT DO NOTHING` followed by a select of the winner, inside one
 * transaction that has committed (and, with the durability settings of both backends, reached the disk)
 * before `insert` returns.
 *
 * Group commit on SQLite: submissions that arrive while the event loop is busy (better-sqlite3 blocks it for
 * every COMMIT's fsync) are stored together in one transaction — one fsync for many — and each `insert` still
 * resolves only after the COMMIT that contains its row. A failing shared transaction is retried one submission
 * per transaction, so one bad row cannot fail the others. PostgreSQL keeps one transaction per submission
 * (its pool already commits concurrently). On both, the study is read once per transaction, a repeated key is
 * caught by the insert itself (no separate pre-check), and the counters are incremented in one statement.
 *
 * What is kept is deliberately little: no IP address, no user agent (there are no such columns), the
 * calendar day always, the time only when the study is not anonymous or its owner turned times on.
 */
import type { Selectable } from 'kysely';
import { calendarDay, fromJsonText, secretHash, toDateOrNull, toJsonText, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { checkCounterName } from './counters.js';
import { type Refused, refused } from './errors.js';
import type { ResponsesTable } from './schema.js';

export interface NewResponse {
  readonly studyId: number;
  /** Client-generated key (e.g. a UUID in the form); a retry with the same key returns the first response. */
  readonly idempotencyKey: string;
  readonly answers: unknown;
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
}

export type InsertResponseRefusal = 'unknown_study' | 'study_not_open' | 'unknown_version';

export type InsertResponseResult =
  | { readonly ok: true; readonly id: number; readonly created: boolean }
  | Refused<InsertResponseRefusal>;

export interface StoredResponse {
  readonly id: number;
  readonly studyId: number;
  readonly version: number;
  readonly answers: unknown;
  readonly language: string;
  /** `YYYY-MM-DD`, always present. */
  readonly submittedOn: string;
  /** Present only when times are kept for the study. */
  readonly submittedAt: Date | null;
  readonly referralWave: number | null;
}

const responseColumns = [
  'id',
  'study_id',
  'version',
  'answers',
  'language',
  'submitted_on',
  'submitted_at',
  'referral_wave',
] as const;

function toResponse(row: Pick<Selectable<ResponsesTable>, (typeof responseColumns)[number]>): StoredResponse {
  return {
    id: row.id,
    studyId: row.study_id,
    version: row.version,
    answers: fromJsonText(row.answers),
    language: row.language,
    submittedOn: row.submitted_on,
    submittedAt: toDateOrNull(row.submitted_at),
    referralWave: row.referral_wave,
  };
}

/** A submission ready for the database: encoded once, before it waits for a transaction. */
interface PreparedResponse {
  readonly input: NewResponse;
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
  /** Versions found (true) or not (false) in study_versions, in this transaction. */
  readonly versions: Map<number, boolean>;
}

/** Per-transaction state: studies read so far and counter increments to apply before COMMIT. */
interface TxState {
  readonly studies: Map<number, StudyFacts | null>;
  /** `studyId day name` → increment. */
  readonly counters: Map<string, { studyId: number; day: string; name: string; by: number }>;
}

function newTxState(): TxState {
  return { studies: new Map(), counters: new Map() };
}

function prepare(input: NewResponse): PreparedResponse {
  const now = input.now ?? new Date();
  const counters = input.counters ?? [];
  for (const name of counters) checkCounterName(name);
  return {
    input,
    now,
    answers: toJsonText(input.answers, 'Response answers'),
    submittedOn: calendarDay(now, input.timeZone),
    counters,
  };
}

/** A submission waiting in the group-commit queue. */
interface Pending {
  readonly prepared: PreparedResponse;
  resolve(result: InsertResponseResult): void;
  reject(err: unknown): void;
}

/** The most submissions stored in one group-commit transaction. */
const MAX_BATCH = 512;

export function responsesRepo({ db, backend }: StoreContext) {
  const existingId = async (tx: typeof db, studyId: number, key: string) => {
    const row = await tx
      .selectFrom('responses')
      .select('id')
      .where('study_id', '=', studyId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row?.id;
  };

  const studyFacts = async (tx: typeof db, state: TxState, studyId: number): Promise<StudyFacts | null> => {
    const known = state.studies.get(studyId);
    if (known !== undefined) return known;
    const row = await tx
      .selectFrom('studies')
      .select(['status', 'version', 'anonymous', 'record_times'])
      .where('id', '=', studyId)
      .executeTakeFirst();
    const facts = row
      ? {
          status: row.status,
          version: row.version,
          keepTime: !row.anonymous || Boolean(row.record_times),
          versions: new Map<number, boolean>([[row.version, true]]),
        }
      : null;
    state.studies.set(studyId, facts);
    return facts;
  };

  const versionExists = async (tx: typeof db, facts: StudyFacts, studyId: number, version: number) => {
    const known = facts.versions.get(version);
    if (known !== undefined) return known;
    const row = await tx
      .selectFrom('study_versions')
      .select('version')
      .where('study_id', '=', studyId)
      .where('version', '=', version)
      .executeTakeFirst();
    facts.versions.set(version, row !== undefined);
    return row !== undefined;
  };

  /**
   * Store one prepared submission inside `tx` (which the caller commits). The common case is one statement:
   * the study is read once per transaction, a repeated key is caught by `ON CONFLICT DO NOTHING`, and counter
   * increments are gathered in `state` for {@link flushCounters}.
   */
  const insertIn = async (
    tx: typeof db,
    state: TxState,
    p: PreparedResponse,
  ): Promise<InsertResponseResult> => {
    const { input } = p;
    const study = await studyFacts(tx, state, input.studyId);
    const acceptsNew =
      study !== null &&
      study.status === 'open' &&
      (input.version === undefined || (await versionExists(tx, study, input.studyId, input.version)));
    if (!acceptsNew || study === null) {
      // A repeat of a stored key is answered whatever the study's state; only a new key is refused.
      const seen = await existingId(tx, input.studyId, input.idempotencyKey);
      if (seen !== undefined) return { ok: true, id: seen, created: false };
      if (!study) return refused('unknown_study', `Study ${input.studyId} does not exist.`);
      if (study.status !== 'open') {
        return refused('study_not_open', 'This study is not accepting responses at the moment.');
      }
      return refused('unknown_version', `Study ${input.studyId} has no version ${input.version}.`);
    }
    const inserted = await tx
      .insertInto('responses')
      .values({
        study_id: input.studyId,
        version: input.version ?? study.version,
        idempotency_key: input.idempotencyKey,
        answers: p.answers,
        language: input.language,
        submitted_on: p.submittedOn,
        submitted_at: study.keepTime ? p.now : null,
        referral_wave: input.referralWave ?? null,
      })
      .onConflict((oc) => oc.columns(['study_id', 'idempotency_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      // Stored before (committed, or earlier in this same transaction).
      const winner = await existingId(tx, input.studyId, input.idempotencyKey);
      if (winner === undefined) throw new Error('Idempotent insert found neither a new nor an existing row.');
      return { ok: true, id: winner, created: false };
    }
    for (const name of p.counters) {
      const k = `${input.studyId} ${p.submittedOn} ${name}`;
      const c = state.counters.get(k);
      if (c) c.by += 1;
      else state.counters.set(k, { studyId: input.studyId, day: p.submittedOn, name, by: 1 });
    }
    if (input.resumeCode !== undefined) {
      await tx
        .deleteFrom('resume_drafts')
        .where('study_id', '=', input.studyId)
        .where('code_hash', '=', secretHash(input.resumeCode))
        .execute();
    }
    return { ok: true, id: inserted.id, created: true };
  };

  /** Apply the gathered counter increments: one upsert per (study, day, name), in the same transaction. */
  const flushCounters = async (tx: typeof db, state: TxState) => {
    if (state.counters.size === 0) return;
    const rows = [...state.counters.values()].map((c) => ({
      study_id: c.studyId,
      day: c.day,
      name: c.name,
      count: c.by,
    }));
    state.counters.clear();
    await tx
      .insertInto('progress_counters')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['study_id', 'day', 'name'])
          .doUpdateSet((eb) => ({ count: eb('progress_counters.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  };

  /** One submission in its own transaction (or the caller's). */
  const insertAlone = (p: PreparedResponse): Promise<InsertResponseResult> =>
    inTransaction(db, async (tx) => {
      const state = newTxState();
      const result = await insertIn(tx, state, p);
      await flushCounters(tx, state);
      return result;
    });

  // Group commit (SQLite): better-sqlite3 is synchronous, so every COMMIT's fsync blocks the event loop. The
  // submissions that arrive while it is blocked are queued and stored together in ONE transaction (one fsync
  // for all of them), flushed once the event loop has read what is waiting (setImmediate). Each caller's
  // promise settles only after the COMMIT that contains its row. If the shared transaction fails, each
  // submission is retried in a transaction of its own, so one bad row cannot fail the others (and, when the
  // database itself is failing, each gets that failure).
  let queue: Pending[] = [];
  let scheduled = false;

  const runBatch = async (batch: Pending[]) => {
    if (batch.length === 1) {
      const only = batch[0] as Pending;
      insertAlone(only.prepared).then(only.resolve, only.reject);
      return;
    }
    let results: InsertResponseResult[];
    try {
      results = await db.transaction().execute(async (tx) => {
        const state = newTxState();
        const out: InsertResponseResult[] = [];
        for (const item of batch) out.push(await insertIn(tx, state, item.prepared));
        await flushCounters(tx, state);
        return out;
      });
    } catch {
      for (const item of batch) insertAlone(item.prepared).then(item.resolve, item.reject);
      return;
    }
    for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(results[i] as InsertResponseResult);
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
      queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
      void runBatch(batch);
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

  /** Keyset pages of a study's responses in id order. */
  async function* batches(
    studyId: number,
    options: { batchSize?: number; afterId?: number } = {},
  ): AsyncGenerator<StoredResponse[], void, undefined> {
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batchSize must be a positive integer.`);
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
      after = rows[rows.length - 1]!.id;
    }
  }

  return {
    /**
     * Store a submission once. Same (study, idempotency key) again → the existing id and `created: false`,
     * whatever the study's status. Refused when the study does not exist, is not open (for a new key), or the
     * version does not belong to it. `submittedAt` is filled only if the study is not anonymous or records times.
     */
    async insert(input: NewResponse): Promise<InsertResponseResult> {
      const prepared = prepare(input);
      if (backend === 'sqlite' && !db.isTransaction) return enqueue(prepared);
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
     * Every response of a study, one at a time, in id order, reading `batchSize` (default 1000) rows per query
     * (keyset pagination on the primary key: memory stays flat for 100k+ responses, and every response stored
     * before the iteration began is returned exactly once even while new ones arrive).
     */
    async *iterate(
      studyId: number,
      options: { batchSize?: number; afterId?: number } = {},
    ): AsyncGenerator<StoredResponse, void, undefined> {
      for await (const batch of batches(studyId, options)) yield* batch;
    },
  };
}

export type ResponsesRepo = ReturnType<typeof responsesRepo>;
