/**
 * Records → row values, one record at a time, and the helpers the writers share to show a value as a code
 * or a label. Nothing here holds more than the current record.
 */

import type { Answer } from '../../core/response/submission.js';
import type { ScoringPlan } from '../../core/scoring/plan.js';
import { type RespondentScore, scoreRespondent, scoringAnswers } from '../../core/scoring/score.js';
import { at } from '../../core/stats/at.js';
import type { ExportRecord, ExportVariable, MissingCode, MissingKind, RowValue } from './model.js';

function missingValue(v: ExportVariable, kind: MissingKind): number | null {
  const m = v.missing.find((c) => c.kind === kind);
  return m ? m.value : null;
}

/** The missing code of a skipped, not-applicable or not-shown answer; `null` (system-missing) for any other. */
function missingAnswerValue(v: ExportVariable, a: Answer): number | null {
  switch (a.kind) {
    case 'skipped':
      return missingValue(v, 'skipped');
    case 'na':
      return missingValue(v, 'not_applicable');
    case 'not_shown':
      return missingValue(v, 'not_shown');
    default:
      return null;
  }
}

/** A numeric item's value: the answer, or its missing code; `null` (system-missing) when the item is absent. */
function numericItemValue(v: ExportVariable, a: Answer | undefined): number | null {
  if (!a) return null;
  return a.kind === 'value' ? a.value : missingAnswerValue(v, a);
}

/** One option of a multiple-choice item: 1 chosen, 0 not chosen, or the answer's missing code. */
function choiceValue(v: ExportVariable, a: Answer | undefined, option: number): number | null {
  if (!a) return null;
  return a.kind === 'choices' ? (a.values.includes(option) ? 1 : 0) : missingAnswerValue(v, a);
}

/**
 * A function turning one record into its row values, in variable order (see `RowValue`). Scores are
 * computed once per record with `scoreRespondent`, only when the variables include scores.
 */
export function createRowEncoder(variables: readonly ExportVariable[]): (record: ExportRecord) => RowValue[] {
  let plan: ScoringPlan | undefined;
  for (const v of variables) if (v.source.kind === 'score') plan = v.source.plan;
  const scoredIds = plan ? [...new Set(plan.scores.flatMap((s) => s.items.map((i) => i.id)))] : [];
  return (record) => {
    let scores: Map<string, RespondentScore> | undefined;
    if (plan) {
      const result = scoreRespondent(scoringAnswers(record.answers, scoredIds), plan);
      scores = new Map(result.scores.map((s) => [s.id, s]));
    }
    const row: RowValue[] = new Array(variables.length);
    for (let i = 0; i < variables.length; i++) {
      const v = at(variables, i);
      const s = v.source;
      switch (s.kind) {
        case 'response_id':
          row[i] = record.responseId;
          break;
        case 'submitted_on':
          row[i] = record.submittedOn || null;
          break;
        case 'submitted_at':
          row[i] = record.submittedAt ?? null;
          break;
        case 'language':
          row[i] = record.language;
          break;
        case 'referral_wave':
          row[i] = record.referralWave ?? null;
          break;
        case 'source':
          row[i] = record.source ?? 'collected';
          break;
        case 'consent_version':
          row[i] = record.consentVersion ?? null;
          break;
        case 'panel_id':
          row[i] = record.panelId ?? '';
          break;
        case 'item': {
          const a = record.answers[s.itemId];
          if (v.type === 'string') row[i] = a?.kind === 'text' ? a.text : '';
          else row[i] = numericItemValue(v, a);
          break;
        }
        case 'choice':
          row[i] = choiceValue(v, record.answers[s.itemId], s.value);
          break;
        case 'score': {
          const sc = scores?.get(s.scoreId);
          if (!sc) row[i] = null;
          else if (s.part === 'value') row[i] = sc.value;
          else if (s.part === 'band') row[i] = sc.bandIndex >= 0 ? sc.bandIndex + 1 : null;
          else row[i] = sc.nAnswered;
          break;
        }
      }
    }
    return row;
  };
}

/** Days from the SPSS epoch (14 October 1582) to the Unix epoch (1 January 1970). */
const SPSS_EPOCH_DAYS = 141428;

/** `YYYY-MM-DD` → seconds since 14 October 1582 (the SPSS date value); `null` when not a valid date. */
export function spssDate(isoDate: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return ms / 1000 + SPSS_EPOCH_DAYS * 86400;
}

/** ISO 8601 date-time → SPSS seconds (UTC, whole seconds); `null` when it does not parse. */
export function spssDateTime(iso: string): number | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return Math.floor(ms / 1000) + SPSS_EPOCH_DAYS * 86400;
}

/** ISO 8601 date-time → `YYYY-MM-DD hh:mm:ss` in UTC, or `null`. */
export function utcDateTimeText(iso: string): string | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** How CSV and XLSX cells show values. */
export interface CellOptions {
  readonly labels: 'labels' | 'codes';
  readonly missing: 'empty' | 'codes';
}

/**
 * Per-variable lookup for showing a numeric value as a cell: its value label (labels mode), its missing
 * code or label (`missing: 'codes'`), `null` for an empty cell (`missing: 'empty'`), or the number.
 */
type CellView = (value: number) => string | number | null;

/** Build the numeric cell view of one variable (the maps are built once per export). */
export function numericCellView(v: ExportVariable, opts: CellOptions): CellView {
  const labels = new Map<number, string>();
  if (opts.labels === 'labels') for (const l of v.valueLabels) labels.set(l.value, l.label);
  const missing = new Map<number, MissingCode>(v.missing.map((m) => [m.value, m]));
  return (value) => {
    const m = missing.get(value);
    if (m) {
      if (opts.missing === 'empty') return null;
      return opts.labels === 'labels' ? m.label : m.value;
    }
    const l = labels.get(value);
    return l ?? value;
  };
}
