/**
 * The mapping file: what a researcher writes when a file's headers or answer labels do not match the study.
 *
 * ```json
 * {
 *   "columns": { "BACE1": "bace3_01", "Email Address": null, "Q3[SQ002]": "coping__2" },
 *   "values": {
 *     "gender": { "F": 2, "M": 1 },
 *     "*": { "-99": "SKIP", "N/A": "NA" }
 *   },
 *   "timestamp": "Submitted at"
 * }
 * ```
 * - `columns`: header → item id (or `<id>__<value>` for one option of a multiple-choice item), or `null` to ignore the column.
 * - `values`: per item id (or `"*"` for every item): cell label → option value / number, `"NA"` (not applicable) or
 *   `"SKIP"` (no answer). An item's own entry wins over `"*"`; both win over the automatic label and code matching.
 * - `timestamp`: the header of the submission-time column, or `null` for none (no automatic detection).
 */
import { z } from 'zod';
import { toIssues, type Validated } from '../instrument/schema.js';

const MappedValueSchema = z.union([z.number().finite(), z.literal('NA'), z.literal('SKIP')]);
export type MappedValue = z.infer<typeof MappedValueSchema>;

export const MappingFileSchema = z
  .object({
    columns: z.record(z.string(), z.string().min(1).nullable()).default({}),
    values: z.record(z.string(), z.record(z.string(), MappedValueSchema)).default({}),
    timestamp: z.string().min(1).nullable().optional(),
  })
  .strict();
export type MappingFile = z.infer<typeof MappingFileSchema>;
export type MappingFileInput = z.input<typeof MappingFileSchema>;

/** Parse and validate a mapping file's JSON value; never throws on bad input. */
export function parseMappingFile(input: unknown): Validated<MappingFile> {
  const r = MappingFileSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}
