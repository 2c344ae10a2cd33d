import { describe, expect, it } from 'vitest';
import {
  baseLanguage,
  firstStrongDirection,
  isRtl,
  studyText,
  studyTitleText,
  textDirection,
} from '../../../src/core/study/i18n.js';
import { StudySchema } from '../../../src/core/study/schema.js';

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

describe('a study title per language (issue 14): studyText, studyTitleText', () => {
  it('picks the page language, then the study first language, and says which language it is in', () => {
    const title = { en: 'Stress survey', ur: 'ذہنی دباؤ کا سروے' };
    expect(studyText(title, ['en', 'ur'], 'ur')).toEqual({ text: 'ذہنی دباؤ کا سروے', lang: 'ur' });
    expect(studyText(title, ['en', 'ur'], 'ur-PK')).toEqual({ text: 'ذہنی دباؤ کا سروے', lang: 'ur' });
    expect(studyText(title, ['en', 'ur'], 'en')).toEqual({ text: 'Stress survey', lang: 'en' });
    // No Urdu title: the study's first language, marked as such.
    expect(studyText({ ur: 'سروے', en: 'Survey' }, ['ur', 'en'], 'fr')).toEqual({ text: 'سروے', lang: 'ur' });
    expect(studyText({ en: 'Survey' }, ['en', 'ur'], 'ur')).toEqual({ text: 'Survey', lang: 'en' });
  });

  it('a plain-string title (studies written before) keeps working, its language unknown', () => {
    expect(studyText('Stress survey', ['en', 'ur'], 'ur')).toEqual({ text: 'Stress survey' });
    expect(studyTitleText({ title: 'Stress survey', languages: ['en', 'ur'] })).toBe('Stress survey');
  });

  it("the researchers' side shows the first language's title", () => {
    expect(studyTitleText({ title: { ur: 'سروے', en: 'Survey' }, languages: ['en', 'ur'] })).toBe('Survey');
    expect(studyTitleText({ title: { ur: 'سروے', en: 'Survey' }, languages: ['ur', 'en'] })).toBe('سروے');
    expect(studyTitleText({ title: { ur: 'سروے', en: 'Survey' }, languages: ['en', 'ur'] }, 'ur')).toBe(
      'سروے',
    );
  });

  it('StudySchema takes a string or a text per language, and refuses an empty one', () => {
    const base = { id: 'st' };
    expect(StudySchema.safeParse({ ...base, title: 'Stress' }).success).toBe(true);
    expect(StudySchema.safeParse({ ...base, title: { en: 'Stress', ur: 'دباؤ' } }).success).toBe(true);
    expect(StudySchema.safeParse({ ...base, title: {} }).success).toBe(false);
    expect(StudySchema.safeParse({ ...base, title: { en: '' } }).success).toBe(false);
    expect(StudySchema.safeParse({ ...base, title: '' }).success).toBe(false);
  });
});

describe('baseLanguage', () => {
  it('is the lower-cased part before the first "-"', () => {
    expect(['en', 'ur', 'ur-PK', 'EN', 'Ur-pk', 'zh-Hant-TW', '', '-x'].map(baseLanguage)).toEqual([
      'en',
      'ur',
      'ur',
      'en',
      'ur',
      'zh',
      '',
      '',
    ]);
  });
});
