/**
 * Result sentences that follow the statistics, APA style.
 *
 * The significance rule, used by every sentence here: **a result is statistically significant when p < alpha.**
 * p = alpha exactly is not significant. A sentence says "significantly" only when p < alpha and "no statistically
 * significant difference" only when p ≥ alpha; nothing else decides the wording (not the rounded p, not the CI).
 *
 * Inputs are small typed objects (the analysis maps statistics results onto them). Labels are used as given,
 * except that the first letter of a sentence is capitalised, so pass labels as they read mid-sentence
 * ("postgraduates", "instrumental barrier scores"). Numbers must be finite; a statistic that could not be
 * computed is passed as `NotComputable` and the sentence says so with its reason.
 */
import { type Interval, isNotComputable, type NotComputable } from '../stats/result.js';
import {
  formatCi,
  formatDf,
  formatFixed,
  formatInteger,
  formatLevel,
  formatPExpression,
  formatPercentCi,
  formatPlain,
  formatStatistic,
  percentOf,
} from './format.js';

/** The rule, in words, for methods sections and docs. */
export const SIGNIFICANCE_RULE =
  'A result is called statistically significant when p < alpha; p equal to alpha is not significant.';

/** True when p < alpha (the only significance rule nabz uses). */
export function isSignificant(pValue: number, alpha: number): boolean {
  if (!Number.isFinite(pValue) || !Number.isFinite(alpha))
    throw new RangeError('isSignificant: p and alpha must be finite');
  return pValue < alpha;
}

/** Upper-cases the first character of a sentence (only that one). */
export function capitalize(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}

function reasonText(r: NotComputable): string {
  return r.reason.replace(/[\s.]+$/, '');
}

function ciText(ci: Interval, digits: number, leadingZero = true): string {
  return `${formatLevel(ci.level)} CI ${formatCi(ci.lower, ci.upper, digits, { leadingZero })}`;
}

/** One group's descriptives as a sentence uses them. */
interface GroupDescriptives {
  /** As it reads mid-sentence, e.g. "postgraduates". */
  readonly label: string;
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
}

/** A two-sample t-test as the plan chose it (Student: equal variances; Welch: unequal). */
interface TTestSummary {
  readonly kind: 'student' | 'welch';
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

/** An effect size with its name as printed ("d", "g", "r") and an optional interval. */
interface EffectSummary {
  readonly name: string;
  readonly estimate: number;
  readonly ci?: Interval;
  /** Print without a leading zero (for r). Default false. */
  readonly bounded?: boolean;
}

export interface TwoGroupComparison {
  /** What was compared, as it reads mid-sentence: "instrumental barrier scores". */
  readonly outcomeLabel: string;
  /** In the order the test used: the statistic's sign is mean(groups[0]) − mean(groups[1]). */
  readonly groups: readonly [GroupDescriptives, GroupDescriptives];
  readonly test: TTestSummary | NotComputable;
  readonly effect?: EffectSummary | NotComputable;
  /** Mean difference groups[0] − groups[1] with its interval, printed before the test when given. */
  readonly meanDifference?: { readonly estimate: number; readonly ci?: Interval };
  readonly alpha: number;
  /** Decimals of means, SDs and the mean difference. Default 2. */
  readonly digits?: number;
  /** Verb of the significant sentence: "Postgraduates reported significantly higher …". Default "reported". */
  readonly verb?: string;
  /** The p-value adjusted for multiple comparisons; when given, it (not the test's p) decides "significantly". */
  readonly adjusted?: AdjustedP;
}

/** A p-value adjusted for multiple comparisons, with the method's name as printed ("Holm"). */
export interface AdjustedP {
  readonly method: string;
  readonly pValue: number;
}

/** ", Holm-adjusted p = .030" (empty without an adjustment). */
export function adjustedText(adj: AdjustedP | undefined, alpha: number): string {
  return adj ? `, ${adj.method}-adjusted ${formatPExpression(adj.pValue, { alpha })}` : '';
}

/** The p-value that decides significance: the adjusted one when there is one. */
export function deciding(pValue: number, adj: AdjustedP | undefined): number {
  return adj ? adj.pValue : pValue;
}

function groupText(g: GroupDescriptives, digits: number): string {
  return `${g.label} (M = ${formatFixed(g.mean, digits)}, SD = ${formatFixed(g.sd, digits)})`;
}

function effectText(e: EffectSummary | NotComputable | undefined): string {
  if (e === undefined) return '';
  if (isNotComputable(e)) return `; the effect size could not be computed (${reasonText(e)})`;
  const lz = !(e.bounded ?? false);
  let s = `, ${e.name} = ${formatFixed(e.estimate, 2, { leadingZero: lz })}`;
  if (e.ci) s += `, ${ciText(e.ci, 2, lz)}`;
  return s;
}

/**
 * A two-group comparison, e.g. "Postgraduates (M = 1.09, SD = 0.53) reported significantly higher instrumental
 * barrier scores than undergraduates (M = 0.90, SD = 0.54), t(215) = 2.31, p = .022, d = 0.35,
 * 95% CI [0.05, 0.65]." when p < alpha, else "There was no statistically significant difference in … between …
 * and …, t(215) = 1.07, p = .286, …". Welch's test prints "Welch's t(101.45) = …". The direction word (higher /
 * lower) compares groups[0] with groups[1].
 */
export function twoGroupSentence(c: TwoGroupComparison): string {
  const digits = c.digits ?? 2;
  const [a, b] = c.groups;
  for (const g of c.groups) {
    if (![g.mean, g.sd, g.n].every(Number.isFinite))
      throw new RangeError(`twoGroupSentence: non-finite descriptives for "${g.label}"`);
  }
  if (isNotComputable(c.test)) {
    return `${capitalize(`the difference in ${c.outcomeLabel} between ${groupText(a, digits)} and ${groupText(b, digits)}`)} could not be tested: ${reasonText(c.test)}.`;
  }
  const t = c.test;
  const diff = c.meanDifference
    ? `M difference = ${formatFixed(c.meanDifference.estimate, digits)}${c.meanDifference.ci ? `, ${ciText(c.meanDifference.ci, digits)}` : ''}, `
    : '';
  const stat = `${t.kind === 'welch' ? "Welch's " : ''}t(${formatDf(t.df)}) = ${formatStatistic(t.statistic)}, ${formatPExpression(t.pValue, { alpha: c.alpha })}${adjustedText(c.adjusted, c.alpha)}`;
  const tail = `${diff}${stat}${effectText(c.effect)}.`;
  if (isSignificant(deciding(t.pValue, c.adjusted), c.alpha)) {
    if (a.mean === b.mean) {
      throw new Error(
        `twoGroupSentence: p < alpha but the two means of ${c.outcomeLabel} are equal; check the inputs`,
      );
    }
    const dir = a.mean > b.mean ? 'higher' : 'lower';
    return `${capitalize(groupText(a, digits))} ${c.verb ?? 'reported'} significantly ${dir} ${c.outcomeLabel} than ${groupText(b, digits)}, ${tail}`;
  }
  return `There was no statistically significant difference in ${c.outcomeLabel} between ${groupText(a, digits)} and ${groupText(b, digits)}, ${tail}`;
}

/** A bivariate test of a characteristic with an outcome, as the association table reports it. */
interface AssociationSummary {
  /** As it reads at the start of a sentence: "Year of study". */
  readonly characteristic: string;
  /** As it reads mid-sentence: "a PHQ-9 total of at least 10". */
  readonly outcome: string;
  /** The test with its statistic, e.g. "Kruskal–Wallis H(3) = 12.30". */
  readonly statistic: string;
  readonly pValue: number;
  readonly adjusted?: AdjustedP;
  /** ", Cramér's V = .21" (with its leading comma), or empty. */
  readonly effect?: string;
  readonly alpha: number;
}

/**
 * "Year of study was significantly associated with a PHQ-9 total of at least 10, χ²(3) = 12.30, p = .006,
 * Holm-adjusted p = .018, Cramér's V = .21." — "significantly" only when the deciding (adjusted, if any) p < alpha.
 */
export function associationSentence(a: AssociationSummary): string {
  const sig = isSignificant(deciding(a.pValue, a.adjusted), a.alpha);
  return `${capitalize(a.characteristic)} was ${sig ? 'significantly' : 'not significantly'} associated with ${a.outcome}, ${a.statistic}, ${formatPExpression(a.pValue, { alpha: a.alpha })}${adjustedText(a.adjusted, a.alpha)}${a.effect ?? ''}.`;
}

/** Share of respondents at or above a score threshold, with its interval (Wilson by default). */
interface ThresholdPrevalence {
  /** "respondents". */
  readonly populationLabel: string;
  /** As it reads after "had": "an attitudinal barriers score". */
  readonly scoreLabel: string;
  readonly atLeast: number;
  readonly count: number;
  /** Respondents with a score (the denominator). */
  readonly n: number;
  readonly ci?: Interval | NotComputable;
  /** Name of the interval method, printed after the interval. Default "Wilson". */
  readonly ciMethod?: string;
  readonly percentDigits?: number;
}

/**
 * "Of the 217 respondents, 61 (28.1%, 95% CI [22.6%, 34.4%], Wilson) had an attitudinal barriers score of at
 * least 1.5." With n = 0 the sentence says the share is not computable.
 */
export function thresholdSentence(t: ThresholdPrevalence): string {
  if (t.n === 0) {
    return `The share of ${t.populationLabel} with ${t.scoreLabel} of at least ${formatPlain(t.atLeast)} is not computable: no ${t.populationLabel} had a score.`;
  }
  const d = t.percentDigits ?? 1;
  let inner = percentOf(t.count, t.n, d);
  if (t.ci !== undefined) {
    inner += isNotComputable(t.ci)
      ? `; interval not computable: ${reasonText(t.ci)}`
      : `, ${formatLevel(t.ci.level)} CI ${formatPercentCi(t.ci.lower, t.ci.upper, d)}, ${t.ciMethod ?? 'Wilson'}`;
  }
  return `Of the ${formatInteger(t.n)} ${t.populationLabel}, ${formatInteger(t.count)} (${inner}) had ${t.scoreLabel} of at least ${formatPlain(t.atLeast)}.`;
}

/** Cronbach's alpha of a scale. */
interface ReliabilitySummary {
  /** As it reads mid-sentence: "the stigma-related barriers domain". */
  readonly scaleLabel: string;
  readonly alpha: number | NotComputable;
  readonly items: number;
  /** Respondents used. */
  readonly n: number;
  readonly ci?: Interval;
  /** How missing answers were handled: listwise (SPSS) or pairwise (psych::alpha). */
  readonly missing?: 'listwise' | 'pairwise';
}

/**
 * "Cronbach's α for the stigma-related barriers domain was .87, 95% CI [.84, .90] (10 items, n = 210,
 * listwise deletion)." α is printed with 2 decimals and no leading zero.
 */
export function reliabilitySentence(r: ReliabilitySummary): string {
  const detail = `${formatInteger(r.items)} items, n = ${formatInteger(r.n)}${r.missing ? `, ${r.missing} deletion` : ''}`;
  if (isNotComputable(r.alpha)) {
    return `Cronbach's α for ${r.scaleLabel} could not be computed: ${reasonText(r.alpha)} (${detail}).`;
  }
  const ci = r.ci ? `, ${ciText(r.ci, 2, false)}` : '';
  return `Cronbach's α for ${r.scaleLabel} was ${formatFixed(r.alpha, 2, { leadingZero: false })}${ci} (${detail}).`;
}

/** One item's endorsement: `count` of `n` answering respondents endorsed it. */
interface EndorsementItem {
  readonly label: string;
  readonly count: number;
  /** Respondents who answered the item (not applicable excluded). */
  readonly n: number;
}

interface EndorsementRanking {
  readonly items: readonly EndorsementItem[];
  /** "barrier". */
  readonly noun: string;
  /** Plural of noun, default noun + "s". */
  readonly nounPlural?: string;
  /** Most (default) or least endorsed. */
  readonly rank?: 'most' | 'least';
  readonly percentDigits?: number;
}

/**
 * "Difficulty taking time off work was the most endorsed barrier (53.5%, 116/217)." Items tied on the exact
 * proportion (compared as fractions, not rounded percentages) are all named: "A (40.1%, 87/217) and B (40.1%,
 * 87/217) were the most endorsed barriers." Items nobody answered are left out.
 */
export function endorsementSentence(e: EndorsementRanking): string {
  const d = e.percentDigits ?? 1;
  const rank = e.rank ?? 'most';
  const [head, ...rest] = e.items.filter((i) => i.n > 0);
  const plural = e.nounPlural ?? `${e.noun}s`;
  if (head === undefined) return `No ${e.noun} could be ranked: no respondent answered any item.`;
  // compare count/n exactly by cross-multiplication (counts are integers far below 2^26)
  const cmp = (x: EndorsementItem, y: EndorsementItem) => x.count * y.n - y.count * x.n;
  // `top` is the first of the best items (`best[0]`)
  let top = head;
  let best = [head];
  for (const it of rest) {
    const c = cmp(it, top);
    if (c === 0) best.push(it);
    else if (rank === 'most' ? c > 0 : c < 0) {
      top = it;
      best = [it];
    }
  }
  const stat = (i: EndorsementItem) =>
    `${percentOf(i.count, i.n, d)}, ${formatInteger(i.count)}/${formatInteger(i.n)}`;
  if (best.length === 1) {
    const i = top;
    return `${capitalize(i.label)} was the ${rank} endorsed ${e.noun} (${stat(i)}).`;
  }
  const names = best.map((i) => `${i.label} (${stat(i)})`);
  const list = `${names.slice(0, -1).join(', ')}${names.length > 2 ? ',' : ''} and ${names[names.length - 1]}`;
  return `${capitalize(list)} were the ${rank} endorsed ${plural}.`;
}

/** A mean with its SD: "The overall BACE score had a mean of 1.07 (SD = 0.51, n = 217; range 0.00–2.79)." */
interface MeanSummary {
  /** As it starts a sentence: "the overall BACE score". */
  readonly label: string;
  readonly n: number;
  readonly mean: number | NotComputable;
  readonly sd?: number | NotComputable;
  readonly min?: number;
  readonly max?: number;
  readonly digits?: number;
  /** Unit after the mean, e.g. "years". */
  readonly unit?: string;
  /** Whether the values are whole numbers: the range is then printed as whole numbers ("18–41"). */
  readonly integers?: boolean;
}

export function meanSentence(m: MeanSummary): string {
  const d = m.digits ?? 2;
  if (isNotComputable(m.mean))
    return `${capitalize(m.label)} could not be summarised: ${reasonText(m.mean)}.`;
  const parts: string[] = [];
  if (m.sd !== undefined)
    parts.push(isNotComputable(m.sd) ? 'SD not computable' : `SD = ${formatFixed(m.sd, d)}`);
  parts.push(`n = ${formatInteger(m.n)}`);
  let inner = parts.join(', ');
  if (m.min !== undefined && m.max !== undefined)
    inner += m.integers
      ? `; range ${formatInteger(m.min)}–${formatInteger(m.max)}`
      : `; range ${formatFixed(m.min, d)}–${formatFixed(m.max, d)}`;
  return `${capitalize(m.label)} had a mean of ${formatFixed(m.mean, d)}${m.unit ? ` ${m.unit}` : ''} (${inner}).`;
}

/** Counts of a categorical variable: "Gender: female 56.7% (123/217), male 43.3% (94/217)." */
interface CategoricalSummary {
  readonly label: string;
  readonly levels: readonly { readonly label: string; readonly count: number }[];
  /** Denominator; default the sum of the level counts. */
  readonly n?: number;
  readonly percentDigits?: number;
}

export function categoricalSentence(c: CategoricalSummary): string {
  const n = c.n ?? c.levels.reduce((s, l) => s + l.count, 0);
  if (n === 0) return `${capitalize(c.label)}: no answers.`;
  const d = c.percentDigits ?? 1;
  const parts = c.levels.map(
    (l) => `${l.label} ${percentOf(l.count, n, d)} (${formatInteger(l.count)}/${formatInteger(n)})`,
  );
  return `${capitalize(c.label)}: ${parts.join(', ')}.`;
}

/** "A total of 217 responses were analysed." (singular for 1). */
export function sampleSizeSentence(n: number, unit = 'responses', unitSingular = 'response'): string {
  return n === 1
    ? `A total of 1 ${unitSingular} was analysed.`
    : `A total of ${formatInteger(n)} ${unit} were analysed.`;
}
