import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cohensD,
  cohensDFromSummary,
  hedgesCorrection,
  hedgesG,
  hedgesGFromSummary,
  nctCdfAsR,
  type StandardizedMeanDifference,
} from '../../../src/core/stats/effectsize.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';

// Goldens: test/goldens/r/stats_b1.R. The noncentral-t intervals there come from uniroot(tol = 1e-14) on R's
// pt(t, df, ncp); Hedges' exact J from sqrt(pi) / (beta((df-1)/2, 1/2) * sqrt(df/2)).
const G = JSON.parse(readFileSync(new URL('../../goldens/stats_b1.json', import.meta.url), 'utf8'));

/**
 * Digits required for the noncentral-t interval against R. R's pt(t, df, ncp) (AS 243) forms ln B(½, df/2) as
 * lgamma(df/2) − lgamma(df/2 + ½), which loses about log10(df) digits to cancellation; at df = 2e5 its CDF is
 * off by ~1e-11, so R's interval itself has only ~10 correct digits there (an independent mpmath quadrature,
 * 30 digits, gives lower 0.002394509563327243859 / upper 0.019925009176481587369 for 'df_2e5': ours agree to
 * 11.3 / 10.6 digits, R's to 10.7 / 9.8). Our ln B uses a cancellation-free log-gamma ratio, so below df ≈ 1e4
 * the two agree to 13–15 digits. (Beyond df = 4e5 both use the same normal approximation and agree again.)
 */
function nctDigits(name: string): number {
  if (name === 'df_2e5') return 9.5;
  if (name === 'df_1e4') return 11.5;
  return 12;
}

interface RInterval {
  lower: number;
  upper: number;
}

function expectCi(r: StandardizedMeanDifference, want: RInterval, digits: number, what: string): void {
  expectDigits(r.ci.lower, want.lower, digits, `${what} lower`);
  expectDigits(r.ci.upper, want.upper, digits, `${what} upper`);
}

describe("Cohen's d and Hedges' g from summary statistics vs R", () => {
  for (const c of G.smd) {
    it(c.name, () => {
      const conf = { confLevel: c.confLevel };
      const nd = nctDigits(c.name);
      const d = ok(cohensDFromSummary(c.x, c.y, conf));
      expectDigits(d.estimate, c.d, 13, 'd');
      expectDigits(d.standardizer, c.pooledSd, 13, 'pooled SD');
      expect(d.df).toBe(c.df);
      expect(d.ciMethod).toBe('noncentral-t');
      expect(d.nct).toBe('r-compatible');
      expect(d.ci.level).toBe(c.confLevel);
      expectCi(d, c.dCiNct, nd, 'd noncentral-t CI');
      expectCi(
        ok(cohensDFromSummary(c.x, c.y, { ...conf, ciMethod: 'normal' })),
        c.dCiNormal,
        12,
        'd normal CI',
      );

      const g = ok(hedgesGFromSummary(c.x, c.y, conf));
      expect(g.correction).toEqual({ method: 'exact', factor: g.correction!.factor });
      expectDigits(g.correction!.factor, c.jExact, 14, 'J exact');
      expectDigits(g.estimate, c.gExact, 13, 'g (exact J)');
      expectCi(g, c.gExactCiNct, nd, 'g (exact J) noncentral-t CI');
      expectCi(
        ok(hedgesGFromSummary(c.x, c.y, { ...conf, ciMethod: 'normal' })),
        c.gExactCiNormal,
        12,
        'g (exact J) normal CI',
      );

      const ga = ok(hedgesGFromSummary(c.x, c.y, { ...conf, correction: 'approximate' }));
      expectDigits(ga.correction!.factor, c.jApprox, 15, 'J approximate');
      expectDigits(ga.estimate, c.gApprox, 13, 'g (approximate J)');
      expectCi(ga, c.gApproxCiNct, nd, 'g (approximate J) noncentral-t CI');
      expectCi(
        ok(hedgesGFromSummary(c.x, c.y, { ...conf, ciMethod: 'normal', correction: 'approximate' })),
        c.gApproxCiNormal,
        12,
        'g (approximate J) normal CI',
      );
    });
  }

  it("nct: 'accurate' inverts distributions.nctCdf; reference: uniroot on an integrate()-based CDF in R", () => {
    // R's pt is not the reference here: its own error (~1e-12 absolute) is what 'accurate' avoids.
    for (const c of G.smd.filter((s: { dCiNctAccurate: unknown }) => s.dCiNctAccurate !== null)) {
      const d = ok(cohensDFromSummary(c.x, c.y, { confLevel: c.confLevel, nct: 'accurate' }));
      expect(d.nct).toBe('accurate');
      expectCi(d, c.dCiNctAccurate, 12, `${c.name} d CI (accurate)`);
      const g = ok(hedgesGFromSummary(c.x, c.y, { confLevel: c.confLevel, nct: 'accurate' }));
      expectDigits(g.ci.upper, c.dCiNctAccurate.upper * c.jExact, 12, `${c.name} g CI upper (accurate)`);
    }
  });

  it('from raw data (cohensD, hedgesG)', () => {
    const c = G.smdRaw;
    const d = ok(cohensD(c.x, c.y));
    expectDigits(d.estimate, c.d, 12, 'd');
    expectCi(d, c.dCiNct, 12, 'd noncentral-t CI');
    expect(d.groupN).toEqual([c.x.length, c.y.length]);
    const g = ok(hedgesG(c.x, c.y, { ciMethod: 'normal' }));
    expectDigits(g.estimate, c.gExact, 12, 'g');
    expectCi(g, c.gExactCiNormal, 12, 'g normal CI');
  });
});

describe('nctCdfAsR vs R pt(t, df, ncp)', () => {
  it('centre of the distribution (0.02 < p < 0.98), AS 243 series', () => {
    for (const r of G.nctCentre) {
      // see nctDigits: R's own CDF is good to ~1e-12 absolute at df = 5000
      const digits = r.df >= 5000 ? 10.5 : 12;
      expectDigits(nctCdfAsR(r.t, r.df, r.ncp), r.p, digits, `pt(${r.t}, ${r.df}, ${r.ncp})`);
    }
  });

  it("normal approximation branch (df > 4e5 or ncp² > 2 ln2 · 1021), as R's pt", () => {
    for (const r of G.nctBranch) {
      expectDigits(nctCdfAsR(r.t, r.df, r.ncp), r.p, 13, `pt(${r.t}, ${r.df}, ${r.ncp})`);
    }
  });

  it('reduces to the central t at ncp = 0 and handles infinite t', () => {
    expect(nctCdfAsR(1.3, 12, 0)).toBeCloseTo(0.891, 3);
    expect(nctCdfAsR(Number.POSITIVE_INFINITY, 5, 2)).toBe(1);
    expect(nctCdfAsR(Number.NEGATIVE_INFINITY, 5, 2)).toBe(0);
    expect(Number.isNaN(nctCdfAsR(1, -1, 2))).toBe(true);
  });
});

describe('hedgesCorrection', () => {
  it('exact J at the golden df and its limit behaviour', () => {
    for (const c of G.smd) expectDigits(hedgesCorrection(c.df), c.jExact, 14, `J(${c.df})`);
    // J → 1 − 3/(4df) for large df; J(2) = Γ(1)/(1·Γ(½)) = 1/√π
    expectDigits(hedgesCorrection(2), 1 / Math.sqrt(Math.PI), 15, 'J(2)');
    expect(Math.abs(hedgesCorrection(1e9) - (1 - 3 / (4e9 - 1)))).toBeLessThan(1e-15);
    expect(() => hedgesCorrection(1)).toThrow(/df > 1/);
  });
});

describe('effect sizes: degenerate inputs and invariants', () => {
  it('NotComputable: zero pooled SD, n < 2, missing-only group', () => {
    const z = cohensDFromSummary({ n: 4, mean: 1, sd: 0 }, { n: 6, mean: 2, sd: 0 });
    expect(isNotComputable(z) && z.reason).toMatch(/pooled SD is 0/);
    const n1 = hedgesGFromSummary({ n: 1, mean: 1, sd: 1 }, { n: 6, mean: 2, sd: 1 });
    expect(isNotComputable(n1) && n1.reason).toMatch(/Group 1: n = 1/);
    const raw = cohensD([1, 2, 3], [Number.NaN, Number.NaN]);
    expect(isNotComputable(raw) && raw.reason).toMatch(/Group 2: 0 non-missing/);
    expect(() =>
      cohensDFromSummary({ n: 4, mean: 1, sd: 1 }, { n: 4, mean: 0, sd: 1 }, { confLevel: 1 }),
    ).toThrow(/confLevel/);
  });

  it('swapping groups negates d and mirrors its interval', () => {
    const a = { n: 20, mean: 3.1, sd: 1.2 };
    const b = { n: 31, mean: 2.4, sd: 0.9 };
    const ab = ok(cohensDFromSummary(a, b));
    const ba = ok(cohensDFromSummary(b, a));
    expectDigits(ba.estimate, -ab.estimate, 15, 'd');
    expectDigits(ba.ci.lower, -ab.ci.upper, 13, 'lower = −upper');
    expect(ab.ci.lower < ab.estimate && ab.estimate < ab.ci.upper).toBe(true);
  });
});
