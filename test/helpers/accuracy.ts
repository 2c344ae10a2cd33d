import { expect } from 'vitest';

/**
 * Log relative error: about the number of correct significant digits of `actual` against `expected`.
 * Exact agreement gives Infinity (reported as 17). When the reference is 0, the absolute error is used.
 */
export function lre(actual: number, expected: number): number {
  if (actual === expected) return 17;
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return 0;
  const err = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  return err === 0 ? 17 : Math.min(17, -Math.log10(err));
}

/**
 * Assert `actual` agrees with the reference to at least `digits` significant digits.
 * The failure message names the quantity, both values, the digits reached and the tolerance.
 */
export function expectDigits(actual: number, expected: number, digits: number, what: string): void {
  const got = lre(actual, expected);
  expect(
    got >= digits,
    `${what}: got ${actual}, reference ${expected}: ${got.toFixed(2)} correct digits, need >= ${digits}`,
  ).toBe(true);
}
