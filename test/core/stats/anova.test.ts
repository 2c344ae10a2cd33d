import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type OneWayAnovaResult,
  oneWayAnova,
  splitByGroup,
  type WelchAnovaResult,
  welchAnova,
} from '../../../src/core/stats/anova.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits, lre } from '../../helpers/accuracy.js';
import { ok } from './pspp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const nistDir = path.join(repoRoot, 'test/goldens/reference/nist');
const certified = JSON.parse(readFileSync(path.join(nistDir, 'certified_values.json'), 'utf8'))
  .anova as Record<string, NistAnova>;
const goldens = JSON.parse(readFileSync(path.join(repoRoot, 'test/goldens/stats_a.json'), 'utf8'));

interface NistAnova {
  n: number;
  between: { df: string; ss: string; ms: string; F: string };
  within: { df: string; ss: string; ms: string };
  r_squared: string;
  residual_sd: string;
}

/** Rows "group value" of a NIST StRD ANOVA file (data from the line after "Data:  <names>"). */
function readNistAnova(file: string): number[][] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = lines.findIndex((l) => /^Data:\s+\S+\s+\S+\s*$/.test(l));
  if (header < 0) throw new Error(`${file}: no data header`);
  const groups: number[][] = [];
  for (const line of lines.slice(header + 1)) {
    const m = line.trim().match(/^(\d+)\s+([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)$/);
    if (!m) continue;
    const g = Number(m[1]) - 1;
    if (groups[g] === undefined) groups[g] = [];
    (groups[g] as number[]).push(Number(m[2]));
  }
  return groups;
}

// Binary64 limits for F with a corrected two-pass method (test/goldens/reference/README.md), minus 0.5.
const F_DIGITS: Record<string, number> = {
  SiRstv: 12,
  SmLs01: 12,
  SmLs02: 12,
  SmLs03: 12,
  AtmWtAg: 9.5,
  SmLs04: 8.5,
  SmLs05: 8.5,
  SmLs06: 8.5,
  SmLs07: 2.5,
  SmLs08: 2.5,
  SmLs09: 2.5,
};

describe('NIST StRD one-way ANOVA', () => {
  const files = readdirSync(path.join(nistDir, 'anova')).filter((f) => f.endsWith('.dat'));
  const report: string[] = [];
  afterAll(() =>
    console.log(`NIST ANOVA LRE (F, SS between, SS within, R², residual SD):\n${report.join('\n')}`),
  );

  it('has all eleven data sets', () => {
    expect(files.map((f) => f.replace('.dat', '')).sort()).toEqual(Object.keys(F_DIGITS).sort());
  });

  for (const file of files) {
    const name = file.replace('.dat', '');
    it(name, () => {
      const c = certified[name] as NistAnova;
      const groups = readNistAnova(path.join(nistDir, 'anova', file));
      const r = ok(oneWayAnova(groups));
      expect(r.n).toBe(c.n);
      expect(r.dfBetween).toBe(Number(c.between.df));
      expect(r.dfWithin).toBe(Number(c.within.df));
      const digits = F_DIGITS[name] as number;
      const l = [
        lre(r.statistic, Number(c.between.F)),
        lre(r.ssBetween, Number(c.between.ss)),
        lre(r.ssWithin, Number(c.within.ss)),
        lre(r.etaSquared, Number(c.r_squared)),
        lre(Math.sqrt(r.msWithin), Number(c.residual_sd)),
      ];
      report.push(
        `  ${name.padEnd(8)} ${l.map((v) => v.toFixed(2).padStart(6)).join(' ')}   (F needs ${digits})`,
      );
      expectDigits(r.statistic, Number(c.between.F), digits, `${name} F`);
      expectDigits(r.ssBetween, Number(c.between.ss), digits, `${name} SS between`);
      expectDigits(r.msBetween, Number(c.between.ms), digits, `${name} MS between`);
      expectDigits(r.etaSquared, Number(c.r_squared), digits, `${name} R² (eta squared)`);
      // the within-group SS is well conditioned: close to full precision on every set but the
      // 13-digit-constant SmLs07–09, where the data themselves carry 3–4 digits of spread
      expectDigits(
        r.ssWithin,
        Number(c.within.ss),
        name.match(/SmLs0[789]/) ? 2.5 : 9.5,
        `${name} SS within`,
      );
      expectDigits(
        r.msWithin,
        Number(c.within.ms),
        name.match(/SmLs0[789]/) ? 2.5 : 9.5,
        `${name} MS within`,
      );
    });
  }
});

describe('one-way ANOVA against R (aov, oneway.test)', () => {
  for (const g of goldens.anova) {
    const samples = (g.groups as (number | null)[][]).map((grp) =>
      grp.map((v) => (v === null ? Number.NaN : v)),
    );
    it(`${g.name}: Fisher F, p, SS, MS, eta squared`, () => {
      const r: OneWayAnovaResult = ok(oneWayAnova(samples, { labels: g.labels }));
      expectDigits(r.statistic, g.F, 12, 'F');
      expectDigits(r.statistic, g.onewayF, 12, 'oneway.test F');
      expectDigits(r.pValue, g.p, 11, 'p');
      expectDigits(r.ssBetween, g.ssBetween, 12, 'SS between');
      expectDigits(r.ssWithin, g.ssWithin, 12, 'SS within');
      expectDigits(r.msBetween, g.msBetween, 12, 'MS between');
      expectDigits(r.msWithin, g.msWithin, 12, 'MS within');
      expectDigits(r.etaSquared, g.etaSquared, 12, 'eta squared');
      expect(r.df).toEqual([g.dfBetween, g.dfWithin]);
      expect(r.statisticName).toBe('F');
      expect(r.n).toBe((g.n as number[]).reduce((a, b) => a + b, 0));
      r.groups.forEach((s, i) => {
        expect(s.label).toBe(g.labels[i]);
        expect(s.n).toBe(g.n[i]);
        expectDigits(s.mean as number, g.means[i], 14, `mean of ${s.label}`);
        expectDigits(s.sd as number, g.sds[i], 13, `sd of ${s.label}`);
      });
      // ω² from the same sums of squares
      const omega = (g.ssBetween - g.dfBetween * g.msWithin) / (g.ssBetween + g.ssWithin + g.msWithin);
      expectDigits(r.omegaSquared, omega, 12, 'omega squared');
    });
    it(`${g.name}: Welch F, df, p`, () => {
      const w: WelchAnovaResult = ok(welchAnova(samples, { labels: g.labels }));
      expectDigits(w.statistic, g.welchF, 12, 'Welch F');
      expect(w.df[0]).toBe(g.welchDf1);
      expectDigits(w.df[1], g.welchDf2, 12, 'Welch df2');
      expectDigits(w.pValue, g.welchP, 11, 'Welch p');
      expect(w.method).toMatch(/Welch/);
    });
  }

  it('the missing value in "Year 3" is excluded and counted', () => {
    const g = goldens.anova[0];
    const samples = (g.groups as (number | null)[][]).map((grp) =>
      grp.map((v) => (v === null ? Number.NaN : v)),
    );
    const r = ok(oneWayAnova(samples, { labels: g.labels }));
    expect(r.groups[2]).toMatchObject({ label: 'Year 3', n: 7, nMissing: 1 });
  });
});

describe('degenerate input', () => {
  it('fewer than two groups with data', () => {
    const r = oneWayAnova([[1, 2, 3], [Number.NaN]]);
    expect(isNotComputable(r)).toBe(true);
    if (isNotComputable(r)) expect(r.reason).toMatch(/at least two groups/);
  });

  it('an empty group is dropped, as R drops an unused level', () => {
    const r = ok(oneWayAnova([[1, 2, 4], [], [5, 6, 9]]));
    expect(r.k).toBe(2);
    expect(r.df).toEqual([1, 4]);
    expect(r.groups[1]).toEqual({ label: 'Group 2', n: 0, nMissing: 0, mean: null, sd: null });
  });

  it('no within-group degrees of freedom or variation', () => {
    expect(isNotComputable(oneWayAnova([[1], [2]]))).toBe(true);
    const r = oneWayAnova([
      [3, 3],
      [5, 5, 5],
    ]);
    expect(isNotComputable(r)).toBe(true);
    if (isNotComputable(r)) expect(r.reason).toMatch(/within-group variance is zero/);
  });

  it('Welch needs two values and some spread in every group', () => {
    const one = welchAnova([[1, 2, 3], [4]], { labels: ['a', 'b'] });
    expect(isNotComputable(one) && one.reason).toMatch(/"b" has only one/);
    const flat = welchAnova(
      [
        [1, 2, 3],
        [4, 4, 4],
      ],
      { labels: ['a', 'Fourth year'] },
    );
    expect(isNotComputable(flat) && flat.reason).toMatch(/zero variance/);
    // The note does not name the group whose values are all equal (issue 12, finding 2: it would print
    // everyone's value in it).
    expect(isNotComputable(flat) && flat.reason).not.toContain('Fourth year');
  });

  it('labels must match the groups', () => {
    expect(() => oneWayAnova([[1, 2]], { labels: ['a', 'b'] })).toThrow(/one label per group/);
  });
});

describe('splitByGroup', () => {
  it('splits in order of first appearance and skips cases without a group', () => {
    const s = splitByGroup([1, 2, 3, 4, 5], ['b', 'a', 'b', null, 'a']);
    expect(s).toEqual({
      labels: ['b', 'a'],
      samples: [
        [1, 3],
        [2, 5],
      ],
    });
  });
  it('uses the given level order, keeping empty levels', () => {
    const s = splitByGroup([1, 2, 3], [2, 1, 2], [1, 2, 3]);
    expect(s).toEqual({ labels: ['1', '2', '3'], samples: [[2], [1, 3], []] });
  });
});
