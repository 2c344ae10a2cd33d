/**
 * Importing survey responses from files: CSV (UTF-8, with or without BOM) and XLSX, streamed row by row
 * into a columnar dataset, with a mapping report and every error found.
 *
 * @example
 * const targets = targetsFromStudy(resolved.study, resolvedLookup(resolved)); // text packs applied
 * if (!targets.ok) throw …;
 * const mapping = await loadMappingFile('mapping.json');             // optional
 * const bar = createProgressBar({ label: 'responses.csv' });
 * const result = await importResponses('responses.csv', targets.value, {
 *   mapping: mapping.ok ? mapping.value : undefined,
 *   onProgress: (p) => bar.update(p),
 * });
 * bar.finish();
 * console.error(formatMappingReport(result.mappingReport));
 * if (!result.ok) console.error(formatImportErrors(result.errors, result.errorCount, 20, result.errorSummary));
 */
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Issue, Validated } from '../core/instrument/schema.js';
import { parseJsonSafe } from '../core/json.js';
import type { RawCell } from '../core/response/cells.js';
import { isEmptyCell } from '../core/response/cells.js';
import type { ImportError } from '../core/response/importErrors.js';
import {
  emptyFileError,
  emptyHeaderError,
  failedImport,
  type ImportOptions,
  type ImportResult,
  ResponseImport,
} from '../core/response/importer.js';
import { type MappingFile, parseMappingFile } from '../core/response/mappingFile.js';
import type { Target } from '../core/response/targets.js';
import { readCsv } from './csv.js';
import { fileError } from './fileErrors.js';
import type { ImportProgress } from './progress.js';

export type { RawCell } from '../core/response/cells.js';
export { cellText } from '../core/response/cells.js';
export type { ErrorGroup, ImportError, ImportErrorCode } from '../core/response/importErrors.js';
export { formatImportErrors } from '../core/response/importErrors.js';
export type { ImportFailure, ImportOptions, ImportResult, ImportSuccess } from '../core/response/importer.js';
export { importTable, ResponseImport } from '../core/response/importer.js';
export type { ColumnReport, MappingReport, MatchHow } from '../core/response/mapping.js';
export { formatMappingReport, mapColumns } from '../core/response/mapping.js';
export type { MappingFile, MappingFileInput } from '../core/response/mappingFile.js';
export { MappingFileSchema, parseMappingFile } from '../core/response/mappingFile.js';
export type { Target } from '../core/response/targets.js';
export { optionColumnId, targetsFromInstrument, targetsFromStudy } from '../core/response/targets.js';
export { detectDelimiter } from './csv.js';
export type { ImportProgress, ProgressBar, ProgressBarOptions } from './progress.js';
export { createProgressBar, formatProgress } from './progress.js';

type FileFormat = 'csv' | 'tsv' | 'xlsx';

interface ImportFileOptions extends Omit<ImportOptions, 'rowLength'> {
  /** File format; default: from the extension (.xlsx, .tsv, otherwise CSV; a ZIP signature means XLSX). */
  readonly format?: FileFormat | undefined;
  /** XLSX: worksheet name (default: the first worksheet). */
  readonly sheet?: string | undefined;
  /** CSV: cell separator (default: detected from the header line among , ; and tab). */
  readonly delimiter?: string | undefined;
  /** Progress while reading: rows, bytes read, file size. Called often; throttle drawing (see `createProgressBar`). */
  readonly onProgress?: ((p: ImportProgress) => void) | undefined;
  /** Cancels the read; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

async function sniffFormat(path: string): Promise<FileFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.csv' || ext === '.txt') return 'csv';
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4);
      await fh.read(buf, 0, 4, 0);
      return buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04 ? 'xlsx' : 'csv';
    } finally {
      await fh.close();
    }
  } catch {
    return 'csv';
  }
}

/** The size of a non-empty file, or the error saying why it cannot be read (missing, a folder, empty). */
async function fileSize(path: string): Promise<number | ImportError> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) return fileError(`${JSON.stringify(path)} is a folder, not a file.`);
    return s.size === 0 ? emptyFileError() : s.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fileError(
      code === 'ENOENT'
        ? `There is no file ${JSON.stringify(path)}.`
        : `The file ${JSON.stringify(path)} cannot be read (${(e as Error).message}).`,
    );
  }
}

/**
 * Import survey responses from a CSV or XLSX file into a columnar dataset.
 *
 * Streams the file (bounded memory: the columns only), maps its columns onto `targets` (item ids, item texts
 * in any language, Google Forms grid headers, a mapping file), codes every cell, and returns either the
 * dataset or every error found — all or nothing. Expected failures (missing file, bad encoding, unknown
 * labels, ambiguous columns, …) are values with `ok: false`; only programming errors and aborts throw.
 *
 * @param path CSV (UTF-8, with or without BOM) or XLSX file
 * @param targets the study's variables, from `targetsFromStudy`
 */
export async function importResponses(
  path: string,
  targets: readonly Target[],
  options: ImportFileOptions = {},
): Promise<ImportResult> {
  const size = await fileSize(path);
  if (typeof size !== 'number') return failedImport([size]);
  const totalBytes = size;
  const format = options.format ?? (await sniffFormat(path));
  const importOptions: ImportOptions = { ...options, rowLength: format === 'xlsx' ? 'at-most' : 'exact' };

  let imp: ResponseImport | null = null;
  let headerProblem: ImportError | null = null;
  let bytes = 0;
  const report = (done: boolean) => options.onProgress?.({ rows: imp?.rows ?? 0, bytes, totalBytes, done });
  const onBytes = (b: number) => {
    bytes = b;
    report(false);
  };
  const onRow = (cells: RawCell[], row: number) => {
    if (imp) {
      imp.addRow(cells, row);
      return;
    }
    if (headerProblem) return;
    if (row !== 1 || cells.every(isEmptyCell)) {
      headerProblem = emptyHeaderError();
      return;
    }
    imp = new ResponseImport(targets, cells, importOptions);
  };

  const fatal =
    format === 'xlsx'
      ? await (await import('./xlsx.js')).readXlsx(path, onRow, {
          sheet: options.sheet,
          onBytes,
          signal: options.signal,
        })
      : await readCsv(path, onRow, {
          delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : undefined),
          onBytes,
          signal: options.signal,
        });
  bytes = totalBytes;
  report(true);
  const current = imp as ResponseImport | null;
  if (headerProblem) return failedImport([headerProblem, ...(fatal ? [fatal] : [])]);
  if (!current) return failedImport([fatal ?? emptyFileError()]);
  if (fatal) current.addError(fatal);
  return current.finish();
}

/** Read and validate a mapping file (JSON). Expected failures (missing file, bad JSON, wrong shape) are issues. */
export async function loadMappingFile(path: string): Promise<Validated<MappingFile>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const issue: Issue = {
      path: '',
      code: 'file',
      message:
        code === 'ENOENT'
          ? `There is no mapping file ${JSON.stringify(path)}.`
          : `The mapping file cannot be read: ${(e as Error).message}`,
    };
    return { ok: false, issues: [issue] };
  }
  let json: unknown;
  try {
    json = parseJsonSafe(text);
  } catch (e) {
    return {
      ok: false,
      issues: [
        { path: '', code: 'json', message: `The mapping file is not valid JSON: ${(e as Error).message}` },
      ],
    };
  }
  return parseMappingFile(json);
}

/**
 * Read every row of a CSV or XLSX export as raw cells (the first row is the header), in file order, without
 * mapping them to a study — for drafting a study from an export (`nabz init`). Returns a fatal error (not
 * readable, not UTF-8, malformed quoting, no such sheet) or null.
 */
export async function readTable(
  path: string,
  onRow: (cells: RawCell[], row: number) => void,
  options: Pick<ImportFileOptions, 'format' | 'sheet' | 'delimiter'> = {},
): Promise<ImportError | null> {
  const size = await fileSize(path);
  if (typeof size !== 'number') return size;
  const format = options.format ?? (await sniffFormat(path));
  return format === 'xlsx'
    ? (await import('./xlsx.js')).readXlsx(path, onRow, { sheet: options.sheet })
    : readCsv(path, onRow, { delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : undefined) });
}

/**
 * Import survey responses from a file's bytes (an upload): written to a private temporary folder, read by
 * {@link importResponses} as that file would be, and deleted whatever happens.
 */
export async function importResponsesFromBytes(
  bytes: Uint8Array,
  format: 'csv' | 'xlsx',
  targets: readonly Target[],
  options: Omit<ImportFileOptions, 'format'> = {},
): Promise<ImportResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nabz-import-'));
  try {
    const path = join(dir, `upload.${format}`);
    await writeFile(path, bytes, { mode: 0o600 });
    return await importResponses(path, targets, { ...options, format });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
