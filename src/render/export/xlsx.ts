/**
 * Dataset export as XLSX with exceljs's streaming `WorkbookWriter` (rows are committed as they are written,
 * inline strings rather than a shared-string table, so memory does not grow with the number of rows).
 *
 * - Sheet "Data": row 1 holds the variable names (bold, frozen, with an autofilter); each name carries a
 *   cell note with the variable's label, so the data start on row 2 and the sheet stays a plain table for
 *   tools that read one header row. Values as codes or labels, skipped / not applicable / not shown as empty
 *   cells or codes (labels in labels mode); dates as Excel dates (yyyy-mm-dd), times as Excel date-times in
 *   UTC.
 * - Sheet "Variables": the codebook (name, label, type, format, values, missing values, belongs to, scoring,
 *   licence).
 *
 * Text is always written as a string cell, never as a formula: a value like `=HYPERLINK(...)` is shown as
 * text and never evaluated. (CSV, where the spreadsheet decides, needs the apostrophe prefix instead.)
 */

import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { at } from '../../core/stats/at.js';
import { scrubControl } from '../common.js';
import { CODEBOOK_COLUMNS, codebookRows } from './codebook.js';
import type { ExportOptions, ExportRecord, ExportSummary, ExportVariable, RowValue } from './model.js';
import { type CellOptions, createRowEncoder, numericCellView } from './rows.js';
import { type ByteSink, writeChunk } from './sink.js';

export interface XlsxExportOptions extends Partial<Pick<ExportOptions, 'labels' | 'missing'>> {
  /** Rows written between pauses that let the zip stream catch up (default 500). */
  readonly chunkRows?: number;
  /** Workbook creation time (default now). */
  readonly now?: Date;
}

/** Excel's limit on the characters in a cell. */
const MAX_CELL_CHARS = 32767;

type CellValue = string | number | Date | null;

function cellFormatter(v: ExportVariable, opts: CellOptions): (x: RowValue) => CellValue {
  const f = v.format;
  if (f.type === 'A')
    return (x) => (x === null || x === '' ? null : scrubControl(String(x).slice(0, MAX_CELL_CHARS)));
  if (f.type === 'SDATE') {
    return (x) => {
      const m = typeof x === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(x) : null;
      return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    };
  }
  if (f.type === 'YMDHMS') {
    return (x) => {
      const ms = typeof x === 'string' ? Date.parse(x) : Number.NaN;
      return Number.isFinite(ms) ? new Date(Math.floor(ms / 1000) * 1000) : null;
    };
  }
  const view = numericCellView(v, opts);
  return (x) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    const c = view(x);
    return typeof c === 'string' ? scrubControl(c) : c;
  };
}

function numFmt(v: ExportVariable): string | undefined {
  const f = v.format;
  if (f.type === 'SDATE') return 'yyyy-mm-dd';
  if (f.type === 'YMDHMS') return 'yyyy-mm-dd hh:mm:ss';
  return undefined;
}

/** Forwards the zip bytes to the sink with backpressure and counts them. */
class CountingForwarder extends Writable {
  bytes = 0;
  constructor(private readonly sink: ByteSink) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.bytes += chunk.length;
    writeChunk(this.sink, chunk).then(() => cb(), cb);
  }
  override _final(cb: (err?: Error | null) => void): void {
    if (this.sink.destroyed) {
      cb(new Error('the export destination was closed before the export finished'));
      return;
    }
    this.sink.once('error', cb);
    this.sink.end(() => {
      this.sink.off('error', cb);
      cb();
    });
  }
}

/** The slice of a writable stream that pacing looks at (Node streams, or the `readable-stream` copies zip uses). */
interface Pausable {
  readonly destroyed?: boolean;
  readonly writableNeedDrain?: boolean;
  readonly _writableState?: { readonly needDrain?: boolean; readonly destroyed?: boolean };
  once(event: 'drain' | 'close', cb: () => void): unknown;
  removeListener(event: 'drain' | 'close', cb: () => void): unknown;
}

function isPausable(x: unknown): x is Pausable {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Pausable).once === 'function' &&
    typeof (x as Pausable).removeListener === 'function'
  );
}

function needsDrain(w: Pausable): boolean {
  if (w.destroyed || w._writableState?.destroyed) return false;
  return w.writableNeedDrain ?? w._writableState?.needDrain ?? false;
}

/** Wait while a writable holds more than it wants (until 'drain' or 'close'). */
async function drained(w: Pausable): Promise<void> {
  while (needsDrain(w)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        w.removeListener('drain', done);
        w.removeListener('close', done);
        resolve();
      };
      w.once('drain', done);
      w.once('close', done);
    });
  }
}

/**
 * Let the zip stream catch up before more rows are written. exceljs's worksheet stream pushes its 64 KiB
 * batches into the zip entry's stream without waiting for it, so without this the whole sheet would pile up
 * in memory while the zip deflates it. Every `chunkRows` rows the writer waits until that entry stream has
 * passed on what it holds (it in turn waits for `out`, which waits for the sink): memory stays at about one
 * chunk of rows whatever the number of rows or the speed of the client. (The entry stream is found through
 * the worksheet stream's `pipes`, exceljs 4.4; if it is not there, only a turn of the event loop and the
 * output's own backpressure are waited for.)
 */
async function letZipCatchUp(sheet: unknown, out: CountingForwarder): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  const pipes = (sheet as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  if (Array.isArray(pipes)) for (const p of pipes) if (isPausable(p)) await drained(p);
  await drained(out);
}

/**
 * Write the dataset as an XLSX workbook to a stream (e.g. an HTTP response), then end it. On failure the
 * stream is destroyed and the error rethrown.
 *
 * @example
 * await writeXlsx(buildVariables(resolved), store.exportRecords(studyId), reply.raw, { labels: 'labels' });
 */
export async function writeXlsx(
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  sink: ByteSink,
  options: XlsxExportOptions = {},
): Promise<ExportSummary> {
  const cell: CellOptions = { labels: options.labels ?? 'codes', missing: options.missing ?? 'empty' };
  const chunkRows = Math.max(1, options.chunkRows ?? 500);
  const out = new CountingForwarder(sink);
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  finished.catch(() => undefined);
  out.on('error', () => undefined); // surfaced through `finished` / `wb.commit()`
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = 'nabz';
  wb.created = options.now ?? new Date();
  let rows = 0;
  try {
    // The data sheet is added first, so its zip entry streams while the small codebook sheet waits.
    const data = wb.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
    const book = wb.addWorksheet('Variables', { views: [{ state: 'frozen', ySplit: 1 }] });
    data.columns = variables.map((v) => ({
      key: v.name,
      width: Math.min(40, Math.max(10, v.name.length + 2)),
    }));
    const head = data.getRow(1);
    variables.forEach((v, i) => {
      const c = head.getCell(i + 1);
      c.value = scrubControl(v.name);
      c.font = { bold: true };
      c.note = scrubControl(v.label.slice(0, 2000));
    });
    data.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: Math.max(1, variables.length) } };
    head.commit();

    const fmts = variables.map((v) => cellFormatter(v, cell));
    const numFmts = variables.map(numFmt);
    const encode = createRowEncoder(variables);
    for await (const record of records) {
      const values = encode(record);
      const row = data.getRow(rows + 2);
      for (let i = 0; i < values.length; i++) {
        const x = at(fmts, i)(at(values, i));
        if (x === null) continue;
        const c = row.getCell(i + 1);
        c.value = x;
        const nf = numFmts[i];
        if (nf && x instanceof Date) c.numFmt = nf;
      }
      row.commit();
      rows++;
      if (rows % chunkRows === 0) await letZipCatchUp(data, out);
    }
    data.commit();

    const cols = [...CODEBOOK_COLUMNS, { key: 'licence' as const, title: 'Licence' }];
    book.columns = cols.map((c) => ({
      key: c.key,
      width: c.key === 'label' || c.key === 'values' || c.key === 'scoring' || c.key === 'licence' ? 60 : 16,
    }));
    const bh = book.getRow(1);
    cols.forEach((c, i) => {
      const x = bh.getCell(i + 1);
      x.value = c.title;
      x.font = { bold: true };
    });
    bh.commit();
    codebookRows(variables).forEach((r, k) => {
      const row = book.getRow(k + 2);
      cols.forEach((c, i) => {
        const text = scrubControl(r[c.key].slice(0, MAX_CELL_CHARS));
        if (text) row.getCell(i + 1).value = text;
      });
      row.commit();
    });
    book.commit();
    await wb.commit();
    await finished;
  } catch (err) {
    if (!out.destroyed) out.destroy();
    if (!sink.destroyed) sink.destroy();
    throw err;
  }
  return { rows, bytes: out.bytes, truncated: 0 };
}
