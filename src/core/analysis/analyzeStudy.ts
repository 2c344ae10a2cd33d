/**
 * The analysis of a cross-sectional questionnaire study, from scored data to a report spec:
 * sample description, item endorsement by domain (and the top-N chart), score descriptives, bands,
 * threshold prevalence with Wilson intervals, group comparisons (Student and Welch rows, Levene,
 * effect sizes; one-way and Welch ANOVA for more than two groups), the regression models of the plan
 * (models.ts), reliability, safety flags and the
 * scoring report. Pure: it only maps statistics results (core/stats) onto table builders (core/report).
 *
 * One file per section: sample.ts, questions.ts, instruments.ts, thresholds.ts, groups.ts, models.ts,
 * reliability.ts, safety.ts, scoring.ts, methods.ts; shared labels in labels.ts, table suppression in suppress.ts
 * (the policy itself is core/privacy/suppression.ts). This file orders the sections.
 *
 * Small-cell suppression: with `minCellSize` k > 0, every count below k in the sample description, band
 * and flag tables is suppressed, together with the next smallest cell of the same variable when only one
 * would be hidden (so it cannot be recovered from the total); group comparisons involving a group smaller
 * than k are not shown.
 */
import { describeScoring } from '../report/index.js';
import { REPORT_SCHEMA_VERSION, type Report, type Section } from '../report/spec.js';
import { studyTitleText } from '../study/i18n.js';
import { shortLabel } from '../study/questions.js';
import { associationSections } from './associations.js';
import { applyCategories, mergedCategories, withMergeNotes } from './categories.js';
import { correlationSection } from './correlations.js';
import { groupSections } from './groups.js';
import type { AnalysisInput } from './input.js';
import { instrumentSections } from './instruments.js';
import { midSentence, scoreLabel } from './labels.js';
import { methodsSection } from './methods.js';
import { modelSections } from './models.js';
import { instrumentLikertSections, questionSections } from './questions.js';
import { reliabilitySection } from './reliability.js';
import { safetySection } from './safety.js';
import { sampleSection } from './sample.js';
import { itemsPresent, scoringSection } from './scoring.js';
import { thresholdSection } from './thresholds.js';

export { cellsToSuppress } from '../privacy/suppression.js';

/** Build the full report of a study. */
export function analyzeStudy(original: AnalysisInput): Report {
  // merged categories and group order of the plan, for the analysis only (categories.ts)
  const input = applyCategories(original);
  const merged = mergedCategories(original);
  const { resolved, scored } = input;
  const k = input.minCellSize ?? resolved.study.analysis.minCellSize;
  const reported = scored.scores;
  const byId = new Map(reported.map((s) => [s.id, s]));
  const sections: Section[] = [sampleSection(input, k), ...questionSections(input, k)];
  const notes: string[] = [];
  for (const ins of resolved.instruments) {
    const scores = reported.filter((s) => s.instrumentId === ins.id);
    notes.push(
      describeScoring({
        instrument: ins.shortTitle,
        scores: scores.map((s) => ({
          label: scoreLabel(s),
          official: s.official,
          method: s.def.method,
          items: s.def.items.length,
          ...(s.def.description ? { description: s.def.description } : {}),
        })),
      }),
    );
    sections.push(...instrumentSections(input, ins, scores, k));
    sections.push(...instrumentLikertSections(input, ins, k));
  }
  const partial = itemsPresent(scored);
  if (partial.length > 0) {
    notes.push(
      `Items missing from the data: ${partial
        .map(
          (x) =>
            `${x.label} ${x.present} of ${x.items} items present (no column for ${x.missing.join(', ')})`,
        )
        .join('; ')}; these scores use the items present.`,
    );
  }
  const th = thresholdSection(input, byId, k);
  if (th) sections.push(th);
  sections.push(...groupSections(input, reported, k));
  sections.push(...associationSections(input, byId, k));
  const corr = correlationSection(input, byId, k);
  if (corr) sections.push(corr);
  sections.push(...modelSections(input, byId, k));
  const rel = reliabilitySection(input, reported, k);
  if (rel) sections.push(rel);
  const saf = safetySection(input, k);
  if (saf) sections.push(saf);
  sections.push(scoringSection(input, k));
  const licence = resolved.instruments.map((i) => `${i.shortTitle}: ${i.licence.attribution}`);
  sections.push({
    id: 'instruments',
    title: 'Instruments and licences',
    blocks: [{ type: 'text', sentences: licence.length ? licence : ['No library instrument.'] }],
  });
  sections.unshift(
    methodsSection({
      resolved,
      scored,
      n: input.dataset.n,
      groups: (input.groupBy ?? resolved.study.analysis.groupBy).flatMap((g) => {
        const v = resolved.variables.get(g);
        return v ? [midSentence(shortLabel(v.item))] : [];
      }),
      scoringNotes: notes,
      generatedBy: input.generatedBy,
      merged,
      ...(input.waves ? { waves: input.waves } : {}),
      ...(input.followUpWave !== undefined ? { followUpWave: input.followUpWave } : {}),
    }),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: studyTitleText(resolved.study, input.language),
    language: input.language ?? 'en',
    generatedBy: input.generatedBy,
    scoringNote: notes.join(' ') || 'Scoring: no instrument scores.',
    sections: withMergeNotes(sections, input, merged),
  };
}
