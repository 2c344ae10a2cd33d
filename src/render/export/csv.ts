/**
 * Dataset export as CSV: RFC 4180 (fields with a comma, quote, CR or LF quoted, quotes doubled, CRLF line
 * ends), UTF-8 with a byte order mark so Excel opens Urdu text correctly (turn it off with `bom: false`).
 *
 * One header row of variable names (labels are in the codebook). Values as codes or labels; skipped / not
 * applicable / not shown as empty cells or as their codes (labels in labels mode). Dates `YYYY-MM-DD`, times
 * `YYYY-MM-DD hh:mm:ss` in UTC. Spreadsheet formula injection is neutralised: a text cell starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, except plain numbers such as `-3` (see `csvField`).
 */
import { at } from '../../core/stats/at.js';
import { csvField } from '../csv.js';
import type { ExportOptions, ExportRecord, ExportSummary, ExportVariable, RowValue } from './model.js';
import { type CellOptions, createRowEncoder, numericCellView, utcDateTimeText } from './rows.js';
import { type ByteSink, CHUNK_BYTES, pipeChunks } from './sink.js';

interface CsvExportOptions extends Partial<Pick<ExportOptions, 'labels' | 'missing'>> {
  /** Start with a UTF-8 byte order mark (default true: Excel needs it to read UTF-8). */
  readonly bom?: boolean;
  /** Characters gathered before a chunk is sent (default 64 Ki). */
  readonly chunkChars?: number;
}

/** A function showing one row value of one variable as CSV field text. */
type FieldFormatter = (value: RowValue) => string;

function formatter(v: ExportVariable, opts: CellOptions): FieldFormatter {
  const f = v.format;
  if (f.type === 'A') return (x) => (x === null ? '' : csvField(String(x)));
  if (f.type === 'SDATE') return (x) => (typeof x === 'string' ? csvField(x) : '');
  if (f.type === 'YMDHMS') return (x) => (typeof x === 'string' ? csvField(utcDateTimeText(x) ?? x) : '');
  const view = numericCellView(v, opts);
  // Numeric variables take few distinct values (codes, labels): their fields are computed once each.
  const cache = new Map<number, string>();
  return (x) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) return '';
    let field = cache.get(x);
    if (field === undefined) {
      const c = view(x);
      field = c === null ? '' : csvField(String(c));
      if (cache.size < 4096) cache.set(x, field);
    }
    return field;
  };
}

/**
 * The CSV file as a sequence of UTF-8 chunks of about `chunkChars` characters, pulling one record at a time.
 * Use with `Readable.from(csvChunks(...))`, or through `writeCsv`.
 */
export async function* csvChunks(
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  options: CsvExportOptions = {},
): AsyncGenerator<Uint8Array, ExportSummary> {
  const cell: CellOptions = { labels: options.labels ?? 'codes', missing: options.missing ?? 'empty' };
  const chunkChars = Math.max(1024, options.chunkChars ?? CHUNK_BYTES);
  const fields = variables.map((v) => formatter(v, cell));
  const encode = createRowEncoder(variables);
  let parts: string[] = [
    ((options.bom ?? true) ? '\uFEFF' : '') + variables.map((v) => csvField(v.name)).join(',') + '\r\n',
  ];
  let size = at(parts, 0).length;
  let rows = 0;
  let bytes = 0;
  const take = (): Uint8Array => {
    const chunk = Buffer.from(parts.join(''), 'utf8');
    parts = [];
    size = 0;
    bytes += chunk.length;
    return chunk;
  };
  for await (const record of records) {
    const row = encode(record);
    let line = '';
    for (let i = 0; i < fields.length; i++) line += (i ? ',' : '') + at(fields, i)(at(row, i));
    line += '\r\n';
    parts.push(line);
    size += line.length;
    rows++;
    if (size >= chunkChars) yield take();
  }
  if (size > 0) yield take();
  return { rows, bytes, truncated: 0 };
}

/**
 * Write the dataset as CSV to a stream (e.g. an HTTP response), then end it. On failure the stream is
 * destroyed and the error rethrown.
 *
 * @example
 * await writeCsv(buildVariables(resolved), store.exportRecords(studyId), reply.raw, { labels: 'labels' });
 */
export function writeCsv(
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  sink: ByteSink,
  options: CsvExportOptions = {},
): Promise<ExportSummary> {
  return pipeChunks(csvChunks(variables, records, options), sink);
}
