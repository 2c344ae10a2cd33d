/**
 * A study's progress as its page and its counts JSON show it: started, completed, screened out, declined,
 * drop-off by page and completions per day, from the progress counters (one row per study, day and counter —
 * nothing kept per respondent).
 *
 * One function computes every figure for both the HTML page and the live JSON the page polls, so the two can
 * never disagree. Owners and analysts (`exact`) see exact counts. A `protected` audience (viewers) sees every
 * count coarsened by the study's one policy (core/privacy/suppression.ts): below k "fewer than k", otherwise
 * rounded down to a multiple of k ("25+"), and every share and bar is computed from the coarsened counts, so
 * nothing moves on one completion, one decline or one day's single respondent (docs/security.md, finding 1).
 */
import { type Audience, coarseCount, coarseValue, isSmall } from '../privacy/suppression.js';

/**
 * The progress counters' names: the one spelling, for the engine that increments them (core/respond/engine.ts)
 * and the progress page that reads them.
 */
export const COUNTERS = {
  started: 'started',
  completed: 'completed',
  screenedOut: 'screened_out',
  declined: 'declined',
  /** A session continued from a resume code. */
  resumed: 'resumed',
} as const;

/**
 * The progress counter of a page (`page_p1`, `page_review`): respondents who reached it. The one spelling, for
 * the engine that counts (core/respond/engine.ts) and the drop-off table that reads.
 */
export function pageCounter(pageId: string): string {
  return `page_${pageId.toLowerCase()}`;
}

/** The widest bar, in blocks (a bar is text: the studio's CSP allows no inline styles). */
export const BAR_STEPS = 12;

/** The counters as the store reads them. */
interface ProgressCounters {
  /** Total per counter name over all days. */
  readonly totals: Readonly<Record<string, number>>;
  /** Per day (YYYY-MM-DD) and counter name. */
  readonly days: readonly { readonly day: string; readonly name: string; readonly count: number }[];
}

interface ProgressInput {
  readonly counters: ProgressCounters;
  /** Responses stored (a response imported or sent through the API is completed even without a counter). */
  readonly storedResponses: number;
  /** The respondent flow's pages in order, with a display title; undefined when the definition has problems. */
  readonly pages: readonly { readonly id: string; readonly title: string }[] | undefined;
  /** The study's smallest group shown. */
  readonly k: number;
  readonly audience: Audience;
}

/** One row of the drop-off or per-day table: cell texts, and the bar's length in blocks (0…BAR_STEPS). */
export interface ProgressRow {
  readonly cells: readonly string[];
  readonly bar: number;
}

export interface ProgressModel {
  readonly audience: Audience;
  readonly k: number;
  /** The headline counts as shown: `started`, `completed`, `screened`, `declined`, `rate` (completion rate). */
  readonly stats: {
    readonly started: string;
    readonly completed: string;
    readonly screened: string;
    readonly declined: string;
    readonly rate: string;
  };
  /** Drop-off by page: #, page title (id), reached, share of started; the last row is "Submitted". */
  readonly dropoff: readonly ProgressRow[] | undefined;
  /** Per day, oldest first: day, started, completed, total completed. */
  readonly days: readonly ProgressRow[];
}

/** A share as a whole percentage, or "–" when there is nothing to divide by. */
export function percent(n: number, of: number): string {
  return of > 0 ? `${((100 * n) / of).toFixed(0)}%` : '–';
}

/** A bar's length in blocks for n of `of` (0 when `of` is 0), at most BAR_STEPS. */
export function barSteps(n: number, of: number): number {
  return of > 0 ? Math.min(BAR_STEPS, Math.max(0, Math.round((BAR_STEPS * n) / of))) : 0;
}

/** The progress page's figures for one audience. */
export function progressModel(input: ProgressInput): ProgressModel {
  const { counters, k, audience } = input;
  // What shares and bars are computed with: exact counts, or for a protected audience each coarsened.
  const shown = (n: number) => (audience === 'exact' ? n : coarseValue(n, k));
  const count = (n: number) => coarseCount(n, k, audience);
  const total = (name: string) => counters.totals[name] ?? 0;
  const started = total(COUNTERS.started);
  const completed = Math.max(total(COUNTERS.completed), input.storedResponses);
  const screened = total(COUNTERS.screenedOut);
  // A count of screened-out people reveals how many did not meet the eligibility rule: shown only from k on.
  const screenedText =
    audience === 'exact' ? (isSmall(screened, k) ? `fewer than ${k}` : String(screened)) : count(screened);
  const reachedRow = (cells: readonly string[], n: number): ProgressRow => ({
    cells: [...cells, count(n), percent(shown(n), shown(started))],
    bar: barSteps(shown(n), shown(started)),
  });
  const dropoff = input.pages && [
    ...input.pages.map((p, i) =>
      reachedRow([String(i + 1), `${p.title} (${p.id})`], total(pageCounter(p.id))),
    ),
    reachedRow(['', 'Submitted'], completed),
  ];
  return {
    audience,
    k,
    stats: {
      started: count(started),
      completed: count(completed),
      screened: screenedText,
      declined: count(total(COUNTERS.declined)),
      rate: percent(shown(completed), shown(started)),
    },
    dropoff,
    days: dayRows(counters, shown, count),
  };
}

function dayRows(
  counters: ProgressCounters,
  shown: (n: number) => number,
  count: (n: number) => string,
): ProgressRow[] {
  const perDay = new Map<string, { started: number; completed: number }>();
  for (const d of counters.days) {
    if (d.name !== COUNTERS.started && d.name !== COUNTERS.completed) continue;
    const e = perDay.get(d.day) ?? { started: 0, completed: 0 };
    if (d.name === COUNTERS.started) e.started += d.count;
    else e.completed += d.count;
    perDay.set(d.day, e);
  }
  const maxDay = Math.max(1, ...[...perDay.values()].map((e) => shown(e.completed)));
  let cumulative = 0;
  return [...perDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, e]) => {
      cumulative += e.completed;
      return {
        cells: [day, count(e.started), count(e.completed), count(cumulative)],
        bar: barSteps(shown(e.completed), maxDay),
      };
    });
}
