/**
 * SPSS system file (.sav) writer, written from the published format description (GNU PSPP Developers
 * Guide, "System File Format"). Little-endian, IEEE 754 doubles, UTF-8 text.
 *
 * Records written, in order:
 * - file header (`$FL2`, layout code 2, the number of 8-byte slots per case, compression 1 = bytecode or
 *   0 = none, no weight, the case count — -1 "unknown" when streaming, patched by `writeSavFile` — bias 100,
 *   creation date and time, file label);
 * - one variable record (type 2) per variable, with continuation records for strings wider than 8 bytes;
 *   print and write formats; the variable label (≤ 256 bytes, cut at a character boundary); up to three
 *   discrete user-missing values;
 * - value labels (type 3) each followed by the variables they apply to (type 4); identical label sets are
 *   written once; labels ≤ 120 bytes (SPSS's limit);
 * - an optional document record (type 6, 80-byte lines);
 * - machine integer info (7/3: IEEE 754, little-endian, character code 65001 = UTF-8), machine floating-point
 *   info (7/4: system-missing = −DBL_MAX, highest, lowest), variable display parameters (7/11: measure,
 *   column width, alignment), long variable names (7/13), very long strings (7/14, strings over 255 bytes,
 *   stored as 255-byte segments, one per 252 bytes of width), character encoding (7/20 "UTF-8");
 * - dictionary termination (999), then the cases.
 *
 * Data are streamed: `savChunks` pulls one record at a time and yields chunks of about `chunkBytes`; with
 * bytecode compression each 8-byte slot becomes one code byte (integers −99…151, system-missing, eight
 * spaces) or code 253 followed by the raw 8 bytes, eight codes to a block.
 */

import { open, rm } from 'node:fs/promises';
import { at, codePoint } from '../../core/stats/at.js';
import { licenceLines } from './codebook.js';
import type { ExportRecord, ExportSummary, ExportVariable, RowValue, ValueLabel } from './model.js';
import { createRowEncoder, spssDate, spssDateTime } from './rows.js';
import { type ByteSink, CHUNK_BYTES, pipeChunks } from './sink.js';

interface SavOptions {
  /** `bytecode` (default; what SPSS writes, much smaller) or `none`. */
  readonly compression?: 'bytecode' | 'none';
  /** File label (≤ 64 bytes, cut at a character boundary), e.g. the study title. */
  readonly fileLabel?: string;
  /**
   * Document lines (DISPLAY DOCUMENTS), wrapped to 80 bytes. Default: the licence lines of the instruments
   * the variables come from (`licenceLines`); pass `[]` for none.
   */
  readonly documents?: readonly string[];
  /** Creation time written in the header (default: now). */
  readonly now?: Date;
  /** Bytes gathered before a chunk is sent (default 64 KiB). */
  readonly chunkBytes?: number;
}

/** Byte offset of the case count in the file header. */
export const SAV_NCASES_OFFSET = 80;
/** Longest variable label SPSS keeps, in bytes. */
const SAV_MAX_LABEL_BYTES = 256;
/** Longest value label SPSS keeps, in bytes. */
const SAV_MAX_VALUE_LABEL_BYTES = 120;

const SYSMIS = -Number.MAX_VALUE;
const BIAS = 100;
const utf8 = new TextEncoder();

/** The longest prefix of `s` that fits in `maxBytes` bytes of UTF-8, cut between characters. */
export function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const cp = codePoint(ch);
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > maxBytes) return s.slice(0, end);
    bytes += n;
    end += ch.length;
  }
  return s;
}

/** Cut UTF-8 bytes to at most `max` bytes without splitting a character. */
function cutBytes(b: Uint8Array, max: number): Uint8Array {
  if (b.length <= max) return b;
  let end = max;
  // back up over continuation bytes (10xxxxxx) so the cut falls before a character's first byte
  while (end > 0 && (at(b, end) & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/**
 * The variable label as SPSS gets it (≤ 256 bytes). For a multiple-choice option the item text is
 * shortened rather than the option, so "<item>: <option>" still names the option.
 */
function savVariableLabel(v: ExportVariable): string {
  if (utf8.encode(v.label).length <= SAV_MAX_LABEL_BYTES) return v.label;
  if (v.source.kind === 'choice') {
    const tail = `…: ${v.source.optionLabel}`;
    const room = SAV_MAX_LABEL_BYTES - utf8.encode(tail).length;
    if (room > 16) return truncateUtf8(v.source.itemLabel, room) + tail;
  }
  return truncateUtf8(v.label, SAV_MAX_LABEL_BYTES);
}

/** A growable little-endian byte buffer, for the dictionary (small: proportional to the variables). */
class Bytes {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  i32(x: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, x, true);
    this.pos += 4;
    return this;
  }
  f64(x: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
    return this;
  }
  u8(x: number): this {
    this.ensure(1);
    this.buf[this.pos++] = x;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** Text in exactly `n` bytes: cut at a character boundary, padded with `pad` (a space by default). */
  fixed(s: string, n: number, pad = 0x20): this {
    const b = cutBytes(utf8.encode(s), n);
    this.bytes(b);
    this.ensure(n - b.length);
    this.buf.fill(pad, this.pos, this.pos + n - b.length);
    this.pos += n - b.length;
    return this;
  }
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** One variable record of the dictionary: a numeric variable, a string, or one segment of a very long string. */
interface Segment {
  readonly shortName: string;
  /** 0 for numeric, else the segment's width in bytes (1–255). */
  readonly width: number;
  /** 8-byte slots it occupies. */
  readonly slots: number;
}

interface SavVariable {
  readonly v: ExportVariable;
  readonly segments: readonly Segment[];
  /** 1-based dictionary index of the first slot (what value-label records refer to). */
  readonly index: number;
  /** String width in bytes (0 for numeric). */
  readonly width: number;
}

/** Short (8-byte) names: unique, upper case, derived from the long names. */
class ShortNames {
  readonly #taken = new Set<string>();
  allocate(candidate: string): string {
    const base = candidate
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, '_')
      .slice(0, 8);
    if (!this.#taken.has(base)) {
      this.#taken.add(base);
      return base;
    }
    for (let k = 1; ; k++) {
      const suffix = `_${k}`;
      const name = base.slice(0, 8 - suffix.length) + suffix;
      if (!this.#taken.has(name)) {
        this.#taken.add(name);
        return name;
      }
    }
  }
}

/** Segment widths of a string of `w` bytes: one if ≤ 255; otherwise 255 each, the last w − (n − 1) × 252. */
export function stringSegments(w: number): number[] {
  if (w <= 255) return [w];
  const n = Math.ceil(w / 252);
  return [...Array.from({ length: n - 1 }, () => 255), w - (n - 1) * 252];
}

function layout(variables: readonly ExportVariable[]): { vars: SavVariable[]; slots: number } {
  const shorts = new ShortNames();
  const vars: SavVariable[] = [];
  let index = 1;
  for (const v of variables) {
    if (v.format.type === 'A') {
      const width = Math.min(32767, Math.max(1, Math.floor(v.format.width)));
      const segs = stringSegments(width).map((w, k) => ({
        shortName: shorts.allocate(k === 0 ? v.name : `${v.name.slice(0, 5)}${k}`),
        width: w,
        slots: Math.ceil(w / 8),
      }));
      vars.push({ v, segments: segs, index, width });
      index += segs.reduce((a, s) => a + s.slots, 0);
    } else {
      vars.push({
        v,
        segments: [{ shortName: shorts.allocate(v.name), width: 0, slots: 1 }],
        index,
        width: 0,
      });
      index += 1;
    }
  }
  return { vars, slots: index - 1 };
}

function formatCode(v: ExportVariable, segWidth: number): number {
  const f = v.format;
  const code = (type: number, width: number, decimals: number): number =>
    (type << 16) | (width << 8) | decimals;
  switch (f.type) {
    case 'F':
      return code(5, Math.min(40, Math.max(1, f.width)), Math.min(16, f.decimals));
    case 'SDATE':
      return code(39, 10, 0);
    case 'YMDHMS':
      return code(41, 19, 0);
    case 'A':
      return code(1, segWidth, 0);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

function header(slots: number, compressed: boolean, opts: SavOptions): Uint8Array {
  const now = opts.now ?? new Date();
  const b = new Bytes();
  b.fixed('$FL2', 4);
  b.fixed('@(#) SPSS DATA FILE nabz export', 60);
  b.i32(2); // layout code
  b.i32(slots); // nominal case size
  b.i32(compressed ? 1 : 0);
  b.i32(0); // not weighted
  b.i32(-1); // number of cases: unknown while streaming
  b.f64(BIAS);
  b.fixed(`${two(now.getDate())} ${MONTHS[now.getMonth()]} ${two(now.getFullYear() % 100)}`, 9);
  b.fixed(`${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`, 8);
  b.fixed(opts.fileLabel ?? '', 64);
  b.zeros(3);
  return b.result();
}

/** The value labels SPSS gets for a numeric variable: its valid values' labels, then its missing codes'. */
function savValueLabels(v: ExportVariable): ValueLabel[] {
  return [...v.valueLabels, ...v.missing.map((m) => ({ value: m.value, label: m.label }))];
}

/** Wrap text into lines of at most `width` bytes, at spaces where possible. */
function wrapBytes(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let rest = para;
    if (rest === '') lines.push('');
    while (rest.length > 0) {
      let line = truncateUtf8(rest, width);
      if (line.length < rest.length) {
        const sp = line.lastIndexOf(' ');
        if (sp > width / 3) line = line.slice(0, sp);
      }
      lines.push(line);
      rest = rest.slice(line.length).replace(/^ +/, '');
    }
  }
  return lines;
}

function dictionary(
  vars: readonly SavVariable[],
  slots: number,
  compressed: boolean,
  opts: SavOptions,
): Uint8Array {
  const b = new Bytes();
  b.bytes(header(slots, compressed, opts));

  // Variable records (type 2).
  for (const sv of vars) {
    const v = sv.v;
    sv.segments.forEach((seg, k) => {
      const first = k === 0;
      const label = first ? savVariableLabel(v) : '';
      const missing = first && v.type === 'numeric' ? v.missing.slice(0, 3) : [];
      const fmt = formatCode(v, seg.width);
      b.i32(2)
        .i32(seg.width)
        .i32(label ? 1 : 0)
        .i32(missing.length)
        .i32(fmt)
        .i32(fmt);
      b.fixed(seg.shortName, 8);
      if (label) {
        const lb = cutBytes(utf8.encode(label), SAV_MAX_LABEL_BYTES);
        b.i32(lb.length)
          .bytes(lb)
          .zeros((4 - (lb.length % 4)) % 4);
      }
      for (const m of missing) b.f64(m.value);
      for (let c = 1; c < seg.slots; c++) b.i32(2).i32(-1).i32(0).i32(0).i32(0).i32(0).fixed('', 8);
    });
  }

  // Value labels (types 3 and 4), one record pair per distinct label set.
  const sets = new Map<string, { labels: ValueLabel[]; indexes: number[] }>();
  for (const sv of vars) {
    if (sv.v.type !== 'numeric') continue;
    const labels = savValueLabels(sv.v);
    if (labels.length === 0) continue;
    const key = JSON.stringify(labels.map((l) => [l.value, l.label]));
    const set = sets.get(key);
    if (set) set.indexes.push(sv.index);
    else sets.set(key, { labels, indexes: [sv.index] });
  }
  for (const { labels, indexes } of sets.values()) {
    b.i32(3).i32(labels.length);
    for (const l of labels) {
      const lb = cutBytes(utf8.encode(l.label), SAV_MAX_VALUE_LABEL_BYTES);
      b.f64(l.value)
        .u8(lb.length)
        .bytes(lb)
        .zeros((8 - ((lb.length + 1) % 8)) % 8);
    }
    b.i32(4).i32(indexes.length);
    for (const i of indexes) b.i32(i);
  }

  // Documents (type 6).
  const docs = opts.documents ?? licenceLines(vars.map((sv) => sv.v));
  const docLines = docs.flatMap((d) => wrapBytes(d, 80));
  if (docLines.length) {
    b.i32(6).i32(docLines.length);
    for (const line of docLines) b.fixed(line, 80);
  }

  // Machine integer info (7/3): version 0.1.0, machine -1, IEEE 754, compression 1, little-endian, UTF-8.
  b.i32(7).i32(3).i32(4).i32(8);
  b.i32(0).i32(1).i32(0).i32(-1).i32(1).i32(1).i32(2).i32(65001);

  // Machine floating-point info (7/4): system-missing, highest, lowest.
  b.i32(7).i32(4).i32(8).i32(3);
  b.f64(SYSMIS).f64(Number.MAX_VALUE);
  const lowest = new DataView(new ArrayBuffer(8));
  lowest.setBigUint64(0, 0xffeffffffffffffen, true);
  b.bytes(new Uint8Array(lowest.buffer));

  // Variable display parameters (7/11): measure, display width, alignment — one set per variable record
  // that is not a string continuation (so one per very long string segment).
  const display: [number, number, number][] = [];
  for (const sv of vars) {
    const v = sv.v;
    const measure = v.measure === 'nominal' ? 1 : v.measure === 'ordinal' ? 2 : 3;
    const f = v.format;
    const width =
      f.type === 'F'
        ? Math.max(8, f.width)
        : f.type === 'SDATE'
          ? 10
          : f.type === 'YMDHMS'
            ? 19
            : Math.min(40, Math.max(8, sv.width));
    const align = v.type === 'string' ? 0 : 1;
    for (const _ of sv.segments) display.push([measure, width, align]);
  }
  b.i32(7)
    .i32(11)
    .i32(4)
    .i32(display.length * 3);
  for (const [m, w, a] of display) b.i32(m).i32(w).i32(a);

  // Long variable names (7/13): SHORT=Long, tab-separated.
  const names = utf8.encode(vars.map((sv) => `${at(sv.segments, 0).shortName}=${sv.v.name}`).join('\t'));
  b.i32(7).i32(13).i32(1).i32(names.length).bytes(names);

  // Very long strings (7/14): SHORT=width (5 digits), NUL, tab.
  const vls = vars.filter((sv) => sv.segments.length > 1);
  if (vls.length) {
    const text = utf8.encode(
      vls.map((sv) => `${at(sv.segments, 0).shortName}=${String(sv.width).padStart(5, '0')}\0\t`).join(''),
    );
    b.i32(7).i32(14).i32(1).i32(text.length).bytes(text);
  }

  // Character encoding (7/20).
  const enc = utf8.encode('UTF-8');
  b.i32(7).i32(20).i32(1).i32(enc.length).bytes(enc);

  // Dictionary termination.
  b.i32(999).i32(0);
  return b.result();
}

/** Case data into a reusable chunk buffer: raw 8-byte slots, or bytecode-compressed. */
interface SlotWriter {
  number(x: number): void;
  /** One 8-byte slot of string data at `src[off..off+8)`. */
  string8(src: Uint8Array, off: number): void;
  /** Bytes ready to send (complete compression blocks only). */
  ready(): number;
  /** Copy out the ready bytes and keep the rest for the next chunk. */
  take(): Uint8Array;
  /** Everything left, at the end. */
  finish(): Uint8Array;
}

class RawSlots implements SlotWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
  number(x: number): void {
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }
  string8(src: Uint8Array, off: number): void {
    this.buf.set(src.subarray(off, off + 8), this.pos);
    this.pos += 8;
  }
  ready(): number {
    return this.pos;
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
  finish(): Uint8Array {
    return this.take();
  }
}

/** Bytecode compression: blocks of 8 command bytes, each followed by the raw 8-byte values its codes call for. */
class BytecodeSlots implements SlotWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  /** Where the current block's command bytes are. */
  private cmd = 0;
  /** Commands used in the current block (8 = full, the next code starts a block). */
  private nCmd = 8;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
  private code(c: number): void {
    if (this.nCmd === 8) {
      this.cmd = this.pos;
      this.buf.fill(0, this.pos, this.pos + 8); // unused commands stay 0 (padding, ignored by readers)
      this.pos += 8;
      this.nCmd = 0;
    }
    this.buf[this.cmd + this.nCmd++] = c;
  }
  number(x: number): void {
    if (x === SYSMIS) this.code(255);
    else if (Number.isInteger(x) && x >= 1 - BIAS && x <= 251 - BIAS) this.code(x + BIAS);
    else {
      this.code(253);
      this.view.setFloat64(this.pos, x, true);
      this.pos += 8;
    }
  }
  string8(src: Uint8Array, off: number): void {
    let spaces = true;
    for (let i = off; i < off + 8; i++) {
      if (src[i] !== 0x20) {
        spaces = false;
        break;
      }
    }
    if (spaces) this.code(254);
    else {
      this.code(253);
      this.buf.set(src.subarray(off, off + 8), this.pos);
      this.pos += 8;
    }
  }
  ready(): number {
    return this.nCmd < 8 ? this.cmd : this.pos;
  }
  take(): Uint8Array {
    const n = this.ready();
    const out = this.buf.slice(0, n);
    this.buf.copyWithin(0, n, this.pos);
    this.pos -= n;
    this.cmd -= n;
    return out;
  }
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    this.cmd = 0;
    this.nCmd = 8;
    return out;
  }
}

/**
 * The .sav file as a sequence of chunks: the dictionary, then the cases, pulled from `records` one at a
 * time and sent in chunks of about `chunkBytes` (never more than one chunk plus one case is held). Returns
 * the summary when done. The header's case count is -1 (unknown); `writeSavFile` patches it.
 *
 * Use with `Readable.from(savChunks(...))`, or through `writeSav` / `writeSavFile`.
 */
export async function* savChunks(
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  options: SavOptions = {},
): AsyncGenerator<Uint8Array, ExportSummary> {
  const compressed = (options.compression ?? 'bytecode') === 'bytecode';
  const chunkBytes = Math.max(1024, options.chunkBytes ?? CHUNK_BYTES);
  const { vars, slots } = layout(variables);
  const dict = dictionary(vars, slots, compressed, options);
  yield dict;
  let bytes = dict.length;

  // At most 9 bytes per slot plus a command block per 8 slots: one case always fits after a chunk's worth.
  const maxCase = slots * 9 + (Math.ceil(slots / 8) + 1) * 8;
  const out: SlotWriter = compressed
    ? new BytecodeSlots(chunkBytes + maxCase)
    : new RawSlots(chunkBytes + maxCase);
  const widest = Math.max(8, ...vars.flatMap((sv) => sv.segments.map((s) => s.slots * 8)));
  const segBuf = new Uint8Array(widest);
  const encode = createRowEncoder(variables);
  let rows = 0;
  let truncated = 0;

  const writeValue = (sv: SavVariable, value: RowValue): void => {
    const f = sv.v.format;
    if (f.type === 'A') {
      let data: Uint8Array = utf8.encode(
        typeof value === 'string' ? value : value === null ? '' : String(value),
      );
      if (data.length > sv.width) {
        data = cutBytes(data, sv.width);
        truncated++;
      }
      // Very long strings: 255 bytes of data per segment, each segment padded to its slots.
      let off = 0;
      for (const seg of sv.segments) {
        const n = seg.slots * 8;
        const take = Math.min(sv.segments.length > 1 ? 255 : seg.width, Math.max(0, data.length - off));
        segBuf.fill(0x20, 0, n);
        segBuf.set(data.subarray(off, off + take), 0);
        off += take;
        for (let s = 0; s < n; s += 8) out.string8(segBuf, s);
      }
      return;
    }
    let x: number | null;
    if (f.type === 'SDATE') x = typeof value === 'string' ? spssDate(value) : null;
    else if (f.type === 'YMDHMS') x = typeof value === 'string' ? spssDateTime(value) : null;
    else x = typeof value === 'number' && Number.isFinite(value) ? value : null;
    out.number(x ?? SYSMIS);
  };

  for await (const record of records) {
    const row = encode(record);
    for (let i = 0; i < vars.length; i++) writeValue(at(vars, i), at(row, i));
    rows++;
    if (out.ready() >= chunkBytes) {
      const chunk = out.take();
      bytes += chunk.length;
      yield chunk;
    }
  }
  const last = out.finish();
  if (last.length) {
    bytes += last.length;
    yield last;
  }
  return { rows, bytes, truncated };
}

/**
 * Write an SPSS system file to a stream (e.g. an HTTP response), then end it. The case count in the header
 * is -1 ("unknown"), which SPSS and PSPP accept. On failure the stream is destroyed and the error rethrown.
 *
 * @example
 * const variables = buildVariables(resolved, { includeScores: true });
 * await writeSav(variables, store.exportRecords(studyId), reply.raw, { fileLabel: study.title });
 */
export function writeSav(
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  sink: ByteSink,
  options: SavOptions = {},
): Promise<ExportSummary> {
  return pipeChunks(savChunks(variables, records, options), sink);
}

/**
 * Write an SPSS system file to a path, then patch the real case count into the header. On failure the
 * partial file is removed.
 */
export async function writeSavFile(
  path: string,
  variables: readonly ExportVariable[],
  records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>,
  options: SavOptions = {},
): Promise<ExportSummary> {
  const fh = await open(path, 'w');
  let ok = false;
  try {
    const gen = savChunks(variables, records, options);
    let summary: ExportSummary;
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        summary = next.value;
        break;
      }
      await fh.write(next.value);
    }
    const n = new Uint8Array(4);
    new DataView(n.buffer).setInt32(0, summary.rows, true);
    await fh.write(n, 0, 4, SAV_NCASES_OFFSET);
    ok = true;
    return summary;
  } finally {
    await fh.close();
    if (!ok) await rm(path, { force: true });
  }
}
