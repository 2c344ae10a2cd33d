/**
 * Value coding: turning one cell into an answer of one item.
 *
 * Order of resolution for a non-empty cell (compared after `normalizeText`):
 * 1. the mapping file's entry for the item, then its `"*"` entry;
 * 2. an option label in any language (scale, single, multiple), or the scale's "not applicable" label;
 * 3. a numeric code equal to an option value (scale, single, multiple) or a number (number items).
 * Anything else is an error naming the value and the fix — never silently coded as missing.
 * An empty (or all-space) cell is SKIPPED.
 */
import type { ResponseOption } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import { AnswerStatus } from './dataset.js';
import type { ImportErrorCode } from './importErrors.js';
import type { MappedValue, MappingFile } from './mappingFile.js';
import { normalizeText, parseNumber } from './normalize.js';
import { labelIn, type Target } from './targets.js';

/** A coded answer of a numeric item. */
export interface Coded {
  readonly status: AnswerStatus;
  /** The option value or number when ANSWERED; NaN otherwise. */
  readonly value: number;
}

/** A multiple-choice answer: ANSWERED with the selected option indices, or SKIPPED / NOT_APPLICABLE for all options. */
interface CodedSelection {
  readonly status: AnswerStatus;
  /** Indices into the target's options; empty unless ANSWERED. */
  readonly selected: readonly number[];
}

/** Why a cell could not be coded. `message` is the part after `Row r, column "h": `. */
export interface CodingProblem {
  readonly problem: ImportErrorCode;
  readonly message: string;
}

export const SKIPPED: Coded = Object.freeze({ status: AnswerStatus.SKIPPED, value: Number.NaN });
export const NOT_APPLICABLE: Coded = Object.freeze({
  status: AnswerStatus.NOT_APPLICABLE,
  value: Number.NaN,
});

export function isProblem(x: object): x is CodingProblem {
  return 'problem' in x;
}

const MAX_LISTED = 12;

/** `"A", "B"` list of option labels for messages (labels with commas are quoted). */
function listLabels(
  options: readonly ResponseOption[],
  language: string | undefined,
  withCodes: boolean,
): string {
  const names = options.slice(0, MAX_LISTED).map((o) => {
    const l = labelIn(o.label, language);
    const shown = l.includes(',') ? JSON.stringify(l) : l;
    return withCodes ? `${shown} (${o.value})` : shown;
  });
  return names.join(', ') + (options.length > MAX_LISTED ? `, … (${options.length} options)` : '');
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** The hint pointing at a mapping file entry for this item and value. */
function mapHint(itemId: string, value: string, code = '<code>'): string {
  return `Fix the cell or map it in a mapping file ("values": { ${q(itemId)}: { ${q(value)}: ${code} } }).`;
}

/** The merged mapping-file values for one item: its own entries over the `"*"` entries, keys normalised. */
function mappedValuesFor(
  mapping: MappingFile | undefined,
  itemId: string,
): Map<string, { v: MappedValue; from: string }> {
  const out = new Map<string, { v: MappedValue; from: string }>();
  if (!mapping) return out;
  const star = mapping.values['*'];
  if (star) for (const [k, v] of Object.entries(star)) out.set(normalizeText(k), { v, from: '"*"' });
  const own = mapping.values[itemId];
  if (own) for (const [k, v] of Object.entries(own)) out.set(normalizeText(k), { v, from: q(itemId) });
  return out;
}

interface LabelTable {
  /** normalised label → option index; -1 when the label belongs to several options. */
  readonly labels: Map<string, number>;
  readonly naLabels: Set<string>;
  /** option value → option index. */
  readonly codes: Map<number, number>;
}

function labelTable(t: Target): LabelTable {
  const labels = new Map<string, number>();
  t.options.forEach((o, i) => {
    for (const l of Object.values(o.label)) {
      const k = normalizeText(l);
      const prev = labels.get(k);
      labels.set(k, prev === undefined || prev === i ? i : -1);
    }
  });
  const naLabels = new Set<string>();
  if (t.notApplicableLabel)
    for (const l of Object.values(t.notApplicableLabel)) naLabels.add(normalizeText(l));
  const codes = new Map<number, number>();
  t.options.forEach((o, i) => {
    codes.set(o.value, i);
  });
  return { labels, naLabels, codes };
}

/** Options for coders. */
interface CoderOptions {
  readonly mapping?: MappingFile | undefined;
  /** Language of the labels listed in error messages (default: each label's first language). */
  readonly language?: string | undefined;
}

/** A coder of one numeric item (scale, single, number): cell text → answer or problem. */
export type NumericCoder = (text: string) => Coded | CodingProblem;

function naProblem(t: Target, text: string, why: string): CodingProblem {
  return {
    problem: 'na_not_allowed',
    message: `${q(text)} ${why}, but item ${t.id} does not allow "not applicable". ${mapHint(t.id, text, '"SKIP"')}`,
  };
}

function applyMapped(
  t: Target,
  text: string,
  m: { v: MappedValue; from: string },
  table: LabelTable | null,
): Coded | CodingProblem {
  if (m.v === 'SKIP') return SKIPPED;
  if (m.v === 'NA')
    return t.notApplicable
      ? NOT_APPLICABLE
      : naProblem(t, text, `is mapped to "NA" by the mapping file (${m.from})`);
  if (table) {
    if (!table.codes.has(m.v)) {
      return {
        problem: 'mapping_file',
        message: `${q(text)} is mapped to ${m.v} by the mapping file (${m.from}), but ${m.v} is not a code of item ${t.id} (${t.options
          .map((o) => o.value)
          .join(', ')}). Fix the mapping file.`,
      };
    }
    return { status: AnswerStatus.ANSWERED, value: m.v };
  }
  const p = checkNumber(t, m.v, text);
  return p ?? { status: AnswerStatus.ANSWERED, value: m.v };
}

function checkNumber(t: Target, x: number, text: string): CodingProblem | null {
  if (t.integer && !Number.isInteger(x)) {
    return {
      problem: 'not_integer',
      message: `${q(text)} is not a whole number, as item ${t.id} requires. ${mapHint(t.id, text, '<number>')}`,
    };
  }
  if (t.min !== undefined && x < t.min) {
    return {
      problem: 'out_of_range',
      message: `${q(text)} is below the minimum ${t.min} of item ${t.id}. ${mapHint(t.id, text, '<number> | "SKIP"')}`,
    };
  }
  if (t.max !== undefined && x > t.max) {
    return {
      problem: 'out_of_range',
      message: `${q(text)} is above the maximum ${t.max} of item ${t.id}. ${mapHint(t.id, text, '<number> | "SKIP"')}`,
    };
  }
  return null;
}

/** Build the coder of a scale, single-choice or number item. */
export function numericCoder(t: Target, opts: CoderOptions = {}): NumericCoder {
  const mapped = mappedValuesFor(opts.mapping, t.id);
  if (t.type === 'number') {
    return (text) => {
      if (text.trim().length === 0) return SKIPPED;
      if (mapped.size > 0) {
        const m = mapped.get(normalizeText(text));
        if (m) return applyMapped(t, text, m, null);
      }
      const x = parseNumber(text);
      if (!Number.isFinite(x)) {
        return {
          problem: 'not_a_number',
          message: `${q(text)} is not a number. ${mapHint(t.id, text, '<number> | "SKIP"')}`,
        };
      }
      return checkNumber(t, x, text) ?? { status: AnswerStatus.ANSWERED, value: x };
    };
  }
  const table = labelTable(t);
  return (text) => {
    if (text.trim().length === 0) return SKIPPED;
    const k = normalizeText(text);
    const m = mapped.get(k);
    if (m) return applyMapped(t, text, m, table);
    const i = table.labels.get(k);
    if (i !== undefined) {
      if (i >= 0) return { status: AnswerStatus.ANSWERED, value: at(t.options, i).value };
      return {
        problem: 'unknown_label',
        message: `${q(text)} is the label of several options of item ${t.id}. ${mapHint(t.id, text)}`,
      };
    }
    if (table.naLabels.has(k))
      return t.notApplicable ? NOT_APPLICABLE : naProblem(t, text, 'means "not applicable"');
    const x = parseNumber(text);
    if (Number.isFinite(x)) {
      if (table.codes.has(x)) return { status: AnswerStatus.ANSWERED, value: x };
      return {
        problem: 'unknown_code',
        message: `${q(text)} is not one of ${listLabels(t.options, opts.language, true)}. ${mapHint(t.id, text)}`,
      };
    }
    return {
      problem: 'unknown_label',
      message: `${q(text)} is not one of ${listLabels(t.options, opts.language, false)}. ${mapHint(t.id, text)}`,
    };
  };
}

/** A coder of a multiple-choice item answered in one cell. */
export type SelectionCoder = (text: string) => CodedSelection | CodingProblem;

const SKIPPED_SELECTION: CodedSelection = Object.freeze({ status: AnswerStatus.SKIPPED, selected: [] });
const NA_SELECTION: CodedSelection = Object.freeze({ status: AnswerStatus.NOT_APPLICABLE, selected: [] });

/** What one comma-separated segment of a multiple-choice cell means. */
type Segment =
  | { kind: 'option'; index: number }
  | { kind: 'skip' }
  | { kind: 'na' }
  | { kind: 'bad-mapped'; problem: CodingProblem };

/**
 * Build the coder of a multiple-choice item whose selections share one cell, as Google Forms exports
 * checkboxes: labels joined by ", ". Labels may themselves contain commas, so the cell is split at every
 * comma and the pieces are regrouped into known labels, longest first, with backtracking. Failing that,
 * the cell is read as option codes separated by spaces, commas or semicolons (Kobo: "1 3").
 */
export function selectionCoder(t: Target, opts: CoderOptions = {}): SelectionCoder {
  const table = labelTable(t);
  const mapped = mappedValuesFor(opts.mapping, t.id);

  const segment = (raw: string): Segment | null => {
    const k = normalizeText(raw);
    if (k.length === 0) return null;
    const m = mapped.get(k);
    if (m) {
      if (m.v === 'SKIP') return { kind: 'skip' };
      if (m.v === 'NA') return { kind: 'na' };
      const idx = table.codes.get(m.v);
      if (idx === undefined) {
        return {
          kind: 'bad-mapped',
          problem: {
            problem: 'mapping_file',
            message: `${q(raw.trim())} is mapped to ${m.v} by the mapping file (${m.from}), but ${m.v} is not a code of item ${t.id} (${t.options
              .map((o) => o.value)
              .join(', ')}). Fix the mapping file.`,
          },
        };
      }
      return { kind: 'option', index: idx };
    }
    const i = table.labels.get(k);
    if (i !== undefined && i >= 0) return { kind: 'option', index: i };
    if (table.naLabels.has(k)) return { kind: 'na' };
    return null;
  };

  return (text) => {
    if (text.trim().length === 0) return SKIPPED_SELECTION;
    // Comma positions split the cell into pieces; a label is a run of consecutive pieces.
    const cuts: number[] = [-1];
    for (let p = text.indexOf(','); p >= 0; p = text.indexOf(',', p + 1)) cuts.push(p);
    cuts.push(text.length);
    const n = cuts.length - 1;
    const piece = (i: number, j: number) => text.slice(at(cuts, i) + 1, at(cuts, j));
    const failed = new Uint8Array(n + 1);
    const chosen: Segment[] = [];
    const solve = (i: number): boolean => {
      if (i === n) return true;
      if (failed[i]) return false;
      for (let j = n; j > i; j--) {
        const raw = piece(i, j);
        if (raw.trim().length === 0 && j === i + 1) {
          // an empty piece (",," or a trailing comma) is not a selection
          if (solve(j)) return true;
          continue;
        }
        const s = segment(raw);
        if (s) {
          chosen.push(s);
          if (solve(j)) return true;
          chosen.pop();
        }
      }
      failed[i] = 1;
      return false;
    };
    if (solve(0)) return resolve(t, text, chosen);

    // Codes: "1 3", "1,3", "1;3".
    const tokens = text.trim().split(/[\s,;]+/);
    const codeIdx = tokens.map((tok) => table.codes.get(parseNumber(tok)));
    if (tokens.length > 0 && codeIdx.every((x) => x !== undefined)) {
      return {
        status: AnswerStatus.ANSWERED,
        selected: [...new Set(codeIdx as number[])].sort((a, b) => a - b),
      };
    }

    // Name the parts that are not labels: longest known label at each position, unknown pieces merged.
    const unknown: string[] = [];
    let run: [number, number] | null = null;
    let i = 0;
    while (i < n) {
      let matched = 0;
      for (let j = n; j > i; j--) {
        if (segment(piece(i, j))) {
          matched = j;
          break;
        }
      }
      if (matched > 0) {
        if (run) unknown.push(piece(run[0], run[1]).trim());
        run = null;
        i = matched;
      } else {
        if (piece(i, i + 1).trim().length > 0) run = run ? [run[0], i + 1] : [i, i + 1];
        i++;
      }
    }
    if (run) unknown.push(piece(run[0], run[1]).trim());
    const parts = unknown.length > 0 ? unknown : [text.trim()];
    const whole = parts.length === 1 && parts[0] === text.trim();
    const listed = parts.map(q).join(' and ');
    return {
      problem: 'unknown_label',
      message: `${listed}${whole ? '' : ` (in ${q(text)})`} ${parts.length === 1 ? 'is' : 'are'} not one of ${listLabels(
        t.options,
        opts.language,
        false,
      )}. ${mapHint(t.id, at(parts, 0))}`,
    };
  };
}

function resolve(t: Target, text: string, segs: readonly Segment[]): CodedSelection | CodingProblem {
  const bad = segs.find((s) => s.kind === 'bad-mapped');
  if (bad && bad.kind === 'bad-mapped') return bad.problem;
  const na = segs.some((s) => s.kind === 'na');
  const selected = [...new Set(segs.flatMap((s) => (s.kind === 'option' ? [s.index] : [])))].sort(
    (a, b) => a - b,
  );
  if (na) {
    if (selected.length > 0) {
      return {
        problem: 'na_not_allowed',
        message: `${q(text)} mixes "not applicable" with selected options of item ${t.id}. Fix the cell or map it in a mapping file ("values": { ${q(t.id)}: { ... } }).`,
      };
    }
    if (!t.notApplicable) return naProblem(t, text, 'means "not applicable"');
    return NA_SELECTION;
  }
  if (selected.length === 0) return SKIPPED_SELECTION;
  return { status: AnswerStatus.ANSWERED, selected };
}

/** A coder of one option column of a multiple-choice item (`coping__2` holding 1/0). */
export type OptionFlagCoder = (text: string) => Coded | CodingProblem;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'x', 'selected', 'checked']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'n', 'not selected', 'unchecked']);

/**
 * Build the coder of a 0/1 column for option `optionIndex` of a multiple-choice item. Accepts 1/0,
 * TRUE/FALSE, yes/no, Y/N, the option's own label (= selected), and mapping-file values (a number is
 * taken as 1 when it equals the option's value or is 1, else 0).
 */
export function optionFlagCoder(t: Target, optionIndex: number, opts: CoderOptions = {}): OptionFlagCoder {
  const opt = at(t.options, optionIndex);
  const mapped = mappedValuesFor(opts.mapping, t.id);
  const own = new Set(Object.values(opt.label).map(normalizeText));
  const na = new Set(t.notApplicableLabel ? Object.values(t.notApplicableLabel).map(normalizeText) : []);
  const yes: Coded = { status: AnswerStatus.ANSWERED, value: 1 };
  const no: Coded = { status: AnswerStatus.ANSWERED, value: 0 };
  return (text) => {
    if (text.trim().length === 0) return SKIPPED;
    const k = normalizeText(text);
    const m = mapped.get(k);
    if (m) {
      if (m.v === 'SKIP') return SKIPPED;
      if (m.v === 'NA')
        return t.notApplicable
          ? NOT_APPLICABLE
          : naProblem(t, text, `is mapped to "NA" by the mapping file (${m.from})`);
      return m.v === 1 || m.v === opt.value ? yes : no;
    }
    if (TRUE_WORDS.has(k) || own.has(k)) return yes;
    if (FALSE_WORDS.has(k)) return no;
    if (na.has(k)) return t.notApplicable ? NOT_APPLICABLE : naProblem(t, text, 'means "not applicable"');
    return {
      problem: 'unknown_label',
      message: `${q(text)} is not 1 or 0 (selected or not) for option ${q(labelIn(opt.label, opts.language))} of item ${t.id}. ${mapHint(t.id, text, '1 | 0 | "SKIP"')}`,
    };
  };
}

/** A coder of a text item: the trimmed text, `null` for empty, or a problem when too long. */
export type TextCoder = (text: string) => string | null | CodingProblem;

/** Build the coder of a text or longtext item. Mapping-file `"SKIP"` and `"NA"` entries give no answer. */
export function textCoder(t: Target, opts: CoderOptions = {}): TextCoder {
  const mapped = mappedValuesFor(opts.mapping, t.id);
  return (text) => {
    const s = text.trim();
    if (s.length === 0) return null;
    if (mapped.size > 0) {
      const m = mapped.get(normalizeText(s));
      if (m) return typeof m.v === 'number' ? String(m.v) : null;
    }
    if (t.maxLength !== undefined) {
      const len = [...s].length;
      if (len > t.maxLength) {
        return {
          problem: 'too_long',
          message: `the answer is ${len} characters long; item ${t.id} allows at most ${t.maxLength}. Shorten the cell, or raise maxLength in the study definition.`,
        };
      }
    }
    return s;
  };
}
