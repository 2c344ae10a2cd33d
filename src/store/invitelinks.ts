/**
 * Single-use invitation links for invitation-only studies (issue 12, finding 2: padding a small group with
 * fake responses needs the public link only; an invitation-only study accepts one response per invitation).
 *
 * A row is an unused invitation: a keyed hash of its token (the server computes it; the token is in the
 * owner's download only) and the day it was made. The response insert uses an invitation up by deleting its
 * row, in the same transaction (src/store/responses.ts). Nothing about a used invitation is kept: no flag, no
 * time of use, no response id, no insertion order (the primary key is the random hash; WITHOUT ROWID on
 * SQLite) and, on PostgreSQL, no row version whose `xmin` (the writing transaction's id) equals the response
 * row's — which a `used` flag set by an UPDATE would leave. The share page's counts come from the owner's
 * actions: `studies.invite_links_made` and `invite_links_revoked`. Labels (e.g. names on a class roster) are
 * never stored.
 */
import { calendarDay, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';

/** How many invitations a study has had: made, used, revoked, still unused. */
export interface InviteLinkCounts {
  readonly made: number;
  readonly used: number;
  readonly revoked: number;
  readonly unused: number;
}

/** The most invitations made in one call (a class roster is far smaller). */
export const MAX_INVITATIONS_PER_CALL = 10_000;

export function inviteLinksRepo({ db }: StoreContext) {
  return {
    /**
     * Store invitations by the hashes of their tokens, dated by the day only, and count them as made (one
     * transaction). Returns how many were new (a hash already stored is not counted twice).
     */
    async create(input: { studyId: number; tokenHashes: readonly string[]; now?: Date }): Promise<number> {
      if (input.tokenHashes.length === 0) return 0;
      if (input.tokenHashes.length > MAX_INVITATIONS_PER_CALL)
        throw new RangeError(`At most ${MAX_INVITATIONS_PER_CALL} invitations can be made at once.`);
      const day = calendarDay(input.now ?? new Date());
      return inTransaction(db, async (tx) => {
        let made = 0;
        for (let at = 0; at < input.tokenHashes.length; at += 500) {
          const r = await tx
            .insertInto('invite_links')
            .values(
              input.tokenHashes
                .slice(at, at + 500)
                .map((h) => ({ study_id: input.studyId, token_hash: h, created_on: day })),
            )
            .onConflict((oc) => oc.columns(['study_id', 'token_hash']).doNothing())
            .executeTakeFirst();
          made += Number(r.numInsertedOrUpdatedRows ?? 0n);
        }
        await tx
          .updateTable('studies')
          .set((eb) => ({ invite_links_made: eb('invite_links_made', '+', made) }))
          .where('id', '=', input.studyId)
          .execute();
        return made;
      });
    },

    /** Whether a hashed token is an unused invitation of the study (used, revoked and unknown ones are not). */
    async isUnused(studyId: number, tokenHash: string): Promise<boolean> {
      const row = await db
        .selectFrom('invite_links')
        .select('created_on')
        .where('study_id', '=', studyId)
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row !== undefined;
    },

    async counts(studyId: number): Promise<InviteLinkCounts> {
      const study = await db
        .selectFrom('studies')
        .select(['invite_links_made', 'invite_links_revoked'])
        .where('id', '=', studyId)
        .executeTakeFirst();
      const left = await db
        .selectFrom('invite_links')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', studyId)
        .executeTakeFirstOrThrow();
      const made = study?.invite_links_made ?? 0;
      const revoked = study?.invite_links_revoked ?? 0;
      const unused = toNumber(left.n as number | string | bigint);
      return { made, revoked, unused, used: Math.max(0, made - revoked - unused) };
    },

    /**
     * Revoke unused invitations: those whose hash is listed, or all of them when `tokenHashes` is omitted.
     * A used invitation is already gone (its response stays). Returns how many were revoked.
     */
    async revokeUnused(studyId: number, tokenHashes?: readonly string[]): Promise<number> {
      if (tokenHashes !== undefined && tokenHashes.length === 0) return 0;
      return inTransaction(db, async (tx) => {
        let q = tx.deleteFrom('invite_links').where('study_id', '=', studyId);
        if (tokenHashes !== undefined) q = q.where('token_hash', 'in', [...tokenHashes]);
        const n = Number((await q.executeTakeFirst()).numDeletedRows);
        await tx
          .updateTable('studies')
          .set((eb) => ({ invite_links_revoked: eb('invite_links_revoked', '+', n) }))
          .where('id', '=', studyId)
          .execute();
        return n;
      });
    },
  };
}

export type InviteLinksRepo = ReturnType<typeof inviteLinksRepo>;
