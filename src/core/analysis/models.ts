/**
 * The regression models of the analysis plan (`analysis.models`), each as a report section: a linear model
 * (B, SE, standardised β, t, p, CI, VIF; R², adjusted R², F) or a logistic model of "outcome ≥ atLeast" (B, SE,
 * Wald χ², p, crude and adjusted odds ratios with Wald intervals; −2LL, model χ², Cox & Snell and Nagelkerke R²,
 * Hosmer–Lemeshow, classification table), with a result sentence.
 *
 * Complete cases: a respondent missing the outcome or any predictor is left out; the table note gives the n used and
 * how many were excluded for each variable. Crude odds ratios are one-predictor models on the same cases.
 * Single-choice predictors are dummy coded (first option, or the plan's `reference`, as reference). Problems
 * (separation, an empty category, a singular design, too few events per variable) become a sentence naming the
 * predictor; the rest of the report is unaffected. Small cells: with k > 0, a model with a category of fewer than k
 * respondents among the cases used is not shown (its coefficient would describe those few people).
 */

import { isSmall, suppressionReason } from '../privacy/suppression.js';
import {
  capitalize,
  col,
  DF,
  dec,
  EMPTY,
  formatCi,
  formatDf,
  formatFixed,
  formatInteger,
  formatLevel,
  formatPExpression,
  formatPlain,
  formatStatistic,
  INTEGER,
  interval,
  isSignificant,
  notComputableCell,
  num,
  pct,
  pval,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import type { Block, Cell, Row, Section, TableSpec } from '../report/spec.js';
import { AnswerStatus } from '../response/dataset.js';
import type { ScoreColumn } from '../scoring/score.js';
import { at, atF64, mapAt } from '../stats/at.js';
import { type LogisticRegressionResult, logisticRegression } from '../stats/logistic.js';
import {
  dummyCode,
  gather,
  type LinearRegressionResult,
  linearRegression,
  type RegressorColumn,
} from '../stats/regression.js';
import { isNotComputable } from '../stats/result.js';
import { shortLabel } from '../study/questions.js';
import type { CombinedScore, Model } from '../study/schema.js';
import type { AnalysisInput } from './input.js';

const LANG = 'en';

/** One model variable as data: its label, values (NaN = missing) and, for a single-choice question, its options. */
export interface Variable {
  readonly id: string;
  readonly label: string;
  readonly values: Float64Array;
  readonly options?: readonly { value: number; label: string }[];
}

export function variableOf(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  id: string,
): Variable | string {
  const s = scores.get(id);
  if (s) return { id, label: s.def.label[LANG] ?? s.id, values: s.values };
  const combined = input.resolved.study.analysis.combined.find((c) => c.id === id);
  if (combined) return combinedVariable(combined, scores);
  const v = input.resolved.variables.get(id);
  const c = input.dataset.columns.get(id);
  if (!v) return `"${id}" is not a score or question of this study`;
  if (c?.kind !== 'numeric') return `the data have no column for ${id}`;
  const values = new Float64Array(c.values.length);
  for (let i = 0; i < values.length; i++)
    values[i] = c.status[i] === AnswerStatus.ANSWERED ? atF64(c.values, i) : Number.NaN;
  const label = shortLabel(v.item, LANG);
  if (v.item.type !== 'single') return { id, label, values };
  const options = (v.item.options ?? []).map((o) => ({
    value: o.value,
    label: o.label[LANG] ?? Object.values(o.label)[0] ?? String(o.value),
  }));
  return { id, label, values, options };
}

/**
 * A combined score (`analysis.combined`): per respondent the highest of its scores, missing (NaN) when any of
 * them is missing — a missing one could be the highest.
 */
function combinedVariable(c: CombinedScore, scores: ReadonlyMap<string, ScoreColumn>): Variable | string {
  const parts: Float64Array[] = [];
  for (const id of c.max) {
    const sc = scores.get(id);
    if (!sc) return `combined score "${c.id}": the score "${id}" was not computed`;
    parts.push(sc.values);
  }
  const values = new Float64Array(at(parts, 0).length);
  for (let i = 0; i < values.length; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (const p of parts) m = Math.max(m, atF64(p, i)); // Math.max with a NaN is NaN
    values[i] = m;
  }
  return { id: c.id, label: c.label, values };
}

/** One predictor as model terms: its columns (subset to the cases used) and the rows of the coefficient table. */
interface Term {
  readonly variable: Variable;
  readonly columns: RegressorColumn[];
  /** For a categorical predictor: the reference label and the count of each level among the cases used. */
  readonly reference?: string;
  readonly levels?: readonly { label: string; count: number }[];
}

type Prepared =
  | {
      readonly ok: true;
      readonly y: Float64Array;
      readonly terms: Term[];
      readonly n: number;
      readonly excludedNote: string;
      /** The model as a sentence names it: "a logistic regression of stigma ≥ 1.5 on gender and age". */
      readonly subject: string;
      /** Categories left out because nobody among the cases used chose them. */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

function prepare(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  m: Model,
  k: number,
): Prepared {
  const outcome = variableOf(input, scores, m.outcome);
  if (typeof outcome === 'string') return { ok: false, reason: `outcome: ${outcome}` };
  const vars: Variable[] = [];
  for (const p of m.predictors) {
    const v = variableOf(input, scores, p);
    if (typeof v === 'string') return { ok: false, reason: `predictor: ${v}` };
    vars.push(v);
  }
  const all = [outcome, ...vars];
  const len = outcome.values.length;
  const rows: number[] = [];
  for (let i = 0; i < len; i++) if (all.every((v) => !Number.isNaN(atF64(v.values, i)))) rows.push(i);
  const missing = all
    .map((v) => ({ label: v.label, count: v.values.reduce((a, x) => a + (Number.isNaN(x) ? 1 : 0), 0) }))
    .filter((x) => x.count > 0);
  const excluded = len - rows.length;
  const excludedNote =
    excluded === 0
      ? `n = ${formatInteger(rows.length)}: every respondent had the outcome and all predictors.`
      : `n = ${formatInteger(rows.length)} complete cases; ${formatInteger(excluded)} excluded for a missing value (${missing
          .map((x) => `${x.label}: ${formatInteger(x.count)} missing`)
          .join('; ')}).`;
  const pick = (v: Variable) => gather(v.values, rows);
  const y = pick(outcome);
  const yy = m.type === 'logistic' ? y.map((v) => (v >= (m.atLeast ?? 0) ? 1 : 0)) : y;
  const terms: Term[] = [];
  const notes: string[] = [];
  for (const v of vars) {
    const values = pick(v);
    if (!v.options) {
      terms.push({ variable: v, columns: [{ name: v.label, values, term: v.label }] });
      continue;
    }
    const labelOf = (x: number | string) => v.options?.find((o) => o.value === x)?.label ?? String(x);
    // categories nobody among the cases used chose are left out (named in a note): they have no coefficient
    const used = v.options.filter((o) => values.some((x) => x === o.value));
    const unused = v.options.filter((o) => !used.includes(o));
    const ref = m.reference[v.id] ?? used[0]?.value;
    if (ref !== undefined && !used.some((o) => o.value === ref)) {
      return {
        ok: false,
        reason: `${v.label}: the reference category "${labelOf(ref)}" has no respondents among the ${formatInteger(rows.length)} cases used; name another in "reference"`,
      };
    }
    if (used.length < 2) {
      return {
        ok: false,
        reason: `${v.label}: the ${formatInteger(rows.length)} cases used all have the same answer${used[0] ? ` ("${used[0].label}")` : ''}, so it cannot predict anything; leave it out`,
      };
    }
    const coded = dummyCode(v.label, values, {
      levels: used.map((o) => o.value),
      ...(ref === undefined ? {} : { reference: ref }),
    });
    if (isNotComputable(coded)) return { ok: false, reason: coded.reason };
    if (unused.length)
      notes.push(
        `${v.label}: ${unused.map((o) => `"${o.label}"`).join(', ')} ha${unused.length > 1 ? 've' : 's'} no respondents among the cases used and ${unused.length > 1 ? 'are' : 'is'} left out of the model.`,
      );
    const levels = coded.levels.map((l, j) => ({ label: labelOf(l), count: at(coded.counts, j) }));
    const small = levels.filter((l) => k > 0 && l.count < k);
    if (small.length) {
      return {
        ok: false,
        reason: `${v.label}: ${small.map((l) => `"${l.label}"`).join(', ')} ha${small.length > 1 ? 've' : 's'} fewer than ${k} respondents among the cases used, which could identify them; merge the category with another to show this model`,
      };
    }
    const nonReference = coded.levels.filter((l) => l !== coded.reference);
    terms.push({
      variable: v,
      reference: labelOf(coded.reference),
      levels,
      columns: coded.columns.map((c, j) => {
        const level = at(nonReference, j);
        return { name: `${v.label}: ${labelOf(level)}`, values: c.values, term: v.label };
      }),
    });
  }
  const subject = `${m.type === 'logistic' ? 'a logistic' : 'a linear'} regression of ${lower(outcome.label)}${m.type === 'logistic' ? ` ≥ ${formatPlain(m.atLeast ?? 0)}` : ''} on ${predictorList(vars.map((v) => v.label))}`;
  return { ok: true, y: yy, terms, n: rows.length, excludedNote, subject, notes };
}

function outcomeText(input: AnalysisInput, scores: ReadonlyMap<string, ScoreColumn>, m: Model): string {
  const o = variableOf(input, scores, m.outcome);
  const label = typeof o === 'string' ? m.outcome : o.label;
  return m.type === 'logistic' ? `${label} ≥ ${formatPlain(m.atLeast ?? 0)}` : label;
}

/** A label as it reads mid-sentence ("Level of training" → "level of training", "BACE" stays). */
function lower(x: string): string {
  return /^\p{Lu}\p{Ll}/u.test(x) ? x.charAt(0).toLowerCase() + x.slice(1) : x;
}

function predictorList(labels: readonly string[]): string {
  const l = labels.map(lower);
  return l.length <= 1 ? (l[0] ?? '') : `${l.slice(0, -1).join(', ')} and ${l[l.length - 1]}`;
}

/** Rows of a coefficient table: the intercept, then each predictor (a categorical one as a group with its levels). */
function coefficientRows(
  terms: readonly Term[],
  cells: (name: string) => Record<string, Cell>,
  interceptCells: Record<string, Cell>,
  referenceCells: Record<string, Cell> = {},
): Row[] {
  const rows: Row[] = [{ kind: 'data', cells: { predictor: text('(Intercept)'), ...interceptCells } }];
  for (const t of terms) {
    if (!t.levels) {
      rows.push({
        kind: 'data',
        cells: { predictor: text(t.variable.label), ...cells(at(t.columns, 0).name) },
      });
      continue;
    }
    rows.push({ kind: 'group', label: t.variable.label });
    rows.push({
      kind: 'data',
      indent: 1,
      cells: { predictor: text(`${t.reference} (reference)`), ...referenceCells },
    });
    for (const c of t.columns) {
      rows.push({
        kind: 'data',
        indent: 1,
        cells: { predictor: text(c.name.slice(t.variable.label.length + 2)), ...cells(c.name) },
      });
    }
  }
  return rows;
}

function significantPredictors<C extends { name: string; pValue: number }>(
  coefs: readonly C[],
  alpha: number,
  describe: (c: C) => string,
): string {
  const sig = coefs.slice(1).filter((c) => isSignificant(c.pValue, alpha));
  if (!sig.length)
    return 'No predictor was significantly associated with the outcome when adjusted for the others.';
  return `${sig.map((c) => `${c.name} (${describe(c)})`).join('; ')} ${sig.length > 1 ? 'were' : 'was'} significantly associated with the outcome when adjusted for the other predictors.`;
}

function linearBlocks(
  m: Model,
  title: string,
  prep: Extract<Prepared, { ok: true }>,
  alpha: number,
  level: number,
): Block[] {
  const r = linearRegression(
    prep.y,
    prep.terms.flatMap((t) => t.columns),
    { level },
  );
  if (isNotComputable(r)) return [{ type: 'text', sentences: [`${title}: not computed. ${r.reason}`] }];
  return [
    linearTable(m, title, prep, r),
    fitTable(m, title, [
      ['R²', num(r.rSquared)],
      ['Adjusted R²', num(r.adjustedRSquared)],
      ['F', num(r.fTest.statistic, dec(2))],
      ['df', text(`${formatDf(r.fTest.df[0])}, ${formatDf(r.fTest.df[1])}`)],
      ['p', num(r.fTest.pValue, pval())],
      ['Residual SE', num(r.sigma, dec(3))],
    ]),
    { type: 'text', sentences: [linearSentence(prep, r, alpha)] },
  ];
}

function linearTable(
  m: Model,
  title: string,
  prep: Extract<Prepared, { ok: true }>,
  r: LinearRegressionResult,
): TableSpec {
  const byName = new Map(r.coefficients.map((c) => [c.name, c]));
  const vif = isNotComputable(r.vif)
    ? new Map<string, number>()
    : new Map(r.vif.map((v) => [v.term, v.gvif]));
  const shownVif = new Set<string>();
  const cells = (name: string): Record<string, Cell> => {
    const c = mapAt(byName, name);
    const term = c.term;
    const v = vif.get(term);
    const first = !shownVif.has(term);
    shownVif.add(term);
    return {
      b: num(c.estimate),
      se: num(c.se),
      beta: c.standardized === null ? EMPTY : num(c.standardized),
      t: num(c.statistic),
      p: num(c.pValue),
      ci: interval(c.ci.lower, c.ci.upper),
      ...(v !== undefined && first ? { vif: num(v) } : {}),
    };
  };
  const ic = at(r.coefficients, 0);
  const multi = prep.terms.some((t) => t.columns.length > 1);
  return {
    type: 'table',
    id: `model_${m.id}`,
    title,
    columns: [
      col('predictor', 'Predictor', TEXT),
      col('b', 'B', dec(3)),
      col('se', 'SE', dec(3)),
      col('beta', 'β', dec(3)),
      col('t', 't', dec(2)),
      col('p', 'p', pval()),
      col('ci', `${formatLevel(ic.ci.level)} CI of B`, dec(3)),
      col('vif', 'VIF', dec(2)),
    ],
    rows: coefficientRows(prep.terms, cells, {
      b: num(ic.estimate),
      se: num(ic.se),
      t: num(ic.statistic),
      p: num(ic.pValue),
      ci: interval(ic.ci.lower, ic.ci.upper),
    }),
    denominator: prep.excludedNote,
    notes: [
      `Ordinary least squares; model fit in the next table. β: standardised coefficient (B · SD of the predictor / SD of the outcome, as SPSS Beta).${multi ? ' VIF of a categorical predictor with more than two categories is the generalised VIF (car::vif), on its first row.' : ''}`,
      ...prep.notes,
    ],
  };
}

function linearSentence(
  prep: Extract<Prepared, { ok: true }>,
  r: LinearRegressionResult,
  alpha: number,
): string {
  const overall = isSignificant(r.fTest.pValue, alpha)
    ? 'explained a statistically significant share'
    : 'did not explain a statistically significant share';
  const lvl = formatLevel(at(r.coefficients, 0).ci.level);
  return `${capitalize(prep.subject)} (n = ${formatInteger(prep.n)}) ${overall} of the variance (R² = ${formatFixed(r.rSquared, 3, { leadingZero: false })}, adjusted R² = ${formatFixed(r.adjustedRSquared, 3, { leadingZero: false })}), F(${formatDf(r.fTest.df[0])}, ${formatDf(r.fTest.df[1])}) = ${formatStatistic(r.fTest.statistic)}, ${formatPExpression(r.fTest.pValue)}. ${significantPredictors(
    r.coefficients,
    alpha,
    (c) =>
      `B = ${formatFixed(c.estimate, 2)}, ${lvl} CI ${formatCi(c.ci.lower, c.ci.upper, 2)}, ${formatPExpression(c.pValue)}`,
  )}`;
}

function logisticBlocks(
  m: Model,
  title: string,
  event: string,
  prep: Extract<Prepared, { ok: true }>,
  alpha: number,
  level: number,
  k: number,
): Block[] {
  const cols = prep.terms.flatMap((t) => t.columns);
  const r = logisticRegression(prep.y, cols, { level });
  if (isNotComputable(r)) return [{ type: 'text', sentences: [`${title}: not computed. ${r.reason}`] }];
  if (isSmall(r.events, k) || isSmall(r.n - r.events, k)) {
    return [
      {
        type: 'text',
        sentences: [
          `${title}: not shown. ${isSmall(r.events, k) ? 'Fewer' : 'All but fewer'} than ${k} of the ${formatInteger(r.n)} respondents used had ${event}, which could identify them; choose another threshold to show this model.`,
        ],
      },
    ];
  }
  const crude = new Map<string, { or: number; lower: number; upper: number } | string>();
  for (const t of prep.terms) {
    const c = logisticRegression(prep.y, t.columns, { level });
    for (const [j, column] of t.columns.entries()) {
      if (isNotComputable(c)) crude.set(column.name, c.reason);
      else {
        const co = at(c.coefficients, j + 1);
        crude.set(column.name, {
          or: co.oddsRatio,
          lower: co.oddsRatioCi.lower,
          upper: co.oddsRatioCi.upper,
        });
      }
    }
  }
  const hl = r.hosmerLemeshow;
  const hlRows: [string, Cell][] = isNotComputable(hl)
    ? [['Hosmer–Lemeshow χ²', notComputableCell(hl.reason)]]
    : [
        ['Hosmer–Lemeshow χ²', num(hl.statistic, dec(2))],
        ['Hosmer–Lemeshow df', num(hl.df, DF)],
        ['Hosmer–Lemeshow p', num(hl.pValue, pval())],
      ];
  const blocks: Block[] = [
    logisticTable(m, title, prep, r, event, crude),
    fitTable(m, title, [
      ['−2 log-likelihood', num(r.deviance, dec(2))],
      ['−2 log-likelihood, intercept only', num(r.nullDeviance, dec(2))],
      ['Model χ²', num(r.modelTest.statistic, dec(2))],
      ['Model df', num(r.modelTest.df, DF)],
      ['Model p', num(r.modelTest.pValue, pval())],
      ['Cox & Snell R²', num(r.coxSnellR2)],
      ['Nagelkerke R²', num(r.nagelkerkeR2)],
      ...hlRows,
    ]),
    classificationTable(m, title, r, k),
  ];
  const sentences = [logisticSentence(prep, r, alpha)];
  for (const w of r.warnings) sentences.push(`${title}: ${w.message}`);
  blocks.push({ type: 'text', sentences });
  return blocks;
}

function logisticTable(
  m: Model,
  title: string,
  prep: Extract<Prepared, { ok: true }>,
  r: LogisticRegressionResult,
  event: string,
  crude: ReadonlyMap<string, { or: number; lower: number; upper: number } | string>,
): TableSpec {
  const byName = new Map(r.coefficients.map((c) => [c.name, c]));
  const crudeNotes: string[] = [];
  const cells = (name: string): Record<string, Cell> => {
    const c = mapAt(byName, name);
    const cr = crude.get(name);
    if (typeof cr === 'string') crudeNotes.push(`Crude OR of ${name} not computed: ${cr}`);
    return {
      b: num(c.estimate),
      se: num(c.se),
      wald: num(c.waldChiSquare),
      p: num(c.pValue),
      ...(cr === undefined || typeof cr === 'string'
        ? {}
        : { crude: num(cr.or), crudeCi: interval(cr.lower, cr.upper) }),
      or: num(c.oddsRatio),
      orCi: interval(c.oddsRatioCi.lower, c.oddsRatioCi.upper),
    };
  };
  const ic = at(r.coefficients, 0);
  const rows = coefficientRows(
    prep.terms,
    cells,
    {
      b: num(ic.estimate),
      se: num(ic.se),
      wald: num(ic.waldChiSquare),
      p: num(ic.pValue),
    },
    { crude: num(1), or: num(1) },
  );
  const lvl = formatLevel(ic.ci.level);
  return {
    type: 'table',
    id: `model_${m.id}`,
    title,
    columns: [
      col('predictor', 'Predictor', TEXT),
      col('b', 'B', dec(3)),
      col('se', 'SE', dec(3)),
      col('wald', 'Wald χ²', dec(2)),
      col('p', 'p', pval()),
      col('crude', 'Crude OR', dec(2)),
      col('crudeCi', `${lvl} CI`, dec(2)),
      col('or', 'Adjusted OR', dec(2)),
      col('orCi', `${lvl} CI`, dec(2)),
    ],
    rows,
    denominator: `${prep.excludedNote} Events (${event}): ${formatInteger(r.events)} of ${formatInteger(r.n)}.`,
    notes: [
      'Binary logistic regression (maximum likelihood); model fit in the next table.',
      'OR: odds ratio exp(B) with its Wald interval exp(B ± z·SE); crude ORs are one-predictor models on the same cases, adjusted ORs come from the model with all predictors.',
      ...prep.notes,
      ...crudeNotes,
    ],
  };
}

/** Model fit statistics, one per row (numbers keep full precision in the report JSON). */
function fitTable(m: Model, title: string, rows: readonly (readonly [string, Cell])[]): TableSpec {
  return {
    type: 'table',
    id: `model_${m.id}_fit`,
    title: `${title}: model fit`,
    columns: [col('statistic', 'Statistic', TEXT), col('value', 'Value', dec(3, false))],
    rows: rows.map(([label, value]) => ({ kind: 'data', cells: { statistic: text(label), value } })),
    notes: [],
  };
}

function classificationTable(m: Model, title: string, r: LogisticRegressionResult, k: number): TableSpec {
  const c = r.classification;
  // a small cell of the table (and, with it, every percentage that would let it be recovered) is hidden
  const hide = c.counts.some((o) => o.some((x) => isSmall(x, k)));
  const count = (x: number): Cell => (hide ? suppressed(suppressionReason(k)) : num(x));
  const share = (x: number): Cell => (hide ? suppressed(suppressionReason(k)) : num(x / 100));
  const row = (label: string, o: 0 | 1, pc: number) => ({
    kind: 'data' as const,
    cells: {
      observed: text(label),
      p0: count(c.counts[o][0]),
      p1: count(c.counts[o][1]),
      correct: share(pc),
    },
  });
  return {
    type: 'table',
    id: `model_${m.id}_classification`,
    title: `${title}: classification`,
    columns: [
      col('observed', 'Observed', TEXT),
      col('p0', 'Predicted no', INTEGER),
      col('p1', 'Predicted yes', INTEGER),
      col('correct', '% correct', pct(1)),
    ],
    rows: [
      row('No', 0, c.percentCorrect0),
      row('Yes', 1, c.percentCorrect1),
      { kind: 'data', cells: { observed: text('Overall'), correct: share(c.percentCorrectOverall) } },
    ],
    notes: [`Predicted yes when the fitted probability is at least ${formatPlain(c.cut)}.`],
  };
}

function logisticSentence(
  prep: Extract<Prepared, { ok: true }>,
  r: LogisticRegressionResult,
  alpha: number,
): string {
  const overall = isSignificant(r.modelTest.pValue, alpha)
    ? 'fitted significantly better than the intercept-only model'
    : 'did not fit significantly better than the intercept-only model';
  const lvl = formatLevel(at(r.coefficients, 0).ci.level);
  return `${capitalize(prep.subject)} (n = ${formatInteger(prep.n)}, ${formatInteger(r.events)} events) ${overall}, χ²(${formatDf(r.modelTest.df)}) = ${formatStatistic(r.modelTest.statistic)}, ${formatPExpression(r.modelTest.pValue)}, Nagelkerke R² = ${formatFixed(r.nagelkerkeR2, 3, { leadingZero: false })}. ${significantPredictors(
    r.coefficients,
    alpha,
    (c) =>
      `adjusted OR = ${formatFixed(c.oddsRatio, 2)}, ${lvl} CI ${formatCi(c.oddsRatioCi.lower, c.oddsRatioCi.upper, 2)}, ${formatPExpression(c.pValue)}`,
  )}`;
}

/** A section per model of the plan, in plan order. */
export function modelSections(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  k: number,
): Section[] {
  const plan = input.resolved.study.analysis;
  return plan.models.map((m) => {
    const predictors = m.predictors.map((p) => {
      const v = variableOf(input, scores, p);
      return typeof v === 'string' ? p : v.label;
    });
    const title =
      m.title ??
      `${m.type === 'logistic' ? 'Logistic' : 'Linear'} regression: ${outcomeText(input, scores, m)} by ${predictorList(predictors)}`;
    const prep = prepare(input, scores, m, k);
    const blocks: Block[] = prep.ok
      ? m.type === 'linear'
        ? linearBlocks(m, title, prep, plan.alpha, plan.confidenceLevel)
        : logisticBlocks(m, title, outcomeText(input, scores, m), prep, plan.alpha, plan.confidenceLevel, k)
      : [{ type: 'text', sentences: [`${capitalize(title)}: not computed. ${capitalize(prep.reason)}.`] }];
    return { id: `model_${m.id}`, title, blocks };
  });
}
