/**
 * Resume drafts: a respondent's unfinished answers, found again with a short resume code (no account, no
 * e-mail). Only the SHA-256 of the code is stored; drafts expire and are deleted.
 *
 * A draft holds the respondent's session state (core/respond/engine.ts `SessionState`) as JSON text, its
 * answers in the stored form of a response's answers (core/response/answersJson.ts, version 2:
 * `{"v":1,…,"answers":[2,{"q1":2}]}`): written by `encodeStoredAnswers` and read by `decodeStoredAnswers`, the
 * codec of stored responses, so a draft and a response store the same answers the same way. Drafts written
 * before hold the answer objects themselves (`"answers":{"q1":{"kind":"value","value":2}}`), which the same
 * decoder reads. A row that does not decode is a StoreError naming the study and the draft, never a cast.
 */
import { parseState, type SessionState } from '../core/respond/engine.js';
import { decodeStoredAnswers, encodeStoredAnswers } from '../core/response/answersJson.js';
import { fromJsonText, secretHash, toDate, toJsonText } from './codec.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';

export interface Draft {
  readonly studyId: number;
  /** The study version the answers belong to. */
  readonly version: number;
  /** The respondent's session state: answers so far, pages seen, the page they are on. */
  readonly state: SessionState;
  /** The page to resume on. */
  readonly page: number;
  readonly language: string | null;
  readonly referralWave: number | null;
  readonly updatedAt: Date;
  readonly expiresAt: Date;
}

export interface DraftInput {
  readonly studyId: number;
  /** The resume code shown to the respondent. */
  readonly code: string;
  readonly version: number;
  /** The session state, or its stored form already made (`EncodedDraftState`, so it is encoded once). */
  readonly state: SessionState | EncodedDraftState;
  readonly page: number;
  readonly language?: string | null;
  readonly referralWave?: number | null;
  readonly expiresAt: Date;
  readonly now?: Date;
}

const DAY_MS = 86_400_000;

/**
 * Drafts belong to anonymous respondents, so they keep days, never a time of day: saved on the day it was
 * saved (midnight UTC), and expiring at the first midnight UTC at or after the requested expiry (so a draft
 * lives up to a day longer than asked, never shorter).
 */
function dayFloor(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}
function dayCeil(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
}

/** The JSON text stored for a session state: its answers in the stored form of responses' answers. */
export function encodeDraftState(state: SessionState): string {
  const { answers, ...rest } = state;
  const restText = toJsonText(rest, 'Draft state');
  const answersText = encodeStoredAnswers(answers);
  return restText === '{}'
    ? `{"answers":${answersText}}`
    : `${restText.slice(0, -1)},"answers":${answersText}}`;
}

/**
 * A session state in its stored form: the JSON text a draft row keeps (`encodeDraftState`) and its size in
 * UTF-8 bytes, for a caller that bounds what is stored (server/respond/state.ts) without encoding it twice.
 */
export class EncodedDraftState {
  readonly text: string;
  readonly bytes: number;
  constructor(state: SessionState) {
    this.text = encodeDraftState(state);
    this.bytes = Buffer.byteLength(this.text, 'utf8');
  }
}

/** A stored draft's JSON text → its session state; a StoreError naming the study and the draft otherwise. */
function decodeDraftState(row: { study_id: number; code_hash: string; answers: string }): SessionState {
  const where = `The stored draft ${row.code_hash.slice(0, 12)} (study ${row.study_id}) cannot be read`;
  let state: SessionState | undefined;
  try {
    const raw = fromJsonText(row.answers);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('answers' in raw))
      throw new TypeError('it is not a session state with answers');
    state = parseState({ ...raw, answers: decodeStoredAnswers(raw.answers) });
  } catch (err) {
    throw new StoreError(`${where}: ${(err as Error).message}.`, 'decode', { cause: err });
  }
  if (!state) throw new StoreError(`${where}: it is not a session state (v, at, seen).`, 'decode');
  return state;
}

export function draftsRepo({ db }: StoreContext) {
  return {
    /** Save (insert or overwrite) the draft for a resume code. */
    async save(input: DraftInput): Promise<void> {
      const now = input.now ?? new Date();
      const values = {
        version: input.version,
        answers: input.state instanceof EncodedDraftState ? input.state.text : encodeDraftState(input.state),
        page: input.page,
        language: input.language ?? null,
        referral_wave: input.referralWave ?? null,
        updated_at: dayFloor(now),
        expires_at: dayCeil(input.expiresAt),
      };
      await db
        .insertInto('resume_drafts')
        .values({ study_id: input.studyId, code_hash: secretHash(input.code), ...values })
        .onConflict((oc) => oc.columns(['study_id', 'code_hash']).doUpdateSet(values))
        .execute();
    },

    /**
     * The draft for a resume code, unless it has expired at `now`. Throws a StoreError (`decode`) for a row whose
     * state does not decode.
     */
    async load(input: { studyId: number; code: string; now?: Date }): Promise<Draft | undefined> {
      const row = await db
        .selectFrom('resume_drafts')
        .selectAll()
        .where('study_id', '=', input.studyId)
        .where('code_hash', '=', secretHash(input.code))
        .where('expires_at', '>', input.now ?? new Date())
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        studyId: row.study_id,
        version: row.version,
        state: decodeDraftState(row),
        page: row.page,
        language: row.language,
        referralWave: row.referral_wave,
        updatedAt: toDate(row.updated_at),
        expiresAt: toDate(row.expires_at),
      };
    },

    /** Delete a draft (e.g. once submitted). Returns whether one existed. */
    async delete(input: { studyId: number; code: string }): Promise<boolean> {
      const res = await db
        .deleteFrom('resume_drafts')
        .where('study_id', '=', input.studyId)
        .where('code_hash', '=', secretHash(input.code))
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    /** Delete drafts by the SHA-256 of their codes (`secretHash`, what the table stores). Returns how many. */
    async deleteByHashes(studyId: number, codeHashes: readonly string[]): Promise<number> {
      if (codeHashes.length === 0) return 0;
      const res = await db
        .deleteFrom('resume_drafts')
        .where('study_id', '=', studyId)
        .where('code_hash', 'in', [...codeHashes])
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    /** Drafts of a study that have not expired at `now` (what a new draft is bounded by). */
    async liveCount(studyId: number, now: Date = new Date()): Promise<number> {
      const row = await db
        .selectFrom('resume_drafts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', studyId)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Delete every draft of a study (an owner's purge). Returns how many. */
    async deleteForStudy(studyId: number): Promise<number> {
      const res = await db.deleteFrom('resume_drafts').where('study_id', '=', studyId).executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    /** Delete drafts that expired at or before `now`. Returns how many. */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      const res = await db.deleteFrom('resume_drafts').where('expires_at', '<=', now).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type DraftsRepo = ReturnType<typeof draftsRepo>;
