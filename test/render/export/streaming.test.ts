/**
 * Bounded memory: 20,000 records × 60 variables, generated lazily (each record exists only when the writer
 * pulls it), written to a slow sink that applies backpressure. The sink notes how many records had been
 * pulled at each write; if a writer buffered its output, a long run of records would be pulled between two
 * writes (at the end, everything at once). The bound allows what one 64 KiB chunk can hold: at most 1,000
 * records pulled between two writes.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Instrument, InstrumentSchema } from '../../../src/core/instrument/schema.js';
import type { Answer } from '../../../src/core/response/submission.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import {
  buildVariables,
  type ExportRecord,
  type ExportSummary,
  writeCsv,
  writeSav,
  writeXlsx,
} from '../../../src/render/export/index.js';

const N = 20_000;
const ITEMS = 50;

const big: Instrument = InstrumentSchema.parse({
  id: 'big',
  version: '1',
  title: { en: 'Fifty items' },
  shortTitle: 'BIG-50',
  citation: 'Synthetic',
  licence: { name: 'test', textIncluded: true, terms: 'none', attribution: 'synthetic' },
  languages: ['en'],
  scales: [
    {
      id: 's',
      options: [0, 1, 2, 3, 4].map((v) => ({ value: v, label: { en: `Option ${v}` } })),
    },
  ],
  items: Array.from({ length: ITEMS }, (_, i) => ({
    id: `b${i + 1}`,
    scale: 's',
    text: { en: `Item ${i + 1}` },
  })),
});

function resolved() {
  const r = resolveStudy(
    {
      id: 'big_study',
      title: 'Bounded memory',
      instruments: [{ instrument: 'big' }],
      questions: [
        {
          id: 'gender',
          type: 'single',
          text: { en: 'Gender' },
          options: [1, 2, 3].map((v) => ({ value: v, label: { en: `G${v}` } })),
        },
        { id: 'age', type: 'number', text: { en: 'Age' }, min: 16, max: 80, integer: true },
        {
          id: 'year',
          type: 'single',
          text: { en: 'Year' },
          options: [1, 2, 3, 4, 5].map((v) => ({ value: v, label: { en: `Y${v}` } })),
        },
        {
          id: 'hobbies',
          type: 'multiple',
          text: { en: 'Hobbies' },
          options: [1, 2, 3, 4].map((v) => ({ value: v, label: { en: `H${v}` } })),
        },
      ],
    },
    (id) => (id === 'big' ? big : undefined),
    ['big'],
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Records made on demand from a seeded generator; `pulled` counts how many the writer has taken. */
function lazyRecords(): { records: AsyncIterable<ExportRecord>; pulled: () => number } {
  let pulled = 0;
  let seed = 12345;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % m;
  };
  async function* gen(): AsyncGenerator<ExportRecord> {
    for (let i = 0; i < N; i++) {
      const answers: Record<string, Answer> = {};
      for (let k = 1; k <= ITEMS; k++) {
        const r = next(20);
        answers[`b${k}`] = r === 0 ? { kind: 'skipped' } : { kind: 'value', value: r % 5 };
      }
      answers.gender = { kind: 'value', value: 1 + next(3) };
      answers.age = { kind: 'value', value: 18 + next(10) };
      answers.year = { kind: 'value', value: 1 + next(5) };
      answers.hobbies = { kind: 'choices', values: [1 + next(4)] };
      pulled++;
      yield {
        responseId: `r${String(i).padStart(8, '0')}`,
        submittedOn: `2024-0${1 + (i % 9)}-1${i % 10}`,
        language: i % 3 === 0 ? 'ur' : 'en',
        answers,
      };
    }
  }
  return { records: gen(), pulled: () => pulled };
}

/** A slow sink (each write completes on a later turn) that notes the records pulled at each write. */
class NotingSink extends Writable {
  readonly at: number[] = [];
  readonly sizes: number[] = [];
  constructor(private readonly pulled: () => number) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.at.push(this.pulled());
    this.sizes.push(chunk.length);
    setImmediate(cb);
  }
  /** Bytes that reached the sink after the last record had been pulled: what the writer still held then. */
  heldAtEnd(n: number): number {
    let after = 0;
    this.at.forEach((a, i) => {
      if (a >= n) after += this.sizes[i]!;
    });
    return after;
  }
  /** Most records pulled between two writes (or before the first). */
  maxGap(): number {
    let prev = 0;
    let max = 0;
    for (const a of this.at) {
      max = Math.max(max, a - prev);
      prev = a;
    }
    return max;
  }
}

const variables = buildVariables(resolved(), { labels: 'codes' });

async function run(
  write: (records: AsyncIterable<ExportRecord>, sink: NotingSink) => Promise<ExportSummary>,
): Promise<{ summary: ExportSummary; sink: NotingSink }> {
  const { records, pulled } = lazyRecords();
  const sink = new NotingSink(pulled);
  const summary = await write(records, sink);
  return { summary, sink };
}

describe('exports stream with bounded memory (20,000 records × 60 variables)', () => {
  it('has 60 variables', () => {
    expect(variables).toHaveLength(60);
  });

  /**
   * Every record written and every byte counted; chunks of at most 64 KiB plus one row (for .sav, 60 slots ×
   * 9 bytes + command blocks); never more than a chunk of records pulled ahead, nor held at the end.
   */
  const expectChunked = ({ summary, sink }: { summary: ExportSummary; sink: NotingSink }): void => {
    expect(summary.rows).toBe(N);
    expect(sink.sizes.reduce((a, b) => a + b, 0)).toBe(summary.bytes);
    expect(Math.max(...sink.sizes)).toBeLessThanOrEqual(64 * 1024 + 1024);
    expect(sink.at.length).toBeGreaterThan(20);
    expect(sink.maxGap()).toBeLessThanOrEqual(1000);
    expect(sink.heldAtEnd(N)).toBeLessThanOrEqual(64 * 1024 + 1024);
  };

  it('.sav: chunks of about 64 KiB, never more than a chunk of records pulled ahead', async () => {
    expectChunked(await run((r, s) => writeSav(variables, r, s)));
  });

  it('.csv: chunks of about 64 Ki characters, never more than a chunk of records pulled ahead', async () => {
    expectChunked(await run((r, s) => writeCsv(variables, r, s)));
  });

  it('.xlsx: the zip streams out while rows are written', async () => {
    const { summary, sink } = await run((r, s) => writeXlsx(variables, r, s, { chunkRows: 500 }));
    expect(summary.rows).toBe(N);
    expect(sink.sizes.reduce((a, b) => a + b, 0)).toBe(summary.bytes);
    expect(sink.at.length).toBeGreaterThan(20);
    // rows are paced in runs of 500; the zip entry is drained between runs
    expect(sink.maxGap()).toBeLessThanOrEqual(1000);
    // at the end, at most a run of rows (compressed) plus the codebook sheet and the zip's trailer is held
    expect(sink.heldAtEnd(N)).toBeLessThanOrEqual(512 * 1024);
  });
});
