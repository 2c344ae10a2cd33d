/**
 * Bootstrap intervals for agreement: reproducible from a seed, and close to the known sampling distributions
 * (loosely: the bootstrap is random, so tolerances are several standard errors wide, but each test fails for a
 * wrong algorithm — a wrong pair count, a wrong resampling scheme, a wrong percentile position).
 */
import { describe, expect, it } from 'vitest';
import { countsTable, kappaFromCounts, krippendorffAlphaNominal } from '../../../src/core/qual/agreement.js';
import {
  bootstrapAlpha,
  bootstrapTwoCoder,
  percentileInterval,
  streamSeed,
} from '../../../src/core/qual/bootstrap.js';
import { binomial, createRng, multinomial } from '../../../src/core/simulate/rng.js';
import { isNotComputable, type NotComputable } from '../../../src/core/stats/result.js';

const num = (x: number | NotComputable) => {
  if (isNotComputable(x)) throw new Error(x.reason);
  return x;
};
const table = countsTable;

describe('binomial and multinomial deviates', () => {
  it('binomial(n, p) has mean np and variance np(1−p), small and very large n', () => {
    for (const [n, p] of [
      [12, 0.3],
      [1000, 0.02],
      [2_000_000, 0.37],
    ] as const) {
      const rng = createRng(7);
      const B = 4000;
      const xs = Array.from({ length: B }, () => binomial(rng, n, p));
      const mean = xs.reduce((s, x) => s + x, 0) / B;
      const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (B - 1);
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(B));
      expect(v / (n * p * (1 - p))).toBeGreaterThan(0.9);
      expect(v / (n * p * (1 - p))).toBeLessThan(1.1);
      for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
    }
  });
  it('edge cases and refusals', () => {
    const rng = createRng(1);
    expect(binomial(rng, 0, 0.5)).toBe(0);
    expect(binomial(rng, 50, 0)).toBe(0);
    expect(binomial(rng, 50, 1)).toBe(50);
    expect(() => binomial(rng, 2.5, 0.5)).toThrow(/count n/);
    expect(() => binomial(rng, 5, 1.5)).toThrow(/0 ≤ p ≤ 1/);
    const m = multinomial(rng, 1000, [1, 0, 3, 0]);
    expect(m.reduce((s, x) => s + x, 0)).toBe(1000);
    expect(m[1]).toBe(0);
    expect(m[3]).toBe(0);
  });
});

describe('percentile positions (KALPHA: trunc(.025 B) and trunc(.975 B) + 1, 1-based)', () => {
  it('B = 1000 takes the 25th and 976th smallest', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentileInterval(sorted, 0.95)).toEqual({ lower: 25, upper: 976 });
  });
});

describe('two-coder bootstrap (κ, AC1, Brennan–Prediger)', () => {
  const d = table(60, 25, 15, 400);
  it('is reproducible from its seed and key, and changes with either', () => {
    const a = bootstrapTwoCoder(d, 'two:x', { seed: 42, samples: 500 });
    const b = bootstrapTwoCoder(d, 'two:x', { seed: 42, samples: 500 });
    expect(a).toEqual(b);
    expect(bootstrapTwoCoder(d, 'two:x', { seed: 43, samples: 500 }).kappa).not.toEqual(a.kappa);
    expect(bootstrapTwoCoder(d, 'two:y', { seed: 42, samples: 500 }).kappa).not.toEqual(a.kappa);
    expect(streamSeed(42, 'a')).not.toBe(streamSeed(42, 'b'));
  });
  it('the κ bootstrap standard error matches the large-sample variance (Fleiss, Cohen & Everitt 1969)', () => {
    const N = d.units;
    const p = [
      [d.codedByBoth / N, d.codedByAOnly / N],
      [d.codedByBOnly / N, d.codedByNeither / N],
    ];
    const row = [p[0]![0]! + p[0]![1]!, p[1]![0]! + p[1]![1]!];
    const col = [p[0]![0]! + p[1]![0]!, p[0]![1]! + p[1]![1]!];
    const po = p[0]![0]! + p[1]![1]!;
    const pe = row[0]! * col[0]! + row[1]! * col[1]!;
    let s = 0;
    for (let i = 0; i < 2; i++) s += p[i]![i]! * (1 - pe - (row[i]! + col[i]!) * (1 - po)) ** 2;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) if (i !== j) s += (1 - po) ** 2 * p[i]![j]! * (col[i]! + row[j]!) ** 2;
    s -= (po * pe - 2 * pe + po) ** 2;
    const se = Math.sqrt(s / (N * (1 - pe) ** 4));
    const b = bootstrapTwoCoder(d, 'two:se', { samples: 4000 });
    expect(num(b.kappaSe) / se).toBeGreaterThan(0.92);
    expect(num(b.kappaSe) / se).toBeLessThan(1.08);
    const k = num(kappaFromCounts(d).kappa);
    const ci = b.kappa as { lower: number; upper: number };
    // The percentile interval is close to κ ± 1.96 SE.
    expect(Math.abs(ci.lower - (k - 1.96 * se))).toBeLessThan(0.25 * 1.96 * se);
    expect(Math.abs(ci.upper - (k + 1.96 * se))).toBeLessThan(0.25 * 1.96 * se);
    for (const x of [b.gwetAc1, b.brennanPrediger, b.percentAgreement]) {
      const i = x as { lower: number; upper: number };
      expect(i.lower).toBeLessThan(i.upper);
    }
  });
  it('too few units: not computable with a reason; bad settings are refused with the value', () => {
    expect(isNotComputable(bootstrapTwoCoder(table(1, 0, 0, 0), 'k').kappa)).toBe(true);
    expect(() => bootstrapTwoCoder(d, 'k', { samples: 10 })).toThrow(/from 100 to 100,000; got 10/);
    expect(() => bootstrapTwoCoder(d, 'k', { level: 95 })).toThrow(/between 0.5 and 1, e.g. 0.95; got 95/);
    expect(() => bootstrapTwoCoder(d, 'k', { seed: -1 })).toThrow(/seed/);
  });
});

describe("Krippendorff's α bootstrap (Hayes & Krippendorff)", () => {
  // 3 coders, 60 units, binary, ~15% disagreement: α near 0.6–0.7.
  const rng = createRng(2024);
  const truth = Array.from({ length: 60 }, () => (rng.next() < 0.4 ? 1 : 0));
  const data = [0, 1, 2].map(() => truth.map((t) => (rng.next() < 0.12 ? 1 - t : t)));
  const r = krippendorffAlphaNominal(data);
  it('draws M = min(25 q, (m − 1) n / 2) pairs; α* is 1 − Binomial(M, p_D) / (M D_e)', () => {
    const b = bootstrapAlpha(r, 3, 'alpha:t', { samples: 4000 });
    const o = r.coincidences;
    const n = o.flat().reduce((s, x) => s + x, 0);
    const q = o.flat().filter((x) => x > 0).length;
    expect(b.pairs).toBe(Math.round(Math.min(25 * q, n)));
    const nc = o.map((row) => row[0]! + row[1]!);
    const De = (2 * nc[0]! * nc[1]!) / (n * (n - 1));
    const pD = (o[0]![1]! + o[1]![0]!) / n;
    const M = b.pairs;
    const sd = Math.sqrt(M * pD * (1 - pD)) / (M * De);
    const xs = b.distribution;
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    expect(Math.abs(mean - num(r.alpha))).toBeLessThan((5 * sd) / Math.sqrt(xs.length));
    expect(v / sd).toBeGreaterThan(0.93);
    expect(v / sd).toBeLessThan(1.07);
    const ci = b.interval as { lower: number; upper: number };
    expect(ci.lower).toBeLessThan(num(r.alpha));
    expect(ci.upper).toBeGreaterThan(num(r.alpha));
    // Within a few binomial steps of the exact quantiles of the binomial distribution.
    const step = 1 / (M * De);
    expect(Math.abs(ci.lower - (num(r.alpha) - 1.96 * sd))).toBeLessThan(3 * step + 0.1 * sd);
    const fail = b.failToReach as { '0.8': number; '0.667': number };
    expect(fail['0.8']).toBeGreaterThanOrEqual(fail['0.667']);
  });
  it('is reproducible and not computable when α is not', () => {
    expect(bootstrapAlpha(r, 3, 'a', { samples: 300 })).toEqual(bootstrapAlpha(r, 3, 'a', { samples: 300 }));
    const flat = krippendorffAlphaNominal([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(isNotComputable(bootstrapAlpha(flat, 2, 'a').interval)).toBe(true);
  });
  it('perfect agreement in one category only: resamples of α* = 1 count as 0 (no variation)', () => {
    const perfect = krippendorffAlphaNominal([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
    expect(num(perfect.alpha)).toBe(1);
    const b = bootstrapAlpha(perfect, 2, 'p', { samples: 1000 });
    // p_D = 0: every α* = 1; two categories agree, so round(B Σ (o_cc/n)^M) of them become 0.
    const zeros = b.distribution.filter((x) => x === 0).length;
    expect(b.pairs).toBe(4);
    expect(zeros).toBe(125); // round(1000 · 2 · 0.5⁴)
    expect(b.distribution.filter((x) => x === 1).length).toBe(875);
  });
});
