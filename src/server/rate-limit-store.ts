/**
 * A store for @fastify/rate-limit (its `store` option) that counts in the database (`store.limits.hit`), so
 * every server process over one PostgreSQL database shares each per-address limit (issue 12, finding 20).
 * Windows are fixed (aligned to multiples of the route's time window) rather than starting at a key's first
 * hit.
 *
 * Leases (issue 13): a busy key does not cost a database round trip per request. Each process reserves hits
 * in the database in blocks — it adds `n` to the window's count in one upsert and gets the range
 * `count - n + 1 … count` for itself — and numbers its requests from that range locally. The first block of a
 * key in a window is 1, and each block used up within the window doubles the next, up to 1/64 of the limit
 * (at most {@link MAX_LEASE}). So a key with few requests is counted one request per upsert exactly as before,
 * and a key with thousands a minute costs one upsert per block. The bound across processes is kept exactly:
 * each request's number is unique over all processes (the upsert is atomic), and a request is allowed only if
 * its number is ≤ the limit, so no more than the limit get through in a window, whatever the number of
 * processes. What a lease costs is the other way: numbers reserved by a process and not used before the
 * window ends are lost, so with P processes a key may be refused up to P × (1/64 of the limit) requests
 * early — at most 1.6% of the limit per process.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LimitsRepo } from '../store/index.js';

type Done = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** The largest block of hits one process reserves at once. */
const MAX_LEASE = 256;
/** Keys whose lease is kept in memory per route (the least recently renewed is dropped first). */
const MAX_LEASED_KEYS = 10_000;

/** The block reserved for a key after `size` was used up within the window: double, up to limit/64. */
export function nextLease(size: number, max: number): number {
  return Math.max(1, Math.min(size * 2, MAX_LEASE, Math.floor(max / 64)));
}

interface Lease {
  /** Start of the window the lease belongs to (ms since the epoch). */
  readonly windowStart: number;
  readonly resetAt: number;
  /** The next number to hand out, and the last one reserved. */
  next: number;
  last: number;
  /** The size of the block last reserved. */
  size: number;
  /** A reservation under way: requests arriving meanwhile wait for it. */
  pending: Promise<void> | undefined;
}

/** Build the class the plugin instantiates (`new Store(globalParams)`), bound to the limits and the clock. */
export function sharedRateLimitStore(limits: LimitsRepo, clock: () => number): FastifyRateLimitStoreCtor {
  class SharedRateLimitStore implements FastifyRateLimitStore {
    /** Each route counts under its own prefix, as the plugin's in-memory store keeps one map per route. */
    private readonly prefix: string;
    private readonly leases = new Map<string, Lease>();
    constructor(_options: unknown, prefix = 'rate:') {
      this.prefix = prefix;
    }

    incr(key: string, done: Done, timeWindow: number, max?: number): void {
      this.take(key, timeWindow, typeof max === 'number' && max > 0 ? max : 1).then(
        (res) => done(null, res),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    }

    /** The number of this request within its window (unique over every process) and the time left. */
    private async take(
      key: string,
      timeWindow: number,
      max: number,
    ): Promise<{ current: number; ttl: number }> {
      for (;;) {
        const now = clock();
        const windowStart = Math.floor(now / timeWindow) * timeWindow;
        let lease = this.leases.get(key);
        if (lease === undefined || lease.windowStart !== windowStart) {
          lease = {
            windowStart,
            resetAt: windowStart + timeWindow,
            next: 1,
            last: 0,
            size: 0,
            pending: undefined,
          };
          this.leases.delete(key);
          this.leases.set(key, lease);
          if (this.leases.size > MAX_LEASED_KEYS) {
            const oldest = this.leases.keys().next();
            if (!oldest.done) this.leases.delete(oldest.value);
          }
        }
        if (lease.next <= lease.last) return { current: lease.next++, ttl: lease.resetAt - now };
        if (lease.pending === undefined) {
          const l = lease;
          const size = l.size === 0 ? 1 : nextLease(l.size, max);
          l.pending = limits.hit(`${this.prefix}${key}`, timeWindow, now, size).then(
            ({ count }) => {
              l.next = count - size + 1;
              l.last = count;
              l.size = size;
              l.pending = undefined;
            },
            (err: unknown) => {
              l.pending = undefined;
              throw err;
            },
          );
        }
        await lease.pending;
      }
    }

    /** The plugin passes the route's merged limit options, with the route itself under `routeInfo`. */
    child(routeOptions: object): SharedRateLimitStore {
      const r = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      return new SharedRateLimitStore(undefined, `rate:${String(r?.method ?? '')} ${String(r?.url ?? '')}:`);
    }
  }
  return SharedRateLimitStore;
}
