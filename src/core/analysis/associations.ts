/**
 * Bivariate associations of the plan (`analysis.associations`): every chosen characteristic with one outcome, the
 * test chosen by the two variables' types —
 *
 * - categorical × categorical: Pearson's chi-square (no continuity correction), or Fisher's exact test when any
 *   expected count is below 5 (the table note says which and why); Cramér's V;
 * - numeric by two groups: the plan's t test (Welch or Student) with Hedges' g, or Mann–Whitney (R wilcox.test) with
 *   r = z/√N when `numeric` is "nonparametric";
 * - numeric by more groups: the plan's ANOVA (Welch or one-way) with η², and Games–Howell (Welch) or Tukey HSD
 *   (Student) post-hoc tests with each group's n, mean and SD; or Kruskal–Wallis with ε² and Dunn's pairwise test
 *   (p adjusted by the plan's `adjust`);
 * - numeric × numeric: Pearson's r (or Spearman's ρ).
 *
 * A categorical outcome (a single-choice question, or a score ≥ `atLeast`) makes a numeric characteristic the
 * compared variable and the outcome's categories the groups. Each test uses the respondents with both values.
 * The p-values of one table are one family for the plan's `adjust`, and sentences follow the adjusted p.
 *
 * Small groups: with k > 0, a category with fewer than k respondents (among those with both values) is left out of
 * its comparison with a note, instead of hiding the comparison, together with the next smallest categories until
 * those left out hold k respondents (the overall figures are published elsewhere, so "overall minus the groups
 * shown" must not describe one or two people); a crosstab cell below k is suppressed with further cells of its row
 * and column (none can be recovered from the row totals printed or the column totals known from other tables), and
 * then the test over the table is not shown either (with the margins it would pin the hidden cells down).
 */
import { cellsToSuppress2D, levelsToLeaveOut, suppressionReason } from '../privacy/suppression.js';
import {
  col,
  DF,
  dec,
  formatDf,
  formatFixed,
  formatInteger,
  formatPlain,
  formatStatistic,
  INTEGER,
  interval,
  notComputableCell,
  num,
  proportion,
  pval,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import { type AdjustedP, associationSentence } from '../report/sentences.js';
import type { Block, Cell, Column, Row, Section, TableSpec } from '../report/spec.js';
import type { ScoreColumn } from '../scoring/score.js';
import { oneWayAnova, welchAnova } from '../stats/anova.js';
import { at, atF64 } from '../stats/at.js';
import { pearsonCorrelation, spearmanCorrelation } from '../stats/correlation.js';
import { chiSquareIndependence, fisherExact2x2, fisherExactRxC } from '../stats/crosstab.js';
import { type DunnResult, dunnTest } from '../stats/dunn.js';
import { hedgesG } from '../stats/effectsize.js';
import { kruskalWallis } from '../stats/kruskal.js';
import { mannWhitney } from '../stats/mannwhitney.js';
import { gamesHowell, tukeyHSD } from '../stats/posthoc.js';
import { isNotComputable } from '../stats/result.js';
import { ttestIndependent } from '../stats/ttest.js';
import type { AnalysisPlan, Association } from '../study/schema.js';
import { adjustFamily, adjustName, adjustNote } from './adjust.js';
import type { AnalysisInput } from './input.js';
import { midSentence } from './labels.js';
import { type Variable, variableOf } from './models.js';

interface Level {
  readonly value: number;
  readonly label: string;
}

/** A variable of an association: categorical (with its levels) or numeric. */
interface AssocVar {
  readonly id: string;
  readonly label: string;
  readonly values: Float64Array;
  readonly levels?: readonly Level[];
}

/** One characteristic's test, before the family's adjustment. */
interface Tested {
  /** Rows of the main table: the characteristic's row (with the test) and its level rows. */
  readonly rows: Row[];
  /** Statistic as the sentence prints it: "χ²(2) = 4.10"; absent when not computable. */
  readonly statistic?: string;
  readonly pValue: number;
  /** ", Cramér's V = .21". */
  readonly effect?: string;
  readonly notes: string[];
  readonly extra: TableSpec[];
  readonly label: string;
}

const NO_TEST: Pick<Tested, 'statistic' | 'pValue'> = { pValue: Number.NaN };

function toAssocVar(v: Variable, atLeast: number | undefined): AssocVar {
  if (atLeast === undefined)
    return { id: v.id, label: v.label, values: v.values, ...(v.options ? { levels: v.options } : {}) };
  const cut = formatPlain(atLeast);
  return {
    id: v.id,
    label: `${v.label} ≥ ${cut}`,
    values: Float64Array.from(v.values, (x) => (Number.isNaN(x) ? Number.NaN : x >= atLeast ? 1 : 0)),
    levels: [
      { value: 1, label: `${v.label} ≥ ${cut}` },
      { value: 0, label: `${v.label} < ${cut}` },
    ],
  };
}

/** Values of `y` split by the levels of `g` over the rows where both are present; counts per level. */
function split(y: Float64Array, g: Float64Array, levels: readonly Level[]): Float64Array[] {
  const idx = new Map(levels.map((l, i) => [l.value, i]));
  const out: number[][] = levels.map(() => []);
  for (let i = 0; i < y.length; i++) {
    const yi = atF64(y, i);
    const gi = atF64(g, i);
    if (Number.isNaN(yi) || Number.isNaN(gi)) continue;
    const j = idx.get(gi);
    if (j !== undefined) at(out, j).push(yi);
  }
  return out.map((a) => Float64Array.from(a));
}

function meanSd(x: Float64Array): { mean: number; sd: number } {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - m) * (v - m);
  return { mean: m, sd: x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : Number.NaN };
}

/** "M (SD)" as a categorical outcome's column shows a numeric characteristic: "27.12 (4.30)". */
function meanSdText(x: Float64Array): string {
  if (x.length === 0) return '';
  const d = meanSd(x);
  return Number.isNaN(d.sd) ? formatFixed(d.mean, 2) : `${formatFixed(d.mean, 2)} (${formatFixed(d.sd, 2)})`;
}

/**
 * Levels with respondents, those left out for having fewer than k, and those left out with them so that the
 * left-out respondents together are at least k (their figures are "overall minus the groups shown").
 */
function keepLevels(
  counts: readonly number[],
  levels: readonly Level[],
  k: number,
): { kept: number[]; small: Level[]; complement: Level[] } {
  const out = levelsToLeaveOut(counts, k);
  const kept: number[] = [];
  counts.forEach((c, i) => {
    if (c > 0 && !out.small.has(i) && !out.complement.has(i)) kept.push(i);
  });
  return {
    kept,
    small: [...out.small].map((i) => at(levels, i)),
    complement: [...out.complement].map((i) => at(levels, i)),
  };
}

function smallNote(
  what: string,
  left: { readonly small: readonly Level[]; readonly complement: readonly Level[] },
  k: number,
): string[] {
  const names = (ls: readonly Level[]) => ls.map((l) => l.label).join(', ');
  if (!left.small.length) return [];
  const also = left.complement.length
    ? ` ${names(left.complement)} ${left.complement.length > 1 ? 'are' : 'is'} left out too, so that the groups left out hold at least ${k} respondents together and cannot be recovered as the overall figures minus the groups shown.`
    : '';
  return [
    `${what}: ${names(left.small)} left out of the comparison (${suppressionReason(k)}, who could be identified).${also}`,
  ];
}

function headRow(label: string, cells: Record<string, Cell>): Row {
  return { kind: 'data', cells: { characteristic: text(label), ...cells } };
}

function testCells(
  name: string,
  statistic: number,
  df: number | readonly [number, number] | undefined,
  p: number,
  effect: string,
): Record<string, Cell> {
  // The df go with the test's name, as APA prints them ("χ²(2)", "Welch's F(3, 200.76)"): one column fewer.
  const dfText =
    df === undefined ? '' : `(${typeof df === 'number' ? formatDf(df) : df.map(formatDf).join(', ')})`;
  return { test: text(`${name}${dfText}`), statistic: num(statistic), p: num(p), effect: text(effect) };
}

// ------------------------------------------------------------------------------------------------ categorical × categorical

function crosstab(c: AssocVar, cl: readonly Level[], o: AssocVar, ol: readonly Level[], k: number): Tested {
  const ci = new Map(cl.map((l, i) => [l.value, i]));
  const oi = new Map(ol.map((l, i) => [l.value, i]));
  const counts = cl.map(() => ol.map(() => 0));
  for (let i = 0; i < c.values.length; i++) {
    const r = ci.get(atF64(c.values, i));
    const s = oi.get(atF64(o.values, i));
    if (r !== undefined && s !== undefined) {
      const row = at(counts, r);
      row[s] = at(row, s) + 1;
    }
  }
  const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const colTotals = ol.map((_, j) => counts.reduce((a, r) => a + at(r, j), 0));
  const rowsKept = keepLevels(rowTotals, cl, k);
  const colsKept = keepLevels(colTotals, ol, k);
  const notes = [...smallNote(c.label, rowsKept, k), ...smallNote(o.label, colsKept, k)];
  const table = rowsKept.kept.map((r) => colsKept.kept.map((s) => at(at(counts, r), s)));
  const rows: Row[] = [];
  // Complementary suppression along rows and columns: the row totals are printed and the column totals are in
  // other tables (the outcome's overall split), so a lone hidden cell of a line could be recovered by subtraction.
  const hidden = cellsToSuppress2D(table, k);
  const anyHidden = hidden.some((r) => r.some(Boolean));
  const levelRows: Row[] = rowsKept.kept.map((r, ri) => {
    const row = at(table, ri);
    const total = row.reduce((a, b) => a + b, 0);
    const hiddenRow = at(hidden, ri);
    const hide = new Set(colsKept.kept.flatMap((_, si) => (at(hiddenRow, si) ? [si] : [])));
    return {
      kind: 'data',
      indent: 1,
      cells: {
        characteristic: text(at(cl, r).label),
        n: num(total),
        ...Object.fromEntries(
          colsKept.kept.map((s, si) => [
            `o${s}`,
            hide.has(si) ? suppressed(suppressionReason(k)) : proportion(at(row, si), total),
          ]),
        ),
      },
    };
  });
  if (table.length < 2 || colsKept.kept.length < 2) {
    rows.push(headRow(c.label, { test: notComputableCell('fewer than two categories with respondents') }));
    return { rows: [...rows, ...levelRows], ...NO_TEST, notes, extra: [], label: c.label };
  }
  if (anyHidden) {
    // The test over the whole table (with the printed row totals and the known column totals) would pin the
    // suppressed cells down — for a 2 × 2 table χ² leaves at most two candidates — so it is not shown either.
    const why = `not shown: with cells of fewer than ${k} respondents suppressed, the test would reveal them`;
    rows.push(headRow(c.label, { test: suppressed(why) }));
    notes.push(
      `${c.label}: cells with fewer than ${k} respondents are suppressed, with further cells of their rows and columns so that none can be recovered from the totals; the test over the table is not shown, since it would reveal them.`,
    );
    return { rows: [...rows, ...levelRows], ...NO_TEST, notes, extra: [], label: c.label };
  }
  const chi = chiSquareIndependence(table);
  if (isNotComputable(chi)) {
    rows.push(headRow(c.label, { test: notComputableCell(chi.reason) }));
    return { rows: [...rows, ...levelRows], ...NO_TEST, notes, extra: [], label: c.label };
  }
  const vValue = formatFixed(chi.cramersV, 2, { leadingZero: false });
  const v = `Cramér's V = ${vValue}`;
  let testName = 'χ²';
  let p = chi.pearson.pValue;
  let statText = `χ²(${chi.df}) = ${formatStatistic(chi.pearson.statistic)}`;
  let cells = testCells('χ²', chi.pearson.statistic, chi.df, p, `V = ${vValue}`);
  if (chi.minExpected < 5) {
    const why = `${chi.cellsExpectedBelow5} of ${table.length * colsKept.kept.length} cells (${chi.percentExpectedBelow5.toFixed(1)}%) have an expected count below 5 (minimum ${chi.minExpected.toFixed(2)})`;
    const f =
      table.length === 2 && colsKept.kept.length === 2 ? fisherExact2x2(table) : fisherExactRxC(table);
    if (isNotComputable(f)) {
      notes.push(
        `${c.label}: ${why}, but Fisher's exact test could not be computed (${f.reason}); the chi-square test is shown.`,
      );
    } else {
      testName = "Fisher's exact";
      p = 'pValueTwoSided' in f ? f.pValueTwoSided : f.pValue;
      statText = "Fisher's exact test";
      cells = { test: text(testName), p: num(p), effect: text(`V = ${vValue}`) };
      notes.push(
        `${c.label}: Fisher's exact test (two-sided, R fisher.test) instead of chi-square, because ${why}.`,
      );
    }
  }
  rows.push(headRow(c.label, cells));
  return {
    rows: [...rows, ...levelRows],
    statistic: statText,
    pValue: p,
    effect: `, ${v}`,
    notes,
    extra: [],
    label: c.label,
  };
}

// ------------------------------------------------------------------------------------------------ numeric by groups

interface GroupComparison {
  readonly head: Record<string, Cell>;
  readonly statistic?: string;
  readonly pValue: number;
  readonly effect?: string;
  readonly posthoc?: TableSpec;
  readonly notes: string[];
}

/** Compare `samples` (the kept groups, labelled) with the test the plan and the association choose. */
function compareGroups(
  samples: readonly Float64Array[],
  labels: readonly string[],
  a: Association,
  plan: AnalysisPlan,
  id: string,
  title: string,
): GroupComparison {
  const parametric = a.numeric === 'parametric';
  const welch = plan.ttest === 'welch';
  const notes: string[] = [];
  if (samples.length === 2) {
    const [x, y] = samples as [Float64Array, Float64Array];
    if (parametric) {
      const t = ttestIndependent(x, y, { confLevel: plan.confidenceLevel, leveneCenter: plan.leveneCenter });
      if (isNotComputable(t))
        return { head: { test: notComputableCell(t.reason) }, pValue: Number.NaN, notes };
      const r = welch ? t.welch : t.student;
      const g = hedgesG(x, y, { confLevel: plan.confidenceLevel });
      const eff = isNotComputable(g) ? '' : `g = ${formatFixed(g.estimate, 2)}`;
      const name = welch ? "Welch's t" : "Student's t";
      return {
        head: testCells(name, r.statistic, r.df, r.pValue, eff),
        statistic: `${welch ? "Welch's " : ''}t(${formatDf(r.df)}) = ${formatStatistic(r.statistic)}`,
        pValue: r.pValue,
        ...(eff ? { effect: `, ${eff}` } : {}),
        notes,
      };
    }
    const m = mannWhitney(x, y);
    if (isNotComputable(m)) return { head: { test: notComputableCell(m.reason) }, pValue: Number.NaN, notes };
    const eff = `r = ${formatFixed(m.effectSizeR, 2, { leadingZero: false })}`;
    return {
      head: testCells('Mann–Whitney W', m.statistic, undefined, m.pValue, eff),
      statistic: `Mann–Whitney W = ${formatStatistic(m.statistic)} (${m.exact ? 'exact' : 'normal approximation with continuity correction'})`,
      pValue: m.pValue,
      effect: `, ${eff}`,
      notes,
    };
  }
  if (!parametric) {
    const kw = kruskalWallis(samples, { labels });
    if (isNotComputable(kw))
      return { head: { test: notComputableCell(kw.reason) }, pValue: Number.NaN, notes };
    const eff = `ε² = ${formatFixed(kw.epsilonSquared, 2, { leadingZero: false })}`;
    const dunn = dunnTest(samples, { labels, adjust: plan.adjust });
    if (isNotComputable(dunn)) notes.push(`${title}: Dunn's test not computable (${dunn.reason}).`);
    return {
      head: testCells('Kruskal–Wallis H', kw.statistic, kw.df, kw.pValue, eff),
      statistic: `Kruskal–Wallis H(${kw.df}) = ${formatStatistic(kw.statistic)}`,
      pValue: kw.pValue,
      effect: `, ${eff}`,
      ...(isNotComputable(dunn) ? {} : { posthoc: dunnTable(dunn, plan, id, title) }),
      notes,
    };
  }
  const one = oneWayAnova(samples, { labels });
  const r = welch ? welchAnova(samples, { labels }) : one;
  if (isNotComputable(r)) return { head: { test: notComputableCell(r.reason) }, pValue: Number.NaN, notes };
  const eff = isNotComputable(one) ? '' : `η² = ${formatFixed(one.etaSquared, 2, { leadingZero: false })}`;
  const ph = welch
    ? gamesHowell(samples, { labels, level: plan.confidenceLevel })
    : tukeyHSD(samples, { labels, level: plan.confidenceLevel });
  let posthoc: TableSpec | undefined;
  if (isNotComputable(ph)) notes.push(`${title}: post-hoc test not computable (${ph.reason}).`);
  else {
    const groups = samples.map((s, i) => ({ label: at(labels, i), n: s.length, ...meanSd(s) }));
    posthoc = {
      type: 'table',
      id,
      title: `${title}: ${ph.method} pairwise comparisons`,
      columns: [
        col('comparison', 'Comparison', TEXT),
        col('diff', 'Mean difference', dec(2)),
        col('se', 'SE', dec(2)),
        col('q', 'q', dec(2)),
        col('df', 'df', DF),
        col('p', 'p', pval(plan.alpha)),
        col('ci', `${formatPlain(plan.confidenceLevel * 100)}% CI`, dec(2)),
      ],
      rows: ph.comparisons.map((c) => ({
        kind: 'data' as const,
        cells: {
          comparison: text(c.comparison),
          diff: num(c.estimate),
          se: num(c.se),
          q: num(c.statistic),
          df: num(c.df),
          p: num(c.pValue),
          ci: interval(c.ci.lower, c.ci.upper),
        },
      })),
      denominator: `Groups: ${groups
        .map(
          (g) =>
            `${g.label} (n = ${formatInteger(g.n)}, M = ${formatFixed(g.mean, 2)}, SD = ${Number.isNaN(g.sd) ? '–' : formatFixed(g.sd, 2)})`,
        )
        .join('; ')}.`,
      notes: [
        welch
          ? 'Games–Howell test (unequal variances; Welch df per pair), as rstatix::games_howell_test: p-values and intervals are adjusted for the comparisons among these groups by the studentized range distribution.'
          : "Tukey's HSD (Tukey–Kramer for unequal n), as R TukeyHSD(aov(...)): p-values and intervals are adjusted for the comparisons among these groups by the studentized range distribution.",
      ],
    };
  }
  return {
    head: testCells(welch ? "Welch's F" : 'F', r.statistic, r.df, r.pValue, eff),
    statistic: `${welch ? "Welch's " : ''}F(${formatDf(r.df[0])}, ${formatDf(r.df[1])}) = ${formatStatistic(r.statistic)}`,
    pValue: r.pValue,
    ...(eff ? { effect: `, ${eff}` } : {}),
    ...(posthoc ? { posthoc } : {}),
    notes,
  };
}

/** Dunn's pairwise comparisons of mean ranks after Kruskal–Wallis, p adjusted by the plan's `adjust`. */
function dunnTable(d: DunnResult, plan: AnalysisPlan, id: string, title: string): TableSpec {
  const adj = d.adjust !== 'none';
  const m = d.comparisons.length;
  return {
    type: 'table',
    id,
    title: `${title}: Dunn's pairwise comparisons`,
    columns: [
      col('comparison', 'Comparison', TEXT),
      col('diff', 'Mean rank difference', dec(2)),
      col('se', 'SE', dec(2)),
      col('z', 'z', dec(2)),
      col('p', 'p', pval(plan.alpha)),
      ...(adj ? [col('padj', `p (${adjustName(d.adjust)})`, pval(plan.alpha))] : []),
    ],
    rows: d.comparisons.map((c) => ({
      kind: 'data' as const,
      cells: {
        comparison: text(c.comparison),
        diff: num(c.estimate),
        se: num(c.se),
        z: num(c.statistic),
        p: num(c.pUnadjusted),
        ...(adj ? { padj: num(c.pValue) } : {}),
      },
    })),
    denominator: `Groups: ${d.groups
      .map((g) => `${g.label} (n = ${formatInteger(g.n)}, mean rank = ${formatFixed(g.meanRank, 2)})`)
      .join('; ')}.`,
    notes: [
      "Dunn's (1964) test: z = difference in mean ranks (all groups ranked together) / its standard error with the tie correction; two-sided p from the normal distribution.",
      adj
        ? `p adjusted over the ${m} comparison${m === 1 ? '' : 's'} among these groups: ${adjustName(d.adjust)} (analysis.adjust, R p.adjust "${d.adjust}").`
        : `p-values are not adjusted for the ${m} comparison${m === 1 ? '' : 's'} among these groups (analysis.adjust = "none"; choose "holm", "bonferroni" or "BH" to adjust them).`,
    ],
  };
}

/** The rows, test and post-hoc table of a numeric variable compared across the kept groups. */
function groupsTested(
  label: string,
  rowLabel: string,
  cells: Record<string, Cell>,
  levelRows: readonly Row[],
  samples: readonly Float64Array[],
  labels: readonly string[],
  o: { a: Association; plan: AnalysisPlan; id: string; title: string; notes: readonly string[] },
): Tested {
  if (samples.length < 2)
    return {
      rows: [
        headRow(rowLabel, { ...cells, test: notComputableCell('fewer than two groups with respondents') }),
        ...levelRows,
      ],
      ...NO_TEST,
      notes: [...o.notes],
      extra: [],
      label,
    };
  const g = compareGroups(samples, labels, o.a, o.plan, o.id, o.title);
  return {
    rows: [headRow(rowLabel, { ...cells, ...g.head }), ...levelRows],
    ...(g.statistic ? { statistic: g.statistic } : {}),
    pValue: g.pValue,
    ...(g.effect ? { effect: g.effect } : {}),
    notes: [...o.notes, ...g.notes],
    extra: g.posthoc ? [g.posthoc] : [],
    label,
  };
}

/** A categorical characteristic and a numeric outcome: the outcome compared across the characteristic's levels. */
function byCharacteristic(
  c: AssocVar,
  cl: readonly Level[],
  o: AssocVar,
  a: Association,
  plan: AnalysisPlan,
  k: number,
): Tested {
  const all = split(o.values, c.values, cl);
  const left = keepLevels(
    all.map((s) => s.length),
    cl,
    k,
  );
  const { kept } = left;
  const notes = smallNote(c.label, left, k);
  const levelRows: Row[] = kept.map((i) => {
    const s = at(all, i);
    const d = meanSd(s);
    return {
      kind: 'data',
      indent: 1,
      cells: {
        characteristic: text(at(cl, i).label),
        n: num(s.length),
        mean: num(d.mean),
        sd: Number.isNaN(d.sd) ? notComputableCell('fewer than two respondents') : num(d.sd),
      },
    };
  });
  return groupsTested(
    c.label,
    c.label,
    {},
    levelRows,
    kept.map((i) => at(all, i)),
    kept.map((i) => at(cl, i).label),
    {
      a,
      plan,
      id: `assoc_${a.id}_${c.id}_posthoc`,
      title: `${o.label} by ${midSentence(c.label)}`,
      notes,
    },
  );
}

/** A numeric characteristic and a categorical outcome: the characteristic compared across the outcome's levels. */
function byOutcome(
  c: AssocVar,
  o: AssocVar,
  ol: readonly Level[],
  a: Association,
  plan: AnalysisPlan,
  k: number,
): Tested {
  const all = split(c.values, o.values, ol);
  const left = keepLevels(
    all.map((s) => s.length),
    ol,
    k,
  );
  const { kept } = left;
  const notes = smallNote(`${c.label} by ${midSentence(o.label)}`, left, k);
  const n = kept.reduce((s, i) => s + at(all, i).length, 0);
  const cells: Record<string, Cell> = {
    n: num(n),
    ...Object.fromEntries(kept.map((i) => [`o${i}`, text(meanSdText(at(all, i)))])),
  };
  return groupsTested(
    c.label,
    `${c.label}, M (SD)`,
    cells,
    [],
    kept.map((i) => at(all, i)),
    kept.map((i) => at(ol, i).label),
    {
      a,
      plan,
      id: `assoc_${a.id}_${c.id}_posthoc`,
      title: `${c.label} by ${midSentence(o.label)}`,
      notes,
    },
  );
}

// ------------------------------------------------------------------------------------------------ numeric × numeric

function correlate(c: AssocVar, o: AssocVar, a: Association): Tested {
  const label = c.label;
  let n = 0;
  for (let i = 0; i < c.values.length; i++)
    if (!Number.isNaN(atF64(c.values, i)) && !Number.isNaN(atF64(o.values, i))) n++;
  const pearson = a.numeric === 'parametric';
  const r = pearson ? pearsonCorrelation(c.values, o.values) : spearmanCorrelation(c.values, o.values);
  const base = { notes: [], extra: [], label };
  if (isNotComputable(r))
    return { rows: [headRow(label, { n: num(n), test: notComputableCell(r.reason) })], ...NO_TEST, ...base };
  const est = formatFixed(r.estimate, 2, { leadingZero: false });
  const sym = pearson ? 'r' : 'ρ';
  return {
    rows: [
      headRow(label, {
        n: num(n),
        ...testCells(pearson ? 'Pearson r' : 'Spearman ρ', r.estimate, r.df, r.pValue, `${sym} = ${est}`),
      }),
    ],
    statistic: pearson ? `r(${formatDf(r.df)}) = ${est}` : `Spearman's ρ = ${est} (n = ${formatInteger(n)})`,
    pValue: r.pValue,
    ...base,
  };
}

// ------------------------------------------------------------------------------------------------ section

function associationSection(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  a: Association,
  k: number,
): Section {
  const plan = input.resolved.study.analysis;
  const ov = variableOf(input, scores, a.outcome);
  const id = `assoc_${a.id}`;
  if (typeof ov === 'string')
    return {
      id,
      title: a.title ?? `Factors associated with ${a.outcome}`,
      blocks: [{ type: 'text', sentences: [`The association "${a.id}" could not be analysed: ${ov}.`] }],
    };
  const o = toAssocVar(ov, a.atLeast);
  const title = a.title ?? `Characteristics associated with ${midSentence(o.label)}`;
  const tested: Tested[] = [];
  const problems: string[] = [];
  for (const cid of a.characteristics) {
    const cv = variableOf(input, scores, cid);
    if (typeof cv === 'string') {
      problems.push(`${cid}: ${cv}.`);
      continue;
    }
    const c = toAssocVar(cv, undefined);
    if (c.levels && o.levels) tested.push(crosstab(c, c.levels, o, o.levels, k));
    else if (c.levels) tested.push(byCharacteristic(c, c.levels, o, a, plan, k));
    else if (o.levels) tested.push(byOutcome(c, o, o.levels, a, plan, k));
    else tested.push(correlate(c, o, a));
  }
  const pValues = tested.map((t) => t.pValue);
  const adjusted = adjustFamily(pValues, plan.adjust);
  const adj = plan.adjust !== 'none';
  const columns: Column[] = [col('characteristic', 'Characteristic', TEXT), col('n', 'n', INTEGER)];
  // Outcome categories as column heads: "≥ 10" and "< 10" for a binary score (the title names the score).
  if (o.levels)
    columns.push(
      ...o.levels.map((l, i) =>
        col(
          `o${i}`,
          a.atLeast === undefined ? l.label : `${i === 0 ? '≥' : '<'} ${formatPlain(a.atLeast)}`,
          TEXT,
        ),
      ),
    );
  else columns.push(col('mean', 'M', dec(2)), col('sd', 'SD', dec(2)));
  columns.push(
    col('test', 'Test', TEXT),
    col('statistic', 'Statistic', dec(2)),
    col('p', 'p', pval(plan.alpha)),
    ...(adj ? [col('padj', `p (${adjustName(plan.adjust)})`, pval(plan.alpha))] : []),
    col('effect', 'Effect', TEXT),
  );
  const rows: Row[] = [];
  tested.forEach((t, i) => {
    const [head, ...rest] = t.rows;
    const adjP = adjusted[i];
    if (head && head.kind === 'data' && adj && adjP)
      rows.push({ ...head, cells: { ...head.cells, padj: num(adjP.pValue) } });
    else if (head) rows.push(head);
    rows.push(...rest);
  });
  const table: TableSpec = {
    type: 'table',
    id,
    title,
    columns,
    rows,
    denominator: `Each test uses the respondents with both values (available cases).${o.levels ? ' Categorical characteristics: n (row %) in each outcome category; numeric characteristics: M (SD).' : ''}`,
    notes: [
      `Tests by variable type: two categorical variables, Pearson's chi-square without continuity correction (Fisher's exact test when an expected count is below 5); a numeric variable by two groups, ${a.numeric === 'parametric' ? `${plan.ttest === 'welch' ? "Welch's" : "Student's"} t test with Hedges' g` : 'Mann–Whitney test (R wilcox.test) with r = z/√N'}; by more groups, ${a.numeric === 'parametric' ? `${plan.ttest === 'welch' ? "Welch's ANOVA" : 'one-way ANOVA'} with η²` : "Kruskal–Wallis test with ε² and Dunn's pairwise test"}; two numeric variables, ${a.numeric === 'parametric' ? "Pearson's r" : "Spearman's ρ"}.`,
      adjustNote(plan.adjust, pValues, 'this table'),
      ...tested.flatMap((t) => t.notes),
      ...problems,
    ],
  };
  const sentences: string[] = [];
  tested.forEach((t, i) => {
    if (t.statistic === undefined || Number.isNaN(t.pValue)) return;
    const adjP: AdjustedP | undefined = adjusted[i];
    sentences.push(
      associationSentence({
        characteristic: t.label,
        outcome: midSentence(o.label),
        statistic: t.statistic,
        pValue: t.pValue,
        ...(adjP ? { adjusted: adjP } : {}),
        ...(t.effect ? { effect: t.effect } : {}),
        alpha: plan.alpha,
      }),
    );
  });
  const blocks: Block[] = [table, { type: 'text', sentences }, ...tested.flatMap((t) => t.extra)];
  return { id, title, blocks };
}

/** One section per association of the plan. */
export function associationSections(
  input: AnalysisInput,
  scores: ReadonlyMap<string, ScoreColumn>,
  k: number,
): Section[] {
  return input.resolved.study.analysis.associations.map((a) => associationSection(input, scores, a, k));
}
