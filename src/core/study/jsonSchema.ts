/**
 * JSON Schema of a study definition as an author writes it (`nabz analyze --study`, the studio's stored
 * definition), generated from `StudySchema` (never written by hand). The committed copy is
 * schemas/study.schema.json; a test checks it equals this output. Cross-field rules (ids that exist, grid rows,
 * models' predictors, expressions) live in the Zod refinements and `resolveStudy`, not in the JSON Schema.
 */
import { z } from 'zod';
import { AnswerSchema } from '../response/answer.js';
import { StudySchema } from './schema.js';

/**
 * A published JSON Schema (draft 2020-12) generated from a Zod schema: `$schema`, then the title and the
 * description, then the schema itself (as the input it accepts: defaulted fields optional).
 */
export function publishedJsonSchema(
  schema: z.ZodType,
  title: string,
  description: string,
): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: json.$schema,
    title,
    description,
    ...Object.fromEntries(Object.entries(json).filter(([k]) => k !== '$schema')),
  };
}

/** The JSON Schema (draft 2020-12) of a study definition (defaulted fields optional). */
export function studyJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    StudySchema,
    'nabz study definition',
    'A nabz study: library instruments (by id) or own instruments (inline), the study’s own questions, domains, the analysis plan and the collection settings (consent, eligibility, pages, support contacts). Generated from StudySchema (src/core/study/schema.ts); do not edit by hand. See docs/questions.md and docs/own-instruments.md.',
  );
}

/** The JSON Schema of one answer in nabz's own form (core/response/answer.ts: resume drafts, datasets). */
export function answerJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    AnswerSchema,
    'nabz answer',
    'One answer to one item or question in nabz’s own form (resume drafts, datasets): a value, several values, a text, not applicable, skipped or not shown. Generated from AnswerSchema (src/core/response/answer.ts); do not edit by hand.',
  );
}

/** A committed file's text: 2-space JSON with a final newline. */
export function jsonSchemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
