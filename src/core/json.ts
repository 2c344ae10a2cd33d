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

/**
 * JSON text with object keys in sorted order (UTF-16 code units) at every depth and no whitespace: equal values
 * always give the same text, so it can be hashed (audit chains, member-check packets) or compared (the same
 * answers sent twice). Keys whose value is undefined are left out, as JSON.stringify does; a value JSON cannot
 * carry (NaN, ±Infinity, undefined in an array or at the top, a function, a symbol, a BigInt) throws a TypeError
 * naming `what` and the path — it is a programming error, never silently written as `null`. `toJSON` is honoured
 * (a Date becomes its ISO text).
 *
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, what = 'value'): string {
  const enc = (v: unknown, path: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) throw new TypeError(`${path}: ${v} has no JSON form.`);
        return JSON.stringify(v);
      case 'object': {
        if (Array.isArray(v))
          return `[${v
            .map((x, i) => {
              if (x === undefined) throw new TypeError(`${path}[${i}]: undefined has no JSON form.`);
              return enc(x, `${path}[${i}]`);
            })
            .join(',')}]`;
        const rec = v as Record<string, unknown>;
        const toJSON = (rec as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') return enc((toJSON as () => unknown).call(v), path);
        const keys = Object.keys(rec)
          .filter((k) => rec[k] !== undefined)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${keys.map((k) => `${JSON.stringify(k)}:${enc(rec[k], `${path}.${k}`)}`).join(',')}}`;
      }
      default:
        throw new TypeError(`${path}: a ${typeof v} has no JSON form.`);
    }
  };
  return enc(value, what);
}
