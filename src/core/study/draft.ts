/**
 * Drafting a study from a survey export (`nabz init`): what each column of a Google Forms or XLSX export is,
 * from its header and the answers it holds.
 *
 * - Library instruments are recognised with the importer's own column matching (`mapColumns`: item text,
 *   Google Forms grid rows `Stem [Row]`). An instrument is used only when every item has a column and every
 *   answer is one of its labels; otherwise it is a near miss, reported with what did not match, and its
 *   columns are drafted like any other grid.
 * - Other grids (`Stem [Row]` headers sharing a stem) whose answers are the labels of a known ordered
 *   response scale (agreement, frequency, amount …) or numbers become own instruments: one item per row on
 *   that scale, coded 1…k in the scale's order, with a mean score. Grids whose labels have no known order
 *   become `grid` questions with their labels in the order first seen (flagged for checking).
 * - Any other column: a number question when every answer is a number; multiple choice when answers are
 *   several options joined with ", " (Google Forms' "select all that apply"); single choice when a few
 *   answers repeat; free text otherwise. Options are the labels observed.
 *
 * Pure: the CLI reads the file into `ColumnValues` and writes the files; the draft is then checked by
 * importing the same export with it.
 */
import type { Instrument, InstrumentInput, ItemInput, ResponseOption } from '../instrument/schema.js';
import { IdSchema } from '../instrument/schema.js';
import { AnswerStatus, type Dataset } from '../response/dataset.js';
import { type MappingReport, mapColumns } from '../response/mapping.js';
import { normalizeText, parseGridHeader, parseNumber } from '../response/normalize.js';
import { type Target, targetsFromInstrument } from '../response/targets.js';
import { at } from '../stats/at.js';
import { cronbachAlpha, itemMatrixFromColumns } from '../stats/reliability.js';
import { isNotComputable } from '../stats/result.js';
import { deriveShortLabel } from './questions.js';
import type { QuestionInput } from './schema.js';

/** What the reader saw in one column. */
export interface ColumnValues {
  readonly header: string;
  /** Non-empty cells. */
  readonly answered: number;
  /** Distinct trimmed cell texts with their counts, in the order first seen (at most `MAX_DISTINCT`). */
  readonly values: ReadonlyMap<string, number>;
  /** True when there were more distinct texts than were kept. */
  readonly capped: boolean;
}

/** Distinct values kept per column: enough for any choice question, bounded for free-text columns. */
const MAX_DISTINCT = 500;

/** Collects `ColumnValues` row by row. */
export class ColumnCollector {
  /** One tally per header, in the headers' order. */
  private readonly tallies: {
    header: string;
    answered: number;
    values: Map<string, number>;
    capped: boolean;
  }[];

  constructor(readonly headers: readonly string[]) {
    this.tallies = headers.map((header) => ({ header, answered: 0, values: new Map(), capped: false }));
  }

  add(cells: readonly string[]): void {
    let c = 0;
    for (const t of this.tallies) {
      const v = (cells[c++] ?? '').trim();
      if (v === '') continue;
      t.answered++;
      const n = t.values.get(v);
      if (n !== undefined) t.values.set(v, n + 1);
      else if (t.values.size < MAX_DISTINCT) t.values.set(v, 1);
      else t.capped = true;
    }
  }

  columns(): ColumnValues[] {
    return this.tallies.map((t) => ({
      header: t.header,
      answered: t.answered,
      values: t.values,
      capped: t.capped,
    }));
  }
}

/** Ordered response scales recognised in grids, lowest first. Labels are compared after `normalizeText`. */
const KNOWN_SCALES: readonly { readonly name: string; readonly labels: readonly string[] }[] = [
  { name: 'agreement (4)', labels: ['Strongly disagree', 'Disagree', 'Agree', 'Strongly agree'] },
  {
    name: 'agreement (5)',
    labels: ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'],
  },
  {
    name: 'agreement (5, neutral)',
    labels: ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'],
  },
  {
    name: 'agreement (5, undecided)',
    labels: ['Strongly disagree', 'Disagree', 'Undecided', 'Agree', 'Strongly agree'],
  },
  {
    name: 'agreement (5, not sure)',
    labels: ['Strongly disagree', 'Disagree', 'Not sure', 'Agree', 'Strongly agree'],
  },
  {
    name: 'agreement (7)',
    labels: [
      'Strongly disagree',
      'Disagree',
      'Somewhat disagree',
      'Neither agree nor disagree',
      'Somewhat agree',
      'Agree',
      'Strongly agree',
    ],
  },
  { name: 'frequency (5)', labels: ['Never', 'Rarely', 'Sometimes', 'Often', 'Always'] },
  { name: 'frequency (5, very often)', labels: ['Never', 'Rarely', 'Sometimes', 'Very often', 'Always'] },
  {
    name: 'frequency (5, almost never)',
    labels: ['Never', 'Almost never', 'Sometimes', 'Fairly often', 'Very often'],
  },
  {
    name: 'frequency (4, days)',
    labels: ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'],
  },
  { name: 'amount (4)', labels: ['Not at all', 'A little', 'Quite a lot', 'A lot'] },
  { name: 'amount (5)', labels: ['Not at all', 'A little bit', 'Moderately', 'Quite a bit', 'Extremely'] },
  { name: 'amount (5, slightly)', labels: ['Not at all', 'Slightly', 'Moderately', 'Very', 'Extremely'] },
  {
    name: 'satisfaction (5)',
    labels: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
  },
  { name: 'likelihood (5)', labels: ['Very unlikely', 'Unlikely', 'Neutral', 'Likely', 'Very likely'] },
  { name: 'quality (5)', labels: ['Very poor', 'Poor', 'Fair', 'Good', 'Excellent'] },
  { name: 'true (4)', labels: ['Not true at all', 'Hardly true', 'Moderately true', 'Exactly true'] },
  {
    name: 'difficulty (4)',
    labels: ['Not difficult at all', 'Somewhat difficult', 'Very difficult', 'Extremely difficult'],
  },
];

/** A library instrument whose items were partly found, or whose answers are not its labels. */
interface NearMiss {
  readonly instrument: Instrument;
  /** Items with a column. */
  readonly matched: number;
  /** Items without a column. */
  readonly missing: readonly string[];
  /** Answers that are none of the instrument's labels: column header, the value. */
  readonly badLabels: readonly { readonly header: string; readonly value: string }[];
}

interface DraftOwnInstrument {
  readonly definition: InstrumentInput;
  /** The stem of the grid it was drafted from. */
  readonly stem: string;
  /** How the options were ordered: a known scale's name, or "numbers". */
  readonly scale: string;
  /** Options of the scale no answer used (the scale was assumed complete). */
  readonly unseen: readonly string[];
}

interface DraftQuestion {
  readonly question: QuestionInput;
  readonly header: string;
  /** For grids whose labels have no known order, and other things to check. */
  readonly note?: string;
}

export interface Draft {
  /** The study definition, with own instruments inline (`definition`). */
  readonly study: {
    id: string;
    title: string;
    languages: string[];
    instruments: Record<string, unknown>[];
    questions: QuestionInput[];
  };
  readonly library: readonly { readonly instrument: Instrument; readonly columns: number }[];
  readonly nearMisses: readonly NearMiss[];
  readonly own: readonly DraftOwnInstrument[];
  readonly questions: readonly DraftQuestion[];
  /** Columns left out: the timestamp, empty headers, columns with no answers. */
  readonly skipped: readonly { readonly header: string; readonly why: string }[];
  /** The mapping of the file's columns onto the library (for near-miss suggestions). */
  readonly libraryMapping: MappingReport;
  readonly libraryTargets: readonly Target[];
}

interface DraftOptions {
  /** Study id (default "draft_study"). */
  readonly id?: string;
  readonly title?: string;
  /** Language of the export's texts (default "en"). */
  readonly language?: string;
  /** Date recorded with the acknowledgement of library instruments' terms for analysis of existing data. */
  readonly today: string;
}

/** A variable id from a text: lower case letters, digits and _, starting with a letter, at most `max` long. */
export function slugId(text: string, max = 40): string {
  const s = normalizeText(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, max)
    .replace(/_+$/, '');
  const id = /^[a-z]/.test(s) ? s : `q_${s}`.replace(/_+$/, '');
  return IdSchema.safeParse(id).success ? id : 'q';
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let k = 2; used.has(id.toLowerCase()); k++) id = `${base}_${k}`;
  used.add(id.toLowerCase());
  return id;
}

const isNumber = (s: string) => !Number.isNaN(parseNumber(s));

/** Labels of an option in any language, normalised. */
function labelKeys(o: ResponseOption): string[] {
  return Object.values(o.label).map(normalizeText);
}

/** Whether every answer in the columns is a label (or code) of the target's options or its "not applicable". */
function badAnswers(t: Target, col: ColumnValues): string[] {
  const ok = new Set(t.options.flatMap(labelKeys));
  const codes = new Set(t.options.map((o) => o.value));
  if (t.notApplicableLabel) for (const l of Object.values(t.notApplicableLabel)) ok.add(normalizeText(l));
  return [...col.values.keys()].filter((v) => !ok.has(normalizeText(v)) && !codes.has(parseNumber(v)));
}

/**
 * The ordered scale the answers of a grid come from: the smallest known scale holding every answer label
 * (ties: the first listed), or the integers from the smallest to the largest answer when all are whole
 * numbers; null when neither fits.
 */
interface OrderedScale {
  readonly name: string;
  readonly options: readonly { readonly value: number; readonly label: string }[];
  /** Labels of the scale no answer used. */
  readonly unseen: readonly string[];
}

export function orderedScale(labels: readonly string[]): OrderedScale | null {
  const seen = new Set(labels.map(normalizeText));
  let best: (typeof KNOWN_SCALES)[number] | undefined;
  for (const s of KNOWN_SCALES) {
    const keys = new Set(s.labels.map(normalizeText));
    if ([...seen].every((l) => keys.has(l)) && (!best || s.labels.length < best.labels.length)) best = s;
  }
  if (best) {
    // Keep the export's spelling of the labels it used (case, punctuation), the scale's for the others.
    const spelled = new Map(labels.map((l) => [normalizeText(l), l]));
    return {
      name: best.name,
      options: best.labels.map((l, i) => ({ value: i + 1, label: spelled.get(normalizeText(l)) ?? l })),
      unseen: best.labels.filter((l) => !seen.has(normalizeText(l))),
    };
  }
  if (labels.length > 0 && labels.every((l) => Number.isInteger(parseNumber(l)))) {
    const xs = labels.map(parseNumber);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    if (hi - lo >= 1 && hi - lo <= 10) {
      const options = [];
      for (let v = lo; v <= hi; v++) options.push({ value: v, label: String(v) });
      return { name: `numbers ${lo}–${hi}`, options, unseen: [] };
    }
  }
  return null;
}

/**
 * Options of a "select all that apply" column: Google Forms joins the chosen options with ", ". A piece that
 * starts with a lower-case letter continues the previous option ("Yes, often"), and two pieces that only
 * ever occur together in that order are one option ("Friends, Classmates"), so labels with commas stay
 * whole. Null when the column does not look like multiple choice (no cell holds two options, or the pieces do
 * not repeat as a fixed set of options would).
 */
export function multipleChoiceOptions(col: ColumnValues): string[] | null {
  if (col.capped) return null;
  const cells: { parts: string[]; n: number }[] = [];
  for (const [cell, n] of col.values) {
    const parts: string[] = [];
    for (const piece of cell.split(', ')) {
      if (parts.length > 0 && !/^\p{Lu}|^[0-9]/u.test(piece)) parts[parts.length - 1] += `, ${piece}`;
      else parts.push(piece.trim());
    }
    cells.push({ parts, n });
  }
  // Two pieces that only ever occur together, one right after the other ("Friends, Classmates"), are one
  // option whose label has a comma: merge them (repeatedly, for labels with several commas).
  for (let merged = true; merged; ) {
    merged = false;
    const count = new Map<string, number>();
    const after = new Map<string, Map<string, number>>();
    for (const { parts, n } of cells)
      parts.forEach((p, k) => {
        count.set(p, (count.get(p) ?? 0) + n);
        const next = parts[k + 1];
        if (next === undefined) return;
        const m = after.get(p) ?? new Map<string, number>();
        m.set(next, (m.get(next) ?? 0) + n);
        after.set(p, m);
      });
    for (const [p, m] of after) {
      if (m.size !== 1) continue;
      const [q, together] = at([...m], 0);
      if (together !== count.get(p) || together !== count.get(q)) continue;
      for (const c of cells)
        for (let k = 0; k + 1 < c.parts.length; k++)
          if (c.parts[k] === p && c.parts[k + 1] === q) c.parts.splice(k, 2, `${p}, ${q}`);
      merged = true;
      break;
    }
  }
  const counts = new Map<string, number>();
  for (const { parts, n } of cells) for (const p of parts) counts.set(p, (counts.get(p) ?? 0) + n);
  if (!cells.some((c) => c.parts.length > 1) || counts.size > 30) return null;
  // A fixed set of options is chosen again and again; free text lists are mostly one-offs.
  const repeated = [...counts.values()].filter((n) => n >= 2).length;
  if (repeated < Math.ceil(counts.size / 2)) return null;
  return [...counts.keys()];
}

function choiceOptions(labels: readonly string[], language: string): ItemInput['options'] {
  const ordered = orderedScale(labels);
  if (ordered && ordered.unseen.length === 0 && !ordered.name.startsWith('numbers'))
    return ordered.options.map((o) => ({ value: o.value, label: { [language]: o.label } }));
  return labels.map((l, i) => ({ value: i + 1, label: { [language]: l } }));
}

/** Draft a study from the columns of an export. */
export function draftStudy(
  columns: readonly ColumnValues[],
  library: readonly Instrument[],
  options: DraftOptions,
): Draft {
  const language = options.language ?? 'en';
  const headers = columns.map((c) => c.header);
  const withText = library.filter((ins) => ins.items.some((it) => it.text));
  const libraryTargets = withText.flatMap((ins) => {
    const t = targetsFromInstrument(ins);
    return t.ok ? t.value : [];
  });
  const plan = mapColumns(headers, libraryTargets);
  const report = plan.report;

  // Library instruments: every item with a column, every answer a label.
  const used = new Set<number>(); // column indexes taken by recognised instruments
  const recognised: { instrument: Instrument; columns: number }[] = [];
  const nearMisses: NearMiss[] = [];
  const byId = new Map(libraryTargets.map((t) => [t.id, t]));
  for (const ins of withText) {
    const cols = report.mapped.flatMap((c) => {
      const target = c.item === undefined ? undefined : byId.get(c.item);
      return target?.group === ins.id ? [{ c, target }] : [];
    });
    if (cols.length === 0) continue;
    const have = new Set(cols.map(({ c }) => c.item));
    const missing = ins.items.filter((it) => !have.has(it.id)).map((it) => it.id);
    const badLabels = cols.flatMap(({ c, target }) =>
      badAnswers(target, at(columns, c.index)).map((value) => ({ header: c.header, value })),
    );
    if (missing.length === 0 && badLabels.length === 0) {
      recognised.push({ instrument: ins, columns: cols.length });
      for (const { c } of cols) used.add(c.index);
    } else nearMisses.push({ instrument: ins, matched: have.size, missing, badLabels });
  }

  const ids = new Set<string>([...library.map((i) => i.id), ...libraryTargets.map((t) => t.id)]);
  const skipped: { header: string; why: string }[] = [];
  const questions: DraftQuestion[] = [];
  const own: DraftOwnInstrument[] = [];

  // Group the remaining grid headers by stem.
  const stems = new Map<string, number[]>();
  const plain: number[] = [];
  columns.forEach((col, i) => {
    if (used.has(i)) return;
    if (report.timestamp?.index === i) {
      skipped.push({ header: col.header, why: 'submission time (read as the timestamp)' });
      return;
    }
    if (col.header.trim() === '') {
      skipped.push({ header: `(column ${i + 1}, no header)`, why: 'no header' });
      return;
    }
    const g = parseGridHeader(col.header);
    if (g) {
      const list = stems.get(g.stem);
      if (list) list.push(i);
      else stems.set(g.stem, [i]);
    } else plain.push(i);
  });
  for (const idx of stems.values()) if (idx.length === 1) plain.push(at(idx, 0));
  plain.sort((a, b) => a - b);

  const order: { at: number; kind: 'grid'; stem: string; idx: number[] }[] = [];
  for (const [stem, idx] of stems)
    if (idx.length > 1) order.push({ at: at(idx, 0), kind: 'grid', stem, idx });

  const labelsOf = (idx: readonly number[]): string[] => {
    const labels: string[] = [];
    const seenKeys = new Set<string>();
    for (const i of idx)
      for (const v of at(columns, i).values.keys())
        if (!seenKeys.has(normalizeText(v))) {
          seenKeys.add(normalizeText(v));
          labels.push(v);
        }
    return labels;
  };
  const rowOf = (i: number) => {
    const g = parseGridHeader(at(columns, i).header);
    if (!g) throw new Error(`internal: column ${i + 1} is not a grid column; this is a bug in nabz.`);
    return g.row;
  };

  const ownInstrument = (stem: string, idx: readonly number[], scale: OrderedScale): void => {
    const rows = idx.map(rowOf);
    const id = uniqueId(slugId(deriveShortLabel(stem), 24), ids);
    const itemIds = rows.map((_, k) => uniqueId(`${id}_${String(k + 1).padStart(2, '0')}`, ids));
    const scoreId = uniqueId(`${id}_mean`, ids);
    const minAnswered = Math.max(1, Math.ceil(rows.length * 0.8));
    const range = `${at(scale.options, 0).value}–${at(scale.options, scale.options.length - 1).value}`;
    const definition: InstrumentInput = {
      id,
      title: { [language]: stem },
      shortTitle: deriveShortLabel(stem),
      citation: 'Own instrument of the study team, drafted by nabz init from a survey export.',
      notes: [
        `Drafted by nabz init: options coded ${range} in the order of the ${scale.name} scale; no item is reverse keyed. Mark reverse-worded items with "reverse": true, and check the score.`,
      ],
      scales: [
        {
          id: 'scale',
          options: scale.options.map((o) => ({ value: o.value, label: { [language]: o.label } })),
        },
      ],
      items: rows.map((row, k) => ({ id: at(itemIds, k), scale: 'scale', text: { [language]: row } })),
      scores: [
        {
          id: scoreId,
          label: { [language]: `${deriveShortLabel(stem)} (mean)` },
          items: itemIds,
          method: 'mean',
          minAnswered,
          description: `mean of the ${rows.length} items (${range}), at least ${minAnswered} answered`,
        },
      ],
    };
    own.push({ definition, stem, scale: scale.name, unseen: scale.unseen });
  };

  const gridQuestion = (stem: string, idx: readonly number[]): void => {
    const rowIds = new Set<string>();
    questions.push({
      header: stem,
      question: {
        id: uniqueId(slugId(deriveShortLabel(stem), 30), ids),
        type: 'grid',
        text: { [language]: stem },
        options: labelsOf(idx).map((l, k) => ({ value: k + 1, label: { [language]: l } })),
        rows: idx.map((i) => ({
          id: uniqueId(slugId(rowOf(i), 20), rowIds),
          text: { [language]: rowOf(i) },
        })),
      },
      note: 'the answers are not a known ordered scale: options are in the order first seen; put them in order (lowest first) before reading any "agreeing" share',
    });
  };

  for (const { stem, idx } of order) {
    const scale = orderedScale(labelsOf(idx));
    if (scale) {
      ownInstrument(stem, idx, scale);
      continue;
    }
    // Rows on different scales under one stem (PHQ-9's function item after its nine symptoms): split the
    // grid by each row's own scale; rows on no known scale form one grid question.
    const parts = new Map<string, number[]>();
    for (const i of idx) {
      const name = orderedScale(labelsOf([i]))?.name ?? '';
      const list = parts.get(name);
      if (list) list.push(i);
      else parts.set(name, [i]);
    }
    for (const [name, part] of parts) {
      const partScale = name ? orderedScale(labelsOf(part)) : null;
      if (partScale && part.length > 1) ownInstrument(stem, part, partScale);
      else if (partScale) plain.push(at(part, 0));
      else gridQuestion(stem, part);
    }
  }
  plain.sort((a, b) => a - b);

  for (const i of plain) {
    const col = at(columns, i);
    const header = col.header.trim();
    if (col.answered === 0) {
      skipped.push({ header, why: 'no answers' });
      continue;
    }
    const id = uniqueId(slugId(deriveShortLabel(header), 30), ids);
    const text = { [language]: header };
    const labels = [...col.values.keys()];
    const multi = multipleChoiceOptions(col);
    let question: QuestionInput;
    if (!col.capped && labels.every(isNumber)) {
      const integer = labels.every((l) => Number.isInteger(parseNumber(l)));
      question = { id, type: 'number', text, ...(integer ? { integer: true } : {}) };
    } else if (multi) {
      question = {
        id,
        type: 'multiple',
        text,
        options: multi.map((l, k) => ({ value: k + 1, label: { [language]: l } })),
      };
    } else if (!col.capped && labels.length <= 20 && labels.length <= Math.max(2, col.answered / 2)) {
      question = { id, type: 'single', text, options: choiceOptions(labels, language) };
    } else {
      const long = labels.some((l) => l.length > 200);
      question = { id, type: long ? 'longtext' : 'text', text };
    }
    questions.push({ header, question });
  }
  // Questions in file order: the columns' order is the form's.
  const firstColumn = (q: DraftQuestion) =>
    headers.findIndex((h) => h.trim() === q.header || parseGridHeader(h)?.stem === q.header);
  questions.sort((a, b) => firstColumn(a) - firstColumn(b));

  const study = {
    id: options.id ?? 'draft_study',
    title: options.title ?? 'Draft study',
    languages: [language],
    instruments: [
      ...recognised.map(({ instrument }) => ({
        instrument: instrument.id,
        ...(instrument.licence.requiresAcknowledgement
          ? { termsAcknowledged: { by: 'nabz init (analysis of existing data)', at: options.today } }
          : {}),
      })),
      ...own.map((o) => ({ definition: o.definition })),
    ],
    questions: questions.map((q) => q.question),
  };
  return {
    study,
    library: recognised,
    nearMisses,
    own,
    questions,
    skipped,
    libraryMapping: report,
    libraryTargets,
  };
}

/**
 * Items of the drafted own instruments that correlate negatively with the rest of their instrument
 * (corrected item–total r < 0, pairwise): probably worded the other way round, so candidates for
 * `"reverse": true`. A hint for the researcher to check against the wording — never applied by itself.
 */
export function reverseKeyHints(
  dataset: Dataset,
  own: readonly DraftOwnInstrument[],
): { instrument: string; item: string; text: string; r: number }[] {
  const out: { instrument: string; item: string; text: string; r: number }[] = [];
  for (const o of own) {
    const items = o.definition.items;
    if (items.length < 3) continue;
    const cols = items.map((it) => {
      const c = dataset.columns.get(it.id);
      const x = new Float64Array(dataset.n).fill(Number.NaN);
      if (c?.kind === 'numeric')
        for (let r = 0; r < dataset.n; r++) if (c.status[r] === AnswerStatus.ANSWERED) x[r] = at(c.values, r);
      return x;
    });
    const rel = cronbachAlpha(
      itemMatrixFromColumns(
        cols,
        items.map((it) => it.id),
      ),
      { missing: 'pairwise' },
    );
    if (isNotComputable(rel)) continue;
    rel.items.forEach((s, j) => {
      const r = s.correctedItemTotalCorrelation;
      const item = at(items, j);
      if (r !== null && r < 0)
        out.push({
          instrument: o.definition.id,
          item: item.id,
          text: Object.values(item.text ?? {})[0] ?? '',
          r,
        });
    });
  }
  return out;
}
