import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ProportionResult,
  proportionAtOrAbove,
  wilsonInterval,
} from '../../../src/core/stats/proportion.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldens = JSON.parse(readFileSync(path.resolve(here, '../../goldens/stats_a.json'), 'utf8'));

/** R gives exactly 0 and 1 at the boundaries; elsewhere compare digits. */
function expectBound(got: number, ref: number, what: string): void {
  if (ref === 0 || ref === 1) expect(got, what).toBe(ref);
  else expectDigits(got, ref, 13, what);
}

describe('Wilson interval against R prop.test(x, n, conf.level, correct)', () => {
  for (const c of goldens.proportion) {
    it(`x = ${c.x}, n = ${c.n}, level = ${c.level}`, () => {
      const r: ProportionResult = ok(wilsonInterval(c.x, c.n, { level: c.level }));
      expect(r.count).toBe(c.x);
      expect(r.n).toBe(c.n);
      expect(r.estimate).toBe(c.estimate);
      expect(r.ci.level).toBe(c.level);
      expect(r.options.continuityCorrection).toBe(false);
      expectBound(r.ci.lower, c.lower, 'lower');
      expectBound(r.ci.upper, c.upper, 'upper');
      const cc = ok(wilsonInterval(c.x, c.n, { level: c.level, continuityCorrection: true }));
      expect(cc.method).toMatch(/continuity correction/);
      expectBound(cc.ci.lower, c.lowerCC, 'lower (continuity corrected)');
      expectBound(cc.ci.upper, c.upperCC, 'upper (continuity corrected)');
    });
  }
});

describe('share at or above a threshold', () => {
  it('PHQ-9 >= 10 with missing values, as R prop.test(sum(x >= 10), n, correct = FALSE)', () => {
    const g = goldens.threshold;
    const x = (g.x as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
    const r = ok(proportionAtOrAbove(x, g.threshold));
    expect(r.count).toBe(g.count);
    expect(r.n).toBe(g.n);
    expect(r.nMissing).toBe(2);
    expect(r.threshold).toBe(10);
    expect(r.estimate).toBe(g.estimate);
    expectDigits(r.ci.lower, g.lower, 13, 'lower');
    expectDigits(r.ci.upper, g.upper, 13, 'upper');
    expect(r.ci.level).toBe(0.95);
    expect(r.method).toBe('Wilson score interval');
  });

  it('the level is a parameter', () => {
    const r90 = ok(proportionAtOrAbove([1, 5, 12, 15], 10, { level: 0.9 }));
    const r99 = ok(proportionAtOrAbove([1, 5, 12, 15], 10, { level: 0.99 }));
    expect(r90.ci.level).toBe(0.9);
    expect(r99.ci.upper - r99.ci.lower).toBeGreaterThan(r90.ci.upper - r90.ci.lower);
  });

  it('all missing or no values: NotComputable; bad input throws', () => {
    expect(isNotComputable(proportionAtOrAbove([Number.NaN], 1))).toBe(true);
    expect(isNotComputable(proportionAtOrAbove([], 1))).toBe(true);
    expect(isNotComputable(wilsonInterval(0, 0))).toBe(true);
    expect(() => wilsonInterval(5, 3)).toThrow(/0 <= count <= n/);
    expect(() => wilsonInterval(1, 3, { level: 95 })).toThrow(/between 0 and 1/);
  });
});
