/**
 * The report of every question type beyond the sample description:
 * - multiple choice: each option's n and % of the respondents who answered the question (an empty cell is no
 *   answer), with Wilson intervals; an exclusive option ("None") chosen together with others is counted and
 *   named, never dropped; optionally a bar figure per question (`analysis.questionFigures`);
 * - grid questions and the instruments' scale items (ordered responses): a distribution table (% of those who
 *   answered each statement), median and quartiles, % agreeing with a Wilson interval, and a diverging stacked
 *   bar chart;
 * - number questions: n, mean, SD, median, quartiles, min–max; free text: how many answered (the answers
 *   themselves are only in exports).
 * Single-choice questions are described in the sample table (analyzeStudy's sample section).
 *
 * Conventions, named in each table's notes: intervals are Wilson score intervals at the plan's confidence level
 * (R `prop.test(x, n, correct = FALSE)$conf.int`); quartiles are SPSS's HAVERAGE definition (R
 * `quantile(type = 6)`); medians and quartiles of ordered responses are of the option values as answered
 * (before reverse keying). Small cells are suppressed with the study's one policy
 * (src/core/privacy/suppression.ts: `cellsToSuppress`, `isSmall`, `smallShare`, `extremeShown`).
 */
import type { Instrument, Item, ResponseOption } from '../instrument/schema.js';
import {
  cellsToSuppress,
  extremeShown,
  isSmall,
  smallShare,
  suppressionNote,
  suppressionReason,
} from '../privacy/suppression.js';
import {
  col,
  dec,
  INTEGER,
  interval,
  num,
  pct,
  proportion,
  suppressed,
  TEXT,
  text,
} from '../report/index.js';
import type { Block, Cell, Column, FigureSpec, Row, Section, TableSpec } from '../report/spec.js';
import { AnswerStatus, type Dataset, type NumericColumn } from '../response/dataset.js';
import { optionColumnId } from '../response/targets.js';
import { at, atF64, atNum } from '../stats/at.js';
import { describe, quantiles } from '../stats/descriptives.js';
import { wilsonInterval } from '../stats/proportion.js';
import { isNotComputable } from '../stats/result.js';
import { labelText, shortLabel } from '../study/questions.js';
import type { Question } from '../study/schema.js';
import type { AnalysisInput } from './input.js';

const LANG = 'en';
/** SPSS HAVERAGE = R type 6, the project's default quartile definition (see stats/descriptives.ts). */
const QUARTILES = 'spss' as const;
const QUARTILE_NOTE =
  'Median and quartiles (Q1, Q3) as SPSS computes them (HAVERAGE; R quantile(type = 6)), of the option values as answered (before any reverse keying).';

function ciNote(level: number): string {
  return `${fmtLevel(level)} CI: Wilson score interval (R prop.test(x, n, correct = FALSE)).`;
}

/** A confidence level as a column header prefix: 0.95 → "95%". */
export function fmtLevel(level: number): string {
  return `${Number((level * 100).toPrecision(6))}%`;
}

function optionText(o: ResponseOption): string {
  return labelText(o.label, LANG) || String(o.value);
}

function numeric(ds: Dataset, id: string): NumericColumn | undefined {
  const c = ds.columns.get(id);
  return c?.kind === 'numeric' ? c : undefined;
}

const smallReason = (k: number) => suppressionReason(k);

/** A proportion with its Wilson interval as cells, or "suppressed"/"not computable" cells. */
function shareCells(count: number, n: number, level: number, hide: boolean, k: number): [Cell, Cell] {
  if (hide) return [suppressed(smallReason(k)), suppressed(smallReason(k))];
  const w = wilsonInterval(count, n, { level });
  if (isNotComputable(w)) return [{ kind: 'not_computable', reason: w.reason }, { kind: 'empty' }];
  return [proportion(count, n), interval(w.ci.lower, w.ci.upper)];
}

// ------------------------------------------------------------------------------------------ ordered responses

/** Counts of each option among the answered values of a column, and the other statuses. */
export function optionCounts(
  column: NumericColumn | undefined,
  options: readonly ResponseOption[],
): {
  counts: number[];
  n: number;
  notApplicable: number;
  noAnswer: number;
  invalid: number;
  notShown: number;
} {
  const index = new Map(options.map((o, i) => [o.value, i]));
  const counts = options.map(() => 0);
  let n = 0;
  let notApplicable = 0;
  let noAnswer = 0;
  let invalid = 0;
  let notShown = 0;
  if (column) {
    for (let i = 0; i < column.values.length; i++) {
      const s = column.status[i];
      if (s === AnswerStatus.ANSWERED) {
        const j = index.get(atF64(column.values, i));
        if (j !== undefined) {
          counts[j] = atNum(counts, j) + 1;
          n++;
        }
      } else if (s === AnswerStatus.NOT_APPLICABLE) notApplicable++;
      else if (s === AnswerStatus.SKIPPED) noAnswer++;
      else if (s === AnswerStatus.INVALID) invalid++;
      else if (s === AnswerStatus.NOT_SHOWN) notShown++;
    }
  }
  return { counts, n, notApplicable, noAnswer, invalid, notShown };
}

/**
 * The option values that count as agreeing by default: the top two values of a scale with 4 or more options,
 * the top value of a shorter one.
 */
function defaultAgreeing(options: readonly ResponseOption[]): number[] {
  const values = [...new Set(options.map((o) => o.value))].sort((a, b) => a - b);
  return values.slice(values.length >= 4 ? -2 : -1);
}

interface LikertRow {
  readonly label: string;
  readonly column: NumericColumn | undefined;
  /** Whether "not applicable" may be answered (else its cell stays empty). */
  readonly notApplicable: boolean;
}

interface LikertSpec {
  readonly id: string;
  readonly title: string;
  readonly rowTitle: string;
  readonly rows: readonly LikertRow[];
  readonly options: readonly ResponseOption[];
  readonly agreeing: ReadonlySet<number>;
  /** Column header and mid-sentence name of the agreeing share, e.g. "Agreeing". */
  readonly agreeLabel: string;
  /** How the agreeing share is defined, for the note. */
  readonly agreeRule: string;
  /** The agreeing share as the caption names it: "agreeing", 'answering "Quite a lot" or "A lot"'. */
  readonly agreeWords: string;
  readonly question?: string;
  readonly notApplicable: boolean;
}

/** The distribution table and the diverging bar chart of a set of statements answered on one scale. */
function likertBlocks(spec: LikertSpec, level: number, k: number): Block[] {
  const options = [...spec.options].sort((a, b) => a.value - b.value);
  const columns: Column[] = [
    col('item', spec.rowTitle, TEXT),
    col('n', 'n', INTEGER),
    ...options.map((o, i) => col(`o${i}`, optionText(o), pct(1))),
    ...(spec.notApplicable ? [col('na', 'Not applicable', INTEGER)] : []),
    col('median', 'Median', TEXT, 'right'),
    col('q1', 'Q1', TEXT, 'right'),
    col('q3', 'Q3', TEXT, 'right'),
    col('agree', spec.agreeLabel, pct(1)),
    col('agreeCi', `${fmtLevel(level)} CI`, pct(1)),
  ];
  const rows: Row[] = [];
  const data: FigureSpec['data'] = [];
  let anySuppressed = false;
  let leftOut = 0;
  for (const r of spec.rows) {
    const { counts, n, notApplicable } = optionCounts(r.column, options);
    const cells: Record<string, Cell> = { item: text(r.label), n: num(n) };
    const hide = cellsToSuppress(counts, k);
    const rowHidden = isSmall(n, k);
    options.forEach((_, i) => {
      cells[`o${i}`] =
        hide.has(i) || rowHidden
          ? suppressed(smallReason(k))
          : n > 0
            ? num(at(counts, i) / n)
            : { kind: 'not_computable', reason: 'no respondent answered this statement' };
    });
    if (spec.notApplicable && r.notApplicable)
      cells.na = isSmall(notApplicable, k) ? suppressed(smallReason(k)) : num(notApplicable);
    const agree = options.reduce((s, o, i) => s + (spec.agreeing.has(o.value) ? at(counts, i) : 0), 0);
    if (n === 0) {
      for (const key of ['median', 'q1', 'q3', 'agree'])
        cells[key] = { kind: 'not_computable', reason: 'no respondent answered this statement' };
    } else if (rowHidden) {
      for (const key of ['median', 'q1', 'q3', 'agree', 'agreeCi']) cells[key] = suppressed(smallReason(k));
    } else {
      const column = r.column;
      if (!column)
        throw new Error(`internal: "${r.label}" has ${n} answers but no column; this is a bug in nabz.`);
      const q = quantiles(column.values, [0.5, 0.25, 0.75], QUARTILES) as number[];
      cells.median = num(at(q, 0));
      cells.q1 = num(at(q, 1));
      cells.q3 = num(at(q, 2));
      [cells.agree, cells.agreeCi] = shareCells(agree, n, level, smallShare(agree, n, k), k);
    }
    const suppressedHere = rowHidden || hide.size > 0 || smallShare(agree, n, k);
    anySuppressed ||= suppressedHere && n > 0;
    rows.push({ kind: 'data', cells });
    if (n > 0 && !suppressedHere) {
      data.push({
        category: r.label,
        value: agree / n,
        count: agree,
        total: n,
        segments: counts.map((c) => c / n),
      });
    } else leftOut++;
  }
  const agreeLevels = options.flatMap((o, i) => (spec.agreeing.has(o.value) ? [i] : []));
  const notes = [
    `${spec.agreeLabel}: ${spec.agreeRule}.`,
    QUARTILE_NOTE,
    ciNote(level),
    ...(spec.question ? [`Question: "${spec.question}"`] : []),
  ];
  if (anySuppressed) notes.push(suppressionNote(k));
  const table: TableSpec = {
    type: 'table',
    id: spec.id,
    title: spec.title,
    columns,
    rows,
    denominator: `Percentages are of the respondents who answered each statement (n)${spec.notApplicable ? '; "not applicable" answers are left out of n' : ''}; "no answer" is left out.`,
    notes,
  };
  const blocks: Block[] = [table];
  if (data.length > 0) {
    blocks.push({
      type: 'figure',
      id: `${spec.id}_fig`,
      title: spec.title,
      kind: 'diverging',
      levels: options.map(optionText),
      agreeing: agreeLevels,
      data,
      x: { title: `% ${spec.agreeWords}`, format: pct(0), domain: [0, 1] },
      y: { title: '' },
      sort: 'data',
      valueLabels: true,
      caption: `Responses to each statement, lower options to the left of 0 and higher options to the right (a middle option straddles 0); the value printed is the percentage ${spec.agreeWords}.`,
      denominator: 'Percentages are of the respondents who answered each statement.',
      notes:
        leftOut > 0 ? [`${leftOut} statement(s) with no answers or suppressed cells are not drawn.`] : [],
    });
  }
  return blocks;
}

function gridBlocks(input: AnalysisInput, q: Question, level: number, k: number): Block[] {
  const options = q.options ?? [];
  const agreeing = q.agreeing ?? defaultAgreeing(options);
  const agreeNames = options.filter((o) => agreeing.includes(o.value)).map((o) => `"${optionText(o)}"`);
  return likertBlocks(
    {
      id: `grid_${q.id}`,
      title: shortLabel(q, LANG),
      rowTitle: 'Statement',
      rows: (q.rows ?? []).map((r) => ({
        label: r.short ?? shortLabel({ id: r.id, text: r.text }, LANG),
        column: numeric(input.dataset, `${q.id}_${r.id}`),
        notApplicable: q.notApplicable,
      })),
      options,
      agreeing: new Set(agreeing),
      agreeLabel: 'Agreeing',
      agreeWords: 'agreeing',
      agreeRule: `answered ${agreeNames.join(' or ')}${q.agreeing ? ' (as the question defines)' : ` (the top ${agreeing.length === 1 ? 'option' : `${agreeing.length} options`} of the scale)`}`,
      ...(q.text ? { question: labelText(q.text, LANG) } : {}),
      notApplicable: q.notApplicable,
    },
    level,
    k,
  );
}

/**
 * One section per instrument with ordered response scales: its items' distribution table(s) and diverging
 * chart(s), one per response scale.
 */
export function instrumentLikertSections(input: AnalysisInput, ins: Instrument, k: number): Section[] {
  const level = input.resolved.study.analysis.confidenceLevel;
  const blocks: Block[] = [];
  const scales = ins.scales.filter((s) => ins.items.some((it) => it.type === 'scale' && it.scale === s.id));
  for (const scale of scales) {
    const items = ins.items.filter((it) => it.type === 'scale' && it.scale === scale.id);
    const endorse = ins.endorsement;
    const agreeing = endorse
      ? scale.options.filter((o) => o.value >= endorse.threshold).map((o) => o.value)
      : defaultAgreeing(scale.options);
    const names = scale.options.filter((o) => agreeing.includes(o.value)).map((o) => `"${optionText(o)}"`);
    const label = endorse ? labelText(endorse.label, LANG) || 'Endorsing' : 'Top categories';
    blocks.push(
      ...likertBlocks(
        {
          id: scales.length === 1 ? `likert_${ins.id}` : `likert_${ins.id}_${scale.id}`,
          title: `${ins.shortTitle}: responses to each item${scales.length === 1 ? '' : ` (${scale.id})`}`,
          rowTitle: 'Item',
          rows: items.map((it) => ({
            label: itemLabel(ins, it),
            column: numeric(input.dataset, it.id),
            notApplicable: it.notApplicable,
          })),
          options: scale.options,
          agreeing: new Set(agreeing),
          agreeLabel: label,
          agreeWords: `answering ${names.join(' or ')}`,
          agreeRule: endorse
            ? `answered ${names.join(' or ')} (the instrument's endorsement threshold, at or above ${endorse.threshold})`
            : `answered ${names.join(' or ')} (the top ${agreeing.length === 1 ? 'option' : `${agreeing.length} options`} of the scale)`,
          notApplicable: items.some((it) => it.notApplicable),
        },
        level,
        k,
      ),
    );
  }
  return blocks.length
    ? [{ id: `likert_${ins.id}`, title: `${ins.shortTitle}: item responses`, blocks }]
    : [];
}

function itemLabel(ins: Instrument, it: Item): string {
  const n = ins.items.indexOf(it) + 1;
  return it.short || it.text ? `${n}. ${shortLabel(it, LANG)}` : `${ins.shortTitle} item ${n}`;
}

// ------------------------------------------------------------------------------------------ multiple choice

/** "None", "None of the above", "Nothing", "None of these" … — options that exclude the others. */
const EXCLUSIVE_LABEL = /^(?:none(?:\s+of\s+(?:the\s+above|these|them))?|nothing|not\s+applicable|n\/?a)$/i;

/** Whether an option excludes the others: marked `exclusive`, or labelled like "None". */
function isExclusiveOption(o: ResponseOption): boolean {
  return (
    o.exclusive ?? Object.values(o.label).some((l) => EXCLUSIVE_LABEL.test(l.trim().replace(/[.!]+$/, '')))
  );
}

interface MultipleChoiceCounts {
  /** Respondents who answered the question (chose at least one option). */
  readonly answered: number;
  readonly counts: readonly number[];
  /** Respondents who chose an exclusive option together with another option. */
  readonly contradictory: number;
}

/** Per-option counts of a multiple-choice question over its 0/1 option columns. */
function multipleChoiceCounts(item: Item, ds: Dataset): MultipleChoiceCounts {
  const options = item.options ?? [];
  const cols = options.map((o) => numeric(ds, optionColumnId(item.id, o.value)));
  const exclusive = options.map(isExclusiveOption);
  const counts = options.map(() => 0);
  let answered = 0;
  let contradictory = 0;
  for (let i = 0; i < ds.n; i++) {
    let any = false;
    let chosen = 0;
    let chosenExclusive = false;
    cols.forEach((c, j) => {
      if (!c || c.status[i] !== AnswerStatus.ANSWERED) return;
      any = true;
      if (c.values[i] === 1) {
        counts[j] = atNum(counts, j) + 1;
        chosen++;
        if (exclusive[j]) chosenExclusive = true;
      }
    });
    // An answered row with no option chosen cannot come from a form (an empty cell is no answer); it is
    // counted as answered so the percentages stay of those who gave an answer.
    if (any) answered++;
    if (chosenExclusive && chosen > 1) contradictory++;
  }
  return { answered, counts, contradictory };
}

function multipleBlocks(input: AnalysisInput, q: Item, level: number, k: number): Block[] {
  const options = q.options ?? [];
  const { answered, counts, contradictory } = multipleChoiceCounts(q, input.dataset);
  const title = shortLabel(q, LANG);
  const hideAll = isSmall(answered, k);
  let anySuppressed = hideAll;
  const rows: Row[] = options.map((o, i) => {
    const c = at(counts, i);
    const hide = hideAll || smallShare(c, answered, k);
    anySuppressed ||= hide;
    const [share, ci] =
      answered === 0
        ? ([
            { kind: 'not_computable', reason: 'no respondent answered this question' },
            { kind: 'empty' },
          ] as [Cell, Cell])
        : shareCells(c, answered, level, hide, k);
    return {
      kind: 'data',
      cells: {
        option: text(optionText(o)),
        n: hide ? suppressed(smallReason(k)) : num(c),
        percent: share,
        ci,
      },
    };
  });
  const exclusive = options.filter(isExclusiveOption);
  const notes = [
    'Respondents could choose more than one option, so the percentages can add up to more than 100%.',
    ciNote(level),
  ];
  if (exclusive.length > 0) {
    const names = exclusive.map((o) => `"${optionText(o)}"`).join(', ');
    notes.push(
      contradictory === 0
        ? `${names} excludes the other options; no respondent chose it together with another.`
        : `${names} excludes the other options, but ${isSmall(contradictory, k) ? `fewer than ${k}` : contradictory} respondent(s) chose it together with another option; their answers are counted as given.`,
    );
  }
  if (q.text) notes.push(`Question: "${labelText(q.text, LANG)}"`);
  if (anySuppressed)
    notes.push(`Cells with fewer than ${k} respondents (or all but fewer than ${k}) are suppressed.`);
  const blocks: Block[] = [
    {
      type: 'table',
      id: `mc_${q.id}`,
      title,
      columns: [
        col('option', 'Option', TEXT),
        col('n', 'n', INTEGER),
        col('percent', '% of those who answered', pct(1)),
        col('ci', `${fmtLevel(level)} CI`, pct(1)),
      ],
      rows,
      denominator: `Percentages are of the ${hideAll ? `fewer than ${k}` : answered} of ${input.dataset.n} respondents who answered the question (chose at least one option); an empty answer is no answer.`,
      notes,
    },
  ];
  if (input.resolved.study.analysis.questionFigures && answered > 0 && !hideAll) {
    const data = options.flatMap((o, i) => {
      const count = at(counts, i);
      return smallShare(count, answered, k)
        ? []
        : [{ category: optionText(o), value: count / answered, count, total: answered }];
    });
    if (data.length > 0)
      blocks.push({
        type: 'figure',
        id: `mc_${q.id}_fig`,
        title,
        kind: 'bar',
        data,
        x: { title: '% of those who answered', format: pct(1), domain: [0, 1] },
        y: { title: '' },
        sort: 'descending',
        valueLabels: true,
        caption: `Share of the ${answered} respondents who answered choosing each option (more than one could be chosen).`,
        notes: data.length < options.length ? ['Options with suppressed counts are not drawn.'] : [],
      });
  }
  return blocks;
}

// ------------------------------------------------------------------------------------------ numbers and text

function numberTable(input: AnalysisInput, qs: readonly Item[], k: number): TableSpec {
  const rows: Row[] = [];
  let anySuppressed = false;
  let anyExtreme = false;
  for (const q of qs) {
    const c = numeric(input.dataset, q.id);
    const d = c ? describe(c.values, { quantileDefinition: QUARTILES }) : undefined;
    const cells: Record<string, Cell> = { question: text(shortLabel(q, LANG)) };
    if (!c || !d || isNotComputable(d)) {
      cells.n = num(0);
      cells.mean = { kind: 'not_computable', reason: 'no respondent answered this question' };
    } else if (isSmall(d.n, k)) {
      anySuppressed = true;
      for (const key of ['n', 'mean', 'sd', 'median', 'q1', 'q3', 'min', 'max'])
        cells[key] = suppressed(smallReason(k));
    } else {
      let integers = true;
      for (let i = 0; i < c.values.length && integers; i++) {
        const v = atF64(c.values, i);
        if (!Number.isNaN(v) && !Number.isInteger(v)) integers = false;
      }
      const f = integers ? TEXT : dec(2);
      cells.n = num(d.n);
      cells.mean = num(d.mean);
      cells.sd =
        d.sd === null
          ? { kind: 'not_computable', reason: 'one answer has no standard deviation' }
          : num(d.sd);
      cells.median = num(d.median, f);
      cells.q1 = num(d.q1, f);
      cells.q3 = num(d.q3, f);
      // An extreme fewer than k respondents share is not printed (an age of 41 names its one owner).
      for (const [key, v] of [
        ['min', d.min],
        ['max', d.max],
      ] as const) {
        if (extremeShown(c.values, v, k)) cells[key] = num(v, integers ? INTEGER : f);
        else {
          anyExtreme = true;
          cells[key] = suppressed(`${smallReason(k)} share this value`);
        }
      }
    }
    rows.push({ kind: 'data', cells });
  }
  return {
    type: 'table',
    id: 'numbers',
    title: 'Number questions',
    columns: [
      col('question', 'Question', TEXT),
      col('n', 'n', INTEGER),
      col('mean', 'Mean', dec(2)),
      col('sd', 'SD', dec(2)),
      col('median', 'Median', dec(2)),
      col('q1', 'Q1', dec(2)),
      col('q3', 'Q3', dec(2)),
      col('min', 'Min', dec(2)),
      col('max', 'Max', dec(2)),
    ],
    rows,
    denominator: 'Of the respondents who answered each question.',
    notes: [
      'SD with denominator n − 1. Median and quartiles (Q1, Q3) as SPSS computes them (HAVERAGE; R quantile(type = 6)). Questions whose answers are all whole numbers show whole numbers as such.',
      ...(anySuppressed ? [`Rows with fewer than ${k} respondents are suppressed.`] : []),
      ...(anyExtreme ? [`A minimum or maximum shared by fewer than ${k} respondents is not shown.`] : []),
    ],
  };
}

function textTable(input: AnalysisInput, qs: readonly Item[], k: number): TableSpec {
  const rows: Row[] = qs.map((q) => {
    const c = input.dataset.columns.get(q.id);
    let n = 0;
    if (c?.kind === 'text') for (const v of c.values) if (v !== null && v.trim() !== '') n++;
    return {
      kind: 'data',
      cells: {
        question: text(shortLabel(q, LANG)),
        n: isSmall(n, k) ? suppressed(smallReason(k)) : num(n),
      },
    };
  });
  return {
    type: 'table',
    id: 'free_text',
    title: 'Free-text questions',
    columns: [col('question', 'Question', TEXT), col('n', 'Answered', INTEGER)],
    rows,
    denominator: `Respondents who wrote an answer, of ${input.dataset.n}.`,
    notes: ['The answers themselves are in the exports (with free text), not in the report.'],
  };
}

/** The section describing the study's own questions other than single choice (those are in the sample table). */
export function questionSections(input: AnalysisInput, k: number): Section[] {
  const level = input.resolved.study.analysis.confidenceLevel;
  const blocks: Block[] = [];
  const numbers: Item[] = [];
  const texts: Item[] = [];
  for (const q of input.resolved.study.questions) {
    if (q.type === 'grid') blocks.push(...gridBlocks(input, q, level, k));
    else if (q.type === 'multiple') blocks.push(...multipleBlocks(input, q as Item, level, k));
    else if (q.type === 'number') numbers.push(q as Item);
    else if (q.type === 'text' || q.type === 'longtext') texts.push(q as Item);
  }
  if (numbers.length > 0) blocks.push(numberTable(input, numbers, k));
  if (texts.length > 0) blocks.push(textTable(input, texts, k));
  return blocks.length > 0 ? [{ id: 'questions', title: 'Responses to the questions', blocks }] : [];
}
