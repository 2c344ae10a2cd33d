/**
 * The analysis of a cross-sectional questionnaire study, from scored data to a report spec:
 * sample description, item endorsement by domain (and the top-N chart), score descriptives, bands,
 * threshold prevalence with Wilson intervals, group comparisons (Student and Welch rows, Levene,
 * effect sizes; one-way and Welch ANOVA for more than two groups), the regression models of the plan
 * (models.ts), reliability, safety flags and the
 * scoring report. Pure: it only maps statistics results (core/stats) onto table builders (core/report).
 *
 * Small-cell suppression: with `minCellSize` k > 0, every count below k in the sample description, band
 * and flag tables is suppressed, together with the next smallest cell of the same variable when only one
 * would be hidden (so it cannot be recovered from the total); group comparisons involving a group smaller
 * than k are not shown.
 */
import type { Instrument, Item } from '../instrument/schema.js';
import {
  cellsToSuppress,
  extremeShown,
  isSmall,
  smallShare,
  suppressionNote,
  suppressionReason,
} from '../privacy/suppression.js';
import { formatDf, formatP, formatPExpression, formatStatistic } from '../report/format.js';
import {
  type ComparisonInput,
  categoricalSentence,
  col,
  DF,
  dec,
  describeScoring,
  descriptivesTable,
  type EndorsementDomain,
  endorsementSentence,
  endorsementTable,
  groupComparisonTable,
  INTEGER,
  type IndependentTestInput,
  type ItemEndorsement,
  independentSamplesTable,
  interval,
  isSignificant,
  meanSentence,
  notComputableCell,
  num,
  pct,
  proportion,
  pval,
  reliabilitySentence,
  type ScoreDescriptives,
  sampleSizeSentence,
  suppressed,
  TEXT,
  type ThresholdRow,
  text,
  thresholdSentence,
  thresholdTable,
  topEndorsedFigure,
  twoGroupSentence,
} from '../report/index.js';
import {
  type Block,
  type Cell,
  REPORT_SCHEMA_VERSION,
  type Report,
  type Row,
  type Section,
  type TableSpec,
} from '../report/spec.js';
import { AnswerStatus, type Dataset, type NumericColumn } from '../response/dataset.js';
import type { PlannedItem } from '../scoring/plan.js';
import { keyedItemValues, type ScoreColumn, type ScoredDataset } from '../scoring/score.js';
import { oneWayAnova, welchAnova } from '../stats/anova.js';
import { chiSquareIndependence, fisherExact2x2 } from '../stats/crosstab.js';
import { describe } from '../stats/descriptives.js';
import { hedgesG } from '../stats/effectsize.js';
import { pAdjust } from '../stats/padjust.js';
import { proportionAtOrAbove, wilsonInterval } from '../stats/proportion.js';
import {
  cronbachAlpha,
  type ItemMatrix,
  itemMatrixFromColumns,
  type ReliabilityResult,
} from '../stats/reliability.js';
import { isNotComputable, notComputable } from '../stats/result.js';
import { ttestIndependent } from '../stats/ttest.js';
import { plainQuestions, shortLabel, singleChoiceQuestions } from '../study/questions.js';
import type { ResolvedStudy } from '../study/resolve.js';
import { methodsSection } from './methods.js';
import { modelSections } from './models.js';
import { fmtLevel, instrumentLikertSections, optionCounts, questionSections } from './questions.js';

export interface AnalysisInput {
  readonly resolved: ResolvedStudy;
  readonly dataset: Dataset;
  readonly scored: ScoredDataset;
  /** Program and version, e.g. "nabz 0.1.0". */
  readonly generatedBy: string;
  /** Overrides the plan's `minCellSize` (the server passes the study's k). */
  readonly minCellSize?: number;
  /** Group variables to compare by; default the plan's `groupBy`. */
  readonly groupBy?: readonly string[];
  readonly language?: string;
}

const LANG = 'en';

/** A label as it reads mid-sentence: "Attitudinal barriers" → "attitudinal barriers", but "BACE v3" stays. */
export function midSentence(label: string): string {
  return /^\p{Lu}\p{Ll}/u.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/** "a" or "an" before a word (by its first letter; good enough for generated labels). */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** A score's label in the report language, else its id. */
function scoreLabel(s: ScoreColumn): string {
  return s.def.label[LANG] ?? s.id;
}

function itemText(item: Item): string {
  return item.text?.[LANG] ?? Object.values(item.text ?? {})[0] ?? item.id;
}

function optionLabel(item: Item, value: number): string {
  const o = item.options?.find((x) => x.value === value);
  return o ? (o.label[LANG] ?? Object.values(o.label)[0] ?? String(value)) : String(value);
}

function numericColumn(ds: Dataset, id: string): NumericColumn | undefined {
  const c = ds.columns.get(id);
  return c && c.kind === 'numeric' ? c : undefined;
}

/**
 * Counts per option of a single-choice column; `skipped` counts respondents who were asked but gave no usable
 * answer (no answer, not applicable or invalid).
 */
function categoryCounts(
  item: Item,
  col: NumericColumn,
): { levels: { value: number; label: string; count: number }[]; skipped: number; notShown: number } {
  const options = item.options ?? [];
  const c = optionCounts(col, options);
  return {
    levels: options.map((o, i) => ({
      value: o.value,
      label: optionLabel(item, o.value),
      count: c.counts[i]!,
    })),
    skipped: c.noAnswer + c.notApplicable + c.invalid,
    notShown: c.notShown,
  };
}

export { cellsToSuppress, isSmall } from '../privacy/suppression.js';

/**
 * The score descriptives table with small rows suppressed, and each minimum or maximum that fewer than k
 * respondents share hidden (with the range): the one PHQ-9 score of 27 must not print when its band is
 * suppressed. Data rows are in the order of `scores`.
 */
function suppressExtremes(table: TableSpec, scores: readonly ScoreColumn[], k: number): TableSpec {
  const small = suppressRows(
    table,
    ['n', 'mean', 'sd', 'min', 'max', 'range'],
    (c) => isSmall(cellNumber(c.n), k),
    k,
  );
  let i = -1;
  let any = false;
  const why = suppressed(`${suppressionReason(k)} share this value`);
  const rows = small.rows.map((r) => {
    if (r.kind !== 'data') return r;
    const values = scores[++i]?.values;
    if (!values) return r;
    const cells = { ...r.cells };
    for (const key of ['min', 'max'] as const) {
      const c = cells[key];
      if (c?.kind === 'number' && !extremeShown(values, c.value, k)) {
        cells[key] = why;
        cells.range = why;
        any = true;
      }
    }
    return { ...r, cells };
  });
  return any
    ? {
        ...small,
        rows,
        notes: [
          ...small.notes,
          `A minimum or maximum shared by fewer than ${k} respondents is not shown (nor the range).`,
        ],
      }
    : small;
}

/** Replace the given cells of a table's data rows with "suppressed" where `hide(row)` says so. */
function suppressRows(
  table: TableSpec,
  keys: readonly string[],
  hide: (cells: Record<string, Cell>) => boolean,
  k: number,
): TableSpec {
  let any = false;
  const rows = table.rows.map((r) => {
    if (r.kind !== 'data' || !hide(r.cells)) return r;
    any = true;
    const cells = { ...r.cells };
    for (const key of keys) if (key in cells) cells[key] = suppressed(suppressionReason(k));
    return { ...r, cells };
  });
  return any ? { ...table, rows, notes: [...table.notes, suppressionNote(k)] } : table;
}

function cellNumber(c: Cell | undefined): number {
  return c && c.kind === 'number' ? c.value : 0;
}

// ------------------------------------------------------------------------------------------------ sample

/** The Wilson interval of a valid percent as a cell (empty when nobody answered). */
function validInterval(count: number, total: number, level: number): Cell {
  const w = wilsonInterval(count, total, { level });
  return isNotComputable(w) ? { kind: 'empty' } : interval(w.ci.lower, w.ci.upper);
}

function sampleSection(input: AnalysisInput, k: number): Section {
  const { resolved, dataset } = input;
  const level = resolved.study.analysis.confidenceLevel;
  const blocks: Block[] = [];
  const sentences: string[] = [sampleSizeSentence(dataset.n)];
  const rows: Row[] = [];
  let anySuppressed = false;
  for (const q of plainQuestions(resolved.study)) {
    const c = numericColumn(dataset, q.id);
    if (!c) continue;
    if (q.type === 'single') {
      const { levels, skipped, notShown } = categoryCounts(q, c);
      const total = levels.reduce((s, l) => s + l.count, 0);
      // "No answer" and "Not asked" rows take part: with them the rows add up to all respondents.
      const hide = cellsToSuppress([...levels.map((l) => l.count), skipped, notShown], k);
      const hidden = (why: string): Record<string, Cell> => ({
        n: suppressed(why),
        percent: suppressed(why),
        valid: suppressed(why),
        ci: suppressed(why),
      });
      rows.push({ kind: 'group', label: shortLabel(q) });
      levels.forEach((l, i) => {
        anySuppressed ||= hide.has(i);
        rows.push({
          kind: 'data',
          indent: 1,
          cells: {
            characteristic: text(l.label),
            ...(hide.has(i)
              ? hidden(`fewer than ${k} respondents`)
              : {
                  n: num(l.count),
                  percent: num(l.count / dataset.n),
                  valid:
                    total > 0
                      ? num(l.count / total)
                      : notComputableCell('no respondent answered this question'),
                  ci: validInterval(l.count, total, level),
                }),
          },
        });
      });
      for (const [j, label, count] of [
        [levels.length, 'No answer', skipped],
        [levels.length + 1, 'Not asked (skip logic)', notShown],
      ] as const) {
        if (count > 0 && hide.has(j)) {
          anySuppressed = true;
          rows.push({
            kind: 'data',
            indent: 1,
            cells: {
              characteristic: text(label),
              ...hidden(`fewer than ${k} respondents`),
              valid: { kind: 'empty' },
              ci: { kind: 'empty' },
            },
          });
        } else if (count > 0) {
          rows.push({
            kind: 'data',
            indent: 1,
            cells: {
              characteristic: text(label),
              n: num(count),
              percent: num(count / dataset.n),
              valid: { kind: 'empty' },
            },
          });
        }
      }
      if (hide.size === 0 && total > 0) {
        sentences.push(
          categoricalSentence({
            label: shortLabel(q),
            levels: levels.map((l) => ({ label: l.label, count: l.count })),
          }),
        );
      }
    } else if (q.type === 'number') {
      const d = describe(c.values);
      if (!isNotComputable(d)) {
        sentences.push(
          meanSentence({
            label: shortLabel(q),
            n: d.n,
            mean: d.mean,
            sd: d.sd ?? notComputable('only one value'),
            // The range only when at least k respondents share each end (an age of 41 names its one owner).
            ...(extremeShown(c.values, d.min, k) && extremeShown(c.values, d.max, k)
              ? { min: d.min, max: d.max }
              : {}),
            integers: q.integer === true || c.values.every((v) => Number.isNaN(v) || Number.isInteger(v)),
          }),
        );
      }
    }
  }
  if (rows.length) {
    const table: TableSpec = {
      type: 'table',
      id: 'sample',
      title: 'Characteristics of the respondents',
      columns: [
        col('characteristic', 'Characteristic', TEXT),
        col('n', 'n', INTEGER),
        col('percent', 'Percent', pct(1)),
        col('valid', 'Valid percent', pct(1)),
        col('ci', `${fmtLevel(level)} CI`, pct(1)),
      ],
      rows,
      denominator: `Percent is of all ${dataset.n} responses; valid percent is of the respondents who answered the question (as SPSS FREQUENCIES: "no answer" and "not asked" are left out of the valid denominator).`,
      notes: [
        'The confidence interval is of the valid percent: Wilson score interval (R prop.test(x, n, correct = FALSE)).',
        ...(anySuppressed ? [suppressionNote(k)] : []),
      ],
    };
    blocks.push(table);
  }
  blocks.unshift({ type: 'text', sentences });
  return { id: 'sample', title: 'Sample', blocks };
}

// ------------------------------------------------------------------------------------------------ instruments

function endorsementOf(ins: Instrument, item: Item, col: NumericColumn | undefined): ItemEndorsement {
  const threshold = ins.endorsement!.threshold;
  let count = 0;
  let n = 0;
  if (col) {
    for (let i = 0; i < col.values.length; i++) {
      if (col.status[i] !== AnswerStatus.ANSWERED) continue;
      n++;
      if (col.values[i]! >= threshold) count++;
    }
  }
  return { label: itemText(item), count, n };
}

/** The group of the item table that holds the items in no subscale or study domain. */
const OTHER_ITEMS = 'Other items';

/** The items an instrument's endorsement covers: its scored items. */
function itemsToEndorse(ins: Instrument): Item[] {
  return ins.items.filter((it) => it.scored);
}

function instrumentSections(
  input: AnalysisInput,
  ins: Instrument,
  scores: readonly ScoreColumn[],
  k: number,
): Section[] {
  const { dataset, resolved } = input;
  const plan = resolved.study.analysis;
  const sections: Section[] = [];
  const itemById = new Map(ins.items.map((it) => [it.id, it]));
  const studyDomains = scores.filter((s) => s.source === 'study');

  // Item endorsement, grouped by the study's domains when it has them, else by official scores, else all items.
  if (ins.endorsement) {
    const grouping = studyDomains.filter((s) => s.def.items.length < ins.items.length);
    const groups = grouping.length
      ? grouping
      : scores.filter((s) => s.official && s.def.items.length < ins.items.length);
    // One pass over each item column; the domain grouping and the chart reuse the counts.
    const endorsed = new Map(
      itemsToEndorse(ins).map((it) => [it.id, endorsementOf(ins, it, numericColumn(dataset, it.id))]),
    );
    const of = (id: string) =>
      endorsed.get(id) ?? endorsementOf(ins, itemById.get(id)!, numericColumn(dataset, id));
    // Every item appears: those in no group (e.g. BACE's non-stigma items under the official subscale) as "Other items".
    const inGroup = new Set(groups.flatMap((s) => s.def.items));
    const others = [...endorsed].filter(([id]) => !inGroup.has(id)).map(([, e]) => e);
    const domains: EndorsementDomain[] = groups.length
      ? [
          ...groups.map((s) => ({ label: scoreLabel(s), items: s.def.items.map(of) })),
          ...(others.length ? [{ label: OTHER_ITEMS, items: others }] : []),
        ]
      : [{ label: ins.shortTitle, items: [...endorsed.values()] }];
    const endorseLabel = midSentence(
      ins.endorsement.label[LANG] ?? `at or above ${ins.endorsement.threshold}`,
    );
    const allItems = [...endorsed.values()];
    // Items whose counts could single out fewer than k respondents stay out of the chart and the sentence.
    const shareable = allItems.filter((i) => !smallShare(i.count, i.n, k));
    const blocks: Block[] = [
      suppressRows(
        endorsementTable({
          id: `${ins.id}_endorsement`,
          title: `${ins.shortTitle} items rated ${endorseLabel}`,
          domains,
          endorsementLabel: `rated ${endorseLabel}`,
          notes: [
            `Endorsement: an answer of ${ins.endorsement.threshold} or more. "Not applicable" and unanswered items are left out of each item's denominator (N).`,
            ...(groups.length && grouping.length
              ? ['Items are grouped by the study-defined domains, which are not official subscales.']
              : []),
            ...(groups.length && others.length
              ? [
                  `${OTHER_ITEMS}: the items in no ${grouping.length ? 'study-defined domain' : 'official subscale'} (${others.length} of ${endorsed.size}).`,
                ]
              : []),
          ],
        }),
        ['count', 'n', 'percent'],
        (c) => smallShare(cellNumber(c.count), cellNumber(c.n), k),
        k,
      ),
      topEndorsedFigure({
        id: `${ins.id}_top_endorsed`,
        title: `Top ${plan.topN} ${ins.shortTitle} items rated ${endorseLabel}`,
        items: shareable,
        top: plan.topN,
        caption: `Share of respondents who rated each item ${endorseLabel}; the denominator of each bar is the respondents who answered that item.`,
        xTitle: 'Respondents (%)',
      }),
      { type: 'text', sentences: [endorsementSentence({ items: shareable, noun: 'item' })] },
    ];
    sections.push({ id: `${ins.id}_items`, title: `${ins.shortTitle}: item endorsement`, blocks });
  }

  // Score descriptives: one pass (with quartiles, SPSS HAVERAGE) per score, shared by both tables.
  const described = scores.map((s) => describe(s.values, { quantileDefinition: 'spss' }));
  const rows: ScoreDescriptives[] = scores.map((s, i) => {
    const d = described[i]!;
    if (isNotComputable(d)) return { label: scoreLabel(s), n: 0, mean: d, sd: d, min: d, max: d };
    return {
      label: scoreLabel(s),
      n: d.n,
      mean: d.mean,
      sd: d.sd ?? notComputable('fewer than two scores'),
      min: d.min,
      max: d.max,
    };
  });
  const blocks: Block[] = [
    suppressExtremes(
      descriptivesTable({
        id: `${ins.id}_scores`,
        title: `${ins.shortTitle} scores`,
        rows,
        rowHeader: 'Score',
        notes: scores.map(
          (s) =>
            `${scoreLabel(s)}: ${s.def.description ?? `${s.def.method} of ${s.def.items.length} items`}; computed when at least ${s.minAnswered} item${s.minAnswered === 1 ? ' is' : 's are'} answered${s.official ? '' : ' (study-defined, not an official subscale)'}.`,
        ),
        denominator: 'n is the number of respondents with a score.',
      }),
      scores,
      k,
    ),
  ];
  blocks.push(
    suppressRows(
      distributionTable(ins, scores, described),
      ['n', 'mean', 'se', 'q1', 'median', 'q3'],
      (c) => isSmall(cellNumber(c.n), k),
      k,
    ),
  );
  const bandTables = scores.filter((s) => s.def.bands?.length).map((s) => bandTable(ins, s, k));
  blocks.push(...bandTables);
  sections.push({ id: `${ins.id}_score_section`, title: `${ins.shortTitle}: scores`, blocks });
  return sections;
}

/** n, mean, SE, median and quartiles of each score (quartiles as SPSS, weighted average HAVERAGE = R type 6). */
function distributionTable(
  ins: Instrument,
  scores: readonly ScoreColumn[],
  described: readonly ReturnType<typeof describe>[],
): TableSpec {
  const f = dec(2);
  const rows: Row[] = scores.map((s, i) => {
    const d = described[i]!;
    const label = text(scoreLabel(s));
    if (isNotComputable(d))
      return { kind: 'data' as const, cells: { label, n: num(0), se: notComputableCell(d.reason) } };
    return {
      kind: 'data' as const,
      cells: {
        label,
        n: num(d.n),
        mean: num(d.mean),
        se: d.se === null ? notComputableCell('fewer than two scores') : num(d.se, dec(3)),
        q1: num(d.q1),
        median: num(d.median),
        q3: num(d.q3),
      },
    };
  });
  return {
    type: 'table',
    id: `${ins.id}_distribution`,
    title: `${ins.shortTitle} score distributions`,
    columns: [
      col('label', 'Score', TEXT),
      col('n', 'n', INTEGER),
      col('mean', 'Mean', f),
      col('se', 'SE of mean', dec(3)),
      col('q1', '25th percentile', f),
      col('median', 'Median', f),
      col('q3', '75th percentile', f),
    ],
    rows,
    notes: ['Percentiles by the weighted average at (n + 1)p (SPSS HAVERAGE, R quantile type 6).'],
  };
}

function bandTable(ins: Instrument, s: ScoreColumn, k: number): TableSpec {
  const bands = s.def.bands!;
  const counts = new Array<number>(bands.length).fill(0);
  let n = 0;
  for (let i = 0; i < s.band.length; i++) {
    const b = s.band[i]!;
    if (b >= 0) {
      counts[b]!++;
      n++;
    }
  }
  const hide = cellsToSuppress(counts, k);
  return {
    type: 'table',
    id: `${s.id}_bands`,
    title: `${ins.shortTitle}: ${scoreLabel(s)} by band`,
    columns: [
      col('band', 'Band', TEXT),
      col('from', 'From', dec(0)),
      col('n', 'n', INTEGER),
      col('percent', '%', pct(1)),
    ],
    rows: bands.map((b, i) => ({
      kind: 'data' as const,
      cells: {
        band: text(b.label[LANG] ?? String(b.min)),
        from: num(b.min, Number.isInteger(b.min) ? dec(0) : dec(2)),
        n: hide.has(i) ? suppressed(suppressionReason(k)) : num(counts[i]!),
        percent: hide.has(i)
          ? suppressed(suppressionReason(k))
          : n > 0
            ? num(counts[i]! / n)
            : notComputableCell('no respondent has this score'),
      },
    })),
    denominator: `Percentages are of the ${n} respondents with a ${scoreLabel(s)} score.`,
    notes: hide.size ? [suppressionNote(k)] : [],
  };
}

// ------------------------------------------------------------------------------------------------ thresholds

function thresholdSection(
  input: AnalysisInput,
  byId: ReadonlyMap<string, ScoreColumn>,
  k: number,
): Section | undefined {
  const plan = input.resolved.study.analysis;
  if (!plan.thresholds.length) return undefined;
  const rows: ThresholdRow[] = [];
  const sentences: string[] = [];
  for (const t of plan.thresholds) {
    const s = byId.get(t.score);
    if (!s) continue;
    const lbl = t.label ?? `${scoreLabel(s)} ≥ ${t.atLeast}`;
    const r = proportionAtOrAbove(s.values, t.atLeast, { level: plan.confidenceLevel });
    if (isNotComputable(r)) {
      rows.push({ label: lbl, atLeast: t.atLeast, count: 0, n: 0, ci: r });
      continue;
    }
    rows.push({ label: lbl, atLeast: t.atLeast, count: r.count, n: r.n, ci: r.ci });
    if (smallShare(r.count, r.n, k)) continue;
    sentences.push(
      thresholdSentence({
        populationLabel: 'respondents with a score',
        scoreLabel: `${article(midSentence(scoreLabel(s)))} ${midSentence(scoreLabel(s))} score`,
        atLeast: t.atLeast,
        count: r.count,
        n: r.n,
        ci: r.ci,
      }),
    );
  }
  return {
    id: 'thresholds',
    title: 'Respondents at or above score thresholds',
    blocks: [
      suppressRows(
        thresholdTable({
          id: 'thresholds',
          title: 'Respondents at or above score thresholds',
          rows,
          notes: [
            'Interval: Wilson score interval without continuity correction (as R prop.test(correct = FALSE)).',
          ],
        }),
        ['count', 'n', 'percent', 'ci'],
        (c) => smallShare(cellNumber(c.count), cellNumber(c.n), k),
        k,
      ),
      { type: 'text', sentences },
    ],
  };
}

// ------------------------------------------------------------------------------------------------ groups

function splitBy(values: Float64Array, group: NumericColumn, levels: readonly number[]): Float64Array[] {
  const counts = levels.map(() => 0);
  const idx = new Map(levels.map((v, i) => [v, i]));
  for (let i = 0; i < values.length; i++) {
    if (group.status[i] !== AnswerStatus.ANSWERED) continue;
    const k = idx.get(group.values[i]!);
    if (k !== undefined) counts[k]!++;
  }
  const out = counts.map((c) => new Float64Array(c));
  const pos = levels.map(() => 0);
  for (let i = 0; i < values.length; i++) {
    if (group.status[i] !== AnswerStatus.ANSWERED) continue;
    const k = idx.get(group.values[i]!);
    if (k !== undefined) out[k]![pos[k]!++] = values[i]!;
  }
  return out;
}

function groupSections(input: AnalysisInput, scores: readonly ScoreColumn[], k: number): Section[] {
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
    if (!qc || !q.options) continue;
    const rowIndex = new Map(q.options.map((o, i) => [o.value, i]));
    const counts = q.options.map(() => present.map(() => 0));
    for (let i = 0; i < dataset.n; i++) {
      if (qc.status[i] !== AnswerStatus.ANSWERED || gc.status[i] !== AnswerStatus.ANSWERED) continue;
      const r = rowIndex.get(qc.values[i]!);
      const c = groupIndex.get(gc.values[i]!);
      if (r !== undefined && c !== undefined) counts[r]![c]!++;
    }
    const used = counts.map((row, i) => ({ row, i })).filter((x) => x.row.some((v) => v > 0));
    if (used.length < 2) continue;
    const table = used.map((x) => x.row);
    const title = `${shortLabel(q)} by ${midSentence(shortLabel(groupItem))}`;
    if (k > 0 && table.some((row) => row.some((v) => v > 0 && v < k))) {
      sentences.push(`${title}: not shown, a cell has fewer than ${k} respondents.`);
      continue;
    }
    const colTotals = present.map((_, c) => table.reduce((s, row) => s + row[c]!, 0));
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
        level: text(optionLabel(q, q.options![x.i]!.value)),
        ...Object.fromEntries(
          present.map((_, c) => [`g${c}`, colTotals[c]! > 0 ? proportion(x.row[c]!, colTotals[c]!) : num(0)]),
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
  const sentences: string[] = [];
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
        ? { label: present[i]!.label, n: 0, mean: d, sd: d }
        : {
            label: present[i]!.label,
            n: d.n,
            mean: d.mean,
            sd: d.sd ?? notComputable('fewer than two scores'),
          };
    });
    if (isNotComputable(t)) {
      comparisons.push({ outcomeLabel: outcome, groups: groupRows, test: t, effect: t });
      independent.push({ outcomeLabel: outcome, student: t, welch: t });
      pValues.push(Number.NaN);
      sentences.push(`${outcome} could not be compared by ${midSentence(groupTitle)}: ${t.reason}`);
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
    sentences.push(
      twoGroupSentence({
        outcomeLabel: `${midSentence(outcome)} scores`,
        groups: [
          { label: midSentence(present[0]!.label), n: ga.n, mean: ga.mean, sd: ga.sd },
          { label: midSentence(present[1]!.label), n: gb.n, mean: gb.mean, sd: gb.sd },
        ],
        test: { kind: plan.ttest, statistic: chosen.statistic, df: chosen.df, pValue: chosen.pValue },
        ...(isNotComputable(g) ? { effect: g } : { effect: { name: 'g', estimate: g.estimate, ci: g.ci } }),
        alpha: plan.alpha,
      }),
    );
  }
  const holm = pAdjust(pValues, 'holm');
  const notes = [
    `${plan.ttest === 'welch' ? "Welch's t-test (unequal variances)" : "Student's t-test (equal variances assumed)"} as chosen in the analysis plan; effect size Hedges' g (exact small-sample correction) with a ${Math.round(plan.confidenceLevel * 100)}% noncentral-t interval.`,
    `Holm-adjusted p-values over the ${pValues.length} outcomes: ${holm.adjusted.map((p, i) => `${scoreLabel(scores[i]!)} ${Number.isNaN(p) ? 'not computable' : formatP(p, { alpha: plan.alpha })}`).join('; ')}.`,
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
    { type: 'text', sentences },
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
  const sentences: string[] = [];
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
    if (!isNotComputable(chosen)) {
      const sig = isSignificant(chosen.pValue, plan.alpha);
      sentences.push(
        `${outcome} scores ${sig ? 'differed significantly' : 'did not differ significantly'} by ${midSentence(groupTitle)}, ${plan.ttest === 'welch' ? "Welch's " : ''}F(${formatDf(chosen.df[0])}, ${formatDf(chosen.df[1])}) = ${formatStatistic(chosen.statistic)}, ${formatPExpression(chosen.pValue, { alpha: plan.alpha })}.`,
      );
    }
  }
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
      ],
    },
    { type: 'text', sentences },
  ];
}

// ------------------------------------------------------------------------------------------------ reliability

/**
 * The respondents × items matrix of the rows with every item answered: what listwise deletion keeps anyway,
 * built without first copying the incomplete rows (a 30-item scale over 1,000,000 respondents is 240 MB).
 */
function completeRowsMatrix(cols: readonly Float64Array[], names: readonly string[]): ItemMatrix {
  const k = cols.length;
  const n = cols[0]?.length ?? 0;
  const keep = new Uint8Array(n).fill(1);
  let nKeep = n;
  for (const c of cols) {
    for (let i = 0; i < n; i++) {
      if (keep[i] && Number.isNaN(c[i]!)) {
        keep[i] = 0;
        nKeep--;
      }
    }
  }
  const data = new Float64Array(nKeep * k);
  for (let j = 0; j < k; j++) {
    const c = cols[j]!;
    for (let i = 0, r = 0; i < n; i++) if (keep[i]) data[r++ * k + j] = c[i]!;
  }
  return { data, nRows: nKeep, nItems: k, names };
}

/**
 * The item sets alpha is reported over for one score: all its items, and — when some of them offer "not
 * applicable" (BACE's parent and work items), which listwise deletion turns into a handful of respondents — also
 * the items everyone can answer (at least 2 of them).
 */
interface AlphaItemSet {
  readonly key: 'all' | 'answerable';
  readonly items: readonly PlannedItem[];
  /** The rule as a row of the table says it: `listwise, all 30 items` or `listwise, items without "not applicable"`. */
  readonly rule: string;
}

function alphaItemSets(s: ScoreColumn, resolved: ResolvedStudy, missing: string): AlphaItemSet[] {
  const sets: AlphaItemSet[] = [
    { key: 'all', items: s.items, rule: `${missing}, all ${s.items.length} items` },
  ];
  const answerable = s.items.filter((it) => !resolved.variables.get(it.id)?.item.notApplicable);
  if (answerable.length < s.items.length && answerable.length >= 2) {
    sets.push({
      key: 'answerable',
      items: answerable,
      rule: `${missing}, items without "not applicable"`,
    });
  }
  return sets;
}

function reliabilitySection(
  input: AnalysisInput,
  scores: readonly ScoreColumn[],
  k: number,
): Section | undefined {
  const { dataset, resolved } = input;
  const missing = resolved.study.analysis.alphaMissing;
  const rows: Row[] = [];
  const sentences: string[] = [];
  const itemTables: TableSpec[] = [];
  let anyAnswerable = false;
  for (const s of scores) {
    if (s.def.items.length < 2) continue;
    const lbl = scoreLabel(s);
    for (const set of alphaItemSets(s, resolved, missing)) {
      if (set.key === 'answerable') anyAnswerable = true;
      const ids = set.items.map((it) => it.id);
      // The keyed values the score adds up (reverse-keyed items reversed, invalid answers left out).
      const cols = set.items.map((it) => keyedItemValues(dataset, it));
      const r = cronbachAlpha(
        missing === 'listwise' ? completeRowsMatrix(cols, ids) : itemMatrixFromColumns(cols, ids),
        { missing },
      );
      const head = { score: text(lbl), rule: text(set.rule), items: num(set.items.length) };
      if (isNotComputable(r)) {
        const why = notComputableCell(r.reason);
        rows.push({ kind: 'data', cells: { ...head, n: why, alpha: why } });
        continue;
      }
      if (isSmall(r.n, k)) {
        const why = suppressed(`fewer than ${k} respondents answered every item`);
        rows.push({ kind: 'data', cells: { ...head, n: why, alpha: why } });
        continue;
      }
      rows.push({ kind: 'data', cells: { ...head, n: num(r.n), alpha: num(r.alpha) } });
      itemTables.push(itemTotalTable(s, set, r, resolved));
      sentences.push(
        reliabilitySentence({
          scaleLabel:
            set.key === 'all'
              ? `the ${midSentence(lbl)} score`
              : `the ${midSentence(lbl)} score over its ${set.items.length} items without "not applicable"`,
          alpha: r.alpha,
          items: set.items.length,
          n: r.n,
          missing,
        }),
      );
    }
  }
  if (!rows.length) return undefined;
  return {
    id: 'reliability',
    title: 'Reliability',
    blocks: [
      {
        type: 'table',
        id: 'reliability',
        title: "Internal consistency (Cronbach's α)",
        columns: [
          col('score', 'Score', TEXT),
          col('rule', 'Items used', TEXT),
          col('items', 'Items', INTEGER),
          col('n', 'n', INTEGER),
          col('alpha', 'α', dec(2, false)),
        ],
        rows,
        denominator:
          missing === 'listwise'
            ? 'n: respondents who answered every item used (listwise deletion, as SPSS RELIABILITY); "not applicable" counts as unanswered here.'
            : 'Pairwise-complete covariances (as R psych::alpha); n is the number of respondents with at least one answered item.',
        notes: anyAnswerable
          ? [
              'A score with items that offer "not applicable" (e.g. items only for parents or for people in work) has a second row over the items every respondent can answer, since answers of "not applicable" leave few respondents with every item answered.',
            ]
          : [],
      },
      { type: 'text', sentences },
      ...itemTables,
    ],
  };
}

/** SPSS "Item-Total Statistics": per item its mean, SD, corrected item–total r and alpha if deleted. */
function itemTotalTable(
  s: ScoreColumn,
  set: AlphaItemSet,
  r: ReliabilityResult,
  resolved: ResolvedStudy,
): TableSpec {
  const f = dec(2);
  const label = scoreLabel(s);
  return {
    type: 'table',
    id: set.key === 'all' ? `${s.id}_item_total` : `${s.id}_answerable_item_total`,
    title:
      set.key === 'all'
        ? `Item-total statistics: ${label}`
        : `Item-total statistics: ${label}, the ${set.items.length} items without "not applicable"`,
    columns: [
      col('item', 'Item', TEXT),
      col('mean', 'Mean', f),
      col('sd', 'SD', f),
      col('r', 'Corrected item–total r', dec(2, false)),
      col('alpha', 'α if item deleted', dec(2, false)),
    ],
    rows: r.items.map((it, j) => {
      const v = resolved.variables.get(it.name);
      const label = v ? itemText(v.item) : it.name;
      return {
        kind: 'data' as const,
        cells: {
          item: text(set.items[j]?.reverse ? `${label} (reversed)` : label),
          mean: num(it.mean),
          sd: num(it.sd),
          r:
            it.correctedItemTotalCorrelation === null
              ? notComputableCell('the item or the rest of the scale has no variance')
              : num(it.correctedItemTotalCorrelation),
          alpha:
            it.alphaIfDeleted === null
              ? notComputableCell('alpha needs at least two remaining items')
              : num(it.alphaIfDeleted),
        },
      };
    }),
    denominator: `n = ${r.n} respondents (${set.rule}, ${set.items.length} items).`,
    notes: set.items.some((it) => it.reverse)
      ? [
          'Items marked (reversed) are reverse keyed (minimum + maximum − answer), as the score uses them; means, correlations and alpha are of the keyed values.',
        ]
      : [],
  };
}

// ------------------------------------------------------------------------------------------------ flags

function safetySection(input: AnalysisInput, k: number): Section | undefined {
  const { scored } = input;
  if (!scored.safety.length) return undefined;
  const rows: Row[] = scored.safety.map((f) => {
    const hide = isSmall(f.nFlagged, k);
    return {
      kind: 'data' as const,
      cells: {
        rule: text(f.description),
        n: hide ? suppressed(suppressionReason(k)) : num(f.nFlagged),
        percent: hide ? suppressed(suppressionReason(k)) : num(f.nFlagged / Math.max(1, scored.n)),
      },
    };
  });
  return {
    id: 'safety',
    title: 'Safety flags',
    blocks: [
      {
        type: 'table',
        id: 'safety',
        title: 'Respondents whose answers met a safety rule',
        columns: [col('rule', 'Rule', TEXT), col('n', 'n', INTEGER), col('percent', '%', pct(1))],
        rows,
        denominator: `Percentages are of all ${scored.n} responses.`,
        notes: [
          "A safety rule is an instrument's prompt for follow-up (e.g. PHQ-9 item 9 above 0); it is not a diagnosis.",
        ],
      },
    ],
  };
}

/**
 * "k of n items present" for each score whose items the data lack (imported with `--allow-missing`);
 * empty when every score has all its item columns.
 */
function itemsPresent(
  scored: ScoredDataset,
): { id: string; label: string; present: number; items: number; missing: readonly string[] }[] {
  const byId = new Map(scored.scores.map((s) => [s.id, s]));
  return scored.report.perScore.flatMap((p) => {
    const s = byId.get(p.id);
    if (!s || p.missingColumns.length === 0) return [];
    const items = s.def.items.length;
    return [
      {
        id: p.id,
        label: scoreLabel(s),
        present: items - p.missingColumns.length,
        items,
        missing: p.missingColumns,
      },
    ];
  });
}

function scoringSection(input: AnalysisInput, k: number): Section {
  const { scored } = input;
  const why = suppressed(suppressionReason(k));
  const partial = new Map(itemsPresent(scored).map((x) => [x.id, x]));
  const byId = new Map(scored.scores.map((s) => [s.id, s]));
  const rows: Row[] = scored.report.perScore.map((p) => {
    // computed + none + too few = all respondents: suppress with a complement; the other two stand alone.
    const hide = cellsToSuppress([p.computed, p.noneAnswered, p.tooFewAnswered], k);
    const cell = (i: number, v: number) => (hide.has(i) ? why : num(v));
    return {
      kind: 'data' as const,
      cells: {
        score: text(p.id),
        computed: cell(0, p.computed),
        none: cell(1, p.noneAnswered),
        few: cell(2, p.tooFewAnswered),
        na: isSmall(p.withNotApplicable, k) ? why : num(p.withNotApplicable),
        invalid: isSmall(p.withInvalid, k) ? why : num(p.withInvalid),
        ...(partial.size > 0
          ? {
              present: text(
                `${partial.get(p.id)?.present ?? byId.get(p.id)?.def.items.length ?? 0} of ${byId.get(p.id)?.def.items.length ?? 0}`,
              ),
            }
          : {}),
      },
    };
  });
  return {
    id: 'scoring',
    title: 'Scoring and missing data',
    blocks: [
      {
        type: 'table',
        id: 'scoring',
        title: 'Scores computed and missing',
        columns: [
          col('score', 'Score', TEXT),
          col('computed', 'Computed', INTEGER),
          col('none', 'No item answered', INTEGER),
          col('few', 'Too few items', INTEGER),
          col('na', 'With "not applicable"', INTEGER),
          col('invalid', 'With invalid answers', INTEGER),
          ...(partial.size > 0 ? [col('present', 'Items present', TEXT)] : []),
        ],
        rows,
        denominator: `Counts of the ${scored.n} responses.`,
        notes: [
          '"Not applicable" answers are kept apart from skipped ones: they are left out of the score and of its number of items, never counted as 0.',
          ...(partial.size > 0
            ? [
                `Items present: of each score's items, those the data have a column for. The data have no column for ${[
                  ...new Set([...partial.values()].flatMap((x) => x.missing)),
                ].join(', ')}; each score uses the items present.`,
              ]
            : []),
        ],
      },
    ],
  };
}

// ------------------------------------------------------------------------------------------------ report

/** Build the full report of a study. */
export function analyzeStudy(input: AnalysisInput): Report {
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
    }),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: resolved.study.title,
    language: input.language ?? 'en',
    generatedBy: input.generatedBy,
    scoringNote: notes.join(' ') || 'Scoring: no instrument scores.',
    sections,
  };
}
