/** Labels and columns shared by the section builders: score, item and option labels in the report language. */
import type { Item } from '../instrument/schema.js';
import type { Dataset, NumericColumn } from '../response/dataset.js';
import type { ScoreColumn } from '../scoring/score.js';
import { at } from '../stats/at.js';
import { optionCounts } from './questions.js';

export const LANG = 'en';

/** A label as it reads mid-sentence: "Attitudinal barriers" → "attitudinal barriers", but "BACE v3" stays. */
export function midSentence(label: string): string {
  return /^\p{Lu}\p{Ll}/u.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/** "a" or "an" before a word (by its first letter; good enough for generated labels). */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** A score's label in the report language, else its id. */
export function scoreLabel(s: ScoreColumn): string {
  return s.def.label[LANG] ?? s.id;
}

export function itemText(item: Item): string {
  return item.text?.[LANG] ?? Object.values(item.text ?? {})[0] ?? item.id;
}

export function optionLabel(item: Item, value: number): string {
  const o = item.options?.find((x) => x.value === value);
  return o ? (o.label[LANG] ?? Object.values(o.label)[0] ?? String(value)) : String(value);
}

export function numericColumn(ds: Dataset, id: string): NumericColumn | undefined {
  const c = ds.columns.get(id);
  return c && c.kind === 'numeric' ? c : undefined;
}

/**
 * Counts per option of a single-choice column; `skipped` counts respondents who were asked but gave no usable
 * answer (no answer, not applicable or invalid).
 */
export function categoryCounts(
  item: Item,
  col: NumericColumn,
): { levels: { value: number; label: string; count: number }[]; skipped: number; notShown: number } {
  const options = item.options ?? [];
  const c = optionCounts(col, options);
  return {
    levels: options.map((o, i) => ({
      value: o.value,
      label: optionLabel(item, o.value),
      count: at(c.counts, i),
    })),
    skipped: c.noAnswer + c.notApplicable + c.invalid,
    notShown: c.notShown,
  };
}
