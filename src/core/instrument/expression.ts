/**
 * The expression language for skip logic (`showIf`), eligibility and safety rules.
 *
 * A hand-written tokenizer and recursive-descent parser produce a plain-data AST; an evaluator walks it
 * over a lookup function. There is no `eval`, no `Function`, no property access: an expression can only
 * read the item values and scores the caller's lookup hands it.
 *
 * Syntax (lowest to highest precedence):
 * ```
 * expr       := or
 * or         := and ("or" and)*
 * and        := not ("and" not)*
 * not        := "not" not | comparison
 * comparison := value (op value | "in" "[" literal ("," literal)* "]" | "in" "[" "]")?
 * op         := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
 * value      := number | "-" number | string | "true" | "false" | ref | call | "(" expr ")"
 * ref        := item_id | "score." score_id | "band." score_id
 * call       := "answered(" ref ")" | "count(" ref ("," ref)* ")"
 *             | "any(" expr ("," expr)* ")" | "all(" expr ("," expr)* ")"
 * ```
 * Strings are double-quoted with JSON escapes. Keywords (`and or not in true false`) are lower case.
 *
 * Semantics: three-valued (Kleene) logic. A reference to an item that is not answered (skipped, not
 * shown, "not applicable", invalid) or to a score that could not be computed is *unknown* (`null`).
 * A comparison with an unknown operand is unknown; `false and unknown` is false, `true or unknown` is
 * true, `not unknown` is unknown. A condition (`showIf`, a safety rule) holds only when it is `true`,
 * so `phq9_9 > 0` does not fire for a respondent who skipped item 9. `answered(x)` and `count(...)` are
 * never unknown. Values of different types are never equal (`1 = "1"` is false) and have no order
 * (`1 < "a"` is unknown).
 *
 * @example
 * const r = parseExpression('any(phq9_1 > 0, phq9_2 > 0) and not answered(phq9_10)');
 * if (r.ok) evaluateCondition(r.value, (scope, id) => answers[id]);
 */
import { at } from '../stats/at.js';
import type { Issue, Validated } from './schema.js';

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/**
 * Where a reference points: an item (answer), a computed score (`score.<id>`) or the label of the band that
 * score falls in (`band.<id>`, e.g. `band.dass21_d = "Severe"`). Bands exist only after submission: only a
 * study's follow-up eligibility (src/core/study/followUp.ts) accepts them; every other validator refuses them.
 */
export type RefScope = 'item' | 'score' | 'band';
type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
type FunctionName = 'answered' | 'count' | 'any' | 'all';

/** `pos` is the 0-based offset in the source where the node starts; absent on hand-built nodes. */
type NumberLiteral = { readonly type: 'number'; readonly value: number; readonly pos?: number };
type StringLiteral = { readonly type: 'string'; readonly value: string; readonly pos?: number };
type BooleanLiteral = { readonly type: 'boolean'; readonly value: boolean; readonly pos?: number };
export type Literal = NumberLiteral | StringLiteral | BooleanLiteral;
type RefExpr = {
  readonly type: 'ref';
  readonly scope: RefScope;
  readonly id: string;
  readonly pos?: number;
};
type NotExpr = { readonly type: 'not'; readonly operand: Expr; readonly pos?: number };
type LogicalExpr = {
  readonly type: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
  readonly pos?: number;
};
type CompareExpr = {
  readonly type: 'compare';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly pos?: number;
};
type InExpr = {
  readonly type: 'in';
  readonly value: Expr;
  readonly list: readonly Literal[];
  readonly pos?: number;
};
type CallExpr = {
  readonly type: 'call';
  readonly name: FunctionName;
  /** `answered` and `count` take only `RefExpr` arguments; `any` and `all` take any expressions. */
  readonly args: readonly Expr[];
  readonly pos?: number;
};
export type Expr = Literal | RefExpr | NotExpr | LogicalExpr | CompareExpr | InExpr | CallExpr;

/** A value an expression can produce; `null` is "unknown" (no answer, no score). */
export type ExprValue = number | string | boolean | null;

/**
 * Supplies values to the evaluator. Return `null`/`undefined` (or NaN) for "no answer" / "no score".
 * Called with `scope = 'item'` for item ids, `'score'` for `score.<id>` and `'band'` for `band.<id>`.
 */
export type Lookup = (scope: RefScope, id: string) => number | string | boolean | null | undefined;

export const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'true', 'false']);
const FUNCTIONS: ReadonlySet<FunctionName> = new Set<FunctionName>(['answered', 'count', 'any', 'all']);
/** Deepest nesting the parser accepts (parentheses, `not`, calls); deeper input is rejected, never a stack overflow. */
export const MAX_DEPTH = 64;
/** Longest source text the parser accepts. */
const MAX_LENGTH = 10_000;

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'number' | 'string' | 'ident' | 'op' | 'punct' | 'eof';
interface Token {
  readonly kind: TokenKind;
  /** Source text of the token. */
  readonly text: string;
  readonly pos: number;
  /** Parsed value of number and string tokens. */
  readonly value?: number | string;
}

/** A syntax error: where (0-based offset), what the parser expected, what it found. */
interface ExpressionSyntaxError {
  readonly pos: number;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

class SyntaxFailure {
  constructor(readonly error: ExpressionSyntaxError) {}
}

function fail(pos: number, expected: string, found: string, source: string): never {
  const near = source.length
    ? ` in ${JSON.stringify(source.length > 60 ? `${source.slice(0, 57)}...` : source)}`
    : '';
  throw new SyntaxFailure({
    pos,
    expected,
    found,
    message: `at position ${pos + 1}${near}: expected ${expected}, found ${found}`,
  });
}

function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'the end of the expression';
  if (t.kind === 'string') return `the string ${t.text}`;
  if (t.kind === 'number') return `the number ${t.text}`;
  return `"${t.text}"`;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === '_';

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = at(src, i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c)) {
      while (i < n && isDigit(at(src, i))) i++;
      if (src[i] === '.') {
        i++;
        if (!isDigit(src[i] ?? '')) fail(i, 'a digit after the decimal point', describeChar(src, i), src);
        while (i < n && isDigit(at(src, i))) i++;
      }
      if (src[i] === 'e' || src[i] === 'E') {
        i++;
        if (src[i] === '+' || src[i] === '-') i++;
        if (!isDigit(src[i] ?? '')) fail(i, 'the digits of an exponent', describeChar(src, i), src);
        while (i < n && isDigit(at(src, i))) i++;
      }
      if (i < n && isIdentPart(at(src, i)))
        fail(i, 'an operator or space after the number', describeChar(src, i), src);
      const text = src.slice(start, i);
      const value = Number(text);
      if (!Number.isFinite(value)) fail(start, 'a number within range', `the number ${text}`, src);
      tokens.push({ kind: 'number', text, pos: start, value });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(at(src, i))) i++;
      tokens.push({ kind: 'ident', text: src.slice(start, i), pos: start });
      continue;
    }
    if (c === '"') {
      i++;
      let out = '';
      for (;;) {
        if (i >= n) fail(start, 'a closing " for the string', 'the end of the expression', src);
        const d = at(src, i);
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            b: '\b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (e !== undefined && simple[e] !== undefined) {
            out += simple[e];
            i += 2;
            continue;
          }
          if (e === 'u') {
            const hex = src.slice(i + 2, i + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail(i, 'four hex digits after \\u', JSON.stringify(hex), src);
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 6;
            continue;
          }
          fail(i, 'an escape \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', describeChar(src, i + 1), src);
        }
        out += d;
        i++;
      }
      tokens.push({ kind: 'string', text: src.slice(start, i), pos: start, value: out });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, pos: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',' || c === '.' || c === '-') {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    const hint =
      c === '&'
        ? ' (write "and")'
        : c === '|'
          ? ' (write "or")'
          : c === '!'
            ? ' (write "not" or "!=")'
            : c === "'"
              ? ' (strings use double quotes)'
              : '';
    fail(i, `a value, an operator or a parenthesis${hint}`, describeChar(src, i), src);
  }
  tokens.push({ kind: 'eof', text: '', pos: n });
  return tokens;
}

function describeChar(src: string, i: number): string {
  return i >= src.length ? 'the end of the expression' : JSON.stringify(src[i]);
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

const COMPARE_OPS: Record<string, CompareOp> = {
  '=': '=',
  '==': '=',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  private peek(): Token {
    return at(this.tokens, this.i);
  }
  private next(): Token {
    const t = at(this.tokens, this.i);
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isWord(t: Token, w: string): boolean {
    return t.kind === 'ident' && t.text === w;
  }
  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }
  private expectPunct(p: string, expected: string): Token {
    const t = this.peek();
    if (!this.isPunct(t, p)) fail(t.pos, expected, describeToken(t), this.src);
    return this.next();
  }
  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH)
      fail(pos, `at most ${MAX_DEPTH} levels of nesting`, 'deeper nesting', this.src);
  }
  private leave(): void {
    this.depth--;
  }

  parseAll(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') {
      const expected =
        t.kind === 'op'
          ? '"and", "or" or the end of the expression (comparisons cannot be chained: write a < b and b < c)'
          : '"and", "or", a comparison operator or the end of the expression';
      fail(t.pos, expected, describeToken(t), this.src);
    }
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      const t = this.next();
      const right = this.parseAnd();
      left = { type: 'or', left, right, pos: t.pos };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord(this.peek(), 'and')) {
      const t = this.next();
      const right = this.parseNot();
      left = { type: 'and', left, right, pos: t.pos };
    }
    return left;
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (this.isWord(t, 'not')) {
      this.next();
      this.enter(t.pos);
      const operand = this.parseNot();
      this.leave();
      return { type: 'not', operand, pos: t.pos };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseValue();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      const right = this.parseValue();
      const op = COMPARE_OPS[t.text];
      if (op === undefined) throw new Error(`internal: the tokenizer made an unknown operator "${t.text}"`);
      return { type: 'compare', op, left, right, pos: t.pos };
    }
    if (this.isWord(t, 'in')) {
      this.next();
      this.expectPunct('[', '"[" to start the list after "in"');
      const list: Literal[] = [];
      if (!this.isPunct(this.peek(), ']')) {
        for (;;) {
          list.push(this.parseLiteral());
          const s = this.peek();
          if (this.isPunct(s, ',')) {
            this.next();
            continue;
          }
          if (this.isPunct(s, ']')) break;
          fail(s.pos, '"," or "]" in the list', describeToken(s), this.src);
        }
      }
      this.next(); // ]
      return { type: 'in', value: left, list, pos: t.pos };
    }
    return left;
  }

  private parseLiteral(): Literal {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { type: 'number', value: t.value as number, pos: t.pos };
    }
    if (this.isPunct(t, '-')) {
      this.next();
      const d = this.peek();
      if (d.kind !== 'number') fail(d.pos, 'a number after "-"', describeToken(d), this.src);
      this.next();
      return { type: 'number', value: -(d.value as number), pos: t.pos };
    }
    if (t.kind === 'string') {
      this.next();
      return { type: 'string', value: t.value as string, pos: t.pos };
    }
    if (this.isWord(t, 'true') || this.isWord(t, 'false')) {
      this.next();
      return { type: 'boolean', value: t.text === 'true', pos: t.pos };
    }
    return fail(t.pos, 'a number, a "string", true or false in the list', describeToken(t), this.src);
  }

  private parseRef(what: string): RefExpr {
    const t = this.peek();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) fail(t.pos, what, describeToken(t), this.src);
    this.next();
    if ((t.text === 'score' || t.text === 'band') && this.isPunct(this.peek(), '.')) {
      this.next();
      const s = this.peek();
      if (s.kind !== 'ident') fail(s.pos, `a score id after "${t.text}."`, describeToken(s), this.src);
      this.next();
      if (this.isPunct(this.peek(), '.')) {
        const d = this.peek();
        fail(d.pos, `an operator after ${t.text}.${s.text} (a score id has no dot)`, '"."', this.src);
      }
      return { type: 'ref', scope: t.text, id: s.text, pos: t.pos };
    }
    if (this.isPunct(this.peek(), '.')) {
      const d = this.peek();
      fail(d.pos, 'an operator after an item id (only score.<id> and band.<id> use a dot)', '"."', this.src);
    }
    return { type: 'ref', scope: 'item', id: t.text, pos: t.pos };
  }

  private parseValue(): Expr {
    const t = this.peek();
    if (
      t.kind === 'number' ||
      t.kind === 'string' ||
      this.isPunct(t, '-') ||
      this.isWord(t, 'true') ||
      this.isWord(t, 'false')
    ) {
      return this.parseLiteral();
    }
    if (this.isPunct(t, '(')) {
      this.next();
      this.enter(t.pos);
      const e = this.parseOr();
      this.leave();
      this.expectPunct(')', '")" to close the "(" at position ' + (t.pos + 1));
      return e;
    }
    if (t.kind === 'ident' && !KEYWORDS.has(t.text)) {
      const after = at(this.tokens, this.i + 1);
      if (this.isPunct(after, '(')) return this.parseCall();
      return this.parseRef('an item id');
    }
    return fail(
      t.pos,
      'a value: a number, a "string", true, false, an item id, score.<id>, a function such as answered(...), or "("',
      describeToken(t),
      this.src,
    );
  }

  private parseCall(): CallExpr {
    const t = this.next();
    const name = t.text;
    if (!FUNCTIONS.has(name as FunctionName)) {
      fail(t.pos, 'one of the functions answered, count, any, all', `"${name}("`, this.src);
    }
    const fn = name as FunctionName;
    this.next(); // (
    this.enter(t.pos);
    const args: Expr[] = [];
    const refsOnly = fn === 'answered' || fn === 'count';
    if (this.isPunct(this.peek(), ')')) {
      const c = this.peek();
      fail(
        c.pos,
        refsOnly ? `an item id or score.<id> inside ${fn}(...)` : `at least one condition inside ${fn}(...)`,
        '")"',
        this.src,
      );
    }
    for (;;) {
      args.push(refsOnly ? this.parseRef(`an item id or score.<id> inside ${fn}(...)`) : this.parseOr());
      const s = this.peek();
      if (this.isPunct(s, ',')) {
        if (fn === 'answered') fail(s.pos, '")": answered(...) takes exactly one id', '","', this.src);
        this.next();
        continue;
      }
      if (this.isPunct(s, ')')) break;
      fail(s.pos, `"," or ")" in ${fn}(...)`, describeToken(s), this.src);
    }
    this.next(); // )
    this.leave();
    return { type: 'call', name: fn, args, pos: t.pos };
  }
}

type ParseResult =
  | { readonly ok: true; readonly value: Expr }
  | { readonly ok: false; readonly error: ExpressionSyntaxError };

/**
 * Parse an expression. Never throws: a syntax error is returned with its 0-based position, what was
 * expected and what was found, e.g. `at position 9 in "phq9_9 > ": expected a value ..., found the end of the expression`.
 */
export function parseExpression(source: string): ParseResult {
  if (typeof source !== 'string') {
    return {
      ok: false,
      error: {
        pos: 0,
        expected: 'an expression as text',
        found: typeof source,
        message: 'expected an expression as text',
      },
    };
  }
  if (source.length > MAX_LENGTH) {
    return {
      ok: false,
      error: {
        pos: MAX_LENGTH,
        expected: `at most ${MAX_LENGTH} characters`,
        found: `${source.length} characters`,
        message: `expression is ${source.length} characters long; at most ${MAX_LENGTH} are allowed`,
      },
    };
  }
  try {
    const tokens = tokenize(source);
    if (tokens.length === 1) fail(0, 'an expression', 'the end of the expression (it is empty)', source);
    return { ok: true, value: new Parser(tokens, source).parseAll() };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Printer
// ---------------------------------------------------------------------------------------------

const PREC = { or: 1, and: 2, not: 3, compare: 4, value: 5 } as const;

function precedence(e: Expr): number {
  switch (e.type) {
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case 'not':
      return PREC.not;
    case 'compare':
    case 'in':
      return PREC.compare;
    default:
      return PREC.value;
  }
}

function printNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function printAt(e: Expr, min: number): string {
  const s = printNode(e);
  return precedence(e) < min ? `(${s})` : s;
}

function printNode(e: Expr): string {
  switch (e.type) {
    case 'number':
      return printNumber(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'boolean':
      return e.value ? 'true' : 'false';
    case 'ref':
      return e.scope === 'item' ? e.id : `${e.scope}.${e.id}`;
    case 'not':
      return `not ${printAt(e.operand, PREC.not)}`;
    case 'and':
      return `${printAt(e.left, PREC.and)} and ${printAt(e.right, PREC.not)}`;
    case 'or':
      return `${printAt(e.left, PREC.or)} or ${printAt(e.right, PREC.and)}`;
    case 'compare':
      return `${printAt(e.left, PREC.value)} ${e.op} ${printAt(e.right, PREC.value)}`;
    case 'in':
      return `${printAt(e.value, PREC.value)} in [${e.list.map(printNode).join(', ')}]`;
    case 'call':
      return `${e.name}(${e.args.map((a) => printAt(a, PREC.or)).join(', ')})`;
  }
}

/** Print an AST back to source text, with only the parentheses precedence needs; `parseExpression` reads it back to the same AST. */
export function printExpression(e: Expr): string {
  return printNode(e);
}

// ---------------------------------------------------------------------------------------------
// References and validation
// ---------------------------------------------------------------------------------------------

/** Every reference in an expression, in source order. */
export function expressionRefs(e: Expr): RefExpr[] {
  const out: RefExpr[] = [];
  const walk = (x: Expr): void => {
    switch (x.type) {
      case 'ref':
        out.push(x);
        break;
      case 'not':
        walk(x.operand);
        break;
      case 'and':
      case 'or':
      case 'compare':
        walk(x.left);
        walk(x.right);
        break;
      case 'in':
        walk(x.value);
        break;
      case 'call':
        x.args.forEach(walk);
        break;
      default:
        break;
    }
  };
  walk(e);
  return out;
}

/** The ids an expression may refer to. */
export interface ExpressionScope {
  readonly items: ReadonlySet<string>;
  readonly scores: ReadonlySet<string>;
  /**
   * Scores with bands, each with its band labels in order (`band.<id>`). Absent: bands cannot be used here.
   * With bands, a band compares only with `=`, `!=` or `in` and only with one of its labels.
   */
  readonly bands?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Parse an expression and check that every item id and `score.<id>` refers to something in `scope`.
 * Issues carry `path` (the caller's, e.g. `items[9].showIf`), a code (`expression_syntax`,
 * `unknown_item`, `unknown_score`) and a message with the position.
 */
export function validateExpression(source: string, scope: ExpressionScope, path = ''): Validated<Expr> {
  const r = parseExpression(source);
  if (!r.ok) return { ok: false, issues: [{ path, code: 'expression_syntax', message: r.error.message }] };
  const issues: Issue[] = [];
  for (const ref of expressionRefs(r.value)) {
    const at = ref.pos !== undefined ? `at position ${ref.pos + 1} in ${JSON.stringify(source)}: ` : '';
    if (ref.scope === 'item' && !scope.items.has(ref.id)) {
      issues.push({
        path,
        code: 'unknown_item',
        message: `${at}"${ref.id}" is not a known item${suggest(ref.id, scope.items)}`,
      });
    } else if (ref.scope === 'score' && !scope.scores.has(ref.id)) {
      issues.push({
        path,
        code: 'unknown_score',
        message: `${at}"score.${ref.id}" is not a known score${suggest(ref.id, scope.scores)}`,
      });
    } else if (ref.scope === 'band' && !scope.bands) {
      issues.push({
        path,
        code: 'band_not_allowed',
        message: `${at}"band.${ref.id}": bands are known only after submission, so only a follow-up's eligibility can use them here; use item answers`,
      });
    } else if (ref.scope === 'band' && !scope.bands?.has(ref.id)) {
      const banded = new Set(scope.bands?.keys());
      issues.push({
        path,
        code: 'unknown_band',
        message: `${at}"band.${ref.id}" is not a score with bands${scope.scores.has(ref.id) ? ` ("${ref.id}" is a score, but has no bands: compare score.${ref.id} with a number)` : ''}${suggest(ref.id, banded)}`,
      });
    }
  }
  if (scope.bands) issues.push(...bandComparisonIssues(r.value, scope.bands, source, path));
  return issues.length ? { ok: false, issues } : { ok: true, value: r.value };
}

/**
 * A band is a label, so it compares only for equality with one of its own labels: `band.x = "Severe"`,
 * `band.x != "Normal"`, `band.x in ["Moderate", "Severe"]`. A mistyped label would silently never match,
 * and `<`/`>` would compare the labels alphabetically, so both are refused naming the valid labels.
 */
function bandComparisonIssues(
  e: Expr,
  bands: ReadonlyMap<string, readonly string[]>,
  source: string,
  path: string,
): Issue[] {
  const out: Issue[] = [];
  const at = (pos: number | undefined) =>
    pos !== undefined ? `at position ${pos + 1} in ${JSON.stringify(source)}: ` : '';
  const labelsOf = (x: Expr) => (x.type === 'ref' && x.scope === 'band' ? bands.get(x.id) : undefined);
  const checkLiteral = (ref: RefExpr, labels: readonly string[], lit: Expr) => {
    const valid = labels.map((l) => JSON.stringify(l)).join(', ');
    if (lit.type !== 'string' || !labels.includes(lit.value))
      out.push({
        path,
        code: 'unknown_band_label',
        message: `${at(lit.pos)}${printNode(lit)} is not a band of ${ref.id}; its bands are ${valid}`,
      });
  };
  const walk = (x: Expr): void => {
    switch (x.type) {
      case 'compare': {
        const [ref, other] = labelsOf(x.left) ? [x.left, x.right] : [x.right, x.left];
        const labels = labelsOf(ref);
        if (labels && ref.type === 'ref') {
          if (x.op !== '=' && x.op !== '!=')
            out.push({
              path,
              code: 'band_order',
              message: `${at(x.pos)}band.${ref.id} ${x.op} …: bands compare only with =, != or in [...] (the labels have no order here); list the bands, e.g. band.${ref.id} in [${labels
                .slice(-2)
                .map((l) => JSON.stringify(l))
                .join(', ')}], or compare score.${ref.id} with a number`,
            });
          else if (labelsOf(other) === undefined) checkLiteral(ref, labels, other);
        }
        walk(x.left);
        walk(x.right);
        return;
      }
      case 'in': {
        const labels = labelsOf(x.value);
        if (labels && x.value.type === 'ref') for (const lit of x.list) checkLiteral(x.value, labels, lit);
        walk(x.value);
        return;
      }
      case 'not':
        walk(x.operand);
        return;
      case 'and':
      case 'or':
        walk(x.left);
        walk(x.right);
        return;
      case 'call':
        x.args.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(e);
  return out;
}

function suggest(id: string, known: ReadonlySet<string>): string {
  if (known.size === 0) return ' (none are defined here)';
  const lower = id.toLowerCase();
  const close = [...known].filter(
    (k) => k.toLowerCase() === lower || k.toLowerCase().startsWith(lower.slice(0, 4)),
  );
  const list = (close.length ? close : [...known]).slice(0, 8);
  return `; did you mean ${list.map((k) => `"${k}"`).join(', ')}${known.size > list.length && !close.length ? ', …' : ''}?`;
}

// ---------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------

/** A compiled expression: evaluate it as often as needed against different lookups. */
export type CompiledExpression = (lookup: Lookup) => ExprValue;

/** Turn anything a lookup returns into an expression value (NaN, undefined and other types become unknown). */
function toExprValue(v: unknown): ExprValue {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}
const normalize = toExprValue;

/** Truth of a value in a logical position: numbers are true when non-zero, strings when non-empty; `null` stays unknown. */
export function truth(v: ExprValue): boolean | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return v !== '';
}

function compareValues(op: CompareOp, a: ExprValue, b: ExprValue): boolean | null {
  if (a === null || b === null) return null;
  if (typeof a !== typeof b) {
    if (op === '=') return false;
    if (op === '!=') return true;
    return null;
  }
  if (typeof a === 'boolean' && op !== '=' && op !== '!=') return null;
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/**
 * Compile an AST to a closure tree (no `eval`) over any context type `C`: `bindRef` is called once per
 * reference at compile time and returns how to read that reference from a context. This lets a caller
 * resolve ids to columns once and then evaluate per row (`C` = row index) without lookups by name.
 * Malformed nodes (not produced by the parser) evaluate to unknown instead of throwing.
 */
export function compileExpressionWith<C>(
  e: Expr,
  bindRef: (scope: RefScope, id: string) => (ctx: C) => ExprValue,
): (ctx: C) => ExprValue {
  const unknown = (): ExprValue => null;
  const build = (e: Expr): ((ctx: C) => ExprValue) => {
    if (e === null || typeof e !== 'object') return unknown;
    switch (e.type) {
      case 'number':
      case 'string':
      case 'boolean': {
        const v = normalize(e.value);
        return () => v;
      }
      case 'ref': {
        const get = bindRef(e.scope, e.id);
        return (c) => normalize(get(c));
      }
      case 'not': {
        const f = build(e.operand);
        return (c) => {
          const t = truth(f(c));
          return t === null ? null : !t;
        };
      }
      case 'and': {
        const a = build(e.left);
        const b = build(e.right);
        return (c) => {
          const x = truth(a(c));
          if (x === false) return false;
          const y = truth(b(c));
          if (y === false) return false;
          return x === null || y === null ? null : true;
        };
      }
      case 'or': {
        const a = build(e.left);
        const b = build(e.right);
        return (c) => {
          const x = truth(a(c));
          if (x === true) return true;
          const y = truth(b(c));
          if (y === true) return true;
          return x === null || y === null ? null : false;
        };
      }
      case 'compare': {
        const a = build(e.left);
        const b = build(e.right);
        const op = e.op;
        return (c) => compareValues(op, a(c), b(c));
      }
      case 'in': {
        const f = build(e.value);
        const list = Array.isArray(e.list) ? e.list.map((x) => normalize(x?.value)) : [];
        return (c) => {
          const v = f(c);
          if (v === null) return null;
          for (const x of list) if (x === v) return true;
          return false;
        };
      }
      case 'call': {
        const args = Array.isArray(e.args) ? e.args : [];
        if (e.name === 'answered' || e.name === 'count') {
          if (args.length === 0 || !args.every((a) => a?.type === 'ref')) return unknown;
          const gets = (args as RefExpr[]).map((a) => bindRef(a.scope, a.id));
          if (e.name === 'answered') {
            if (gets.length !== 1) return unknown;
            const g = at(gets, 0);
            return (c) => normalize(g(c)) !== null;
          }
          return (c) => {
            let k = 0;
            for (const g of gets) if (normalize(g(c)) !== null) k++;
            return k;
          };
        }
        if (e.name === 'any' || e.name === 'all') {
          const fs = args.map(build);
          const isAny = e.name === 'any';
          return (c) => {
            let unknownSeen = false;
            for (const f of fs) {
              const t = truth(f(c));
              if (t === null) unknownSeen = true;
              else if (t === isAny) return isAny;
            }
            return unknownSeen ? null : !isAny;
          };
        }
        return unknown;
      }
      default:
        return unknown;
    }
  };
  return build(e);
}

/** Compile an AST to a function of a `Lookup` (see `compileExpressionWith` to bind references once). */
export function compileExpression(e: Expr): CompiledExpression {
  return compileExpressionWith<Lookup>(e, (scope, id) => (lookup) => toExprValue(lookup(scope, id)));
}

/** Evaluate an expression to a value (`null` = unknown). Never throws for any AST the parser can produce. */
export function evaluateExpression(e: Expr, lookup: Lookup): ExprValue {
  return compileExpression(e)(lookup);
}

/** Evaluate as a condition: true only when the expression is definitely true (unknown counts as false). */
export function evaluateCondition(e: Expr, lookup: Lookup): boolean {
  return truth(compileExpression(e)(lookup)) === true;
}
