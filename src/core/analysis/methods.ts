/**
 * The methods paragraph of a report, generated from the study: design and sample, instruments with their
 * citations and scoring rules, missing-data rules, the tests the report uses, α and confidence level, and the
 * software with a citation line. Pure: every renderer prints it as the report's first section.
 */
import { formatFixed } from '../report/format.js';
import type { Section } from '../report/spec.js';
import type { ScoredDataset } from '../scoring/score.js';
import type { ResolvedStudy } from '../study/resolve.js';

export interface MethodsInput {
  readonly resolved: ResolvedStudy;
  readonly scored: ScoredDataset;
  /** Respondents analysed. */
  readonly n: number;
  /** Group variables compared (labels), in order. */
  readonly groups: readonly string[];
  /** The scoring notes of the report (one per instrument), "Scoring: …". */
  readonly scoringNotes: readonly string[];
  /** Program and version, e.g. "nabz 0.1.0". */
  readonly generatedBy: string;
}

/** A bounded statistic as APA prints it: ".05". */
function bounded(x: number): string {
  return formatFixed(x, Math.max(2, String(x).split('.')[1]?.length ?? 0), { leadingZero: false });
}

function missingRule(
  label: string,
  method: 'sum' | 'mean' | 'prorated_sum',
  items: number,
  need: number,
): string {
  if (method === 'mean' && need <= 1) return 'means use the answered items (at least one)';
  const at = need === items ? `all ${items} items` : `at least ${need} of ${items} items`;
  if (method === 'sum') return `${label} (a sum) needs ${at} answered`;
  if (method === 'mean') return `${label} (a mean) needs ${at} answered`;
  return `${label} (a sum prorated for missing items: mean of the answered items × ${items}) needs ${at} answered`;
}

/** The "Methods" section: one paragraph. */
export function methodsSection(input: MethodsInput): Section {
  const { resolved, scored, n, groups } = input;
  const plan = resolved.study.analysis;
  const s: string[] = [];
  s.push(
    `Design: cross-sectional survey; ${n} respondent${n === 1 ? '' : 's'} ${n === 1 ? 'was' : 'were'} analysed.`,
  );
  for (const ins of resolved.instruments) {
    const title = Object.values(ins.title)[0] ?? ins.shortTitle;
    s.push(
      `${title}${title === ins.shortTitle ? '' : ` (${ins.shortTitle})`}${title.includes(ins.version) ? '' : `, version ${ins.version}`}, ${ins.items.length} item${ins.items.length === 1 ? '' : 's'}: ${ins.citation.replace(/\.?$/, '.')}`,
    );
  }
  s.push(...input.scoringNotes);
  const rules = new Set<string>();
  for (const sc of scored.scores)
    rules.add(missingRule(sc.def.label.en ?? sc.id, sc.def.method, sc.def.items.length, sc.minAnswered));
  if (rules.size > 0)
    s.push(
      `Missing data: "not applicable" and unanswered items are left out of a score; ${[...rules].join('; ')}, otherwise the score is missing. Each table uses the respondents with the values it needs (available cases); its denominator is stated under it.`,
    );
  else
    s.push(
      'Missing data: each table uses the respondents who answered the questions it shows (available cases); its denominator is stated under it.',
    );
  const tests: string[] = [];
  if (scored.scores.length > 0)
    tests.push(
      `scores are described by mean and SD (denominator n − 1), median and quartiles as SPSS computes them (HAVERAGE)`,
    );
  if (plan.thresholds.length > 0)
    tests.push('proportions at or above score thresholds carry Wilson score intervals');
  if (groups.length > 0)
    tests.push(
      `groups (${groups.join(', ')}) are compared with ${plan.ttest === 'welch' ? "Welch's t test (Student's t test shown alongside)" : "Student's t test (Welch's t test shown alongside)"} and Hedges' g for two groups, one-way and Welch ANOVA for more, Levene's test centred on the ${plan.leveneCenter}, and Pearson's chi-square test (Fisher's exact test for 2 × 2 tables) for categorical answers`,
    );
  if (scored.scores.some((sc) => sc.def.items.length > 1))
    tests.push(
      `internal consistency is Cronbach's α (${plan.alphaMissing === 'listwise' ? 'listwise deletion, as SPSS' : 'pairwise, as R psych::alpha'})`,
    );
  if (tests.length > 0) s.push(`Analysis: ${tests.join('; ')}.`);
  s.push(
    `Tests are two-sided at α = ${bounded(plan.alpha)}; intervals are ${formatFixed(plan.confidenceLevel * 100, 0)}% confidence intervals.`,
  );
  const k = plan.minCellSize;
  if (k > 0) s.push(`Counts below ${k} are suppressed (small-cell suppression).`);
  s.push(
    `Software: ${input.generatedBy}, open-source software (AGPL-3.0-or-later) whose statistics are tested against R and GNU PSPP. Cite as: nabz contributors, ${input.generatedBy.replace(/^nabz\s*/, 'nabz version ')}.`,
  );
  return { id: 'methods', title: 'Methods', blocks: [{ type: 'text', sentences: s }] };
}
