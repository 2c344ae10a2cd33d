/**
 * The analysis pipeline shared by `nabz analyze` and `nabz score`: import a file into a dataset under a
 * resolved study (text packs applied), then score it. Expected failures become CliErrors with every problem
 * listed: a file that leaves instrument items or group variables without a column is refused (exit 2) with
 * "did you mean" suggestions unless `allowMissing`, and a run where no respondent has any score never passes.
 */

import type { ImportSuccess } from '../core/response/importer.js';
import { itemsScoresUse } from '../core/response/importRows.js';
import {
  formatUnmatched,
  type MappingReport,
  suggestedMapping,
  type UnmatchedTarget,
  unmatchedTargets,
} from '../core/response/mapping.js';
import type { MappingFile } from '../core/response/mappingFile.js';
import { markNotShown } from '../core/response/skipLogic.js';
import { buildScoringPlan, type ScoredDataset, scoreDataset } from '../core/scoring/index.js';
import { at } from '../core/stats/at.js';
import { type ResolvedStudy, resolvedLookup } from '../core/study/resolve.js';
import {
  createProgressBar,
  formatImportErrors,
  formatMappingReport,
  importResponses,
  loadMappingFile,
  targetsFromStudy,
} from '../import/index.js';
import { CliError } from './errors.js';
import { issuesError, writeOut } from './io.js';

interface PipelineOptions {
  readonly mappingFile?: string | undefined;
  readonly sheet?: string | undefined;
  /** Print the column mapping report on stderr. */
  readonly verbose?: boolean;
  /**
   * Go on when instrument items or group variables have no column: they are left out of the dataset, and each
   * score's report says how many of its items were present. Default: refuse (exit 2) and list them.
   */
  readonly allowMissing?: boolean | undefined;
  /** Group variables the report compares by (default: the study's `analysis.groupBy`). */
  readonly groupBy?: readonly string[] | undefined;
  /** Write the suggested mapping file (matched columns and the best suggestions) here, for review. */
  readonly writeMapping?: string | undefined;
}

/** How to fix unmatched variables: the mapping file syntax with the first suggestion, and the flags. */
function unmatchedAdvice(unmatched: readonly UnmatchedTarget[], options: PipelineOptions): string {
  const example = unmatched.find((u) => u.suggestions.length > 0);
  const entry = example
    ? `${JSON.stringify(at(example.suggestions, 0).column.header)}: ${JSON.stringify(example.target.id)}`
    : `"<header in the file>": ${JSON.stringify(at(unmatched, 0).target.id)}`;
  const lines = [
    `Map each to its column in a mapping file — { "columns": { ${entry} } } — and pass --mapping map.json (docs/importing.md, "The mapping file").`,
    options.writeMapping
      ? `The suggested mapping (matched columns and the closest suggestion for each) was written to ${options.writeMapping}: review it, then pass --mapping ${options.writeMapping}.`
      : 'Add --write-mapping map.json to write the suggested mapping (matched columns and the closest suggestion for each) for review.',
    'To analyse anyway, add --allow-missing: scores use the items present, and the report says "k of n items present" for each score.',
  ];
  return lines.join('\n');
}

function unmatchedHead(unmatched: readonly UnmatchedTarget[], file: string): string {
  const items = unmatched.filter((u) => u.role === 'item').length;
  const groups = unmatched.length - items;
  const parts = [
    ...(items ? [`${items} instrument item${items === 1 ? '' : 's'}`] : []),
    ...(groups ? [`${groups} group variable${groups === 1 ? '' : 's'}`] : []),
  ];
  return `${parts.join(' and ')} of the study ${unmatched.length === 1 ? 'has' : 'have'} no column in "${file}":`;
}

function writeSuggestedMapping(
  path: string,
  report: MappingReport,
  unmatched: readonly UnmatchedTarget[],
  base: MappingFile | undefined,
): void {
  writeOut(path, `${JSON.stringify(suggestedMapping(report, unmatched, base), null, 2)}\n`);
  process.stderr.write(`wrote the suggested mapping to ${path}\n`);
}

export async function importAndScore(
  file: string,
  resolved: ResolvedStudy,
  options: PipelineOptions = {},
): Promise<{ imported: ImportSuccess; scored: ScoredDataset; unmatched: readonly UnmatchedTarget[] }> {
  const instruments = resolvedLookup(resolved);
  const targets = targetsFromStudy(resolved.study, instruments);
  if (!targets.ok) throw issuesError('Study', targets.issues);
  let mapping: MappingFile | undefined;
  if (options.mappingFile) {
    const m = await loadMappingFile(options.mappingFile);
    if (!m.ok) throw issuesError(`Mapping file "${options.mappingFile}"`, m.issues);
    mapping = m.value;
  }
  const plan = buildScoringPlan(resolved.study, instruments);
  if (!plan.ok) throw issuesError('Scoring plan', plan.issues);
  // Items a score or safety rule reads must have a column; an unscored item (PHQ-9 item 10) may be absent.
  const scoredItems = itemsScoresUse(plan.value);
  const bar = createProgressBar({ label: file });
  const result = await importResponses(file, targets.value, {
    mapping,
    sheet: options.sheet,
    // With --allow-missing, absent variables stay out of the dataset so the scoring report names them.
    missingTargets: options.allowMissing ? 'omit' : 'not-shown',
    onProgress: (p) => bar.update(p),
  });
  bar.finish();
  const groupBy = options.groupBy ?? resolved.study.analysis.groupBy;
  const unmatched = result.mappingReport
    ? unmatchedTargets(result.mappingReport, targets.value, groupBy, {
        answers: result.unmappedAnswers,
        items: scoredItems,
      })
    : [];
  if (options.writeMapping && result.mappingReport)
    writeSuggestedMapping(options.writeMapping, result.mappingReport, unmatched, mapping);
  if (!result.ok) {
    const parts = [
      `could not import "${file}": ${result.errorCount} problem${result.errorCount === 1 ? '' : 's'}.`,
    ];
    parts.push(formatImportErrors(result.errors, result.errorCount, 20, result.errorSummary));
    if (result.mappingReport) parts.push(formatMappingReport(result.mappingReport));
    if (unmatched.length > 0 && !options.allowMissing)
      parts.push(`${unmatchedHead(unmatched, file)}\n${formatUnmatched(unmatched)}`);
    parts.push(
      'Nothing was written. Fix the file, or map columns and labels in a mapping file (--mapping, see docs/importing.md).',
    );
    throw new CliError(parts.join('\n\n'));
  }
  if (options.verbose) process.stderr.write(`${formatMappingReport(result.mappingReport)}\n`);
  if (unmatched.length > 0) {
    if (!options.allowMissing) {
      throw new CliError(
        [
          `${unmatchedHead(unmatched, file)}\n${formatUnmatched(unmatched)}`,
          'Nothing was analysed: scores computed from part of their items would look complete.',
          unmatchedAdvice(unmatched, options),
        ].join('\n\n'),
        2,
      );
    }
    process.stderr.write(
      `warning: --allow-missing: ${unmatchedHead(unmatched, file).replace(/:$/, '')}: ${unmatched
        .map((u) => u.target.id)
        .join(', ')}. Scores use the items present; the report says how many.\n`,
    );
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  markNotShown(
    result.dataset,
    [...resolved.variables.values()].map((v) => v.item),
  );
  const unscored = targets.value.filter(
    (t) =>
      t.group !== 'study' && !scoredItems.has(t.id) && result.mappingReport.missingTargets.includes(t.id),
  );
  if (unscored.length > 0)
    process.stderr.write(
      `note: ${unscored.length === 1 ? 'an instrument item no score uses has' : 'instrument items no score uses have'} no column (reported as not asked): ${unscored.map((t) => t.id).join(', ')}\n`,
    );
  for (const w of plan.value.warnings) process.stderr.write(`warning: ${w.message}\n`);
  const scored = scoreDataset(result.dataset, plan.value);
  const perScore = scored.report.perScore;
  if (perScore.length > 0 && perScore.every((p) => p.computed === 0)) {
    throw new CliError(
      [
        `no respondent of the ${scored.n} in "${file}" has any score (n = 0 for every score):`,
        ...perScore.map(
          (p) =>
            `  ${p.id}: ${p.noneAnswered} with no item answered, ${p.tooFewAnswered} with fewer than ${p.minAnswered} items answered${
              p.missingColumns.length ? `; items with no column: ${p.missingColumns.join(', ')}` : ''
            }`,
        ),
        'Nothing was written. Check that the columns hold the instrument items (--verbose prints the column mapping) and that their answers are filled in.',
      ].join('\n'),
    );
  }
  for (const p of perScore) {
    if (p.computed > 0) continue;
    process.stderr.write(
      `warning: score ${p.id} has no respondent (n = 0): ${p.noneAnswered} answered none of its items, ${p.tooFewAnswered} fewer than ${p.minAnswered}${
        p.missingColumns.length ? `; no column for ${p.missingColumns.join(', ')}` : ''
      }. Its rows in the report are empty.\n`,
    );
  }
  return { imported: result, scored, unmatched };
}
