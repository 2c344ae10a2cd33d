import type { Instrument } from '../../../src/core/instrument/schema.js';
import {
  AnswerStatus,
  type Column,
  type Dataset,
  numericColumn,
} from '../../../src/core/response/dataset.js';
import {
  planForInstrument,
  type ScoredDataset,
  type ScoringPlan,
  scoreDataset,
} from '../../../src/core/scoring/index.js';

/** A cell in a test row: a number (answered), 'NA' (not applicable), 'INV' (invalid), 'HIDDEN' (not shown), null/absent (skipped). */
export type Cell = number | 'NA' | 'INV' | 'HIDDEN' | null;

/** Build a dataset with one numeric column per item id. */
export function dataset(ids: readonly string[], rows: readonly Record<string, Cell>[]): Dataset {
  const columns = new Map<string, Column>();
  for (const id of ids) {
    const c = numericColumn(id, rows.length);
    rows.forEach((r, i) => {
      const v = r[id];
      if (typeof v === 'number') {
        c.values[i] = v;
        c.status[i] = AnswerStatus.ANSWERED;
      } else if (v === 'NA') c.status[i] = AnswerStatus.NOT_APPLICABLE;
      else if (v === 'INV') c.status[i] = AnswerStatus.INVALID;
      else if (v === 'HIDDEN') c.status[i] = AnswerStatus.NOT_SHOWN;
    });
    columns.set(id, c);
  }
  return { n: rows.length, columns };
}

export function plan(ins: Instrument): ScoringPlan {
  const p = planForInstrument(ins);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return p.value;
}

export function scoreRows(
  ins: Instrument,
  rows: readonly Record<string, Cell>[],
  p: ScoringPlan = plan(ins),
): ScoredDataset {
  return scoreDataset(
    dataset(
      ins.items.map((i) => i.id),
      rows,
    ),
    p,
  );
}

export function col(s: ScoredDataset, id: string) {
  const c = s.scores.find((x) => x.id === id);
  if (!c) throw new Error(`no score ${id}`);
  return c;
}

/** Spread a raw total over items of 0..max, filling the first items first: spread(4, ids, 3) → 3, 1, 0, … */
export function spread(total: number, ids: readonly string[], max: number): Record<string, number> {
  const row: Record<string, number> = {};
  let left = total;
  for (const id of ids) {
    const v = Math.min(max, left);
    row[id] = v;
    left -= v;
  }
  if (left !== 0) throw new Error(`cannot spread ${total} over ${ids.length} items of max ${max}`);
  return row;
}

/** Band label of a score column for respondent i, or null. */
export function bandLabel(s: ScoredDataset, id: string, i: number): string | null {
  const c = col(s, id);
  const b = c.band[i]!;
  return b < 0 ? null : (c.def.bands?.[b]?.label.en ?? null);
}
