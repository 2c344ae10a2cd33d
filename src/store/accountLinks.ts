/**
 * Single-use, expiring links for accounts (migration 0011_account_links, issue 14):
 *
 * - `invite`: an owner's invitation to a role on a study. Whoever opens it sets their own name, e-mail
 *   address and password (or signs in with their account) and gets the role.
 * - `reset`: an administrator's password reset link for one account.
 *
 * The caller passes the secret the link carries; only its SHA-256 is stored, so a copy of the database gives
 * no working link. Using a link is one conditional UPDATE (unused, not revoked, not expired), so of two
 * concurrent uses exactly one succeeds. Refused attempts on a link (a wrong password for an address that has
 * an account) are counted; the fifth revokes it, which bounds what one link can tell about which addresses
 * have accounts (docs/security.md, "Accounts").
 */
import { secretHash, toDate } from './codec.js';
import type { StoreContext } from './context.js';
import { type Refused, refused } from './errors.js';
import type { StudyRole } from './schema.js';

/** Refused attempts after which a link is revoked. */
export const MAX_LINK_FAILURES = 5;

export type AccountLinkKind = 'invite' | 'reset';
export type AccountLinkRefusal = 'unknown_link' | 'used_link' | 'expired_link' | 'revoked_link';

export interface AccountLink {
  /** SHA-256 of the secret: names the link in lists and forms (it cannot be used to open it). */
  readonly id: string;
  readonly kind: AccountLinkKind;
  readonly studyId: number | null;
  readonly role: StudyRole | null;
  readonly userId: number | null;
  readonly createdBy: number | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  /** The account that used it. */
  readonly usedBy: number | null;
  readonly revokedAt: Date | null;
  readonly failures: number;
}

type Row = {
  token_hash: string;
  kind: AccountLinkKind;
  study_id: number | null;
  role: StudyRole | null;
  user_id: number | null;
  created_by: number | null;
  created_at: Date | string;
  expires_at: Date | string;
  used_at: Date | string | null;
  used_by: number | null;
  revoked_at: Date | string | null;
  failures: number;
};

const COLUMNS = [
  'token_hash',
  'kind',
  'study_id',
  'role',
  'user_id',
  'created_by',
  'created_at',
  'expires_at',
  'used_at',
  'used_by',
  'revoked_at',
  'failures',
] as const;

function toLink(r: Row): AccountLink {
  return {
    id: r.token_hash,
    kind: r.kind,
    studyId: r.study_id,
    role: r.role,
    userId: r.user_id,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    usedAt: r.used_at === null ? null : toDate(r.used_at),
    usedBy: r.used_by,
    revokedAt: r.revoked_at === null ? null : toDate(r.revoked_at),
    failures: Number(r.failures),
  };
}

const WHAT: Record<AccountLinkKind, string> = { invite: 'invitation link', reset: 'password reset link' };
const ASK: Record<AccountLinkKind, string> = {
  invite: "ask the study's owner for a new one",
  reset: "ask the server's administrator for a new one",
};

/** Why `link` cannot be used at `now` (a message naming the fix), or ok. */
export function linkState(
  link: AccountLink | undefined,
  kind: AccountLinkKind,
  now: Date,
): { readonly ok: true; readonly link: AccountLink } | Refused<AccountLinkRefusal> {
  if (!link || link.kind !== kind)
    return refused(
      'unknown_link',
      `This ${WHAT[kind]} is not valid: check that the whole link was copied, or ${ASK[kind]}.`,
    );
  if (link.usedAt)
    return refused(
      'used_link',
      `This ${WHAT[kind]} has already been used (${link.usedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC); each link works once. ${kind === 'invite' ? 'If it was you, sign in.' : 'If it was you, sign in with the new password.'} Otherwise ${ASK[kind]}.`,
    );
  if (link.revokedAt) return refused('revoked_link', `This ${WHAT[kind]} was withdrawn; ${ASK[kind]}.`);
  if (link.expiresAt.getTime() <= now.getTime())
    return refused(
      'expired_link',
      `This ${WHAT[kind]} expired on ${link.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${ASK[kind]}.`,
    );
  return { ok: true, link };
}

export function accountLinksRepo({ db }: StoreContext) {
  const byHash = async (hash: string) => {
    const row = await db
      .selectFrom('account_links')
      .select(COLUMNS)
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    return row ? toLink(row as Row) : undefined;
  };
  return {
    /** Record a link for `token` (a random secret the server generated). */
    async create(input: {
      token: string;
      kind: AccountLinkKind;
      studyId?: number;
      role?: StudyRole;
      userId?: number;
      createdBy: number;
      expiresAt: Date;
      now?: Date;
    }): Promise<AccountLink> {
      const row = await db
        .insertInto('account_links')
        .values({
          token_hash: secretHash(input.token),
          kind: input.kind,
          study_id: input.studyId ?? null,
          role: input.role ?? null,
          user_id: input.userId ?? null,
          created_by: input.createdBy,
          created_at: input.now ?? new Date(),
          expires_at: input.expiresAt,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toLink(row as Row);
    },

    /** The link for `token` whatever its state (e.g. to see who used it), or undefined. */
    async find(token: string): Promise<AccountLink | undefined> {
      return byHash(secretHash(token));
    },

    /** The link for `token` if it can be used for `kind` at `now`, or why not. */
    async check(token: string, kind: AccountLinkKind, now: Date = new Date()) {
      return linkState(await byHash(secretHash(token)), kind, now);
    },

    /**
     * Use the link once, for `usedBy`: one conditional UPDATE, so of concurrent uses exactly one succeeds;
     * the others get the reason (used, revoked, expired, unknown).
     */
    async consume(token: string, kind: AccountLinkKind, usedBy: number, now: Date = new Date()) {
      const hash = secretHash(token);
      const res = await db
        .updateTable('account_links')
        .set({ used_at: now, used_by: usedBy })
        .where('token_hash', '=', hash)
        .where('kind', '=', kind)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      const link = await byHash(hash);
      if (Number(res.numUpdatedRows) === 1 && link) return { ok: true as const, link };
      const state = linkState(link, kind, now);
      return state.ok ? refused('used_link' as const, 'This link has just been used.') : state;
    },

    /** Count a refused attempt on the link; the {@link MAX_LINK_FAILURES}th revokes it. Returns the count. */
    async fail(token: string, now: Date = new Date()): Promise<number> {
      const hash = secretHash(token);
      await db
        .updateTable('account_links')
        .set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('token_hash', '=', hash)
        .execute();
      await db
        .updateTable('account_links')
        .set({ revoked_at: now })
        .where('token_hash', '=', hash)
        .where('failures', '>=', MAX_LINK_FAILURES)
        .where('revoked_at', 'is', null)
        .execute();
      return (await byHash(hash))?.failures ?? 0;
    },

    /** A study's invitation links that can still be used at `now`, newest first. */
    async openInvites(studyId: number, now: Date = new Date()): Promise<AccountLink[]> {
      const rows = await db
        .selectFrom('account_links')
        .select(COLUMNS)
        .where('study_id', '=', studyId)
        .where('kind', '=', 'invite')
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((r) => toLink(r as Row));
    },

    /** Withdraw an unused invitation link of the study (by its id). Returns whether one was withdrawn. */
    async revokeInvite(studyId: number, id: string, now: Date = new Date()): Promise<boolean> {
      const res = await db
        .updateTable('account_links')
        .set({ revoked_at: now })
        .where('token_hash', '=', id)
        .where('study_id', '=', studyId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Revoke every unused reset link of a user (a new one replaces them; a password change ends them). */
    async revokeResets(userId: number, now: Date = new Date()): Promise<number> {
      const res = await db
        .updateTable('account_links')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('kind', '=', 'reset')
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    /** Delete links that expired at or before `now` a day ago or more (used or not). Returns how many. */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      const res = await db
        .deleteFrom('account_links')
        .where('expires_at', '<=', new Date(now.getTime() - 86_400_000))
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type AccountLinksRepo = ReturnType<typeof accountLinksRepo>;
