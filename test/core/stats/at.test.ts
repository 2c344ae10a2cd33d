import { describe, expect, it } from 'vitest';
import {
  at,
  atF64,
  atNum,
  atNumeric,
  atU8,
  atU16,
  codePoint,
  mapAt,
  present,
} from '../../../src/core/stats/at.js';

describe('checked reads (issue 13: instead of the non-null assertion)', () => {
  it('at reads arrays and typed arrays, including falsy values', () => {
    expect(at([3, 0, 5], 1)).toBe(0);
    expect(at(new Float64Array([1.5, Number.NaN]), 0)).toBe(1.5);
    expect(Number.isNaN(at(new Float64Array([1.5, Number.NaN]), 1))).toBe(true);
    expect(at(['', 'b'], 0)).toBe('');
  });

  it('at throws an internal error naming the index and length instead of returning undefined', () => {
    expect(() => at([1, 2], 2)).toThrow('internal: index 2 out of range (length 2)');
    expect(() => at(new Float64Array(3), -1)).toThrow('internal: index -1 out of range (length 3)');
  });

  it('atF64 reads a Float64Array (NaN and 0 included) and throws past either end', () => {
    const x = new Float64Array([0, Number.NaN, 2.5]);
    expect(atF64(x, 0)).toBe(0);
    expect(Number.isNaN(atF64(x, 1))).toBe(true);
    expect(atF64(x, 2)).toBe(2.5);
    expect(() => atF64(x, 3)).toThrow('internal: index 3 out of range (length 3)');
    expect(() => atF64(x, -1)).toThrow('internal: index -1 out of range (length 3)');
  });

  it('atNum, atNumeric, atU8 and atU16 read their arrays (0 included) and throw past either end', () => {
    expect(atNum([0, 2.5], 0)).toBe(0);
    expect(atNum([0, 2.5], 1)).toBe(2.5);
    expect(() => atNum([0, 2.5], 2)).toThrow('internal: index 2 out of range (length 2)');
    expect(atNumeric([7, 0], 1)).toBe(0);
    expect(atNumeric(new Float64Array([1.5]), 0)).toBe(1.5);
    expect(() => atNumeric(new Float64Array(2), 2)).toThrow('internal: index 2 out of range (length 2)');
    expect(() => atNumeric([1], -1)).toThrow('internal: index -1 out of range (length 1)');
    expect(atU8(new Uint8Array([0, 255]), 1)).toBe(255);
    expect(() => atU8(new Uint8Array(1), 1)).toThrow('internal: index 1 out of range (length 1)');
    expect(atU16(new Uint16Array([0, 65535]), 1)).toBe(65535);
    expect(atU16(new Uint16Array([0, 65535]), 0)).toBe(0);
    expect(() => atU16(new Uint16Array(4), -1)).toThrow('internal: index -1 out of range (length 4)');
  });

  it('mapAt reads a present key and throws on a missing one', () => {
    const m = new Map([['a', 0]]);
    expect(mapAt(m, 'a')).toBe(0);
    expect(() => mapAt(m, 'b')).toThrow('internal: no entry for b');
  });

  it('codePoint gives the code point of one character, astral ones included', () => {
    expect(codePoint('A')).toBe(0x41);
    expect(codePoint('😀')).toBe(0x1f600);
    expect(() => codePoint('')).toThrow('internal: code point of an empty string');
  });

  it('present passes falsy values through and throws, naming the thing, on undefined or null', () => {
    expect(present(0, 'a count')).toBe(0);
    expect(present('', 'a label')).toBe('');
    expect(present(false, 'a flag')).toBe(false);
    expect(() => present(undefined, 'the study of an invitation link')).toThrow(
      'internal: the study of an invitation link is missing; this is a bug in nabz.',
    );
    expect(() => present(null, 'the role')).toThrow('internal: the role is missing');
  });
});
