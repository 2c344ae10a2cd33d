/**
 * Table and figure builders for the usual tables of a cross-sectional questionnaire study (the BACE paper's
 * sample description, Table 1 item endorsement by domain, Table 2 domain descriptives, threshold prevalence,
 * Table 3 group comparison, Figure 1 top-N endorsement). Inputs are small typed objects, so the analysis only
 * maps statistics results onto them; outputs are plain specs (spec.ts).
 */
import { type Interval, isNotComputable, type NotComputable } from '../stats/result.js';
import {
  col,
  DF,
  dec,
  EMPTY,
  INTEGER,
  interval,
  notComputableCell,
  num,
  numOr,
  pct,
  pval,
  TEXT,
  text,
} from './cells.js';
import { formatPlain } from './format.js';
import type { Cell, FigureSpec, Row, TableSpec } from './spec.js';

/** Compare count/n exactly (cross-multiplication); n = 0 sorts last. Negative when a comes first (higher share). */
function byShareDescending(a: { count: number; n: number }, b: { count: number; n: number }): number {
  if (a.n === 0 || b.n === 0) return (a.n === 0 ? 1 : 0) - (b.n === 0 ? 1 : 0);
  return b.count * a.n - a.count * b.n;
}

function stableSort<T>(xs: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => cmp(a.x, b.x) || a.i - b.i)
    .map((e) => e.x);
}

// ---------------------------------------------------------------------------------------------- scoring note

interface ScoringDescription {
  /** Instrument name as printed, e.g. "BACE v3". */
  readonly instrument: string;
  readonly scores: readonly {
    readonly label: string;
    /** True for the instrument owner's subscales, false for a study's own domains. */
    readonly official: boolean;
    readonly method: 'sum' | 'mean' | 'prorated_sum';
    readonly items: number;
    readonly description?: string;
  }[];
}

const METHOD_TEXT = { sum: 'sum', mean: 'mean', prorated_sum: 'prorated sum' } as const;

/**
 * The report's scoring note, naming whether the instrument's official subscales or study-defined domains were
 * used: "Scoring: study-defined domains, not official BACE v3 subscales: Stigma-related barriers (mean of 10
 * items); …".
 */
export function describeScoring(s: ScoringDescription): string {
  const one = (x: ScoringDescription['scores'][number]) =>
    `${x.label} (${x.description ?? `${METHOD_TEXT[x.method]} of ${x.items} item${x.items === 1 ? '' : 's'}`})`;
  const official = s.scores.filter((x) => x.official);
  const own = s.scores.filter((x) => !x.official);
  if (s.scores.length === 0)
    return `Scoring: no ${s.instrument} scores were computed (item-level results only).`;
  if (own.length === 0)
    return `Scoring: official ${s.instrument} subscales, as defined by the instrument's authors: ${official.map(one).join('; ')}.`;
  if (official.length === 0)
    return `Scoring: study-defined domains, not official ${s.instrument} subscales: ${own.map(one).join('; ')}.`;
  return `Scoring: official ${s.instrument} subscales (${official.map(one).join('; ')}) and study-defined domains, which are not official subscales (${own.map(one).join('; ')}).`;
}

// ---------------------------------------------------------------------------------------------- sample

interface CategoricalVariable {
  readonly label: string;
  readonly levels: readonly { readonly label: string; readonly count: number }[];
  /** Respondents with no answer; shown as its own row when > 0 and left out of the denominator. */
  readonly missing?: number;
}

/**
 * Sample description: one group row per variable, one row per level with n and % of those who answered.
 * Columns: characteristic, n, %.
 */
export function sampleTable(o: {
  id: string;
  title: string;
  variables: readonly CategoricalVariable[];
  percentDigits?: number;
  notes?: string[];
}): TableSpec {
  const rows: Row[] = [];
  let anyMissing = false;
  for (const v of o.variables) {
    rows.push({ kind: 'group', label: v.label });
    const total = v.levels.reduce((s, l) => s + l.count, 0);
    for (const l of v.levels) {
      rows.push({
        kind: 'data',
        indent: 1,
        cells: {
          characteristic: text(l.label),
          n: num(l.count),
          percent:
            total > 0 ? num(l.count / total) : notComputableCell('no respondent answered this question'),
        },
      });
    }
    if (v.missing) {
      anyMissing = true;
      rows.push({
        kind: 'data',
        indent: 1,
        cells: { characteristic: text('No answer'), n: num(v.missing), percent: EMPTY },
      });
    }
  }
  return {
    type: 'table',
    id: o.id,
    title: o.title,
    columns: [
      col('characteristic', 'Characteristic', TEXT),
      col('n', 'n', INTEGER),
      col('percent', '%', pct(o.percentDigits ?? 1)),
    ],
    rows,
    denominator: anyMissing
      ? 'Percentages are of respondents who answered each question; those with no answer are listed but not counted in the percentage.'
      : 'Percentages are of respondents who answered each question.',
    notes: o.notes ?? [],
  };
}

// ---------------------------------------------------------------------------------------------- endorsement

export interface ItemEndorsement {
  readonly label: string;
  /** Respondents endorsing the item (answer at or above the endorsement threshold). */
  readonly count: number;
  /** Respondents who answered the item — "not applicable" and skipped answers excluded. */
  readonly n: number;
}

export interface EndorsementDomain {
  readonly label: string;
  readonly items: readonly ItemEndorsement[];
}

/**
 * Table 1: items endorsed (e.g. rated "quite a lot" or "a lot"), grouped by domain, sorted within each domain by
 * the share endorsing (descending, exact fractions, ties in item order). Columns: item, n endorsing, N answering,
 * %. Each row carries its own denominator because "not applicable" answers leave items with different N.
 */
export function endorsementTable(o: {
  id: string;
  title: string;
  domains: readonly EndorsementDomain[];
  /** What endorsing means, for the note: 'rated "quite a lot" or "a lot"'. */
  endorsementLabel: string;
  itemHeader?: string;
  sort?: 'descending' | 'data';
  percentDigits?: number;
  notes?: string[];
}): TableSpec {
  const rows: Row[] = [];
  for (const d of o.domains) {
    rows.push({ kind: 'group', label: d.label });
    const items = o.sort === 'data' ? [...d.items] : stableSort(d.items, byShareDescending);
    for (const it of items) {
      rows.push({
        kind: 'data',
        indent: 1,
        cells: {
          item: text(it.label),
          count: num(it.count),
          n: num(it.n),
          percent: it.n > 0 ? num(it.count / it.n) : notComputableCell('no respondent answered this item'),
        },
      });
    }
  }
  return {
    type: 'table',
    id: o.id,
    title: o.title,
    columns: [
      col('item', o.itemHeader ?? 'Item', TEXT),
      col('count', 'n', INTEGER),
      col('n', 'N', INTEGER),
      col('percent', '%', pct(o.percentDigits ?? 1)),
    ],
    rows,
    denominator: `n: respondents endorsing the item (${o.endorsementLabel}); N: respondents who answered the item ("not applicable" and skipped answers excluded); % = n/N.`,
    notes: o.notes ?? [],
  };
}

/**
 * Figure 1: the top-N endorsed items as a horizontal bar chart of percentages, sorted descending. Ties at the
 * cut are broken by item order and named in a note.
 */
export function topEndorsedFigure(o: {
  id: string;
  title: string;
  items: readonly ItemEndorsement[];
  top: number;
  caption: string;
  xTitle?: string;
  yTitle?: string;
  percentDigits?: number;
}): FigureSpec {
  const ranked = stableSort(
    o.items.filter((i) => i.n > 0),
    byShareDescending,
  );
  const shown = ranked.slice(0, o.top);
  const notes: string[] = [];
  const last = shown[shown.length - 1];
  if (last) {
    const tiedOut = ranked.slice(o.top).filter((i) => byShareDescending(i, last) === 0);
    if (tiedOut.length > 0) {
      notes.push(
        `${tiedOut.length} further item${tiedOut.length === 1 ? ' has' : 's have'} the same share as the last item shown and ${tiedOut.length === 1 ? 'is' : 'are'} not shown: ${tiedOut.map((i) => i.label).join('; ')}.`,
      );
    }
  }
  return {
    type: 'figure',
    id: o.id,
    title: o.title,
    kind: 'bar',
    data: shown.map((i) => ({ category: i.label, value: i.count / i.n, count: i.count, total: i.n })),
    x: { title: o.xTitle ?? 'Respondents endorsing (%)', format: pct(o.percentDigits ?? 1), domain: [0, 1] },
    y: { title: o.yTitle ?? '' },
    sort: 'descending',
    valueLabels: true,
    caption: o.caption,
    denominator:
      'Percentages are of respondents who answered the item ("not applicable" and skipped answers excluded).',
    notes,
  };
}

// ---------------------------------------------------------------------------------------------- descriptives

export interface ScoreDescriptives {
  readonly label: string;
  readonly n: number;
  readonly mean: number | NotComputable;
  readonly sd: number | NotComputable;
  readonly min: number | NotComputable;
  readonly max: number | NotComputable;
}

/** Table 2: mean, SD, minimum, maximum and range of scores (2 decimals by default), with n. */
export function descriptivesTable(o: {
  id: string;
  title: string;
  rows: readonly ScoreDescriptives[];
  rowHeader?: string;
  digits?: number;
  notes?: string[];
  denominator?: string;
}): TableSpec {
  const f = dec(o.digits ?? 2);
  const rows: Row[] = o.rows.map((r) => {
    const range: Cell = isNotComputable(r.min)
      ? notComputableCell(r.min.reason)
      : isNotComputable(r.max)
        ? notComputableCell(r.max.reason)
        : num(r.max - r.min);
    return {
      kind: 'data',
      cells: {
        label: text(r.label),
        n: num(r.n),
        mean: numOr(r.mean),
        sd: numOr(r.sd),
        min: numOr(r.min),
        max: numOr(r.max),
        range,
      },
    };
  });
  const t: TableSpec = {
    type: 'table',
    id: o.id,
    title: o.title,
    columns: [
      col('label', o.rowHeader ?? 'Score', TEXT),
      col('n', 'n', INTEGER),
      col('mean', 'Mean', f),
      col('sd', 'SD', f),
      col('min', 'Minimum', f),
      col('max', 'Maximum', f),
      col('range', 'Range', f),
    ],
    rows,
    notes: o.notes ?? ['SD: sample standard deviation (n − 1 denominator).'],
  };
  return o.denominator ? { ...t, denominator: o.denominator } : t;
}

// ---------------------------------------------------------------------------------------------- thresholds

export interface ThresholdRow {
  readonly label: string;
  readonly atLeast: number;
  readonly count: number;
  readonly n: number;
  readonly ci: Interval | NotComputable;
}

/** Respondents at or above a score threshold: n, N, %, and the Wilson interval of the share. */
export function thresholdTable(o: {
  id: string;
  title: string;
  rows: readonly ThresholdRow[];
  percentDigits?: number;
  ciMethod?: string;
  notes?: string[];
}): TableSpec {
  const level = o.rows.map((r) => r.ci).find((c): c is Interval => !isNotComputable(c))?.level ?? 0.95;
  const f = pct(o.percentDigits ?? 1);
  return {
    type: 'table',
    id: o.id,
    title: o.title,
    columns: [
      col('label', 'Score', TEXT),
      col('threshold', 'Threshold', TEXT),
      col('count', 'n', INTEGER),
      col('n', 'N', INTEGER),
      col('percent', '%', f),
      col('ci', `${formatPlain(level * 100)}% CI`, f),
    ],
    rows: o.rows.map((r) => ({
      kind: 'data',
      cells: {
        label: text(r.label),
        threshold: text(`≥ ${formatPlain(r.atLeast)}`),
        count: num(r.count),
        n: num(r.n),
        percent: r.n > 0 ? num(r.count / r.n) : notComputableCell('no respondent had a score'),
        ci: isNotComputable(r.ci) ? notComputableCell(r.ci.reason) : interval(r.ci.lower, r.ci.upper),
      },
    })),
    denominator: 'N: respondents with a score; n: those at or above the threshold; % = n/N.',
    notes: o.notes ?? [`CI: ${o.ciMethod ?? 'Wilson score'} interval of the proportion.`],
  };
}

// ---------------------------------------------------------------------------------------------- group comparison

interface GroupRowInput {
  readonly label: string;
  readonly n: number;
  readonly mean: number | NotComputable;
  readonly sd: number | NotComputable;
}

interface TestInput {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

interface EffectInput {
  readonly estimate: number;
  readonly ci?: Interval;
}

export interface ComparisonInput {
  readonly outcomeLabel: string;
  readonly groups: readonly GroupRowInput[];
  /** The test the plan reports (Welch or Student). */
  readonly test: TestInput | NotComputable;
  readonly effect?: EffectInput | NotComputable;
}

/**
 * Table 3: scores by group — one block per outcome with a row per group (n, mean, SD) and the reported test on
 * the outcome's first row (t, df, p, effect size and its CI), as the BACE paper lays it out.
 */
export function groupComparisonTable(o: {
  id: string;
  title: string;
  groupHeader: string;
  outcomeHeader?: string;
  rows: readonly ComparisonInput[];
  test: 'welch' | 'student';
  alpha: number;
  effectName?: string;
  digits?: number;
  notes?: string[];
}): TableSpec {
  const f = dec(o.digits ?? 2);
  const rows: Row[] = [];
  for (const r of o.rows) {
    r.groups.forEach((g, i) => {
      const cells: Record<string, Cell> = {
        outcome: i === 0 ? text(r.outcomeLabel) : EMPTY,
        group: text(g.label),
        n: num(g.n),
        mean: numOr(g.mean),
        sd: numOr(g.sd),
      };
      if (i === 0) {
        if (isNotComputable(r.test)) {
          cells.t = notComputableCell(r.test.reason);
          cells.df = EMPTY;
          cells.p = EMPTY;
        } else {
          cells.t = num(r.test.statistic);
          cells.df = num(r.test.df);
          cells.p = num(r.test.pValue);
        }
        if (r.effect !== undefined) {
          if (isNotComputable(r.effect)) cells.effect = notComputableCell(r.effect.reason);
          else {
            cells.effect = num(r.effect.estimate);
            if (r.effect.ci) cells.effectCi = interval(r.effect.ci.lower, r.effect.ci.upper);
          }
        }
      }
      rows.push({ kind: 'data', cells });
    });
  }
  const eff = o.effectName ?? 'd';
  const level = o.rows
    .map((r) => (r.effect && !isNotComputable(r.effect) ? r.effect.ci?.level : undefined))
    .find((l) => l !== undefined);
  const hasEffect = o.rows.some((r) => r.effect !== undefined);
  const columns = [
    col('outcome', o.outcomeHeader ?? 'Score', TEXT),
    col('group', o.groupHeader, TEXT),
    col('n', 'n', INTEGER),
    col('mean', 'Mean', f),
    col('sd', 'SD', f),
    col('t', 't', dec(2)),
    col('df', 'df', DF),
    col('p', 'p', pval(o.alpha)),
  ];
  if (hasEffect) {
    columns.push(col('effect', eff, dec(2)));
    if (level !== undefined)
      columns.push(col('effectCi', `${formatPlain(level * 100)}% CI (${eff})`, dec(2)));
  }
  return {
    type: 'table',
    id: o.id,
    title: o.title,
    columns,
    rows,
    notes: o.notes ?? [
      o.test === 'welch'
        ? "t: Welch's t-test (variances not assumed equal), two-sided."
        : "t: Student's t-test (equal variances assumed), two-sided.",
      `Significance: p < ${formatPlain(o.alpha).replace(/^0\./, '.')}.`,
    ],
  };
}

/** One outcome's rows of the SPSS-style independent samples test table. */
export interface IndependentTestInput {
  readonly outcomeLabel: string;
  readonly levene?:
    | { readonly statistic: number; readonly df: readonly [number, number]; readonly pValue: number }
    | NotComputable;
  readonly student: (TestInput & { readonly meanDifference: number; readonly ci: Interval }) | NotComputable;
  readonly welch: (TestInput & { readonly meanDifference: number; readonly ci: Interval }) | NotComputable;
}

/**
 * The SPSS "Independent Samples Test" layout: per outcome, a row with equal variances assumed (Student) and a
 * row with them not assumed (Welch), each with t, df, p, mean difference and its CI; Levene's test on the first
 * row. Tables always show both rows, whichever the text reports.
 */
export function independentSamplesTable(o: {
  id: string;
  title: string;
  rows: readonly IndependentTestInput[];
  alpha: number;
  leveneCenter: 'mean' | 'median';
  digits?: number;
  notes?: string[];
}): TableSpec {
  const f = dec(o.digits ?? 2);
  const rows: Row[] = [];
  let level: number | undefined;
  for (const r of o.rows) {
    const variants = [
      ['Equal variances assumed', r.student],
      ['Equal variances not assumed', r.welch],
    ] as const;
    variants.forEach(([label, t], i) => {
      const cells: Record<string, Cell> = {
        outcome: i === 0 ? text(r.outcomeLabel) : EMPTY,
        variances: text(label),
      };
      if (i === 0 && r.levene !== undefined) {
        if (isNotComputable(r.levene)) cells.leveneF = notComputableCell(r.levene.reason);
        else {
          cells.leveneF = num(r.levene.statistic);
          cells.leveneP = num(r.levene.pValue);
        }
      }
      if (isNotComputable(t)) cells.t = notComputableCell(t.reason);
      else {
        level ??= t.ci.level;
        Object.assign(cells, {
          t: num(t.statistic),
          df: num(t.df),
          p: num(t.pValue),
          diff: num(t.meanDifference),
          ci: interval(t.ci.lower, t.ci.upper),
        });
      }
      rows.push({ kind: 'data', cells });
    });
  }
  return {
    type: 'table',
    id: o.id,
    title: o.title,
    columns: [
      col('outcome', 'Score', TEXT),
      col('variances', 'Variances', TEXT),
      col('leveneF', "Levene's F", dec(2)),
      col('leveneP', 'p (Levene)', pval(o.alpha)),
      col('t', 't', dec(2)),
      col('df', 'df', DF),
      col('p', 'p', pval(o.alpha)),
      col('diff', 'Mean difference', f),
      col('ci', `${formatPlain((level ?? 0.95) * 100)}% CI`, f),
    ],
    rows,
    notes: o.notes ?? [
      o.leveneCenter === 'mean'
        ? "Levene's test centred on the mean, as SPSS."
        : "Levene's test centred on the median (Brown–Forsythe), as R car::leveneTest.",
      'Two-sided tests; mean difference is the first group minus the second.',
    ],
  };
}
