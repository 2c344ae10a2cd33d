import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AgreementInput,
  alphaFromUnits,
  chanceCorrectedFromCounts,
  cohenKappa,
  countsTable,
  krippendorffAlpha,
  krippendorffAlphaNominal,
  twoCoderAgreement,
  twoRaterCoefficients,
} from '../../../src/core/qual/agreement.js';
import { isNotComputable } from '../../../src/core/stats/result.js';
import { expectDigits } from '../../helpers/accuracy.js';

interface Golden {
  generatedBy: string;
  kappa: {
    name: string;
    a: (number | null)[];
    b: (number | null)[];
    n: number;
    percentAgreement: number;
    expectedAgreement: number;
    kappa: number;
    kappaIrr: number | null;
    q: number;
    ac1: number;
    bp: number;
    alpha: number;
  }[];
  alpha: {
    name: string;
    data: (number | null)[][];
    alpha: number;
    alphaIrr: number | null;
    pairableValues: number;
    coincidences: number[][];
  }[];
  segments: {
    length: number;
    turnStarts: number[];
    turnEnds: number[];
    segments: { coder: string; code: string; start: number; end: number }[];
    results: {
      unit: 'character' | 'turn';
      code: string;
      units: number;
      both: number;
      aOnly: number;
      bOnly: number;
      percentAgreement: number;
      kappa: number;
      alpha2: number;
      alpha3: number;
    }[];
    moderatorTurns: number[];
    scopeResults: {
      unit: 'character' | 'turn';
      code: string;
      units: number;
      both: number;
      percentAgreement: number;
      kappa: number;
      ac1: number;
      bp: number;
      alpha3: number;
    }[];
  };
}

const golden: Golden = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'goldens', 'qual_agreement.json'), 'utf8'),
);
const nan = (v: (number | null)[]) => v.map((x) => (x === null ? Number.NaN : x));
const num = (x: number | { kind: 'not_computable' }): number => {
  if (typeof x !== 'number') throw new Error(`not computable: ${JSON.stringify(x)}`);
  return x;
};

describe("NVivo's documented example: 1,000 characters, 50 coded by both, 150 by one coder only", () => {
  // Source of 1,000 characters; coder A codes [0,125), coder B codes [0,50) and [125,200):
  // both 50, A only 75, B only 75, neither 800.
  //
  // By hand: agreement = (50 + 800) / 1000 = 85%.
  // p_A = 125/1000 = 0.125, p_B = 0.125;
  // p_e = 0.125 × 0.125 + 0.875 × 0.875 = 0.015625 + 0.765625 = 0.78125;
  // κ = (0.85 − 0.78125) / (1 − 0.78125) = 0.06875 / 0.21875 = 11/35 = 0.314285714285714…
  const input: AgreementInput = {
    sources: [{ id: 's', length: 1000 }],
    segments: [
      { sourceId: 's', start: 0, end: 125, codeIds: ['c'], coderId: 'A' },
      { sourceId: 's', start: 0, end: 50, codeIds: ['c'], coderId: 'B' },
      { sourceId: 's', start: 125, end: 200, codeIds: ['c'], coderId: 'B' },
    ],
    coders: ['A', 'B'],
    codeIds: ['c'],
    unit: 'character',
  };
  const r = twoCoderAgreement(input);
  it('gives 85% agreement with the denominator shown', () => {
    expect(r.perCode[0]!.percentAgreement).toBe(85);
    expect(r.perCode[0]!.denominator).toEqual({
      units: 1000,
      codedByBoth: 50,
      codedByAOnly: 75,
      codedByBOnly: 75,
      codedByOneOnly: 150,
      codedByNeither: 800,
      missing: 0,
    });
  });
  it('gives kappa 11/35, as computed by hand and by R', () => {
    expect(r.perCode[0]!.expectedAgreement).toBe(0.78125);
    expectDigits(num(r.perCode[0]!.kappa), 11 / 35, 15, 'NVivo example kappa vs 11/35');
    const g = golden.kappa.find((k) => k.name === 'nvivo_1000')!;
    expectDigits(num(r.perCode[0]!.kappa), g.kappa, 14, 'NVivo example kappa vs R');
  });
  it('does not depend on how the 150 split between the coders for the percentage', () => {
    const r2 = twoCoderAgreement({
      ...input,
      segments: [
        { sourceId: 's', start: 0, end: 200, codeIds: ['c'], coderId: 'A' },
        { sourceId: 's', start: 150, end: 200, codeIds: ['c'], coderId: 'B' },
      ],
    });
    expect(r2.perCode[0]!.percentAgreement).toBe(85);
    // p_A = .2, p_B = .05: p_e = .01 + .76 = .77, κ = (.85 − .77)/.23 = 8/23
    expectDigits(num(r2.perCode[0]!.kappa), 8 / 23, 15, 'kappa 150/0 split');
  });
});

describe('Cohen kappa and percent agreement vs R (hand formulas; irr when installed)', () => {
  for (const g of golden.kappa) {
    it(g.name, () => {
      const r = cohenKappa(nan(g.a), nan(g.b));
      expect(r.n).toBe(g.n);
      expectDigits(num(r.percentAgreement), g.percentAgreement, 14, `${g.name} percent agreement`);
      expectDigits(num(r.kappa), g.kappa, 13, `${g.name} kappa`);
      if (g.kappaIrr !== null) expectDigits(num(r.kappa), g.kappaIrr, 13, `${g.name} kappa vs irr::kappa2`);
      // alpha for the same two coders (complete pairs)
      const ok = g.a.map((x, i) => x !== null && g.b[i] !== null);
      const a2 = krippendorffAlphaNominal([
        nan(g.a).filter((_, i) => ok[i]),
        nan(g.b).filter((_, i) => ok[i]),
      ]);
      expectDigits(num(a2.alpha), g.alpha, 13, `${g.name} alpha (2 coders)`);
    });
  }
});

describe("Krippendorff's alpha (nominal) vs R", () => {
  for (const g of golden.alpha) {
    it(g.name, () => {
      const r = krippendorffAlphaNominal(g.data.map(nan));
      expectDigits(num(r.alpha), g.alpha, 13, `${g.name} alpha`);
      if (g.alphaIrr !== null)
        expectDigits(num(r.alpha), g.alphaIrr, 13, `${g.name} alpha vs irr::kripp.alpha`);
      expect(r.denominator.pairableValues).toBe(g.pairableValues);
      for (const [c, row] of r.coincidences.entries())
        for (const [k, x] of row.entries())
          expectDigits(x, g.coincidences[c]![k]!, 14, `${g.name} o[${c}][${k}]`);
    });
  }
  it('reproduces the published value of Krippendorff (2011), alpha = 0.743', () => {
    const g = golden.alpha.find((a) => a.name === 'krippendorff_2011_nominal')!;
    const r = krippendorffAlphaNominal(g.data.map(nan));
    expect(num(r.alpha).toFixed(3)).toBe('0.743');
    // 12 units, of which unit 12 has one value only: 11 pairable units, 40 pairable values.
    expect(r.denominator.pairableUnits).toBe(11);
  });
});

describe('segments → units: the sweep agrees with R brute-force expansion', () => {
  const S = golden.segments;
  const turns = S.turnStarts.map((start, i) => ({ start, end: S.turnEnds[i]! }));
  const segments = S.segments.map((s) => ({
    sourceId: 'src',
    start: s.start,
    end: s.end,
    codeIds: [s.code],
    coderId: s.coder,
  }));
  for (const unit of ['character', 'turn'] as const) {
    const input: AgreementInput = {
      sources: [{ id: 'src', length: S.length, turns }],
      segments,
      coders: ['A', 'B'],
      codeIds: ['pressure', 'support'],
      unit,
    };
    const two = twoCoderAgreement(input);
    const a2 = krippendorffAlpha(input);
    const a3 = krippendorffAlpha({ ...input, coders: ['A', 'B', 'C'] });
    const rows = [...two.perCode, two.pooled];
    const alphas2 = [...a2.perCode, a2.pooled];
    const alphas3 = [...a3.perCode, a3.pooled];
    S.results
      .filter((g) => g.unit === unit)
      .forEach((g, i) => {
        it(`${unit} unit, ${g.code}`, () => {
          const r = rows[i]!;
          expect(r.codeId ?? 'pooled').toBe(g.code);
          expect(r.denominator.units).toBe(g.units);
          expect(r.denominator.codedByBoth).toBe(g.both);
          expect(r.denominator.codedByAOnly).toBe(g.aOnly);
          expect(r.denominator.codedByBOnly).toBe(g.bOnly);
          expectDigits(num(r.percentAgreement), g.percentAgreement, 14, `${unit} ${g.code} percent`);
          expectDigits(num(r.kappa), g.kappa, 13, `${unit} ${g.code} kappa`);
          expectDigits(num(alphas2[i]!.alpha), g.alpha2, 13, `${unit} ${g.code} alpha (2 coders)`);
          expectDigits(num(alphas3[i]!.alpha), g.alpha3, 13, `${unit} ${g.code} alpha (3 coders)`);
          expect(alphas3[i]!.denominator.units).toBe(g.units);
        });
      });
  }
});

describe('segments → units: property test against a character-by-character expansion', () => {
  it('the weighted sweep equals per-character counting for random segments', () => {
    const seg = (len: number) =>
      fc.record({
        coder: fc.constantFrom('A', 'B', 'C'),
        start: fc.nat({ max: len }),
        width: fc.integer({ min: 0, max: 15 }),
        code: fc.constantFrom('x', 'y'),
      });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((len) => fc.tuple(fc.constant(len), fc.array(seg(len), { maxLength: 12 }))),
        ([len, raw]) => {
          const segments = raw.map((r) => ({
            sourceId: 's',
            start: r.start,
            end: Math.min(len, r.start + r.width),
            codeIds: [r.code],
            coderId: r.coder,
          }));
          const input: AgreementInput = {
            sources: [{ id: 's', length: len }],
            segments,
            coders: ['A', 'B', 'C'],
            codeIds: ['x'],
            unit: 'character',
          };
          const data = ['A', 'B', 'C'].map((c) => {
            const v = new Array<number>(len).fill(0);
            for (const s of segments)
              if (s.coderId === c && s.codeIds.includes('x')) for (let i = s.start; i < s.end; i++) v[i] = 1;
            return v;
          });
          const fast = krippendorffAlpha(input).perCode[0]!;
          const slow = krippendorffAlphaNominal(data);
          if (typeof slow.alpha === 'number')
            expect(Math.abs(num(fast.alpha) - slow.alpha)).toBeLessThan(1e-12);
          else expect(isNotComputable(fast.alpha)).toBe(true);
          const two = twoCoderAgreement({ ...input, coders: ['A', 'B'] }).perCode[0]!;
          const k = cohenKappa(data[0]!, data[1]!);
          expect(two.percentAgreement).toBe(k.percentAgreement);
          if (typeof k.kappa === 'number') expect(Math.abs(num(two.kappa) - k.kappa)).toBeLessThan(1e-12);
          else expect(isNotComputable(two.kappa)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('units, missing data and degenerate cases', () => {
  it('turn unit: a turn is coded when a segment overlaps it by at least one character', () => {
    const input: AgreementInput = {
      sources: [
        {
          id: 's',
          length: 30,
          turns: [
            { start: 0, end: 10 },
            { start: 10, end: 20 },
            { start: 20, end: 30 },
          ],
        },
      ],
      segments: [
        { sourceId: 's', start: 9, end: 10, codeIds: ['c'], coderId: 'A' }, // last char of turn 1
        { sourceId: 's', start: 5, end: 12, codeIds: ['c'], coderId: 'B' }, // turns 1 and 2
      ],
      coders: ['A', 'B'],
      codeIds: ['c'],
      unit: 'turn',
    };
    const d = twoCoderAgreement(input).perCode[0]!.denominator;
    expect(d).toMatchObject({
      units: 3,
      codedByBoth: 1,
      codedByAOnly: 0,
      codedByBOnly: 1,
      codedByNeither: 1,
    });
  });

  it('a source one coder did not code is missing: kappa drops it, alpha keeps the other coders', () => {
    const input: AgreementInput = {
      sources: [
        { id: 's1', length: 10 },
        { id: 's2', length: 10 },
      ],
      segments: [
        { sourceId: 's1', start: 0, end: 5, codeIds: ['c'], coderId: 'A' },
        { sourceId: 's1', start: 0, end: 5, codeIds: ['c'], coderId: 'B' },
        { sourceId: 's2', start: 0, end: 5, codeIds: ['c'], coderId: 'A' },
        { sourceId: 's2', start: 0, end: 4, codeIds: ['c'], coderId: 'C' },
      ],
      coders: ['A', 'B'],
      codeIds: ['c'],
      unit: 'character',
      coverage: { A: ['s1', 's2'], B: ['s1'], C: ['s1', 's2'] },
    };
    const two = twoCoderAgreement(input).perCode[0]!;
    expect(two.denominator.units).toBe(10);
    expect(two.denominator.missing).toBe(10);
    expect(two.percentAgreement).toBe(100);
    const a = krippendorffAlpha({ ...input, coders: ['A', 'B', 'C'] }).perCode[0]!;
    expect(a.denominator.units).toBe(20);
    expect(a.denominator.missingValues).toBe(10);
    expect(a.denominator.pairableUnits).toBe(20);
    // same as the matrix form with NaN for B on s2
    const row = (f: (i: number) => number) => Array.from({ length: 20 }, (_, i) => f(i));
    const m = krippendorffAlphaNominal([
      row((i) => (i % 10 < 5 ? 1 : 0)),
      row((i) => (i >= 10 ? Number.NaN : i < 5 ? 1 : 0)),
      row((i) => (i < 10 ? 0 : i - 10 < 4 ? 1 : 0)),
    ]);
    expect(num(a.alpha)).toBeCloseTo(num(m.alpha), 14);
  });

  it('nobody coded anything: percent agreement 100, kappa and alpha not computable with a reason', () => {
    const input: AgreementInput = {
      sources: [{ id: 's', length: 50 }],
      segments: [],
      coders: ['A', 'B'],
      codeIds: ['c'],
      unit: 'character',
    };
    const r = twoCoderAgreement(input).perCode[0]!;
    expect(r.percentAgreement).toBe(100);
    expect(isNotComputable(r.kappa)).toBe(true);
    expect((r.kappa as { reason: string }).reason).toMatch(/expected agreement is 1/);
    const a = krippendorffAlpha(input).perCode[0]!;
    expect(isNotComputable(a.alpha)).toBe(true);
  });

  it('no units: everything not computable, never NaN', () => {
    const r = twoCoderAgreement({
      sources: [],
      segments: [],
      coders: ['A', 'B'],
      codeIds: ['c'],
      unit: 'character',
    }).pooled;
    expect(isNotComputable(r.percentAgreement)).toBe(true);
    expect(isNotComputable(r.kappa)).toBe(true);
    expect(isNotComputable(alphaFromUnits([]).alpha)).toBe(true);
  });

  it('refuses kappa for three coders and a coder listed twice', () => {
    const base: AgreementInput = {
      sources: [],
      segments: [],
      coders: ['A', 'B', 'C'],
      codeIds: [],
      unit: 'character',
    };
    expect(() => twoCoderAgreement(base)).toThrow(/exactly two coders/);
    expect(() => krippendorffAlpha({ ...base, coders: ['A', 'A'] })).toThrow(/twice/);
  });

  it('turn unit without turns is a programming error that names the source', () => {
    expect(() =>
      twoCoderAgreement({
        sources: [{ id: 'fgd', length: 5 }],
        segments: [],
        coders: ['A', 'B'],
        codeIds: ['c'],
        unit: 'turn',
      }),
    ).toThrow(/"fgd" has no turns/);
  });
});

describe("Gwet's AC1 and Brennan–Prediger vs R (hand formulas from Gwet 2008, Brennan & Prediger 1981)", () => {
  for (const g of golden.kappa) {
    it(g.name, () => {
      const cats = Array.from({ length: g.q }, (_, i) => (g.q === 2 ? i : i + 1));
      const r = twoRaterCoefficients(nan(g.a), nan(g.b), cats);
      expectDigits(num(r.gwetAc1), g.ac1, 13, `${g.name} AC1`);
      expectDigits(num(r.brennanPrediger), g.bp, 13, `${g.name} Brennan–Prediger`);
      expectDigits(num(r.kappa), g.kappa, 13, `${g.name} kappa`);
    });
  }
  it('the 2×2 path (segments) equals the vector path, and NVivo’s example gives AC1 = 0.808, BP = 0.7', () => {
    const g = golden.kappa.find((k) => k.name === 'nvivo_1000')!;
    const two = chanceCorrectedFromCounts(countsTable(50, 75, 75, 800));
    expectDigits(num(two.gwetAc1), g.ac1, 14, 'AC1 from counts');
    expectDigits(num(two.brennanPrediger), g.bp, 14, 'BP from counts');
    expect(num(two.gwetAc1).toFixed(3)).toBe('0.808');
  });
  it('a rare code: κ collapses while AC1 and BP stay near the observed agreement', () => {
    const g = golden.kappa.find((k) => k.name === 'rare_code_240')!;
    const r = twoRaterCoefficients(nan(g.a), nan(g.b), [0, 1]);
    expect(num(r.gwetAc1)).toBeGreaterThan(num(r.kappa) + 0.1);
    expect(num(r.brennanPrediger)).toBeGreaterThan(num(r.kappa) + 0.1);
  });
  it('refuses a value outside the stated categories', () => {
    expect(() => twoRaterCoefficients([0, 1, 2], [0, 1, 1], [0, 1])).toThrow(/Value 2 is not one of/);
  });
});

describe('moderator turns left out of the units vs R', () => {
  const S = golden.segments;
  const turns = S.turnStarts.map((start, i) => ({ start, end: S.turnEnds[i]! }));
  const excluded = S.moderatorTurns.map((t) => turns[t - 1]!);
  const segments = S.segments.map((s) => ({
    sourceId: 'src',
    start: s.start,
    end: s.end,
    codeIds: [s.code],
    coderId: s.coder,
  }));
  for (const unit of ['character', 'turn'] as const) {
    const input: AgreementInput = {
      sources: [{ id: 'src', length: S.length, turns, excluded }],
      segments,
      coders: ['A', 'B'],
      codeIds: ['pressure', 'support'],
      unit,
    };
    const two = twoCoderAgreement(input);
    const a3 = krippendorffAlpha({ ...input, coders: ['A', 'B', 'C'] });
    S.scopeResults
      .filter((g) => g.unit === unit)
      .forEach((g, i) => {
        it(`${unit} unit, ${g.code}`, () => {
          const r = two.perCode[i]!;
          expect(r.denominator.units).toBe(g.units);
          expect(r.denominator.codedByBoth).toBe(g.both);
          expectDigits(num(r.percentAgreement), g.percentAgreement, 14, `${unit} ${g.code} percent`);
          expectDigits(num(r.kappa), g.kappa, 13, `${unit} ${g.code} kappa`);
          expectDigits(num(r.gwetAc1), g.ac1, 13, `${unit} ${g.code} AC1`);
          expectDigits(num(r.brennanPrediger), g.bp, 13, `${unit} ${g.code} BP`);
          expectDigits(num(a3.perCode[i]!.alpha), g.alpha3, 13, `${unit} ${g.code} alpha (3 coders)`);
        });
      });
  }
});
