/**
 * The crash fault run, shared by the quick test (test/faults/crash.test.ts) and the long run (bench/crash.mjs).
 *
 * The real server (`node dist/cli/main.js serve`, SQLite or PostgreSQL) takes complete BACE submissions from
 * `clients` concurrent respondents through the JSON API while it is killed with SIGKILL `kills` times, each
 * time in the middle of the load, and started again on the same port. Each respondent behaves like the
 * phone app should: one Idempotency-Key per response, generated once, and the *same* key on every retry after a
 * network error, a timeout, a 5xx or a 429, until the server acknowledges (201 new, or 200 duplicate: a retry of
 * a response that was committed before the crash took the answer away). After a last SIGKILL, the database is
 * opened and compared with what the respondents were told:
 *
 * - lost: an acknowledged key with no row (must be 0);
 * - duplicated: a key with more than one row (must be 0; the UNIQUE constraint is what guarantees it);
 * - unacknowledged: a row whose key no respondent got an answer for (0 here: every respondent retries to the end);
 * - mismatched ids: a row id that differs from the id the server acknowledged (must be 0).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  baceAnswers,
  createLaunchedStudy,
  freePort,
  freshSchema,
  sleep,
  startNabz,
  storeConfigFor,
  storedKeyOf,
  tempDir,
  withStore,
} from './common.mjs';

/**
 * @param {object} o
 * @param {'sqlite'|'postgres'} o.backend
 * @param {string} [o.pgUrl] PostgreSQL URL (backend postgres); a fresh schema is created and dropped
 * @param {number} [o.kills] SIGKILLs during the load (default 5)
 * @param {number} [o.clients] concurrent respondents (default 16)
 * @param {number} [o.submissions] responses to get acknowledged (default 600)
 * @param {(line: string) => void} [o.log]
 */
export async function crashRun(o) {
  const kills = o.kills ?? 5;
  const clients = o.clients ?? 16;
  const submissions = o.submissions ?? 600;
  const log = o.log ?? (() => undefined);
  const tmp = tempDir('nabz-crash-');
  const dataDir = join(tmp.dir, 'data');
  const schema = o.backend === 'postgres' ? freshSchema('nabz_test_crash') : undefined;
  const env =
    o.backend === 'postgres'
      ? { DATABASE_URL: o.pgUrl, NABZ_DB_SCHEMA: schema, NABZ_SUBMIT_RATE_LIMIT: '1000000000' }
      : { NABZ_SUBMIT_RATE_LIMIT: '1000000000' };
  const storeConfig = await storeConfigFor(dataDir, env);
  const runId = randomBytes(4).toString('hex');
  try {
    const study = await createLaunchedStudy(storeConfig);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/v1/s/${study.token}/responses`;
    let server = await startNabz({ dataDir, env, port });
    const starts = [server.description];

    const acked = new Map(); // key → id
    const stats = { created: 0, duplicate: 0, retries: 0, networkErrors: 0, status5xx: 0, status429: 0 };
    let next = 0;
    let fatal;

    const client = async () => {
      while (next < submissions && !fatal) {
        const i = next++;
        const key = `crash-${runId}-${String(i).padStart(6, '0')}`;
        const answers = baceAnswers(i);
        const body = JSON.stringify({ language: 'en', answers });
        for (let attempt = 1; ; attempt++) {
          if (attempt > 1) stats.retries++;
          if (attempt > 400) {
            fatal = new Error(`${key}: no acknowledgement after 400 attempts`);
            return;
          }
          let res;
          let text = '';
          try {
            res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': key },
              body,
              signal: AbortSignal.timeout(10_000),
            });
            text = await res.text();
          } catch {
            stats.networkErrors++;
            await sleep(Math.min(200, 10 * attempt));
            continue;
          }
          if (res.status === 201 || res.status === 200) {
            const reply = JSON.parse(text);
            if (res.status === 201) stats.created++;
            else stats.duplicate++;
            acked.set(key, reply.id);
            break;
          }
          if (res.status >= 500 || res.status === 429) {
            if (res.status === 429) stats.status429++;
            else stats.status5xx++;
            const after = Number(res.headers.get('retry-after'));
            await sleep(Math.min(1000, Number.isFinite(after) && after > 0 ? after * 1000 : 100));
            continue;
          }
          fatal = new Error(`${key}: unexpected ${res.status} ${text.slice(0, 300)}`);
          return;
        }
      }
    };

    const killer = async () => {
      for (let k = 0; k < kills; k++) {
        // Evenly spread over the load, and a random few milliseconds in, so requests are in flight.
        const target = Math.floor(((k + 1) * submissions) / (kills + 1));
        while (acked.size < target && !fatal) await sleep(2);
        if (fatal) return;
        await sleep(Math.floor(Math.random() * 15));
        const inFlight = next - acked.size;
        await server.kill();
        log(`kill -9 #${k + 1} at ${acked.size} acknowledged, ~${inFlight} in flight`);
        server = await startNabz({ dataDir, env, port });
        starts.push(server.description);
      }
    };

    await Promise.all([killer(), ...Array.from({ length: clients }, client)]);
    // A last SIGKILL: the final acknowledgements must be on disk too.
    await server.kill();
    if (fatal) throw fatal;

    const check = await withStore(storeConfig, async (store) => {
      // Keys are stored as the server's keyed hash (the secret is in the database: env sets no NABZ_SECRET).
      const hash = await storedKeyOf(store, env.NABZ_SECRET);
      const rows = await store.db
        .selectFrom('responses')
        .select(['public_id', 'idempotency_key'])
        .where('study_id', '=', study.studyId)
        .execute();
      const byKey = new Map();
      for (const r of rows) byKey.set(r.idempotency_key, [...(byKey.get(r.idempotency_key) ?? []), r]);
      const hashedAcked = new Set();
      let lost = 0;
      let mismatchedIds = 0;
      for (const [key, id] of acked) {
        const hashed = await hash(study.studyId, key);
        hashedAcked.add(hashed);
        const found = byKey.get(hashed);
        if (!found?.length) lost++;
        else if (found[0].public_id !== id) mismatchedIds++;
      }
      const duplicatedKeys = [...byKey.values()].filter((l) => l.length > 1).length;
      const unacknowledged = [...byKey.keys()].filter((k) => !hashedAcked.has(k)).length;
      return {
        rows: rows.length,
        lost,
        duplicatedKeys,
        unacknowledged,
        mismatchedIds,
      };
    });
    return {
      backend: o.backend,
      kills,
      clients,
      submissions,
      acknowledged: acked.size,
      ...stats,
      ...check,
      starts: starts.length,
      ok:
        check.lost === 0 &&
        check.duplicatedKeys === 0 &&
        check.mismatchedIds === 0 &&
        check.unacknowledged === 0 &&
        acked.size === submissions &&
        check.rows === submissions,
    };
  } finally {
    if (schema) {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: o.pgUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    }
    tmp.remove();
  }
}
