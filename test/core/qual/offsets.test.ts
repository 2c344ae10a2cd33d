import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  cpToUtf8,
  cpToUtf16,
  isValidRange,
  OffsetIndex,
  selectionFromUtf16,
  sliceCodePoints,
  utf8ToCp,
  utf16ToCp,
} from '../../../src/core/qual/offsets.js';

const enc = new TextEncoder();

/** Strings mixing ASCII, Urdu, emoji (astral), combining marks, CRLF, ZWJ sequences and RTL marks. */
const pieces = fc.constantFrom(
  'a',
  'Z',
  ' ',
  '\r\n',
  '\n',
  '\r',
  'ک',
  'ے',
  'ہٰ',
  'دِ',
  '۴',
  '😔',
  '👩🏽‍⚕️',
  '𝕏',
  'e\u0301',
  'x\u0301\u0323',
  '\u200F',
  '—',
  'é',
  '\u0000',
  '\uFFFF',
);
const mixed = fc
  .array(fc.oneof(pieces, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 })
  .map((a) => a.join(''));

describe('code point ↔ UTF-16 ↔ UTF-8 (hand-checked)', () => {
  // "a😔ب\r\n": code points a, U+1F614 (2 UTF-16 units, 4 bytes), ب (1 unit, 2 bytes), CR, LF.
  const s = 'a😔ب\r\n';
  it('counts code points, units and bytes', () => {
    const idx = new OffsetIndex(s);
    expect(idx.length).toBe(5);
    expect(idx.utf16Length).toBe(6);
    expect(idx.utf8Length).toBe(1 + 4 + 2 + 1 + 1);
    expect(codePointLength(s)).toBe(5);
  });
  it('maps each boundary', () => {
    expect([0, 1, 2, 3, 4, 5].map((c) => cpToUtf16(s, c))).toEqual([0, 1, 3, 4, 5, 6]);
    expect([0, 1, 2, 3, 4, 5].map((c) => cpToUtf8(s, c))).toEqual([0, 1, 5, 7, 8, 9]);
    expect(utf16ToCp(s, 3)).toBe(2);
    expect(utf8ToCp(s, 7)).toBe(3);
  });
  it('a UTF-16 index inside a surrogate pair needs a bias', () => {
    expect(() => utf16ToCp(s, 2)).toThrow(/surrogate pair/);
    expect(utf16ToCp(s, 2, 'floor')).toBe(1);
    expect(utf16ToCp(s, 2, 'ceil')).toBe(2);
    expect(() => utf8ToCp(s, 3)).toThrow(/multi-byte/);
    expect(utf8ToCp(s, 3, 'floor')).toBe(1);
    expect(utf8ToCp(s, 6, 'ceil')).toBe(3);
  });
  it('rejects positions outside the text', () => {
    expect(() => cpToUtf16(s, 6)).toThrow(/outside the text \(0 to 5\)/);
    expect(() => cpToUtf16(s, -1)).toThrow(RangeError);
    expect(() => cpToUtf16(s, 1.5)).toThrow(RangeError);
    expect(() => utf16ToCp(s, 7)).toThrow(RangeError);
  });
  it('slices by code points', () => {
    expect(sliceCodePoints(s, 1, 3)).toBe('😔ب');
    expect(sliceCodePoints('👩🏽‍⚕️x', 0, 5)).toBe('👩🏽‍⚕️');
  });
  it('widens a browser selection that splits a surrogate pair', () => {
    expect(selectionFromUtf16(s, 2, 4)).toEqual({ start: 1, end: 3 });
    expect(selectionFromUtf16(s, 4, 2)).toEqual({ start: 1, end: 3 });
  });
  it('a lone surrogate is one code point and three UTF-8 bytes, as TextEncoder writes it', () => {
    const lone = 'a\uD800b';
    const idx = new OffsetIndex(lone);
    expect(idx.length).toBe(3);
    expect(idx.utf8Length).toBe(enc.encode(lone).length);
  });
  it('isValidRange', () => {
    expect(isValidRange(5, 0, 5)).toBe(true);
    expect(isValidRange(5, 2, 2)).toBe(false);
    expect(isValidRange(5, 3, 6)).toBe(false);
  });
});

describe('conversions on random strings (emoji, combining marks, Urdu, CRLF)', () => {
  it('code point → UTF-16 agrees with Array.from and round-trips exactly', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        const idx = new OffsetIndex(s);
        const cps = Array.from(s);
        expect(idx.length).toBe(cps.length);
        let u = 0;
        for (let c = 0; c <= cps.length; c++) {
          expect(idx.toUtf16(c)).toBe(u);
          expect(idx.fromUtf16(u)).toBe(c);
          if (c < cps.length) u += cps[c]!.length;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('code point → UTF-8 agrees with TextEncoder and round-trips exactly', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        const idx = new OffsetIndex(s);
        const cps = Array.from(s);
        expect(idx.utf8Length).toBe(enc.encode(s).length);
        for (let c = 0; c <= cps.length; c++) {
          const b = idx.toUtf8(c);
          expect(b).toBe(enc.encode(cps.slice(0, c).join('')).length);
          expect(idx.fromUtf8(b)).toBe(c);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any UTF-16 selection becomes a code-point selection that never splits a surrogate pair', () => {
    fc.assert(
      fc.property(mixed, fc.nat(), fc.nat(), (s, x, y) => {
        const a = s.length ? x % (s.length + 1) : 0;
        const b = s.length ? y % (s.length + 1) : 0;
        const idx = new OffsetIndex(s);
        const r = selectionFromUtf16(idx, a, b);
        const u0 = idx.toUtf16(r.start);
        const u1 = idx.toUtf16(r.end);
        // covers what was selected, widened by at most one unit at each end
        expect(u0).toBeLessThanOrEqual(Math.min(a, b));
        expect(u1).toBeGreaterThanOrEqual(Math.max(a, b));
        expect(Math.min(a, b) - u0).toBeLessThanOrEqual(1);
        expect(u1 - Math.max(a, b)).toBeLessThanOrEqual(1);
        const text = s.slice(u0, u1);
        // neither end of the selected text is half of a surrogate pair
        if (text.length) {
          const first = text.charCodeAt(0);
          const last = text.charCodeAt(text.length - 1);
          const pairedLow =
            first >= 0xdc00 &&
            first <= 0xdfff &&
            u0 > 0 &&
            s.charCodeAt(u0 - 1) >= 0xd800 &&
            s.charCodeAt(u0 - 1) <= 0xdbff;
          const pairedHigh =
            last >= 0xd800 &&
            last <= 0xdbff &&
            u1 < s.length &&
            s.charCodeAt(u1) >= 0xdc00 &&
            s.charCodeAt(u1) <= 0xdfff;
          expect(pairedLow).toBe(false);
          expect(pairedHigh).toBe(false);
        }
        expect(idx.slice(r.start, r.end)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('slice(start, end) equals the code points start…end-1 joined', () => {
    fc.assert(
      fc.property(mixed, fc.nat(), fc.nat(), (s, x, y) => {
        const cps = Array.from(s);
        const a = x % (cps.length + 1);
        const b = y % (cps.length + 1);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(sliceCodePoints(s, lo, hi)).toBe(cps.slice(lo, hi).join(''));
      }),
      { numRuns: 300 },
    );
  });
});
