/**
 * Sign-in sessions and one-time setup tokens. Callers pass the secret the browser or the printed link holds;
 * only its SHA-256 is stored, so a copy of the database does not let anyone sign in.
 */
import { secretHash, toBool, toDate } from './codec.js';
import type { StoreContext } from './context.js';
import { type Refused, refused } from './errors.js';
import type { User } from './users.js';

export interface Session {
  readonly userId: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** The signed-in account. */
  readonly user: User;
}

export function sessionsRepo({ db }: StoreContext) {
  return {
    /** Record a new session for `token` (a random secret the server generated and sets as a cookie). */
    async create(input: { token: string; userId: number; expiresAt: Date; now?: Date }): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          token_hash: secretHash(input.token),
          user_id: input.userId,
          created_at: input.now ?? new Date(),
          expires_at: input.expiresAt,
        })
        .execute();
    },

    /** Move a session's expiry (sliding sessions). */
    async extend(token: string, expiresAt: Date): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ expires_at: expiresAt })
        .where('token_hash', '=', secretHash(token))
        .execute();
    },

    /** The session for `token` if it exists and has not expired at `now`, with its user. */
    async getValid(token: string, now: Date = new Date()): Promise<Session | undefined> {
      const row = await db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select([
          's.user_id',
          's.created_at',
          's.expires_at',
          'u.email',
          'u.display_name',
          'u.is_admin',
          'u.created_at as user_created_at',
        ])
        .where('s.token_hash', '=', secretHash(token))
        .where('s.expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        userId: row.user_id,
        createdAt: toDate(row.created_at),
        expiresAt: toDate(row.expires_at),
        user: {
          id: row.user_id,
          email: row.email,
          displayName: row.display_name,
          isAdmin: toBool(row.is_admin),
          createdAt: toDate(row.user_created_at),
        },
      };
    },

    /** Sign out: delete the session. Returns whether one existed. */
    async delete(token: string): Promise<boolean> {
      const res = await db
        .deleteFrom('sessions')
        .where('token_hash', '=', secretHash(token))
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    /** Delete every session of a user (e.g. after a password change). Returns how many. */
    async deleteForUser(userId: number): Promise<number> {
      const res = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    /** Delete sessions that expired at or before `now`. Returns how many. */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      const res = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type SessionsRepo = ReturnType<typeof sessionsRepo>;

export type SetupTokenRefusal = 'unknown_token' | 'already_used' | 'expired';

const EXPIRED = 'This set-up link has expired; start the server again to get a new one.';

/** Why a setup token row cannot be used for `purpose` at `now`, or ok. */
function tokenState(
  row: { used_at: unknown; expires_at: Date | string; purpose: string } | undefined,
  purpose: string,
  now: Date,
): { readonly ok: true } | Refused<SetupTokenRefusal> {
  if (!row || row.purpose !== purpose) return refused('unknown_token', 'This set-up link is not valid.');
  if (row.used_at !== null) return refused('already_used', 'This set-up link has already been used.');
  if (toDate(row.expires_at).getTime() <= now.getTime()) return refused('expired', EXPIRED);
  return { ok: true };
}

export function setupTokensRepo({ db }: StoreContext) {
  return {
    /** Record a one-time token (e.g. for the first owner account, printed as a link on first start). */
    async create(input: { token: string; expiresAt: Date; purpose?: string; now?: Date }): Promise<void> {
      await db
        .insertInto('setup_tokens')
        .values({
          token_hash: secretHash(input.token),
          purpose: input.purpose ?? 'owner',
          created_at: input.now ?? new Date(),
          expires_at: input.expiresAt,
        })
        .execute();
    },

    /**
     * Whether `token` could still be used for `purpose` at `now` (without using it up), and why not — the same
     * refusals as {@link consume}.
     */
    async check(
      token: string,
      options: { purpose?: string; now?: Date } = {},
    ): Promise<{ readonly ok: true } | Refused<SetupTokenRefusal>> {
      const now = options.now ?? new Date();
      const row = await db
        .selectFrom('setup_tokens')
        .select(['used_at', 'expires_at', 'purpose'])
        .where('token_hash', '=', secretHash(token))
        .executeTakeFirst();
      return tokenState(row, options.purpose ?? 'owner', now);
    },

    /**
     * Use the token once. A single conditional UPDATE marks it used, so of two concurrent attempts exactly
     * one succeeds. Refusals say whether the token is unknown (or for another purpose), used or expired.
     */
    async consume(
      token: string,
      options: { purpose?: string; now?: Date } = {},
    ): Promise<{ readonly ok: true } | Refused<SetupTokenRefusal>> {
      const now = options.now ?? new Date();
      const purpose = options.purpose ?? 'owner';
      const tokenHash = secretHash(token);
      const res = await db
        .updateTable('setup_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) return { ok: true };
      const row = await db
        .selectFrom('setup_tokens')
        .select(['used_at', 'expires_at', 'purpose'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      const state = tokenState(row, purpose, now);
      return state.ok ? refused('expired', EXPIRED) : state;
    },

    /** Delete tokens that expired at or before `now`, used or not. Returns how many. */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      const res = await db.deleteFrom('setup_tokens').where('expires_at', '<=', now).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type SetupTokensRepo = ReturnType<typeof setupTokensRepo>;
