import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answersJson, sharedAnswer } from '../../../src/core/response/answersJson.js';

const shared = [
  sharedAnswer({ kind: 'value', value: 0 }),
  sharedAnswer({ kind: 'value', value: -2.5 }),
  sharedAnswer({ kind: 'na' }),
  sharedAnswer({ kind: 'skipped' }),
  sharedAnswer({ kind: 'not_shown' }),
];

describe('answersJson is JSON.stringify', () => {
  it('for any mix of shared answers, other answers and arbitrary JSON values, under any keys', () => {
    const member = fc.oneof(
      fc.constantFrom(...shared),
      fc.record({ kind: fc.constant('text'), text: fc.string() }),
      fc.record({ kind: fc.constant('choices'), values: fc.array(fc.integer()) }),
      fc.jsonValue(),
      fc.constantFrom(undefined, () => 1, Symbol('s'), new Date(0), -0, Number.NaN),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), member), (answers) => {
        expect(answersJson(answers)).toBe(JSON.stringify(answers));
      }),
      { numRuns: 2000 },
    );
  });

  it('for objects JSON.stringify treats specially', () => {
    const withToJson = { a: shared[0], toJSON: () => 'x' };
    const keyedToJson = { k: { toJSON: (key: string) => `key ${key}` }, b: shared[2] };
    const nullProto = Object.assign(Object.create(null), { a: shared[1] });
    for (const v of [withToJson, keyedToJson, nullProto, {}, { '': shared[3], '"\u2028': shared[4] }])
      expect(answersJson(v)).toBe(JSON.stringify(v));
  });

  it('throws as JSON.stringify does for values it cannot write', () => {
    expect(() => answersJson({ a: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { cyclic };
    expect(() => answersJson(cyclic)).toThrow(TypeError);
  });

  it('keeps shared answers frozen', () => {
    expect(Object.isFrozen(shared[0])).toBe(true);
  });
});
