import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pAdjust } from '../../../src/core/stats/padjust.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldens = JSON.parse(readFileSync(path.resolve(here, '../../goldens/stats_a.json'), 'utf8'));

const fromJson = (v: (number | null)[]) => v.map((x) => (x === null ? Number.NaN : x));

describe('p.adjust against R, to the last digit', () => {
  for (const g of goldens.padjust) {
    const p = fromJson(g.p);
    it(`${g.name}: Holm, BH and Bonferroni`, () => {
      // toEqual treats NaN as equal to NaN and otherwise compares exactly
      expect(pAdjust(p, 'holm').adjusted).toEqual(fromJson(g.holm));
      expect(pAdjust(p, 'BH').adjusted).toEqual(fromJson(g.BH));
      expect(pAdjust(p, 'bonferroni').adjusted).toEqual(fromJson(g.bonferroni));
    });
    it(`${g.name}: with n = ${g.nTests} tests`, () => {
      const holm = pAdjust(p, 'holm', { nTests: g.nTests });
      expect(holm.adjusted).toEqual(fromJson(g.holmN));
      expect(holm.nTests).toBe(g.nTests);
      expect(pAdjust(p, 'BH', { nTests: g.nTests }).adjusted).toEqual(fromJson(g.BHN));
      expect(pAdjust(p, 'bonferroni', { nTests: g.nTests }).adjusted).toEqual(fromJson(g.bonferroniN));
    });
  }

  it('reports m and the missing count; ties get equal adjusted values', () => {
    const r = pAdjust([0.02, Number.NaN, 0.02, 0.01], 'holm');
    expect(r.nTests).toBe(3);
    expect(r.nMissing).toBe(1);
    expect(r.adjusted[0]).toBe(r.adjusted[2]);
    expect(r.adjusted[1]).toBeNaN();
    expect(r.method).toMatch(/Holm/);
  });

  it('edge cases: empty input, all missing, one p-value', () => {
    expect(pAdjust([], 'BH').adjusted).toEqual([]);
    expect(pAdjust([Number.NaN], 'BH').adjusted).toEqual([Number.NaN]);
    expect(pAdjust([0.03], 'holm').adjusted).toEqual([0.03]);
  });

  it('programming errors throw with the bad value', () => {
    expect(() => pAdjust([0.2, 1.3], 'BH')).toThrow(/p\[1\] = 1.3/);
    expect(() => pAdjust([0.2, 0.3], 'holm', { nTests: 1 })).toThrow(/nTests = 1/);
    expect(() => pAdjust([0.2], 'sidak' as 'holm')).toThrow(/unknown method/);
  });
});
