/**
 * Limits shared by every server process over one database (issue 12, finding 20): fixed-window request
 * counters for the rate limits and small expiring state records for the sign-in throttle. Keys (which carry
 * client addresses and e-mail addresses) are stored only as a keyed hash: HMAC-SHA256 under the server
 * secret `limits` (see secrets.ts), so the table holds no address in clear and cannot be reversed by trying
 * all IPv4 addresses without the secret. Expired rows are deleted as new ones are written.
 */
import { createHmac } from 'node:crypto';
import { toNumber } from './codec.js';
import type { StoreContext } from './context.js';
import type { SecretsRepo } from './secrets.js';

export function limitsRepo({ db }: StoreContext, secrets: SecretsRepo) {
  let keyOf: Promise<(key: string) => string> | undefined;
  const hashed = async (key: string): Promise<string> => {
    keyOf ??= secrets
      .get('limits')
      .then((secret) => (k: string) => createHmac('sha256', secret).update(k, 'utf8').digest('hex'));
    return (await keyOf)(key);
  };

  return {
    /**
     * Count `by` (default one) hits of `key` in the fixed window of `windowMs` that contains `now` (ms since the
     * epoch), in one upsert; returns the window's count after them and when the window ends. Opening a new
     * window also deletes ended ones. The count is atomic: concurrent callers (any process) get disjoint ranges
     * `count - by + 1 … count`.
     */
    async hit(
      key: string,
      windowMs: number,
      now: number,
      by = 1,
    ): Promise<{ count: number; resetAt: number }> {
      if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
        throw new RangeError(`Rate-limit window must be a positive whole number of ms, got ${windowMs}.`);
      }
      if (!Number.isSafeInteger(by) || by < 1) {
        throw new RangeError(`Rate-limit hits must be a positive whole number, got ${by}.`);
      }
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const resetAt = windowStart + windowMs;
      const row = await db
        .insertInto('rate_counters')
        .values({ key: await hashed(key), window_start: windowStart, expires_at: resetAt, count: by })
        .onConflict((oc) =>
          oc
            .columns(['key', 'window_start'])
            .doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', eb.ref('excluded.count')) })),
        )
        .returning('count')
        .executeTakeFirstOrThrow();
      const count = toNumber(row.count);
      if (count === by) await db.deleteFrom('rate_counters').where('expires_at', '<=', now).execute();
      return { count, resetAt };
    },

    /** The state stored under `key`, unless it expired by `now`. */
    async get(key: string, now: number): Promise<string | undefined> {
      const row = await db
        .selectFrom('limit_state')
        .select(['value', 'expires_at'])
        .where('key', '=', await hashed(key))
        .executeTakeFirst();
      return row && toNumber(row.expires_at) > now ? row.value : undefined;
    },

    /** Store `value` under `key` until `expiresAt` (ms since the epoch), replacing any earlier value. */
    async put(key: string, value: string, expiresAt: number, now: number): Promise<void> {
      const k = await hashed(key);
      await db
        .insertInto('limit_state')
        .values({ key: k, value, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, expires_at: expiresAt }))
        .execute();
      await db.deleteFrom('limit_state').where('expires_at', '<=', now).execute();
    },

    /** Forget `key`. */
    async delete(key: string): Promise<void> {
      await db
        .deleteFrom('limit_state')
        .where('key', '=', await hashed(key))
        .execute();
    },
  };
}

export type LimitsRepo = ReturnType<typeof limitsRepo>;
