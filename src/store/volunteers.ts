/**
 * Follow-up volunteers (issue 14): respondents whose scores met the study's `followUp.eligibleIf` and who left
 * contact details on the separate volunteer page, to be invited to a focus group or interview.
 *
 * Kept apart from the anonymous answers, so that an owner who holds both cannot put a name to a response:
 * - **No link to the response.** A row has the SHA-256 of the volunteer's random code (made on the volunteer
 *   page, never stored with or derived from the response), the study, a status and a sealed box. No response
 *   id, no idempotency key, no time; on SQLite WITHOUT ROWID with the random hash as key, so rows have no
 *   arrival order either.
 * - **Sealed at rest.** Contact (name, e-mail, phone), the code (for the owner's personal link), the bands that
 *   made the volunteer eligible and the page language are one AES-256-GCM box under the server secret
 *   `volunteer-contacts` (src/store/secrets.ts), the row's study and code hash as additional data (a box
 *   copied to another row does not open).
 * - **Released in batches of k.** A new volunteer waits (`batch` null) until k volunteers wait; then all of
 *   them get the next batch number together, in the transaction of the k-th. The owner sees volunteers only
 *   by batch, so the moment one appears does not point at the response that was just submitted.
 *
 * The owner's page shows a volunteer's bands only when at least k volunteers of the same batch share them
 * (`bandsShown` in src/core/study/followUp.ts is the policy). Owner actions on volunteers are audited
 * by the caller (`store.audited`); a respondent's own sign-up and withdrawal are not (an audit time would be
 * the arrival time this table leaves out). Details: docs/security.md, "Follow-up volunteers".
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import type { Database, VolunteerStatus } from './schema.js';
import type { SecretsRepo } from './secrets.js';

/** How a volunteer can be reached: an e-mail address or a phone number (at least one), and a name to use. */
export interface VolunteerContact {
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
}

/** What the sealed box holds. */
export interface VolunteerDetails {
  readonly contact: VolunteerContact;
  /** The random code of the personal link (`/s/<link>/v/<code>`). */
  readonly code: string;
  /** The band of each score the follow-up rule uses (null: not computed), by score id. */
  readonly bands: Readonly<Record<string, string | null>>;
  /** The language of the pages the volunteer used. */
  readonly language: string;
}

export interface Volunteer extends VolunteerDetails {
  readonly codeHash: string;
  /** The batch the volunteer was shown in; null while waiting for k volunteers. */
  readonly batch: number | null;
  readonly status: VolunteerStatus;
  readonly participantId: string | null;
}

export const VOLUNTEER_STATUSES: readonly VolunteerStatus[] = [
  'volunteered',
  'invited',
  'consented',
  'attended',
  'declined',
];

/** The server secret the boxes are sealed under. */
const KEY_NAME = 'volunteer-contacts';

/** The hash a volunteer's row is found by. */
export function volunteerCodeHash(code: string): string {
  return sha256Hex(`volunteer\n${code}`);
}

function aad(studyId: number, codeHash: string): Buffer {
  return Buffer.from(`nabz-volunteer\n${studyId}\n${codeHash}`, 'utf8');
}

function seal(key: Buffer, studyId: number, codeHash: string, details: VolunteerDetails): Uint8Array {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(studyId, codeHash));
  const body = Buffer.concat([c.update(JSON.stringify(details), 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

function open(key: Buffer, studyId: number, codeHash: string, sealed: Uint8Array): VolunteerDetails {
  const b = Buffer.from(sealed);
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAAD(aad(studyId, codeHash));
  d.setAuthTag(b.subarray(12, 28));
  const text = Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
  return JSON.parse(text) as VolunteerDetails;
}

type Row = {
  study_id: number;
  code_hash: string;
  batch: number | null;
  status: VolunteerStatus;
  participant_id: string | null;
  sealed: Uint8Array;
};

export function volunteersRepo({ db, backend }: StoreContext, secrets: SecretsRepo) {
  const key = async () => Buffer.from(await secrets.get(KEY_NAME), 'hex');
  const toVolunteer = (k: Buffer, r: Row): Volunteer => ({
    ...open(k, r.study_id, r.code_hash, r.sealed),
    codeHash: r.code_hash,
    batch: r.batch === null ? null : toNumber(r.batch),
    status: r.status,
    participantId: r.participant_id,
  });
  const COLUMNS = ['study_id', 'code_hash', 'batch', 'status', 'participant_id', 'sealed'] as const;

  return {
    /**
     * Store a volunteer, sealed, waiting; when at least `k` now wait, release them all as the next batch (one
     * transaction; on PostgreSQL the study row is locked so that two sign-ups cannot both miss the k-th).
     * Returns whether this sign-up released a batch. Throws a unique violation for a code used already.
     */
    async add(input: {
      studyId: number;
      details: VolunteerDetails;
      k: number;
    }): Promise<{ released: boolean }> {
      const k = await key();
      const codeHash = volunteerCodeHash(input.details.code);
      return inTransaction(db, async (tx) => {
        if (backend === 'postgres')
          await tx.selectFrom('studies').select('id').where('id', '=', input.studyId).forUpdate().execute();
        await tx
          .insertInto('volunteers')
          .values({
            study_id: input.studyId,
            code_hash: codeHash,
            batch: null,
            sealed: seal(k, input.studyId, codeHash, input.details),
          })
          .execute();
        const waiting = await tx
          .selectFrom('volunteers')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('study_id', '=', input.studyId)
          .where('batch', 'is', null)
          .executeTakeFirstOrThrow();
        if (toNumber(waiting.n) < Math.max(1, input.k)) return { released: false };
        const last = await tx
          .selectFrom('volunteers')
          .select((eb) => eb.fn.max('batch').as('b'))
          .where('study_id', '=', input.studyId)
          .executeTakeFirst();
        const next = (last?.b === null || last?.b === undefined ? 0 : toNumber(last.b)) + 1;
        await tx
          .updateTable('volunteers')
          .set({ batch: next })
          .where('study_id', '=', input.studyId)
          .where('batch', 'is', null)
          .execute();
        return { released: true };
      });
    },

    /** The released volunteers (opened), ordered by batch and then by their random hash, and how many wait. */
    async list(studyId: number): Promise<{ volunteers: Volunteer[]; waiting: number }> {
      const rows = (await db
        .selectFrom('volunteers')
        .select(COLUMNS)
        .where('study_id', '=', studyId)
        .execute()) as Row[];
      const k = rows.length ? await key() : Buffer.alloc(0);
      const shown = rows
        .filter((r) => r.batch !== null)
        .map((r) => toVolunteer(k, r))
        .sort((a, b) => (a.batch ?? 0) - (b.batch ?? 0) || (a.codeHash < b.codeHash ? -1 : 1));
      return { volunteers: shown, waiting: rows.length - shown.length };
    },

    /** One volunteer by code hash (released or waiting), opened; undefined when there is none. */
    async get(studyId: number, codeHash: string): Promise<Volunteer | undefined> {
      const row = (await db
        .selectFrom('volunteers')
        .select(COLUMNS)
        .where('study_id', '=', studyId)
        .where('code_hash', '=', codeHash)
        .executeTakeFirst()) as Row | undefined;
      return row ? toVolunteer(await key(), row) : undefined;
    },

    /** Set a volunteer's status; false when there is no such volunteer. */
    async setStatus(studyId: number, codeHash: string, status: VolunteerStatus): Promise<boolean> {
      const r = await db
        .updateTable('volunteers')
        .set({ status })
        .where('study_id', '=', studyId)
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Record the qualitative participant made from a volunteer; false when there is no such volunteer. */
    async setParticipant(studyId: number, codeHash: string, participantId: string): Promise<boolean> {
      const r = await db
        .updateTable('volunteers')
        .set({ participant_id: participantId })
        .where('study_id', '=', studyId)
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Delete one volunteer (their contact details with the row); false when there was none. */
    async remove(studyId: number, codeHash: string): Promise<boolean> {
      const r = await db
        .deleteFrom('volunteers')
        .where('study_id', '=', studyId)
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/**
 * Delete every volunteer of a study, their contact details with the rows; returns how many. The one place that
 * does it: store/studies.ts calls it in the transaction that closes, archives or empties a study.
 */
export async function removeStudyVolunteers(db: Kysely<Database>, studyId: number): Promise<number> {
  const r = await db.deleteFrom('volunteers').where('study_id', '=', studyId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export type VolunteersRepo = ReturnType<typeof volunteersRepo>;
