/**
 * Progress counters: per study, per day, per name (`started`, `completed`, `screened_out`, `page_3`, …) a
 * count, incremented atomically with one upsert. No per-respondent rows, so drop-off can be shown without
 * keeping anything about the people who dropped off.
 *
 * Contention: on PostgreSQL every (study, day, name) count is split over {@link COUNTER_SHARDS} rows (the
 * `shard` column); each transaction adds to one shard chosen at random and reads sum the shards. Concurrent
 * batches then rarely wait for each other's row lock, where with one row per count every batch of every
 * server queued on the same two rows (`started`, `completed` of today). SQLite has one writer at a time, so
 * there is nothing to spread and it always uses shard 0. The sum is the count: shards change no number.
 */
import type { Kysely } from 'kysely';
import { calendarDay, toNumber } from './codec.js';
import type { BackendKind, StoreContext } from './context.js';
import type { Database } from './schema.js';

/** Rows each (study, day, name) count is spread over on PostgreSQL (the migration allows shards 0–63). */
export const COUNTER_SHARDS = 16;

/** The shard a transaction adds to: random on PostgreSQL, always 0 on SQLite (one writer, no contention). */
export function counterShard(backend: BackendKind): number {
  return backend === 'postgres' ? Math.floor(Math.random() * COUNTER_SHARDS) : 0;
}

/** The upsert's conflict target: one row per study, day, name and shard. */
export const COUNTER_KEY = ['study_id', 'day', 'name', 'shard'] as const;

export interface CounterDay {
  readonly day: string;
  readonly name: string;
  readonly count: number;
}

export interface CounterReport {
  /** Total per counter name over all days. */
  readonly totals: Readonly<Record<string, number>>;
  /** Per day and name, oldest day first. */
  readonly days: readonly CounterDay[];
}

const COUNTER_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Throws a RangeError for a name that is not lower-case letters, digits and underscores (a programming error). */
export function checkCounterName(name: string): void {
  if (!COUNTER_NAME.test(name)) {
    throw new RangeError(
      `Counter name "${name}" is not allowed: use lower-case letters, digits and underscores, starting with a letter.`,
    );
  }
}

/** Add `by` to one counter (to one of its shards) in one statement (INSERT … ON CONFLICT DO UPDATE). */
async function incrementCounter(
  db: Kysely<Database>,
  input: { studyId: number; name: string; day: string; by: number; shard: number },
): Promise<void> {
  checkCounterName(input.name);
  if (!Number.isSafeInteger(input.by) || input.by < 1) {
    throw new RangeError(`Counter increment must be a positive integer, got ${input.by}.`);
  }
  await db
    .insertInto('progress_counters')
    .values({
      study_id: input.studyId,
      day: input.day,
      name: input.name,
      shard: input.shard,
      count: input.by,
    })
    .onConflict((oc) =>
      oc
        .columns(COUNTER_KEY)
        .doUpdateSet((eb) => ({ count: eb('progress_counters.count', '+', eb.ref('excluded.count')) })),
    )
    .execute();
}

export function countersRepo({ db, backend }: StoreContext) {
  return {
    /**
     * Increment a counter for the day of `now` in `timeZone` (IANA name, default UTC), or for `day`
     * (`YYYY-MM-DD`) when given.
     */
    async increment(input: {
      studyId: number;
      name: string;
      by?: number;
      day?: string;
      now?: Date;
      timeZone?: string;
    }): Promise<void> {
      const day = input.day ?? calendarDay(input.now ?? new Date(), input.timeZone);
      const shard = counterShard(backend);
      await incrementCounter(db, { studyId: input.studyId, name: input.name, day, by: input.by ?? 1, shard });
    },

    /** One counter's total over all days (the sum of its rows: a few per day, never a count of responses). */
    async total(studyId: number, name: string): Promise<number> {
      const row = await db
        .selectFrom('progress_counters')
        .select((eb) => eb.fn.sum<number | string | null>('count').as('n'))
        .where('study_id', '=', studyId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.n == null ? 0 : toNumber(row.n);
    },

    /** All counters of a study: totals per name and the per-day rows (each the sum of its shards). */
    async read(studyId: number): Promise<CounterReport> {
      const rows = await db
        .selectFrom('progress_counters')
        .select((eb) => ['day', 'name', eb.fn.sum<number | string>('count').as('count')])
        .where('study_id', '=', studyId)
        .groupBy(['day', 'name'])
        .orderBy('day')
        .orderBy('name')
        .execute();
      const totals: Record<string, number> = {};
      const days = rows.map((r) => {
        const count = toNumber(r.count);
        totals[r.name] = (Object.hasOwn(totals, r.name) ? (totals[r.name] as number) : 0) + count;
        return { day: r.day, name: r.name, count };
      });
      return { totals, days };
    },
  };
}

export type CountersRepo = ReturnType<typeof countersRepo>;
