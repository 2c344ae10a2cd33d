/**
 * Skip logic on imported data. A survey tool leaves a cell empty both when the respondent skipped a question
 * and when skip logic never showed it; only the study definition can tell them apart. For every item with a
 * `showIf`, rows whose answers make the condition definitely false and whose cell is empty are marked
 * NOT_SHOWN instead of SKIPPED, so "No answer" counts and missing-data reports count only real skips.
 * (A row that answered a hidden item keeps its answer: the data say it was shown.)
 */
import { compileExpressionWith, type ExprValue, parseExpression, truth } from '../instrument/expression.js';
import type { Item } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import { AnswerStatus, type Dataset } from './dataset.js';

/** Returns the number of cells changed from SKIPPED to NOT_SHOWN, per item id. */
export function markNotShown(dataset: Dataset, items: Iterable<Item>): Map<string, number> {
  const changed = new Map<string, number>();
  for (const item of items) {
    if (!item.showIf) continue;
    const col = dataset.columns.get(item.id);
    if (col?.kind !== 'numeric') continue;
    const parsed = parseExpression(item.showIf);
    if (!parsed.ok) continue; // definitions are validated before import; an invalid rule changes nothing
    const cond = compileExpressionWith<number>(parsed.value, (scope, id) => {
      const c = scope === 'item' ? dataset.columns.get(id) : undefined;
      if (!c) return () => null;
      if (c.kind === 'text') return (i: number): ExprValue => c.values[i] ?? null;
      return (i: number): ExprValue => (c.status[i] === AnswerStatus.ANSWERED ? at(c.values, i) : null);
    });
    let n = 0;
    for (let i = 0; i < dataset.n; i++) {
      if (col.status[i] !== AnswerStatus.SKIPPED) continue;
      if (truth(cond(i)) === false) {
        col.status[i] = AnswerStatus.NOT_SHOWN;
        n++;
      }
    }
    if (n) changed.set(item.id, n);
  }
  return changed;
}
