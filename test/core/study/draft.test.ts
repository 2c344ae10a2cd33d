/** Pieces of `nabz init`'s drafting: ordered scales, "select all that apply" options, variable ids. */
import { describe, expect, it } from 'vitest';
import {
  type ColumnValues,
  multipleChoiceOptions,
  orderedScale,
  slugId,
} from '../../../src/core/study/draft.js';

const col = (cells: Record<string, number>): ColumnValues => ({
  header: 'q',
  answered: Object.values(cells).reduce((a, b) => a + b, 0),
  values: new Map(Object.entries(cells)),
  capped: false,
});

describe('orderedScale', () => {
  it('orders labels by the smallest known scale holding them all, keeping the export spelling', () => {
    const s = orderedScale([
      'agree',
      'Strongly Disagree',
      'Neither agree nor disagree',
      'Disagree',
      'Strongly agree.',
    ]);
    expect(s?.name).toBe('agreement (5)');
    expect(s?.options.map((o) => `${o.value}=${o.label}`)).toEqual([
      '1=Strongly Disagree',
      '2=Disagree',
      '3=Neither agree nor disagree',
      '4=agree',
      '5=Strongly agree.',
    ]);
    expect(s?.unseen).toEqual([]);
  });
  it('names the options no answer used', () => {
    const s = orderedScale(['Never', 'Often', 'Always']);
    expect(s?.name).toBe('frequency (5)');
    expect(s?.unseen).toEqual(['Rarely', 'Sometimes']);
  });
  it('numbers from the smallest to the largest answer; null for labels with no known order', () => {
    expect(orderedScale(['2', '5', '3'])?.options.map((o) => o.value)).toEqual([2, 3, 4, 5]);
    expect(orderedScale(['Red', 'Blue'])).toBeNull();
  });
});

describe('multipleChoiceOptions', () => {
  it('splits Google Forms joins but keeps an option with commas whole', () => {
    const opts = multipleChoiceOptions(
      col({
        'Family, Friends, classmates or seniors': 3,
        Family: 2,
        'Friends, classmates or seniors': 2,
        'Doctor, Family': 2,
        Doctor: 1,
      }),
    );
    expect(opts).toEqual(['Family', 'Friends, classmates or seniors', 'Doctor']);
  });
  it('keeps a label whose comma is followed by a capital whole when its parts only occur together', () => {
    const opts = multipleChoiceOptions(
      col({
        'Family, Friends, Classmates': 2,
        'Friends, Classmates': 3,
        Family: 2,
        'Doctor, Family': 2,
      }),
    );
    expect(opts?.sort()).toEqual(['Doctor', 'Family', 'Friends, Classmates']);
    // Options also chosen alone stay apart.
    expect(multipleChoiceOptions(col({ 'Family, Doctor': 3, Family: 2, Doctor: 2 }))?.sort()).toEqual([
      'Doctor',
      'Family',
    ]);
  });

  it('is null for single answers and for free text with commas', () => {
    expect(multipleChoiceOptions(col({ Yes: 4, No: 3 }))).toBeNull();
    expect(
      multipleChoiceOptions(col({ 'Exams, Money, Sleep': 1, 'Hostel, Food': 1, 'Parents, Ward rounds': 1 })),
    ).toBeNull();
  });
});

describe('slugId', () => {
  it('makes a valid variable id from any text', () => {
    expect(slugId('Age (years)')).toBe('age_years');
    expect(slugId('2nd language')).toBe('q_2nd_language');
    expect(slugId('Café société', 8)).toBe('cafe_soc');
    expect(slugId('؟')).toBe('q');
  });
});
