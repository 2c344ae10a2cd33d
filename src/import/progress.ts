/**
 * Import progress: the figures reported while a file is read, and a throttled one-line bar for terminals.
 */

export interface ImportProgress {
  /** Data rows read so far. */
  readonly rows: number;
  /** Bytes of the file read so far. */
  readonly bytes: number;
  /** Size of the file in bytes. */
  readonly totalBytes: number;
  /** True on the last report, when the whole file has been read. */
  readonly done: boolean;
}

/** The slice of a writable terminal stream the bar uses (process.stderr fits). */
interface BarStream {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  write(s: string): unknown;
}

export interface ProgressBarOptions {
  /** Where to draw; default `process.stderr`. Nothing is drawn unless it is a TTY. */
  readonly stream?: BarStream | undefined;
  /** Environment; default `process.env`. Nothing is drawn when `CI` is set (other than "false" or "0"). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Text before the bar, e.g. the file name. */
  readonly label?: string | undefined;
  /** Least time between redraws, in ms (default 100). */
  readonly intervalMs?: number | undefined;
  /** Clock in ms (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

export interface ProgressBar {
  /** Whether the bar draws at all (stderr is a TTY and not on CI). */
  readonly enabled: boolean;
  /** Report progress; redraws at most once per interval, and always on `done`. */
  update(p: ImportProgress): void;
  /** End the line (if anything was drawn). */
  finish(): void;
}

function mb(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

/** Format one bar line for a given width: `label [#####-----]  45%  123,456 rows  12.3/27.4 MB`. */
export function formatProgress(p: ImportProgress, width: number, label = ''): string {
  const frac = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : p.done ? 1 : 0;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const tail = ` ${pct}  ${p.rows.toLocaleString('en-US')} rows  ${mb(p.bytes)}/${mb(p.totalBytes)} MB`;
  const head = label.length > 0 ? `${label} ` : '';
  const barWidth = Math.max(10, Math.min(40, width - head.length - tail.length - 3));
  const filled = Math.round(frac * barWidth);
  return `${head}[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}

/**
 * A progress bar on stderr for `importResponses`' `onProgress`. Draws only when the stream is a TTY and
 * `CI` is not set, so logs and pipes stay clean; redraws at most every `intervalMs`.
 *
 * @example
 * const bar = createProgressBar({ label: 'responses.csv' });
 * const result = await importResponses(path, targets, { onProgress: (p) => bar.update(p) });
 * bar.finish();
 */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const stream: BarStream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const ci = env.CI;
  const enabled = stream.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;
  return {
    enabled,
    update(p) {
      if (!enabled || finished) return;
      const t = now();
      if (!p.done && t - last < interval) return;
      last = t;
      const width = stream.columns ?? 80;
      stream.write(`\r${formatProgress(p, width, options.label ?? '').slice(0, width - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (finished) return;
      finished = true;
      if (enabled && drawn) stream.write('\n');
    },
  };
}
