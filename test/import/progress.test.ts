import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress } from '../../src/import/progress.js';

function fakeStream(isTTY: boolean, columns = 80) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns, write: (s: string) => out.push(s) } };
}
const p = (rows: number, bytes: number, done = false) => ({ rows, bytes, totalBytes: 4_194_304, done });

describe('formatProgress', () => {
  it('draws a bar with percentage, rows and megabytes', () => {
    expect(formatProgress(p(123_456, 1_048_576), 80, 'responses.csv')).toBe(
      'responses.csv [' + '#'.repeat(8) + '-'.repeat(24) + ']  25%  123,456 rows  1.0/4.0 MB',
    );
    expect(formatProgress(p(0, 0), 40)).toBe(`[${'-'.repeat(12)}]   0%  0 rows  0.0/4.0 MB`);
    expect(formatProgress({ rows: 0, bytes: 0, totalBytes: 0, done: true }, 60)).toBe(
      `[${'#'.repeat(32)}] 100%  0 rows  0.0/0.0 MB`,
    );
  });
});

describe('createProgressBar', () => {
  it('draws on a TTY, throttled, always drawing the last update, and ends the line', () => {
    const { out, stream } = fakeStream(true);
    let t = 0;
    const bar = createProgressBar({ stream, env: {}, intervalMs: 100, now: () => t });
    expect(bar.enabled).toBe(true);
    bar.update(p(1, 10));
    t = 50;
    bar.update(p(2, 20)); // throttled
    t = 150;
    bar.update(p(3, 30));
    t = 160;
    bar.update(p(4, 4_194_304, true)); // done: always drawn
    bar.finish();
    bar.finish();
    expect(out).toHaveLength(4);
    expect(out[0]!.startsWith('\r[')).toBe(true);
    expect(out[0]!.endsWith('\x1b[K')).toBe(true);
    expect(out[1]).toContain(' 3 rows');
    expect(out[2]).toContain('100%  4 rows');
    expect(out[3]).toBe('\n');
  });

  it('stays silent when stderr is not a TTY or on CI', () => {
    for (const [tty, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { CI: '1' }],
    ] as const) {
      const { out, stream } = fakeStream(tty);
      const bar = createProgressBar({ stream, env });
      expect(bar.enabled).toBe(false);
      bar.update(p(1, 1, true));
      bar.finish();
      expect(out).toEqual([]);
    }
    const { stream } = fakeStream(true);
    expect(createProgressBar({ stream, env: { CI: 'false' } }).enabled).toBe(true);
  });

  it('fits narrow terminals', () => {
    const { out, stream } = fakeStream(true, 30);
    const bar = createProgressBar({ stream, env: {}, label: 'a-very-long-file-name.csv' });
    bar.update(p(10, 100, true));
    const line = out[0]!.replace('\r', '').replace('\x1b[K', '');
    expect(line.length).toBeLessThanOrEqual(29);
  });
});
