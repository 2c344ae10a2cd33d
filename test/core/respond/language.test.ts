/** The language of respondent pages (core/respond/language.ts): the request, then the browser, then the study. */
import { describe, expect, it } from 'vitest';
import { acceptedLanguages, chooseLanguage } from '../../../src/core/respond/language.js';

describe('acceptedLanguages', () => {
  it('orders the Accept-Language tags by weight, keeping the header order on ties', () => {
    expect(acceptedLanguages('ur-PK,ur;q=0.9,en;q=0.8')).toEqual(['ur-PK', 'ur', 'en']);
    expect(acceptedLanguages('en;q=0.5, ur;q=0.9, fr')).toEqual(['fr', 'ur', 'en']);
    expect(acceptedLanguages('de;q=0.7,fr;q=0.7')).toEqual(['de', 'fr']);
  });

  it('drops the wildcard, zero or unreadable weights and tags that are not language tags', () => {
    expect(acceptedLanguages('*, en;q=0, ur;q=abc, fr;q=0.3, <script>, 12, en-')).toEqual(['fr']);
    expect(acceptedLanguages(undefined)).toEqual([]);
    expect(acceptedLanguages('')).toEqual([]);
    expect(acceptedLanguages(`en,${'x'.repeat(1000)}`)).toEqual([]); // an overlong header is ignored whole
  });
});

describe('chooseLanguage', () => {
  const offered = ['en', 'ur'];
  it('takes the requested language when the study offers it (exactly or by base tag)', () => {
    expect(chooseLanguage(offered, 'ur', 'en')).toBe('ur');
    expect(chooseLanguage(offered, 'UR-pk', undefined)).toBe('ur');
  });

  it('else the browser’s first language the study offers, else the study’s first language', () => {
    expect(chooseLanguage(offered, 'fr', 'fr, ur;q=0.9, en;q=0.8')).toBe('ur');
    expect(chooseLanguage(offered, undefined, 'de')).toBe('en');
    expect(chooseLanguage(['ur', 'en'], undefined, undefined)).toBe('ur');
    expect(chooseLanguage([], undefined, undefined)).toBe('en');
  });

  it('ignores an overlong requested tag', () => {
    expect(chooseLanguage(offered, `ur${'-x'.repeat(20)}`, 'en')).toBe('en');
  });
});
