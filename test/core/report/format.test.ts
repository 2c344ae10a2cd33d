import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCi,
  formatCountPercent,
  formatDf,
  formatFixed,
  formatInteger,
  formatLevel,
  formatP,
  formatPExpression,
  formatPercent,
  formatPercentCi,
  formatPlain,
  formatSignificant,
  formatStatistic,
  percentOf,
} from '../../../src/core/report/format.js';

describe('formatFixed: half away from zero on the decimal representation', () => {
  it.each([
    // [x, decimals, expected, why]
    [0.125, 2, '0.13', 'exact half rounds up (SPSS), not to even'],
    [-0.125, 2, '-0.13', 'away from zero for negatives'],
    [0.375, 2, '0.38', 'exact binary half'],
    [1.005, 2, '1.01', 'stored as 1.00499999999999989…; toFixed gives 1.00'],
    [2.675, 2, '2.68', 'stored as 2.67499999999999982…'],
    [1.45, 1, '1.5', 'stored as 1.4499999999999999556'],
    [0.045, 2, '0.05', 'stored below the half'],
    [8.345, 2, '8.35', 'stored below the half'],
    [0.5, 0, '1', 'not banker’s rounding'],
    [1.5, 0, '2', ''],
    [2.5, 0, '3', 'banker’s would give 2'],
    [-2.5, 0, '-3', ''],
    [9.995, 2, '10.00', 'carry into a new integer digit'],
    [0.9999, 3, '1.000', 'carry across the point'],
    [1.0866, 2, '1.09', 'seed Table 3 mean'],
    [0.899, 2, '0.90', 'trailing zero kept'],
    [0.53186, 2, '0.53', ''],
    [0.0049, 2, '0.00', ''],
    [-0.0049, 2, '0.00', 'no negative zero'],
    [-0.005, 2, '-0.01', ''],
    [0, 3, '0.000', ''],
    [-0, 2, '0.00', ''],
    [0.0005, 3, '0.001', ''],
    [1.23e-7, 3, '0.000', 'tiny number in exponential notation'],
    [123456.789, 1, '123456.8', ''],
    [1e21, 0, '1000000000000000000000', 'large number in exponential notation'],
    [3, 2, '3.00', ''],
    [217, 0, '217', ''],
  ] as const)('formatFixed(%s, %s) = %s', (x, d, expected) => {
    expect(formatFixed(x, d)).toBe(expected);
  });

  it('drops the leading zero on request', () => {
    expect(formatFixed(0.87, 2, { leadingZero: false })).toBe('.87');
    expect(formatFixed(-0.12, 2, { leadingZero: false })).toBe('-.12');
    expect(formatFixed(1.5, 2, { leadingZero: false })).toBe('1.50');
    expect(formatFixed(0.001, 2, { leadingZero: false })).toBe('.00');
  });

  it('is not toFixed (which rounds the binary value)', () => {
    expect((1.005).toFixed(2)).toBe('1.00');
    expect(formatFixed(1.005, 2)).toBe('1.01');
  });

  it('rounds every decimal half away from zero (property)', () => {
    // x = m.5 × 10^-d written in decimal: expected is (m + 1) × 10^-d, exactly, as text
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (m, d, neg) => {
          const digits = String(m).padStart(d + 1, '0');
          const intPart = digits.slice(0, digits.length - d);
          const frac = digits.slice(digits.length - d);
          const x = Number(`${neg ? '-' : ''}${intPart}.${frac}5`);
          const up = String(m + 1).padStart(d + 1, '0');
          const expected = `${neg ? '-' : ''}${up.slice(0, up.length - d)}${d > 0 ? `.${up.slice(up.length - d)}` : ''}`;
          expect(formatFixed(x, d)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the value to within half a unit (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 6 }), (x, d) => {
        const s = formatFixed(x, d);
        expect(s).toMatch(d === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${d}}$`));
        expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(
          0.5 * 10 ** -d * (1 + 1e-9) + Math.abs(x) * 1e-14,
        );
        expect(s.startsWith('-') && Number(s) === 0).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws on non-finite input and bad decimals', () => {
    expect(() => formatFixed(Number.NaN, 2)).toThrow(RangeError);
    expect(() => formatFixed(Number.POSITIVE_INFINITY, 2)).toThrow(RangeError);
    expect(() => formatFixed(1, -1)).toThrow(RangeError);
    expect(() => formatFixed(1, 1.5)).toThrow(RangeError);
  });
});

describe('formatSignificant', () => {
  it.each([
    [0.0499612, 4, '0.04996'],
    [0.0496, 4, '0.04960'],
    [0.0499999, 6, '0.0499999'],
    [0.0499999, 4, '0.05000'],
    [9.9996, 4, '10.00'],
    [123456, 2, '120000'],
    [0.000123456, 3, '0.000123'],
  ] as const)('formatSignificant(%s, %s) = %s', (x, s, expected) => {
    expect(formatSignificant(x, s)).toBe(expected);
  });
});

describe('formatP: APA p-values that never cross alpha by rounding', () => {
  it.each([
    // [p, expected]
    [0.0005, '< .001'],
    [0.000999, '< .001'],
    [0.00099999999, '< .001'],
    [0, '< .001'],
    [0.001, '.001'],
    [0.0014, '.001'],
    [0.022, '.022'],
    [0.02249056894, '.022'], // seed Table 3, instrumental (Student t from the summary statistics)
    [0.0525, '.053'], // half away from zero
    [0.286, '.286'],
    [0.04949, '.049'],
    [0.0495, '.04950'], // would print .050 although p < .05
    [0.0496, '.04960'],
    [0.04996, '.04996'],
    [0.0499999, '.0499999'], // 4 and 5 significant digits still read .0500; 6 do not
    [0.05, '.050'], // p = alpha: not significant, .050 is on the same side
    [0.0500001, '.050'],
    [0.053, '.053'],
    [0.9996, '1.000'],
    [1, '1.000'],
  ] as const)('formatP(%s) = %s', (p, expected) => {
    expect(formatP(p)).toBe(expected);
  });

  it('never prints .000 and never a leading zero', () => {
    for (const p of [0, 1e-12, 0.0004, 0.0009, 0.001, 0.01, 0.5]) {
      expect(formatP(p)).not.toMatch(/^\.000$|^0\./);
    }
  });

  it('keeps the printed value on the same side of other alphas', () => {
    expect(formatP(0.00996, { alpha: 0.01 })).toBe('.009960');
    expect(formatP(0.0104, { alpha: 0.01 })).toBe('.010');
    expect(formatP(0.01664, { alpha: 0.05 / 3 })).toBe('.01664'); // Bonferroni for 3 tests
    expect(formatP(0.0164, { alpha: 0.0163 })).toBe('.01640'); // p ≥ alpha but .016 < alpha
  });

  it('moves the "<" floor below alpha when alpha ≤ .001', () => {
    expect(formatP(0.0003, { alpha: 0.0005 })).toBe('.0003');
    expect(formatP(0.0007, { alpha: 0.0005 })).toBe('.0007');
    expect(formatP(0.00005, { alpha: 0.0005 })).toBe('< .0001');
    expect(formatP(0.0005, { alpha: 0.001 })).toBe('.0005');
  });

  it('printed side of alpha always matches the exact p (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.0011, max: 0.5, noNaN: true }),
        (p, alpha) => {
          const s = formatP(p, { alpha });
          if (s.startsWith('<')) {
            expect(p).toBeLessThan(0.001);
          } else {
            expect(Number(s) < alpha).toBe(p < alpha);
            expect(s).toMatch(/^(\.\d{3,}|1\.000)$/);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('checks values near alpha densely', () => {
    for (let k = -2000; k <= 2000; k++) {
      const p = 0.05 + k * 1e-7;
      const s = formatP(p);
      expect(Number(s) < 0.05, `p = ${p} printed ${s}`).toBe(p < 0.05);
    }
  });

  it('formats p expressions', () => {
    expect(formatPExpression(0.0005)).toBe('p < .001');
    expect(formatPExpression(0.022)).toBe('p = .022');
  });

  it('rejects impossible p-values and alphas', () => {
    expect(() => formatP(Number.NaN)).toThrow(RangeError);
    expect(() => formatP(-0.01)).toThrow(RangeError);
    expect(() => formatP(1.01)).toThrow(RangeError);
    expect(() => formatP(0.5, { alpha: 0 })).toThrow(RangeError);
    expect(() => formatP(0.5, { alpha: 1 })).toThrow(RangeError);
  });
});

describe('other formats', () => {
  it('statistics, df, integers', () => {
    expect(formatStatistic(2.298565099)).toBe('2.30');
    expect(formatStatistic(-2.298565099)).toBe('-2.30');
    expect(formatDf(215)).toBe('215');
    expect(formatDf(102.1297209)).toBe('102.13');
    expect(formatInteger(1234)).toBe('1234');
    expect(formatInteger(0)).toBe('0');
    expect(formatInteger(-3)).toBe('-3');
    expect(() => formatInteger(2.5)).toThrow(RangeError);
  });

  it('percentages with their denominator', () => {
    expect(formatPercent(0.447)).toBe('44.7%');
    expect(formatPercent(0.125, 0)).toBe('13%');
    expect(formatCountPercent(97, 217)).toBe('44.7% (97/217)');
    expect(formatCountPercent(116, 217)).toBe('53.5% (116/217)');
    expect(formatCountPercent(36, 167)).toBe('21.6% (36/167)');
    expect(formatCountPercent(1, 8)).toBe('12.5% (1/8)');
    expect(formatCountPercent(1, 80)).toBe('1.3% (1/80)'); // 1.25 → 1.3, half away from zero
    expect(formatCountPercent(0, 10)).toBe('0.0% (0/10)');
    expect(formatCountPercent(61, 217, 2)).toBe('28.11% (61/217)');
    expect(percentOf(55, 217)).toBe('25.3%');
    expect(() => formatCountPercent(1, 0)).toThrow(RangeError);
  });

  it('confidence intervals', () => {
    expect(formatCi(0.12, 0.45)).toBe('[0.12, 0.45]');
    expect(formatCi(0.0483, 0.6524)).toBe('[0.05, 0.65]');
    expect(formatCi(-0.1449, 0.4612)).toBe('[-0.14, 0.46]');
    expect(formatCi(0.8431, 0.8963, 2, { leadingZero: false })).toBe('[.84, .90]');
    expect(formatPercentCi(0.2255022813, 0.3443248675)).toBe('[22.6%, 34.4%]');
  });

  it('plain numbers and levels', () => {
    expect(formatPlain(1.5)).toBe('1.5');
    expect(formatPlain(0.1 + 0.2)).toBe('0.3');
    expect(formatPlain(2)).toBe('2');
    expect(formatPlain(1500)).toBe('1500');
    expect(formatPlain(-0.25)).toBe('-0.25');
    expect(formatPlain(1e-7)).toBe('0.0000001');
    expect(formatPlain(0)).toBe('0');
    expect(formatLevel(0.95)).toBe('95%');
    expect(formatLevel(0.9)).toBe('90%');
    expect(formatLevel(0.975)).toBe('97.5%');
  });
});
