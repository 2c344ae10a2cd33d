/**
 * Progress counters: per study, per day, per name (`started`, `completed`, `screened_out`, `page_3`, …) a
 * count, incremented atomically with one upsert. No per-respondent rows, so drop-off can be shown without
 * keeping anything about the people who dropped off.
 */
import type { Kysely } from 'kysely';
import { calendarDay, toNumber } from './codec.js';
import type { StoreContext } from './context.js';
import type { Database } from './schema.js';

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

/** Add `by` to one counter in one statement (INSERT … ON CONFLICT DO UPDATE); returns the new count. */
export async function incrementCounter(
  db: Kysely<Database>,
  input: { studyId: number; name: string; day: string; by: number },
): Promise<number> {
  checkCounterName(input.name);
  if (!Number.isSafeInteger(input.by) || input.by < 1) {
    throw new RangeError(`Counter increment must be a positive integer, got ${input.by}.`);
  }
  const row = await db
    .insertInto('progress_counters')
    .values({ study_id: input.studyId, day: input.day, name: input.name, count: input.by })
    .onConflict((oc) =>
      oc
        .columns(['study_id', 'day', 'name'])
        .doUpdateSet((eb) => ({ count: eb('progress_counters.count', '+', eb.ref('excluded.count')) })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return toNumber(row.count);
}

export function countersRepo({ db }: StoreContext) {
  return {
    /**
     * Increment a counter for the day of `now` in `timeZone` (IANA name, default UTC), or for `day`
     * (`YYYY-MM-DD`) when given. Returns that day's new count.
     */
    async increment(input: {
      studyId: number;
      name: string;
      by?: number;
      day?: string;
      now?: Date;
      timeZone?: string;
    }): Promise<number> {
      const day = input.day ?? calendarDay(input.now ?? new Date(), input.timeZone);
      return incrementCounter(db, { studyId: input.studyId, name: input.name, day, by: input.by ?? 1 });
    },

    /** All counters of a study: totals per name and the per-day rows. */
    async read(studyId: number): Promise<CounterReport> {
      const rows = await db
        .selectFrom('progress_counters')
        .select(['day', 'name', 'count'])
        .where('study_id', '=', studyId)
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
