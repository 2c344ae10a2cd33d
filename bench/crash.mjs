#!/usr/bin/env node
/**
 * Long crash run: kill -9 the real server repeatedly during a load of submissions with retries, then check that
 * every acknowledged response is stored exactly once (bench/lib/crash.mjs explains the checks). The suite runs
 * a short version (test/faults/crash.test.ts: 5 kills, 600 submissions).
 *
 * Usage: npm run build && node bench/crash.mjs [--kills 20] [--clients 32] [--submissions 5000] [--pg]
 * PostgreSQL with --pg (postgres://postgres@127.0.0.1:5432/test) or DATABASE_URL; a fresh schema, dropped after.
 */
import { arg, flag, machine, requireBuild } from './lib/common.mjs';
import { crashRun } from './lib/crash.mjs';

requireBuild();
const kills = Number(arg('kills', '20'));
const clients = Number(arg('clients', '32'));
const submissions = Number(arg('submissions', '5000'));
const pgUrl =
  process.env.DATABASE_URL || (flag('pg') ? 'postgres://postgres@127.0.0.1:5432/test' : undefined);

console.log(`machine: ${machine()}`);
console.log(`${kills} × kill -9 during ${submissions} submissions from ${clients} concurrent respondents`);
const rows = [];
for (const backend of ['sqlite', ...(pgUrl ? ['postgres'] : [])]) {
  const t0 = Date.now();
  const r = await crashRun({
    backend,
    pgUrl,
    kills,
    clients,
    submissions,
    log: (l) => console.log(`  ${backend}: ${l}`),
  });
  rows.push({ ...r, seconds: (Date.now() - t0) / 1000 });
}
console.log('');
console.log(
  '| backend | kills | acknowledged | rows | lost | duplicated | ids differ | retries | answered "duplicate" | ok |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows)
  console.log(
    `| ${r.backend} | ${r.kills} | ${r.acknowledged} | ${r.rows} | ${r.lost} | ${r.duplicatedKeys} | ${r.mismatchedIds} | ${r.retries} | ${r.duplicate} | ${r.ok ? 'yes' : 'NO'} |`,
  );
if (rows.some((r) => !r.ok)) process.exit(1);
