/**
 * A stable fingerprint of instrument text, so that a text pack whose wording differs from the owner's
 * (by a word, a comma or a letter's case) can be flagged. Both the DASS and the BACE owners forbid
 * modifying their scales.
 *
 * This is FNV-1a 64 (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/) over the UTF-8 bytes of a
 * canonical form of the text. It detects accidental and careless changes; it is not a cryptographic hash
 * and does not prove authenticity (core has no dependencies, so no SHA-256 here).
 */
import type { Instrument, TextPack } from './schema.js';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** UTF-8, lone surrogates as U+FFFD (the WHATWG encoder, a global in Node and browsers: no import). */
const utf8 = new TextEncoder();

/** FNV-1a 64 of the UTF-8 bytes of `s`, as 16 lower-case hex digits. `fnv1a64('') === 'cbf29ce484222325'`. */
export function fnv1a64(s: string): string {
  let h = FNV_OFFSET;
  for (const b of utf8.encode(s)) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}

/** Unicode NFC, every run of white space (including no-break spaces and line breaks) as one space, trimmed. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** The text parts being fingerprinted, independent of where they come from. */
interface TextParts {
  instructions?: string | undefined;
  items: ReadonlyArray<readonly [string, string]>;
  options: ReadonlyArray<readonly [string, number, string]>;
}

function canonical(p: TextParts): string {
  const lines: string[] = [];
  if (p.instructions !== undefined) lines.push(`instructions\t${normalizeText(p.instructions)}`);
  const items = [...p.items].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [id, text] of items) lines.push(`item\t${id}\t${normalizeText(text)}`);
  const opts = [...p.options].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  for (const [scale, value, label] of opts) lines.push(`option\t${scale}\t${value}\t${normalizeText(label)}`);
  return lines.join('\n');
}

/**
 * Fingerprint of a text pack's wording: instructions, item texts (by id, in id order) and option labels.
 * Metadata (licensee, version) and white-space differences do not change it; any other change does.
 */
export function textPackFingerprint(pack: TextPack): string {
  const options: [string, number, string][] = [];
  for (const [scale, labels] of Object.entries(pack.scales ?? {})) {
    for (const [value, label] of Object.entries(labels)) options.push([scale, Number(value), label]);
  }
  return fnv1a64(canonical({ instructions: pack.instructions, items: Object.entries(pack.items), options }));
}

/**
 * Fingerprint of the text an instrument carries in `language`, computed the same way as
 * `textPackFingerprint`, so a pack holding exactly that text has the same fingerprint.
 */
export function instrumentTextFingerprint(instrument: Instrument, language: string): string {
  const items: [string, string][] = [];
  for (const it of instrument.items) {
    const t = it.text?.[language];
    if (t !== undefined) items.push([it.id, t]);
  }
  const options: [string, number, string][] = [];
  for (const sc of instrument.scales) {
    for (const o of sc.options) {
      const l = o.label[language];
      if (l !== undefined) options.push([sc.id, o.value, l]);
    }
  }
  return fnv1a64(canonical({ instructions: instrument.instructions?.[language], items, options }));
}
