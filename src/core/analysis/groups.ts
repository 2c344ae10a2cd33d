/**
 * Group comparisons of the plan's `groupBy`: Student and Welch rows, Levene, Hedges' g for two groups; one-way
 * and Welch ANOVA for more; crosstabs of the other single-choice questions by group.
 */
import type { Item } from '../instrument/schema.js';
import { formatDf, formatP, formatPExpression, formatStatistic } from '../report/format.js';
import {
  type ComparisonInput,
  col,
  DF,
  dec,
  groupComparisonTable,
  INTEGER,
  type IndependentTestInput,
  independentSamplesTable,
  isSignificant,
  notComputableCell,
  num,
  proportion,
  pval,
  TEXT,
  text,
  twoGroupSentence,
} from '../report/index.js';
import { type AdjustedP, adjustedText, deciding } from '../report/sentences.js';
import type { Block, Row, Section } from '../report/spec.js';
import { AnswerStatus, type NumericColumn } from '../response/dataset.js';
import type { ScoreColumn } from '../scoring/score.js';
import { oneWayAnova, welchAnova } from '../stats/anova.js';
import { at, atF64, atNum } from '../stats/at.js';
import { chiSquareIndependence, fisherExact2x2 } from '../stats/crosstab.js';
import { describe } from '../stats/descriptives.js';
import { hedgesG } from '../stats/effectsize.js';
import { isNotComputable, notComputable } from '../stats/result.js';
import { ttestIndependent } from '../stats/ttest.js';
import { shortLabel, singleChoiceQuestions } from '../study/questions.js';
import { adjustFamily, adjustName, adjustNote } from './adjust.js';
import type { AnalysisInput } from './input.js';
import { categoryCounts, itemText, midSentence, numericColumn, optionLabel, scoreLabel } from './labels.js';

function splitBy(values: Float64Array, group: NumericColumn, levels: readonly number[]): Float64Array[] {
  const counts = levels.map(() => 0);
  const idx = new Map(levels.map((v, i) => [v, i]));
  for (let i = 0; i < values.length; i++) {
    if (group.status[i] !== AnswerStatus.ANSWERED) continue;
    const k = idx.get(atF64(group.values, i));
    if (k !== undefined) counts[k] = atNum(counts, k) + 1;
  }
  const out = counts.map((c) => new Float64Array(c));
  const pos = levels.map(() => 0);
  for (let i = 0; i < values.length; i++) {
    if (group.status[i] !== AnswerStatus.ANSWERED) continue;
    const k = idx.get(atF64(group.values, i));
    if (k !== undefined) {
      const p = atNum(pos, k);
      at(out, k)[p] = atF64(values, i);
      pos[k] = p + 1;
    }
  }
  return out;
}

export function groupSections(input: AnalysisInput, scores: readonly ScoreColumn[], k: number): Section[] {
  const { resolved, dataset } = input;
  const plan = resolved.study.analysis;
  const sections: Section[] = [];
  for (const g of input.groupBy ?? plan.groupBy) {
    const v = resolved.variables.get(g);
    const gc = numericColumn(dataset, g);
    if (v && !gc && v.item.type === 'single') {
      // Only when the import was told to go on without it (`--allow-missing`): say so rather than drop it.
      sections.push({
        id: `by_${g}`,
        title: `Scores by ${midSentence(itemText(v.item))}`,
        blocks: [
          {
            type: 'text',
            sentences: [
              `No comparison by ${midSentence(itemText(v.item))}: the data have no column for it (${g}).`,
            ],
          },
        ],
      });
      continue;
    }
    if (!v || !gc || v.item.type !== 'single') continue;
    const { levels } = categoryCounts(v.item, gc);
    const present = levels.filter((l) => l.count > 0);
    const groupTitle = shortLabel(v.item);
    const blocks: Block[] = [];
    const small = present.filter((l) => k > 0 && l.count < k);
    if (present.length < 2) {
      blocks.push({
        type: 'text',
        sentences: [`No comparison by ${midSentence(groupTitle)}: fewer than two groups have respondents.`],
      });
    } else if (small.length) {
      blocks.push({
        type: 'text',
        sentences: [
          `Comparisons by ${midSentence(groupTitle)} are not shown: at least one group has fewer than ${k} respondents, which could identify them.`,
        ],
      });
    } else if (present.length === 2) {
      blocks.push(...twoGroupBlocks(input, scores, gc, present, groupTitle));
    } else {
      blocks.push(...anovaBlocks(input, scores, gc, present, groupTitle));
    }
    if (present.length >= 2 && !small.length) blocks.push(...crosstabBlocks(input, v.item, gc, present, k));
    sections.push({ id: `by_${g}`, title: `Scores by ${midSentence(groupTitle)}`, blocks });
  }
  return sections;
}

/**
 * The other single-choice questions by group: counts with column percentages, Pearson's chi-square test (and
 * Fisher's exact test for 2 × 2 tables), with the SPSS footnote on expected counts below 5. A table with a cell
 * below k is not shown at all (its test would still be shown without the counts that reveal it).
 */
function crosstabBlocks(
  input: AnalysisInput,
  groupItem: Item,
  gc: NumericColumn,
  present: readonly { value: number; label: string }[],
  k: number,
): Block[] {
  const { resolved, dataset } = input;
  const plan = resolved.study.analysis;
  const blocks: Block[] = [];
  const sentences: string[] = [];
  const groupIndex = new Map(present.map((l, i) => [l.value, i]));
  for (const q of singleChoiceQuestions(resolved.study)) {
    if (q.type !== 'single' || q.id === groupItem.id) continue;
    const qc = numericColumn(dataset, q.id);
    const options = q.options;
    if (!qc || !options) continue;
    const rowIndex = new Map(options.map((o, i) => [o.value, i]));
    const counts = options.map(() => present.map(() => 0));
    for (let i = 0; i < dataset.n; i++) {
      if (qc.status[i] !== AnswerStatus.ANSWERED || gc.status[i] !== AnswerStatus.ANSWERED) continue;
      const r = rowIndex.get(atF64(qc.values, i));
      const c = groupIndex.get(atF64(gc.values, i));
      if (r !== undefined && c !== undefined) {
        const row = at(counts, r);
        row[c] = atNum(row, c) + 1;
      }
    }
    const used = counts.map((row, i) => ({ row, i })).filter((x) => x.row.some((v) => v > 0));
    if (used.length < 2) continue;
    const table = used.map((x) => x.row);
    const title = `${shortLabel(q)} by ${midSentence(shortLabel(groupItem))}`;
    if (k > 0 && table.some((row) => row.some((v) => v > 0 && v < k))) {
      sentences.push(`${title}: not shown, a cell has fewer than ${k} respondents.`);
      continue;
    }
    const colTotals = present.map((_, c) => table.reduce((s, row) => s + at(row, c), 0));
    // A question asked of one group only (skip logic) has nothing to compare.
    if (colTotals.some((t) => t === 0)) continue;
    const chi = chiSquareIndependence(table);
    const fisher =
      table.length === 2 && present.length === 2
        ? fisherExact2x2(table as unknown as [[number, number], [number, number]])
        : undefined;
    const columns = [
      col('level', shortLabel(q), TEXT),
      ...present.map((l, c) => col(`g${c}`, l.label, INTEGER)),
      col('total', 'Total', INTEGER),
    ];
    const rows: Row[] = used.map((x) => ({
      kind: 'data' as const,
      cells: {
        level: text(optionLabel(q, at(options, x.i).value)),
        ...Object.fromEntries(
          present.map((_, c) => {
            const total = at(colTotals, c);
            return [`g${c}`, total > 0 ? proportion(at(x.row, c), total) : num(0)];
          }),
        ),
        total: num(x.row.reduce((a, b) => a + b, 0)),
      },
    }));
    const notes: string[] = [];
    if (isNotComputable(chi)) notes.push(`Chi-square test not computable: ${chi.reason}`);
    else {
      notes.push(
        `Pearson χ²(${chi.df}) = ${formatStatistic(chi.pearson.statistic)}, ${formatPExpression(chi.pearson.pValue, { alpha: plan.alpha })}; Cramér's V = ${formatStatistic(chi.cramersV)} (no continuity correction, as SPSS "Pearson Chi-Square"; R chisq.test(correct = FALSE)).`,
      );
      if (chi.cellsExpectedBelow5 > 0) {
        notes.push(
          `${chi.cellsExpectedBelow5} cell${chi.cellsExpectedBelow5 === 1 ? '' : 's'} (${chi.percentExpectedBelow5.toFixed(1)}%) have an expected count below 5; the minimum expected count is ${chi.minExpected.toFixed(2)}.`,
        );
      }
    }
    if (fisher && !isNotComputable(fisher)) {
      notes.push(
        `Fisher's exact test (two-sided, as R fisher.test): ${formatPExpression(fisher.pValueTwoSided, { alpha: plan.alpha })}.`,
      );
    }
    blocks.push({
      type: 'table',
      id: `xt_${q.id}_${gc.id}`,
      title,
      columns,
      rows,
      denominator: `Cells show n and the percentage of each ${midSentence(shortLabel(groupItem))} group (column percentages of those who answered both questions).`,
      notes,
    });
  }
  if (sentences.length) blocks.push({ type: 'text', sentences });
  return blocks;
}

function twoGroupBlocks(
  input: AnalysisInput,
  scores: readonly ScoreColumn[],
  gc: NumericColumn,
  present: readonly { value: number; label: string }[],
  groupTitle: string,
): Block[] {
  const plan = input.resolved.study.analysis;
  const comparisons: ComparisonInput[] = [];
  const independent: IndependentTestInput[] = [];
  const sentences: ((adjusted: AdjustedP | undefined) => string)[] = [];
  const pValues: number[] = [];
  const levels = present.map((l) => l.value);
  for (const s of scores) {
    const [x, y] = splitBy(s.values, gc, levels) as [Float64Array, Float64Array];
    const outcome = scoreLabel(s);
    const t = ttestIndependent(x, y, { confLevel: plan.confidenceLevel, leveneCenter: plan.leveneCenter });
    const g = hedgesG(x, y, { confLevel: plan.confidenceLevel });
    const groupRows = [x, y].map((arr, i) => {
      const d = describe(arr);
      return isNotComputable(d)
        ? { label: at(present, i).label, n: 0, mean: d, sd: d }
        : {
            label: at(present, i).label,
            n: d.n,
            mean: d.mean,
            sd: d.sd ?? notComputable('fewer than two scores'),
          };
    });
    if (isNotComputable(t)) {
      comparisons.push({ outcomeLabel: outcome, groups: groupRows, test: t, effect: t });
      independent.push({ outcomeLabel: outcome, student: t, welch: t });
      pValues.push(Number.NaN);
      sentences.push(() => `${outcome} could not be compared by ${midSentence(groupTitle)}: ${t.reason}`);
      continue;
    }
    const chosen = plan.ttest === 'welch' ? t.welch : t.student;
    pValues.push(chosen.pValue);
    const effect = isNotComputable(g) ? g : { estimate: g.estimate, ci: g.ci };
    comparisons.push({
      outcomeLabel: outcome,
      groups: groupRows,
      test: { statistic: chosen.statistic, df: chosen.df, pValue: chosen.pValue },
      effect,
    });
    const lev = t.levene;
    independent.push({
      outcomeLabel: outcome,
      ...(lev
        ? {
            levene: isNotComputable(lev) ? lev : { statistic: lev.statistic, df: lev.df, pValue: lev.pValue },
          }
        : {}),
      student: {
        statistic: t.student.statistic,
        df: t.student.df,
        pValue: t.student.pValue,
        meanDifference: t.student.estimate,
        ci: t.student.ci,
      },
      welch: {
        statistic: t.welch.statistic,
        df: t.welch.df,
        pValue: t.welch.pValue,
        meanDifference: t.welch.estimate,
        ci: t.welch.ci,
      },
    });
    const [ga, gb] = t.groups;
    sentences.push((adjusted) =>
      twoGroupSentence({
        outcomeLabel: `${midSentence(outcome)} scores`,
        groups: [
          { label: midSentence(at(present, 0).label), n: ga.n, mean: ga.mean, sd: ga.sd },
          { label: midSentence(at(present, 1).label), n: gb.n, mean: gb.mean, sd: gb.sd },
        ],
        test: { kind: plan.ttest, statistic: chosen.statistic, df: chosen.df, pValue: chosen.pValue },
        ...(isNotComputable(g) ? { effect: g } : { effect: { name: 'g', estimate: g.estimate, ci: g.ci } }),
        alpha: plan.alpha,
        ...(adjusted ? { adjusted } : {}),
      }),
    );
  }
  const adjusted = adjustFamily(pValues, plan.adjust);
  const notes = [
    `${plan.ttest === 'welch' ? "Welch's t-test (unequal variances)" : "Student's t-test (equal variances assumed)"} as chosen in the analysis plan; effect size Hedges' g (exact small-sample correction) with a ${Math.round(plan.confidenceLevel * 100)}% noncentral-t interval.`,
    adjustNote(plan.adjust, pValues, `the ${pValues.length} scores compared by ${midSentence(groupTitle)}`),
    ...(plan.adjust === 'none'
      ? []
      : [
          `${adjustName(plan.adjust)}-adjusted p: ${adjusted.map((a, i) => `${scoreLabel(at(scores, i))} ${a ? formatP(a.pValue, { alpha: plan.alpha }) : 'not computable'}`).join('; ')}.`,
        ]),
  ];
  return [
    groupComparisonTable({
      id: `cmp_${gc.id}`,
      title: `Scores by ${midSentence(groupTitle)}`,
      groupHeader: groupTitle,
      rows: comparisons,
      test: plan.ttest,
      alpha: plan.alpha,
      effectName: "Hedges' g",
      notes,
    }),
    independentSamplesTable({
      id: `ttest_${gc.id}`,
      title: `Independent samples tests by ${midSentence(groupTitle)}`,
      rows: independent,
      alpha: plan.alpha,
      leveneCenter: plan.leveneCenter,
    }),
    { type: 'text', sentences: sentences.map((f, i) => f(adjusted[i])) },
  ];
}

function anovaBlocks(
  input: AnalysisInput,
  scores: readonly ScoreColumn[],
  gc: NumericColumn,
  present: readonly { value: number; label: string }[],
  groupTitle: string,
): Block[] {
  const plan = input.resolved.study.analysis;
  const rows: Row[] = [];
  const sentences: ((adjusted: AdjustedP | undefined) => string)[] = [];
  const pValues: number[] = [];
  const levels = present.map((l) => l.value);
  const labels = present.map((l) => l.label);
  for (const s of scores) {
    const groups = splitBy(s.values, gc, levels);
    const a = oneWayAnova(groups, { labels });
    const w = welchAnova(groups, { labels });
    const outcome = scoreLabel(s);
    rows.push({ kind: 'group', label: outcome });
    const row = (name: string, r: typeof a | typeof w): Row => {
      if (isNotComputable(r))
        return { kind: 'data', indent: 1, cells: { test: text(name), f: notComputableCell(r.reason) } };
      return {
        kind: 'data',
        indent: 1,
        cells: {
          test: text(name),
          f: num(r.statistic),
          df1: num(r.df[0]),
          df2: num(r.df[1]),
          p: num(r.pValue),
        },
      };
    };
    rows.push(row('One-way ANOVA (equal variances)', a), row("Welch's ANOVA", w));
    const chosen = plan.ttest === 'welch' ? w : a;
    pValues.push(isNotComputable(chosen) ? Number.NaN : chosen.pValue);
    if (!isNotComputable(chosen)) {
      sentences.push((adjusted) => {
        const sig = isSignificant(deciding(chosen.pValue, adjusted), plan.alpha);
        return `${outcome} scores ${sig ? 'differed significantly' : 'did not differ significantly'} by ${midSentence(groupTitle)}, ${plan.ttest === 'welch' ? "Welch's " : ''}F(${formatDf(chosen.df[0])}, ${formatDf(chosen.df[1])}) = ${formatStatistic(chosen.statistic)}, ${formatPExpression(chosen.pValue, { alpha: plan.alpha })}${adjustedText(adjusted, plan.alpha)}.`;
      });
    } else sentences.push(() => '');
  }
  const adjusted = adjustFamily(pValues, plan.adjust);
  return [
    {
      type: 'table',
      id: `anova_${gc.id}`,
      title: `Scores by ${midSentence(groupTitle)}: one-way ANOVA`,
      columns: [
        col('test', 'Test', TEXT),
        col('f', 'F', dec(2)),
        col('df1', 'df1', DF),
        col('df2', 'df2', DF),
        col('p', 'p', pval(plan.alpha)),
      ],
      rows,
      notes: [
        "Both the classic one-way ANOVA and Welch's ANOVA (unequal variances, as R oneway.test) are shown.",
        adjustNote(
          plan.adjust,
          pValues,
          `the ${pValues.length} scores compared by ${midSentence(groupTitle)} (${plan.ttest === 'welch' ? "Welch's ANOVA" : 'one-way ANOVA'})`,
        ),
      ],
    },
    { type: 'text', sentences: sentences.map((f, i) => f(adjusted[i])).filter((x) => x !== '') },
  ];
}
