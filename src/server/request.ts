/**
 * Route parameters and query strings, parsed with a Zod schema instead of cast: `parseParams(req, schema)` and
 * `parseQuery(req, schema)` return the schema's output type, or answer 400 with a message naming the part of the
 * address, the bad value and what was expected. Schemas are built once per module (not per request).
 *
 * Query values arrive from Fastify's parser as a string, or an array for a repeated key (`?group=a&group=b`):
 * `queryText` takes the first, `queryList` all of them, `queryChoice` one of fixed values (else a default —
 * links with an unknown option still show the page, as before).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, type HttpIssue } from './errors.js';
import { asForm } from './form.js';

const firstValue = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** An optional query value: its first occurrence as text, undefined when absent. */
export const queryText = z.preprocess(firstValue, z.string().optional());

/** Every value of a repeated query key (`?k=a&k=b` → ['a', 'b']); [] when absent. */
export const queryList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.string()),
);

/** One of `values` (first occurrence), or `fallback` when absent or anything else. */
export function queryChoice<const T extends string>(values: readonly T[], fallback: T) {
  return z.preprocess(firstValue, z.enum(values).catch(fallback));
}

/** A path segment (`:id`, `:pid`, …): text; what it names is checked where it is looked up (404 when nothing). */
export const segment = z.string();

const TAIL = {
  address: 'use the links the pages give',
  'query string': 'use the links the pages give',
  form: 'nothing was saved; correct it and send the form again',
} as const;

/**
 * What a schema gives for an absent or empty value (an address without a query string: nearly every request),
 * worked out once per schema; the schemas here are pure (no time, no randomness), so the answer cannot change.
 */
const emptyOutputs = new WeakMap<z.ZodType, { readonly ok: boolean; readonly data: unknown }>();

/** The names of an object schema whose every field is {@link segment}; null for any other schema. */
const segmentNames = new WeakMap<z.ZodType, readonly string[] | null>();
function segmentNamesOf(schema: z.ZodType): readonly string[] | null {
  let names = segmentNames.get(schema);
  if (names === undefined) {
    const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : undefined;
    names = shape && Object.values(shape).every((s) => s === segment) ? Object.keys(shape) : null;
    segmentNames.set(schema, names);
  }
  return names;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object') return false;
  for (const _ in value) return false;
  return true;
}

/** A copy of a remembered output (callers may change what they are given). */
const copyOf = <T>(data: T): T =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? { ...data } : data;

/**
 * `schema.safeParse(value)` without running Zod in the two cases every respondent request hits: path segments
 * that are all text (what `segment` accepts, read directly) and an empty query string (the schema's answer for
 * `{}`, remembered). Anything else, and every refusal, goes through the schema: the same output and the same
 * messages either way (test/server/request.test.ts compares them).
 */
function quickParse(schema: z.ZodType, value: unknown): { ok: boolean; data: unknown } | undefined {
  const names = segmentNamesOf(schema);
  if (names !== null && typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const n of names) {
      const x = v[n];
      if (typeof x !== 'string') return undefined;
      out[n] = x;
    }
    return { ok: true, data: out };
  }
  if (!isEmpty(value)) return undefined;
  let known = emptyOutputs.get(schema);
  if (known === undefined) {
    const r = schema.safeParse({});
    known = { ok: r.success, data: r.data };
    emptyOutputs.set(schema, known);
  }
  return known.ok ? { ok: true, data: copyOf(known.data) } : undefined;
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, where: keyof typeof TAIL): z.output<S> {
  const quick = quickParse(schema, value);
  if (quick) return quick.data as z.output<S>;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issues: HttpIssue[] = r.error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    code: i.code,
    message: i.message,
  }));
  const bad = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new HttpError(400, `The ${where} is not valid (${bad}); ${TAIL[where]}.`, 'validation', issues);
}

/** The route's parameters, checked by `schema` (400 naming the bad part otherwise). */
export function parseParams<S extends z.ZodType>(req: FastifyRequest, schema: S): z.output<S> {
  return parsed(schema, req.params, 'address');
}

/** The query string, checked by `schema` (400 naming the bad key otherwise). */
export function parseQuery<S extends z.ZodType>(req: FastifyRequest, schema: S): z.output<S> {
  return parsed(schema, req.query, 'query string');
}

/**
 * A urlencoded form body (repeated names arrive as arrays, src/server/qual/index.ts `parseForm`), checked by
 * `schema` built from {@link formText}, {@link formRawText}, {@link formList}, {@link formChoice} (400 naming
 * the bad field otherwise; nothing is saved).
 */
export function parseBody<S extends z.ZodType>(req: FastifyRequest, schema: S): z.output<S> {
  return parsed(schema, asForm(req.body), 'form');
}

const firstText = (v: unknown) => {
  const f = firstValue(v);
  return typeof f === 'string' ? f : '';
};

/** A form field's text as written (its first value; '' when absent). */
export const formRawText = z.preprocess(firstText, z.string());

/** A form field's text, trimmed ('' when absent). */
export const formText = formRawText.transform((s) => s.trim());

/** Every value of a repeated form field (checkboxes), trimmed, empty ones dropped. */
export const formList = z
  .preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()))
  .transform((l) => l.map((x) => x.trim()).filter((x) => x !== ''));

/** One of `values` (trimmed first value); anything else → 400 naming the field, the value and the choices. */
export function formChoice<const T extends string>(label: string, values: readonly T[]) {
  return z.preprocess(
    (v) => firstText(v).trim(),
    z.enum(values, {
      error: (iss) => `${label} "${String(iss.input)}" is not one of ${values.join(', ')}.`,
    }),
  );
}

/** One of `values` (trimmed first value), or `fallback` when absent or anything else. */
export function formOption<const T extends string>(values: readonly T[], fallback: T) {
  return z.preprocess((v) => firstText(v).trim(), z.enum(values).catch(fallback));
}

/** A whole number field (0 … 999,999,999); `fallback` when absent or empty, 400 naming it otherwise. */
export function formWholeNumber(label: string, fallback?: number) {
  return z.preprocess(
    (v) => {
      const t = firstText(v).trim();
      return t === '' && fallback !== undefined ? String(fallback) : t;
    },
    z
      .string()
      .regex(/^\d{1,9}$/, {
        error: (iss) => `${label}: "${String(iss.input)}" is not a whole number; enter one like 12.`,
      })
      .transform(Number),
  );
}

/** One of `values` (first occurrence); absent or empty → `fallback`; anything else → 400 naming the choices. */
export function queryStrictChoice<const T extends string>(name: string, values: readonly T[], fallback: T) {
  return z.preprocess(
    (v) => (firstValue(v) === '' ? undefined : firstValue(v)),
    z
      .enum(values, {
        error: (iss) =>
          `Unknown ${name} "${String(iss.input)}": use one of ${values.map((a) => `"${a}"`).join(', ')}.`,
      })
      .default(fallback),
  );
}

const segmentSchemas = new Map<string, z.ZodType<Record<string, string>>>();

/** Named path segments as text: `const { tid, did } = segments(req, 'tid', 'did')` (schemas built once per list). */
export function segments<const K extends string>(req: FastifyRequest, ...names: K[]): Record<K, string> {
  const key = names.join(',');
  let schema = segmentSchemas.get(key);
  if (!schema) {
    schema = z.object(Object.fromEntries(names.map((n) => [n, segment]))) as z.ZodType<
      Record<string, string>
    >;
    segmentSchemas.set(key, schema);
  }
  return parseParams(req, schema) as Record<K, string>;
}

/**
 * A path segment's text for a rate-limit key, read before the route's own parsing: '' when absent or not text
 * (never refuses; the route answers 404 for a bad segment itself). A plain read, not a schema: it runs as the
 * rate limiter's key generator on every submission.
 */
export function segmentForKey(req: FastifyRequest, name: string): string {
  const params: unknown = req.params;
  const v =
    typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
}

/** A query value as text when it is given once; undefined when absent or repeated (never refuses). */
export const querySingle = z.preprocess(
  (v) => (typeof v === 'string' ? v : undefined),
  z.string().optional(),
);
