/**
 * A store for @fastify/rate-limit (its `store` option) that counts in the database (`store.limits.hit`), so
 * every server process over one PostgreSQL database shares each per-address limit (issue 12, finding 20).
 * Windows are fixed (aligned to multiples of the route's time window) rather than starting at a key's first
 * hit; one upsert per limited request, plus one delete of ended windows when a key opens a new window.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LimitsRepo } from '../store/index.js';

type Done = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** Build the class the plugin instantiates (`new Store(globalParams)`), bound to the limits and the clock. */
export function sharedRateLimitStore(limits: LimitsRepo, clock: () => number): FastifyRateLimitStoreCtor {
  class SharedRateLimitStore implements FastifyRateLimitStore {
    /** Each route counts under its own prefix, as the plugin's in-memory store keeps one map per route. */
    private readonly prefix: string;
    constructor(_options: unknown, prefix = 'rate:') {
      this.prefix = prefix;
    }

    incr(key: string, done: Done, timeWindow: number): void {
      const now = clock();
      limits.hit(`${this.prefix}${key}`, timeWindow, now).then(
        ({ count, resetAt }) => done(null, { current: count, ttl: resetAt - now }),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    }

    /** The plugin passes the route's merged limit options, with the route itself under `routeInfo`. */
    child(routeOptions: object): SharedRateLimitStore {
      const r = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      return new SharedRateLimitStore(undefined, `rate:${String(r?.method ?? '')} ${String(r?.url ?? '')}:`);
    }
  }
  return SharedRateLimitStore;
}
