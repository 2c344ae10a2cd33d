/**
 * Errors of an import. Every problem is collected (the import never stops at the first); the stored list is
 * capped, the total count is not, and a summary groups errors by column, value and kind so that a million
 * rows with the same unknown label read as one line.
 */

export type ImportErrorCode =
  /** The file cannot be read as a table (not UTF-8, unclosed quote, not an XLSX workbook, missing sheet). */
  | 'file'
  | 'empty_file'
  | 'no_data_rows'
  | 'duplicate_header'
  | 'ambiguous_column'
  /** Two columns fill the same variable. */
  | 'conflicting_columns'
  /** The mapping file names an unknown item, option or value. */
  | 'mapping_file'
  /** A variable of the study has no column and `missingTargets` is `"error"`. */
  | 'missing_column'
  /** A row has more (or, in CSV, fewer) cells than the header. */
  | 'row_length'
  | 'unknown_label'
  | 'unknown_code'
  | 'na_not_allowed'
  | 'not_a_number'
  | 'out_of_range'
  | 'not_integer'
  | 'too_long'
  | 'bad_timestamp';

export interface ImportError {
  readonly code: ImportErrorCode;
  /** Data row as a spreadsheet user counts it (header = row 1, first data row = row 2); null for file- and header-level errors. */
  readonly row: number | null;
  /** Header text of the column; null when the error is not about one column. */
  readonly column: string | null;
  /** The offending cell value as found in the file. */
  readonly value: string | null;
  /** The variable the column was mapped to. */
  readonly item: string | null;
  /** A sentence naming the row, column, value and the fix. */
  readonly message: string;
}

/** Errors of one kind for one column and value, e.g. 12,000 rows with "F" in "Gender". */
export interface ErrorGroup {
  readonly code: ImportErrorCode;
  readonly column: string | null;
  readonly value: string | null;
  readonly item: string | null;
  readonly count: number;
  /** First row it occurs in. */
  readonly firstRow: number | null;
  /** The message of its first occurrence. */
  readonly message: string;
}

/** Collects import errors: the first `maxStored` in full, all of them counted and grouped. */
export class ErrorCollector {
  readonly errors: ImportError[] = [];
  total = 0;
  private readonly groups = new Map<string, { -readonly [K in keyof ErrorGroup]: ErrorGroup[K] }>();

  constructor(
    private readonly maxStored = 100,
    private readonly maxGroups = 1000,
  ) {}

  add(e: ImportError): void {
    this.total++;
    if (this.errors.length < this.maxStored) this.errors.push(e);
    const key = `${e.code}\u0000${e.column ?? ''}\u0000${e.value ?? ''}`;
    const g = this.groups.get(key);
    if (g) g.count++;
    else if (this.groups.size < this.maxGroups) {
      this.groups.set(key, {
        code: e.code,
        column: e.column,
        value: e.value,
        item: e.item,
        count: 1,
        firstRow: e.row,
        message: e.message,
      });
    }
  }

  /** Groups in order of first occurrence. */
  summary(): ErrorGroup[] {
    return [...this.groups.values()];
  }
}

/**
 * A one-paragraph text of an import's errors for a terminal. With `groups` (`errorSummary`), one line per
 * kind × column × value — its first message and how many rows repeat it — so 12,000 rows with "F" in
 * "Gender" read as one line; without, the first `limit` messages. Either way the count of the rest follows.
 */
export function formatImportErrors(
  errors: readonly ImportError[],
  total: number,
  limit = 20,
  groups?: readonly ErrorGroup[],
): string {
  const head = `The import failed with ${total} error${total === 1 ? '' : 's'}; nothing was imported.`;
  if (groups && groups.length > 0) {
    const shownGroups = groups.slice(0, limit);
    const lines = shownGroups.map((g) => {
      if (g.count === 1) return `  ${g.message}`;
      const more = g.count - 1;
      return g.firstRow === null
        ? `  ${g.message} (${g.count} times)`
        : `  ${g.message} — the same in ${more} more row${more === 1 ? '' : 's'} (${g.count} in all)`;
    });
    const rest = total - shownGroups.reduce((a, g) => a + g.count, 0);
    if (rest > 0) lines.push(`  … and ${rest} more error${rest === 1 ? '' : 's'}.`);
    return [head, ...lines].join('\n');
  }
  const shown = errors.slice(0, limit).map((e) => `  ${e.message}`);
  const rest = total - shown.length;
  return [head, ...shown, ...(rest > 0 ? [`  … and ${rest} more.`] : [])].join('\n');
}
