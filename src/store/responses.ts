/**
 * Responses. A submission is stored once however often it is sent: the client's idempotency key is unique per
 * study, the insert is `INSERT … ON CONFLICT DO NOTHING` followed by a select of the winner, inside one
 * transaction that has committed (and, with the durability settings of both backends, reached the disk)
 * before `insert` returns.
 *
 * What is kept is deliberately little: no IP address, no user agent (there are no such columns), the
 * calendar day always, the time only when the study is not anonymous or its owner turned times on.
 */
import type { Selectable } from 'kysely';
import { calendarDay, fromJsonText, secretHash, toDateOrNull, toJsonText, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { incrementCounter } from './counters.js';
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

export function responsesRepo({ db }: StoreContext) {
  const existingId = async (tx: typeof db, studyId: number, key: string) => {
    const row = await tx
      .selectFrom('responses')
      .select('id')
      .where('study_id', '=', studyId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row?.id;
  };

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
      const now = input.now ?? new Date();
      const answers = toJsonText(input.answers, 'Response answers');
      const submittedOn = calendarDay(now, input.timeZone);
      const counters = input.counters ?? [];
      return inTransaction(db, async (tx) => {
        const seen = await existingId(tx, input.studyId, input.idempotencyKey);
        if (seen !== undefined) return { ok: true, id: seen, created: false };
        const study = await tx
          .selectFrom('studies')
          .select(['status', 'version', 'anonymous', 'record_times'])
          .where('id', '=', input.studyId)
          .executeTakeFirst();
        if (!study) return refused('unknown_study', `Study ${input.studyId} does not exist.`);
        if (study.status !== 'open') {
          return refused('study_not_open', 'This study is not accepting responses at the moment.');
        }
        const version = input.version ?? study.version;
        if (input.version !== undefined && input.version !== study.version) {
          const exists = await tx
            .selectFrom('study_versions')
            .select('version')
            .where('study_id', '=', input.studyId)
            .where('version', '=', version)
            .executeTakeFirst();
          if (!exists) return refused('unknown_version', `Study ${input.studyId} has no version ${version}.`);
        }
        const keepTime = !study.anonymous || Boolean(study.record_times);
        const inserted = await tx
          .insertInto('responses')
          .values({
            study_id: input.studyId,
            version,
            idempotency_key: input.idempotencyKey,
            answers,
            language: input.language,
            submitted_on: submittedOn,
            submitted_at: keepTime ? now : null,
            referral_wave: input.referralWave ?? null,
          })
          .onConflict((oc) => oc.columns(['study_id', 'idempotency_key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) {
          // Another transaction stored the same key between our check and our insert; it has committed.
          const winner = await existingId(tx, input.studyId, input.idempotencyKey);
          if (winner === undefined)
            throw new Error('Idempotent insert found neither a new nor an existing row.');
          return { ok: true, id: winner, created: false };
        }
        for (const name of counters) {
          await incrementCounter(tx, { studyId: input.studyId, name, day: submittedOn, by: 1 });
        }
        if (input.resumeCode !== undefined) {
          await tx
            .deleteFrom('resume_drafts')
            .where('study_id', '=', input.studyId)
            .where('code_hash', '=', secretHash(input.resumeCode))
            .execute();
        }
        return { ok: true, id: inserted.id, created: true };
      });
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
