/**
 * The append-only audit log: sign-ins, role changes, study changes, exports.
 *
 * Two defences, for two threats:
 * - Triggers on both backends refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so no application code
 *   path can rewrite history by mistake.
 * - Each entry carries `hash = SHA-256(prev_hash, study, actor, action, detail, at)` with `prev_hash` the hash of
 *   the entry before (64 zeros for the first). Someone with rights to drop the trigger can still edit rows, but
 *   {@link AuditRepo.verify} then names the first entry whose link no longer holds. Removing entries at the end
 *   is only detectable against a head hash recorded elsewhere; `verify` returns the head for that purpose.
 *
 * Appends are serialized (PostgreSQL: a transaction-scoped advisory lock; SQLite: the single write lock), and
 * `prev_hash` is UNIQUE, so the chain cannot fork even with several server instances.
 */
import { sql } from 'kysely';
import { at } from '../core/stats/at.js';
import { canonicalJson, fromJsonText, sha256Hex, toDate } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Advisory-lock key for audit appends on PostgreSQL (an arbitrary constant: "nabz" + "audt" as 32-bit ints). */
const AUDIT_LOCK_KEY = [0x6e61627a, 0x61756474] as const;

export interface AuditEntry {
  readonly id: number;
  readonly studyId: number | null;
  readonly actorUserId: number | null;
  /** e.g. `sign_in`, `role.grant`, `study.update`, `export.sav`. */
  readonly action: string;
  readonly detail: unknown;
  readonly at: Date;
  readonly prevHash: string;
  readonly hash: string;
}

export interface NewAuditEntry {
  readonly action: string;
  readonly studyId?: number | null;
  readonly actorUserId?: number | null;
  /** Any JSON value; stored as canonical JSON (sorted keys). Never put respondent data here. */
  readonly detail?: unknown;
  readonly now?: Date;
}

export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly head: string }
  | {
      readonly ok: false;
      /** Id of the first entry whose hash or link does not hold. */
      readonly brokenAt: number;
      readonly reason: 'hash_mismatch' | 'prev_hash_mismatch';
      /** Entries checked and found intact before it. */
      readonly intact: number;
      readonly message: string;
    };

/** The hash of one entry, from exactly the stored values. */
export function auditEntryHash(entry: {
  prevHash: string;
  studyId: number | null;
  actorUserId: number | null;
  action: string;
  detailText: string;
  at: Date;
}): string {
  return sha256Hex(
    JSON.stringify([
      entry.prevHash,
      entry.studyId,
      entry.actorUserId,
      entry.action,
      entry.detailText,
      entry.at.toISOString(),
    ]),
  );
}

interface AuditRow {
  id: number;
  study_id: number | null;
  actor_user_id: number | null;
  action: string;
  detail: string;
  at: Date | string;
  prev_hash: string;
  hash: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    studyId: row.study_id,
    actorUserId: row.actor_user_id,
    action: row.action,
    detail: fromJsonText(row.detail),
    at: toDate(row.at),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const ACTION = /^[a-z][a-z0-9_.:-]{0,99}$/;

export function auditRepo({ db, backend }: StoreContext) {
  const list = async (options: {
    studyId?: number;
    beforeId?: number;
    limit?: number;
    /** Only entries with this action (e.g. `responses.review`). */
    action?: string;
  }): Promise<AuditEntry[]> => {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .$if(options.studyId !== undefined, (qb) => qb.where('study_id', '=', options.studyId as number))
      .$if(options.action !== undefined, (qb) => qb.where('action', '=', options.action as string))
      .$if(options.beforeId !== undefined, (qb) => qb.where('id', '<', options.beforeId as number))
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map(toEntry);
  };

  return {
    /** Append an entry, linked to the current head of the chain. */
    async append(input: NewAuditEntry): Promise<AuditEntry> {
      if (!ACTION.test(input.action)) {
        throw new RangeError(
          `Audit action "${input.action}" is not allowed: use lower-case letters, digits and . _ : - (e.g. "study.update").`,
        );
      }
      const at = input.now ?? new Date();
      const detailText = canonicalJson(input.detail ?? {}, 'Audit detail');
      const studyId = input.studyId ?? null;
      const actorUserId = input.actorUserId ?? null;
      return inTransaction(db, async (tx) => {
        if (backend === 'postgres') {
          await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY[0]}::int, ${AUDIT_LOCK_KEY[1]}::int)`.execute(
            tx,
          );
        }
        const head = await tx
          .selectFrom('audit_log')
          .select('hash')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        const prevHash = head?.hash ?? GENESIS_HASH;
        const hash = auditEntryHash({ prevHash, studyId, actorUserId, action: input.action, detailText, at });
        const row = await tx
          .insertInto('audit_log')
          .values({
            study_id: studyId,
            actor_user_id: actorUserId,
            action: input.action,
            detail: detailText,
            at,
            prev_hash: prevHash,
            hash,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toEntry(row);
      });
    },

    /** Entries about one study, newest first; page with `beforeId` (the last id of the previous page). */
    async listForStudy(
      studyId: number,
      options: { beforeId?: number; limit?: number; action?: string } = {},
    ): Promise<AuditEntry[]> {
      return list({ ...options, studyId });
    },

    /**
     * One page of a study's entries, newest first, addressed by the study's own positions (1 = the study's
     * oldest entry) rather than by server-wide ids, which would tell an owner how many entries every other
     * study wrote in between (issue 12, finding 16). `olderThan` is a position from an earlier page; positions
     * never change because entries are only appended. `oldestPosition` is the position of the page's last
     * (oldest) entry, 0 when the page is empty; older entries exist when it is above 1.
     */
    async pageForStudy(
      studyId: number,
      options: { olderThan?: number; limit?: number } = {},
    ): Promise<{ entries: AuditEntry[]; oldestPosition: number }> {
      let beforeId: number | undefined;
      if (options.olderThan !== undefined && options.olderThan >= 1) {
        const boundary = await db
          .selectFrom('audit_log')
          .select('id')
          .where('study_id', '=', studyId)
          .orderBy('id')
          .limit(1)
          .offset(options.olderThan - 1)
          .executeTakeFirst();
        beforeId = boundary?.id;
      }
      const entries = await list({
        studyId,
        ...(beforeId === undefined ? {} : { beforeId }),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      });
      const last = entries.at(-1);
      if (!last) return { entries, oldestPosition: 0 };
      const counted = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('study_id', '=', studyId)
        .where('id', '<=', last.id)
        .executeTakeFirstOrThrow();
      return { entries, oldestPosition: Number(counted.n) };
    },

    /** All entries, newest first; page with `beforeId`. */
    list,

    /**
     * Walk the whole chain in id order (in pages of `batchSize`, default 1000) and check every entry's hash and
     * link. Returns the head hash when intact, else the first broken entry.
     */
    async verify(options: { batchSize?: number } = {}): Promise<AuditVerification> {
      const batchSize = options.batchSize ?? 1000;
      let expectedPrev = GENESIS_HASH;
      let checked = 0;
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_log')
          .selectAll()
          .where('id', '>', after)
          .orderBy('id')
          .limit(batchSize)
          .execute();
        for (const row of rows) {
          if (row.prev_hash !== expectedPrev) {
            return {
              ok: false,
              brokenAt: row.id,
              reason: 'prev_hash_mismatch',
              intact: checked,
              message: `Audit entry ${row.id} does not follow the entry before it: an entry was removed or altered.`,
            };
          }
          const recomputed = auditEntryHash({
            prevHash: row.prev_hash,
            studyId: row.study_id,
            actorUserId: row.actor_user_id,
            action: row.action,
            detailText: row.detail,
            at: toDate(row.at),
          });
          if (recomputed !== row.hash) {
            return {
              ok: false,
              brokenAt: row.id,
              reason: 'hash_mismatch',
              intact: checked,
              message: `Audit entry ${row.id} was altered after it was written (its hash no longer matches).`,
            };
          }
          expectedPrev = row.hash;
          checked++;
        }
        if (rows.length < batchSize) return { ok: true, count: checked, head: expectedPrev };
        after = at(rows, rows.length - 1).id;
      }
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
