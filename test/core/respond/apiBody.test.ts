/**
 * The JSON API body as a Zod schema (core/respond/apiBody.ts): every bad body gives issues naming the field,
 * a code and the fix; the committed schemas/submission.schema.json is the schema generated from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ISSUE_CODE } from '../../../src/core/issue.js';
import {
  IDEMPOTENCY_KEY,
  parseSubmission,
  SubmissionBodySchema,
  submissionJsonSchema,
} from '../../../src/core/respond/apiBody.js';
import { jsonSchemaText } from '../../../src/core/study/jsonSchema.js';

const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const issuesOf = (body: unknown, header?: string) => {
  const r = parseSubmission(body, header);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(body)}`);
  return r.issues;
};

describe('parseSubmission', () => {
  it('accepts a body with the key in the header or the body (trimmed), the referral upper-cased', () => {
    const r = parseSubmission({ answers: { a: 1 }, language: 'ur', referral: 'k7m4qx9p' }, ` ${KEY} `);
    expect(r).toEqual({
      ok: true,
      value: { answers: { a: 1 }, language: 'ur', key: KEY, referral: 'K7M4QX9P', consent: undefined },
    });
    // The consent is passed on as sent: the engine judges it against the study's consent version.
    const c = parseSubmission({ answers: {}, consent: { agreed: true, version: 2 } }, KEY);
    expect(c.ok && c.value.consent).toEqual({ agreed: true, version: 2 });
    const b = parseSubmission({ answers: {}, idempotencyKey: KEY }, undefined);
    expect(b.ok && b.value.key).toBe(KEY);
    // The same key in both places is one key.
    expect(parseSubmission({ answers: {}, idempotencyKey: KEY }, KEY).ok).toBe(true);
  });

  it('passes the answers through as sent (their values are the engine’s to judge against the study)', () => {
    const answers = { phq9_1: 2, note: 'text', hobbies: [1, 3], x: null };
    const r = parseSubmission({ answers }, KEY);
    expect(r.ok && r.value.answers).toEqual(answers);
  });

  const cases: {
    name: string;
    body: unknown;
    header?: string;
    path: string;
    code: string;
    message: RegExp;
  }[] = [
    { name: 'an array', body: [1, 2], header: KEY, path: '', code: 'invalid_type', message: /JSON object/ },
    { name: 'null', body: null, header: KEY, path: '', code: 'invalid_type', message: /JSON object/ },
    {
      name: 'a string',
      body: 'answers',
      header: KEY,
      path: '',
      code: 'invalid_type',
      message: /JSON object/,
    },
    {
      name: 'no answers',
      body: { language: 'en' },
      header: KEY,
      path: 'answers',
      code: 'invalid_value',
      message: /^missing: send an object/,
    },
    {
      name: 'answers an array',
      body: { answers: [1, 2] },
      header: KEY,
      path: 'answers',
      code: 'invalid_value',
      message: /^must be an object of item id/,
    },
    {
      name: 'answers a string',
      body: { answers: '{}' },
      header: KEY,
      path: 'answers',
      code: 'invalid_value',
      message: /^must be an object/,
    },
    {
      name: 'an unknown field',
      body: { answers: {}, ip: '1.2.3.4' },
      header: KEY,
      path: 'ip',
      code: 'unknown_field',
      message: /unknown field; the body may have language, answers, idempotencyKey, referral, consent/,
    },
    {
      name: 'a consent that is not an object',
      body: { answers: {}, consent: true },
      header: KEY,
      path: 'consent',
      code: 'invalid_type',
      message: /must be an object such as \{"agreed": true, "version": 2\}/,
    },
    {
      name: 'a consent without agreement',
      body: { answers: {}, consent: { version: 2 } },
      header: KEY,
      path: 'consent.agreed',
      code: 'invalid_type',
      message: /must be true \(the respondent agreed\) or false/,
    },
    {
      name: 'a consent version that is not a whole number',
      body: { answers: {}, consent: { agreed: true, version: 1.5 } },
      header: KEY,
      path: 'consent.version',
      code: 'invalid_type',
      message: /version number of the consent text shown/,
    },
    {
      name: 'an unknown consent field',
      body: { answers: {}, consent: { agreed: true, version: 1, text: 'I agree' } },
      header: KEY,
      path: 'consent.text',
      code: 'unknown_field',
      message: /consent may have agreed, version/,
    },
    {
      name: 'a language number',
      body: { answers: {}, language: 1 },
      header: KEY,
      path: 'language',
      code: 'invalid_type',
      message: /language tag/,
    },
    {
      name: 'a language too long',
      body: { answers: {}, language: 'x'.repeat(36) },
      header: KEY,
      path: 'language',
      code: 'too_big',
      message: /language tag/,
    },
    {
      name: 'a bad referral',
      body: { answers: {}, referral: 'no spaces' },
      header: KEY,
      path: 'referral',
      code: 'invalid_value',
      message: /referral code from the link/,
    },
    {
      name: 'a referral number',
      body: { answers: {}, referral: 1234 },
      header: KEY,
      path: 'referral',
      code: 'invalid_type',
      message: /referral code/,
    },
    {
      name: 'no key',
      body: { answers: {} },
      path: 'idempotencyKey',
      code: 'required',
      message: /^missing: send an Idempotency-Key header/,
    },
    {
      name: 'a short key',
      body: { answers: {} },
      header: 'abc',
      path: 'idempotencyKey',
      code: 'invalid_format',
      message: /8–128 characters/,
    },
    {
      name: 'a key with spaces',
      body: { answers: {}, idempotencyKey: 'a b c d e f g h' },
      path: 'idempotencyKey',
      code: 'invalid_format',
      message: /8–128/,
    },
    {
      name: 'a key number',
      body: { answers: {}, idempotencyKey: 12345678 },
      header: KEY,
      path: 'idempotencyKey',
      code: 'invalid_type',
      message: /must be a string/,
    },
    {
      name: 'two keys',
      body: { answers: {}, idempotencyKey: 'other-key-0000001' },
      header: KEY,
      path: 'idempotencyKey',
      code: 'key_mismatch',
      message: /differs from the Idempotency-Key header/,
    },
  ];
  for (const c of cases)
    it(`refuses ${c.name}: ${c.path || '(body)'} ${c.code}`, () => {
      const issues = issuesOf(c.body, c.header);
      const hit = issues.find((i) => i.path === c.path && i.code === c.code);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit?.message).toMatch(c.message);
      for (const i of issues) expect(i.code).toMatch(ISSUE_CODE);
    });

  it('lists every problem, unknown fields first, then the key, language, referral and answers', () => {
    const issues = issuesOf(
      { answers: 1, referral: '?', language: 2, zz: 1, idempotencyKey: 'x' },
      undefined,
    );
    expect(issues.map((i) => i.path)).toEqual(['zz', 'idempotencyKey', 'language', 'referral', 'answers']);
  });

  it('names an overlong unknown field by its first 64 characters', () => {
    const name = 'f'.repeat(200);
    expect(issuesOf({ answers: {}, [name]: 1 }, KEY)[0]?.path).toBe('f'.repeat(64));
  });
});

describe('parseSubmission without the schema for a plain body', () => {
  it('does not run the schema for answers, language and key (the JSON API’s usual body)', () => {
    const spy = vi.spyOn(SubmissionBodySchema, 'safeParse');
    const r = parseSubmission({ answers: { a: 1 }, language: 'en', idempotencyKey: KEY }, KEY);
    expect(r).toEqual({
      ok: true,
      value: { answers: { a: 1 }, language: 'en', key: KEY, referral: undefined, consent: undefined },
    });
    expect(spy).not.toHaveBeenCalled();
    parseSubmission({ answers: { a: 1 }, referral: 'K7M4QX9P' }, KEY);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('accepts and refuses exactly the bodies the schema does, with the same values', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 40 }),
      fc.constant(KEY),
      fc.constant('K7M4QX9P'),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'agreed', 'version'), fc.oneof(fc.integer(), fc.boolean())),
    );
    const body = fc.dictionary(
      fc.constantFrom('answers', 'language', 'idempotencyKey', 'referral', 'consent', 'other'),
      value,
    );
    fc.assert(
      fc.property(body, (b) => {
        const r = parseSubmission(b, undefined);
        const z = SubmissionBodySchema.safeParse(b);
        const key = typeof b.idempotencyKey === 'string' ? b.idempotencyKey.trim() : undefined;
        const keyOk = key !== undefined && IDEMPOTENCY_KEY.test(key);
        expect(r.ok).toBe(z.success && keyOk);
        if (r.ok && z.success)
          expect(r.value).toEqual({
            answers: z.data.answers,
            language: z.data.language,
            key,
            referral: z.data.referral?.toUpperCase(),
            consent: z.data.consent,
          });
      }),
      { numRuns: 500 },
    );
  });
});

describe('schemas/submission.schema.json', () => {
  const file = join(__dirname, '..', '..', '..', 'schemas', 'submission.schema.json');
  // Regenerate with: UPDATE_SCHEMAS=1 npx vitest run test/core/respond/apiBody.test.ts
  if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(file, jsonSchemaText(submissionJsonSchema()));

  it('equals the schema generated from SubmissionBodySchema', () => {
    expect(readFileSync(file, 'utf8')).toBe(jsonSchemaText(submissionJsonSchema()));
  });

  it('describes the body: answers required, no other fields, each answer a value, text, list or null', () => {
    const s = submissionJsonSchema() as {
      $schema: string;
      type: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { type?: string; additionalProperties?: { anyOf?: unknown[] } }>;
    };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.type).toBe('object');
    expect(s.required).toEqual(['answers']);
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties).sort()).toEqual([
      'answers',
      'consent',
      'idempotencyKey',
      'language',
      'referral',
    ]);
    expect(s.properties.answers?.type).toBe('object');
    expect(s.properties.answers?.additionalProperties?.anyOf).toHaveLength(4);
  });
});
