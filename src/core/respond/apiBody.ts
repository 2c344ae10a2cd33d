/**
 * The JSON API's request body (`POST /api/v1/s/:token/responses`) as one Zod schema: its type, its checks with
 * paths and messages, and the JSON Schema published as schemas/submission.schema.json (a test fails when the
 * committed file is stale).
 *
 * The schema checks the body's shape; the answers' values are checked against the study by the engine
 * (`answersFromJson`, then `judgeResponse`), which names unknown items and values that are not options. So at
 * run time `answers` is only checked to be an object (one pass over the answers, not two); the JSON Schema
 * describes the values a client may send.
 */
import { z } from 'zod';
import type { Issue, Validated } from '../issue.js';
import { publishedJsonSchema } from '../study/jsonSchema.js';

/** A client idempotency key: a UUID or any 8–128 characters from A–Z a–z 0–9 _ . : - */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** A referral code in a link (`?r=`): letters and digits, as the store makes them. */
export const REFERRAL_CODE = /^[A-Z0-9]{4,16}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const LANGUAGE = 'must be a language tag such as "en" or "ur"';
const REFERRAL = 'must be the referral code from the link (?r=...)';
const CONSENT = 'must be an object such as {"agreed": true, "version": 2}';

/** The respondent's agreement to the study's consent, as a client sends it. */
const ConsentBodySchema = z.strictObject(
  {
    agreed: z.boolean({ error: 'must be true (the respondent agreed) or false' }),
    version: z
      .number({ error: 'must be the version number of the consent text shown (e.g. 2)' })
      .int({ error: 'must be the version number of the consent text shown (e.g. 2)' })
      .positive({ error: 'must be the version number of the consent text shown (e.g. 2)' }),
  },
  { error: CONSENT },
);

const shape = {
  language: z.string({ error: LANGUAGE }).max(35, { error: LANGUAGE }).optional(),
  answers: z.custom<Record<string, unknown>>(isObject, {
    error: (iss) =>
      iss.input === undefined
        ? 'missing: send an object of item id → value'
        : 'must be an object of item id → value',
  }),
  idempotencyKey: z.string({ error: 'must be a string' }).optional(),
  referral: z
    .string({ error: REFERRAL })
    .refine((r) => REFERRAL_CODE.test(r.toUpperCase()), { error: REFERRAL })
    .optional(),
  consent: ConsentBodySchema.optional(),
};

/** The body as checked at run time (`answers` as an object; its values are the engine's to judge). */
export const SubmissionBodySchema = z.strictObject(shape);

/** One answer as a client sends it: an option value or label, a number, a text, a list for several choices, or null. */
const JsonAnswerSchema = z
  .union([z.number(), z.string(), z.null(), z.array(z.union([z.number(), z.string()]))])
  .describe(
    'An option value (2) or label, "na" for not applicable, a number or text, a list for a several-choice question ([1, 3]), or null for no answer.',
  );

/** The documented body (for the JSON Schema): the same fields, with the answers' values described. */
const SubmissionBodyDocSchema = z.strictObject({
  ...shape,
  language: shape.language.describe('The language the respondent answered in (a study language).'),
  answers: z
    .record(z.string(), JsonAnswerSchema)
    .describe('Item id → answer, for the items and questions of the study.'),
  idempotencyKey: z
    .string()
    .regex(IDEMPOTENCY_KEY)
    .optional()
    .describe(
      'The response’s key, as the Idempotency-Key header (send one of the two): 8–128 characters from A–Z a–z 0–9 _ . : - (a UUID works), generated once per response and reused on retries.',
    ),
  referral: z
    .string()
    .regex(/^[A-Za-z0-9]{4,16}$/)
    .optional()
    .describe('The referral code of the link the respondent came through (?r=...).'),
  consent: ConsentBodySchema.optional().describe(
    'Required by a study with a consent page: the respondent agreed ("agreed": true) to the consent text of this version ("version": the study\'s current consent version), shown in the response\'s language. Stored with the response: the version, the SHA-256 of the text in that language and the language (docs/consent.md). Ignored by a study without consent.',
  ),
});

/** A checked submission: what the API adapter needs from the body and the Idempotency-Key header. */
export interface Submission {
  readonly answers: Record<string, unknown>;
  readonly language: string | undefined;
  /** The client's idempotency key (header or body), trimmed. */
  readonly key: string;
  /** The referral code, upper case. */
  readonly referral: string | undefined;
  /** The consent the body carries, as sent (the engine judges it against the study's). */
  readonly consent: { readonly agreed: boolean; readonly version: number } | undefined;
}

const FIELDS = Object.keys(shape);
/** The order problems are listed in (the first one is in the error's message). */
const ORDER: Readonly<Record<string, number>> = {
  idempotencyKey: 1,
  language: 2,
  referral: 3,
  consent: 4,
  'consent.agreed': 4,
  'consent.version': 4,
  answers: 5,
};

/**
 * The body nearly every client sends — `answers` (an object), and perhaps `language` and `idempotencyKey` — read
 * without running the schema: what `SubmissionBodySchema` gives for it, or undefined for any other body (then the
 * schema checks it and names the problems). test/respond/apiBody.test.ts compares the two on generated bodies.
 */
function plainBody(
  body: Record<string, unknown>,
): { answers: Record<string, unknown>; language: string | undefined } | undefined {
  let answers: Record<string, unknown> | undefined;
  let language: string | undefined;
  for (const k in body) {
    const v = body[k];
    if (k === 'answers') {
      if (!isObject(v)) return undefined;
      answers = v;
    } else if (k === 'language') {
      if (typeof v !== 'string' || v.length > 35) return undefined;
      language = v;
    } else if (k !== 'idempotencyKey' || typeof v !== 'string') return undefined;
  }
  return answers === undefined ? undefined : { answers, language };
}

/**
 * Check a JSON API body and the `Idempotency-Key` header (`headerKey`, undefined when absent): every problem,
 * as `Issue`s with paths (`answers`, `idempotencyKey`, an unknown field's name; '' for a body that is not an
 * object). The key may come from the header or the body, the same when both are given.
 */
export function parseSubmission(body: unknown, headerKey: string | undefined): Validated<Submission> {
  if (!isObject(body))
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'invalid_type',
          message: 'the body must be a JSON object such as {"answers": {...}}',
        },
      ],
    };
  const plain = plainBody(body);
  const r = plain ? undefined : SubmissionBodySchema.safeParse(body);
  const issues: Issue[] = [];
  if (r && !r.success)
    for (const i of r.error.issues) {
      if (i.code === 'unrecognized_keys')
        for (const k of i.keys)
          issues.push(
            i.path.length
              ? {
                  path: `${i.path.map(String).join('.')}.${k.slice(0, 64)}`,
                  code: 'unknown_field',
                  message: 'unknown field; consent may have agreed, version',
                }
              : {
                  path: k.slice(0, 64),
                  code: 'unknown_field',
                  message: `unknown field; the body may have ${FIELDS.join(', ')}`,
                },
          );
      else
        issues.push({
          path: i.path.slice(0, 2).map(String).join('.'),
          code: i.code === 'custom' ? 'invalid_value' : i.code,
          message: i.message,
        });
    }
  const fromBody = typeof body.idempotencyKey === 'string' ? body.idempotencyKey.trim() : undefined;
  const header = headerKey?.trim();
  if (header !== undefined && fromBody !== undefined && header !== fromBody)
    issues.push({
      path: 'idempotencyKey',
      code: 'key_mismatch',
      message: 'differs from the Idempotency-Key header; send one key',
    });
  const key = header ?? fromBody;
  if (key === undefined)
    issues.push({
      path: 'idempotencyKey',
      code: 'required',
      message:
        'missing: send an Idempotency-Key header (e.g. a UUID generated once per response and reused on retries)',
    });
  else if (!IDEMPOTENCY_KEY.test(key))
    issues.push({
      path: 'idempotencyKey',
      code: 'invalid_format',
      message: 'must be 8–128 characters from A–Z, a–z, 0–9, _ . : - (a UUID works)',
    });
  if (issues.length || (r && !r.success) || key === undefined)
    return { ok: false, issues: issues.sort((a, b) => (ORDER[a.path] ?? 0) - (ORDER[b.path] ?? 0)) };
  if (plain)
    return {
      ok: true,
      value: {
        answers: plain.answers,
        language: plain.language,
        key,
        referral: undefined,
        consent: undefined,
      },
    };
  if (!r?.success) throw new Error('unreachable: a refused body was answered above');
  return {
    ok: true,
    value: {
      answers: r.data.answers,
      language: r.data.language,
      key,
      referral: r.data.referral?.toUpperCase(),
      consent: r.data.consent,
    },
  };
}

/** The JSON Schema (draft 2020-12) of the JSON API's request body. */
export function submissionJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    SubmissionBodyDocSchema,
    'nabz JSON API submission',
    'The body of POST /api/v1/s/{token}/responses (Content-Type: application/json): one complete response. Generated from SubmissionBodySchema (src/core/respond/apiBody.ts); do not edit by hand. Statuses and error bodies: src/server/api/routes.ts and docs/security.md.',
  );
}
