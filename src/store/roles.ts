/**
 * Roles per study (owner, analyst, viewer; at most one per user and study) and acknowledgements of
 * instrument terms.
 */
import { toDate, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { type Refused, refused } from './errors.js';
import type { StudyRole } from './schema.js';

export interface RoleGrant {
  readonly userId: number;
  readonly email: string;
  readonly displayName: string;
  readonly role: StudyRole;
  readonly grantedAt: Date;
}

export type RoleRefusal = 'last_owner' | 'unknown_study' | 'unknown_user';

/** An invitation to a role on a study, waiting for the invitee to accept it. */
export interface StudyInvitation {
  readonly studyId: number;
  readonly studyTitle: string;
  readonly email: string;
  readonly role: StudyRole;
  readonly invitedAt: Date;
}

function invitationOf(r: {
  study_id: number;
  title: string;
  email: string;
  role: StudyRole;
  created_at: Date | string;
}): StudyInvitation {
  return {
    studyId: r.study_id,
    studyTitle: r.title,
    email: r.email,
    role: r.role,
    invitedAt: toDate(r.created_at),
  };
}

export function rolesRepo({ db, backend }: StoreContext) {
  /** Lock the study row (PostgreSQL) so concurrent role changes on one study run one after the other. */
  const lockStudy = async (tx: typeof db, studyId: number) => {
    const row = await tx
      .selectFrom('studies')
      .select('id')
      .where('id', '=', studyId)
      .$if(backend === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    return row !== undefined;
  };
  const ownerCount = async (tx: typeof db, studyId: number) => {
    const row = await tx
      .selectFrom('study_roles')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('study_id', '=', studyId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    return toNumber(row.n);
  };
  /** The user's role on the study, or null. */
  const roleIn = async (q: typeof db, studyId: number, userId: number): Promise<StudyRole | null> => {
    const row = await q
      .selectFrom('study_roles')
      .select('role')
      .where('study_id', '=', studyId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role ?? null;
  };
  const lastOwner = () =>
    refused('last_owner', 'A study needs at least one owner: make someone else owner first.');
  /** Give the role (inside a transaction holding the study's lock), refusing to remove the last owner. */
  /** Pending invitations with their study's title: the one query both invitation lists filter and order. */
  const invitationRows = () =>
    db
      .selectFrom('study_invitations as i')
      .innerJoin('studies as s', 's.id', 'i.study_id')
      .select(['i.study_id', 's.title', 'i.email', 'i.role', 'i.created_at']);
  const setRole = async (tx: typeof db, studyId: number, userId: number, role: StudyRole, now: Date) => {
    const previous = await roleIn(tx, studyId, userId);
    if (previous === 'owner' && role !== 'owner' && (await ownerCount(tx, studyId)) <= 1) return lastOwner();
    await tx
      .insertInto('study_roles')
      .values({ study_id: studyId, user_id: userId, role, granted_at: now })
      .onConflict((oc) => oc.columns(['study_id', 'user_id']).doUpdateSet({ role, granted_at: now }))
      .execute();
    return { ok: true as const, previous };
  };

  return {
    /**
     * Give `userId` the `role` on a study, replacing any role they had. Refused when it would leave the study
     * without an owner, or when the study or user does not exist.
     */
    async grant(input: {
      studyId: number;
      userId: number;
      role: StudyRole;
      now?: Date;
    }): Promise<{ readonly ok: true; readonly previous: StudyRole | null } | Refused<RoleRefusal>> {
      const now = input.now ?? new Date();
      return inTransaction(db, async (tx) => {
        if (!(await lockStudy(tx, input.studyId)))
          return refused('unknown_study', `Study ${input.studyId} does not exist.`);
        const user = await tx
          .selectFrom('users')
          .select('id')
          .where('id', '=', input.userId)
          .executeTakeFirst();
        if (!user) return refused('unknown_user', `User ${input.userId} does not exist.`);
        return setRole(tx, input.studyId, input.userId, input.role, now);
      });
    },

    /** Remove a user's role on a study. `removed` is false when they had none. Refused for the last owner. */
    async revoke(input: {
      studyId: number;
      userId: number;
    }): Promise<{ readonly ok: true; readonly removed: boolean } | Refused<'last_owner'>> {
      return inTransaction(db, async (tx) => {
        await lockStudy(tx, input.studyId);
        const current = await roleIn(tx, input.studyId, input.userId);
        if (current === null) return { ok: true, removed: false };
        if (current === 'owner' && (await ownerCount(tx, input.studyId)) <= 1) return lastOwner();
        await tx
          .deleteFrom('study_roles')
          .where('study_id', '=', input.studyId)
          .where('user_id', '=', input.userId)
          .execute();
        return { ok: true, removed: true };
      });
    },

    /** The user's role on the study, or null when they have none. */
    async roleOf(input: { userId: number; studyId: number }): Promise<StudyRole | null> {
      return roleIn(db, input.studyId, input.userId);
    },

    /**
     * Invite an e-mail address (normalised by the caller) to a role on the study, replacing an earlier
     * invitation of that address. Nothing says whether an account with the address exists.
     */
    async invite(input: {
      studyId: number;
      email: string;
      role: StudyRole;
      invitedBy: number;
      now?: Date;
    }): Promise<void> {
      const now = input.now ?? new Date();
      await db
        .insertInto('study_invitations')
        .values({
          study_id: input.studyId,
          email: input.email,
          role: input.role,
          invited_by: input.invitedBy,
          created_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['study_id', 'email'])
            .doUpdateSet({ role: input.role, invited_by: input.invitedBy, created_at: now }),
        )
        .execute();
    },

    /** A study's pending invitations, oldest first. */
    async invitations(studyId: number): Promise<StudyInvitation[]> {
      const rows = await invitationRows().where('i.study_id', '=', studyId).orderBy('i.created_at').execute();
      return rows.map(invitationOf);
    },

    /** The invitations waiting for an e-mail address (normalised), newest first. */
    async invitationsFor(email: string): Promise<StudyInvitation[]> {
      const rows = await invitationRows()
        .where('i.email', '=', email)
        .orderBy('i.created_at', 'desc')
        .execute();
      return rows.map(invitationOf);
    },

    /** Remove an invitation (withdrawn, declined or accepted); whether there was one. */
    async dropInvitation(input: { studyId: number; email: string }): Promise<boolean> {
      const r = await db
        .deleteFrom('study_invitations')
        .where('study_id', '=', input.studyId)
        .where('email', '=', input.email)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /**
     * Accept the invitation of `email` to the study as `userId`: the role is granted and the invitation
     * removed, in one transaction. The role granted is the invitation's; `unknown_invitation` when there is
     * none (withdrawn meanwhile).
     */
    async acceptInvitation(input: {
      studyId: number;
      email: string;
      userId: number;
      now?: Date;
    }): Promise<
      | { readonly ok: true; readonly role: StudyRole; readonly previous: StudyRole | null }
      | Refused<RoleRefusal | 'unknown_invitation'>
    > {
      const now = input.now ?? new Date();
      return inTransaction(db, async (tx) => {
        if (!(await lockStudy(tx, input.studyId)))
          return refused('unknown_invitation', 'This invitation no longer exists.');
        const inv = await tx
          .selectFrom('study_invitations')
          .select('role')
          .where('study_id', '=', input.studyId)
          .where('email', '=', input.email)
          .executeTakeFirst();
        if (!inv) return refused('unknown_invitation', 'This invitation no longer exists.');
        const set = await setRole(tx, input.studyId, input.userId, inv.role, now);
        if (!set.ok) return set;
        await tx
          .deleteFrom('study_invitations')
          .where('study_id', '=', input.studyId)
          .where('email', '=', input.email)
          .execute();
        return { ok: true, role: inv.role, previous: set.previous };
      });
    },

    /** Everyone with a role on the study, owners first, then by name. */
    async list(studyId: number): Promise<RoleGrant[]> {
      const rows = await db
        .selectFrom('study_roles as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .select(['r.user_id', 'u.email', 'u.display_name', 'r.role', 'r.granted_at'])
        .where('r.study_id', '=', studyId)
        .execute();
      const rank: Record<StudyRole, number> = { owner: 0, analyst: 1, viewer: 2 };
      return rows
        .map((r) => ({
          userId: r.user_id,
          email: r.email,
          displayName: r.display_name,
          role: r.role,
          grantedAt: toDate(r.granted_at),
        }))
        .sort(
          (a, b) =>
            rank[a.role] - rank[b.role] || a.displayName.localeCompare(b.displayName) || a.userId - b.userId,
        );
    },
  };
}

export type RolesRepo = ReturnType<typeof rolesRepo>;

export interface Acknowledgement {
  readonly instrumentId: string;
  readonly userId: number;
  readonly acknowledgedAt: Date;
}

export function acknowledgementsRepo({ db }: StoreContext) {
  return {
    /** Record that `userId` accepted an instrument's terms for a study. Idempotent: `created` is false on repeat. */
    async record(input: {
      studyId: number;
      instrumentId: string;
      userId: number;
      now?: Date;
    }): Promise<{ readonly created: boolean }> {
      const row = await db
        .insertInto('instrument_acknowledgements')
        .values({
          study_id: input.studyId,
          instrument_id: input.instrumentId,
          user_id: input.userId,
          acknowledged_at: input.now ?? new Date(),
        })
        .onConflict((oc) => oc.columns(['study_id', 'instrument_id', 'user_id']).doNothing())
        .returning('study_id')
        .executeTakeFirst();
      return { created: row !== undefined };
    },

    /** Whether anyone has acknowledged the instrument's terms for the study. */
    async has(input: { studyId: number; instrumentId: string }): Promise<boolean> {
      const row = await db
        .selectFrom('instrument_acknowledgements')
        .select('user_id')
        .where('study_id', '=', input.studyId)
        .where('instrument_id', '=', input.instrumentId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** All acknowledgements for a study, oldest first. */
    async list(studyId: number): Promise<Acknowledgement[]> {
      const rows = await db
        .selectFrom('instrument_acknowledgements')
        .select(['instrument_id', 'user_id', 'acknowledged_at'])
        .where('study_id', '=', studyId)
        .orderBy('acknowledged_at')
        .orderBy('instrument_id')
        .execute();
      return rows.map((r) => ({
        instrumentId: r.instrument_id,
        userId: r.user_id,
        acknowledgedAt: toDate(r.acknowledged_at),
      }));
    },
  };
}

export type AcknowledgementsRepo = ReturnType<typeof acknowledgementsRepo>;
