#!/usr/bin/env node
/**
 * Long hostile-input run: the property-based fuzz of every respondent and researcher endpoint
 * (test/server/fuzz.test.ts — one implementation, which the suite runs with 5,000 requests) with 100,000+
 * generated requests, then the counts: status codes, requests per endpoint, 5xx, refusals without a message,
 * refusals that changed the database, exceptions out of the app.
 *
 * Usage: node bench/fuzz.mjs [--runs 100000] [--workers 2] [--seed 20261122] [--pg-runs 0]
 * (PostgreSQL too with NABZ_TEST_PG_URL set and --pg-runs N.) Runs in process (app.inject), no port opened.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arg, fmt, machine, ROOT, tempDir } from './lib/common.mjs';

const runs = Number(arg('runs', '100000'));
const seed = Number(arg('seed', '20261122'));
const pgRuns = Number(arg('pg-runs', '0'));
const workers = Math.max(1, Number(arg('workers', '2')));
const tmp = tempDir('nabz-fuzz-');

console.log(`machine: ${machine()}`);
console.log(
  `fuzz: ${fmt.int(runs)} generated requests through test/server/fuzz.test.ts, in ${workers} processes (seeds ${seed}…)`,
);
const t0 = Date.now();
/** One vitest process running its share of the requests with its own seed and database. */
function worker(i) {
  const share = Math.floor(runs / workers) + (i < runs % workers ? 1 : 0);
  const env = {
    ...process.env,
    NABZ_FUZZ_RUNS: String(share),
    NABZ_FUZZ_SEED: String(seed + i * 1000),
    NABZ_FUZZ_PG_RUNS: String(Math.floor(pgRuns / workers)),
    NABZ_FUZZ_REPORT: join(tmp.dir, `report-${i}`),
  };
  if (pgRuns === 0) delete env.NABZ_TEST_PG_URL;
  return new Promise((resolve) => {
    const p = spawn(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', 'test/server/fuzz.test.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) => resolve({ code, out }));
  });
}
const done = await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
const seconds = (Date.now() - t0) / 1000;
let failed = done.some((d) => d.code !== 0);

/** Merge the workers' reports per backend. */
const merged = {};
for (let i = 0; i < workers; i++)
  for (const backend of ['sqlite', 'postgres']) {
    const file = join(tmp.dir, `report-${i}.${backend}.json`);
    if (!existsSync(file)) continue;
    const rep = JSON.parse(readFileSync(file, 'utf8'));
    const m = merged[backend] ?? {
      statuses: {},
      byEndpoint: {},
      serverErrors: [],
      serverErrorCauses: {},
      serverErrorExamples: {},
      withoutMessage: [],
      changedOnRejection: [],
      thrown: [],
    };
    for (const [s, n] of Object.entries(rep.statuses)) m.statuses[s] = (m.statuses[s] ?? 0) + n;
    for (const [e, st] of Object.entries(rep.byEndpoint)) {
      m.byEndpoint[e] ??= {};
      for (const [s, n] of Object.entries(st)) m.byEndpoint[e][s] = (m.byEndpoint[e][s] ?? 0) + n;
    }
    for (const list of ['serverErrors', 'withoutMessage', 'changedOnRejection', 'thrown'])
      m[list].push(...rep[list]);
    for (const [k, n] of Object.entries(rep.serverErrorCauses ?? {}))
      m.serverErrorCauses[k] = (m.serverErrorCauses[k] ?? 0) + n;
    Object.assign(m.serverErrorExamples, rep.serverErrorExamples ?? {});
    merged[backend] = m;
  }
for (const [backend, rep] of Object.entries(merged)) {
  const total = Object.values(rep.statuses).reduce((a, b) => a + b, 0);
  console.log('');
  console.log(`${backend}: ${fmt.int(total)} requests in ${seconds.toFixed(0)} s`);
  console.log(
    `  status codes: ${Object.entries(rep.statuses)
      .map(([s, n]) => `${s} × ${fmt.int(n)}`)
      .join(', ')}`,
  );
  console.log(`  5xx: ${rep.serverErrors.length}`);
  for (const [cause, n] of Object.entries(rep.serverErrorCauses))
    console.log(`    ${n} × ${cause} — e.g. "${rep.serverErrorExamples[cause] ?? ''}"`);
  console.log(`  refusals (4xx) without a message: ${rep.withoutMessage.length}`);
  console.log(`  refusals that changed the database: ${rep.changedOnRejection.length}`);
  console.log(`  exceptions out of the app: ${rep.thrown.length}`);
  console.log('  per endpoint:');
  for (const [name, st] of Object.entries(rep.byEndpoint).sort())
    console.log(
      `    ${name.padEnd(28)} ${Object.entries(st)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
  for (const list of ['serverErrors', 'withoutMessage', 'changedOnRejection', 'thrown'])
    for (const line of rep[list].slice(0, 3)) console.log(`  ${list}: ${line.slice(0, 400)}`);
  if (
    rep.serverErrors.length ||
    rep.withoutMessage.length ||
    rep.changedOnRejection.length ||
    rep.thrown.length
  )
    failed = true;
}
if (!merged.sqlite) for (const d of done) console.log(d.out.slice(-3000));
tmp.remove();
process.exit(failed ? 1 : 0);
