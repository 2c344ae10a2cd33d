/**
 * A scoring plan: every score a study computes (the instruments' official scores and the study's own
 * domains), resolved to items with their keys and ranges, plus the instruments' safety rules, parsed.
 * Built once per study by `buildScoringPlan`, then used by `scoreDataset` and `scoreRespondent`.
 */

import { type Expr, expressionRefs, validateExpression } from '../instrument/expression.js';
import type { Instrument, Issue, Item, Score, Validated } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import type { Study } from '../study/schema.js';

/**
 * An item as a score uses it. Reverse keying is `min + max − value`. An answer that is not one of the
 * item's option values (or, for number items, outside [min, max]) is invalid and does not count.
 */
export interface PlannedItem {
  readonly id: string;
  readonly reverse: boolean;
  /** Lowest and highest option value of the item's scale (±Infinity for an unbounded number item). */
  readonly min: number;
  readonly max: number;
  /** The allowed values of a scale or single-choice item; absent for number items (any value in [min, max]). */
  readonly values?: readonly number[];
}

export interface PlannedScore {
  /** The score's id, unique within the plan; also the name `score.<id>` in expressions. */
  readonly id: string;
  /** The score definition (label, method, bands, multiplier, description). */
  readonly def: Score;
  readonly instrumentId: string;
  /** True for the instrument owner's scoring; false for a study's domains and library convenience scores. */
  readonly official: boolean;
  /** 'instrument': defined by the library instrument; 'study': one of the study's own domains. */
  readonly source: 'instrument' | 'study';
  readonly items: readonly PlannedItem[];
  /**
   * The minimum number of answered items (not skipped, not "not applicable", not invalid) for a score,
   * as applied: the definition's `minAnswered`, a plan override, or the default — all items for `sum`
   * and `prorated_sum`, 1 for `mean`.
   */
  readonly minAnswered: number;
  /** False when the study turned official scores off but a safety rule needs this score. */
  readonly reported: boolean;
}

interface PlannedSafetyRule {
  readonly id: string;
  readonly instrumentId: string;
  readonly when: string;
  readonly expr: Expr;
  readonly description: string;
}

export interface ScoringPlan {
  readonly scores: readonly PlannedScore[];
  readonly safety: readonly PlannedSafetyRule[];
  /** Problems that do not stop scoring, e.g. a version mismatch or unacknowledged terms. */
  readonly warnings: readonly Issue[];
}

interface ScoringPlanOptions {
  /** Study-level minimum answered items, by score id (official or domain); overrides the definition. */
  readonly minAnswered?: Readonly<Record<string, number>>;
}

/** The default minimum answered items for a score method: all items for sums, 1 for means. */
function defaultMinAnswered(method: Score['method'], nItems: number): number {
  return method === 'mean' ? 1 : nItems;
}

function itemRange(item: Item, ins: Instrument): { min: number; max: number; values?: number[] } | string {
  let values: number[] | undefined;
  if (item.type === 'scale')
    values = ins.scales.find((s) => s.id === item.scale)?.options.map((o) => o.value);
  else if (item.type === 'single') values = item.options?.map((o) => o.value);
  else if (item.type === 'number') {
    return { min: item.min ?? Number.NEGATIVE_INFINITY, max: item.max ?? Number.POSITIVE_INFINITY };
  } else return `item "${item.id}" is a ${item.type} item and cannot be scored`;
  if (!values || values.length === 0) return `item "${item.id}" has no option values`;
  return {
    min: Math.min(...values),
    max: Math.max(...values),
    values: [...new Set(values)].sort((a, b) => a - b),
  };
}

function planScore(
  def: Score,
  ins: Instrument,
  source: 'instrument' | 'study',
  path: string,
  options: ScoringPlanOptions,
  issues: Issue[],
): Omit<PlannedScore, 'reported'> | undefined {
  const byId = new Map(ins.items.map((it) => [it.id, it]));
  const items: PlannedItem[] = [];
  let bad = false;
  def.items.forEach((id, k) => {
    const it = byId.get(id);
    if (!it) {
      issues.push({
        path: `${path}.items[${k}]`,
        code: 'unknown_item',
        message: `score "${def.id}" uses "${id}", which is not an item of ${ins.id} (its items are ${at(ins.items, 0).id} … ${at(ins.items, ins.items.length - 1).id})`,
      });
      bad = true;
      return;
    }
    if (!it.scored) {
      issues.push({
        path: `${path}.items[${k}]`,
        code: 'unscored_item',
        message: `score "${def.id}" uses "${id}", which ${ins.shortTitle} does not score (e.g. a function item); remove it`,
      });
      bad = true;
      return;
    }
    const range = itemRange(it, ins);
    if (typeof range === 'string') {
      issues.push({
        path: `${path}.items[${k}]`,
        code: 'unscorable_item',
        message: `score "${def.id}": ${range}`,
      });
      bad = true;
      return;
    }
    if (it.reverse && !(Number.isFinite(range.min) && Number.isFinite(range.max))) {
      issues.push({
        path: `${path}.items[${k}]`,
        code: 'unscorable_item',
        message: `score "${def.id}": item "${id}" is reverse keyed but has no minimum and maximum to reverse within; give it min and max`,
      });
      bad = true;
      return;
    }
    items.push({
      id,
      reverse: it.reverse,
      min: range.min,
      max: range.max,
      ...(range.values ? { values: range.values } : {}),
    });
  });
  const override = options.minAnswered?.[def.id];
  const minAnswered = override ?? def.minAnswered ?? defaultMinAnswered(def.method, def.items.length);
  if (!Number.isInteger(minAnswered) || minAnswered < 1 || minAnswered > def.items.length) {
    issues.push({
      path: override !== undefined ? `options.minAnswered.${def.id}` : `${path}.minAnswered`,
      code: 'bad_min_answered',
      message: `score "${def.id}": minimum answered items ${minAnswered} must be a whole number from 1 to its ${def.items.length} items`,
    });
    bad = true;
  }
  if (bad) return undefined;
  return {
    id: def.id,
    def,
    instrumentId: ins.id,
    official: source === 'instrument' && def.official,
    source,
    items,
    minAnswered,
  };
}

/**
 * Build the scoring plan of a study: for each of its instruments (looked up with `getInstrument` — for a
 * resolved study `resolvedLookup(resolved)`, text packs applied — else its own `definition`), the instrument's official scores (unless `officialScores` is false) and the study's own domains (always
 * `official: false`), each tagged with its instrument id; and the instruments' safety rules.
 *
 * Errors (returned as issues, nothing thrown): unknown instrument, a domain item that is not an item of
 * its instrument or is not scored, duplicate score ids, an impossible minimum. Warnings (in the plan):
 * a version mismatch, terms not acknowledged, an unknown id in `options.minAnswered`.
 */
export function buildScoringPlan(
  study: Pick<Study, 'instruments'>,
  getInstrument: (id: string) => Instrument | undefined,
  options: ScoringPlanOptions = {},
): Validated<ScoringPlan> {
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  const scores: PlannedScore[] = [];
  const safety: PlannedSafetyRule[] = [];
  const seen = new Map<string, string>();
  const addScore = (s: Omit<PlannedScore, 'reported'>, reported: boolean, path: string): void => {
    const prev = seen.get(s.id);
    if (prev !== undefined) {
      issues.push({
        path: `${path}.id`,
        code: 'duplicate_score',
        message: `score id "${s.id}" is already used by ${prev}; rename it`,
      });
      return;
    }
    seen.set(
      s.id,
      s.source === 'study' ? `a domain of ${s.instrumentId}` : `${s.instrumentId}'s official scores`,
    );
    scores.push({ ...s, reported });
  };

  study.instruments.forEach((si, i) => {
    const path = `instruments[${i}]`;
    const ins = getInstrument(si.instrument) ?? si.definition;
    if (!ins) {
      issues.push({
        path: `${path}.instrument`,
        code: 'unknown_instrument',
        message: `"${si.instrument}" is not an instrument in the library`,
      });
      return;
    }
    if (si.version !== undefined && si.version !== ins.version) {
      warnings.push({
        path: `${path}.version`,
        code: 'version_mismatch',
        message: `the study expects ${ins.id} version "${si.version}" but the library has "${ins.version}"`,
      });
    }
    if (ins.licence.requiresAcknowledgement && !si.termsAcknowledged) {
      warnings.push({
        path: `${path}.termsAcknowledged`,
        code: 'terms_not_acknowledged',
        message: `${ins.shortTitle} requires its owner's terms to be acknowledged before use`,
      });
    }
    // Scores the instrument's safety rules need are computed even when official scores are off.
    const neededBySafety = new Set<string>();
    const rules: PlannedSafetyRule[] = [];
    const scope = {
      items: new Set(ins.items.map((it) => it.id)),
      scores: new Set(ins.scores.map((s) => s.id)),
    };
    ins.safety.forEach((rule, r) => {
      const v = validateExpression(rule.when, scope, `${path}(${ins.id}).safety[${r}].when`);
      if (!v.ok) {
        issues.push(...v.issues);
        return;
      }
      for (const ref of expressionRefs(v.value)) if (ref.scope === 'score') neededBySafety.add(ref.id);
      rules.push({
        id: rule.id,
        instrumentId: ins.id,
        when: rule.when,
        expr: v.value,
        description: rule.description,
      });
    });
    ins.scores.forEach((def, k) => {
      if (!si.officialScores && !neededBySafety.has(def.id)) return;
      const p = planScore(def, ins, 'instrument', `${path}(${ins.id}).scores[${k}]`, options, issues);
      if (p) addScore(p, si.officialScores, `${path}(${ins.id}).scores[${k}]`);
    });
    si.domains.forEach((d, j) => {
      const p = planScore(d, ins, 'study', `${path}.domains[${j}]`, options, issues);
      if (p) addScore(p, true, `${path}.domains[${j}]`);
    });
    safety.push(...rules);
  });
  for (const id of Object.keys(options.minAnswered ?? {})) {
    if (!seen.has(id)) {
      warnings.push({
        path: `options.minAnswered.${id}`,
        code: 'unknown_score',
        message: `minimum answered set for "${id}", which the study does not compute`,
      });
    }
  }
  const ruleIds = new Set<string>();
  for (const r of safety) {
    if (ruleIds.has(r.id))
      issues.push({
        path: 'safety',
        code: 'duplicate_rule',
        message: `safety rule id "${r.id}" appears twice (is an instrument listed twice?)`,
      });
    ruleIds.add(r.id);
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { scores, safety, warnings } };
}

/**
 * The plan for one instrument with its official scoring only (and optionally extra domains), e.g. for
 * scoring a data file of one instrument or for tests.
 */
export function planForInstrument(
  instrument: Instrument,
  domains: readonly Score[] = [],
  options: ScoringPlanOptions = {},
): Validated<ScoringPlan> {
  return buildScoringPlan(
    {
      instruments: [
        {
          instrument: instrument.id,
          domains: [...domains],
          officialScores: true,
          textPacks: [],
          termsAcknowledged: { by: 'planForInstrument', at: 'n/a' },
        },
      ],
    },
    (id) => (id === instrument.id ? instrument : undefined),
    options,
  );
}
