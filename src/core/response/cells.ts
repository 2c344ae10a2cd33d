/**
 * Raw cells as readers deliver them, and chunked typed-array builders that grow without keeping per-row objects.
 */
import { at } from '../stats/at.js';

/** A cell as a reader delivers it: text from CSV; text, number, boolean or date from XLSX; null/undefined when empty. */
export type RawCell = string | number | boolean | Date | null | undefined;

/** The text of a cell as a user sees it (numbers in shortest form, dates in ISO 8601, booleans as TRUE/FALSE). */
export function cellText(c: RawCell): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  return Number.isNaN(c.getTime()) ? '' : c.toISOString();
}

/** Whether a cell holds nothing but white space. */
export function isEmptyCell(c: RawCell): boolean {
  if (c === null || c === undefined) return true;
  if (typeof c === 'string') return c.trim().length === 0;
  if (typeof c === 'number') return !Number.isFinite(c);
  return false;
}

const FIRST_CHUNK = 1024;
const MAX_CHUNK = 1 << 16;

/**
 * A growing Float64Array + Uint8Array pair, stored in chunks (1 Ki doubling to 64 Ki elements) and joined once
 * at the end, so memory grows with the data and peaks at the data plus one column while joining.
 */
export class ColumnBuilder {
  private readonly valueChunks: Float64Array[] = [];
  private readonly statusChunks: Uint8Array[] = [];
  private values = new Float64Array(FIRST_CHUNK);
  private status = new Uint8Array(FIRST_CHUNK);
  private pos = 0;
  length = 0;

  push(value: number, status: number): void {
    if (this.pos === this.values.length) {
      this.valueChunks.push(this.values);
      this.statusChunks.push(this.status);
      const size = Math.min(MAX_CHUNK, this.values.length * 2);
      this.values = new Float64Array(size);
      this.status = new Uint8Array(size);
      this.pos = 0;
    }
    this.values[this.pos] = value;
    this.status[this.pos] = status;
    this.pos++;
    this.length++;
  }

  /** Join the chunks into exact-length arrays. The builder must not be used afterwards. */
  build(): { values: Float64Array; status: Uint8Array } {
    const values = new Float64Array(this.length);
    const status = new Uint8Array(this.length);
    let off = 0;
    for (const [k, chunk] of this.valueChunks.entries()) {
      values.set(chunk, off);
      status.set(at(this.statusChunks, k), off);
      off += chunk.length;
    }
    values.set(this.values.subarray(0, this.pos), off);
    status.set(this.status.subarray(0, this.pos), off);
    this.valueChunks.length = 0;
    this.statusChunks.length = 0;
    this.values = new Float64Array(0);
    this.status = new Uint8Array(0);
    return { values, status };
  }
}
