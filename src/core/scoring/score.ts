/**
 * Scoring: item answers → scores, bands and safety flags, over a columnar dataset.
 *
 * Rules (docs/instrument-sources.md §1.5, §2.3, §2.4, §8):
 * - reverse keying: `min + max − value` of the item's scale (CBI WB7: 100 − v; PSS-10 items 4, 5, 7, 8: 4 − v);
 * - only ANSWERED values that are one of the item's option values count; "not applicable" is never 0 —
 *   it is left out of the sum, the mean and the number of items used; skipped, not-shown and invalid
 *   answers are missing; an answered value that is not an option (e.g. 4 on a 0–3 scale, or CBI coded
 *   0/2/3/4 instead of 0/25/50/75/100) is treated as invalid and reported;
 * - `sum`: Σ answered × multiplier; `mean`: Σ / k × multiplier; `prorated_sum`: Σ × items / k × multiplier
 *   (k = answered items); a score needs at least `minAnswered` answered items, otherwise it is NaN;
 * - bands: the last band whose `min` ≤ score (−1 when none or NaN).
 *
 * Loops run over typed arrays, one pass per item column; nothing is allocated per respondent.
 */

import { compileExpressionWith, type ExprValue, type RefScope, truth } from '../instrument/expression.js';
import type { Band, Score } from '../instrument/schema.js';
import { AnswerStatus, type Column, type Dataset } from '../response/dataset.js';
import type { Answer } from '../response/submission.js';
import { at, atF64, atU8, atU16 } from '../stats/at.js';
import type { PlannedItem, PlannedScore, ScoringPlan } from './plan.js';

/** Why a score is missing for a respondent. */
export const ScoreReason = {
  /** The score was computed. */
  OK: 0,
  /** None of its items was answered (all skipped, not shown, "not applicable" or invalid). */
  NONE_ANSWERED: 1,
  /** Some items were answered, but fewer than the minimum. */
  TOO_FEW_ANSWERED: 2,
} as const;
export type ScoreReason = (typeof ScoreReason)[keyof typeof ScoreReason];

/** One computed score over all respondents. */
export interface ScoreColumn {
  readonly id: string;
  readonly def: Score;
  readonly instrumentId: string;
  readonly official: boolean;
  readonly source: 'instrument' | 'study';
  /** The score's items as it uses them: keys (reverse), ranges and allowed values (see {@link keyedItemValues}). */
  readonly items: readonly PlannedItem[];
  /** The minimum answered items applied. */
  readonly minAnswered: number;
  /** The score; NaN when not computable (see `reason`). */
  readonly values: Float64Array;
  /** Items answered (in range) per respondent: the n the score used. */
  readonly nAnswered: Uint16Array;
  /** Items answered "not applicable" per respondent. */
  readonly nNotApplicable: Uint16Array;
  /** Index into `def.bands`, or −1 (no bands, below the first band, or no score). */
  readonly band: Int16Array;
  /** `ScoreReason` per respondent. */
  readonly reason: Uint8Array;
}

/** One safety rule evaluated for all respondents. */
interface SafetyColumn {
  readonly id: string;
  readonly instrumentId: string;
  readonly description: string;
  readonly when: string;
  /** 1 when the rule is definitely true for the respondent; 0 otherwise (including unknown). */
  readonly flags: Uint8Array;
  readonly nFlagged: number;
}

interface ScoreSummary {
  readonly id: string;
  readonly instrumentId: string;
  readonly official: boolean;
  readonly minAnswered: number;
  /** Respondents with a score. */
  readonly computed: number;
  readonly noneAnswered: number;
  readonly tooFewAnswered: number;
  /** Respondents with at least one "not applicable" item in this score. */
  readonly withNotApplicable: number;
  /** Respondents with at least one invalid or out-of-range answer in this score (treated as missing). */
  readonly withInvalid: number;
  /** Item columns of this score that the dataset does not have (treated as unanswered). */
  readonly missingColumns: readonly string[];
}

interface ScoringReport {
  readonly n: number;
  readonly perScore: readonly ScoreSummary[];
  /** Per respondent: how many of the reported scores are missing, and why. */
  readonly perRespondent: {
    readonly missing: Uint16Array;
    readonly noneAnswered: Uint16Array;
    readonly tooFewAnswered: Uint16Array;
  };
  /** Respondents with every reported score computed. */
  readonly complete: number;
}

export interface ScoredDataset {
  readonly n: number;
  /** Reported scores, in plan order (official scores then domains, per instrument). */
  readonly scores: readonly ScoreColumn[];
  readonly safety: readonly SafetyColumn[];
  readonly report: ScoringReport;
}

/** Index of the band a value falls in: the last band with `min` ≤ value; −1 for NaN, no bands, or below the first. */
export function bandIndex(value: number, bands: readonly Pick<Band, 'min'>[] | undefined): number {
  if (!bands || Number.isNaN(value)) return -1;
  let b = -1;
  for (let k = 0; k < bands.length; k++) if (value >= at(bands, k).min) b = k;
  return b;
}

/**
 * The name of a band in expressions (`band.<score id> = "Severe"`) and in follow-up attributes: its English
 * label, or its first label when it has no English one.
 */
export function bandName(band: Pick<Band, 'label'>): string {
  return band.label.en ?? Object.values(band.label)[0] ?? '';
}

/** Reverse keying on a scale from `min` to `max`: min + max − value. */
export function reverseValue(value: number, min: number, max: number): number {
  return min + max - value;
}

const MAX_MASK = 4096;

function validity(it: PlannedItem): { mask?: Uint8Array; values?: readonly number[] } {
  const vals = it.values;
  if (!vals) return {};
  if (vals.every(Number.isInteger) && it.max - it.min <= MAX_MASK) {
    const mask = new Uint8Array(it.max - it.min + 1);
    for (const x of vals) mask[x - it.min] = 1;
    return { mask };
  }
  return { values: vals };
}

function computeScore(
  ds: Dataset,
  ps: PlannedScore,
): { col: ScoreColumn; invalid: Uint8Array; missingColumns: string[] } {
  const n = ds.n;
  const sum = new Float64Array(n);
  const nAnswered = new Uint16Array(n);
  const nNotApplicable = new Uint16Array(n);
  const invalid = new Uint8Array(n);
  const missingColumns: string[] = [];
  // Local constants: keep module-object property reads out of the hot loops.
  const ANSWERED: number = AnswerStatus.ANSWERED;
  const NA: number = AnswerStatus.NOT_APPLICABLE;
  const INVALID: number = AnswerStatus.INVALID;
  for (const it of ps.items) {
    const c = ds.columns.get(it.id);
    if (c?.kind !== 'numeric') {
      missingColumns.push(it.id);
      continue;
    }
    const v = c.values;
    const st = c.status;
    const lo = it.min;
    const hi = it.max;
    const sign = it.reverse ? -1 : 1;
    const shift = it.reverse ? lo + hi : 0;
    const valid = validity(it);
    if (valid.mask) {
      // Integer option values in a small range: `mask[x − lo] === 1` exactly for allowed x (a typed array
      // read at a fractional, negative or too large index is undefined).
      const mask = valid.mask;
      for (let i = 0; i < n; i++) {
        const s = atU8(st, i);
        if (s === ANSWERED) {
          const x = atF64(v, i);
          if (mask[x - lo] === 1) {
            sum[i] = (sum[i] ?? 0) + shift + sign * x;
            nAnswered[i] = (nAnswered[i] ?? 0) + 1;
          } else invalid[i] = 1;
        } else if (s === NA) nNotApplicable[i] = (nNotApplicable[i] ?? 0) + 1;
        else if (s === INVALID) invalid[i] = 1;
      }
    } else {
      const allowed = valid.values;
      for (let i = 0; i < n; i++) {
        const s = atU8(st, i);
        if (s === ANSWERED) {
          const x = atF64(v, i);
          if (x >= lo && x <= hi && (allowed === undefined || allowed.includes(x))) {
            sum[i] = (sum[i] ?? 0) + shift + sign * x;
            nAnswered[i] = (nAnswered[i] ?? 0) + 1;
          } else invalid[i] = 1;
        } else if (s === NA) nNotApplicable[i] = (nNotApplicable[i] ?? 0) + 1;
        else if (s === INVALID) invalid[i] = 1;
      }
    }
  }
  const values = new Float64Array(n);
  const band = new Int16Array(n);
  const reason = new Uint8Array(n);
  const min = ps.minAnswered;
  const mult = ps.def.multiplier;
  const nItems = ps.items.length;
  const method = ps.def.method;
  const bands = ps.def.bands;
  const mins = bands ? Float64Array.from(bands, (b) => b.min) : new Float64Array(0);
  const nb = mins.length;
  for (let i = 0; i < n; i++) {
    const k = atU16(nAnswered, i);
    if (k < min || k === 0) {
      values[i] = Number.NaN;
      band[i] = -1;
      reason[i] = k === 0 ? ScoreReason.NONE_ANSWERED : ScoreReason.TOO_FEW_ANSWERED;
      continue;
    }
    // One division at the end keeps integer results exact (e.g. 30 × 7 × 2 / 6 = 70).
    const x =
      method === 'sum'
        ? atF64(sum, i) * mult
        : method === 'mean'
          ? (atF64(sum, i) * mult) / k
          : (atF64(sum, i) * nItems * mult) / k;
    values[i] = x;
    let b = -1;
    for (let j = 0; j < nb; j++) if (x >= atF64(mins, j)) b = j;
    band[i] = b;
  }
  return {
    col: {
      id: ps.id,
      def: ps.def,
      instrumentId: ps.instrumentId,
      official: ps.official,
      source: ps.source,
      items: ps.items,
      minAnswered: ps.minAnswered,
      values,
      nAnswered,
      nNotApplicable,
      band,
      reason,
    },
    invalid,
    missingColumns,
  };
}

/**
 * One item's values as a score counts them: the keyed value (`min + max − value` for a reverse-keyed item) where
 * the answer counts — ANSWERED and one of the item's option values (or within [min, max] for a number item) — and
 * NaN everywhere else (skipped, not shown, "not applicable", invalid, or no column in the dataset).
 * Statistics about a score's items (reliability) use these so they read exactly the numbers the score adds up.
 */
export function keyedItemValues(ds: Dataset, it: PlannedItem): Float64Array {
  const out = new Float64Array(ds.n).fill(Number.NaN);
  const c = ds.columns.get(it.id);
  if (c?.kind !== 'numeric') return out;
  const { mask, values: allowed } = validity(it);
  for (let i = 0; i < ds.n; i++) {
    if (c.status[i] !== AnswerStatus.ANSWERED) continue;
    const x = atF64(c.values, i);
    const ok = mask
      ? mask[x - it.min] === 1
      : x >= it.min && x <= it.max && (allowed === undefined || allowed.includes(x));
    if (ok) out[i] = it.reverse ? reverseValue(x, it.min, it.max) : x;
  }
  return out;
}

/**
 * Score a dataset with a plan: every planned score (values, n used, n "not applicable", band, reason),
 * every safety rule (flags), and a report of what is missing and why.
 *
 * Item values are read from the dataset's numeric columns (`values` + `status`); a column the dataset
 * lacks counts as unanswered and is named in the report. Cost: one pass per item per score over typed
 * arrays, then one pass per safety rule.
 */
export function scoreDataset(dataset: Dataset, plan: ScoringPlan): ScoredDataset {
  const n = dataset.n;
  const all = plan.scores.map((ps) => ({ ps, ...computeScore(dataset, ps) }));
  const scoreById = new Map(all.map((a) => [a.ps.id, a.col]));

  // Safety rules: references are bound to columns once, then each rule is evaluated per row.
  const bindRef = (scope: RefScope, id: string): ((row: number) => ExprValue) => {
    if (scope === 'score') {
      const sc = scoreById.get(id);
      if (!sc) return () => null;
      const v = sc.values;
      return (row) => atF64(v, row);
    }
    if (scope === 'band') {
      const sc = scoreById.get(id);
      const names = (sc?.def.bands ?? []).map(bandName);
      if (!sc || !names.length) return () => null;
      const b = sc.band;
      return (row) => names[at(b, row)] ?? null;
    }
    const c: Column | undefined = dataset.columns.get(id);
    if (c && c.kind === 'numeric') {
      const { values, status } = c;
      const ANSWERED: number = AnswerStatus.ANSWERED;
      return (row) => (status[row] === ANSWERED ? atF64(values, row) : null);
    }
    if (c && c.kind === 'text') {
      const values = c.values;
      return (row) => values[row] ?? null;
    }
    return () => null;
  };
  const safety: SafetyColumn[] = plan.safety.map((rule) => {
    const f = compileExpressionWith<number>(rule.expr, bindRef);
    const flags = new Uint8Array(n);
    let nFlagged = 0;
    for (let row = 0; row < n; row++) {
      if (truth(f(row)) === true) {
        flags[row] = 1;
        nFlagged++;
      }
    }
    return {
      id: rule.id,
      instrumentId: rule.instrumentId,
      description: rule.description,
      when: rule.when,
      flags,
      nFlagged,
    };
  });

  const reported = all.filter((a) => a.ps.reported);
  const missing = new Uint16Array(n);
  const noneAnswered = new Uint16Array(n);
  const tooFewAnswered = new Uint16Array(n);
  const perScore: ScoreSummary[] = reported.map(({ ps, col, invalid, missingColumns }) => {
    let computed = 0;
    let none = 0;
    let few = 0;
    let withNA = 0;
    let withInvalid = 0;
    const r = col.reason;
    for (let i = 0; i < n; i++) {
      const ri = atU8(r, i);
      if (ri === ScoreReason.OK) computed++;
      else {
        missing[i] = (missing[i] ?? 0) + 1;
        if (ri === ScoreReason.NONE_ANSWERED) {
          none++;
          noneAnswered[i] = (noneAnswered[i] ?? 0) + 1;
        } else {
          few++;
          tooFewAnswered[i] = (tooFewAnswered[i] ?? 0) + 1;
        }
      }
      if (atU16(col.nNotApplicable, i) > 0) withNA++;
      if (invalid[i]) withInvalid++;
    }
    return {
      id: ps.id,
      instrumentId: ps.instrumentId,
      official: ps.official,
      minAnswered: ps.minAnswered,
      computed,
      noneAnswered: none,
      tooFewAnswered: few,
      withNotApplicable: withNA,
      withInvalid,
      missingColumns,
    };
  });
  let complete = 0;
  for (let i = 0; i < n; i++) if (missing[i] === 0) complete++;
  return {
    n,
    scores: reported.map((a) => a.col),
    safety,
    report: { n, perScore, perRespondent: { missing, noneAnswered, tooFewAnswered }, complete },
  };
}

/** One respondent's answer to an item: a number or text (answered), null (skipped), or an explicit status. */
type RespondentAnswer =
  | number
  | string
  | null
  | { readonly status: AnswerStatus; readonly value?: number | string | null };

export interface RespondentScore {
  readonly id: string;
  readonly instrumentId: string;
  readonly official: boolean;
  readonly source: 'instrument' | 'study';
  /** null when not computable. */
  readonly value: number | null;
  readonly nAnswered: number;
  readonly nNotApplicable: number;
  readonly minAnswered: number;
  readonly bandIndex: number;
  readonly band: Band | null;
  readonly reason: keyof typeof ScoreReason;
}

interface RespondentSafety {
  readonly id: string;
  readonly instrumentId: string;
  readonly description: string;
  readonly flagged: boolean;
}

export interface RespondentResult {
  readonly scores: readonly RespondentScore[];
  readonly safety: readonly RespondentSafety[];
  /** True when any safety rule fired: show the study's support contacts. */
  readonly flagged: boolean;
}

/** Indexed by the `ScoreReason` code. */
const REASON_KEYS: readonly (keyof typeof ScoreReason)[] = ['OK', 'NONE_ANSWERED', 'TOO_FEW_ANSWERED'];

/**
 * Stored answers → what {@link scoreRespondent} takes, for the items `ids` (default: every answer). A value
 * is a number; "not applicable", "not shown" and "skipped" keep their status; text and multiple choices,
 * which no score uses, are invalid for scoring.
 */
export function scoringAnswers(
  answers: Readonly<Record<string, Answer | undefined>>,
  ids: Iterable<string> = Object.keys(answers),
): Record<string, RespondentAnswer> {
  const out: Record<string, RespondentAnswer> = {};
  for (const id of ids) {
    const a = answers[id];
    if (!a) continue;
    switch (a.kind) {
      case 'value':
        out[id] = a.value;
        break;
      case 'na':
        out[id] = { status: AnswerStatus.NOT_APPLICABLE };
        break;
      case 'not_shown':
        out[id] = { status: AnswerStatus.NOT_SHOWN };
        break;
      case 'skipped':
        out[id] = null;
        break;
      default:
        out[id] = { status: AnswerStatus.INVALID };
    }
  }
  return out;
}

/**
 * Score one respondent's answers (e.g. right after a submission, for the safety check). Uses exactly the
 * same code as `scoreDataset`, on a one-row dataset. Items absent from `answers` count as skipped.
 *
 * @example
 * scoreRespondent({ phq9_1: 0, phq9_9: 1, bace3_14: { status: AnswerStatus.NOT_APPLICABLE } }, plan)
 */
export function scoreRespondent(
  answers: Readonly<Record<string, RespondentAnswer>>,
  plan: ScoringPlan,
): RespondentResult {
  const columns = new Map<string, Column>();
  for (const [id, a] of Object.entries(answers)) {
    const status =
      a === null ? AnswerStatus.SKIPPED : typeof a === 'object' ? a.status : AnswerStatus.ANSWERED;
    const value = a === null ? null : typeof a === 'object' ? (a.value ?? null) : a;
    if (typeof value === 'string') {
      columns.set(id, { kind: 'text', id, values: [status === AnswerStatus.ANSWERED ? value : null] });
    } else {
      const answered = status === AnswerStatus.ANSWERED && typeof value === 'number' && !Number.isNaN(value);
      columns.set(id, {
        kind: 'numeric',
        id,
        values: Float64Array.of(answered ? (value as number) : Number.NaN),
        status: Uint8Array.of(status === AnswerStatus.ANSWERED && !answered ? AnswerStatus.INVALID : status),
      });
    }
  }
  const scored = scoreDataset({ n: 1, columns }, plan);
  const scores: RespondentScore[] = scored.scores.map((c) => {
    const b = at(c.band, 0);
    const v = at(c.values, 0);
    return {
      id: c.id,
      instrumentId: c.instrumentId,
      official: c.official,
      source: c.source,
      value: Number.isNaN(v) ? null : v,
      nAnswered: at(c.nAnswered, 0),
      nNotApplicable: at(c.nNotApplicable, 0),
      minAnswered: c.minAnswered,
      bandIndex: b,
      band: b >= 0 && c.def.bands ? at(c.def.bands, b) : null,
      reason: at(REASON_KEYS, at(c.reason, 0)),
    };
  });
  const safety: RespondentSafety[] = scored.safety.map((s) => ({
    id: s.id,
    instrumentId: s.instrumentId,
    description: s.description,
    flagged: s.flags[0] === 1,
  }));
  return { scores, safety, flagged: safety.some((s) => s.flagged) };
}
