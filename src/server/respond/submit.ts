import type { Answer } from '../../core/response/submission.js';
import { scoreRespondent, scoringAnswers } from '../../core/scoring/index.js';
import { calendarDay, type Store, type Study, secretHash } from '../../store/index.js';
import { HttpError } from '../errors.js';
import type { LoadedStudy } from './load.js';

/** A client idempotency key: a UUID or any 8–128 characters from A–Z a–z 0–9 _ . : - */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** A referral code in a link (`?r=`): letters and digits, as `randomCode` makes them. */
export const REFERRAL_CODE = /^[A-Z0-9]{4,16}$/;

/** The per-study root referral link: the parent of links given to respondents who came through the main link. */
export const ROOT_REFERRAL_CODE = 'ROOT';

/** Whether any of the study's safety rules fires for these answers. */
export function safetyFlagged(loaded: LoadedStudy, answers: unknown): boolean {
  if (!loaded.plan.safety.length || typeof answers !== 'object' || answers === null) return false;
  return scoreRespondent(scoringAnswers(answers as Record<string, Answer>), loaded.plan).flagged;
}

/** The wave of the referral link a respondent came through (`?r=CODE`), or null for the main link / an unknown code. */
export async function referralWave(
  store: Store,
  studyId: number,
  code: string | undefined,
): Promise<{ code: string; wave: number } | null> {
  if (!code || !REFERRAL_CODE.test(code)) return null;
  const link = await store.referrals.lookup({ studyId, code });
  return link ? { code: link.code, wave: link.wave } : null;
}

/** When to date a new referral link: the day only for anonymous studies without times (no precise instants). */
function linkInstant(study: Study, now: Date): Date {
  if (study.anonymous && !study.recordTimes) return new Date(`${calendarDay(now)}T00:00:00.000Z`);
  return now;
}

/** Create the respondent's own referral link (one wave deeper than the link they came through). */
export async function createReferralLink(
  store: Store,
  study: Study,
  parentCode: string | null,
  now: Date,
): Promise<string | undefined> {
  const at = linkInstant(study, now);
  let parent = parentCode;
  if (parent === null) {
    const existing = await store.referrals.lookup({ studyId: study.id, code: ROOT_REFERRAL_CODE });
    if (!existing) {
      const root = await store.referrals.create({ studyId: study.id, code: ROOT_REFERRAL_CODE, now: at });
      if (!root.ok && root.code !== 'code_taken') return undefined;
    }
    parent = ROOT_REFERRAL_CODE;
  }
  const link = await store.referrals.create({ studyId: study.id, parentCode: parent, now: at });
  return link.ok ? link.value.code : undefined;
}

export interface SubmitInput {
  readonly store: Store;
  readonly study: Study;
  readonly loaded: LoadedStudy;
  /** Complete, validated answers (`validateResponse`). */
  readonly answers: Readonly<Record<string, Answer>>;
  readonly idempotencyKey: string;
  readonly language: string;
  /** The referral link the respondent came through, if any. */
  readonly referral: { readonly code: string; readonly wave: number } | null;
  /** Counters to increment when the response is new (e.g. `completed`). */
  readonly counters: readonly string[];
  /** Draft rows (by SHA-256 of their key) to delete once the response is stored. */
  readonly draftHashes?: readonly string[];
  readonly now: Date;
}

export interface SubmitResult {
  readonly id: number;
  /** False when this idempotency key had been stored before (a retry or double tap). */
  readonly created: boolean;
  /** A safety rule fired on the stored answers: show the support page. */
  readonly flagged: boolean;
  /** The respondent's own referral code, when the study uses referrals. */
  readonly referralCode?: string;
}

/**
 * Store a response once and work out what to show. The insert has committed when this returns. A repeat of
 * the same key returns the first response's id, and the page is derived from the answers stored then.
 * Refusals: 404 for an unknown study, 409 for a study that is not open (or an unknown version).
 */
export async function submitResponse(input: SubmitInput): Promise<SubmitResult> {
  const { store, study, loaded } = input;
  const r = await store.responses.insert({
    studyId: study.id,
    idempotencyKey: input.idempotencyKey,
    answers: input.answers,
    language: input.language,
    version: loaded.version,
    referralWave: input.referral?.wave ?? null,
    counters: input.counters,
    now: input.now,
  });
  if (!r.ok) {
    if (r.code === 'unknown_study') throw new HttpError(404, 'Study not found.', 'not_found');
    throw new HttpError(
      409,
      r.code === 'study_not_open'
        ? 'This study is closed and does not accept responses; nothing was stored.'
        : 'This version of the study no longer accepts responses; open the study link again.',
      'closed',
    );
  }
  let stored: unknown = input.answers;
  if (!r.created) stored = (await store.responses.byId(r.id))?.answers ?? input.answers;
  if (input.draftHashes?.length) {
    await store.db
      .deleteFrom('resume_drafts')
      .where('study_id', '=', study.id)
      .where('code_hash', 'in', [...input.draftHashes])
      .execute()
      .catch(() => undefined); // drafts expire anyway
  }
  const flagged = safetyFlagged(loaded, stored);
  let referralCode: string | undefined;
  // A repeat gets no new link (as a repeat found before the insert does not): one link per stored response.
  if (r.created && loaded.resolved.study.collection.referrals) {
    referralCode = await createReferralLink(store, study, input.referral?.code ?? null, input.now);
  }
  return { id: r.id, created: r.created, flagged, ...(referralCode ? { referralCode } : {}) };
}

/** The response stored under an idempotency key, if any. */
export async function responseByKey(
  store: Store,
  studyId: number,
  key: string,
): Promise<{ id: number; answers: unknown } | undefined> {
  const row = await store.db
    .selectFrom('responses')
    .select(['id', 'answers'])
    .where('study_id', '=', studyId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, answers: typeof row.answers === 'string' ? JSON.parse(row.answers) : row.answers };
}

/** SHA-256 of a draft key, as the drafts table stores it. */
export function draftHash(key: string): string {
  return secretHash(key);
}
