/**
 * The answer shape, defined once: a Zod schema, with the `Answer` type inferred from it. Every place that reads
 * an answer it did not build itself (stored responses, drafts, exports) checks it with {@link parseAnswer}.
 * How answers are stored: answersJson.ts.
 */
import { z } from 'zod';

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
export type Answers = Readonly<Record<string, Answer>>;

/** A value as an `Answer` (extra members dropped), or undefined when it does not have that shape. */
export function parseAnswer(value: unknown): Answer | undefined {
  const r = AnswerSchema.safeParse(value);
  return r.success ? r.data : undefined;
}
