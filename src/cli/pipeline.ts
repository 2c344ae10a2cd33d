/**
 * The analysis pipeline shared by `nabz analyze` and `nabz score`: import a file into a dataset under a
 * resolved study, then score it. Expected failures become CliErrors with every problem listed.
 */
import type { ImportSuccess } from '../core/response/importer.js';
import type { MappingFile } from '../core/response/mappingFile.js';
import { markNotShown } from '../core/response/skipLogic.js';
import { buildScoringPlan, type ScoredDataset, scoreDataset } from '../core/scoring/index.js';
import type { ResolvedStudy } from '../core/study/resolve.js';
import {
  createProgressBar,
  formatImportErrors,
  formatMappingReport,
  importResponses,
  loadMappingFile,
  targetsFromStudy,
} from '../import/index.js';
import { getInstrument } from '../instruments/index.js';
import { CliError } from './errors.js';
import { issuesError } from './io.js';

export interface PipelineOptions {
  readonly mappingFile?: string | undefined;
  readonly sheet?: string | undefined;
  /** Print the column mapping report on stderr. */
  readonly verbose?: boolean;
}

export async function importAndScore(
  file: string,
  resolved: ResolvedStudy,
  options: PipelineOptions = {},
): Promise<{ imported: ImportSuccess; scored: ScoredDataset }> {
  const targets = targetsFromStudy(resolved.study, getInstrument);
  if (!targets.ok) throw issuesError('Study', targets.issues);
  let mapping: MappingFile | undefined;
  if (options.mappingFile) {
    const m = await loadMappingFile(options.mappingFile);
    if (!m.ok) throw issuesError(`Mapping file "${options.mappingFile}"`, m.issues);
    mapping = m.value;
  }
  const bar = createProgressBar({ label: file });
  const result = await importResponses(file, targets.value, {
    mapping,
    sheet: options.sheet,
    onProgress: (p) => bar.update(p),
  });
  bar.finish();
  if (!result.ok) {
    const parts = [
      `could not import "${file}": ${result.errorCount} problem${result.errorCount === 1 ? '' : 's'}.`,
    ];
    parts.push(formatImportErrors(result.errors, result.errorCount));
    if (result.mappingReport) parts.push(formatMappingReport(result.mappingReport));
    parts.push(
      'Nothing was written. Fix the file, or map columns and labels in a mapping file (--mapping, see docs/importing.md).',
    );
    throw new CliError(parts.join('\n\n'));
  }
  if (options.verbose) process.stderr.write(`${formatMappingReport(result.mappingReport)}\n`);
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  markNotShown(
    result.dataset,
    [...resolved.variables.values()].map((v) => v.item),
  );
  const plan = buildScoringPlan(resolved.study, getInstrument);
  if (!plan.ok) throw issuesError('Scoring plan', plan.issues);
  for (const w of plan.value.warnings) process.stderr.write(`warning: ${w.message}\n`);
  const scored = scoreDataset(result.dataset, plan.value);
  return { imported: result, scored };
}
