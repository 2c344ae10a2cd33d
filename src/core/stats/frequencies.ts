/**
 * Frequency tables as SPSS / PSPP FREQUENCIES print them.
 *
 * Every case falls in exactly one row: a valid value, a user-missing code (e.g. 8 = "Not applicable",
 * 9 = "Skipped", declared like SPSS MISSING VALUES) or system-missing (NaN, printed "System").
 * Percent is of all cases; Valid Percent and Cumulative Percent are of the valid (non-missing) cases.
 * Percentages are returned unrounded (100 · count / total); a report rounds them for display.
 */
import { type NotComputable, notComputable } from './result.js';

interface FrequencyOptions {
  /** Value labels, e.g. `{ 0: 'Not at all', 8: 'Not applicable' }` or a Map. */
  readonly valueLabels?: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
  /** User-missing codes (SPSS MISSING VALUES). NaN is always system-missing. */
  readonly missingValues?: readonly number[];
  /** Row order of the valid values: by value (SPSS /FORMAT=AVALUE, the default) or descending. */
  readonly order?: 'ascending' | 'descending';
}

interface FrequencyRow {
  readonly value: number;
  /** The value label, if one is defined. */
  readonly label?: string;
  readonly frequency: number;
  /** 100 · frequency / all cases. */
  readonly percent: number;
  /** 100 · frequency / valid cases. */
  readonly validPercent: number;
  /** 100 · (frequency of this and all earlier valid rows) / valid cases. */
  readonly cumulativePercent: number;
}

interface MissingFrequencyRow {
  /** The user-missing code, or 'system' for system-missing (NaN). */
  readonly value: number | 'system';
  readonly label?: string;
  readonly frequency: number;
  /** 100 · frequency / all cases. */
  readonly percent: number;
}

export interface FrequencyTable {
  readonly method: 'Frequencies';
  /** All cases, valid and missing. */
  readonly n: number;
  readonly nValid: number;
  readonly nMissing: number;
  readonly valid: readonly FrequencyRow[];
  /** The "Valid Total" row; validPercent is 100, or null when no case is valid. */
  readonly validTotal: {
    readonly frequency: number;
    readonly percent: number;
    readonly validPercent: number | null;
  };
  readonly missing: readonly MissingFrequencyRow[];
  /** The "Missing Total" row. */
  readonly missingTotal: { readonly frequency: number; readonly percent: number };
  /** The grand "Total" row. */
  readonly total: { readonly frequency: number; readonly percent: number };
  readonly missingValues: readonly number[];
}

function labelOf(labels: FrequencyOptions['valueLabels'], value: number): { label?: string } {
  if (labels === undefined) return {};
  const label =
    labels instanceof Map ? labels.get(value) : (labels as Readonly<Record<number, string>>)[value];
  return label === undefined ? {} : { label };
}

/**
 * Frequency table of the coded values in `x` (SPSS/PSPP FREQUENCIES): one row per observed valid
 * value with Frequency, Percent, Valid Percent and Cumulative Percent; one row per observed
 * user-missing code and for system-missing (NaN) with Frequency and Percent; totals.
 * NotComputable only when there are no cases at all.
 *
 * @example frequencies([0, 1, 1, 9, NaN], { missingValues: [9], valueLabels: { 9: 'Skipped' } })
 */
export function frequencies(
  x: ArrayLike<number>,
  options: FrequencyOptions = {},
): FrequencyTable | NotComputable {
  const n = x.length;
  if (n === 0) return notComputable('There are no cases to tabulate.');
  const missingCodes = options.missingValues ?? [];
  const userMissing = new Set(missingCodes);
  const validCounts = new Map<number, number>();
  const missingCounts = new Map<number, number>();
  let systemMissing = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) systemMissing++;
    else if (userMissing.has(v)) missingCounts.set(v, (missingCounts.get(v) ?? 0) + 1);
    else validCounts.set(v, (validCounts.get(v) ?? 0) + 1);
  }
  let nValid = 0;
  for (const c of validCounts.values()) nValid += c;
  const nMissing = n - nValid;
  const values = Array.from(validCounts.keys()).sort((a, b) => a - b);
  if (options.order === 'descending') values.reverse();
  let cumulative = 0;
  const valid: FrequencyRow[] = values.map((value) => {
    const frequency = validCounts.get(value) as number;
    cumulative += frequency;
    return {
      value,
      ...labelOf(options.valueLabels, value),
      frequency,
      percent: (100 * frequency) / n,
      validPercent: (100 * frequency) / nValid,
      cumulativePercent: (100 * cumulative) / nValid,
    };
  });
  // missing rows: user-missing codes by value, then system-missing, as SPSS lists them
  const missing: MissingFrequencyRow[] = Array.from(missingCounts.keys())
    .sort((a, b) => a - b)
    .map((value) => {
      const frequency = missingCounts.get(value) as number;
      return {
        value,
        ...labelOf(options.valueLabels, value),
        frequency,
        percent: (100 * frequency) / n,
      };
    });
  if (systemMissing > 0) {
    missing.push({ value: 'system', frequency: systemMissing, percent: (100 * systemMissing) / n });
  }
  return {
    method: 'Frequencies',
    n,
    nValid,
    nMissing,
    valid,
    validTotal: {
      frequency: nValid,
      percent: (100 * nValid) / n,
      validPercent: nValid > 0 ? 100 : null,
    },
    missing,
    missingTotal: { frequency: nMissing, percent: (100 * nMissing) / n },
    total: { frequency: n, percent: 100 },
    missingValues: [...missingCodes],
  };
}
