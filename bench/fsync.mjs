#!/usr/bin/env node
/**
 * Benchmark: what one durable write costs on this machine, the floor under every acknowledged submission
 * (SQLite's group commit fsyncs the WAL once per batch; PostgreSQL's COMMIT does the same in its own process).
 * Prints, for `fdatasync` of a file after an 8 KiB write: the process CPU per call (user and system) and the
 * wall time (p10/p50/p90/max), synchronously; and the cost of handing an `fdatasync` to libuv's thread pool,
 * as src/store/sqlite/dialect.ts does (time on the event loop per call, CPU per call). Peer in the same run:
 * an `fstat` through the thread pool (the hand-off without the disk).
 *
 * Usage: node bench/fsync.mjs [--n 300] [--dir DIR]   (DIR: where the data directory would be; default tmpdir)
 */
import { fdatasync, fdatasyncSync, fstat, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, machine } from './lib/common.mjs';

const n = Number(arg('n', '300'));
const dir = mkdtempSync(join(arg('dir', tmpdir()), 'nabz-fsync-'));
const fd = openSync(join(dir, 'wal'), 'w');
const page = Buffer.alloc(8192, 1);
const cpuOf = (c) => (c.user + c.system) / n;
const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

console.log(
  `machine: ${machine()}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const walls = [];
const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) {
  writeSync(fd, page);
  const t = process.hrtime.bigint();
  fdatasyncSync(fd);
  walls.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const c = process.cpuUsage(c0);
walls.sort((a, b) => a - b);
console.log(
  `fdatasync (synchronous), n = ${n}: CPU ${cpuOf(c).toFixed(0)} µs per call (user ${(c.user / n).toFixed(0)}, system ${(c.system / n).toFixed(0)}); ` +
    `wall p10 ${q(walls, 0.1).toFixed(2)} ms, p50 ${q(walls, 0.5).toFixed(2)}, p90 ${q(walls, 0.9).toFixed(2)}, max ${walls[walls.length - 1].toFixed(2)}`,
);

/** Run `op` n times through the thread pool, one after another; the event loop's time per call and CPU per call. */
function pooled(name, op) {
  return new Promise((resolve) => {
    let i = 0;
    let onLoop = 0n;
    const start = process.cpuUsage();
    const one = () => {
      writeSync(fd, page);
      const t = process.hrtime.bigint();
      op(() => (++i < n ? one() : done()));
      onLoop += process.hrtime.bigint() - t;
    };
    const done = () => {
      const used = process.cpuUsage(start);
      console.log(
        `${name} through the thread pool: ${(Number(onLoop / BigInt(n)) / 1000).toFixed(1)} µs on the event loop per call, CPU ${cpuOf(used).toFixed(0)} µs per call (with the 8 KiB write)`,
      );
      resolve();
    };
    one();
  });
}
await pooled('fdatasync', (cb) => fdatasync(fd, cb));
await pooled('fstat (peer: the hand-off without the disk)', (cb) => fstat(fd, cb));
rmSync(dir, { recursive: true, force: true });
