/**
 * Text normalisation used to match column headers to item texts and cell values to option labels.
 *
 * Both sides of every comparison go through the same function, so over-eager stripping can only make two
 * different texts collide (which the mapping reports as ambiguous), never make equal texts differ.
 */

/** Zero-width and bidirectional control characters that spreadsheets and RTL editors insert invisibly. */
const INVISIBLE = /[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Any run of white space, including no-break spaces. */
const SPACES = /[\s\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g;

/**
 * Leading numbering such as `1.`, `12)`, `Q1)`, `Q1.`, `Question 3:`, `(4)`, `۱۔` (Urdu), `3a.`.
 * A separator (., ), :, -, ۔) followed by a letter is required, so "1.5", "5-10 years" or "3 days" are kept.
 */
const LEADING_NUMBERING =
  /^(?:(?:q(?:uestion)?\s*)?[0-9]+[a-z]?\s*[.):\-\u06D4]|\([0-9]+[a-z]?\))\s*(?=\p{L})/u;

/** Trailing punctuation (including Urdu/Arabic ۔ ؟ ، ؛) and asterisks that mark required questions. */
const TRAILING_PUNCTUATION = /[\s\p{P}*]+$/u;

const ARABIC_INDIC_ZERO = 0x0660;
const EXTENDED_ARABIC_INDIC_ZERO = 0x06f0;
const DEVANAGARI_ZERO = 0x0966;

/**
 * Replace Arabic-Indic (٠–٩), Extended Arabic-Indic (۰–۹, used in Urdu and Persian) and Devanagari digits
 * by ASCII digits, and the Arabic decimal separator (٫) by a dot.
 */
export function asciiDigits(s: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= ARABIC_INDIC_ZERO && c <= ARABIC_INDIC_ZERO + 9) {
      out += String.fromCharCode(48 + c - ARABIC_INDIC_ZERO);
      changed = true;
    } else if (c >= EXTENDED_ARABIC_INDIC_ZERO && c <= EXTENDED_ARABIC_INDIC_ZERO + 9) {
      out += String.fromCharCode(48 + c - EXTENDED_ARABIC_INDIC_ZERO);
      changed = true;
    } else if (c >= DEVANAGARI_ZERO && c <= DEVANAGARI_ZERO + 9) {
      out += String.fromCharCode(48 + c - DEVANAGARI_ZERO);
      changed = true;
    } else if (c === 0x066b) {
      out += '.';
      changed = true;
    } else {
      out += s[i];
    }
  }
  return changed ? out : s;
}

/**
 * Normalise a header, item text, option label or cell value for matching:
 * Unicode NFC, invisible characters removed, digits made ASCII, lower case, white space collapsed,
 * leading numbering ("1.", "Q1)", "(3)") and trailing punctuation ("?", ".", ":", "*", "؟", "۔") removed.
 * A text made only of punctuation keeps its punctuation (so "?" and "-" stay distinguishable).
 *
 * @example normalizeText('  Q3)  Feeling   NERVOUS?* ') === 'feeling nervous'
 */
export function normalizeText(s: string): string {
  const base = asciiDigits(s.normalize('NFC').replace(INVISIBLE, ''))
    .toLowerCase()
    .replace(SPACES, ' ')
    .trim();
  const stripped = base.replace(LEADING_NUMBERING, '').replace(TRAILING_PUNCTUATION, '');
  return stripped.length > 0 ? stripped : base;
}

/** A lighter normalisation for identifiers and mapping-file keys: NFC, invisible characters removed, trimmed, lower case. */
export function normalizeKey(s: string): string {
  return s.normalize('NFC').replace(INVISIBLE, '').replace(SPACES, ' ').trim().toLowerCase();
}

/** The parts of a Google Forms grid header `Stem [Row text]`; `null` when the header is not of that shape. */
interface GridHeader {
  readonly stem: string;
  readonly row: string;
}

/**
 * Split a grid header as Google Forms writes it: `How often have you been bothered by… [Feeling nervous]`.
 * The row text is the last bracketed part at the end of the header; the stem is everything before it.
 * LimeSurvey's `Q1[SQ001]` has the same shape and is split the same way.
 */
export function parseGridHeader(header: string): GridHeader | null {
  const h = header.replace(INVISIBLE, '').trim();
  if (!h.endsWith(']')) return null;
  // Find the bracket that opens the final [...] group, allowing nested brackets inside the row text.
  let depth = 0;
  for (let i = h.length - 1; i >= 0; i--) {
    const ch = h[i];
    if (ch === ']') depth++;
    else if (ch === '[') {
      depth--;
      if (depth === 0) {
        const stem = h.slice(0, i).trim();
        const row = h.slice(i + 1, -1).trim();
        return stem.length > 0 && row.length > 0 ? { stem, row } : null;
      }
    }
  }
  return null;
}

const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i;

/**
 * Parse a cell as a plain decimal number (ASCII or Urdu/Arabic digits; dot as decimal separator).
 * Returns NaN for anything else: thousands separators, decimal commas, units and words are not guessed at.
 */
export function parseNumber(s: string): number {
  const t = asciiDigits(s.trim()).replace(/^\u2212/, '-');
  return NUMBER.test(t) ? Number(t) : Number.NaN;
}

/** Spreadsheet column letters for a 1-based column number: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  let k = n;
  while (k > 0) {
    const r = (k - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    k = Math.floor((k - 1) / 26);
  }
  return s;
}

/** Character bigrams of a text (with a space at each end, so one-letter words and word starts count). */
function bigrams(s: string): Map<string, number> {
  const t = ` ${s} `;
  const out = new Map<string, number>();
  for (let i = 0; i < t.length - 1; i++) {
    const b = t.slice(i, i + 2);
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return out;
}

/**
 * How alike two texts read, from 0 (no character pair in common) to 1 (equal after `normalizeText`): the
 * Sørensen–Dice coefficient of their character bigrams (counted with multiplicity). Used to suggest which
 * column a study variable may be in ("did you mean …?"); it never maps a column by itself.
 *
 * @example textSimilarity('Feeling nervous?', '1. feeling NERVOUS') === 1
 */
export function textSimilarity(a: string, b: string): number {
  const x = normalizeText(a);
  const y = normalizeText(b);
  if (x === y) return 1;
  if (x.length === 0 || y.length === 0) return 0;
  const bx = bigrams(x);
  const by = bigrams(y);
  let common = 0;
  let total = 0;
  for (const [k, c] of bx) {
    total += c;
    const d = by.get(k);
    if (d !== undefined) common += Math.min(c, d);
  }
  for (const c of by.values()) total += c;
  return (2 * common) / total;
}
