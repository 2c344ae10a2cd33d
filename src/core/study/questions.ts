/**
 * A study's own questions as variables, and short labels.
 *
 * A `grid` question is a set of statements (rows) answered on one shared response scale. It is not one
 * variable: each row is its own single-choice variable `<question id>_<row id>`, so the importer, the
 * dataset, exports, codebooks, simulation and scoring see ordinary single-choice items (`questionItems`), and
 * whoever needs the grid (the respondent page, the report's Likert table) finds it through `GridRef`.
 *
 * Short labels: every question and item has one, for headings, table rows and exports — the author's
 * `short`, else one derived from the text (`deriveShortLabel`: "What is your current level of training?" →
 * "Level of training").
 */
import type { Item, LocalizedText } from '../instrument/schema.js';
import { type GridRow, gridRowId, type Question, type Study } from './schema.js';

/** Where a grid row variable comes from. */
export interface GridRef {
  readonly question: Question;
  readonly row: GridRow;
  /** 0-based position of the row in the grid. */
  readonly index: number;
}

/** A question's text combined with a grid row, per language: "Stem [Row]" (as Google Forms names the column). */
function rowText(question: Question, row: GridRow): LocalizedText {
  const out: Record<string, string> = {};
  for (const [lang, r] of Object.entries(row.text)) {
    const stem = question.text?.[lang] ?? (question.text ? Object.values(question.text)[0] : undefined);
    out[lang] = stem ? `${stem} [${r}]` : r;
  }
  return out;
}

/** The item of one grid row: a single-choice item on the grid's options, with the grid's settings. */
function gridRowItem(question: Question, row: GridRow): Item {
  const {
    rows: _rows,
    agreeing: _agreeing,
    type: _type,
    id: _id,
    text: _text,
    short: _short,
    ...rest
  } = question;
  return {
    ...rest,
    id: gridRowId(question.id, row.id),
    type: 'single',
    text: rowText(question, row),
    short: row.short ?? deriveShortLabel(labelText(row.text)),
  };
}

/**
 * The variables of one question: the question itself, or one single-choice item per row of a grid. Row
 * items carry the grid's options, `required`, `showIf` and `notApplicable`.
 */
export function questionItems(question: Question): { item: Item; grid?: GridRef }[] {
  if (question.type === 'grid') {
    return (question.rows ?? []).map((row, index) => ({
      item: gridRowItem(question, row),
      grid: { question, row, index },
    }));
  }
  return [{ item: question as Item }];
}

/** Every variable of a study's own questions, in order (grid questions expanded into their rows). */
export function studyQuestionItems(study: Pick<Study, 'questions'>): Item[] {
  return study.questions.flatMap((q) => questionItems(q).map((x) => x.item));
}

/** Text in `language`, else the first language given, else "". */
export function labelText(text: LocalizedText | undefined, language = 'en'): string {
  if (!text) return '';
  return text[language] ?? Object.values(text)[0] ?? '';
}

/** Longest derived short label, in characters (cut at a word boundary). */
const SHORT_CHARS = 40;

/**
 * Leading question words that say nothing about the variable: "What is your (current) …", "Which …",
 * "Please select/enter/indicate your …", "Do you …", "How many …" is kept (it is the variable).
 */
const LEADING = [
  /^please\s+(?:select|choose|enter|indicate|specify|state|give|tell us|write)\s+/i,
  /^(?:what|which)\s+(?:is|are|was|were)\s+(?:your|you)\s+/i,
  /^(?:what|which)\s+(?!of\b)/i,
  /^(?:your|the)\s+/i,
  /^(?:current|present|usual)\s+/i,
];

/**
 * A short label derived from question text: leading question words dropped ("What is your current"),
 * trailing punctuation and numbering dropped, cut at a word boundary to at most 40 characters, first letter
 * capitalised. "What is your current level of training?" → "Level of training"; "Gender" stays "Gender".
 * Falls back to the whole text (cut) when nothing would be left.
 */
export function deriveShortLabel(text: string): string {
  let s = text.replace(/\s+/g, ' ').trim();
  s = s.replace(/^(?:Q?\d+[.)]|[a-z][.)])\s+/i, ''); // "3. ", "Q4) ", "a) "
  s = s.replace(/\s*\([^)]*\)\s*$/, ''); // trailing "(select all that apply)"
  s = s.replace(/[\s?:.!*]+$/, '');
  let rest = s;
  for (const re of LEADING) {
    const next = rest.replace(re, '');
    if (next.length > 0) rest = next;
  }
  if (rest.length > SHORT_CHARS) {
    const cut = rest.slice(0, SHORT_CHARS + 1);
    const space = cut.lastIndexOf(' ');
    rest = `${(space > 10 ? cut.slice(0, space) : rest.slice(0, SHORT_CHARS)).replace(/[\s,;:–-]+$/, '')}…`;
  }
  if (rest.length === 0) return text.trim().slice(0, SHORT_CHARS) || text;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/**
 * The short label of a question or item in `language`: its `short`, else one derived from its text, else
 * its id. (`short` is one string; the text decides the language of a derived label.)
 */
export function shortLabel(item: Pick<Item, 'id' | 'short' | 'text'>, language = 'en'): string {
  if (item.short) return item.short;
  const t = labelText(item.text, language);
  return t ? deriveShortLabel(t) : item.id;
}

/** The study's own questions other than grids, as items (each is one variable, or one per option). */
export function plainQuestions(study: Pick<Study, 'questions'>): Item[] {
  return study.questions.filter((q) => q.type !== 'grid').map((q) => q as Item);
}

/** The study's own single-choice questions (not grid rows): the group variables and sample characteristics. */
export function singleChoiceQuestions(study: Pick<Study, 'questions'>): Item[] {
  return plainQuestions(study).filter((q) => q.type === 'single');
}
