import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isNotComputable } from '../../../src/core/stats/result.js';
import {
  powerTTest,
  sampleSizeProportion,
  sampleSizeTTest,
  type TTestDesign,
} from '../../../src/core/stats/samplesize.js';
import { expectDigits, lre } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldens = JSON.parse(readFileSync(path.resolve(here, '../../goldens/stats_a.json'), 'utf8'));

describe('sample size for a proportion', () => {
  it('the seed example: p = 0.425, d = 0.07, 95% gives 192', () => {
    const r = ok(sampleSizeProportion({ p: 0.425, marginOfError: 0.07 }));
    expect(r.n).toBe(192);
    const g = goldens.proportionSampleSize;
    expect(r.n).toBe(g.n);
    expectDigits(r.n0, g.n0, 14, 'n0 = z² p (1 - p) / d²');
    expectDigits(r.z, g.z, 15, 'z');
    expect(r.nUnrounded).toBe(r.n0);
    expect(r.level).toBe(0.95);
    expect(r.populationSize).toBeNull();
  });

  it('finite population correction n0 / (1 + (n0 - 1) / N)', () => {
    const r = ok(sampleSizeProportion({ p: 0.425, marginOfError: 0.07, populationSize: 500 }));
    expect(r.n).toBe(goldens.proportionSampleSize.nFpc500);
    expect(r.nUnrounded).toBeCloseTo(r.n0 / (1 + (r.n0 - 1) / 500), 12);
    expect(r.method).toMatch(/finite population/);
  });

  it('the level is a parameter; p = 0.5 is the largest', () => {
    const r99 = ok(sampleSizeProportion({ p: 0.5, marginOfError: 0.05, level: 0.99 }));
    expect(r99.n).toBe(664); // 2.5758² · 0.25 / 0.0025 = 663.49
    const r95 = ok(sampleSizeProportion({ p: 0.5, marginOfError: 0.05 }));
    expect(r95.n).toBe(385); // the textbook 384.15 -> 385
  });

  it('degenerate and invalid input', () => {
    expect(isNotComputable(sampleSizeProportion({ p: 0, marginOfError: 0.05 }))).toBe(true);
    expect(() => sampleSizeProportion({ p: 42.5, marginOfError: 0.07 })).toThrow(/p = 42.5/);
    expect(() => sampleSizeProportion({ p: 0.4, marginOfError: 7 })).toThrow(/marginOfError = 7/);
    expect(() => sampleSizeProportion({ p: 0.4, marginOfError: 0.05, populationSize: 10.5 })).toThrow(
      /populationSize/,
    );
  });
});

describe('t test sample size against R power.t.test', () => {
  let worst = 17;
  for (const c of goldens.powerT) {
    const input = {
      delta: c.delta,
      sd: c.sd,
      sigLevel: c.sigLevel,
      power: c.power,
      type: c.type as TTestDesign,
      alternative: c.alternative as 'two.sided' | 'one.sided',
      strict: c.strict as boolean,
    };
    it(`delta ${c.delta}, sd ${c.sd}, alpha ${c.sigLevel}, power ${c.power}, ${c.type}, ${c.alternative}${c.strict ? ', strict' : ''}`, () => {
      const r = ok(sampleSizeTTest(input));
      // R's n with tol = 1e-13 (its default tol = 1.2e-4 stops early): >= 10 digits before rounding
      worst = Math.min(worst, lre(r.nUnrounded, c.n));
      expectDigits(r.nUnrounded, c.n, 10, 'n before rounding up');
      expect(r.n).toBe(c.nCeiling); // the rounded-up n R's default reports
      expect(Math.abs(r.nUnrounded - c.nDefaultTol)).toBeLessThan(1e-4 * c.n);
      expect(r.achievedPower).toBeGreaterThanOrEqual(c.power);
      expect(r.type).toBe(c.type);
      expectDigits(powerTTest(20, input), c.powerAt20, 11, 'power at n = 20');
    });
  }
  it('prints the digits reached', () => {
    console.log(`power.t.test n: worst LRE ${worst.toFixed(2)} over ${goldens.powerT.length} cases`);
    expect(worst).toBeGreaterThanOrEqual(10);
  });

  it('a zero difference cannot be detected', () => {
    const r = sampleSizeTTest({ delta: 0, power: 0.8 });
    expect(isNotComputable(r) && r.reason).toMatch(/difference of 0/);
  });

  it('n per group for two samples is stated in the note', () => {
    const r = ok(sampleSizeTTest({ delta: 0.5, power: 0.8 }));
    expect(r.n).toBe(64);
    expect(r.note).toMatch(/each group/);
    expect(r.method).toBe('Two-sample t test power calculation');
  });
});
