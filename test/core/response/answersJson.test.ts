import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Answer, type Answers, parseAnswer } from '../../../src/core/response/answer.js';
import {
  decodeStoredAnswers,
  encodeStoredAnswers,
  NA_ANSWER,
  NOT_SHOWN_ANSWER,
  SKIPPED_ANSWER,
  sharedAnswer,
} from '../../../src/core/response/answersJson.js';

/** The stored text, parsed and decoded again: what a read from the database gives. */
const roundTrip = (answers: Answers) => decodeStoredAnswers(JSON.parse(encodeStoredAnswers(answers)));

const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
/** Every kind of answer, fresh or shared. */
const answer: fc.Arbitrary<Answer> = fc.oneof(
  number.map((value) => ({ kind: 'value', value }) as const),
  number.map((value) => sharedAnswer({ kind: 'value', value } as const)),
  fc.array(number).map((values) => ({ kind: 'choices', values }) as const),
  fc.string({ unit: 'grapheme' }).map((text) => ({ kind: 'text', text }) as const),
  fc.string({ unit: 'binary' }).map((text) => ({ kind: 'text', text }) as const),
  fc.constantFrom<Answer>({ kind: 'na' }, { kind: 'skipped' }, { kind: 'not_shown' }),
  fc.constantFrom(NA_ANSWER, SKIPPED_ANSWER, NOT_SHOWN_ANSWER),
);

describe('stored answers (version 2)', () => {
  it('decode(encode(answers)) is the answers, for every kind of answer under any item id', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), answer, { maxKeys: 40, noNullPrototype: true }), (answers) => {
        const text = encodeStoredAnswers(answers);
        expect(text.startsWith('[2,{')).toBe(true);
        const back = decodeStoredAnswers(JSON.parse(text));
        expect(back).toStrictEqual(answers);
        expect(Object.keys(back as object)).toEqual(Object.keys(answers));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes each kind compactly, and a BACE-like response in well under half the bytes', () => {
    const answers: Record<string, Answer> = {
      a: { kind: 'value', value: 2 },
      b: { kind: 'choices', values: [1, 3] },
      c: { kind: 'text', text: 'x "y"' },
      d: NA_ANSWER,
      e: SKIPPED_ANSWER,
      f: NOT_SHOWN_ANSWER,
    };
    expect(encodeStoredAnswers(answers)).toBe(
      '[2,{"a":2,"b":[1,3],"c":"x \\"y\\"","d":true,"e":null,"f":false}]',
    );
    const bace: Record<string, Answer> = {};
    for (let i = 1; i <= 30; i++)
      bace[`bace3_${String(i).padStart(2, '0')}`] = { kind: 'value', value: i % 4 };
    expect(encodeStoredAnswers(bace).length).toBeLessThan(JSON.stringify(bace).length / 2.5);
  });

  it('reads rows written before version 2 (the answers object itself) unchanged', () => {
    const old = {
      q1: { kind: 'value', value: 3 },
      q2: { kind: 'choices', values: [1, 2] },
      q3: { kind: 'na' },
    };
    expect(decodeStoredAnswers(JSON.parse(JSON.stringify(old)))).toStrictEqual(old);
  });

  it('writes only answers: anything else is refused naming the item, an extra member is not kept', () => {
    for (const v of [
      { q1: 3, q2: [1, 2] },
      { q1: { kind: 'value', value: 2 }, q2: 'loose' },
      { q1: { kind: 'guess' } },
    ])
      expect(() => encodeStoredAnswers(v as unknown as Answers)).toThrow(
        /Response answers cannot be stored: q[12]/,
      );
    for (const v of [[2, { q1: 2 }], [1, 2, 3], 'text', 7, null])
      expect(() => encodeStoredAnswers(v as unknown as Answers)).toThrow(TypeError);
    const extra = { q1: { kind: 'value', value: 2, extra: true } } as unknown as Answers;
    expect(encodeStoredAnswers(extra)).toBe('[2,{"q1":2}]');
    expect(roundTrip(extra)).toStrictEqual({ q1: { kind: 'value', value: 2 } });
    expect(roundTrip({})).toStrictEqual({});
  });

  it('reads the older forms (the answers object, [1, …]) through the answers schema, and refuses what is not answers', () => {
    const old = { q1: { kind: 'value', value: 2 }, q2: { kind: 'choices', values: [1] } };
    expect(decodeStoredAnswers([1, old])).toStrictEqual(old);
    expect(() => decodeStoredAnswers({ q1: 3 })).toThrow(/Stored answers are not answers \(q1: /);
    expect(() => decodeStoredAnswers([1, [1, 2, 3]])).toThrow(/Stored answers are not answers/);
    expect(() => decodeStoredAnswers({ q1: { kind: 'value', value: '2' } })).toThrow(/q1\.value: /);
  });

  it('refuses, naming the problem, a versioned form it does not know instead of guessing', () => {
    expect(() => decodeStoredAnswers([3, {}])).toThrow(
      /unknown format \(version 3\); this nabz reads versions 1 and 2/,
    );
    expect(() => decodeStoredAnswers([2, { q1: { kind: 'value' } }])).toThrow(
      /Stored answer "q1" is not a version-2 answer/,
    );
    expect(() => decodeStoredAnswers([2, [1]])).toThrow(/do not hold an object of answers/);
    expect(() => decodeStoredAnswers([2, { q1: ['a'] }])).toThrow(TypeError);
  });

  it('throws a TypeError for values JSON cannot store', () => {
    expect(() => encodeStoredAnswers({ a: 1n } as unknown as Answers)).toThrow(TypeError);
    expect(() => encodeStoredAnswers(undefined as unknown as Answers)).toThrow(
      /must be an object of answers/,
    );
  });

  it('shares one frozen answer per kind with no payload, and decodes to them', () => {
    const back = decodeStoredAnswers([2, { a: true, b: null, c: false }]) as Record<string, Answer>;
    expect(back.a).toBe(NA_ANSWER);
    expect(back.b).toBe(SKIPPED_ANSWER);
    expect(back.c).toBe(NOT_SHOWN_ANSWER);
    expect(Object.isFrozen(NA_ANSWER)).toBe(true);
  });
});

describe('parseAnswer (the answer schema)', () => {
  it('accepts every kind and refuses other shapes', () => {
    expect(parseAnswer({ kind: 'value', value: 1 })).toEqual({ kind: 'value', value: 1 });
    expect(parseAnswer({ kind: 'choices', values: [1, 2] })).toEqual({ kind: 'choices', values: [1, 2] });
    expect(parseAnswer({ kind: 'text', text: '' })).toEqual({ kind: 'text', text: '' });
    for (const k of ['na', 'skipped', 'not_shown']) expect(parseAnswer({ kind: k })).toEqual({ kind: k });
    for (const bad of [
      null,
      3,
      'x',
      {},
      { kind: 'value' },
      { kind: 'value', value: '2' },
      { kind: 'choices', values: ['a'] },
    ])
      expect(parseAnswer(bad)).toBeUndefined();
  });
});
