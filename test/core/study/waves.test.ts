import { describe, expect, it } from 'vitest';
import { pairedComparison } from '../../../src/core/study/waves.js';
import { expectDigits } from '../../helpers/accuracy.js';

// References: R 4.2.2 t.test(second, first, paired = TRUE) and wilcox.test(second, first, paired = TRUE) over the
// complete pairs, printed with digits = 17.
describe('pairedComparison: paired t-test and Wilcoxon signed-rank test of second − first', () => {
  // PHQ-9 totals of ten volunteers; one did not answer the second wave, one the first.
  const first = [18, 12, 20, 9, null, 15, 22, 11, 16, 7];
  const second = [10, 12, 14, 8, 5, null, 13, 4, 17, 1];

  it('pairs the complete rows and computes both tests as R (ties and a zero: normal approximation)', () => {
    const c = pairedComparison(first, second, 5);
    if (c.kind !== 'computed') throw new Error(c.kind);
    expect(c.pairs).toBe(8);
    expect([c.meanFirst, c.meanSecond, c.meanChange]).toEqual([14.375, 9.875, -4.5]);
    if (c.ttest.kind !== 'computed') throw new Error(c.ttest.reason);
    expectDigits(c.ttest.t, -3.27079702940234, 12, 't');
    expect(c.ttest.df).toBe(7);
    expectDigits(c.ttest.p, 0.013659302556421582, 11, 't-test p');
    expectDigits(c.ttest.ci[0], -7.753277117630221, 12, 'CI lower');
    expectDigits(c.ttest.ci[1], -1.2467228823697802, 12, 'CI upper');
    if (c.signedRank.kind !== 'computed') throw new Error(c.signedRank.reason);
    // V = 1.5: the one rise (17 − 16) ties in |change| with the fall 9 → 8; 12 → 12 is dropped.
    expect(c.signedRank.v).toBe(1.5);
    expect(c.signedRank.n).toBe(7);
    expect(c.signedRank.exact).toBe(false);
    expectDigits(c.signedRank.p, 0.041785168403922129, 10, 'signed-rank p');
    expect(c.signedRank.r).toBeLessThan(0);
  });

  it('an exact signed-rank p without ties or zeros', () => {
    const c = pairedComparison([20, 14, 17, 9, 25, 12], [11, 13, 22, 2, 10, 8], 5);
    if (c.kind !== 'computed' || c.signedRank.kind !== 'computed' || c.ttest.kind !== 'computed')
      throw new Error('computed expected');
    expect([c.signedRank.v, c.signedRank.exact]).toEqual([3, true]);
    expectDigits(c.signedRank.p, 0.15625000000000006, 10, 'exact p (10/64)');
    expectDigits(c.ttest.t, -1.838864196761385, 12, 't');
    expectDigits(c.ttest.p, 0.12533053730097291, 11, 'p');
  });

  it('is suppressed below k complete pairs (both tests)', () => {
    expect(pairedComparison(first, second, 9)).toEqual({ kind: 'suppressed', pairs: 8 });
    expect(pairedComparison([1, null], [null, 3], 0)).toEqual({ kind: 'suppressed', pairs: 0 });
  });

  it('keeps the signed-rank test when every volunteer changed by the same amount (t undefined)', () => {
    const c = pairedComparison([18, 18, 18, 18, 18], [9, 9, 9, 9, 9], 2);
    if (c.kind !== 'computed') throw new Error(c.kind);
    expect(c.meanChange).toBe(-9);
    expect(c.ttest.kind === 'not_computable' && c.ttest.reason).toMatch(/Every paired difference equals -9/);
    if (c.signedRank.kind !== 'computed') throw new Error(c.signedRank.reason);
    // R: wilcox.test(c(9, 9, 9, 9, 9), c(18, 18, 18, 18, 18), paired = TRUE): V = 0, p = 0.036888425707049893.
    expect(c.signedRank.v).toBe(0);
    expectDigits(c.signedRank.p, 0.036888425707049893, 10, 'p');
  });

  it('is not computable when no score changed (neither test is defined)', () => {
    const c = pairedComparison([4, 7, 9], [4, 7, 9], 2);
    expect(c.kind).toBe('not_computable');
    expect(c.kind === 'not_computable' && c.reason).toMatch(/Every paired difference equals 0/);
  });
});
