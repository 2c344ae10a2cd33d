import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chi2Cdf,
  chi2Pdf,
  chi2Quantile,
  chi2QuantileUpper,
  chi2Sf,
  fCdf,
  fPdf,
  fQuantile,
  fQuantileUpper,
  fSf,
  nctCdf,
  nctSf,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalQuantileUpper,
  normalSf,
  normalTwoSided,
  tCdf,
  tPdf,
  tQuantile,
  tQuantileUpper,
  tSf,
  tTwoSided,
} from '../../../src/core/stats/distributions.js';
import { expectDigits, lre } from '../../helpers/accuracy.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const mpmathPath = path.join(repoRoot, 'test/goldens/reference/distributions-mpmath.json');
const goldens = JSON.parse(readFileSync(path.join(repoRoot, 'test/goldens/stats_a.json'), 'utf8'));

interface MpmathEntry {
  kind: string;
  ref: string;
  [k: string]: number | string;
}
const mpmath: MpmathEntry[] = JSON.parse(readFileSync(mpmathPath, 'utf8'));

function evaluate(e: MpmathEntry): number {
  const n = (k: string) => e[k] as number;
  switch (e.kind) {
    case 't_lower':
      return tCdf(n('t'), n('df'));
    case 't_quantile':
      return tQuantile(n('p'), n('df'));
    case 'f_upper':
      return fSf(n('F'), n('d1'), n('d2'));
    case 'normal_lower':
      return normalCdf(n('z'));
    case 'chi2_upper':
      return chi2Sf(n('x'), n('k'));
    case 'normal_quantile':
      return normalQuantile(n('p'));
    default:
      throw new Error(`unknown kind ${e.kind}`);
  }
}

describe('distributions against mpmath (50-digit) references', () => {
  const worst = new Map<string, { digits: number; entry: MpmathEntry }>();
  afterAll(() => {
    const lines = [...worst.entries()].map(
      ([kind, w]) => `  ${kind.padEnd(16)} worst LRE ${w.digits.toFixed(2)}  at ${JSON.stringify(w.entry)}`,
    );
    console.log(`distributions-mpmath.json (${mpmath.length} entries):\n${lines.join('\n')}`);
  });

  it('covers every kind in the reference file', () => {
    expect(new Set(mpmath.map((e) => e.kind))).toEqual(
      new Set(['t_lower', 't_quantile', 'f_upper', 'normal_lower', 'chi2_upper', 'normal_quantile']),
    );
  });

  for (const e of mpmath) {
    const { kind, ref, ...args } = e;
    it(`${kind} ${JSON.stringify(args)}`, () => {
      const expected = Number(ref); // references below 1e-308 underflow to 0, as must ours
      const got = evaluate(e);
      const digits = lre(got, expected);
      const w = worst.get(kind);
      if (w === undefined || digits < w.digits) worst.set(kind, { digits, entry: e });
      expectDigits(got, expected, 13, `${kind} ${JSON.stringify(args)}`);
    });
  }
});

describe('densities against R', () => {
  for (const d of goldens.densities) {
    it(`${d.kind} density at ${d.x}`, () => {
      let got: number;
      if (d.kind === 't') got = tPdf(d.x, d.df);
      else if (d.kind === 'f') got = fPdf(d.x, d.df1, d.df2);
      else if (d.kind === 'chi2') got = chi2Pdf(d.x, d.df);
      else got = normalPdf(d.x);
      expectDigits(got, d.ref, 12, `${d.kind} pdf ${JSON.stringify(d)}`);
    });
  }
});

// R's qf() goes through qbeta() and is itself off in two of the cases below (8.5 and 12.9 digits).
// There the reference is the mpmath root (40 digits) of pf(x) = p:
//   findroot(lambda x: betainc(d1/2, d2/2, 0, d1*x/(d1*x + d2), regularized=True) - p, x0)
// with p the binary64 value R uses (for lower.tail = FALSE: 1 - q, which is exact for q >= 0.5).
const MPMATH_QF: Record<string, number> = {
  'lower 1e-10 3 40': Number('1.715245876234932882309386242700921013479e-7'),
  'upper 0.99 2 50': Number('0.01005235630925786'),
};

describe('upper-tail quantiles against R (lower.tail = FALSE), down to 1e-300', () => {
  it('R is the inaccurate one where the mpmath roots replace it', () => {
    // the mpmath roots solve the CDF to the last digit; R's values do not
    expectDigits(fCdf(MPMATH_QF['lower 1e-10 3 40'] as number, 3, 40), 1e-10, 14, 'pf at the mpmath root');
    expect(Math.abs(fCdf(1.7152458712625201e-7, 3, 40) / 1e-10 - 1)).toBeGreaterThan(1e-9);
  });
  for (const q of goldens.quantileUpper) {
    it(`${q.kind} upper quantile at ${q.q}`, () => {
      if (q.kind === 't') {
        expectDigits(tQuantileUpper(q.q, q.df), q.ref, 13, `qt(${q.q}, ${q.df}, lower=FALSE)`);
      } else if (q.kind === 'f') {
        const key = `${q.q} ${q.df1} ${q.df2}`;
        const upperRef = MPMATH_QF[`upper ${key}`] ?? q.ref;
        expectDigits(fQuantileUpper(q.q, q.df1, q.df2), upperRef, 13, `qf upper ${JSON.stringify(q)}`);
        // R returns 0 for qf(1e-30, 1, 10) (underflow in qbeta); no reference there
        if (q.lowerRef > 0) {
          const lowerRef = MPMATH_QF[`lower ${key}`] ?? q.lowerRef;
          expectDigits(fQuantile(q.q, q.df1, q.df2), lowerRef, 13, `qf lower ${JSON.stringify(q)}`);
        }
      } else if (q.kind === 'chi2') {
        expectDigits(chi2QuantileUpper(q.q, q.df), q.ref, 13, `qchisq upper ${JSON.stringify(q)}`);
        expectDigits(chi2Quantile(q.q, q.df), q.lowerRef, 13, `qchisq lower ${JSON.stringify(q)}`);
      } else {
        expectDigits(normalQuantileUpper(q.q), q.ref, 13, `qnorm(${q.q}, lower=FALSE)`);
      }
    });
  }
});

describe('tails are survival functions, not 1 - cdf', () => {
  it('round-trips tiny upper tails through the quantiles', () => {
    for (const q of [1e-300, 1e-100, 1e-30, 1e-12]) {
      expectDigits(normalSf(normalQuantileUpper(q)), q, 13, `normalSf(normalQuantileUpper(${q}))`);
      expectDigits(tSf(tQuantileUpper(q, 7.5), 7.5), q, 12, `tSf(tQuantileUpper(${q}, 7.5))`);
      expectDigits(chi2Sf(chi2QuantileUpper(q, 3), 3), q, 12, `chi2 round trip ${q}`);
      expectDigits(fSf(fQuantileUpper(q, 3, 40), 3, 40), q, 12, `F round trip ${q}`);
    }
  });

  it('quantiles invert the tails to 12 digits over p = 1e-100 … 1 - 1e-10 and df = 0.5 … 1e5', () => {
    const ps = [1e-100, 1e-30, 1e-10, 1e-5, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.999, 1 - 1e-10];
    const dfs = [0.5, 1, 1.5, 3, 10, 17.7, 100, 1000, 1e5];
    const close = (got: number, want: number, what: string) =>
      expect(Math.abs(got - want) / want, what).toBeLessThan(1e-12);
    for (const p of ps) {
      for (const df of dfs) {
        close(tSf(tQuantileUpper(p, df), df), p, `t upper p=${p} df=${df}`);
        const t = tQuantile(p, df);
        close(p < 0.5 ? tCdf(t, df) : tSf(t, df), p < 0.5 ? p : 1 - p, `t p=${p} df=${df}`);
        if (df > 1000) continue; // @stdlib's incomplete gamma/beta lose digits at shape > 1e4
        close(chi2Sf(chi2QuantileUpper(p, df), df), p, `chi2 upper p=${p} df=${df}`);
        for (const d2 of [1, 4, 50, 1e4]) {
          close(fSf(fQuantileUpper(p, df, d2), df, d2), p, `F upper p=${p} df=${df},${d2}`);
          // lower quantiles at p = 1e-100 with df1 = 0.5 lie below the smallest double
          if (p > 1e-100) close(fCdf(fQuantile(p, df, d2), df, d2), p, `F lower p=${p} df=${df},${d2}`);
        }
        if (p > 1e-100) close(chi2Cdf(chi2Quantile(p, df), df), p, `chi2 lower p=${p} df=${df}`);
      }
    }
  });

  it('handles t beyond 1e154 (t² overflows) and quantiles beyond the largest double', () => {
    // Cauchy (df = 1): P(T > t) = atan(1/t)/π = 1/(π t) (1 - 1/(3t²) + ...)
    expectDigits(tSf(1e160, 1), 1 / (Math.PI * 1e160), 13, 'tSf(1e160, 1)');
    expectDigits(tQuantileUpper(1e-150, 1), 1 / (Math.PI * 1e-150), 13, 'tQuantileUpper(1e-150, 1)');
    expect(tQuantile(1e-100, 0.3)).toBe(Number.NEGATIVE_INFINITY); // true value about -1e333
  });

  it('gives complementary lower and upper tails', () => {
    for (const [f, d1, d2] of [
      [0.3, 2, 7],
      [2.5, 4, 20],
      [15, 1, 3.5],
    ] as const) {
      expect(Math.abs(fCdf(f, d1, d2) + fSf(f, d1, d2) - 1)).toBeLessThan(4e-16);
    }
    for (const [x, k] of [
      [0.5, 1],
      [7, 4],
      [40, 33],
    ] as const) {
      expect(Math.abs(chi2Cdf(x, k) + chi2Sf(x, k) - 1)).toBeLessThan(4e-16);
    }
  });

  it('two-sided helpers double the smaller tail and cap at 1', () => {
    expectDigits(tTwoSided(-2.5, 12), 2 * tSf(2.5, 12), 15, 'tTwoSided');
    expectDigits(normalTwoSided(1.959963984540054), 0.05, 14, 'normalTwoSided(1.96)');
    expectDigits(
      normalTwoSided(-11.142609061498082),
      2 * Number('3.8902997485583541192e-29'),
      13,
      'normalTwoSided tail',
    );
    expect(tTwoSided(0, 5)).toBe(1);
    expect(normalTwoSided(0)).toBe(1);
  });

  it('returns NaN for invalid parameters and the limits at the ends', () => {
    expect(tSf(1, 0)).toBeNaN();
    expect(tQuantile(1.5, 3)).toBeNaN();
    expect(tQuantile(0, 3)).toBe(Number.NEGATIVE_INFINITY);
    expect(tQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(normalQuantile(0.5)).toBe(0);
    expect(fQuantile(0, 2, 3)).toBe(0);
    expect(chi2Quantile(1, 2)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('noncentral t', () => {
  it('agrees with R pt(q, df, ncp) to >= 10 digits in both tails', () => {
    let worst = 17;
    for (const c of goldens.nct) {
      const lower = nctCdf(c.t, c.df, c.ncp);
      const upper = nctSf(c.t, c.df, c.ncp);
      worst = Math.min(worst, lre(lower, c.lower), lre(upper, c.upper));
      expectDigits(lower, c.lower, 10, `pt(${c.t}, ${c.df}, ${c.ncp})`);
      expectDigits(upper, c.upper, 10, `pt(${c.t}, ${c.df}, ${c.ncp}, lower=FALSE)`);
    }
    console.log(`noncentral t vs R pt(): worst LRE ${worst.toFixed(2)} over ${goldens.nct.length} cases`);
  });

  // R's pnt() stops at an absolute error of 1e-12, so it cannot check the last digits. These
  // references are mpmath (40 digits) quadrature of P(T <= t) = ∫ Φ(t √(v/ν) - δ) f_{χ²ν}(v) dv:
  //   mp.dps = 40; quad(lambda v: ncdf(t*sqrt(v/df) - ncp) * chi2pdf(v, df), [0, df/4, ..., inf])
  const mp: [number, number, number, string][] = [
    [2, 10, 1, '0.80761156253037526203'],
    [-1, 10, 1, '0.026801856769479546121'],
    [3.5, 25.3, 2.2, '0.87229131772895945545'],
    [5, 3, 8, '0.069332746724187691224'],
    [40, 10, 38.5, '0.50739091735646862771'],
    [-2, 5, -1.5, '0.36855075274432827655'],
  ];
  it('agrees with high-precision quadrature to >= 13 digits (R gets about 11 here)', () => {
    for (const [t, df, ncp, ref] of mp)
      expectDigits(nctCdf(t, df, ncp), Number(ref), 13, `nctCdf(${t}, ${df}, ${ncp})`);
    expectDigits(
      nctSf(1.97, 126, 2.8284271247461903),
      Number('0.8039418428483232843'),
      13,
      'nctSf power case',
    );
  });

  it('reduces to the central t when ncp = 0 and handles t = 0', () => {
    expect(nctCdf(1.3, 8, 0)).toBe(tCdf(1.3, 8));
    expectDigits(nctCdf(0, 9, 1.2), normalCdf(-1.2), 15, 'P(T <= 0) = Φ(-δ)');
    expectDigits(nctSf(0, 9, 1.2), normalCdf(1.2), 15, 'P(T > 0) = Φ(δ)');
  });
});
