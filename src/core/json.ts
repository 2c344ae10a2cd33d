/**
 * JSON parsing that cannot pollute prototypes. `JSON.parse('{"__proto__": {...}}')` makes an own property
 * named `__proto__`; copying such an object with `Object.assign`, a spread into a class instance or
 * `obj[key] = value` sets the target's prototype instead, so fields validation never saw (inherited ones)
 * reach the code that reads the definition. Every definition, mapping file and study file is parsed here, and
 * a `__proto__` key anywhere is refused with its path.
 *
 * ```ts
 * parseJsonSafe('{"a": {"__proto__": {}}}'); // throws UnsafeJsonError: a.__proto__ …
 * ```
 */

/** A JSON text with a `__proto__` key; `path` names where (dot-separated, array indices in brackets). */
export class UnsafeJsonError extends SyntaxError {
  constructor(readonly path: string) {
    super(
      `the key "__proto__" at ${path} is not allowed (it would change the object's prototype); rename or remove it.`,
    );
    this.name = 'UnsafeJsonError';
  }
}

/** Parse JSON text (a leading byte-order mark is ignored); throws SyntaxError, or UnsafeJsonError for `__proto__`. */
export function parseJsonSafe(text: string): unknown {
  const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  // Cheap pre-check: most texts contain neither the key nor a \u escape that could spell it.
  if (text.includes('__proto__') || text.includes('\\u')) findProto(value, '');
  return value;
}

function findProto(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) findProto(value[i], `${path}[${i}]`);
    return;
  }
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') throw new UnsafeJsonError(here);
    findProto((value as Record<string, unknown>)[key], here);
  }
}
