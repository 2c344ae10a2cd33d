/**
 * Streaming CSV reader: bytes → validated UTF-8 text → papaparse records → a callback per row.
 *
 * UTF-8 with or without a byte order mark; quoted values may hold separators, quotes ("") and line breaks.
 * Nothing is relaxed silently: a row with a different number of cells than the header is reported by the
 * importer, and a malformed quote stops the read with an error naming the row and line.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import type { ImportError } from '../core/response/importErrors.js';
import { at, mapAt } from '../core/stats/at.js';
import { fileError, fsError } from './fileErrors.js';

interface CsvReadOptions {
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
    else if (!quoted) {
      const c = counts.get(ch);
      if (c !== undefined) counts.set(ch, c + 1);
    }
  }
  let best = ',';
  let most = mapAt(counts, best);
  for (const [d, c] of counts)
    if (c > most) {
      best = d;
      most = c;
    }
  return best;
}

/** The 0-based offset of the first byte that breaks UTF-8 in `buf`, or -1 (an incomplete sequence at the end is not counted). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = at(buf, i);
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return -1;
      if ((at(buf, i + k) & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The length of the longest prefix of `buf` that does not end inside a (possibly valid) multi-byte character. */
export function completeUtf8End(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = at(buf, n - back);
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back < need ? n - back : n;
  }
  return n;
}

/**
 * Read a CSV file row by row. `onRow` receives the cells and the row number as a spreadsheet user counts
 * it (the header is row 1; a value with a line break does not start a new row). Returns a fatal error
 * (unreadable text, malformed quoting), or `null` when the whole file was read.
 *
 * Bytes are checked as UTF-8 here, then decoded text is tokenised by papaparse (why papaparse: see
 * CONTRIBUTING.md). Papaparse reports quoting problems per row instead of throwing, so the first one stops
 * the read with an error naming the row.
 */
export async function readCsv(
  path: string,
  onRow: (cells: string[], row: number) => void,
  options: CsvReadOptions = {},
): Promise<ImportError | null> {
  const file = createReadStream(path, { highWaterMark: options.chunkSize ?? 1 << 20 });
  // Errors reach us through the iterator below; this listener only keeps a late one (the file opening after
  // an abort destroyed the stream) from becoming an uncaught exception.
  file.on('error', () => {});
  const chunks = (file as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let bytes = 0;
  let checked = 0;
  let lines = 1;
  let fatal: ImportError | null = null;
  const decoder = new TextDecoder();

  const notUtf8 = (part: Buffer) => {
    const offset = Math.max(0, firstInvalidUtf8(part));
    let line = lines;
    const before = part.subarray(0, offset);
    for (let k = before.indexOf(10); k >= 0; k = before.indexOf(10, k + 1)) line++;
    return fileError(
      `The file is not UTF-8 text (an invalid byte at line ${line}, byte ${checked + offset + 1}). Save it as "CSV UTF-8 (Comma delimited)" in Excel, or download it again as CSV from Google Forms or Sheets.`,
    );
  };

  let first = true;
  let carry: Buffer | null = null;
  /** The next validated piece of the file, or null at the end (or after a fatal error). */
  const nextPart = async (): Promise<Buffer | null> => {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const r = await chunks.next();
      if (r.done) {
        if (carry)
          fatal = fileError(
            'The file ends in the middle of a UTF-8 character: it is truncated or not UTF-8 text.',
          );
        return null;
      }
      const chunk = r.value;
      if (first) {
        first = false;
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          fatal = fileError(
            'The file is UTF-16 text, not UTF-8. Save it as "CSV UTF-8 (Comma delimited)" in Excel, or download it again as CSV from Google Forms or Sheets.',
          );
          return null;
        }
      }
      bytes += chunk.length;
      // Hold back a character cut by the chunk boundary; validate the rest.
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const end = completeUtf8End(buf);
      carry = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
      const part = end < buf.length ? buf.subarray(0, end) : buf;
      if (!isUtf8(part)) {
        fatal = notUtf8(part);
        return null;
      }
      for (let k = part.indexOf(10); k >= 0; k = part.indexOf(10, k + 1)) lines++;
      checked += part.length;
      options.onBytes?.(bytes);
      if (part.length) return part;
    }
  };

  try {
    // Read up to the end of the header line to choose the separator.
    let head: Buffer = Buffer.alloc(0);
    let at = -1; // the header line's first CR or LF in `head`
    for (;;) {
      const part = await nextPart();
      if (fatal) return fatal;
      if (!part) break;
      head = head.length ? Buffer.concat([head, part]) : part;
      at = lineBreakAt(head);
      // A CR at the very end may be the first half of CRLF: read on to see.
      if (at >= 0 && !(head[at] === 13 && head.length === at + 1)) break;
    }
    if (head.length === 0) return null;
    const headerLine = new TextDecoder().decode(at < 0 ? head : head.subarray(0, at));
    const delimiter = options.delimiter ?? detectDelimiter(headerLine.replace(/^\uFEFF/, ''));
    // The line break, from the header line (papaparse would guess it from its first chunk, which may be tiny).
    const newline: '\r\n' | '\r' | '\n' =
      at < 0 || head[at] === 10 ? '\n' : head[at + 1] === 10 ? '\r\n' : '\r';
    // Text goes to papaparse in pieces that end just after a line feed (at least 64 KiB when the file allows),
    // so a CRLF is never split between two pieces: papaparse would otherwise see a lone CR at a piece's end.
    async function* text(): AsyncGenerator<string> {
      let buf = decoder.decode(head, { stream: true }).replace(/^\uFEFF/, '');
      for (;;) {
        const part = await nextPart();
        if (part) buf += decoder.decode(part, { stream: true });
        if (!part || buf.length >= 1 << 16) {
          const cut = part ? buf.lastIndexOf('\n') + 1 : buf.length;
          if (cut > 0) {
            yield buf.slice(0, cut);
            buf = buf.slice(cut);
          }
        }
        if (!part) {
          if (buf) yield buf;
          return;
        }
      }
    }
    let record = 0;
    let line = 1; // the file line on which the pending row starts
    // One row is held back: papaparse reports the empty "row" after a final line break, which is not data.
    let pending: string[] | null = null;
    await new Promise<void>((resolve, reject) => {
      Papa.parse<string[]>(Readable.from(text()), {
        delimiter,
        newline,
        header: false,
        dynamicTyping: false,
        skipEmptyLines: false,
        step: (results, parser) => {
          if (fatal) return;
          const error = results.errors[0];
          if (error) {
            fatal = quoteError(error, record + 1, line);
            parser.abort();
            return;
          }
          if (pending) {
            onRow(pending, record);
            line += 1 + lineBreaksIn(pending);
          }
          record++;
          pending = results.data;
        },
        complete: () => resolve(),
        error: (e: Error) => reject(e),
      });
    });
    if (fatal) return fatal;
    const last = pending as string[] | null;
    if (last && !(last.length === 1 && last[0] === '')) onRow(last, record);
    options.onBytes?.(bytes);
    return null;
  } catch (e) {
    if (options.signal?.aborted) throw e;
    const known = fsError(path, (e as NodeJS.ErrnoException).code);
    if (known) return known;
    throw e;
  } finally {
    file.destroy();
  }
}

/** Byte offset of the first CR or LF in `buf`, or -1. */
function lineBreakAt(buf: Buffer): number {
  const nl = buf.indexOf(10);
  const cr = buf.indexOf(13);
  return cr >= 0 && (nl < 0 || cr < nl) ? cr : nl;
}

/** Line breaks inside the (quoted) cells of a row: CRLF, CR or LF each count once. */
function lineBreaksIn(cells: readonly string[]): number {
  let n = 0;
  for (const c of cells) {
    if (c.indexOf('\n') < 0 && c.indexOf('\r') < 0) continue;
    const m = c.match(/\r\n|\r|\n/g);
    n += m ? m.length : 0;
  }
  return n;
}

/** A papaparse quoting problem as an import error in plain words. */
function quoteError(e: Papa.ParseError, row: number, line: number): ImportError {
  const what =
    e.code === 'MissingQuotes'
      ? 'a quoted value is never closed: a closing " is missing'
      : e.code === 'InvalidQuotes'
        ? 'a " inside a quoted value is not doubled (write "" for a quote inside quotes)'
        : e.message;
  return fileError(
    `Row ${row} (line ${line}): ${what}. Fix the quoting in the file, or export it again from the survey tool.`,
    row,
  );
}
