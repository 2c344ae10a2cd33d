/**
 * Streaming CSV reader: bytes → validated UTF-8 text → csv-parse records → a callback per row.
 *
 * UTF-8 with or without a byte order mark; quoted values may hold separators, quotes ("") and line breaks.
 * Nothing is relaxed silently: a row with a different number of cells than the header is reported by the
 * importer, and a malformed quote stops the read with an error naming the row and line.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { ImportError } from '../core/response/importErrors.js';

export interface CsvReadOptions {
  /** Cell separator; default: detected from the header line among `,` `;` and tab (`,` when tied). */
  readonly delimiter?: string | undefined;
  /** Called with the number of bytes read so far, after each chunk. */
  readonly onBytes?: ((bytes: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Read chunk size in bytes (default 1 MiB). */
  readonly chunkSize?: number | undefined;
}

/**
 * Choose the separator of a CSV from its first line: the most frequent of `,` `;` and tab outside quotes.
 * Excel in many European locales writes `;`.
 */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, c] of counts) if (c > counts.get(best)!) best = d;
  return best;
}

/** The 0-based offset of the first byte that breaks UTF-8 in `buf`, or -1 (an incomplete sequence at the end is not counted). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return -1;
      if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The length of the longest prefix of `buf` that does not end inside a (possibly valid) multi-byte character. */
export function completeUtf8End(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back < need ? n - back : n;
  }
  return n;
}

function fileError(message: string, row: number | null = null): ImportError {
  return { code: 'file', row, column: null, value: null, item: null, message };
}

/**
 * Read a CSV file row by row. `onRow` receives the cells and the row number as a spreadsheet user counts
 * it (the header is row 1; a value with a line break does not start a new row). Returns a fatal error
 * (unreadable text, malformed quoting), or `null` when the whole file was read.
 */
export async function readCsv(
  path: string,
  onRow: (cells: string[], row: number) => void,
  options: CsvReadOptions = {},
): Promise<ImportError | null> {
  const file = createReadStream(path, { highWaterMark: options.chunkSize ?? 1 << 20 });
  let bytes = 0;
  let checked = 0;
  let lines = 1;
  let record = 0;
  let parser: ReturnType<typeof parse> | null = null;
  let fatal: ImportError | null = null;
  let ended: Promise<void> = Promise.resolve();

  const start = (delimiter: string) => {
    const p = parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: false,
      skip_empty_lines: false,
      trim: false,
      cast: false,
    });
    p.on('data', (cells: string[]) => {
      record++;
      onRow(cells, record);
    });
    ended = new Promise<void>((resolve) => {
      p.on('end', resolve);
      p.on('error', (e: unknown) => {
        fatal = csvError(e, record + 1);
        resolve();
      });
    });
    parser = p;
  };

  const feed = async (data: Buffer) => {
    const p = parser!;
    if (!p.write(data)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          p.off('drain', done);
          p.off('error', done);
          resolve();
        };
        p.on('drain', done);
        p.on('error', done);
      });
    }
  };

  const notUtf8 = (part: Buffer) => {
    const at = Math.max(0, firstInvalidUtf8(part));
    let line = lines;
    const before = part.subarray(0, at);
    for (let k = before.indexOf(10); k >= 0; k = before.indexOf(10, k + 1)) line++;
    return fileError(
      `The file is not UTF-8 text (an invalid byte at line ${line}, byte ${checked + at + 1}). Save it as "CSV UTF-8 (Comma delimited)" in Excel, or download it again as CSV from Google Forms or Sheets.`,
    );
  };
  const firstLine = (head: Buffer): string | null => {
    let nl = head.indexOf(10);
    const cr = head.indexOf(13);
    if (cr >= 0 && (nl < 0 || cr < nl)) nl = cr;
    if (nl < 0) return null;
    return new TextDecoder().decode(head.subarray(0, nl));
  };

  try {
    let first = true;
    let carry: Buffer | null = null;
    let head: Buffer | null = null;
    for await (const chunk of file as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      if (first) {
        first = false;
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          return fileError(
            'The file is UTF-16 text, not UTF-8. Save it as "CSV UTF-8 (Comma delimited)" in Excel, or download it again as CSV from Google Forms or Sheets.',
          );
        }
      }
      bytes += chunk.length;
      // Hold back a character cut by the chunk boundary; validate the rest (csv-parse decodes whole fields).
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const end = completeUtf8End(buf);
      carry = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
      const part = end < buf.length ? buf.subarray(0, end) : buf;
      if (!isUtf8(part)) return notUtf8(part);
      for (let k = part.indexOf(10); k >= 0; k = part.indexOf(10, k + 1)) lines++;
      checked += part.length;
      if (!parser) {
        head = head ? Buffer.concat([head, part]) : part;
        const line = firstLine(head);
        if (line === null) continue;
        start(options.delimiter ?? detectDelimiter(line.replace(/^\uFEFF/, '')));
        await feed(head);
        head = null;
      } else await feed(part);
      options.onBytes?.(bytes);
      if (fatal) return fatal;
    }
    if (carry)
      return fileError(
        'The file ends in the middle of a UTF-8 character: it is truncated or not UTF-8 text.',
      );
    if (!parser) {
      if (!head || head.length === 0) return null;
      start(options.delimiter ?? detectDelimiter(new TextDecoder().decode(head).replace(/^\uFEFF/, '')));
      await feed(head);
    }
    (parser as unknown as ReturnType<typeof parse>).end();
    await ended;
    options.onBytes?.(bytes);
    return fatal;
  } catch (e) {
    if (options.signal?.aborted) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fileError(`There is no file ${JSON.stringify(path)}.`);
    if (code === 'EISDIR') return fileError(`${JSON.stringify(path)} is a folder, not a file.`);
    if (code === 'EACCES')
      return fileError(`The file ${JSON.stringify(path)} cannot be read (permission denied).`);
    throw e;
  } finally {
    file.destroy();
  }
}

/** A csv-parse error as an import error in plain words. */
function csvError(e: unknown, row: number): ImportError {
  if (!(e instanceof CsvError)) return fileError(`The file could not be read as CSV: ${String(e)}`, row);
  const line = typeof e.lines === 'number' ? ` (line ${e.lines})` : '';
  let what: string;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      what = 'a quoted value is never closed: a closing " is missing';
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      what = 'a " inside a quoted value is not doubled (write "" for a quote inside quotes)';
      break;
    case 'CSV_MAX_RECORD_SIZE':
      what = 'a value is too large';
      break;
    default:
      what = e.message;
  }
  return fileError(
    `Row ${row}${line}: ${what}. Fix the quoting in the file, or export it again from the survey tool.`,
    row,
  );
}
