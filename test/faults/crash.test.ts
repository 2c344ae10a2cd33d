/**
 * Crash: the real server (`node dist/cli/main.js serve`, built by `npm test`) is killed with SIGKILL five times
 * in the middle of a load of submissions from 16 concurrent respondents who retry with the same Idempotency-Key
 * until they are acknowledged; after a last SIGKILL, every acknowledged response is in the database exactly
 * once, under the id the server acknowledged: 0 lost, 0 duplicated. SQLite always; PostgreSQL too when
 * NABZ_TEST_PG_URL is set. The long run (more kills and respondents) is `node bench/crash.mjs`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI } from '../../bench/lib/common.mjs';
// The run is shared with bench/crash.mjs (one implementation, tested here).
import { crashRun } from '../../bench/lib/crash.mjs';

const backends: { name: 'sqlite' | 'postgres'; url?: string }[] = [{ name: 'sqlite' }];
if (process.env.NABZ_TEST_PG_URL) backends.push({ name: 'postgres', url: process.env.NABZ_TEST_PG_URL });

describe('kill -9 during a load of submissions with retries', () => {
  it('needs the built server', () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run `npm run build` (npm test does)').toBe(true);
  });

  for (const backend of backends) {
    it(`loses and duplicates nothing that was acknowledged (${backend.name})`, async () => {
      const lines: string[] = [];
      const r = await crashRun({
        backend: backend.name,
        ...(backend.url ? { pgUrl: backend.url } : {}),
        kills: 5,
        clients: 16,
        submissions: 600,
        log: (l: string) => lines.push(l),
      });
      const summary = JSON.stringify(r);
      expect(lines, summary).toHaveLength(5);
      expect(r.starts, summary).toBe(6);
      expect(r.acknowledged, summary).toBe(600);
      expect(r.lost, summary).toBe(0);
      expect(r.duplicatedKeys, summary).toBe(0);
      expect(r.mismatchedIds, summary).toBe(0);
      expect(r.unacknowledged, summary).toBe(0);
      expect(r.rows, summary).toBe(600);
      // The kills really interrupted the load: respondents had to retry.
      expect(r.networkErrors, summary).toBeGreaterThan(0);
    }, 180_000);
  }
});
