/**
 * The stored form of a response's answers, version 2: the JSON text `[2,{"<item id>":<answer>,…}]`, each
 * answer by its kind:
 *
 * | answer                                | stored as |
 * |---------------------------------------|-----------|
 * | `{ kind: 'value', value: 2 }`         | `2`       |
 * | `{ kind: 'choices', values: [1, 3] }` | `[1,3]`   |
 * | `{ kind: 'text', text: 'abc' }`       | `"abc"`   |
 * | `{ kind: 'na' }`                      | `true`    |
 * | `{ kind: 'skipped' }`                 | `null`    |
 * | `{ kind: 'not_shown' }`               | `false`   |
 *
 * Rows written before version 2 hold the answers object itself (`{"q1":{"kind":"value","value":2}}`), and
 * earlier versions of this file wrapped other values as `[1,<value>]`; both are read through the one answers
 * schema (answer.ts `AnswersSchema`), so no migration is needed and a reader always gets `Answers`. Only
 * `Answers` are written: anything else is refused (a TypeError naming the item), never stored in a form a read
 * would refuse. Decoding gives back exactly what was encoded (property test:
 * test/core/response/answersJson.test.ts), except that −0 comes back as 0, as JSON always did, and members an
 * answer's kind does not have are not kept.
 *
 * Speed: the shared answers of submission.ts (an item's option answers, "not applicable", "skipped", "not
 * shown") are frozen objects made once, so their stored text is made once too and looked up; only the other
 * answers (text, choices, numbers typed in) go through the schema check.
 */
import { type Answer, type Answers, parseAnswer, parseAnswers } from './answer.js';

/** The stored-form version written now. */
const STORED_ANSWERS_VERSION = 2;

/** Members an answer of each kind has: an answer with any other member is not stored compactly. */
const MEMBERS: Readonly<Record<Answer['kind'], number>> = {
  value: 2,
  choices: 2,
  text: 2,
  na: 1,
  skipped: 1,
  not_shown: 1,
};

/** Compact JSON text of the shared (frozen) answers, made once each. */
const compactTexts = new WeakMap<object, string>();

/** Freeze an answer and remember its stored text; returns the same object. */
export function sharedAnswer<T extends Answer>(answer: T): Readonly<T> {
  const frozen = Object.freeze(answer);
  const text = compactText(frozen);
  // A choices answer's array must be frozen too, or its cached text could go stale.
  const values = (frozen as unknown as { values?: unknown }).values;
  if (text !== undefined && (values === undefined || Object.isFrozen(values))) compactTexts.set(frozen, text);
  return frozen;
}

/** The one "not applicable", "skipped" and "not shown" answer every response shares. */
export const NA_ANSWER: Answer = sharedAnswer({ kind: 'na' });
export const SKIPPED_ANSWER: Answer = sharedAnswer({ kind: 'skipped' });
export const NOT_SHOWN_ANSWER: Answer = sharedAnswer({ kind: 'not_shown' });

/** Compact JSON text of one answer, or undefined when it is not exactly an `Answer`. */
function compactText(a: unknown): string | undefined {
  if (typeof a !== 'object' || a === null) return undefined;
  const known = compactTexts.get(a);
  if (known !== undefined) return known;
  // The common answer that is not shared: a number typed in, exactly { kind: 'value', value: <finite> } (what
  // the schema accepts for it, without a schema pass per response).
  const o = a as { kind?: unknown; value?: unknown };
  if (o.kind === 'value' && typeof o.value === 'number' && Number.isFinite(o.value)) {
    if (Object.keys(a).length === 2 && Object.hasOwn(a, 'kind') && Object.hasOwn(a, 'value'))
      return JSON.stringify(o.value);
  }
  const parsed = parseAnswer(a);
  if (!parsed || Object.keys(a).length !== MEMBERS[parsed.kind]) return undefined;
  let text: string;
  switch (parsed.kind) {
    case 'value':
      text = JSON.stringify(parsed.value);
      break;
    case 'choices':
      text = JSON.stringify(parsed.values);
      break;
    case 'text':
      text = JSON.stringify(parsed.text);
      break;
    case 'na':
      text = 'true';
      break;
    case 'skipped':
      text = 'null';
      break;
    case 'not_shown':
      text = 'false';
      break;
  }
  return text;
}

/** Quoted JSON keys by key (item ids recur in every response). */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size >= MAX_QUOTED_KEYS) quotedKeys.clear();
    quotedKeys.set(key, q);
  }
  return q;
}

/** The issues of a value that is not `Answers`, as one line: `q1.kind: Invalid input; …`. */
function problemsOf(value: unknown): string {
  const r = parseAnswers(value);
  return r.ok ? '' : r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/**
 * The JSON text to store for a response's answers: version 2 (compact). Throws a TypeError naming the item for a
 * value that is not `Answers` (a programming error: the engine and the importer build answers).
 */
export function encodeStoredAnswers(answers: Answers): string {
  if (typeof answers !== 'object' || answers === null || Object.getPrototypeOf(answers) !== Object.prototype)
    throw new TypeError(
      `Response answers must be an object of answers by item id, not ${JSON.stringify(answers)}.`,
    );
  let out = '';
  for (const key of Object.keys(answers)) {
    const a: unknown = answers[key];
    let text = compactText(a);
    if (text === undefined) {
      // An answer with members its kind does not have: stored as the answer the schema reads (members dropped).
      const parsed = parseAnswer(a);
      if (!parsed) throw new TypeError(`Response answers cannot be stored: ${problemsOf({ [key]: a })}.`);
      text = compactText(parsed) ?? JSON.stringify(parsed);
    }
    out += `${out === '' ? '' : ','}${quotedKey(key)}:${text}`;
  }
  return `[${STORED_ANSWERS_VERSION},{${out}}]`;
}

/** One compact answer back to its `Answer`; throws for a value no version-2 encoder writes. */
function expandAnswer(v: unknown, key: string): Answer {
  if (typeof v === 'number') return { kind: 'value', value: v };
  if (typeof v === 'string') return { kind: 'text', text: v };
  if (v === true) return NA_ANSWER;
  if (v === null) return SKIPPED_ANSWER;
  if (v === false) return NOT_SHOWN_ANSWER;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return { kind: 'choices', values: v };
  throw new TypeError(`Stored answer "${key}" is not a version-2 answer: ${JSON.stringify(v)}.`);
}

/** Answers of an older stored form, through the answers schema. */
function olderForm(value: unknown): Answers {
  const r = parseAnswers(value);
  if (r.ok) return r.value;
  throw new TypeError(`Stored answers are not answers (${problemsOf(value)}).`);
}

/**
 * Stored answers (parsed JSON, any version) → `Answers`. Throws a TypeError naming the problem for a form this
 * code does not know (a newer version) or that does not hold answers (a damaged row): never a silent guess.
 */
export function decodeStoredAnswers(stored: unknown): Answers {
  if (!Array.isArray(stored)) return olderForm(stored); // before version 2: the answers object itself
  const [version, body] = stored as [unknown, unknown];
  if (version === STORED_ANSWERS_VERSION && stored.length === 2) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new TypeError('Stored answers of version 2 do not hold an object of answers.');
    const out: Record<string, Answer> = {};
    for (const key of Object.keys(body)) {
      const a = expandAnswer((body as Record<string, unknown>)[key], key);
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: a, enumerable: true, writable: true, configurable: true });
      else out[key] = a;
    }
    return out;
  }
  if (version === 1 && stored.length === 2) return olderForm(body);
  throw new TypeError(
    `Stored answers have an unknown format (version ${JSON.stringify(version)}); this nabz reads versions 1 and 2.`,
  );
}
