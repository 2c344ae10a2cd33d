/**
 * The import of survey responses, independent of the file format: a header row, then data rows pushed one by
 * one, coded straight into growing typed-array columns (no per-row objects are kept).
 *
 * All or nothing: every error is collected (never stopping at the first), and with any error `finish()`
 * returns `{ ok: false, errors, mappingReport }` and no dataset. Readers for CSV and XLSX files live in
 * `src/import/`; `importTable` imports rows already in memory.
 *
 * @example
 * const imp = new ResponseImport(targets, ['Timestamp', 'Age', 'Gender'], { mapping });
 * imp.addRow(['2024/03/14 10:15:23 AM GMT+5', '21', 'Female'], 2);
 * const result = imp.finish();
 * if (result.ok) useDataset(result.dataset); else show(result.errors);
 */
import { at } from '../stats/at.js';
import { ColumnBuilder, cellText, isEmptyCell, type RawCell } from './cells.js';
import {
  type CodingProblem,
  isProblem,
  type NumericCoder,
  numericCoder,
  type OptionFlagCoder,
  optionFlagCoder,
  type SelectionCoder,
  selectionCoder,
  type TextCoder,
  textCoder,
} from './coding.js';
import { AnswerStatus, type Column, type Dataset, type NumericColumn } from './dataset.js';
import { ErrorCollector, type ErrorGroup, type ImportError } from './importErrors.js';
import { type ColumnPlan, type MappingReport, mapColumns } from './mapping.js';
import type { MappingFile } from './mappingFile.js';
import { optionColumnId, type Target } from './targets.js';
import { parseTimestamp } from './timestamp.js';

export interface ImportOptions {
  /** A validated mapping file (`parseMappingFile`). */
  readonly mapping?: MappingFile | undefined;
  /** Language of option labels listed in error messages (default: each label's first language). */
  readonly language?: string | undefined;
  /** How many errors to keep in full (all are counted and grouped). Default 100. */
  readonly maxErrors?: number | undefined;
  /**
   * Variables of the study that no column fills:
   * - `'not-shown'` (default): a column with every answer NOT_SHOWN (the item was not asked), listed in the report;
   * - `'omit'`: left out of the dataset, listed in the report;
   * - `'error'`: an error each, and no dataset.
   */
  readonly missingTargets?: 'not-shown' | 'omit' | 'error' | undefined;
  /**
   * Order of day and month in timestamps such as `3/4/2024`. `'auto'` (default) decides from the column: the
   * order under which every row is a valid date; month/day (Google Sheets' US default) when both fit, with a warning.
   */
  readonly dateOrder?: 'auto' | 'mdy' | 'dmy' | undefined;
  /**
   * `'exact'`: every row must have as many cells as the header (CSV); `'at-most'`: rows may be shorter, as
   * spreadsheets leave trailing empty cells out (XLSX). Default `'at-most'`.
   */
  readonly rowLength?: 'exact' | 'at-most' | undefined;
}

interface ImportOutcome {
  /** Data rows imported (respondents); blank rows are not counted. */
  readonly rows: number;
  /** Column mapping; `null` when no header row could be read. */
  readonly mappingReport: MappingReport | null;
  /** Things the user should know that do not stop the import (blank rows skipped, assumed date order, …). */
  readonly warnings: readonly string[];
  /**
   * For each unmapped column (by 0-based index): distinct answers of its first rows (at most
   * `ANSWER_SAMPLE.values` from the first `ANSWER_SAMPLE.rows`), so `unmatchedTargets` can suggest a column
   * whose answers are a question's option labels. Absent when no header row was read.
   */
  readonly unmappedAnswers?: ReadonlyMap<number, readonly string[]>;
}

/** How many rows and distinct answers of each unmapped column are kept for suggestions. */
const ANSWER_SAMPLE = { rows: 1000, values: 20 } as const;

export interface ImportSuccess extends ImportOutcome {
  readonly ok: true;
  readonly dataset: Dataset;
  readonly mappingReport: MappingReport;
  /** Submission time per row in epoch ms (NaN where empty), or null when the file has no timestamp column. */
  readonly submittedAt: Float64Array | null;
}

export interface ImportFailure extends ImportOutcome {
  readonly ok: false;
  /** The first `maxErrors` errors, in the order found. */
  readonly errors: readonly ImportError[];
  /** Number of errors in all. */
  readonly errorCount: number;
  /** Errors grouped by kind, column and value, in order of first occurrence. */
  readonly errorSummary: readonly ErrorGroup[];
}

export type ImportResult = ImportSuccess | ImportFailure;

/** A failed import from errors found before or outside the rows (unreadable file, no header row). */
export function failedImport(
  errors: readonly ImportError[],
  mappingReport: MappingReport | null = null,
  rows = 0,
  warnings: readonly string[] = [],
): ImportFailure {
  const c = new ErrorCollector(Number.POSITIVE_INFINITY);
  for (const e of errors) c.add(e);
  return {
    ok: false,
    errors: c.errors,
    errorCount: c.total,
    errorSummary: c.summary(),
    rows,
    mappingReport,
    warnings,
  };
}

/** One mapped column: reads its cell of each row into its builders. */
interface Sink {
  readonly index: number;
  readonly header: string;
  readonly item: string | null;
  accept(cell: RawCell, row: number, store: boolean): CodingProblem | null;
}

const CACHE_LIMIT = 4096;

/** A memo of a coder by cell text, for the few distinct labels of a column (bounded). */
function memo<T>(f: (s: string) => T): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let r = cache.get(s);
    if (r === undefined) {
      r = f(s);
      if (cache.size < CACHE_LIMIT) cache.set(s, r);
    }
    return r;
  };
}

/** A column coded to one numeric dataset column: a single-choice or number item, or one option's flag. */
class CodedSink implements Sink {
  readonly builder = new ColumnBuilder();
  private readonly code: NumericCoder | OptionFlagCoder;
  constructor(
    readonly index: number,
    readonly header: string,
    readonly target: Target,
    /** The dataset column filled: the item's id, or the option's column id. */
    readonly columnId: string,
    coder: NumericCoder | OptionFlagCoder,
  ) {
    this.code = memo(coder);
  }
  get item() {
    return this.target.id;
  }
  accept(cell: RawCell, _row: number, store: boolean): CodingProblem | null {
    const r = this.code(cellText(cell));
    if (isProblem(r)) return r;
    if (store) this.builder.push(r.value, r.status);
    return null;
  }
}

class SelectionSink implements Sink {
  readonly builders: ColumnBuilder[];
  private readonly code: SelectionCoder;
  private readonly flags: Uint8Array;
  constructor(
    readonly index: number,
    readonly header: string,
    readonly target: Target,
    coder: SelectionCoder,
  ) {
    this.code = memo(coder);
    this.builders = target.options.map(() => new ColumnBuilder());
    this.flags = new Uint8Array(target.options.length);
  }
  get item() {
    return this.target.id;
  }
  accept(cell: RawCell, _row: number, store: boolean): CodingProblem | null {
    const r = this.code(cellText(cell));
    if (isProblem(r)) return r;
    if (!store) return null;
    if (r.status !== AnswerStatus.ANSWERED) {
      for (const b of this.builders) b.push(Number.NaN, r.status);
      return null;
    }
    this.flags.fill(0);
    for (const k of r.selected) this.flags[k] = 1;
    for (let k = 0; k < this.builders.length; k++)
      at(this.builders, k).push(at(this.flags, k), AnswerStatus.ANSWERED);
    return null;
  }
}

class TextSink implements Sink {
  readonly values: (string | null)[] = [];
  constructor(
    readonly index: number,
    readonly header: string,
    readonly target: Target,
    private readonly code: TextCoder,
  ) {}
  get item() {
    return this.target.id;
  }
  accept(cell: RawCell, _row: number, store: boolean): CodingProblem | null {
    const r = this.code(cellText(cell));
    if (r !== null && typeof r === 'object') return r;
    if (store) this.values.push(r);
    return null;
  }
}

/** Reads the submission-time column under both day/month orders and decides at the end. */
class TimestampSink implements Sink {
  readonly mdy = new ColumnBuilder();
  readonly dmy = new ColumnBuilder();
  /** First row (and its text) that cannot be month/day, resp. day/month. */
  notMdy: [number, string] | null = null;
  notDmy: [number, string] | null = null;
  ambiguousRows = 0;
  constructor(
    readonly index: number,
    readonly header: string,
    private readonly order: 'auto' | 'mdy' | 'dmy',
  ) {}
  readonly item = null;
  accept(cell: RawCell, row: number, store: boolean): CodingProblem | null {
    if (isEmptyCell(cell)) {
      if (store) {
        this.mdy.push(Number.NaN, AnswerStatus.SKIPPED);
        this.dmy.push(Number.NaN, AnswerStatus.SKIPPED);
      }
      return null;
    }
    const r = parseTimestamp(cell);
    const text = cellText(cell);
    const want = this.order === 'auto' ? null : this.order;
    if (!r || (want !== null && Number.isNaN(r[want]))) {
      return {
        problem: 'bad_timestamp',
        message: `${JSON.stringify(text)} is not a date and time this importer reads${
          r && want ? ` as ${want === 'mdy' ? 'month/day/year' : 'day/month/year'}` : ''
        } (for example 2024/03/14 10:15:23 AM GMT+5, 3/14/2024 10:15:23, 2024-03-14T10:15:23Z). Fix the cell, or ignore the column with a mapping file ("timestamp": null).`,
      };
    }
    if (Number.isNaN(r.mdy) && this.notMdy === null) this.notMdy = [row, text];
    if (Number.isNaN(r.dmy) && this.notDmy === null) this.notDmy = [row, text];
    if (!Number.isNaN(r.mdy) && !Number.isNaN(r.dmy) && r.mdy !== r.dmy) this.ambiguousRows++;
    if (store) {
      this.mdy.push(r.mdy, AnswerStatus.ANSWERED);
      this.dmy.push(r.dmy, AnswerStatus.ANSWERED);
    }
    return null;
  }
}

/**
 * An import in progress. Create it with the header row, push data rows with `addRow`, then call `finish`.
 * Rows are coded as they arrive; after the first error nothing more is stored (the import can no longer
 * succeed) but every row is still checked, so the user sees all problems at once.
 */
export class ResponseImport {
  readonly mappingReport: MappingReport;
  private readonly plan: ColumnPlan;
  private readonly sinks: Sink[] = [];
  private timestamp: TimestampSink | null = null;
  private readonly errors: ErrorCollector;
  private readonly warnings: string[];
  private readonly headers: string[];
  private readonly exactLength: boolean;
  private rowCount = 0;
  private blankRows = 0;
  private lastRow = 1;
  /** Distinct answers of the unmapped columns, from the first rows (see `ANSWER_SAMPLE`). */
  private readonly unmappedAnswers = new Map<number, Set<string>>();

  constructor(
    private readonly targets: readonly Target[],
    header: readonly RawCell[],
    private readonly options: ImportOptions = {},
  ) {
    this.errors = new ErrorCollector(options.maxErrors ?? 100);
    this.exactLength = options.rowLength === 'exact';
    this.headers = header.map((c) => cellText(c).trim());
    this.plan = mapColumns(this.headers, targets, options.mapping);
    this.mappingReport = this.plan.report;
    this.warnings = [...this.plan.warnings];
    for (const e of this.plan.errors) this.errors.add(e);
    for (const c of this.mappingReport.unmapped)
      if (c.status === 'unmapped' && c.header.length > 0) this.unmappedAnswers.set(c.index, new Set());
    const co = { mapping: options.mapping, language: options.language };
    this.plan.assignments.forEach((a, i) => {
      const h = at(this.headers, i);
      if (!a) return;
      if (a.kind === 'timestamp') {
        const ts = new TimestampSink(i, h, options.dateOrder ?? 'auto');
        this.timestamp = ts;
        this.sinks.push(ts);
      } else if (a.kind === 'option') {
        const id = optionColumnId(a.target.id, at(a.target.options, a.optionIndex).value);
        this.sinks.push(new CodedSink(i, h, a.target, id, optionFlagCoder(a.target, a.optionIndex, co)));
      } else if (a.target.type === 'multiple') {
        this.sinks.push(new SelectionSink(i, h, a.target, selectionCoder(a.target, co)));
      } else if (a.target.type === 'text' || a.target.type === 'longtext') {
        this.sinks.push(new TextSink(i, h, a.target, textCoder(a.target, co)));
      } else {
        this.sinks.push(new CodedSink(i, h, a.target, a.target.id, numericCoder(a.target, co)));
      }
    });
    if (options.missingTargets === 'error') {
      for (const v of this.mappingReport.missingTargets) {
        this.errors.add({
          code: 'missing_column',
          row: null,
          column: null,
          value: null,
          item: v,
          message: `No column of the file fills ${v}. Add the column, or map an existing one in a mapping file ("columns": { "<header>": ${JSON.stringify(v)} }).`,
        });
      }
    }
  }

  /** Data rows read so far (blank rows not counted). */
  get rows(): number {
    return this.rowCount;
  }

  /** Errors found so far. */
  get errorCount(): number {
    return this.errors.total;
  }

  /** Add an error found outside the rows (e.g. the reader could not go on); the import will fail. */
  addError(e: ImportError): void {
    this.errors.add(e);
  }

  /**
   * Code one data row.
   * @param cells the row's cells, in header order
   * @param rowNumber the row as a spreadsheet user counts it (header = 1); default: the previous row + 1
   */
  addRow(cells: readonly RawCell[], rowNumber?: number): void {
    const row = rowNumber ?? this.lastRow + 1;
    this.lastRow = row;
    let blank = true;
    for (let k = 0; k < cells.length; k++) {
      if (!isEmptyCell(cells[k])) {
        blank = false;
        break;
      }
    }
    if (blank) {
      this.blankRows++;
      return;
    }
    const width = this.headers.length;
    if (cells.length > width || (this.exactLength && cells.length < width)) {
      let extra = false;
      for (let k = width; k < cells.length; k++) if (!isEmptyCell(cells[k])) extra = true;
      if (this.exactLength || extra) {
        this.errors.add({
          code: 'row_length',
          row,
          column: null,
          value: null,
          item: null,
          message: `Row ${row} has ${cells.length} cells but the header row has ${width} columns. A value may hold an unquoted separator or line break; quote it or fix the row.`,
        });
      }
    }
    this.rowCount++;
    if (this.rowCount <= ANSWER_SAMPLE.rows) {
      for (const [k, seen] of this.unmappedAnswers) {
        if (seen.size >= ANSWER_SAMPLE.values || isEmptyCell(cells[k])) continue;
        seen.add(cellText(cells[k]).trim());
      }
    }
    const store = this.errors.total === 0;
    for (const s of this.sinks) {
      const p = s.accept(cells[s.index], row, store);
      if (p) {
        this.errors.add({
          code: p.problem,
          row,
          column: s.header,
          value: cellText(cells[s.index]),
          item: s.item,
          message: `Row ${row}, column ${JSON.stringify(s.header)}: ${p.message}`,
        });
      }
    }
  }

  /** Finish the import: the dataset, or every error found. */
  finish(): ImportResult {
    const warnings = this.warnings;
    if (this.blankRows > 0)
      warnings.push(`${this.blankRows} blank row${this.blankRows === 1 ? ' was' : 's were'} skipped.`);
    if (this.rowCount === 0 && this.errors.total === 0) {
      this.errors.add({
        code: 'no_data_rows',
        row: null,
        column: null,
        value: null,
        item: null,
        message: 'The file has a header row but no data rows: there are no responses to import.',
      });
    }
    let submittedAt: Float64Array | null = null;
    const ts = this.timestamp;
    if (ts && this.errors.total === 0) {
      const order = this.decideDateOrder(ts);
      if (order) submittedAt = (order === 'mdy' ? ts.mdy : ts.dmy).build().values;
    }
    if (this.errors.total > 0) {
      return {
        ok: false,
        errors: this.errors.errors,
        errorCount: this.errors.total,
        errorSummary: this.errors.summary(),
        rows: this.rowCount,
        mappingReport: this.mappingReport,
        warnings,
        unmappedAnswers: this.answerSample(),
      };
    }
    return {
      ok: true,
      dataset: this.buildDataset(),
      submittedAt,
      rows: this.rowCount,
      mappingReport: this.mappingReport,
      warnings,
      unmappedAnswers: this.answerSample(),
    };
  }

  private answerSample(): Map<number, string[]> {
    return new Map([...this.unmappedAnswers].map(([k, v]) => [k, [...v]]));
  }

  private decideDateOrder(ts: TimestampSink): 'mdy' | 'dmy' | null {
    const want = this.options.dateOrder ?? 'auto';
    if (want !== 'auto') return want;
    const mdyOk = ts.notMdy === null;
    const dmyOk = ts.notDmy === null;
    if (mdyOk && dmyOk) {
      if (ts.ambiguousRows > 0) {
        this.warnings.push(
          `Column ${JSON.stringify(ts.header)}: dates such as 3/4/2024 can be month/day or day/month; all ${ts.ambiguousRows} such rows were read as month/day/year. Set dateOrder to "dmy" if they are day/month/year.`,
        );
      }
      return 'mdy';
    }
    if (ts.notMdy === null) return 'mdy';
    if (ts.notDmy === null) return 'dmy';
    const [r1, t1] = ts.notMdy;
    const [r2, t2] = ts.notDmy;
    this.errors.add({
      code: 'bad_timestamp',
      row: null,
      column: ts.header,
      value: null,
      item: null,
      message: `Column ${JSON.stringify(ts.header)} mixes day/month and month/day dates: row ${r1} (${JSON.stringify(t1)}) can only be day/month/year and row ${r2} (${JSON.stringify(t2)}) only month/day/year. Fix the dates, or ignore the column with a mapping file ("timestamp": null).`,
    });
    return null;
  }

  private buildDataset(): Dataset {
    const n = this.rowCount;
    const built = new Map<string, Column>();
    for (const s of this.sinks) {
      if (s instanceof CodedSink) {
        const { values, status } = s.builder.build();
        built.set(s.columnId, { kind: 'numeric', id: s.columnId, values, status });
      } else if (s instanceof SelectionSink) {
        s.target.options.forEach((o, k) => {
          const id = optionColumnId(s.target.id, o.value);
          const { values, status } = at(s.builders, k).build();
          built.set(id, { kind: 'numeric', id, values, status });
        });
      } else if (s instanceof TextSink) {
        built.set(s.target.id, { kind: 'text', id: s.target.id, values: s.values });
      }
    }
    // Dataset columns in study order; variables with no column as NOT_SHOWN (or left out).
    const fill = (this.options.missingTargets ?? 'not-shown') === 'not-shown';
    const notShown = (id: string): NumericColumn => ({
      kind: 'numeric',
      id,
      values: new Float64Array(n).fill(Number.NaN),
      status: new Uint8Array(n).fill(AnswerStatus.NOT_SHOWN),
    });
    const columns = new Map<string, Column>();
    for (const t of this.targets) {
      const ids = t.type === 'multiple' ? t.options.map((o) => optionColumnId(t.id, o.value)) : [t.id];
      for (const id of ids) {
        const c = built.get(id);
        if (c) columns.set(id, c);
        else if (fill) {
          columns.set(
            id,
            t.type === 'text' || t.type === 'longtext'
              ? { kind: 'text', id, values: new Array<string | null>(n).fill(null) }
              : notShown(id),
          );
        }
      }
    }
    return { n, columns };
  }
}

/**
 * Import a table already in memory: the first row is the header. For small uploads and tests; files go
 * through `importResponses` in `src/import/`, which streams.
 */
export function importTable(
  targets: readonly Target[],
  table: Iterable<readonly RawCell[]>,
  options: ImportOptions = {},
): ImportResult {
  let imp: ResponseImport | null = null;
  let row = 0;
  for (const cells of table) {
    row++;
    if (!imp) {
      if (cells.every(isEmptyCell)) return failedImport([emptyHeaderError()]);
      imp = new ResponseImport(targets, cells, options);
    } else imp.addRow(cells, row);
  }
  if (!imp) return failedImport([emptyFileError()]);
  return imp.finish();
}

/** The error for a file with no rows at all. */
export function emptyFileError(): ImportError {
  return {
    code: 'empty_file',
    row: null,
    column: null,
    value: null,
    item: null,
    message: 'The file is empty: it has no header row and no responses.',
  };
}

/** The error for a file whose first row is blank. */
export function emptyHeaderError(): ImportError {
  return {
    code: 'empty_file',
    row: 1,
    column: null,
    value: null,
    item: null,
    message: 'Row 1 is blank: the first row must hold the column headers (question texts or item ids).',
  };
}
