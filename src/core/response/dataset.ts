/**
 * Responses in memory: a columnar dataset, one column per variable.
 *
 * Each numeric column holds a `Float64Array` of values and a `Uint8Array` of statuses. The status keeps
 * the kinds of "no number" apart — they are never coded as 0 and never merged:
 * - ANSWERED: `values[i]` holds the answer (already the option value, before reverse keying);
 * - SKIPPED: the respondent saw the item and gave no answer;
 * - NOT_APPLICABLE: the respondent answered "not applicable";
 * - INVALID: the source held something that is not an answer (kept as an error elsewhere; never scored);
 * - NOT_SHOWN: skip logic hid the item.
 * For every non-answered status `values[i]` is NaN, so statistics that take `ArrayLike<number>` with NaN as
 * missing can use `values` directly.
 *
 * Columnar typed arrays keep 1,000,000 respondents × 30 items at about 270 MB and let statistics run without
 * allocating per respondent.
 */

export const AnswerStatus = {
  ANSWERED: 0,
  SKIPPED: 1,
  NOT_APPLICABLE: 2,
  INVALID: 3,
  NOT_SHOWN: 4,
} as const;
export type AnswerStatus = (typeof AnswerStatus)[keyof typeof AnswerStatus];

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly id: string;
  readonly values: Float64Array;
  readonly status: Uint8Array;
}

export interface TextColumn {
  readonly kind: 'text';
  readonly id: string;
  /** `null` = no answer. */
  readonly values: (string | null)[];
}

export type Column = NumericColumn | TextColumn;

export interface Dataset {
  /** Number of respondents (rows). */
  readonly n: number;
  readonly columns: ReadonlyMap<string, Column>;
}

export function numericColumn(id: string, n: number): NumericColumn {
  const values = new Float64Array(n).fill(Number.NaN);
  const status = new Uint8Array(n).fill(AnswerStatus.SKIPPED);
  return { kind: 'numeric', id, values, status };
}
