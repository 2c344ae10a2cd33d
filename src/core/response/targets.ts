/**
 * Target variables of an import: every item of the study's instruments and every question of the study,
 * flattened with what matching and value coding need (texts and labels in every language, the scale's
 * options, "not applicable", number limits).
 */
import type {
  Instrument,
  Issue,
  Item,
  ItemType,
  LocalizedText,
  ResponseOption,
  Validated,
} from '../instrument/schema.js';
import { questionItems } from '../study/questions.js';
import type { Study } from '../study/schema.js';

export interface Target {
  /** Variable name in the dataset (the item id). */
  readonly id: string;
  readonly type: ItemType;
  /** Where it comes from: the instrument id, or `"study"` for the study's own questions. */
  readonly group: string;
  /** Item text in every language it has (empty for licensed items shipped without text). */
  readonly texts: readonly LocalizedText[];
  /** Options of `scale`, `single` and `multiple` items (from the item's scale for scale items); empty otherwise. */
  readonly options: readonly ResponseOption[];
  /** Whether "not applicable" may be answered. */
  readonly notApplicable: boolean;
  /** The scale's "not applicable" label, when it has one. */
  readonly notApplicableLabel?: LocalizedText;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly maxLength?: number;
  /** Other names a code-valued export may use for this variable (matched like the id, case-insensitively). */
  readonly aliases?: readonly string[];
}

/** Variable name of option `value` of a multiple-choice item: `<id>__<value>` (e.g. `coping__3`). */
export function optionColumnId(itemId: string, value: number): string {
  return `${itemId}__${String(value).replace('-', 'm').replace('.', '_')}`;
}

/** Targets for the items of one instrument (or of a study, with `group = "study"`). */
function targetsFromItems(
  items: readonly Item[],
  scales: Instrument['scales'],
  group: string,
): Validated<Target[]> {
  const { out, issues } = collectTargets(items, scales, group);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out };
}

function collectTargets(
  items: readonly Item[],
  scales: Instrument['scales'],
  group: string,
): { out: Target[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const out: Target[] = [];
  const scaleById = new Map(scales.map((s) => [s.id, s]));
  items.forEach((it, i) => {
    let options: readonly ResponseOption[] = [];
    let naLabel: LocalizedText | undefined;
    if (it.type === 'scale') {
      const sc = it.scale === undefined ? undefined : scaleById.get(it.scale);
      if (!sc) {
        issues.push({
          path: `${group}.items[${i}].scale`,
          code: 'unknown_scale',
          message: `item "${it.id}" is a scale item but its scale "${it.scale ?? ''}" is not defined${
            group === 'study' ? ' (study questions have no scales: use type "single" with options)' : ''
          }`,
        });
        return;
      }
      options = sc.options;
      naLabel = sc.notApplicableLabel;
    } else if (it.type === 'single' || it.type === 'multiple') {
      if (!it.options) {
        issues.push({
          path: `${group}.items[${i}].options`,
          code: 'no_options',
          message: `item "${it.id}" of type ${it.type} has no options`,
        });
        return;
      }
      options = it.options;
    }
    const t: {
      -readonly [K in keyof Target]: Target[K];
    } = {
      id: it.id,
      type: it.type,
      group,
      texts: it.text ? [it.text] : [],
      options,
      notApplicable: it.notApplicable,
    };
    if (naLabel) t.notApplicableLabel = naLabel;
    if (it.min !== undefined) t.min = it.min;
    if (it.max !== undefined) t.max = it.max;
    if (it.integer !== undefined) t.integer = it.integer;
    if (it.maxLength !== undefined) t.maxLength = it.maxLength;
    out.push(t);
  });
  return { out, issues };
}

/** Targets for every item of an instrument, in item order. */
export function targetsFromInstrument(ins: Instrument): Validated<Target[]> {
  return targetsFromItems(ins.items, ins.scales, ins.id);
}

/**
 * Targets of a study: the items of each of its instruments (looked up by id with `getInstrument`, else its own
 * `definition`), then the study's own questions. For a resolved study pass `resolvedLookup(resolved)`, so that
 * its text packs' wording is matched (the library's MBI-SS and PSS-10 have no item text; an own instrument's
 * translation comes as a pack too). Unknown instruments, scale-less scale questions and variable
 * names used twice are reported as issues.
 */
export function targetsFromStudy(
  study: Study,
  getInstrument: (id: string) => Instrument | undefined,
): Validated<Target[]> {
  const issues: Issue[] = [];
  const out: Target[] = [];
  study.instruments.forEach((si, i) => {
    const ins = getInstrument(si.instrument) ?? si.definition;
    if (!ins) {
      issues.push({
        path: `instruments[${i}].instrument`,
        code: 'unknown_instrument',
        message: `instrument "${si.instrument}" is not in the library`,
      });
      return;
    }
    const r = collectTargets(ins.items, ins.scales, ins.id);
    out.push(...r.out);
    issues.push(...r.issues);
  });
  // A grid question is one single-choice target per row, matched by "Stem [Row]" or by the row text alone.
  const expanded = study.questions.flatMap((q) => questionItems(q));
  const q = collectTargets(
    expanded.map((x) => x.item),
    [],
    'study',
  );
  const grids = new Map(expanded.map((x) => [x.item.id, x.grid]));
  for (const t of q.out) {
    const grid = grids.get(t.id);
    out.push(grid ? { ...t, texts: [...t.texts, grid.row.text] } : t);
  }
  issues.push(...q.issues);
  const seen = new Map<string, string>();
  for (const t of out) {
    const prev = seen.get(t.id.toLowerCase());
    if (prev !== undefined) {
      issues.push({
        path: t.group,
        code: 'duplicate_variable',
        message: `variable "${t.id}" of ${t.group} is also defined by ${prev}`,
      });
    } else seen.set(t.id.toLowerCase(), t.group);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out };
}

/** The label of an option in `language` if it has one, else its first label. */
export function labelIn(text: LocalizedText, language?: string): string {
  const own = language === undefined ? undefined : text[language];
  if (own !== undefined) return own;
  const first = Object.values(text)[0];
  return first ?? '';
}
