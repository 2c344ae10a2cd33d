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
 *        [--rate 1000] [--rate-duration 15] [--no-sqlite] [--profile DIR] [--servers N] [--against REF | --ablate PATCH [--repeats R]] [--sequential-keys]
 * PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (or --pg, which uses that URL by default).
 *
 * `--servers N` (PostgreSQL): also runs N server processes over the one database, the load generator's
 * connections spread over them, beside one server in the same run; CPU per submission is the sum over all of
 * them, and stored = acknowledged is checked over all of them.
 *
 * `--sequential-keys`: ascending Idempotency-Keys instead of a UUIDv4 per request (see `keys` below).
 *
 * `--ablate PATCH`: like `--against`, but the reference is this checkout's commit with PATCH applied (`git apply`),
 * e.g. bench/ablations/privacy-off.patch, which turns off issue 12's defences on the ingestion path: what those
 * defences cost, measured apart from every other change since an older commit. (Commit your changes first: the
 * reference is built from HEAD, not from the working tree.)
 *
 * `--against REF`: the same measurement for an older commit of nabz, side by side with this checkout. REF is
 * built in a temporary git worktree (node_modules linked, `tsc`), and the two builds run alternately, R times
 * each (default 3; HEAD first in odd rounds, REF first in even ones), each with a fresh database made by its
 * own store code; the bare route runs once per round. Prints every run, then the medians, spreads and the ratio
 * HEAD / REF. Keep the worktree for a rerun with `--keep-worktree`.
 * Loopback only; every phase is bounded in time and in requests.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arg,
  baceBodies,
  baceDefinition,
  createLaunchedStudy,
  flag,
  fmt,
  freshSchema,
  machine,
  ROOT,
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
const servers = Number(arg('servers', '1'));
const ablate = arg('ablate', undefined);
const against = arg('against', ablate ? 'HEAD' : undefined);
const repeats = Number(arg('repeats', against ? '3' : '1'));
if (ablate && against !== 'HEAD') {
  console.error('--ablate PATCH compares HEAD with HEAD + PATCH: give it without --against.');
  process.exit(2);
}
if (ablate && !existsSync(ablate)) {
  console.error(`--ablate ${ablate}: no such patch file (e.g. bench/ablations/privacy-off.patch).`);
  process.exit(2);
}
const maxRequests = 2_000_000;
/**
 * `--sequential-keys`: Idempotency-Keys `prefix-1, prefix-2, …` instead of a UUIDv4 per request. UUIDs are what
 * the API documentation tells clients to send, and what makes the comparison fair: since issue 12 (finding 8)
 * the server stores a keyed hash of the key, which is random whatever the client sends, while builds before it
 * stored the key itself — so with ascending keys an old build inserts every key at the end of the key index
 * and HEAD at a random place (about one extra WAL page per submission), a difference no real client sees.
 */
const keys = flag('sequential-keys') ? 'sequential' : 'uuid';
if (!Number.isInteger(servers) || servers < 1 || servers > 16) {
  console.error(`--servers ${arg('servers')}: give a whole number of server processes from 1 to 16.`);
  process.exit(2);
}
if (servers > 1 && !pgUrl) {
  console.error(
    '--servers needs PostgreSQL (several processes over one database): add --pg or set DATABASE_URL.',
  );
  process.exit(2);
}
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
  console.error(`--repeats ${arg('repeats')}: give a whole number of rounds from 1 to 20.`);
  process.exit(2);
}
const bodies = baceBodies(64);

console.log(`machine: ${machine()}`);
console.log(
  `load: ${connections} keep-alive connections on loopback, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured (closed loop); ` +
    `open loop ${rate}/s for ${rateDurationMs / 1000} s; body ${bodies[0].length} bytes (30 BACE items + 4 demographics); ` +
    `Idempotency-Keys: ${keys === 'uuid' ? 'a UUIDv4 per request (as clients are told to send)' : 'ascending prefix-n (--sequential-keys)'}`,
);

/** The 1, 5 and 15 minute load averages (the machine is shared: say how busy it was). */
function loadAverage() {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

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
async function measure(ports, path, keyPrefix, ackFile, pids) {
  const cpuOf = () => pids.reduce((t, pid) => t + cpuSeconds(pid), 0);
  const port = ports[0];
  const cpu0 = cpuOf();
  const closed = await runLoad({
    port,
    ports,
    path,
    bodies,
    keyPrefix: `${keyPrefix}-c`,
    keys,
    mode: 'closed',
    connections,
    warmupMs,
    durationMs,
    maxRequests,
    ...(ackFile ? { ackFile: `${ackFile}.closed` } : {}),
  });
  const cpu1 = cpuOf();
  closed.cpuUsPerRequest = ((cpu1 - cpu0) * 1e6) / closed.completed;
  const open = await runLoad({
    port,
    ports,
    path,
    bodies,
    keyPrefix: `${keyPrefix}-o`,
    keys,
    mode: 'open',
    rate,
    connections: Math.max(connections, 64),
    warmupMs: 2000,
    durationMs: rateDurationMs,
    maxRequests,
    ...(ackFile ? { ackFile: `${ackFile}.open` } : {}),
  });
  open.cpuUsPerRequest = ((cpuOf() - cpu1) * 1e6) / open.completed;
  return { closed, open };
}

/** Every acknowledged key stored exactly once, and nothing stored that was not acknowledged or lost in flight. */
async function verify(storeConfig, studyId, ackFile, runs, root) {
  const acked = [
    ...readFileSync(`${ackFile}.closed`, 'utf8').split('\n'),
    ...readFileSync(`${ackFile}.open`, 'utf8').split('\n'),
  ].filter(Boolean);
  const lostInFlight = runs.closed.lost + runs.open.lost;
  return withStore(
    storeConfig,
    async (store) => {
      const rows = await store.db
        .selectFrom('responses')
        .select(['idempotency_key'])
        .where('study_id', '=', studyId)
        .execute();
      const counts = new Map();
      for (const r of rows) counts.set(r.idempotency_key, (counts.get(r.idempotency_key) ?? 0) + 1);
      // Keys are stored as the server's keyed hash (its secret is in the database: the bench sets no NABZ_SECRET).
      const stored = await storedKeyOf(store, undefined, root);
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
    },
    root,
  );
}

const results = [];

/** The bare route, same requests, same generator, same concurrency. */
async function runBare(round) {
  const bare = await startBare();
  try {
    const r = await measure([bare.port], '/api/v1/s/bare/responses', 'bare', undefined, [bare.proc.pid]);
    results.push({ name: 'bare Fastify route (constant)', bare: true, round, ...r });
  } finally {
    await bare.stop();
  }
}

/**
 * One measurement of nabz on a backend: a fresh data directory (and, on PostgreSQL, a fresh schema), a
 * launched study made by the build's own store code, `count` server processes of that build.
 */
async function runBackend(name, env, { count = 1, build = { label: 'HEAD', root: ROOT }, round = 0 } = {}) {
  const tmp = tempDir('nabz-ingest-');
  const dataDir = join(tmp.dir, 'data');
  let schema;
  let admin;
  if (env.DATABASE_URL) {
    schema = freshSchema();
    const pg = (await import('pg')).default;
    admin = new pg.Client({ connectionString: env.DATABASE_URL });
    await admin.connect();
    env = { ...env, NABZ_DB_SCHEMA: schema };
  }
  const storeConfig = await storeConfigFor(dataDir, env, build.root);
  try {
    const study = await createLaunchedStudy(storeConfig, definition, { root: build.root });
    const procs = [];
    let runs;
    try {
      // One after another: the first applies the migrations, the others find them done.
      for (let i = 0; i < count; i++)
        procs.push(
          await startNabz({
            dataDir,
            root: build.root,
            env: { ...env, NABZ_SUBMIT_RATE_LIMIT: '1000000000' },
            ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
          }),
        );
      console.log(
        `${name}${count > 1 ? ` × ${count} servers` : ''} (${build.label}): ${procs[0].description}`,
      );
      runs = await measure(
        procs.map((p) => p.port),
        `/api/v1/s/${study.token}/responses`,
        `ingest-${name}-${build.label.replace(/[^A-Za-z0-9]/g, '')}-${round}-${count}`.slice(0, 100),
        join(tmp.dir, 'acked'),
        procs.map((p) => p.proc.pid),
      );
    } finally {
      for (const p of procs) await p.stop();
    }
    const check = await verify(storeConfig, study.studyId, join(tmp.dir, 'acked'), runs, build.root);
    results.push({
      name: `nabz on ${name}${count > 1 ? ` (${count} servers)` : ''}`,
      backend: name,
      servers: count,
      build: build.label,
      round,
      ...runs,
      check,
    });
  } finally {
    tmp.remove();
    if (admin) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

/**
 * Build commit `ref` (with `patch` applied, if given) in a temporary worktree (its own locked node_modules) and
 * return where.
 */
function buildRef(ref, patch) {
  const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const patchText = patch ? readFileSync(patch, 'utf8') : '';
  const tag = patch ? `-${createHash('sha256').update(patchText).digest('hex').slice(0, 8)}` : '';
  const dir = join(tmpdir(), `nabz-against-${sha.slice(0, 12)}${tag}`);
  const built = join(dir, 'dist', 'cli', 'main.js');
  if (!existsSync(built)) {
    if (!existsSync(dir)) {
      git('worktree', 'add', '--detach', dir, sha);
      if (patch) execFileSync('git', ['apply', realpathSync(patch)], { cwd: dir, stdio: 'inherit' });
    }
    if (!existsSync(join(dir, 'node_modules'))) {
      // The reference runs on its own locked dependencies (an older commit may need packages this checkout
      // dropped, e.g. helmet before c0fa7a8's successors); when its lockfile is this checkout's, link ours.
      const lock = (d) => readFileSync(join(d, 'package-lock.json'), 'utf8');
      if (lock(dir) === lock(ROOT))
        symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
      else {
        console.log(`installing ${ref}'s own locked dependencies (npm ci) in ${dir} …`);
        execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
          cwd: dir,
          stdio: 'inherit',
        });
        execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: dir, stdio: 'inherit' });
      }
    }
    console.log(`building ${ref} (${sha.slice(0, 12)}) in ${dir} …`);
    try {
      execFileSync(
        process.execPath,
        [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
        {
          cwd: dir,
          stdio: 'inherit',
        },
      );
    } catch (e) {
      if (!existsSync(built)) throw new Error(`${ref}: the build failed (${e.message})`);
      console.log(`${ref}: tsc reported errors but emitted dist/ (as that commit did).`);
    }
    // Builds since the CSS moved to files also copy them into dist/ (npm run build's second step).
    if (existsSync(join(dir, 'scripts', 'copy-assets.mjs')))
      execFileSync(process.execPath, [join(dir, 'scripts', 'copy-assets.mjs')], {
        cwd: dir,
        stdio: 'inherit',
      });
  }
  return {
    label: patch ? `${ref} + ${patch.split('/').pop()}` : `${ref} (${sha.slice(0, 12)})`,
    root: dir,
    remove: () => git('worktree', 'remove', '--force', dir),
  };
}

let pgSettings = '';
if (pgUrl) {
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const settings = await admin.query(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'server_version')",
  );
  await admin.end();
  pgSettings = settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ');
  console.log(`PostgreSQL server: ${pgSettings} (the store sets synchronous_commit=on on every connection)`);
}

const builds = [{ label: 'HEAD', root: ROOT }];
const ref = against ? buildRef(against, ablate) : undefined;
/**
 * The study every build is measured on. With `--against`, the reference commit's own example BACE study for both
 * builds: a newer example may use features an older build does not know (since issue 9 the example has models
 * and a combined score), which that build then refuses on every request (500s, nothing stored) — a comparison of
 * different work. Otherwise this checkout's example.
 */
const definition = ref
  ? JSON.parse(readFileSync(join(ref.root, 'examples', 'bace-medical-students', 'study.json'), 'utf8'))
  : baceDefinition();

if (ref) builds.push(ref);
try {
  for (let round = 0; round < repeats; round++) {
    if (repeats > 1) console.log(`round ${round + 1} of ${repeats} (load average ${loadAverage()})`);
    await runBare(round);
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      if (runSqlite) await runBackend('SQLite', {}, { build, round });
      if (pgUrl) {
        await runBackend('PostgreSQL', { DATABASE_URL: pgUrl }, { build, round });
        if (servers > 1)
          await runBackend('PostgreSQL', { DATABASE_URL: pgUrl }, { count: servers, build, round });
      }
    }
  }
} finally {
  if (ref && !flag('keep-worktree')) ref.remove();
}

const bareOf = (r) => results.find((b) => b.bare && b.round === r.round);
console.log('');
console.log(
  '| server | build | round | submissions/s | p50 ms | p99 ms | ratio to bare | server CPU µs/submission | at 1,000/s: p50 ms | p99 ms | max ms | CPU µs/submission | refused | stored = acknowledged |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
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
    `| ${r.name} | ${r.build ?? '—'} | ${r.round + 1} | ${fmt.int(c.throughput)} | ${fmt.ms(c.latencyMs.p50)} | ${fmt.ms(c.latencyMs.p99)} | ${r.bare ? '1' : fmt.x(c.throughput / bareOf(r).closed.throughput)} | ${fmt.int(c.cpuUsPerRequest)} | ${fmt.ms(o.latencyMs.p50)} | ${fmt.ms(o.latencyMs.p99)} | ${fmt.ms(o.latencyMs.max)} | ${fmt.int(o.cpuUsPerRequest)} | ${refused} | ${check} |`,
  );
}
console.log('');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs) => `${fmt.int(Math.min(...xs))}–${fmt.int(Math.max(...xs))}`;
const bares = results.filter((r) => r.bare);
const bareMedian = median(bares.map((r) => r.closed.throughput));
const bareCpu = median(bares.map((r) => r.closed.cpuUsPerRequest));
console.log(
  `bare route: median ${fmt.int(bareMedian)}/s (${spread(bares.map((r) => r.closed.throughput))}), ${fmt.int(bareCpu)} µs CPU per request`,
);
const groups = new Map();
for (const r of results.filter((x) => !x.bare)) {
  const k = `${r.name}|${r.build}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
const summary = new Map();
for (const [k, rs] of groups) {
  const [name, build] = k.split('|');
  const tput = rs.map((r) => r.closed.throughput);
  const ratios = rs.map((r) => r.closed.throughput / bareOf(r).closed.throughput);
  const cpu = rs.map((r) => r.closed.cpuUsPerRequest);
  const s = { tput: median(tput), ratio: median(ratios), cpu: median(cpu) };
  summary.set(k, s);
  console.log(
    `${name} [${build}]: ${fmt.int(s.tput)}/s median of ${rs.length} (${spread(tput)}), ${fmt.x(s.ratio)} the bare route's (goal ≥ 0.5× on SQLite, ≥ 0.15× on PostgreSQL); ` +
      `server CPU ${fmt.int(s.cpu)} µs per submission (${spread(cpu)}), ${fmt.x(s.cpu / bareCpu)} the bare route's (goal ≤ 2×); ` +
      `p99 at ${rate}/s ${fmt.ms(median(rs.map((r) => r.open.latencyMs.p99)))} ms (goal < 50 ms).`,
  );
}
if (ref) {
  for (const [k, head] of summary) {
    const [name, build] = k.split('|');
    if (build !== 'HEAD') continue;
    const old = summary.get(`${name}|${ref.label}`);
    if (!old) continue;
    console.log(
      `${name}: HEAD / ${ref.label}: throughput ${fmt.x(head.tput / old.tput)} (ratio to bare ${fmt.x(head.ratio / old.ratio)}; goal ≥ 0.9×), ` +
        `CPU per submission ${fmt.x(head.cpu / old.cpu)} (${fmt.int(head.cpu)} vs ${fmt.int(old.cpu)} µs).`,
    );
  }
}
if (servers > 1) {
  for (const build of builds) {
    const one = summary.get(`nabz on PostgreSQL|${build.label}`);
    const many = summary.get(`nabz on PostgreSQL (${servers} servers)|${build.label}`);
    if (one && many)
      console.log(
        `PostgreSQL [${build.label}]: ${servers} servers ${fmt.int(many.tput)}/s vs one server ${fmt.int(one.tput)}/s (${fmt.x(many.tput / one.tput)}; goal ≥ 1×), ` +
          `CPU per submission ${fmt.int(many.cpu)} vs ${fmt.int(one.cpu)} µs.`,
      );
  }
}
console.log(
  `statuses (closed loop; open loop): ${results
    .filter((r) => !r.bare)
    .map(
      (r) =>
        `${r.name} [${r.build}] ${JSON.stringify(r.closed.statuses)}; ${JSON.stringify(r.open.statuses)}`,
    )
    .join(' · ')}`,
);
console.log(`load average at the end: ${loadAverage()}`);
const bad = results.filter((r) => r.check && !r.check.ok);
if (bad.length) {
  console.error(
    `stored rows do not match the acknowledged submissions: ${bad.map((r) => r.name).join(', ')}`,
  );
  process.exit(1);
}
