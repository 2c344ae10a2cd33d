/**
 * Shared pieces of the collection benchmarks and long fault runs (bench/ingest.mjs, bench/crash.mjs, …):
 * starting the real server (`node dist/cli/main.js serve`) on a free loopback port, creating a launched BACE
 * study through the store API (dist/store), valid 30-item BACE submissions, the load generator child, the
 * machine description, and small formatting helpers.
 *
 * Everything listens on 127.0.0.1 only, and every child this module starts is stopped by its own process id.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const BACE_ITEMS = Array.from({ length: 30 }, (_, i) => `bace3_${String(i + 1).padStart(2, '0')}`);

/** Fail early with the fix when dist/ is missing. */
export function requireBuild() {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first.');
}

/** `--name value` from the command line, or the default. */
export function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}
export const flag = (name) => process.argv.includes(`--${name}`);

/** One line describing the machine. */
export function machine() {
  const c = cpus();
  return `${c.length} × ${c[0]?.model?.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Node ${process.version}`;
}

/** The example BACE v3 study (30 items, age, gender, level of training, specialty with skip logic). */
export function baceDefinition() {
  return JSON.parse(readFileSync(join(ROOT, 'examples', 'bace-medical-students', 'study.json'), 'utf8'));
}

/** A complete, valid answer set for the example BACE study; `seed` varies the values (some "not applicable"). */
export function baceAnswers(seed) {
  const a = {};
  BACE_ITEMS.forEach((id, i) => {
    a[id] = (i * 7 + seed * 13) % 4;
  });
  if (seed % 3 === 0) a.bace3_14 = 'na';
  a.age = 18 + (seed % 40);
  a.gender = 1 + (seed % 2);
  a.training = 1 + ((seed >> 1) % 2);
  if (a.training === 2) a.specialty = 1 + (seed % 4);
  return a;
}

/** `n` distinct JSON request bodies for `POST /api/v1/s/:token/responses`. */
export function baceBodies(n = 64) {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ language: 'en', answers: baceAnswers(i) }));
}

/** A fresh PostgreSQL schema name for one run. */
export const freshSchema = (prefix = 'nabz_bench') => `${prefix}_${randomBytes(5).toString('hex')}`;

/**
 * Create an owner and a launched (open) BACE study through the store API, then close the store (SQLite
 * allows one store per process and the server will open its own). Returns the link token and the study id.
 */
export async function createLaunchedStudy(storeConfig, definition = baceDefinition(), options = {}) {
  const { openStore } = await import(join(options.root ?? ROOT, 'dist', 'store', 'index.js'));
  const store = await openStore(storeConfig);
  try {
    const user = await store.users.create({
      email: `bench-${randomBytes(4).toString('hex')}@example.org`,
      displayName: 'Benchmark owner',
      // Not a usable password: nobody signs in during a benchmark.
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$bm90LWEtcmVhbC1oYXNo',
      isAdmin: false,
    });
    if (!user.ok) throw new Error(user.message);
    const s = await store.studies.create({
      title: definition.title,
      ownerId: user.value.id,
      definition,
      ...(options.anonymous !== undefined ? { anonymous: options.anonymous } : {}),
    });
    await store.studies.setStatus({ studyId: s.id, status: 'open' });
    const fresh = await store.studies.byId(s.id);
    return { token: fresh.publicToken, studyId: fresh.id, ownerId: user.value.id };
  } finally {
    await store.close();
  }
}

/** Open the store once to run `fn(store)` (counting rows after a run), then close it (`root`: another build). */
export async function withStore(storeConfig, fn, root = ROOT) {
  const { openStore } = await import(join(root, 'dist', 'store', 'index.js'));
  const store = await openStore(storeConfig);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * How the server stores a client's idempotency key (a keyed hash, see dist/server/respond/submit.js): a function
 * `(studyId, key) => Promise<stored key>` for checking runs against the database. `secret` is the server's
 * NABZ_SECRET, if it was given one. `root`: another build of nabz (bench:ingest --against); builds from before
 * the keyed hash (issue 12, finding 8) stored the key itself.
 */
export async function storedKeyOf(store, secret, root = ROOT) {
  const { idempotencyKeyHasher } = await import(join(root, 'dist', 'server', 'respond', 'submit.js'));
  if (typeof idempotencyKeyHasher !== 'function') return async (_studyId, key) => key;
  return idempotencyKeyHasher(store, secret);
}

/** The store configuration the server picks from `env` for `dataDir` (the store's own storeConfigFromEnv). */
export async function storeConfigFor(dataDir, env, root = ROOT) {
  const { storeConfigFromEnv } = await import(join(root, 'dist', 'store', 'index.js'));
  return storeConfigFromEnv(env, dataDir);
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'nabz-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Start `node dist/cli/main.js serve --port 0` (a free port, or `port`) and wait for its "listening" line.
 * `env` is added to the process environment (DATABASE_URL, NABZ_DB_SCHEMA, NABZ_SUBMIT_RATE_LIMIT …).
 * Returns `{ port, url, proc, description, stop(), kill() }`: stop sends SIGTERM and waits; kill sends SIGKILL.
 * `root`: run another build of nabz (its dist/), e.g. an older commit's (bench:ingest --against).
 */
export function startNabz({ dataDir, env = {}, timeoutMs = 30_000, nodeArgs = [], port = 0, root = ROOT }) {
  return startChild(
    process.execPath,
    [
      ...nodeArgs,
      join(root, 'dist', 'cli', 'main.js'),
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    { NABZ_LOG_LEVEL: 'error', ...env },
    /nabz is listening on http:\/\/127\.0\.0\.1:(\d+) — (.*)/,
    timeoutMs,
    root,
  );
}

/** Start the bare Fastify peer (bench/lib/bare-server.mjs) on a free port. */
export function startBare({ timeoutMs = 15_000 } = {}) {
  return startChild(
    process.execPath,
    [join(ROOT, 'bench', 'lib', 'bare-server.mjs')],
    {},
    /bare listening on (\d+)/,
    timeoutMs,
  );
}

function startChild(cmd, args, env, ready, timeoutMs, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done = false;
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    proc.stderr.on('data', (d) => {
      err += d;
      if (err.length > 100_000) err = err.slice(-50_000);
    });
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.length > 100_000) out = out.slice(-50_000);
      const m = ready.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port,
          url: `http://127.0.0.1:${port}`,
          proc,
          description: m[2] ?? '',
          output: () => out + err,
          exited,
          async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
            const r = await exited;
            clearTimeout(t);
            return r;
          },
          async kill() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            return exited;
          },
        });
      }
    });
    proc.once('exit', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before listening:\n${out}\n${err}`));
    });
  });
}

/**
 * Run the load generator (bench/lib/loadgen.mjs) in its own process, so it never shares an event loop or a
 * core's time slice with the orchestrator. See loadgen.mjs for the configuration. Resolves to its result.
 */
export function runLoad(config) {
  const { dir, remove } = tempDir('nabz-load-');
  const cfgFile = join(dir, 'config.json');
  writeFileSync(cfgFile, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, 'bench', 'lib', 'loadgen.mjs'), cfgFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.once('exit', (code) => {
      remove();
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`load generator printed no result: ${out.slice(0, 500)} (${e})`));
      }
    });
  });
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString('en-US'),
  ms: (n) =>
    typeof n !== 'number' || !Number.isFinite(n)
      ? '—'
      : n < 10
        ? n.toFixed(2)
        : n < 100
          ? n.toFixed(1)
          : n.toFixed(0),
  x: (n) => `${n.toFixed(2)}×`,
  kb: (bytes) => `${(bytes / 1024).toFixed(1)} KB`,
  mb: (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`,
};

/** A port that is free on 127.0.0.1 right now (for a server that must come back on the same port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Sleep `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
