/**
 * Text positions for qualitative coding.
 *
 * nabz stores every position as a **Unicode code point index, end-exclusive**: a segment `[start, end)` covers
 * the code points `start … end-1` of the source text (which is NFC-normalised on import). Code points are what
 * a reader counts as characters in Urdu and English alike, they do not depend on the storage encoding, and they
 * are what REFI-QDA 1.0 counts: its text selections give `startPosition`/`endPosition` as character positions
 * in the plain-text (UTF-8) representation of the source, 0 being the position before the first character
 * (see docs/qualitative.md for how other tools read "character").
 *
 * Browsers and JavaScript strings index by UTF-16 code unit (a character outside the Basic Multilingual Plane,
 * such as most emoji, is two units: a surrogate pair); files and databases often count UTF-8 bytes. This module
 * converts exactly between the three. Conversions *into* code points from a unit or byte that falls inside a
 * character take a `bias`: `'floor'` snaps to the start of that character, `'ceil'` past its end, `'strict'`
 * throws — so a selection built with {@link selectionFromUtf16} never splits a surrogate pair.
 *
 * A CRLF line break is two code points (CR and LF), as in the text files REFI-QDA exchanges.
 * A lone surrogate (malformed UTF-16) counts as one code point and three UTF-8 bytes (it is written as U+FFFD,
 * as `TextEncoder` does).
 */
import { at } from '../stats/at.js';

/** How to treat a UTF-16 index or UTF-8 byte offset that falls inside a character. */
export type Bias = 'floor' | 'ceil' | 'strict';

/** A code-point range `[start, end)`. */
interface CpRange {
  readonly start: number;
  readonly end: number;
}

function isHigh(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}
function isLow(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

/** UTF-8 length in bytes of the code point `cp` (lone surrogates count as U+FFFD, 3 bytes). */
function utf8Len(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/** Number of code points in `s` (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (isHigh(u) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

/**
 * A precomputed index over one text for fast conversions in both directions (O(1) from code points,
 * O(log n) back). Build it once per source text; every method checks its argument range and throws a
 * `RangeError` naming the bad value (a position outside the text is a programming error).
 */
export class OffsetIndex {
  /** The text this index describes. */
  readonly text: string;
  /** Number of code points. */
  readonly length: number;
  /** Number of UTF-16 code units (`text.length`). */
  readonly utf16Length: number;
  /** Number of UTF-8 bytes. */
  readonly utf8Length: number;
  /** `u16[i]`: UTF-16 index of code point i (length + 1 entries). */
  private readonly u16: Uint32Array;
  /** `u8[i]`: UTF-8 byte offset of code point i (length + 1 entries). */
  private readonly u8: Uint32Array;

  constructor(text: string) {
    this.text = text;
    const n = codePointLength(text);
    const u16 = new Uint32Array(n + 1);
    const u8 = new Uint32Array(n + 1);
    let cp = 0;
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      u16[cp] = i;
      u8[cp] = bytes;
      const u = text.charCodeAt(i);
      if (isHigh(u) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
        i++;
        bytes += 4;
      } else {
        bytes += utf8Len(u);
      }
      cp++;
    }
    u16[n] = text.length;
    u8[n] = bytes;
    this.u16 = u16;
    this.u8 = u8;
    this.length = n;
    this.utf16Length = text.length;
    this.utf8Length = bytes;
  }

  private checkCp(cp: number): void {
    if (!Number.isInteger(cp) || cp < 0 || cp > this.length)
      throw new RangeError(`Code point position ${cp} is outside the text (0 to ${this.length}).`);
  }

  /** UTF-16 index of code point position `cp` (0 … length). */
  toUtf16(cp: number): number {
    this.checkCp(cp);
    return at(this.u16, cp);
  }

  /** UTF-8 byte offset of code point position `cp` (0 … length). */
  toUtf8(cp: number): number {
    this.checkCp(cp);
    return at(this.u8, cp);
  }

  /** Code point position of UTF-16 index `i` (0 … text.length); inside a surrogate pair, `bias` decides. */
  fromUtf16(i: number, bias: Bias = 'strict'): number {
    if (!Number.isInteger(i) || i < 0 || i > this.utf16Length)
      throw new RangeError(`UTF-16 index ${i} is outside the text (0 to ${this.utf16Length}).`);
    return search(this.u16, i, bias, 'UTF-16 index', 'splits a surrogate pair');
  }

  /** Code point position of UTF-8 byte offset `b` (0 … utf8Length); inside a multi-byte character, `bias` decides. */
  fromUtf8(b: number, bias: Bias = 'strict'): number {
    if (!Number.isInteger(b) || b < 0 || b > this.utf8Length)
      throw new RangeError(`UTF-8 byte offset ${b} is outside the text (0 to ${this.utf8Length}).`);
    return search(this.u8, b, bias, 'UTF-8 byte offset', 'falls inside a multi-byte character');
  }

  /** The text of code-point range `[start, end)`. */
  slice(start: number, end: number): string {
    this.checkCp(start);
    this.checkCp(end);
    if (end < start) throw new RangeError(`Range end ${end} is before its start ${start}.`);
    return this.text.slice(this.u16[start], this.u16[end]);
  }
}

/** Binary search of `target` in the increasing array `arr`; exact hit → its index, else by bias. */
function search(arr: Uint32Array, target: number, bias: Bias, what: string, inside: string): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = at(arr, mid);
    if (v === target) return mid;
    if (v < target) lo = mid + 1;
    else hi = mid - 1;
  }
  // arr[hi] < target < arr[lo]
  if (bias === 'floor') return hi;
  if (bias === 'ceil') return lo;
  throw new RangeError(`${what} ${target} ${inside}; pass bias 'floor' or 'ceil' to snap it.`);
}

/** UTF-16 index of code point position `cp` in `s`. For many conversions on one text, use {@link OffsetIndex}. */
export function cpToUtf16(s: string, cp: number): number {
  return new OffsetIndex(s).toUtf16(cp);
}

/** Code point position of UTF-16 index `i` in `s` (`bias` for an index inside a surrogate pair). */
export function utf16ToCp(s: string, i: number, bias: Bias = 'strict'): number {
  return new OffsetIndex(s).fromUtf16(i, bias);
}

/** UTF-8 byte offset of code point position `cp` in `s`. */
export function cpToUtf8(s: string, cp: number): number {
  return new OffsetIndex(s).toUtf8(cp);
}

/** Code point position of UTF-8 byte offset `b` in `s` (`bias` for an offset inside a character). */
export function utf8ToCp(s: string, b: number, bias: Bias = 'strict'): number {
  return new OffsetIndex(s).fromUtf8(b, bias);
}

/** The text of code-point range `[start, end)` of `s`. */
export function sliceCodePoints(s: string, start: number, end: number): string {
  return new OffsetIndex(s).slice(start, end);
}

/**
 * A code-point selection from a browser selection given in UTF-16 indices (either order). A boundary inside a
 * surrogate pair is widened outward — the start snaps back, the end forward — so the selection never splits a
 * character.
 */
export function selectionFromUtf16(s: string | OffsetIndex, anchor: number, focus: number): CpRange {
  const idx = typeof s === 'string' ? new OffsetIndex(s) : s;
  const a = Math.min(anchor, focus);
  const b = Math.max(anchor, focus);
  return { start: idx.fromUtf16(a, 'floor'), end: idx.fromUtf16(b, 'ceil') };
}

/** Whether `[start, end)` is a non-empty, in-bounds, integer code-point range of a text of `length` code points. */
export function isValidRange(length: number, start: number, end: number): boolean {
  return Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= length && start < end;
}
