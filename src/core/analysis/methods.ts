/**
 * The methods paragraph of a report, generated from the study: design and sample, instruments with their
 * citations and scoring rules, missing-data rules, the tests the report uses, α and confidence level, and the
 * software with a citation line. Pure: every renderer prints it as the report's first section.
 */
import { formatFixed, formatInteger, formatPlain } from '../report/format.js';
import type { Section } from '../report/spec.js';
import type { ScoredDataset } from '../scoring/score.js';
import { isNotComputable } from '../stats/result.js';
import { sampleSizeProportion } from '../stats/samplesize.js';
import { shortLabel } from '../study/questions.js';
import type { ResolvedStudy } from '../study/resolve.js';
import type { AnalysisPlan, Association, Model, SampleSize } from '../study/schema.js';
import { adjustName } from './adjust.js';
import { type MergedCategories, mergeMethodsSentence } from './categories.js';
import { midSentence } from './labels.js';

interface MethodsInput {
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
  /** The plan's merged categories (categories.ts), named after the missing-data rules. */
  readonly merged?: readonly MergedCategories[];
  /** Respondents analysed per referral wave (studies with referral links). */
  readonly waves?: readonly { readonly wave: number; readonly n: number }[];
  /** A follow-up wave of a screening study: its name (the confidentiality sentence). */
  readonly followUpWave?: string;
}

/**
 * The recruitment sentence of a study with referral links: how many came through the study link and through
 * each wave of referral links. A wave with fewer than k respondents is pooled with the next waves (and a small
 * last group with the one before), so no count below k is printed; undefined when nobody was referred.
 */
export function recruitmentSentence(
  waves: readonly { readonly wave: number; readonly n: number }[],
  k: number,
): string | undefined {
  const sorted = waves.filter((w) => w.n > 0).sort((a, b) => a.wave - b.wave);
  const deepest = sorted.at(-1)?.wave ?? 0;
  if (deepest === 0) return undefined;
  const groups: { from: number; to: number; n: number }[] = [];
  for (const w of sorted) {
    const last = groups.at(-1);
    if (last && last.n < k) {
      last.to = w.wave;
      last.n += w.n;
    } else groups.push({ from: w.wave, to: w.wave, n: w.n });
  }
  while (groups.length > 1 && (groups.at(-1)?.n ?? k) < k) {
    const g = groups.pop();
    const prev = groups.at(-1);
    if (g && prev) {
      prev.to = g.to;
      prev.n += g.n;
    }
  }
  const where = (g: { from: number; to: number }) =>
    g.from === 0
      ? g.to === 0
        ? 'through the study link (wave 0)'
        : `through the study link or referral links (waves 0–${g.to})`
      : g.from === g.to
        ? `in wave ${g.from}`
        : `in waves ${g.from}–${g.to}`;
  const parts = groups.map((g) => `${formatInteger(g.n)} ${where(g)}`);
  return `Recruitment: the study link and referral links passed on by respondents (snowball sampling, ${deepest} wave${deepest === 1 ? '' : 's'} of referral); ${listOf(parts)}${groups.length < sorted.length ? ` (waves with fewer than ${k} respondents are counted with the next)` : ''}.`;
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

/** "a, b and c". */
function listOf(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

/** A score's or question's label as a sentence uses it. */
function labelOf(id: string, resolved: ResolvedStudy): string {
  for (const ins of resolved.instruments) {
    const sc = ins.scores.find((x) => x.id === id);
    if (sc) return sc.label.en ?? id;
  }
  for (const si of resolved.study.instruments) {
    const d = si.domains.find((x) => x.id === id);
    if (d) return d.label.en ?? id;
  }
  const c = resolved.study.analysis.combined.find((x) => x.id === id);
  if (c)
    return `${midSentence(c.label)} (the highest of ${listOf(c.max.map((m) => midSentence(labelOf(m, resolved))))})`;
  const v = resolved.variables.get(id);
  return v ? midSentence(shortLabel(v.item)) : id;
}

function associationsMethod(
  list: readonly Association[],
  resolved: ResolvedStudy,
  plan: AnalysisPlan,
): string {
  const outcome = (a: Association) =>
    `${labelOf(a.outcome, resolved)}${a.atLeast === undefined ? '' : ` ≥ ${formatPlain(a.atLeast)}`}`;
  const which = list
    .map((a) => `${listOf(a.characteristics.map((c) => labelOf(c, resolved)))} with ${outcome(a)}`)
    .join('; of ');
  const non = list.filter((a) => a.numeric === 'nonparametric');
  const par = list.length > non.length;
  const welch = plan.ttest === 'welch';
  const alt = (parametric: string, nonparametric: string) =>
    par && non.length
      ? `${parametric} (${nonparametric} for ${listOf(non.map(outcome))})`
      : par
        ? parametric
        : nonparametric;
  return `bivariate associations (of ${which}) are tested by the variables' types: two categorical variables by Pearson's chi-square test without continuity correction, or Fisher's exact test when an expected count is below 5, with Cramér's V; a numeric variable by two groups by ${alt(`${welch ? "Welch's" : "Student's"} t test with Hedges' g`, 'the Mann–Whitney test with r')}, by more groups by ${alt(`${welch ? "Welch's ANOVA with Games–Howell" : "one-way ANOVA with Tukey's HSD"} post-hoc tests and η²`, "the Kruskal–Wallis test with ε² and Dunn's post-hoc test")}; two numeric variables by ${alt("Pearson's correlation", "Spearman's correlation")}`;
}

function modelMethod(m: Model, resolved: ResolvedStudy): string {
  const predictors = listOf(m.predictors.map((x) => labelOf(x, resolved)));
  return m.type === 'logistic'
    ? `factors associated with ${labelOf(m.outcome, resolved)} ≥ ${formatPlain(m.atLeast ?? 0)} are estimated by binary logistic regression on ${predictors} (maximum likelihood; crude and adjusted odds ratios with Wald confidence intervals, likelihood-ratio model test, Cox & Snell and Nagelkerke R², Hosmer–Lemeshow test), over complete cases`
    : `${labelOf(m.outcome, resolved)} is modelled by linear regression (ordinary least squares) on ${predictors} (B with confidence intervals, standardised β, R² and adjusted R², F test, variance inflation factors), over complete cases`;
}

/** The protocol's sample-size calculation as a sentence (Cochran, with the finite population correction). */
export function sampleSizeSentenceOf(ss: SampleSize): string {
  const r = sampleSizeProportion({
    p: ss.proportion,
    marginOfError: ss.margin,
    level: ss.confidence,
    ...(ss.population !== undefined ? { populationSize: ss.population } : {}),
  });
  const level = `${formatPlain(ss.confidence * 100)}%`;
  const base = `Sample size: Cochran's formula n₀ = z²p(1 − p)/d² for an expected proportion p = ${formatPlain(ss.proportion)}${ss.source ? ` (${ss.source})` : ''}, a margin of error d = ${formatPlain(ss.margin)} and ${level} confidence`;
  if (isNotComputable(r)) return `${base}: not computable (${r.reason}).`;
  const z = ` (z = ${formatFixed(r.z, 2)})`;
  if (ss.population === undefined)
    return `${base}${z} gives n₀ = ${formatFixed(r.n0, 1)}, so at least ${formatInteger(r.n)} respondents were required.`;
  return `${base}${z} gives n₀ = ${formatFixed(r.n0, 1)}; with the finite population correction n = n₀/(1 + (n₀ − 1)/N) for a population of N = ${formatInteger(ss.population)}, at least ${formatInteger(r.n)} respondents were required.`;
}

/** The "Methods" section: one paragraph. */
export function methodsSection(input: MethodsInput): Section {
  const { resolved, scored, n, groups } = input;
  const plan = resolved.study.analysis;
  const s: string[] = [];
  s.push(
    `Design: cross-sectional survey; ${n} respondent${n === 1 ? '' : 's'} ${n === 1 ? 'was' : 'were'} analysed.`,
  );
  if (input.followUpWave !== undefined)
    s.push(
      `This is the "${input.followUpWave}" follow-up wave of a screening survey: it was sent with a personal link to volunteers who left contact details, so its responses are confidential, not anonymous (the researchers know whom they invited). Each response carries a pseudonymous panel id that links a volunteer's responses across waves but not to their anonymous screening response; results are reported for groups, with cells of fewer than ${plan.minCellSize} respondents suppressed.`,
    );
  const recruitment = input.waves && recruitmentSentence(input.waves, plan.minCellSize);
  if (recruitment) s.push(recruitment);
  if (plan.sampleSize) s.push(sampleSizeSentenceOf(plan.sampleSize));
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
  s.push(...mergeMethodsSentence(input.merged ?? []));
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
  if (plan.associations.length > 0) tests.push(associationsMethod(plan.associations, resolved, plan));
  if (plan.correlations)
    tests.push(
      `correlations between ${listOf(plan.correlations.variables.map((id) => labelOf(id, resolved)))} are ${plan.correlations.method === 'pearson' ? "Pearson's r" : "Spearman's ρ"} with two-sided t tests (${plan.correlations.missing} deletion)`,
    );
  for (const m of plan.models) tests.push(modelMethod(m, resolved));
  if (tests.length > 0) s.push(`Analysis: ${tests.join('; ')}.`);
  if (plan.associations.length > 0 || plan.correlations || groups.length > 0)
    s.push(
      plan.adjust === 'none'
        ? 'p-values are not adjusted for multiple comparisons.'
        : `p-values are adjusted for multiple comparisons with ${adjustName(plan.adjust) === 'Benjamini–Hochberg' ? 'the Benjamini–Hochberg false discovery rate' : `the ${adjustName(plan.adjust)} method`} within each family of tests (the tests of one table of associations, one group comparison across scores, one correlation matrix), and significance is judged on the adjusted p; Tukey and Games–Howell post-hoc comparisons are adjusted by the studentized range, Dunn's by the same method over the pairs, and regression coefficients are not adjusted.`,
    );
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
