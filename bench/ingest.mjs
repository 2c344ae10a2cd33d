#!/usr/bin/env node
/**
 * Benchmark: ingestion of complete 30-item BACE v3 responses through the JSON API
 * (`POST /api/v1/s/:token/responses` with an Idempotency-Key), on the real server (`node dist/cli/main.js serve`)
 * with durable commits — SQLite (WAL, synchronous=FULL) and, with `--pg` or DATABASE_URL, PostgreSQL
 * (synchronous_commit=on, a fresh schema). Peer, in the same run: a bare Fastify route that takes the same
 * request and answers a constant (bench/lib/bare-server.mjs), driven by the same load generator with the same
 * concurrency.
 *
 * Prints for each: submissions/s (closed loop), p50/p99 latency, the ratio to the bare route, p50/p99/max at a
 * fixed 1,000 submissions/s (open loop), and the check that the rows stored equal the acknowledged submissions
 * (every acknowledged key present exactly once).
 *
 * Usage: npm run build && npm run bench:ingest [-- --pg] [--duration 15] [--warmup 3] [--connections 32]
 *        [--rate 1000] [--rate-duration 15] [--no-sqlite] [--profile DIR]
 * PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (or --pg, which uses that URL by default).
 * Loopback only; every phase is bounded in time and in requests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  arg,
  baceBodies,
  createLaunchedStudy,
  flag,
  fmt,
  freshSchema,
  machine,
  requireBuild,
  runLoad,
  startBare,
  startNabz,
  storeConfigFor,
  storedKeyOf,
  tempDir,
  withStore,
} from './lib/common.mjs';

requireBuild();
const durationMs = Number(arg('duration', '15')) * 1000;
const warmupMs = Number(arg('warmup', '3')) * 1000;
const connections = Number(arg('connections', '32'));
const rate = Number(arg('rate', '1000'));
const rateDurationMs = Number(arg('rate-duration', '15')) * 1000;
const pgUrl =
  process.env.DATABASE_URL || (flag('pg') ? 'postgres://postgres@127.0.0.1:5432/test' : undefined);
const runSqlite = !flag('no-sqlite');
/** `--profile DIR`: write a V8 CPU profile of each nabz server (open it in Chrome DevTools). */
const profileDir = arg('profile', undefined);
const maxRequests = 2_000_000;
const bodies = baceBodies(64);

console.log(`machine: ${machine()}`);
console.log(
  `load: ${connections} keep-alive connections on loopback, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured (closed loop); ` +
    `open loop ${rate}/s for ${rateDurationMs / 1000} s; body ${bodies[0].length} bytes (30 BACE items + 4 demographics)`,
);

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * Closed-loop throughput, then the open-loop fixed rate, against a started server (process `pid`). Also the
 * server's CPU time per answered request in each loop: on a shared, noisy machine this varies much less than
 * throughput does, and it is what a faster hot path changes.
 */
async function measure(port, path, keyPrefix, ackFile, pid) {
  const cpu0 = cpuSeconds(pid);
  const closed = await runLoad({
    port,
    path,
    bodies,
    keyPrefix: `${keyPrefix}-c`,
    mode: 'closed',
    connections,
    warmupMs,
    durationMs,
    maxRequests,
    ...(ackFile ? { ackFile: `${ackFile}.closed` } : {}),
  });
  const cpu1 = cpuSeconds(pid);
  closed.cpuUsPerRequest = ((cpu1 - cpu0) * 1e6) / closed.completed;
  const open = await runLoad({
    port,
    path,
    bodies,
    keyPrefix: `${keyPrefix}-o`,
    mode: 'open',
    rate,
    connections: Math.max(connections, 64),
    warmupMs: 2000,
    durationMs: rateDurationMs,
    maxRequests,
    ...(ackFile ? { ackFile: `${ackFile}.open` } : {}),
  });
  open.cpuUsPerRequest = ((cpuSeconds(pid) - cpu1) * 1e6) / open.completed;
  return { closed, open };
}

/** Every acknowledged key stored exactly once, and nothing stored that was not acknowledged or lost in flight. */
async function verify(storeConfig, studyId, ackFile, runs) {
  const acked = [
    ...readFileSync(`${ackFile}.closed`, 'utf8').split('\n'),
    ...readFileSync(`${ackFile}.open`, 'utf8').split('\n'),
  ].filter(Boolean);
  const lostInFlight = runs.closed.lost + runs.open.lost;
  return withStore(storeConfig, async (store) => {
    const rows = await store.db
      .selectFrom('responses')
      .select(['idempotency_key'])
      .where('study_id', '=', studyId)
      .execute();
    const counts = new Map();
    for (const r of rows) counts.set(r.idempotency_key, (counts.get(r.idempotency_key) ?? 0) + 1);
    // Keys are stored as the server's keyed hash (its secret is in the database: the bench sets no NABZ_SECRET).
    const stored = await storedKeyOf(store, undefined);
    let missing = 0;
    for (const k of acked) if (counts.get(await stored(studyId, k)) !== 1) missing++;
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const extra = rows.length - acked.length;
    return {
      rows: rows.length,
      acknowledged: acked.length,
      missing,
      duplicated,
      extra,
      ok: missing === 0 && duplicated === 0 && extra >= 0 && extra <= lostInFlight,
    };
  });
}

const results = [];

// The peer first: the bare route, same requests, same generator, same concurrency.
{
  const bare = await startBare();
  try {
    const r = await measure(bare.port, '/api/v1/s/bare/responses', 'bare', undefined, bare.proc.pid);
    results.push({ name: 'bare Fastify route (constant)', ...r });
  } finally {
    await bare.stop();
  }
}

async function runBackend(name, env) {
  const tmp = tempDir('nabz-ingest-');
  const dataDir = join(tmp.dir, 'data');
  const storeConfig = await storeConfigFor(dataDir, env);
  try {
    const study = await createLaunchedStudy(storeConfig);
    const server = await startNabz({
      dataDir,
      env: { ...env, NABZ_SUBMIT_RATE_LIMIT: '1000000000' },
      ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    });
    let runs;
    try {
      console.log(`${name}: ${server.description}`);
      runs = await measure(
        server.port,
        `/api/v1/s/${study.token}/responses`,
        `ingest-${name}`,
        join(tmp.dir, 'acked'),
        server.proc.pid,
      );
    } finally {
      await server.stop();
    }
    const check = await verify(storeConfig, study.studyId, join(tmp.dir, 'acked'), runs);
    results.push({ name: `nabz on ${name}`, ...runs, check });
  } finally {
    tmp.remove();
  }
}

if (runSqlite) await runBackend('SQLite', {});
if (pgUrl) {
  const schema = freshSchema();
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const settings = await admin.query(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'server_version')",
  );
  console.log(
    `PostgreSQL server: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')} (the store sets synchronous_commit=on on every connection)`,
  );
  try {
    await runBackend('PostgreSQL', { DATABASE_URL: pgUrl, NABZ_DB_SCHEMA: schema });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

const bare = results[0];
console.log('');
console.log(
  '| server | submissions/s | p50 ms | p99 ms | ratio to bare | server CPU µs/submission | at 1,000/s: p50 ms | p99 ms | max ms | CPU µs/submission | refused | stored = acknowledged |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  const c = r.closed;
  const o = r.open;
  const refused =
    Object.entries({ ...c.statuses })
      .concat(Object.entries(o.statuses))
      .filter(([s]) => s !== '201' && s !== '200')
      .reduce((k, [, n]) => k + n, 0) +
    c.lost +
    o.lost;
  const check = r.check
    ? `${r.check.ok ? 'yes' : 'NO'}: ${fmt.int(r.check.rows)} rows, ${fmt.int(r.check.acknowledged)} acknowledged, ${r.check.missing} missing, ${r.check.duplicated} duplicated`
    : '—';
  console.log(
    `| ${r.name} | ${fmt.int(c.throughput)} | ${fmt.ms(c.latencyMs.p50)} | ${fmt.ms(c.latencyMs.p99)} | ${r === bare ? '1' : fmt.x(c.throughput / bare.closed.throughput)} | ${fmt.int(c.cpuUsPerRequest)} | ${fmt.ms(o.latencyMs.p50)} | ${fmt.ms(o.latencyMs.p99)} | ${fmt.ms(o.latencyMs.max)} | ${fmt.int(o.cpuUsPerRequest)} | ${refused} | ${check} |`,
  );
}
console.log('');
for (const r of results.slice(1)) {
  console.log(
    `${r.name}: ${fmt.x(r.closed.throughput / bare.closed.throughput)} the bare route's throughput (goal ≥ 0.5× on SQLite); ` +
      `p99 ${fmt.ms(r.open.latencyMs.p99)} ms at ${rate}/s (goal < 50 ms); achieved ${fmt.int(r.open.throughput)}/s in the open loop; ` +
      `server CPU per submission ${fmt.int(r.closed.cpuUsPerRequest)} µs vs ${fmt.int(bare.closed.cpuUsPerRequest)} µs for the bare route (${fmt.x(bare.closed.cpuUsPerRequest / r.closed.cpuUsPerRequest)}).`,
  );
}
console.log(
  `statuses: ${results.map((r) => `${r.name} ${JSON.stringify(r.closed.statuses)} ${JSON.stringify(r.open.statuses)}`).join('; ')}`,
);
const bad = results.filter((r) => r.check && !r.check.ok);
if (bad.length) {
  console.error(
    `stored rows do not match the acknowledged submissions: ${bad.map((r) => r.name).join(', ')}`,
  );
  process.exit(1);
}
