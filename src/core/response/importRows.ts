/**
 * From an imported dataset to stored responses, and the figures of a mapping screen.
 *
 * `answersOfRows` turns the importer's columnar dataset (importer.ts) back into one answers object per row, in
 * the shape the respondent routes store (`Answers`, answer.ts): read back by the studio's `datasetFromAnswers`
 * it gives the same columns, statuses and values, so the studio's analysis of an imported file is the
 * analysis `nabz analyze` makes of it. A variable the file has no column for is left out of the answers (not
 * asked), as a dataset column that is NOT_SHOWN throughout.
 */
import { expressionRefs } from '../instrument/expression.js';
import type { ScoringPlan } from '../scoring/plan.js';
import { at } from '../stats/at.js';
import type { Answer, Answers } from './answer.js';
import { NA_ANSWER, NOT_SHOWN_ANSWER, SKIPPED_ANSWER } from './answersJson.js';
import { AnswerStatus, type Column, type Dataset, type NumericColumn } from './dataset.js';
import type { MappingReport } from './mapping.js';
import { optionColumnId, type Target } from './targets.js';

function missingAnswer(status: number): Answer | undefined {
  switch (status) {
    case AnswerStatus.SKIPPED:
      return SKIPPED_ANSWER;
    case AnswerStatus.NOT_APPLICABLE:
      return NA_ANSWER;
    case AnswerStatus.NOT_SHOWN:
      return NOT_SHOWN_ANSWER;
    default:
      return undefined;
  }
}

/** Whether every cell of a column is NOT_SHOWN (the importer's column for a variable the file lacks). */
function neverShown(col: Column): boolean {
  if (col.kind === 'text') return false;
  for (let i = 0; i < col.status.length; i++) if (col.status[i] !== AnswerStatus.NOT_SHOWN) return false;
  return true;
}

/**
 * One answers object per row of `dataset`, by item id. Throws on an INVALID cell: a successful import has
 * none (an invalid answer is an import error), so one here is a programming error, never stored.
 */
export function answersOfRows(
  dataset: Dataset,
  targets: readonly Target[],
  missing: ReadonlySet<string> = new Set(),
): Answers[] {
  const rows: Record<string, Answer>[] = Array.from({ length: dataset.n }, () => ({}));
  const invalid = (id: string, i: number) => {
    throw new Error(`Imported dataset has an invalid cell in ${id}, row ${i + 1}.`);
  };
  for (const t of targets) {
    if (t.type === 'multiple') {
      const cols = t.options.map((o) => dataset.columns.get(optionColumnId(t.id, o.value)));
      if (cols.some((c) => c === undefined || c.kind !== 'numeric')) continue;
      const numeric = cols as NumericColumn[];
      if (numeric.every((c) => missing.has(c.id) || neverShown(c))) continue;
      for (let i = 0; i < dataset.n; i++) {
        const status = at(at(numeric, 0).status, i);
        if (status === AnswerStatus.ANSWERED) {
          const values = t.options.filter((_, k) => at(numeric, k).values[i] === 1).map((o) => o.value);
          at(rows, i)[t.id] = { kind: 'choices', values };
        } else {
          at(rows, i)[t.id] = missingAnswer(status) ?? invalid(t.id, i);
        }
      }
      continue;
    }
    const col = dataset.columns.get(t.id);
    if (!col || missing.has(t.id) || neverShown(col)) continue;
    for (let i = 0; i < dataset.n; i++) {
      if (col.kind === 'text') {
        const text = col.values[i];
        at(rows, i)[t.id] = text === null || text === undefined ? SKIPPED_ANSWER : { kind: 'text', text };
        continue;
      }
      const status = at(col.status, i);
      if (status === AnswerStatus.ANSWERED) at(rows, i)[t.id] = { kind: 'value', value: at(col.values, i) };
      else {
        at(rows, i)[t.id] = missingAnswer(status) ?? invalid(t.id, i);
      }
    }
  }
  return rows;
}

/**
 * "k of n instrument items matched": instrument items (not the study's own questions) whose every dataset
 * variable has a column in the file.
 */
export function instrumentItemsMatched(
  report: MappingReport,
  targets: readonly Target[],
): { matched: number; total: number; missing: string[] } {
  const missingVars = new Set(report.missingTargets);
  const items = targets.filter((t) => t.group !== 'study');
  const missing = items
    .filter((t) =>
      t.type === 'multiple'
        ? t.options.some((o) => missingVars.has(optionColumnId(t.id, o.value)))
        : missingVars.has(t.id),
    )
    .map((t) => t.id);
  return { matched: items.length - missing.length, total: items.length, missing };
}

/**
 * The items a score or a safety rule reads: what an import must have a column for (an item no score uses,
 * such as PHQ-9's difficulty item, may be absent). The same rule as `nabz analyze` (cli/pipeline.ts).
 */
export function itemsScoresUse(plan: ScoringPlan): Set<string> {
  const out = new Set<string>();
  for (const s of plan.scores) for (const it of s.items) out.add(it.id);
  for (const r of plan.safety)
    for (const ref of expressionRefs(r.expr)) if (ref.scope === 'item') out.add(ref.id);
  return out;
}
