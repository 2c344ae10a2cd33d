/** Helpers of the analysis tests: a study and a response file through import → score → analyzeStudy. */
import { analyzeStudy } from '../../src/core/analysis/analyzeStudy.js';
import type { Cell, Report, TableSpec } from '../../src/core/report/spec.js';
import type { Dataset } from '../../src/core/response/dataset.js';
import { buildScoringPlan, type ScoredDataset, scoreDataset } from '../../src/core/scoring/index.js';
import { type ResolvedStudy, resolveStudy } from '../../src/core/study/resolve.js';
import { importResponses, targetsFromStudy } from '../../src/import/index.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';

export interface Analysed {
  readonly report: Report;
  readonly resolved: ResolvedStudy;
  readonly dataset: Dataset;
  readonly scored: ScoredDataset;
}

/** Resolve `study` (a study.json object), import `csv` with it, score and analyse; any issue throws. */
export async function analyzeFile(study: unknown, csv: string): Promise<Analysed> {
  const r = resolveStudy(study, getInstrument, instrumentIds());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const targets = targetsFromStudy(r.value.study, getInstrument);
  if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
  const imported = await importResponses(csv, targets.value);
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const plan = buildScoringPlan(r.value.study, getInstrument);
  if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
  const scored = scoreDataset(imported.dataset, plan.value);
  const report = analyzeStudy({ resolved: r.value, dataset: imported.dataset, scored, generatedBy: 'test' });
  return { report, resolved: r.value, dataset: imported.dataset, scored };
}

export function table(report: Report, id: string): TableSpec {
  for (const s of report.sections) for (const b of s.blocks) if (b.type === 'table' && b.id === id) return b;
  throw new Error(`no table ${id}`);
}

export function dataRows(t: TableSpec) {
  return t.rows.flatMap((r) => (r.kind === 'data' ? [r.cells] : []));
}

export function value(c: Cell | undefined): number {
  if (c?.kind !== 'number') throw new Error(`not a number cell: ${JSON.stringify(c)}`);
  return c.value;
}
