/**
 * The shared rate-limit store's leases (src/server/rate-limit-store.ts): processes reserve blocks of numbers in
 * the database instead of one upsert per request, and the limit still holds exactly across processes. Two store
 * instances (two processes' worth of leases) over one database, on SQLite and (NABZ_TEST_PG_URL) PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { nextLease, sharedRateLimitStore } from '../../src/server/rate-limit-store.js';
import type { Store } from '../../src/store/index.js';
import { testBackends, useStore } from '../store/backends.js';

const START = Date.UTC(2026, 11, 7, 9, 0, 0);

type Incr = (
  key: string,
  done: (err: Error | null, res?: { current: number; ttl: number }) => void,
  timeWindow: number,
  max: number,
) => void;

for (const backend of testBackends()) {
  describe(`shared rate-limit leases on ${backend.name}`, () => {
    let store: Store;
    useStore(backend, async (open) => {
      store = open.store;
    });

    /** A "process": its own store instance, counting the upserts it makes. */
    const processOf = (clock: () => number) => {
      let upserts = 0;
      const limits = {
        ...store.limits,
        hit: (...args: Parameters<Store['limits']['hit']>) => {
          upserts++;
          return store.limits.hit(...args);
        },
      };
      const Ctor = sharedRateLimitStore(limits, clock);
      const s = new Ctor({} as never) as unknown as { incr: Incr };
      const incr = (key: string, max: number) =>
        new Promise<{ current: number; ttl: number }>((resolve, reject) =>
          s.incr(
            key,
            (err, res) => (err ? reject(err) : resolve(res as { current: number; ttl: number })),
            60_000,
            max,
          ),
        );
      return { incr, upserts: () => upserts };
    };

    it('never lets more than the limit through across two processes, with far fewer upserts than requests', async () => {
      let now = START;
      const clock = () => now;
      const a = processOf(clock);
      const b = processOf(clock);
      const max = 1280; // leases grow to 20
      const key = 'api|192.0.2.1|token';
      const numbers: number[] = [];
      // 1,500 requests, in concurrent bursts alternating between the processes.
      for (let round = 0; round < 30; round++) {
        const p = round % 2 ? b : a;
        const burst = await Promise.all(Array.from({ length: 50 }, () => p.incr(key, max)));
        numbers.push(...burst.map((r) => r.current));
      }
      // Every number is unique over both processes: the bound is exact.
      expect(new Set(numbers).size).toBe(numbers.length);
      const allowed = numbers.filter((n) => n <= max).length;
      expect(allowed).toBeLessThanOrEqual(max);
      // At most one unused block per process (20 each) is lost.
      expect(allowed).toBeGreaterThanOrEqual(max - 2 * 20);
      expect(a.upserts() + b.upserts()).toBeLessThan(numbers.length / 10);
      // A new window starts from 1, with a block of 1 again.
      now += 60_000;
      const first = await a.incr(key, max);
      expect(first.current).toBe(1);
      expect((await b.incr(key, max)).current).toBe(2);
    });

    it('counts a key with a small limit one request per upsert, exactly as without leases', async () => {
      const clock = () => START + 5_000;
      const a = processOf(clock);
      const b = processOf(clock);
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) seen.push((await (i % 2 ? b : a).incr('small', 4)).current);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(a.upserts() + b.upserts()).toBe(8);
    });
  });
}

describe('lease sizes', () => {
  it('double up to 1/64 of the limit and at most 256, never below 1', () => {
    expect(nextLease(1, 4)).toBe(1);
    expect(nextLease(1, 2000)).toBe(2);
    expect(nextLease(16, 2000)).toBe(31);
    expect(nextLease(31, 2000)).toBe(31);
    expect(nextLease(128, 1e9)).toBe(256);
    expect(nextLease(256, 1e9)).toBe(256);
  });
});
