import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileExpressionWith,
  type Expr,
  type ExprValue,
  evaluateCondition,
  evaluateExpression,
  KEYWORDS,
  type Literal,
  type Lookup,
  MAX_DEPTH,
  parseExpression,
  printExpression,
  validateExpression,
} from '../../../src/core/instrument/expression.js';

/** Remove source positions so ASTs compare by structure. */
function strip(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(strip);
  if (e && typeof e === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (k !== 'pos') out[k] = strip(v);
    return out;
  }
  return e;
}

function parse(src: string): Expr {
  const r = parseExpression(src);
  if (!r.ok) throw new Error(r.error.message);
  return strip(r.value) as Expr;
}

const ref = (id: string): Expr => ({ type: 'ref', scope: 'item', id });
const num = (value: number): Expr => ({ type: 'number', value });

function lookupFrom(
  values: Record<string, ExprValue | undefined>,
  scores: Record<string, number> = {},
): Lookup {
  return (scope, id) => (scope === 'score' ? scores[id] : values[id]);
}

describe('parser', () => {
  it('parses comparisons, refs, scores and literals', () => {
    expect(parse('phq9_9 > 0')).toEqual({ type: 'compare', op: '>', left: ref('phq9_9'), right: num(0) });
    expect(parse('score.dass21_d >= 28')).toEqual({
      type: 'compare',
      op: '>=',
      left: { type: 'ref', scope: 'score', id: 'dass21_d' },
      right: num(28),
    });
    expect(parse('x == "a\\"b"')).toEqual({
      type: 'compare',
      op: '=',
      left: ref('x'),
      right: { type: 'string', value: 'a"b' },
    });
    expect(parse('x != -1.5e3')).toEqual({ type: 'compare', op: '!=', left: ref('x'), right: num(-1500) });
    expect(parse('true')).toEqual({ type: 'boolean', value: true });
  });

  it('gives "or" the lowest precedence, then "and", then "not", then comparison', () => {
    expect(parse('a = 1 or b = 2 and not c = 3')).toEqual({
      type: 'or',
      left: { type: 'compare', op: '=', left: ref('a'), right: num(1) },
      right: {
        type: 'and',
        left: { type: 'compare', op: '=', left: ref('b'), right: num(2) },
        right: { type: 'not', operand: { type: 'compare', op: '=', left: ref('c'), right: num(3) } },
      },
    });
    // left associative
    expect(parse('a and b and c')).toEqual({
      type: 'and',
      left: { type: 'and', left: ref('a'), right: ref('b') },
      right: ref('c'),
    });
    expect(parse('(a or b) and c')).toEqual({
      type: 'and',
      left: { type: 'or', left: ref('a'), right: ref('b') },
      right: ref('c'),
    });
  });

  it('parses in-lists and functions', () => {
    expect(parse('gender in [1, 2, "x", true]')).toEqual({
      type: 'in',
      value: ref('gender'),
      list: [num(1), num(2), { type: 'string', value: 'x' }, { type: 'boolean', value: true }],
    });
    expect(parse('x in []')).toEqual({ type: 'in', value: ref('x'), list: [] });
    expect(parse('count(a, score.b) >= 2')).toEqual({
      type: 'compare',
      op: '>=',
      left: { type: 'call', name: 'count', args: [ref('a'), { type: 'ref', scope: 'score', id: 'b' }] },
      right: num(2),
    });
    expect(parse('any(a > 0, b > 0)')).toEqual({
      type: 'call',
      name: 'any',
      args: [
        { type: 'compare', op: '>', left: ref('a'), right: num(0) },
        { type: 'compare', op: '>', left: ref('b'), right: num(0) },
      ],
    });
    expect(parse('not answered(q1)')).toEqual({
      type: 'not',
      operand: { type: 'call', name: 'answered', args: [ref('q1')] },
    });
  });

  it('keeps source positions on nodes', () => {
    const r = parseExpression('  a = 1 and score.s > 2');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.pos).toBe(8); // the "and"
    if (r.value.type !== 'and' || r.value.right.type !== 'compare') throw new Error('shape');
    expect(r.value.right.left.pos).toBe(12);
  });

  const errors: [string, number, RegExp][] = [
    ['phq9_9 >', 8, /expected a value.*found the end of the expression/],
    ['', 0, /expected an expression/],
    ['a = 1 and', 9, /expected a value/],
    ['(a = 1', 6, /expected "\)" to close the "\(" at position 1/],
    ['a < b < c', 6, /comparisons cannot be chained/],
    ['a b', 2, /expected "and", "or", a comparison operator or the end/],
    ['answered(1)', 9, /an item id or score.<id> inside answered/],
    ['answered(a, b)', 10, /answered\(...\) takes exactly one id/],
    ['count()', 6, /an item id or score.<id> inside count/],
    ['any()', 4, /at least one condition inside any/],
    ['foo(a)', 0, /one of the functions answered, count, any, all/],
    ["x = 'a'", 4, /strings use double quotes/],
    ['a & b', 2, /write "and"/],
    ['a = "abc', 4, /a closing " for the string/],
    ['score. = 1', 7, /a score id after "score."/],
    ['a.b = 1', 1, /only score.<id> and band.<id> use a dot/],
    ['x in [a]', 6, /a number, a "string", true or false in the list/],
    ['x in [1 2]', 8, /"," or "\]" in the list/],
    ['x = 1.', 6, /a digit after the decimal point/],
    ['x = 1e', 6, /the digits of an exponent/],
    ['x = 12ab', 6, /an operator or space after the number/],
    ['x = 1e999', 4, /a number within range/],
    ['x = -a', 5, /a number after "-"/],
    ['and = 1', 0, /expected a value/],
    ['x = "\\q"', 5, /an escape/],
  ];
  for (const [src, pos, msg] of errors) {
    it(`reports the position and what was expected for ${JSON.stringify(src)}`, () => {
      const r = parseExpression(src);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.pos).toBe(pos);
      expect(r.error.message).toMatch(msg);
      expect(r.error.message).toMatch(new RegExp(`^at position ${pos + 1}`));
    });
  }

  it('rejects deep nesting with an error instead of overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_DEPTH + 1)}a${')'.repeat(MAX_DEPTH + 1)}`;
    const r = parseExpression(deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/levels of nesting/);
    expect(parseExpression(`${'not '.repeat(10_000)}a`).ok).toBe(false);
    expect(parseExpression(`${'('.repeat(MAX_DEPTH - 1)}a${')'.repeat(MAX_DEPTH - 1)}`).ok).toBe(true);
  });
});

describe('evaluator (three-valued logic)', () => {
  const T = { type: 'boolean', value: true } as const;
  const F = { type: 'boolean', value: false } as const;
  const U = ref('missing');
  const ev = (e: Expr): ExprValue => evaluateExpression(e, lookupFrom({}));

  it('follows the Kleene truth tables for and / or / not', () => {
    const and = (a: Expr, b: Expr): Expr => ({ type: 'and', left: a, right: b });
    const or = (a: Expr, b: Expr): Expr => ({ type: 'or', left: a, right: b });
    expect([
      ev(and(T, T)),
      ev(and(T, F)),
      ev(and(F, U)),
      ev(and(U, F)),
      ev(and(T, U)),
      ev(and(U, U)),
    ]).toEqual([true, false, false, false, null, null]);
    expect([ev(or(F, F)), ev(or(T, F)), ev(or(T, U)), ev(or(U, T)), ev(or(F, U)), ev(or(U, U))]).toEqual([
      false,
      true,
      true,
      true,
      null,
      null,
    ]);
    expect([ev({ type: 'not', operand: T }), ev({ type: 'not', operand: U })]).toEqual([false, null]);
  });

  it('treats unanswered items as unknown: conditions on them do not hold', () => {
    const l = lookupFrom({ phq9_9: null, a: 2 });
    expect(evaluateCondition(parse('phq9_9 > 0'), l)).toBe(false);
    expect(evaluateCondition(parse('phq9_9 = 0'), l)).toBe(false);
    expect(evaluateCondition(parse('not phq9_9 > 0'), l)).toBe(false);
    expect(evaluateCondition(parse('phq9_9 > 0 or a = 2'), l)).toBe(true);
    expect(evaluateExpression(parse('phq9_9 in [0, 1]'), l)).toBe(null);
    expect(evaluateExpression(parse('x > 1'), lookupFrom({ x: Number.NaN }))).toBe(null);
  });

  it('compares by type: different types are never equal and have no order', () => {
    const l = lookupFrom({ n: 1, s: '1', b: true });
    expect(evaluateExpression(parse('n = "1"'), l)).toBe(false);
    expect(evaluateExpression(parse('n != "1"'), l)).toBe(true);
    expect(evaluateExpression(parse('n < "a"'), l)).toBe(null);
    expect(evaluateExpression(parse('s = "1"'), l)).toBe(true);
    expect(evaluateExpression(parse('"a" < "b"'), l)).toBe(true);
    expect(evaluateExpression(parse('b = true'), l)).toBe(true);
    expect(evaluateExpression(parse('b < true'), l)).toBe(null);
    expect(evaluateExpression(parse('n in [0, 1]'), l)).toBe(true);
    expect(evaluateExpression(parse('n in ["1"]'), l)).toBe(false);
    expect(evaluateExpression(parse('n in []'), l)).toBe(false);
  });

  it('answered, count, any, all', () => {
    const l = lookupFrom({ a: 0, b: null, c: 3, t: 'x' }, { s: 1.5 });
    expect(evaluateExpression(parse('answered(a)'), l)).toBe(true); // 0 is an answer
    expect(evaluateExpression(parse('answered(b)'), l)).toBe(false);
    expect(evaluateExpression(parse('answered(score.s)'), l)).toBe(true);
    expect(evaluateExpression(parse('answered(score.zz)'), l)).toBe(false);
    expect(evaluateExpression(parse('count(a, b, c, t, zz)'), l)).toBe(3);
    expect(evaluateExpression(parse('any(a > 0, b > 0)'), l)).toBe(null); // false, unknown
    expect(evaluateExpression(parse('any(a > 0, c > 0)'), l)).toBe(true);
    expect(evaluateExpression(parse('any(a > 0, c > 5)'), l)).toBe(false);
    expect(evaluateExpression(parse('all(a = 0, c = 3)'), l)).toBe(true);
    expect(evaluateExpression(parse('all(a = 0, b = 3)'), l)).toBe(null);
    expect(evaluateExpression(parse('all(a = 1, b = 3)'), l)).toBe(false);
    expect(evaluateCondition(parse('score.s >= 1.5'), l)).toBe(true);
  });

  it('uses truthiness for bare values in logical positions', () => {
    const l = lookupFrom({ z: 0, one: 1, e: '', s: 'x' });
    expect(evaluateCondition(parse('one'), l)).toBe(true);
    expect(evaluateCondition(parse('z'), l)).toBe(false);
    expect(evaluateCondition(parse('s and not e'), l)).toBe(true);
  });

  it('evaluates the PHQ-9 function item rule', () => {
    const e = parse('any(phq9_1 > 0, phq9_2 > 0, phq9_3 > 0)');
    expect(evaluateCondition(e, lookupFrom({ phq9_1: 0, phq9_2: 0, phq9_3: 0 }))).toBe(false);
    expect(evaluateCondition(e, lookupFrom({ phq9_1: 0, phq9_2: 1, phq9_3: 0 }))).toBe(true);
    expect(evaluateCondition(e, lookupFrom({ phq9_1: 0, phq9_2: null, phq9_3: 2 }))).toBe(true);
  });

  it('binds references once with compileExpressionWith', () => {
    const bound: string[] = [];
    const col = [0, 1, 2];
    const f = compileExpressionWith<number>(parse('x >= 1 and x >= 1'), (scope, id) => {
      bound.push(`${scope}:${id}`);
      return (row) => col[row] ?? null;
    });
    expect([0, 1, 2].map(f)).toEqual([false, true, true]);
    expect(bound).toEqual(['item:x', 'item:x']);
  });

  it('evaluates malformed ASTs to unknown instead of throwing', () => {
    const l = lookupFrom({});
    expect(evaluateExpression({ type: 'nonsense' } as unknown as Expr, l)).toBe(null);
    expect(evaluateExpression({ type: 'call', name: 'answered', args: [] }, l)).toBe(null);
    expect(evaluateExpression({ type: 'call', name: 'count', args: [num(1)] }, l)).toBe(null);
    expect(evaluateExpression({ type: 'call', name: 'eval' } as unknown as Expr, l)).toBe(null);
    expect(evaluateExpression(null as unknown as Expr, l)).toBe(null);
  });
});

describe('validation of references', () => {
  const scope = { items: new Set(['phq9_1', 'phq9_9']), scores: new Set(['phq9_total']) };
  it('accepts known ids', () => {
    expect(validateExpression('phq9_9 > 0 and score.phq9_total >= 10', scope).ok).toBe(true);
  });
  it('names unknown items and scores with their position', () => {
    const r = validateExpression('phq9_99 > 0 or score.phq9_sum > 1', scope, 'items[3].showIf');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([
      ['items[3].showIf', 'unknown_item'],
      ['items[3].showIf', 'unknown_score'],
    ]);
    expect(r.issues[0]!.message).toMatch(
      /^at position 1 .*"phq9_99" is not a known item; did you mean "phq9_1", "phq9_9"\?/,
    );
    expect(r.issues[1]!.message).toMatch(/at position 16 .*"score.phq9_sum" is not a known score/);
  });
  it('reports syntax errors as issues', () => {
    const r = validateExpression('phq9_9 >', scope, 'p');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'p', code: 'expression_syntax' });
  });
});

// ------------------------------------------------------------------------------------------------
// Property tests
// ------------------------------------------------------------------------------------------------

const idArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/).filter((s) => !KEYWORDS.has(s));
const numberArb = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 5e-7, -1e-300, Number.MAX_VALUE, Number.MIN_VALUE),
);
const literalArb: fc.Arbitrary<Literal> = fc.oneof(
  numberArb.map((value) => ({ type: 'number' as const, value })),
  fc.string({ unit: 'binary', maxLength: 6 }).map((value) => ({ type: 'string' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
);
const refArb = fc.record({
  type: fc.constant('ref' as const),
  scope: fc.constantFrom('item' as const, 'score' as const),
  id: idArb,
});

const { expr: exprArb } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literalArb,
    refArb,
    fc.record({ type: fc.constant('not' as const), operand: tie('expr') }),
    fc.record({
      type: fc.constantFrom('and' as const, 'or' as const),
      left: tie('expr'),
      right: tie('expr'),
    }),
    fc.record({
      type: fc.constant('compare' as const),
      op: fc.constantFrom(
        '=' as const,
        '!=' as const,
        '<' as const,
        '<=' as const,
        '>' as const,
        '>=' as const,
      ),
      left: tie('expr'),
      right: tie('expr'),
    }),
    fc.record({
      type: fc.constant('in' as const),
      value: tie('expr'),
      list: fc.array(literalArb, { maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant('call' as const),
      name: fc.constant('answered' as const),
      args: fc.tuple(refArb),
    }),
    fc.record({
      type: fc.constant('call' as const),
      name: fc.constant('count' as const),
      args: fc.array(refArb, { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant('call' as const),
      name: fc.constantFrom('any' as const, 'all' as const),
      args: fc.array(tie('expr'), { minLength: 1, maxLength: 3 }),
    }),
  ),
}));

const valueArb: fc.Arbitrary<ExprValue | undefined> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.integer({ min: -3, max: 3 }),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
);

describe('property tests', () => {
  it('printing a random AST and parsing it back gives the same AST', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const src = printExpression(e);
        const r = parseExpression(src);
        if (!r.ok) throw new Error(`${src}: ${r.error.message}`);
        expect(strip(r.value)).toEqual(e);
      }),
      { numRuns: 2000 },
    );
  });

  it('the evaluator never throws and returns a value of a known kind', () => {
    fc.assert(
      fc.property(exprArb, fc.dictionary(idArb, valueArb), (e, values) => {
        const lookup: Lookup = (_scope, id) => values[id];
        const v = evaluateExpression(e, lookup);
        expect(v === null || ['number', 'string', 'boolean'].includes(typeof v)).toBe(true);
        expect(typeof evaluateCondition(e, lookup)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('the parser never throws on arbitrary text', () => {
    const tokens = fc.constantFrom(
      'a',
      'score',
      '.',
      '(',
      ')',
      '[',
      ']',
      ',',
      '=',
      '!=',
      '<',
      '>=',
      'and',
      'or',
      'not',
      'in',
      '1',
      '-',
      '"x"',
      'any',
      'count',
      'answered',
      ' ',
      '"',
      '\\',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.array(tokens, { maxLength: 30 }).map((t) => t.join('')),
        ),
        (s) => {
          const r = parseExpression(s);
          if (!r.ok) {
            expect(r.error.pos).toBeGreaterThanOrEqual(0);
            expect(r.error.pos).toBeLessThanOrEqual(s.length);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('printing is idempotent on parsed text', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const once = printExpression(e);
        expect(printExpression(parse(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
