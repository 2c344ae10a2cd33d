/**
 * Streaming XLSX reader (exceljs `WorkbookReader`): one worksheet, row by row, without loading the workbook.
 */
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import ExcelJS from 'exceljs';
import type { RawCell } from '../core/response/cells.js';
import type { ImportError } from '../core/response/importErrors.js';
import { fileError, fsError } from './fileErrors.js';

interface XlsxReadOptions {
  /** Worksheet name; default: the first worksheet. */
  readonly sheet?: string | undefined;
  readonly onBytes?: ((bytes: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** An exceljs cell value as a plain cell: rich text joined, formula results, hyperlink texts, error codes as text. */
export function plainCell(v: unknown): RawCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText))
      return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o) return plainCell(o.result);
    if ('hyperlink' in o && 'text' in o) return plainCell(o.text);
    if (typeof o.error === 'string') return o.error;
    if ('text' in o) return plainCell(o.text);
  }
  return String(v);
}

/**
 * Read one worksheet of an XLSX file. `onRow` receives the cells (0-based, in column order; trailing empty
 * cells may be absent) and the worksheet row number. Returns a fatal error (not an XLSX workbook, no such
 * sheet), or `null`.
 */
export async function readXlsx(
  path: string,
  onRow: (cells: RawCell[], row: number) => void,
  options: XlsxReadOptions = {},
): Promise<ImportError | null> {
  let bytes = 0;
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      options.onBytes?.(bytes);
      cb(null, chunk);
    },
  });
  let openError: NodeJS.ErrnoException | null = null;
  file.on('error', (e) => {
    openError = e;
    counter.destroy(e);
  });
  file.pipe(counter);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counter, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const seen: string[] = [];
  let found = false;
  try {
    for await (const ws of reader) {
      const name = (ws as unknown as { name?: string }).name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      if (options.sheet !== undefined && name !== options.sheet) {
        // Read it through: exceljs may have spooled it to a temporary file it deletes after this step.
        for await (const _row of ws) {
          if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
        }
        continue;
      }
      found = true;
      for await (const row of ws) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
        const values = row.values as unknown[];
        const cells: RawCell[] = new Array(Math.max(0, values.length - 1));
        for (let c = 1; c < values.length; c++) cells[c - 1] = plainCell(values[c]);
        onRow(cells, row.number);
      }
      break;
    }
  } catch (e) {
    if (options.signal?.aborted) throw e;
    const err = openError ?? (e as NodeJS.ErrnoException);
    return (
      fsError(path, err.code) ??
      fileError(
        `The file is not a readable XLSX workbook (${err.message ?? String(err)}). Save it again as "Excel Workbook (.xlsx)", or export it as CSV UTF-8.`,
      )
    );
  } finally {
    file.destroy();
    counter.destroy();
  }
  if (openError)
    return fileError(`The file ${JSON.stringify(path)} cannot be read (${(openError as Error).message}).`);
  if (!found) {
    if (options.sheet !== undefined) {
      return fileError(
        `The workbook has no worksheet named ${JSON.stringify(options.sheet)}. Its worksheets are: ${seen.map((s) => JSON.stringify(s)).join(', ') || '(none)'}.`,
      );
    }
    return fileError('The workbook has no worksheet.');
  }
  return null;
}
