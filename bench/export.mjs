#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
/**
 * Benchmark: CSV and SPSS .sav export of 100,000 responses × 60 variables (BACE v3 30 items + PHQ-9 10 items +
 * 4 demographics, response metadata, and every score with its band and items answered) through
 * src/render/export (`writeCsv`, `writeSav`), reading the responses from the store with
 * `store.responses.iterate` (keyset pages) — the path the studio's export downloads take.
 *
 * The responses are first inserted into a fresh SQLite database in batches of 1,000 (one transaction each).
 * Each export then runs in its own process, so its peak RSS (getrusage maxrss) is its own: time, peak RSS,
 * rows, bytes. Reference in the same run: the same process shape that only opens the store and loads the
 * modules (baseline RSS), and the naive way — every response read into memory first, the CSV built as one
 * string — to show what streaming saves. The first tenth of the rows is exported too (peak memory should
 * hardly change with 10× the rows), and finally each export runs with the V8 heap capped at 48 MB
 * (`--max-old-space-size=48`): the streaming exports finish, the naive one runs out of memory.
 *
 * Usage: npm run build && node bench/export.mjs [--rows 100000] [--xlsx] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  arg,
  baceAnswers,
  baceDefinition,
  createLaunchedStudy,
  flag,
  fmt,
  machine,
  ROOT,
  requireBuild,
  tempDir,
} from './lib/common.mjs';

const dist = (p) => join(ROOT, 'dist', p);

/** The study: the example BACE study plus PHQ-9 (its safety rule is irrelevant to exports). */
function definition() {
  const d = baceDefinition();
  return { ...d, instruments: [...d.instruments, { instrument: 'phq9' }] };
}

async function resolved() {
  const { resolveStudy } = await import(dist('core/study/resolve.js'));
  const { getInstrument, instrumentIds } = await import(dist('instruments/index.js'));
  const r = resolveStudy(definition(), getInstrument, instrumentIds());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Stored answers (the store's shape: { kind: 'value', value } per item), varied by `i`. */
function storedAnswers(i) {
  const a = {};
  for (const [k, v] of Object.entries(baceAnswers(i)))
    a[k] = v === 'na' ? { kind: 'na' } : { kind: 'value', value: v };
  if (a.specialty === undefined) a.specialty = { kind: 'not_shown' };
  for (let q = 1; q <= 10; q++) a[`phq9_${q}`] = { kind: 'value', value: (i * q + q) % 4 };
  if (i % 17 === 0) a.phq9_4 = { kind: 'skipped' };
  return a;
}

async function openStore(file) {
  const { openStore: open } = await import(dist('store/index.js'));
  return open({ kind: 'sqlite', file });
}

let peakHeap = 0;
/** What the studio does: stored responses → export records, one at a time (the first `limit`). */
async function* records(store, studyId, limit = Number.POSITIVE_INFINITY) {
  let n = 0;
  for await (const r of store.responses.iterate(studyId, { batchSize: 500 })) {
    if (n++ >= limit) return;
    if (n % 1000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    yield {
      responseId: String(r.id),
      submittedOn: r.submittedOn,
      language: r.language,
      ...(r.referralWave !== null ? { referralWave: r.referralWave } : {}),
      answers: r.answers ?? {},
    };
  }
}

// ---- child: one export, then its numbers as JSON on stdout -------------------------------------------------
if (process.argv[2] === '--child') {
  const [, , , kind, file, studyIdText, out, limitText] = process.argv;
  const studyId = Number(studyIdText);
  const limit = limitText ? Number(limitText) : Number.POSITIVE_INFINITY;
  const exp = await import(dist('render/export/index.js'));
  const store = await openStore(file);
  const variables = exp.buildVariables(await resolved(), { includeScores: true });
  const t0 = process.hrtime.bigint();
  let summary = { rows: 0, bytes: 0 }; // baseline: nothing exported
  if (kind === 'csv')
    summary = await exp.writeCsv(variables, records(store, studyId, limit), createWriteStream(out));
  else if (kind === 'sav')
    summary = await exp.writeSav(variables, records(store, studyId, limit), createWriteStream(out), {
      fileLabel: 'BACE + PHQ-9 benchmark',
    });
  else if (kind === 'xlsx')
    summary = await exp.writeXlsx(variables, records(store, studyId, limit), createWriteStream(out));
  else if (kind === 'naive-csv') {
    // Everything in memory first: all rows, then one string.
    const all = [];
    for await (const r of records(store, studyId, limit)) all.push(r);
    const chunks = [];
    for await (const c of exp.csvChunks(variables, all)) chunks.push(Buffer.from(c).toString('utf8'));
    const text = chunks.join('');
    writeFileSync(out, text);
    summary = { rows: all.length, bytes: Buffer.byteLength(text) };
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await store.close();
  process.stdout.write(
    JSON.stringify({
      kind,
      seconds,
      rows: summary.rows,
      bytes: kind === 'baseline' ? 0 : statSync(out).size,
      variables: variables.length,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      peakHeapMb: peakHeap / 2 ** 20,
    }),
  );
  process.exit(0);
}

// ---- orchestrator --------------------------------------------------------------------------------------------
requireBuild();
const rows = Number(arg('rows', '100000'));
const tmp = tempDir('nabz-export-');
const file = join(tmp.dir, 'nabz.sqlite');
console.log(`machine: ${machine()}`);

const { studyId } = await createLaunchedStudy({ kind: 'sqlite', file }, definition());
const store = await openStore(file);
const t0 = Date.now();
const BATCH = 1000;
for (let start = 0; start < rows; start += BATCH) {
  const values = [];
  for (let i = start; i < Math.min(rows, start + BATCH); i++) {
    const day = new Date(Date.UTC(2026, 0, 1) + (i % 120) * 86_400_000).toISOString().slice(0, 10);
    values.push({
      public_id: randomBytes(12).toString('hex'),
      study_id: studyId,
      version: 1,
      idempotency_key: `export-bench-${i}`,
      answers: JSON.stringify(storedAnswers(i)),
      language: i % 5 === 0 ? 'ur' : 'en',
      submitted_on: day,
      submitted_at: null,
      referral_wave: null,
    });
  }
  await store.transaction(async (tx) => {
    await tx.db.insertInto('responses').values(values).execute();
  });
}
const insertSeconds = (Date.now() - t0) / 1000;
const stored = await store.responses.count(studyId);
await store.close();
console.log(
  `inserted ${fmt.int(stored)} responses in batches of ${BATCH}: ${insertSeconds.toFixed(1)} s (${fmt.int(stored / insertSeconds)} rows/s); database ${fmt.mb(statSync(file).size)}`,
);

function child(kind, limit, nodeArgs = []) {
  const out = join(tmp.dir, `out.${kind}`);
  const args = [...nodeArgs, join(ROOT, 'bench', 'export.mjs'), '--child', kind, file, String(studyId), out];
  if (limit) args.push(String(limit));
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    if (nodeArgs.length && /heap out of memory|Allocation failed/i.test(r.stderr)) return { kind, oom: true };
    throw new Error(`${kind} export failed: ${r.stderr.slice(-3000)}`);
  }
  return JSON.parse(r.stdout);
}

const kinds = ['baseline', 'csv', 'sav', ...(flag('xlsx') ? ['xlsx'] : []), 'naive-csv'];
// The first tenth too: a bounded export's peak memory does not grow with the number of rows.
const tenth = Math.floor(rows / 10);
const results = [
  ...kinds.map((k) => child(k)),
  ...['csv', 'sav', 'naive-csv'].map((k) => ({ ...child(k, tenth), part: true })),
];
console.log('');
console.log('| export | variables | rows | time | rows/s | file | peak RSS | peak JS heap |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.kind === 'naive-csv' ? 'CSV, everything in memory first (reference)' : r.kind === 'baseline' ? 'none (store opened, modules loaded)' : `${r.kind.toUpperCase()} (streaming)`} | ${r.variables} | ${fmt.int(r.rows)} | ${r.seconds.toFixed(1)} s | ${fmt.int(r.rows / r.seconds)} | ${fmt.mb(r.bytes)} | ${r.maxRssMb.toFixed(0)} MB | ${r.kind === 'baseline' ? '—' : `${r.peakHeapMb.toFixed(0)} MB`} |`,
  );
// The proof of bounded memory: the whole export with the JavaScript heap capped at 48 MB.
const CAP = 48;
console.log('');
for (const kind of ['csv', 'sav', 'naive-csv']) {
  const r = child(kind, undefined, [`--max-old-space-size=${CAP}`]);
  console.log(
    r.oom
      ? `${kind} with the V8 heap capped at ${CAP} MB: runs out of memory`
      : `${kind} with the V8 heap capped at ${CAP} MB: all ${fmt.int(r.rows)} rows in ${r.seconds.toFixed(1)} s, peak RSS ${r.maxRssMb.toFixed(0)} MB`,
  );
  if (kind !== 'naive-csv' && (r.oom || r.rows !== stored)) results.push({ kind, rows: -1 });
}
const bad = results.filter((r) => r.kind !== 'baseline' && r.rows !== (r.part ? tenth : stored));
for (const kind of ['csv', 'sav', 'naive-csv']) {
  const small = results.find((r) => r.kind === kind && r.part);
  const big = results.find((r) => r.kind === kind && !r.part);
  if (small && big)
    console.log(
      `${kind}: ${fmt.int(small.rows)} → ${fmt.int(big.rows)} rows (×${(big.rows / small.rows).toFixed(0)}): peak RSS ${small.maxRssMb.toFixed(0)} → ${big.maxRssMb.toFixed(0)} MB (×${(big.maxRssMb / small.maxRssMb).toFixed(2)}), time ×${(big.seconds / small.seconds).toFixed(1)}`,
    );
}
if (!flag('keep')) tmp.remove();
else console.log(`kept ${tmp.dir}`);
if (bad.length) {
  console.error(`exports with the wrong number of rows: ${bad.map((r) => `${r.kind} ${r.rows}`).join(', ')}`);
  process.exit(1);
}
