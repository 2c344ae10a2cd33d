/**
 * JSON text of a response's answers, exactly `JSON.stringify(answers)`, built faster for the answers every
 * response shares: an item's option answers, "not applicable", "skipped" and "not shown" are frozen objects
 * made once (submission.ts), so their JSON is made once too and looked up; anything else goes through
 * `JSON.stringify` itself. Every submission is serialised once on its way to the database, and most of its
 * answers are shared ones.
 */

/** JSON text of frozen answer objects, made once each. */
const texts = new WeakMap<object, string>();

/** Freeze an answer and remember its JSON text; returns the same object. */
export function sharedAnswer<T extends object>(answer: T): Readonly<T> {
  const frozen = Object.freeze(answer);
  texts.set(frozen, JSON.stringify(frozen));
  return frozen;
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

/** `JSON.stringify(answers)` for a plain object of answers by item id. */
export function answersJson(answers: Readonly<Record<string, unknown>>): string {
  if (Object.getPrototypeOf(answers) !== Object.prototype || 'toJSON' in answers)
    return JSON.stringify(answers);
  let out = '';
  for (const key of Object.keys(answers)) {
    const a = answers[key];
    let text: string | undefined;
    if (typeof a === 'object' && a !== null) {
      text = texts.get(a);
      // JSON.stringify passes the member's key to its toJSON; leave such values to it entirely.
      if (text === undefined && typeof (a as { toJSON?: unknown }).toJSON === 'function')
        return JSON.stringify(answers);
    }
    text ??= JSON.stringify(a);
    if (text === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    out += out === '' ? `{${quotedKey(key)}:${text}` : `,${quotedKey(key)}:${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}
