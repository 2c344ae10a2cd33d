/**
 * The variable list of a study's export, built once from the resolved study: response metadata, the
 * screening questions, every instrument item and study question, optionally free text, and optionally the
 * scores (value, band, items used). Every format (.sav, CSV, XLSX, codebook) is written from this list, so
 * names, labels, value labels and missing codes agree across them.
 */

import type { Instrument, Item, LocalizedText, ResponseOption, Score } from '../../core/instrument/schema.js';
import { LIMITS } from '../../core/response/submission.js';
import { buildScoringPlan, type PlannedScore } from '../../core/scoring/plan.js';
import { at } from '../../core/stats/at.js';
import { shortLabel } from '../../core/study/questions.js';
import { type ResolvedStudy, resolvedLookup } from '../../core/study/resolve.js';
import {
  DEFAULT_EXPORT_OPTIONS,
  type ExportOptions,
  type ExportVariable,
  type InstrumentInfo,
  MISSING_CODES,
  type MissingCode,
  type ValueLabel,
  type VariableGroup,
} from './model.js';

/** Longest variable name, in bytes (SPSS). */
const MAX_NAME_BYTES = 64;
/** Longest string value SPSS stores, in bytes. */
const MAX_STRING_BYTES = 32767;

/** SPSS reserved words, which cannot be variable names. */
const RESERVED = new Set(['ALL', 'AND', 'BY', 'EQ', 'GE', 'GT', 'LE', 'LT', 'NE', 'NOT', 'OR', 'TO', 'WITH']);

/** Labels of the 0/1 values of a multiple-choice option variable. */
const CHOICE_LABELS: readonly ValueLabel[] = [
  { value: 0, label: 'Not chosen' },
  { value: 1, label: 'Chosen' },
];

/**
 * Make a candidate into a valid SPSS variable name: characters other than ASCII letters, digits and `_`
 * become `_`, a name not starting with a letter gets a leading `v`, a reserved word (`to`, `by`, …) gets a
 * trailing `_`, and the result is cut to 64 bytes.
 */
export function spssSafeName(candidate: string): string {
  let s = candidate.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(s)) s = `v${s}`;
  s = s.slice(0, MAX_NAME_BYTES);
  if (RESERVED.has(s.toUpperCase())) s = `${s}_`;
  return s;
}

/**
 * Hands out unique names (SPSS compares names ignoring case): the first request for a name gets it, later
 * ones get `_2`, `_3`, … (the stem cut so the whole stays within 64 bytes).
 */
export class NameAllocator {
  readonly #taken = new Set<string>();

  /** Reserve a name without checking (e.g. names fixed by other means). Returns false when already taken. */
  reserve(name: string): boolean {
    const key = name.toUpperCase();
    if (this.#taken.has(key)) return false;
    this.#taken.add(key);
    return true;
  }

  allocate(candidate: string): string {
    const base = spssSafeName(candidate);
    if (this.reserve(base)) return base;
    for (let k = 2; ; k++) {
      const suffix = `_${k}`;
      const name = base.slice(0, MAX_NAME_BYTES - suffix.length) + suffix;
      if (this.reserve(name)) return name;
    }
  }
}

/** English text, else the first language given. */
function englishText(t: LocalizedText | undefined): string | undefined {
  if (!t) return undefined;
  return t.en ?? Object.values(t)[0];
}

/** A multiple-choice option's value as part of a variable name: `-1` → `m1`, `2.5` → `2_5`. */
function optionNamePart(value: number): string {
  return String(value)
    .replace(/^-/, 'm')
    .replace(/[^A-Za-z0-9]/g, '_');
}

/**
 * Missing codes for an item: -9 skipped, -8 not applicable, -7 not shown; when one of the item's own valid
 * values could equal one of them (an option value, or a number item whose range reaches down to -9), the
 * codes move out to -99/-98/-97, then -999/-998/-997, … up to -999999999/-999999998/-999999997.
 */
export function missingCodesFor(item: Item, options: readonly ResponseOption[] | undefined): MissingCode[] {
  const collides = (codes: readonly number[]): boolean => {
    if (item.type === 'number') {
      const lo = item.min ?? Number.NEGATIVE_INFINITY;
      const hi = item.max ?? Number.POSITIVE_INFINITY;
      if (codes.some((c) => c >= lo && c <= hi)) return true;
    }
    return options?.some((o) => codes.includes(o.value)) ?? false;
  };
  for (let k = 1; ; k++) {
    const skipped = -(10 ** k - 1); // -9, -99, -999, …
    const codes = [skipped, skipped + 1, skipped + 2];
    if (!collides(codes) || k === 9) {
      return [
        { ...MISSING_CODES.skipped, value: skipped },
        { ...MISSING_CODES.not_applicable, value: skipped + 1 },
        { ...MISSING_CODES.not_shown, value: skipped + 2 },
      ];
    }
  }
}

function instrumentInfo(ins: Instrument): InstrumentInfo {
  return {
    id: ins.id,
    version: ins.version,
    shortTitle: ins.shortTitle,
    title: englishText(ins.title) ?? ins.shortTitle,
    citation: ins.citation,
    licenceName: ins.licence.name,
    attribution: ins.licence.attribution,
    ...(ins.licence.url ? { url: ins.licence.url } : {}),
    ...(ins.appliedTextPacks?.length ? { textPacks: ins.appliedTextPacks } : {}),
  };
}

function itemOptions(item: Item, ins: Instrument | undefined): readonly ResponseOption[] | undefined {
  if (item.type === 'scale') return ins?.scales.find((s) => s.id === item.scale)?.options;
  if (item.type === 'single' || item.type === 'multiple') return item.options;
  return undefined;
}

function itemLabel(item: Item, ins: Instrument | undefined): string {
  const text = englishText(item.text);
  if (text) return text;
  if (ins) {
    const n = ins.items.findIndex((it) => it.id === item.id) + 1;
    return `${ins.shortTitle} item ${n} (text not included: licensed)`;
  }
  return item.id;
}

function itemScoring(
  item: Item,
  ins: Instrument | undefined,
  opts: readonly ResponseOption[] | undefined,
): string | undefined {
  if (!ins) return undefined;
  const parts: string[] = [];
  if (!item.scored) parts.push('not scored');
  else if (item.reverse && opts && opts.length > 0) {
    const vals = opts.map((o) => o.value);
    parts.push(`reverse keyed when scored: ${Math.min(...vals)} + ${Math.max(...vals)} − value`);
  }
  if (item.showIf) parts.push(`shown only when ${item.showIf}`);
  return parts.length ? parts.join('; ') : undefined;
}

function fmtNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
}

/** A one-line description of how a score is computed, for the codebook. */
function describeScore(ps: PlannedScore): string {
  const def: Score = ps.def;
  const n = ps.items.length;
  const method =
    def.method === 'sum' ? 'Sum' : def.method === 'mean' ? 'Mean' : 'Prorated sum (mean × number of items)';
  const items =
    n <= 3 ? ps.items.map((i) => i.id).join(', ') : `${at(ps.items, 0).id} … ${at(ps.items, n - 1).id}`;
  const parts = [`${method} of ${n} items (${items})`];
  const rev = ps.items.filter((i) => i.reverse).map((i) => i.id);
  if (rev.length) parts.push(`reverse keyed: ${rev.join(', ')}`);
  if (def.multiplier !== 1) parts.push(`× ${fmtNumber(def.multiplier)}`);
  parts.push(`needs at least ${ps.minAnswered} answered item${ps.minAnswered === 1 ? '' : 's'}`);
  if (def.bands?.length) {
    parts.push(
      `bands: ${def.bands.map((b) => `${englishText(b.label) ?? ''} from ${fmtNumber(b.min)}`).join(', ')}`,
    );
  }
  parts.push(ps.official ? "the instrument owner's scoring" : "the study's own domain (not official)");
  const text = parts.join('; ');
  return def.description ? `${def.description}. ${text}` : text;
}

function scoreDecimals(ps: PlannedScore): number {
  if (ps.def.method !== 'sum') return 2;
  const ints = ps.items.every((i) => i.values?.every(Number.isInteger) ?? false);
  return ints && Number.isInteger(ps.def.multiplier) ? 0 : 2;
}

/**
 * Width in bytes of a free-text item's string variable: the observed maximum when given, otherwise the
 * item's maximum length in characters × 4 (the most bytes a character takes in UTF-8), at most 32,767.
 */
function textWidth(item: Item, options: ExportOptions): number {
  const observed = options.stringWidths?.[item.id];
  const maxChars = item.maxLength ?? (item.type === 'longtext' ? LIMITS.longtext : LIMITS.text);
  const w = observed !== undefined ? Math.max(1, Math.ceil(observed)) : maxChars * 4;
  return Math.min(MAX_STRING_BYTES, w);
}

/**
 * Build the variables of a study's export, in column order:
 * 1. `response_id`, `submitted_on` (a date), `submitted_at` (only with `includeTimes`), `language`,
 *    `referral_wave` (only when the study uses referral links), `source` (only with `includeSource`),
 *    `consent_version` (only when the study asks for consent: the version each respondent agreed to),
 *    `panel_id` (only with `includePanel`: a follow-up wave's pseudonymous panel id);
 * 2. the screening questions, then each instrument's items and the study's questions (`resolved.variables`
 *    order); a multiple-choice item becomes one 0/1 variable per option, `<id>__<value>`, labelled
 *    "<item>: <option>"; text and longtext items only with `includeFreeText`;
 * 3. with `includeScores`, per reported score: `<score>` (the score), `<score>_band` (1 = first band, when
 *    the score has bands) and `<score>_n` (items answered, the n the score used).
 *
 * Item and question ids are the variable names (they are SPSS-safe already; a reserved word such as `to`
 * gets a trailing `_`). Item variables declare -9 skipped, -8 not applicable, -7 not shown as user-missing
 * (see `missingCodesFor` for items whose values could collide). Scores that cannot be computed are
 * system-missing (empty).
 *
 * Throws when the study's scoring plan is invalid (a resolved study always has a valid one).
 */
export function buildVariables(
  resolved: ResolvedStudy,
  options: Partial<ExportOptions> = {},
): ExportVariable[] {
  const opts: ExportOptions = { ...DEFAULT_EXPORT_OPTIONS, ...options };
  const study = resolved.study;
  const names = new NameAllocator();
  const sectionOf = new Map<string, string>();
  for (const sec of study.sections) {
    const title = englishText(sec.title);
    if (title) for (const id of sec.items) sectionOf.set(id, title);
  }
  const infos = new Map(resolved.instruments.map((ins) => [ins.id, instrumentInfo(ins)]));

  // Items first: their ids are the documented variable names, so they win any clash with generated names.
  const itemVars: ExportVariable[] = [];
  const addItem = (item: Item, ins: Instrument | undefined, group: VariableGroup): void => {
    const opts_ = itemOptions(item, ins);
    const label = itemLabel(item, ins);
    const scoring = itemScoring(item, ins, opts_);
    const short = item.short || item.text ? shortLabel(item) : undefined;
    const base = { group, ...(scoring ? { scoring } : {}), ...(short ? { short } : {}) };
    switch (item.type) {
      case 'scale':
      case 'single': {
        const missing = missingCodesFor(item, opts_);
        const decimals = opts_?.every((o) => Number.isInteger(o.value)) === false ? 2 : 0;
        itemVars.push({
          ...base,
          name: names.allocate(item.id),
          label,
          type: 'numeric',
          format: { type: 'F', width: 8, decimals },
          measure: item.type === 'scale' ? 'ordinal' : 'nominal',
          valueLabels: (opts_ ?? []).map((o) => ({
            value: o.value,
            label: englishText(o.label) ?? String(o.value),
          })),
          missing,
          source: { kind: 'item', itemId: item.id },
        });
        return;
      }
      case 'number': {
        const decimals = item.integer ? 0 : 2;
        const bounded =
          item.min !== undefined &&
          item.max !== undefined &&
          Math.max(Math.abs(item.min), Math.abs(item.max)) < 1e5;
        itemVars.push({
          ...base,
          name: names.allocate(item.id),
          label,
          type: 'numeric',
          format: { type: 'F', width: bounded ? 8 : 12, decimals },
          measure: 'scale',
          valueLabels: [],
          missing: missingCodesFor(item, undefined),
          source: { kind: 'item', itemId: item.id },
        });
        return;
      }
      case 'multiple': {
        const missing = missingCodesFor(
          item,
          CHOICE_LABELS.map((l) => ({ value: l.value, label: { en: l.label } })),
        );
        for (const o of opts_ ?? []) {
          const optionLabel = englishText(o.label) ?? String(o.value);
          itemVars.push({
            ...base,
            name: names.allocate(`${item.id}__${optionNamePart(o.value)}`),
            label: `${label}: ${optionLabel}`,
            ...(short ? { short: `${short}: ${optionLabel}` } : {}),
            type: 'numeric',
            format: { type: 'F', width: 8, decimals: 0 },
            measure: 'nominal',
            valueLabels: CHOICE_LABELS,
            missing,
            source: { kind: 'choice', itemId: item.id, value: o.value, itemLabel: label, optionLabel },
          });
        }
        return;
      }
      case 'text':
      case 'longtext': {
        if (!opts.includeFreeText) return;
        itemVars.push({
          ...base,
          name: names.allocate(item.id),
          label,
          type: 'string',
          format: { type: 'A', width: textWidth(item, opts) },
          measure: 'nominal',
          valueLabels: [],
          missing: [],
          source: { kind: 'item', itemId: item.id },
        });
        return;
      }
    }
  };
  for (const q of study.collection.eligibility?.questions ?? []) addItem(q, undefined, { kind: 'screening' });
  for (const { item, instrument, grid } of resolved.variables.values()) {
    if (instrument)
      addItem(item, instrument, {
        kind: 'instrument',
        instrument: infos.get(instrument.id) ?? instrumentInfo(instrument),
      });
    else {
      const section = sectionOf.get(item.id) ?? (grid ? sectionOf.get(grid.question.id) : undefined);
      addItem(item, undefined, {
        kind: 'question',
        ...(section ? { section } : {}),
        ...(grid ? { grid: shortLabel(grid.question) } : {}),
      });
    }
  }

  const response = { kind: 'response' } as const;
  const meta: ExportVariable[] = [
    {
      name: names.allocate('response_id'),
      label: 'Response identifier (random; not linked to any person)',
      type: 'string',
      format: { type: 'A', width: 64 },
      measure: 'nominal',
      valueLabels: [],
      missing: [],
      group: response,
      source: { kind: 'response_id' },
    },
    {
      name: names.allocate('submitted_on'),
      label: 'Date submitted',
      type: 'numeric',
      format: { type: 'SDATE' },
      measure: 'scale',
      valueLabels: [],
      missing: [],
      group: response,
      source: { kind: 'submitted_on' },
    },
  ];
  if (opts.includeTimes) {
    meta.push({
      name: names.allocate('submitted_at'),
      label: 'Time submitted (UTC)',
      type: 'numeric',
      format: { type: 'YMDHMS' },
      measure: 'scale',
      valueLabels: [],
      missing: [],
      group: response,
      source: { kind: 'submitted_at' },
    });
  }
  meta.push({
    name: names.allocate('language'),
    label: 'Language of the answers',
    type: 'string',
    format: { type: 'A', width: 16 },
    measure: 'nominal',
    valueLabels: [],
    missing: [],
    group: response,
    source: { kind: 'language' },
  });
  /** A whole-number response variable (a wave, a version). */
  const ordinal = (kind: 'referral_wave' | 'consent_version', label: string): ExportVariable => ({
    name: names.allocate(kind),
    label,
    type: 'numeric',
    format: { type: 'F', width: 8, decimals: 0 },
    measure: 'ordinal',
    valueLabels: [],
    missing: [],
    group: response,
    source: { kind },
  });
  if (study.collection.referrals)
    meta.push(
      ordinal(
        'referral_wave',
        'Recruitment wave (0 = the study link, 1 = referred by a wave-0 respondent, …)',
      ),
    );
  if (opts.includeSource) {
    meta.push({
      name: names.allocate('source'),
      label: 'Where the response came from: collected, or imported:<SHA-256 prefix of the imported file>',
      type: 'string',
      format: { type: 'A', width: 32 },
      measure: 'nominal',
      valueLabels: [],
      missing: [],
      group: response,
      source: { kind: 'source' },
    });
  }
  if (opts.includePanel) {
    meta.push({
      name: names.allocate('panel_id'),
      label:
        'Panel id: the same volunteer in every follow-up wave of the screening study (a keyed hash, not a name)',
      type: 'string',
      format: { type: 'A', width: 32 },
      measure: 'nominal',
      valueLabels: [],
      missing: [],
      group: response,
      source: { kind: 'panel_id' },
    });
  }
  if (study.collection.consent)
    meta.push(
      ordinal(
        'consent_version',
        'Consent version agreed to (empty: imported, or stored before consent was recorded)',
      ),
    );

  const scoreVars: ExportVariable[] = [];
  if (opts.includeScores) {
    const planned = buildScoringPlan(study, resolvedLookup(resolved));
    if (!planned.ok) {
      throw new Error(
        `the study's scoring plan is invalid: ${planned.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    }
    const plan = planned.value;
    for (const ps of plan.scores) {
      if (!ps.reported) continue;
      const info = infos.get(ps.instrumentId);
      if (!info) continue;
      const group: VariableGroup = { kind: 'score', instrument: info, scoreId: ps.id, official: ps.official };
      const label = englishText(ps.def.label) ?? ps.id;
      const scoring = describeScore(ps);
      scoreVars.push({
        name: names.allocate(ps.id),
        label: `${label}${ps.official ? '' : ' (study domain)'}`,
        type: 'numeric',
        format: { type: 'F', width: 8, decimals: scoreDecimals(ps) },
        measure: 'scale',
        valueLabels: [],
        missing: [],
        group,
        source: { kind: 'score', scoreId: ps.id, part: 'value', plan },
        scoring,
      });
      if (ps.def.bands?.length) {
        scoreVars.push({
          name: names.allocate(`${ps.id}_band`),
          label: `${label}: band`,
          type: 'numeric',
          format: { type: 'F', width: 8, decimals: 0 },
          measure: 'ordinal',
          valueLabels: ps.def.bands.map((b, k) => ({
            value: k + 1,
            label: englishText(b.label) ?? `band ${k + 1}`,
          })),
          missing: [],
          group,
          source: { kind: 'score', scoreId: ps.id, part: 'band', plan },
          scoring: `band of ${ps.id}: ${ps.def.bands.map((b, k) => `${k + 1} = ${englishText(b.label) ?? ''} (from ${fmtNumber(b.min)})`).join(', ')}; empty when the score is missing or below the first band`,
        });
      }
      scoreVars.push({
        name: names.allocate(`${ps.id}_n`),
        label: `${label}: items answered (of ${ps.items.length})`,
        type: 'numeric',
        format: { type: 'F', width: 8, decimals: 0 },
        measure: 'scale',
        valueLabels: [],
        missing: [],
        group,
        source: { kind: 'score', scoreId: ps.id, part: 'n_answered', plan },
        scoring: `items of ${ps.id} answered with a valid value (not skipped, not "not applicable"); the score needs at least ${ps.minAnswered}`,
      });
    }
  }
  return [...meta, ...itemVars, ...scoreVars];
}
