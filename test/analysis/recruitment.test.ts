/**
 * Issue 14: referral waves in the report's recruitment sentence (core/analysis/methods.ts), with waves below k
 * pooled so that no count below k is printed.
 */
import { describe, expect, it } from 'vitest';
import { recruitmentSentence } from '../../src/core/analysis/methods.js';

describe('recruitmentSentence', () => {
  it('names the respondents of the study link and of each referral wave', () => {
    expect(
      recruitmentSentence(
        [
          { wave: 1, n: 12 },
          { wave: 0, n: 40 },
          { wave: 2, n: 6 },
        ],
        5,
      ),
    ).toBe(
      'Recruitment: the study link and referral links passed on by respondents (snowball sampling, 2 waves of referral); 40 through the study link (wave 0), 12 in wave 1 and 6 in wave 2.',
    );
  });

  it('pools a wave below k with the next ones, and a small last group with the one before', () => {
    expect(
      recruitmentSentence(
        [
          { wave: 0, n: 40 },
          { wave: 1, n: 3 },
          { wave: 2, n: 4 },
          { wave: 3, n: 1 },
        ],
        5,
      ),
    ).toBe(
      'Recruitment: the study link and referral links passed on by respondents (snowball sampling, 3 waves of referral); 40 through the study link (wave 0) and 8 in waves 1–3 (waves with fewer than 5 respondents are counted with the next).',
    );
    expect(
      recruitmentSentence(
        [
          { wave: 0, n: 40 },
          { wave: 1, n: 2 },
        ],
        5,
      ),
    ).toBe(
      'Recruitment: the study link and referral links passed on by respondents (snowball sampling, 1 wave of referral); 42 through the study link or referral links (waves 0–1) (waves with fewer than 5 respondents are counted with the next).',
    );
  });

  it('says nothing when nobody came through a referral link', () => {
    expect(recruitmentSentence([{ wave: 0, n: 30 }], 5)).toBeUndefined();
    expect(recruitmentSentence([], 5)).toBeUndefined();
  });
});
