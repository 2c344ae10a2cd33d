/**
 * A minimal ZIP writer and reader — enough for REFI-QDA (.qdpx) and Word (.docx) files.
 *
 * Writer: stored (method 0) or deflated (method 8, raw DEFLATE via node:zlib) entries, UTF-8 names (flag bit 11),
 * CRC-32, a central directory and the end-of-central-directory record (PKWARE APPNOTE 6.3, sections 4.3–4.4).
 * Timestamps default to 1980-01-01 00:00 so the same input gives the same bytes.
 *
 * Reader: finds the end record, walks the central directory, reads each local header and inflates. Refuses what
 * it does not support (ZIP64, encryption, other methods) per entry, with a reason, and bounds every entry by
 * its declared size (inflating stops there), `maxEntryBytes`, the total `maxTotalBytes` and the ratio
 * `maxRatio`, all checked before anything is inflated, so a crafted archive cannot inflate without limit.
 * `only` skips entries not wanted (a .docx needs one). Entries whose CRC-32 does not match are reported and
 * left out. `readZipAsync` inflates on the thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import { deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';

interface ZipInput {
  /** Path inside the archive, "/"-separated, e.g. "sources/1a2b….txt". */
  readonly name: string;
  /** Bytes, or text written as UTF-8 (no BOM). */
  readonly data: Uint8Array | string;
  /** 'deflate' (default) falls back to 'store' when compression does not help. */
  readonly method?: 'store' | 'deflate';
}

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
  readonly method: number;
  readonly crc32: number;
}

export interface ZipProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * Checked reads for the CRC loop, one per array type rather than the shared `at` of core/stats: called with
 * one kind of array only, they stay monomorphic and V8 inlines them, so the loop runs as fast as with `!`
 * (the shared `at` made it several times slower).
 */
function byteAt(data: Uint8Array, i: number): number {
  const b = data[i];
  if (b === undefined)
    throw new Error(`internal: byte ${i} out of range (length ${data.length}); this is a bug in nabz.`);
  return b;
}
function crcEntry(i: number): number {
  const v = CRC_TABLE[i];
  if (v === undefined) throw new Error(`internal: CRC table index ${i}; this is a bug in nabz.`);
  return v;
}

/** CRC-32 (IEEE 802.3, as ZIP and PNG use). `crc32("123456789") === 0xcbf43926`. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcEntry((c ^ byteAt(data, i)) & 0xff) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextEncoder();

/** DOS date and time of a Date (UTC fields), or of 1980-01-01 00:00. */
function dosDateTime(d?: Date): { date: number; time: number } {
  if (!d) return { date: (0 << 9) | (1 << 5) | 1, time: 0 };
  const y = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/**
 * Write a ZIP archive. Names must be unique, relative and without ".." segments. Archives over 4 GiB or with
 * more than 65,535 entries (ZIP64) are refused.
 */
export function writeZip(entries: readonly ZipInput[], options: { modified?: Date } = {}): Uint8Array {
  if (entries.length > 0xffff)
    throw new RangeError('More than 65,535 ZIP entries need ZIP64, which is not supported.');
  const { date, time } = dosDateTime(options.modified);
  const seen = new Set<string>();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    if (!e.name || e.name.startsWith('/') || e.name.split('/').includes('..') || e.name.includes('\\'))
      throw new RangeError(`ZIP entry name "${e.name}" must be a relative "/"-separated path without "..".`);
    if (seen.has(e.name)) throw new RangeError(`Duplicate ZIP entry "${e.name}".`);
    seen.add(e.name);
    const raw = typeof e.data === 'string' ? utf8.encode(e.data) : e.data;
    const crc = crc32(raw);
    let method = 0;
    let body = raw;
    if ((e.method ?? 'deflate') === 'deflate' && raw.length > 0) {
      const z = new Uint8Array(deflateRawSync(raw, { level: 9 }));
      if (z.length < raw.length) {
        method = 8;
        body = z;
      }
    }
    if (body.length > 0xfffffffe || raw.length > 0xfffffffe || offset > 0xfffffffe)
      throw new RangeError('ZIP entries over 4 GiB need ZIP64, which is not supported.');
    const name = utf8.encode(e.name);
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true); // version needed: 2.0
    lh.setUint16(6, 0x0800, true); // UTF-8 names
    lh.setUint16(8, method, true);
    lh.setUint16(10, time, true);
    lh.setUint16(12, date, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, body.length, true);
    lh.setUint32(22, raw.length, true);
    lh.setUint16(26, name.length, true);
    lh.setUint16(28, 0, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true); // version made by: 2.0, MS-DOS attributes
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 0x0800, true);
    cd.setUint16(10, method, true);
    cd.setUint16(12, time, true);
    cd.setUint16(14, date, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, body.length, true);
    cd.setUint32(24, raw.length, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    locals.push(new Uint8Array(lh.buffer), name, body);
    centrals.push(new Uint8Array(cd.buffer), name);
    offset += 30 + name.length + body.length;
  }
  const cdSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ReadZipOptions {
  /** Largest entry to inflate, in bytes (default 256 MiB). */
  readonly maxEntryBytes?: number;
  /** Largest total of all entries read (default 1 GiB). */
  readonly maxTotalBytes?: number;
  /**
   * Largest ratio of an entry's uncompressed to compressed size (default 200; text compresses 3–20 times,
   * a "zip bomb" about 1,000 times). Entries under 1 MiB are exempt.
   */
  readonly maxRatio?: number;
  /** Read only the entries whose name this accepts; the others are neither inflated nor counted. */
  readonly only?: (name: string) => boolean;
}

/** An entry found in the central directory whose data can be inflated. */
interface PlannedEntry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly usize: number;
  readonly body: Uint8Array;
}

/** Keep an entry whose data inflated to its declared size and matches its CRC-32; report it otherwise. */
function settle(
  e: PlannedEntry,
  data: Uint8Array | Error,
  out: { entries: ZipEntry[]; problems: ZipProblem[] },
): void {
  const fail = (code: string, message: string) => out.problems.push({ path: e.name, code, message });
  if (data instanceof Error) fail('damaged', `The entry could not be decompressed (${data.message}).`);
  else if (data.length !== e.usize)
    fail('damaged', `The entry has ${data.length} bytes, its header says ${e.usize}.`);
  else if (crc32(data) !== e.crc) fail('crc', 'The entry fails its CRC-32 check (damaged file).');
  else out.entries.push({ name: e.name, data, method: e.method, crc32: e.crc });
}

const inflateRawAsync = promisify(inflateRaw);

/**
 * Read a ZIP archive. Never throws on a damaged or unsupported archive: `problems` says what was left out and
 * why; `entries` holds everything that could be read (directories excluded). Inflates on the calling thread:
 * a server should use {@link readZipAsync}.
 */
export function readZip(
  bytes: Uint8Array,
  options: ReadZipOptions = {},
): { entries: ZipEntry[]; problems: ZipProblem[] } {
  const { planned, problems } = planZip(bytes, options);
  const out = { entries: [] as ZipEntry[], problems };
  for (const e of planned) {
    let data: Uint8Array | Error;
    try {
      data =
        e.method === 0
          ? e.body.slice()
          : new Uint8Array(inflateRawSync(e.body, { maxOutputLength: Math.max(e.usize, 1) }));
    } catch (err) {
      data = err as Error;
    }
    settle(e, data, out);
  }
  return out;
}

/**
 * {@link readZip} with the inflating done on libuv's thread pool (node:zlib's asynchronous `inflateRaw`), so a
 * large or hostile archive does not stall other requests. The same bounds apply: no entry inflates past its
 * declared size, and the declared sizes are checked against the limits before anything is inflated.
 */
export async function readZipAsync(
  bytes: Uint8Array,
  options: ReadZipOptions = {},
): Promise<{ entries: ZipEntry[]; problems: ZipProblem[] }> {
  const { planned, problems } = planZip(bytes, options);
  const out = { entries: [] as ZipEntry[], problems };
  for (const e of planned) {
    const data =
      e.method === 0
        ? e.body.slice()
        : await inflateRawAsync(e.body, { maxOutputLength: Math.max(e.usize, 1) }).then(
            (b) => new Uint8Array(b),
            (err: Error) => err,
          );
    settle(e, data, out);
  }
  return out;
}

/** Walk the central directory: the entries to inflate (within every limit) and the problems of the others. */
function planZip(
  bytes: Uint8Array,
  options: ReadZipOptions,
): { planned: PlannedEntry[]; problems: ZipProblem[] } {
  const maxEntry = options.maxEntryBytes ?? 256 * 1024 * 1024;
  const maxTotal = options.maxTotalBytes ?? 1024 * 1024 * 1024;
  const maxRatio = options.maxRatio ?? 200;
  const problems: ZipProblem[] = [];
  const planned: PlannedEntry[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    problems.push({
      path: '(archive)',
      code: 'not_zip',
      message: 'This is not a ZIP archive (no end of central directory record).',
    });
    return { planned, problems };
  }
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    problems.push({
      path: '(archive)',
      code: 'zip64',
      message: 'ZIP64 archives are not supported; re-save the archive without ZIP64.',
    });
    return { planned, problems };
  }
  if (cdOffset + cdSize > eocd) {
    problems.push({
      path: '(archive)',
      code: 'damaged',
      message: 'The central directory lies outside the archive: the file is damaged or truncated.',
    });
    return { planned, problems };
  }
  const dec = new TextDecoder('utf-8');
  let p = cdOffset;
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) {
      problems.push({
        path: '(archive)',
        code: 'damaged',
        message: `Central directory entry ${k + 1} is damaged; the rest of the archive was not read.`,
      });
      break;
    }
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    const csize = dv.getUint32(p + 20, true);
    const usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const lho = dv.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + xlen + clen;
    if (name.endsWith('/')) continue;
    if (options.only && !options.only(name)) continue;
    const fail = (code: string, message: string) => problems.push({ path: name, code, message });
    if (flags & 1) {
      fail('encrypted', 'The entry is encrypted; nabz cannot read encrypted archives.');
      continue;
    }
    if (csize === 0xffffffff || usize === 0xffffffff || lho === 0xffffffff) {
      fail('zip64', 'The entry needs ZIP64, which is not supported.');
      continue;
    }
    if (method !== 0 && method !== 8) {
      fail('method', `Compression method ${method} is not supported (only stored and deflate).`);
      continue;
    }
    if (usize > maxEntry || total + usize > maxTotal) {
      fail(
        'too_large',
        `The entry is ${usize} bytes uncompressed, over the limit of ${usize > maxEntry ? `${maxEntry} bytes per entry` : `${maxTotal} bytes in all`}; it was not read.`,
      );
      continue;
    }
    if (method === 8 && usize > 1024 * 1024 && usize > csize * maxRatio) {
      fail(
        'too_large',
        `The entry would inflate ${Math.round(usize / Math.max(csize, 1))} times (${csize} to ${usize} bytes), over the limit of ${maxRatio} times; it was not read (a "zip bomb"?).`,
      );
      continue;
    }
    if (lho + 30 > bytes.length || dv.getUint32(lho, true) !== 0x04034b50) {
      fail('damaged', 'The local header of the entry is missing or damaged.');
      continue;
    }
    const start = lho + 30 + dv.getUint16(lho + 26, true) + dv.getUint16(lho + 28, true);
    if (start + csize > bytes.length) {
      fail('damaged', 'The entry data runs past the end of the archive (truncated file).');
      continue;
    }
    if (method === 0 && csize !== usize) {
      fail('damaged', `The stored entry has ${csize} bytes, its header says ${usize}.`);
      continue;
    }
    total += usize;
    planned.push({ name, method, crc, usize, body: bytes.subarray(start, start + csize) });
  }
  return { planned, problems };
}
