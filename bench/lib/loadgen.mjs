/**
 * A small HTTP/1.1 load generator for loopback benchmarks: keep-alive connections over raw sockets (no HTTP
 * client library in the measured path), one request in flight per connection, every request a submission with
 * its own Idempotency-Key.
 *
 * Usage: node bench/lib/loadgen.mjs <config.json>, printing one JSON result on stdout. Config:
 *
 * | field         | meaning |
 * |---------------|---------|
 * | host, port    | the server (loopback) |
 * | ports         | optional: several servers' ports; connection i goes to `ports[i % ports.length]` |
 * | path          | e.g. /api/v1/s/<token>/responses |
 * | bodies        | JSON request bodies, used in turn |
 * | keyPrefix     | each request a new Idempotency-Key made from `keyPrefix` and the request's number `n` |
 * | keys          | `uuid` (default): a UUIDv4 per request, as the API documentation tells clients to send (random, so every insert lands at a random place in the database's key index, as with real clients); `sequential`: `${keyPrefix}-${n}` (keys in ascending order, the index's best case) |
 * | mode          | `closed`: each connection sends its next request as soon as the previous answer arrives (throughput); `open`: requests are scheduled at a fixed `rate` per second whatever the answers (latency at a given load) |
 * | connections   | concurrent connections |
 * | warmupMs      | run this long before measuring (not counted in figures; its submissions are stored and acknowledged) |
 * | durationMs    | measured window |
 * | maxRequests   | hard cap on requests sent |
 * | rate          | open mode: submissions per second |
 * | ackFile       | optional: write the acknowledged keys (201/200), one per line |
 *
 * Latency in open mode is measured from the moment a request was *scheduled*, so time spent waiting for a free
 * connection counts (no coordinated omission). After the window, sending stops and answers in flight are
 * awaited (10 s at most), so every sent request ends up acknowledged, refused, or counted in `lost`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const host = cfg.host ?? '127.0.0.1';
const port = cfg.port;
/** Connection i goes to ports[i % ports.length] (several servers over one database). */
const ports = Array.isArray(cfg.ports) && cfg.ports.length > 0 ? cfg.ports : [port];
let nextPort = 0;
const bodies = cfg.bodies.map((b) => Buffer.from(b, 'utf8'));
const maxRequests = cfg.maxRequests ?? 10_000_000;
const warmupMs = cfg.warmupMs ?? 0;
const durationMs = cfg.durationMs ?? 10_000;
const connections = cfg.connections ?? 32;
const headPrefix = `POST ${cfg.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nAccept: application/json\r\n`;

const sequentialKeys = cfg.keys === 'sequential';
/** Request n's Idempotency-Key: a UUIDv4 derived from the prefix and n (so the ack file can name it), or `prefix-n`. */
function keyOf(n) {
  if (sequentialKeys) return `${cfg.keyPrefix}-${n}`;
  const h = createHash('sha256').update(`${cfg.keyPrefix}\n${n}`).digest('hex');
  const variant = ((Number.parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function request(n) {
  const body = bodies[n % bodies.length];
  const key = cfg.keyPrefix ? `Idempotency-Key: ${keyOf(n)}\r\n` : '';
  return Buffer.concat([
    Buffer.from(`${headPrefix}${key}Content-Length: ${body.length}\r\n\r\n`, 'latin1'),
    body,
  ]);
}

const latencies = new Float64Array(Math.min(maxRequests, 5_000_000) + connections + 16);
let nLat = 0;
const statuses = {};
const acked = [];
let sent = 0;
let completed = 0;
let completedInWindow = 0;
let lost = 0;
let reconnects = 0;
let t0 = 0;
let windowStart = 0;
let windowEnd = 0;
let stopSending = false;

/** One keep-alive connection; `onFree` is called whenever it can take a request. */
class Conn {
  constructor(onFree) {
    this.onFree = onFree;
    this.port = ports[nextPort++ % ports.length];
    this.cur = null;
    this.buf = null;
    this.open();
  }
  open() {
    this.ready = false;
    this.sock = net.connect({ host, port: this.port });
    this.sock.setNoDelay(true);
    this.sock.on('connect', () => {
      this.ready = true;
      this.onFree(this);
    });
    this.sock.on('data', (d) => this.data(d));
    this.sock.on('error', () => undefined);
    this.sock.on('close', () => {
      if (this.cur) {
        lost++;
        this.cur = null;
      }
      this.buf = null;
      if (!finished) {
        reconnects++;
        setTimeout(() => this.open(), 20);
      }
    });
  }
  send(n, startedAt) {
    this.cur = { n, startedAt };
    sent++;
    this.sock.write(request(n));
  }
  data(d) {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const buf = this.buf;
      if (!buf) return;
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = buf.toString('latin1', 0, headEnd);
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let total;
      if (cl) total = headEnd + 4 + Number(cl[1]);
      else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const end = buf.indexOf('\r\n0\r\n\r\n', headEnd);
        if (end < 0) return;
        total = end + 7;
      } else total = headEnd + 4;
      if (buf.length < total) return;
      this.buf = buf.length > total ? buf.subarray(total) : null;
      const status = Number(head.slice(9, 12));
      this.done(status, /\r\nconnection:\s*close/i.test(head));
    }
  }
  done(status, closing) {
    const cur = this.cur;
    this.cur = null;
    if (!cur) return;
    const now = performance.now();
    completed++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if ((status === 201 || status === 200) && cfg.keyPrefix && cfg.ackFile) acked.push(cur.n);
    if (cur.startedAt >= windowStart && cur.startedAt < windowEnd) latencies[nLat++] = now - cur.startedAt;
    if (now >= windowStart && now < windowEnd) completedInWindow++;
    if (closing) {
      this.sock.destroy();
      return;
    }
    this.onFree(this);
  }
}

let finished = false;
let next = 0;
const conns = [];
let resolveDrained;
const drained = new Promise((r) => {
  resolveDrained = r;
});
const inFlight = () => conns.reduce((k, c) => k + (c.cur ? 1 : 0), 0);

if (cfg.mode === 'open') {
  const interval = 1000 / cfg.rate;
  const total = Math.min(maxRequests, Math.floor(((warmupMs + durationMs) / 1000) * cfg.rate));
  const queue = [];
  const idle = [];
  const dispatch = () => {
    while (queue.length && idle.length) {
      const c = idle.pop();
      if (!c.ready || c.cur) continue;
      const job = queue.shift();
      c.send(job.n, job.at);
    }
    if (stopSending && queue.length === 0 && inFlight() === 0) resolveDrained();
  };
  const onFree = (c) => {
    idle.push(c);
    dispatch();
  };
  t0 = performance.now();
  windowStart = t0 + warmupMs;
  windowEnd = windowStart + durationMs;
  for (let i = 0; i < connections; i++) conns.push(new Conn(onFree));
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - t0) / interval) + 1);
      while (next < due) {
        queue.push({ n: next, at: t0 + next * interval });
        next++;
      }
      dispatch();
      if (next >= total) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  stopSending = true;
  dispatch();
} else {
  const onFree = (c) => {
    const now = performance.now();
    if (stopSending || now >= windowEnd || next >= maxRequests) {
      stopSending = true;
      if (inFlight() === 0) resolveDrained();
      return;
    }
    c.send(next++, now);
  };
  t0 = performance.now();
  windowStart = t0 + warmupMs;
  windowEnd = windowStart + durationMs;
  for (let i = 0; i < connections; i++) conns.push(new Conn(onFree));
  await new Promise((r) => setTimeout(r, warmupMs + durationMs));
  stopSending = true;
  if (inFlight() === 0) resolveDrained();
}
const timeout = new Promise((r) => setTimeout(r, 10_000));
await Promise.race([drained, timeout]);
const measuredEnd = Math.min(performance.now(), windowEnd);
lost += inFlight();
finished = true;
for (const c of conns) c.sock.destroy();

const lat = latencies.subarray(0, nLat).sort();
const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : Number.NaN);
const sum = lat.reduce((a, b) => a + b, 0);
if (cfg.ackFile) writeFileSync(cfg.ackFile, acked.map((n) => keyOf(n)).join('\n'));
process.stdout.write(
  JSON.stringify({
    mode: cfg.mode ?? 'closed',
    connections,
    rate: cfg.rate ?? null,
    sent,
    completed,
    lost,
    reconnects,
    statuses,
    acknowledged: (statuses[201] ?? 0) + (statuses[200] ?? 0),
    windowSeconds: (measuredEnd - windowStart) / 1000,
    throughput: completedInWindow / ((measuredEnd - windowStart) / 1000),
    latencyMs: {
      n: lat.length,
      mean: lat.length ? sum / lat.length : Number.NaN,
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      p999: q(0.999),
      max: lat.length ? lat[lat.length - 1] : Number.NaN,
    },
  }),
);
process.exit(0);
