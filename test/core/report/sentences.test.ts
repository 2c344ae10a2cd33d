import { describe, expect, it } from 'vitest';
import {
  capitalize,
  categoricalSentence,
  endorsementSentence,
  isSignificant,
  meanSentence,
  reliabilitySentence,
  SIGNIFICANCE_RULE,
  sampleSizeSentence,
  type TwoGroupComparison,
  thresholdSentence,
  twoGroupSentence,
} from '../../../src/core/report/sentences.js';
import { notComputable } from '../../../src/core/stats/result.js';

/**
 * Seed paper, Table 3, instrumental barriers: postgraduates n = 158, M = 1.0866, SD = 0.53186; undergraduates
 * n = 59, M = 0.899, SD = 0.54317; reported p = .022. The Student t, its p and Cohen's d below were computed
 * from those summary statistics in R 4.2 (pooled SD; pt()); the d interval is illustrative.
 */
const seed: TwoGroupComparison = {
  outcomeLabel: 'instrumental barrier scores',
  groups: [
    { label: 'postgraduates', n: 158, mean: 1.0866, sd: 0.53186 },
    { label: 'undergraduates', n: 59, mean: 0.899, sd: 0.54317 },
  ],
  test: { kind: 'student', statistic: 2.298565099, df: 215, pValue: 0.02249056894 },
  effect: { name: 'd', estimate: 0.3506970606, ci: { lower: 0.0483, upper: 0.6524, level: 0.95 } },
  alpha: 0.05,
};

describe('significance rule', () => {
  it('is p < alpha, stated in words', () => {
    expect(SIGNIFICANCE_RULE).toMatch(/p < alpha/);
    expect(isSignificant(0.049, 0.05)).toBe(true);
    expect(isSignificant(0.0499999, 0.05)).toBe(true);
    expect(isSignificant(0.05, 0.05)).toBe(false);
    expect(isSignificant(0.051, 0.05)).toBe(false);
    expect(() => isSignificant(Number.NaN, 0.05)).toThrow();
  });
});

describe('twoGroupSentence', () => {
  it('reports the seed p = .022 case as significant', () => {
    const s = twoGroupSentence(seed);
    expect(s).toBe(
      'Postgraduates (M = 1.09, SD = 0.53) reported significantly higher instrumental barrier scores than ' +
        'undergraduates (M = 0.90, SD = 0.54), t(215) = 2.30, p = .022, d = 0.35, 95% CI [0.05, 0.65].',
    );
    expect(s).not.toMatch(/not significant|no statistically significant/);
  });

  it('p exactly alpha is not significant (the rule is p < alpha)', () => {
    const s = twoGroupSentence({
      ...seed,
      test: { kind: 'student', statistic: 1.97, df: 215, pValue: 0.05 },
    });
    expect(s).toBe(
      'There was no statistically significant difference in instrumental barrier scores between postgraduates ' +
        '(M = 1.09, SD = 0.53) and undergraduates (M = 0.90, SD = 0.54), t(215) = 1.97, p = .050, d = 0.35, ' +
        '95% CI [0.05, 0.65].',
    );
    expect(s).not.toMatch(/significantly/);
  });

  it('p just below alpha is significant and never prints as .050', () => {
    const s = twoGroupSentence({
      ...seed,
      test: { kind: 'student', statistic: 1.98, df: 215, pValue: 0.0499999 },
    });
    expect(s).toMatch(/reported significantly higher/);
    expect(s).toMatch(/p = \.0499999,/);
    expect(s).not.toMatch(/no statistically significant|not significant/);
  });

  it('a non-significant result says so (seed stigma row, p = .286)', () => {
    const s = twoGroupSentence({
      outcomeLabel: 'stigma-related barrier scores',
      groups: [
        { label: 'postgraduates', n: 158, mean: 1.0263, sd: 0.64201 },
        { label: 'undergraduates', n: 59, mean: 0.9199, sd: 0.67606 },
      ],
      test: { kind: 'student', statistic: 1.0686, df: 215, pValue: 0.286 },
      alpha: 0.05,
    });
    expect(s).toBe(
      'There was no statistically significant difference in stigma-related barrier scores between postgraduates ' +
        '(M = 1.03, SD = 0.64) and undergraduates (M = 0.92, SD = 0.68), t(215) = 1.07, p = .286.',
    );
  });

  it("names Welch's test and prints fractional df with 2 decimals", () => {
    const s = twoGroupSentence({
      ...seed,
      test: { kind: 'welch', statistic: 2.276504773, df: 102.1297209, pValue: 0.02490207075 },
    });
    expect(s).toMatch(/, Welch's t\(102\.13\) = 2\.28, p = \.025, d = 0\.35/);
  });

  it('says lower when the first group has the lower mean, keeping the sign of t', () => {
    const s = twoGroupSentence({
      ...seed,
      groups: [seed.groups[1], seed.groups[0]],
      test: { kind: 'student', statistic: -2.298565099, df: 215, pValue: 0.02249056894 },
    });
    expect(s).toMatch(
      /^Undergraduates \(M = 0\.90, SD = 0\.54\) reported significantly lower instrumental barrier scores than postgraduates/,
    );
    expect(s).toMatch(/t\(215\) = -2\.30/);
  });

  it('prints p < .001 and the mean difference with its CI', () => {
    const s = twoGroupSentence({
      ...seed,
      test: { kind: 'student', statistic: 5.1, df: 215, pValue: 7e-7 },
      meanDifference: { estimate: 0.1876, ci: { lower: 0.0267, upper: 0.3485, level: 0.95 } },
      effect: undefined,
      verb: 'had',
    });
    expect(s).toMatch(/Postgraduates \(M = 1\.09, SD = 0\.53\) had significantly higher/);
    expect(s).toMatch(/, M difference = 0\.19, 95% CI \[0\.03, 0\.35\], t\(215\) = 5\.10, p < \.001\.$/);
  });

  it('reports a test that could not be computed, with its reason', () => {
    const s = twoGroupSentence({ ...seed, test: notComputable('fewer than 2 respondents in a group.') });
    expect(s).toBe(
      'The difference in instrumental barrier scores between postgraduates (M = 1.09, SD = 0.53) and undergraduates ' +
        '(M = 0.90, SD = 0.54) could not be tested: fewer than 2 respondents in a group.',
    );
  });

  it('reports an effect size that could not be computed', () => {
    const s = twoGroupSentence({ ...seed, effect: notComputable('both groups have zero variance') });
    expect(s).toMatch(
      /p = \.022; the effect size could not be computed \(both groups have zero variance\)\.$/,
    );
  });

  it('throws on inconsistent input (significant with equal means) and on non-finite numbers', () => {
    const eq = { ...seed, groups: [seed.groups[0], { ...seed.groups[1], mean: 1.0866 }] as const };
    expect(() => twoGroupSentence(eq)).toThrow(/equal/);
    const nan = { ...seed, groups: [seed.groups[0], { ...seed.groups[1], sd: Number.NaN }] as const };
    expect(() => twoGroupSentence(nan)).toThrow(RangeError);
  });
});

describe('other sentences', () => {
  it('threshold prevalence with a Wilson interval (seed: 61 of 217 attitudinal ≥ 1.5)', () => {
    // Wilson limits from R: prop.test(61, 217, correct = FALSE)$conf.int
    const s = thresholdSentence({
      populationLabel: 'respondents',
      scoreLabel: 'an attitudinal barriers score',
      atLeast: 1.5,
      count: 61,
      n: 217,
      ci: { lower: 0.2255022813, upper: 0.3443248675, level: 0.95 },
    });
    expect(s).toBe(
      'Of the 217 respondents, 61 (28.1%, 95% CI [22.6%, 34.4%], Wilson) had an attitudinal barriers score of at least 1.5.',
    );
    expect(
      thresholdSentence({
        populationLabel: 'respondents',
        scoreLabel: 'a stigma score',
        atLeast: 1.5,
        count: 0,
        n: 0,
      }),
    ).toBe(
      'The share of respondents with a stigma score of at least 1.5 is not computable: no respondents had a score.',
    );
  });

  it('reliability', () => {
    expect(
      reliabilitySentence({
        scaleLabel: 'the stigma-related barriers domain',
        alpha: 0.8712,
        items: 10,
        n: 210,
        ci: { lower: 0.8431, upper: 0.8963, level: 0.95 },
        missing: 'listwise',
      }),
    ).toBe(
      "Cronbach's α for the stigma-related barriers domain was .87, 95% CI [.84, .90] (10 items, n = 210, listwise deletion).",
    );
    expect(reliabilitySentence({ scaleLabel: 'the scale', alpha: -0.123, items: 3, n: 20 })).toBe(
      "Cronbach's α for the scale was -.12 (3 items, n = 20).",
    );
    expect(
      reliabilitySentence({
        scaleLabel: 'the scale',
        alpha: notComputable('an item has zero variance'),
        items: 3,
        n: 20,
      }),
    ).toBe("Cronbach's α for the scale could not be computed: an item has zero variance (3 items, n = 20).");
  });

  const items = [
    { label: 'wanting to solve the problem on my own', count: 97, n: 217 },
    { label: 'difficulty taking time off work', count: 116, n: 217 },
    { label: 'concern that I might be considered a bad parent', count: 36, n: 167 },
    { label: 'concern about cost', count: 47, n: 217 },
    { label: 'nobody answered', count: 0, n: 0 },
  ];

  it('most and least endorsed item', () => {
    expect(endorsementSentence({ items, noun: 'barrier' })).toBe(
      'Difficulty taking time off work was the most endorsed barrier (53.5%, 116/217).',
    );
    // 36/167 = 21.56% < 47/217 = 21.66%: compared exactly, not by rounded percentages (both print 21.6% / 21.7%)
    expect(endorsementSentence({ items, noun: 'barrier', rank: 'least' })).toBe(
      'Concern that I might be considered a bad parent was the least endorsed barrier (21.6%, 36/167).',
    );
  });

  it('names every item tied on the exact share', () => {
    const tied = [
      { label: 'A', count: 50, n: 100 },
      { label: 'B', count: 100, n: 200 },
      { label: 'C', count: 99, n: 200 },
    ];
    expect(endorsementSentence({ items: tied, noun: 'barrier' })).toBe(
      'A (50.0%, 50/100) and B (50.0%, 100/200) were the most endorsed barriers.',
    );
    expect(
      endorsementSentence({
        items: [...tied, { label: 'D', count: 1, n: 2 }],
        noun: 'barrier',
        nounPlural: 'barriers',
      }),
    ).toBe('A (50.0%, 50/100), B (50.0%, 100/200), and D (50.0%, 1/2) were the most endorsed barriers.');
    expect(endorsementSentence({ items: [{ label: 'x', count: 0, n: 0 }], noun: 'barrier' })).toMatch(
      /^No barrier could be ranked/,
    );
  });

  it('means, categories, sample size', () => {
    expect(
      meanSentence({ label: 'the overall BACE score', n: 217, mean: 1.0712, sd: 0.5123, min: 0, max: 2.79 }),
    ).toBe('The overall BACE score had a mean of 1.07 (SD = 0.51, n = 217; range 0.00–2.79).');
    expect(meanSentence({ label: 'age', n: 217, mean: 27.2, sd: 4.3, digits: 1, unit: 'years' })).toBe(
      'Age had a mean of 27.2 years (SD = 4.3, n = 217).',
    );
    expect(meanSentence({ label: 'age', n: 0, mean: notComputable('no respondent gave an age') })).toBe(
      'Age could not be summarised: no respondent gave an age.',
    );
    expect(
      categoricalSentence({
        label: 'gender',
        levels: [
          { label: 'female', count: 123 },
          { label: 'male', count: 94 },
        ],
      }),
    ).toBe('Gender: female 56.7% (123/217), male 43.3% (94/217).');
    expect(sampleSizeSentence(217)).toBe('A total of 217 responses were analysed.');
    expect(sampleSizeSentence(1)).toBe('A total of 1 response was analysed.');
    expect(capitalize('ébauche')).toBe('Ébauche');
    expect(capitalize('')).toBe('');
  });
});
