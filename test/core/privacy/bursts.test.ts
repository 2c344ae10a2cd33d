/**
 * Bursts of near-identical responses (src/core/privacy/bursts.ts; issue 12, finding 2): the padding attack's
 * made-up responses are found, ordinary varied responses are not.
 */
import { describe, expect, it } from 'vitest';
import {
  answerSignature,
  differences,
  flaggedPositions,
  groupBursts,
} from '../../../src/core/privacy/bursts.js';

/** Stored answers to ten items with the given values and a year. */
function response(values: readonly number[], year: number): Record<string, unknown> {
  const answers: Record<string, unknown> = { year: { kind: 'value', value: year } };
  values.forEach((v, i) => {
    answers[`q${i + 1}`] = { kind: 'value', value: v };
  });
  return answers;
}

/** Ten item values that differ between seeds in most places. */
const varied = (seed: number) =>
  Array.from({ length: 10 }, (_, i) => (seed * 7 + i * 3 + ((seed * i) % 5)) % 4);

describe('flaggedPositions', () => {
  it('flags padded responses among varied ones from the third on, and nothing in varied data', () => {
    const real = Array.from({ length: 12 }, (_, i) => response(varied(i), (i % 2) + 1));
    expect(flaggedPositions(real)).toEqual([]);
    const fake = [0, 1, 2, 3].map((j) => response([3, 3, 3, 3, 3, 3, 3, 3, 3, j === 2 ? 2 : 3], 2));
    const all = [...real.slice(0, 6), ...fake, ...real.slice(6)];
    // The first two fakes have too few alike predecessors; the third and fourth are flagged.
    expect(flaggedPositions(all)).toEqual([8, 9]);
    expect(groupBursts(flaggedPositions(all))).toEqual([[8, 9]]);
    // Looking only backwards: a later response never changes an earlier flag.
    expect(flaggedPositions(all.slice(0, 9))).toEqual([8]);
  });

  it('compares with the last `window` responses and needs `minSize − 1` alike ones', () => {
    const same = response([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 1);
    const filler = Array.from({ length: 20 }, (_, i) => response(varied(i + 20), 2));
    // The third alike response comes 11 places after the second: out of the default window of 10.
    expect(flaggedPositions([same, ...filler.slice(0, 4), same, ...filler.slice(4, 14), same])).toEqual([]);
    expect(flaggedPositions([same, ...filler.slice(0, 3), same, same])).toEqual([5]);
    expect(flaggedPositions([same, same], { minSize: 2 })).toEqual([1]);
    expect(groupBursts([3, 5, 30, 41, 45], 10)).toEqual([[3, 5], [30], [41, 45]]);
  });

  it('counts an answer only one response has as a difference', () => {
    const a = answerSignature({ x: { kind: 'value', value: 1 }, y: { kind: 'value', value: 2 } });
    const b = answerSignature({ x: { kind: 'value', value: 1 } });
    const c = answerSignature({ y: { value: 2, kind: 'value' }, x: { kind: 'value', value: 1 } });
    expect(differences(a, b)).toBe(1);
    expect(differences(b, a)).toBe(1);
    expect(differences(a, c)).toBe(0); // key order inside an answer does not matter
  });
});
