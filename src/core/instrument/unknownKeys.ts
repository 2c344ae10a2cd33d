/**
 * Unknown keys in a JSON definition. Zod objects drop keys they do not know, which is right for data we
 * write ourselves but wrong for a file a researcher typed: `"reversed": true` instead of `"reverse": true`
 * would be dropped without a word and the item scored unreversed — a silent wrong number. `unknownKeys`
 * walks the raw input along a schema and reports every key the schema does not define, with the closest
 * known key as the likely fix.
 */

import type { z } from 'zod';
import { at } from '../stats/at.js';
import type { Issue } from './schema.js';

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers whose input has the shape of the schema they wrap. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(d.type))
      s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** Levenshtein distance (small strings: object keys). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        at(prev, j) + 1,
        at(cur, j - 1) + 1,
        at(prev, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return at(prev, b.length);
}

/** The known key closest to `key` (case-insensitive edit distance ≤ a third of its length), if any. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

const joinPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Every key of `value` that `schema` does not define, at any depth (objects, arrays, records and their
 * optional/default wrappers), as issues with code `unknown_key` and a path like `items[3].reversed`.
 * Values of the wrong type are left to the schema's own validation.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path = ''): Issue[] {
  const issues: Issue[] = [];
  const walk = (s: z.ZodType, v: unknown, p: string): void => {
    const d = defOf(unwrap(s));
    if (d.type === 'object' && d.shape && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const known = Object.keys(d.shape);
      for (const [k, child] of Object.entries(v)) {
        const field = d.shape[k];
        if (field) {
          walk(field, child, joinPath(p, k));
          continue;
        }
        const near = closestKey(k, known);
        issues.push({
          path: joinPath(p, k),
          code: 'unknown_key',
          message: `"${k}" is not a field here${near ? `; did you mean "${near}"?` : ''} (fields: ${known.filter((x) => x !== '$schema').join(', ')})`,
        });
      }
    } else if (d.type === 'array' && d.element && Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(d.element, x, joinPath(p, i));
    } else if (d.type === 'record' && d.valueType && v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(d.valueType, x, joinPath(p, k));
    }
  };
  walk(schema, value, path);
  return issues;
}
