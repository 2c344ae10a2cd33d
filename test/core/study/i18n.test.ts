import { describe, expect, it } from 'vitest';
import { firstStrongDirection, isRtl, textDirection } from '../../../src/core/study/i18n.js';

describe('directions: a language tag (isRtl) and a text (firstStrongDirection)', () => {
  it('knows the direction of language tags', () => {
    expect(isRtl('ur')).toBe(true);
    expect(isRtl('ur-PK')).toBe(true);
    expect(isRtl('en')).toBe(false);
    expect(textDirection('ar')).toBe('rtl');
  });

  it("takes a text's direction from its first strong letter, past digits and punctuation", () => {
    expect(firstStrongDirection('میں تھک گیا ہوں')).toBe('rtl');
    expect(firstStrongDirection('12. “Exams”')).toBe('ltr');
    expect(firstStrongDirection('(3) امتحان and more')).toBe('rtl');
    expect(firstStrongDirection('Стресс')).toBe('ltr'); // Cyrillic is strong left-to-right
    expect(firstStrongDirection('עברית')).toBe('rtl');
    expect(firstStrongDirection('42 — 7%')).toBeUndefined();
    expect(firstStrongDirection('')).toBeUndefined();
  });
});
