import { describe, expect, it } from 'vitest';
import {
  asciiDigits,
  columnLetter,
  normalizeText,
  parseGridHeader,
  parseNumber,
} from '../../../src/core/response/normalize.js';

describe('normalizeText', () => {
  it('folds case, collapses white space and strips numbering and trailing punctuation', () => {
    expect(normalizeText('  Q3)  Feeling   NERVOUS?* ')).toBe('feeling nervous');
    expect(normalizeText('1. Little interest or pleasure in doing things')).toBe(
      'little interest or pleasure in doing things',
    );
    expect(normalizeText('12)Trouble sleeping.')).toBe('trouble sleeping');
    expect(normalizeText('(4) Tired\u00a0or\ttired')).toBe('tired or tired');
    expect(normalizeText('Question 2: Age')).toBe('age');
  });
  it('keeps numbers that are not numbering', () => {
    expect(normalizeText('1.5')).toBe('1.5');
    expect(normalizeText('5-10 years')).toBe('5-10 years');
    expect(normalizeText('3 days')).toBe('3 days');
    expect(normalizeText('-99')).toBe('-99');
  });
  it('keeps a text made only of punctuation', () => {
    expect(normalizeText('?')).toBe('?');
    expect(normalizeText(' - ')).toBe('-');
  });
  it('handles Urdu: NFC, invisible marks, Urdu full stop and question mark, Urdu digits', () => {
    // "ۂ" written as ہ + hamza above (U+0654) composes to U+06C2 under NFC.
    expect(normalizeText('\u06C1\u0654')).toBe(normalizeText('\u06C2'));
    expect(normalizeText('\u200Fکوئی تبصرہ؟')).toBe('کوئی تبصرہ');
    expect(normalizeText('آپ کی عمر۔')).toBe('آپ کی عمر');
    expect(normalizeText('۱۔ جنس')).toBe('جنس');
  });
});

describe('parseGridHeader', () => {
  it('splits Google Forms grid headers on the last bracket group', () => {
    expect(parseGridHeader('How often? [Feeling nervous, anxious]')).toEqual({
      stem: 'How often?',
      row: 'Feeling nervous, anxious',
    });
    expect(parseGridHeader('Q1[SQ001]')).toEqual({ stem: 'Q1', row: 'SQ001' });
    expect(parseGridHeader('Rate [the [inner] thing]')).toEqual({ stem: 'Rate', row: 'the [inner] thing' });
  });
  it('returns null for other headers', () => {
    expect(parseGridHeader('Age')).toBeNull();
    expect(parseGridHeader('[only brackets]')).toBeNull();
    expect(parseGridHeader('Stem []')).toBeNull();
  });
});

describe('parseNumber and digits', () => {
  it('reads plain decimals in ASCII and Urdu digits', () => {
    expect(parseNumber(' 21 ')).toBe(21);
    expect(parseNumber('۲۲')).toBe(22);
    expect(parseNumber('٣٫٥')).toBe(3.5);
    expect(parseNumber('-1.25')).toBe(-1.25);
    expect(parseNumber('\u22123')).toBe(-3);
    expect(parseNumber('1e3')).toBe(1000);
  });
  it('refuses what it would have to guess', () => {
    for (const s of ['1,5', '1 000', '21 years', '', 'abc', '0x10', 'Infinity'])
      expect(parseNumber(s)).toBeNaN();
  });
  it('asciiDigits leaves other text alone', () => {
    expect(asciiDigits('abc ۱۲۳ ४५')).toBe('abc 123 45');
  });
});

describe('columnLetter', () => {
  it('counts like a spreadsheet', () => {
    expect([1, 2, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AZ', 'AAA']);
  });
});
