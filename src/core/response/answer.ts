/**
 * The answer shape, defined once: a Zod schema, with the `Answer` type inferred from it. Every place that reads
 * answers it did not build itself checks them with this schema: the store when it writes and reads a response
 * (answersJson.ts, through {@link parseAnswers}), the respondent engine a saved draft ({@link parseAnswer}).
 */
import { z } from 'zod';
import { toIssues, type Validated } from '../issue.js';

const finite = z.number().finite();

/** One item's answer. Multiple-choice values are in option order; text is trimmed and never empty. */
export const AnswerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: finite }).readonly(),
  z.object({ kind: z.literal('choices'), values: z.array(finite).readonly() }).readonly(),
  z.object({ kind: z.literal('text'), text: z.string() }).readonly(),
  z.object({ kind: z.literal('na') }).readonly(),
  z.object({ kind: z.literal('skipped') }).readonly(),
  z.object({ kind: z.literal('not_shown') }).readonly(),
]);

export type Answer = z.infer<typeof AnswerSchema>;

/** Answers by item id. An absent id is an item not (yet) asked. */
const AnswersSchema = z.record(z.string(), AnswerSchema).readonly();
export type Answers = z.infer<typeof AnswersSchema>;

/** A value as an `Answer` (extra members dropped), or undefined when it does not have that shape. */
export function parseAnswer(value: unknown): Answer | undefined {
  const r = AnswerSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/**
 * A value as `Answers` (an object of item id → `Answer`, extra members of an answer dropped), or the issues with
 * their paths (`q1.kind`, `q2.values[0]`).
 */
export function parseAnswers(value: unknown): Validated<Answers> {
  const r = AnswersSchema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}
