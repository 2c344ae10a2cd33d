import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import {
  type ConsentAgreement,
  closedMessage,
  consentShown,
  safetyFlagged as isFlagged,
  REFERRAL_CODE,
  responseQuota,
} from '../../core/respond/engine.js';
import type { Answer, Answers } from '../../core/response/submission.js';
import {
  type ConsentRecord,
  calendarDay,
  canonicalJson,
  type Store,
  type Study,
  sha256Hex,
} from '../../store/index.js';
import { HttpError } from '../errors.js';
import type { LoadedStudy } from './load.js';

/** A referral code in a link (`?r=`): letters and digits, as `randomCode` makes them. */

/** An invitation token in a link (`?i=`) or the API's `Nabz-Invitation` header: 22 base64url characters as made. */
export const INVITATION_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** What an invitation token is hashed as (with the study id, under the server's secret: see {@link KeyHasher}). */
export function invitationKey(token: string): string {
  return `invitation\n${token}`;
}

/** The refusal of a submission without a usable invitation to an invitation-only study. */
export function invitationRefusal(code: 'invitation_required' | 'invitation_invalid'): HttpError {
  return code === 'invitation_required'
    ? new HttpError(
        403,
        'This study accepts responses through personal invitation links only; nothing was stored. Open the invitation link you were given (or send its token in the Nabz-Invitation header).',
        'invitation_required',
      )
    : new HttpError(
        409,
        'This invitation link is not valid for this study: it has been used for a response already (each link starts one response), was revoked, or is mistyped; nothing was stored. Ask the researcher for a new link.',
        'invitation_invalid',
      );
}

/** The refusal of a submission to a follow-up wave without a usable personal wave link (src/store/waves.ts). */
function waveRefusal(code: 'panel_required' | 'panel_invalid' | 'panel_used'): HttpError {
  switch (code) {
    case 'panel_required':
      return new HttpError(
        403,
        'This follow-up accepts responses through personal wave links only; nothing was stored. Open the link the researcher sent you.',
        'wave_link_required',
      );
    case 'panel_invalid':
      return new HttpError(
        409,
        'This personal link is not one this follow-up was sent to (mistyped, or meant for another follow-up); nothing was stored. Ask the researcher for your link.',
        'wave_link_invalid',
      );
    case 'panel_used':
      return new HttpError(
        409,
        'You have answered this follow-up already: each volunteer answers it once, and your first answers are kept; nothing more was stored.',
        'wave_answered',
      );
  }
}

/**
 * The consent record stored with a response (docs/consent.md): the version agreed to, the SHA-256 (hex) of the
 * consent text exactly as the page showed it (UTF-8, in the language it was shown in) and that language.
 * Undefined when the study version has no consent.
 */
function consentRecord(loaded: LoadedStudy, agreed: ConsentAgreement | undefined): ConsentRecord | undefined {
  const shown = agreed && consentShown(loaded.resolved, agreed.lang);
  if (!agreed || !shown) return undefined;
  return {
    version: agreed.v,
    hash: consentTextHash(shown.text),
    language: shown.lang,
  };
}

/**
 * SHA-256 (hex) of a consent text, remembered per text: a study version shows the same text in a language to
 * every respondent, so each submission need not hash it again (a few recent texts are kept).
 */
const consentHashes = new Map<string, string>();
function consentTextHash(text: string): string {
  let h = consentHashes.get(text);
  if (h === undefined) {
    h = sha256Hex(text);
    if (consentHashes.size >= 64) consentHashes.clear();
    consentHashes.set(text, h);
  }
  return h;
}

/** The per-study root referral link: the parent of links given to respondents who came through the main link. */
const ROOT_REFERRAL_CODE = 'ROOT';

/**
 * What is stored of a client's idempotency key: HMAC-SHA256 under the server's secret of the study id and the
 * key (for the respondent form, of the session key too). A key that carries a time or a name is never stored,
 * and without the secret a stored hash cannot be matched against guesses.
 *
 * Called, it waits for the secret on first use; `now` gives the hash at once once the secret is loaded (and
 * undefined before), so that the ingestion path need not wait for a promise on every submission.
 */
export interface KeyHasher {
  (studyId: number, clientKey: string): Promise<string>;
  readonly now: (studyId: number, clientKey: string) => string | undefined;
}

/** The hasher for a store: the secret is `NABZ_SECRET` or the store's generated one (read once, on first use). */
export function idempotencyKeyHasher(store: Store, secret: string | undefined): KeyHasher {
  // The secret as a KeyObject, made once: createHmac with a string key prepares the key again on every call
  // (the same digest either way: a string key is its UTF-8 bytes).
  let key: Promise<KeyObject> | undefined;
  let loaded: KeyObject | undefined;
  const hmac = (k: KeyObject, studyId: number, clientKey: string) =>
    createHmac('sha256', k).update(`${studyId}\n${clientKey}`, 'utf8').digest('hex');
  const hasher = async (studyId: number, clientKey: string) => {
    key ??= (secret !== undefined ? Promise.resolve(secret) : store.secrets.get('idempotency')).then((k) => {
      loaded = createSecretKey(Buffer.from(k, 'utf8'));
      return loaded;
    });
    let k: KeyObject;
    try {
      k = await key;
    } catch (err) {
      key = undefined; // the database was not reachable: ask again next time
      throw err;
    }
    return hmac(k, studyId, clientKey);
  };
  return Object.assign(hasher, {
    now: (studyId: number, clientKey: string) =>
      loaded === undefined ? undefined : hmac(loaded, studyId, clientKey),
  });
}

/** The key a respondent form's final submit is stored under: its session and the page's idempotency key. */
export function formSubmissionKey(sessionKey: string, idem: string): string {
  return `form\n${sessionKey}\n${idem}`;
}

/** Whether two answer objects are the same response (as JSON values; key order does not matter). */
export function sameAnswers(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The refusal of a key that was stored before with other answers: nothing is stored, nothing is revealed. */
export function keyConflict(): HttpError {
  return new HttpError(
    409,
    'This idempotency key was already used for a different response; nothing was stored. Send each new response with a new key (e.g. a fresh UUID), and reuse a key only to retry the very same response.',
    'conflict',
  );
}

/** Whether any of the study's safety rules fires for these answers (the engine's rule). */
export function safetyFlagged(loaded: LoadedStudy, answers: Answers): boolean {
  return isFlagged(loaded.plan, answers);
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
async function createReferralLink(
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
  /** The hashed idempotency key (see {@link KeyHasher}). */
  readonly idempotencyKey: string;
  readonly language: string;
  /** The referral link the respondent came through, if any. */
  readonly referral: { readonly code: string; readonly wave: number } | null;
  /** Whether a safety rule fires, when the caller judged it already (the engine's `judgeResponse`). */
  readonly flagged?: boolean | undefined;
  /** Counters to increment when the response is new (e.g. `completed`). */
  readonly counters: readonly string[];
  /** Draft rows (by SHA-256 of their key) to delete once the response is stored. */
  readonly draftHashes?: readonly string[] | undefined;
  /** The hashed invitation token (invitation-only studies; see {@link invitationKey}). */
  readonly invitationHash?: string | undefined;
  /** A follow-up wave: the panel id of the personal wave link (src/store/waves.ts). */
  readonly panelId?: string | undefined;
  /** The consent agreed to (studies with consent): its version and the language of the text shown. */
  readonly consent?: ConsentAgreement | undefined;
  readonly now: Date;
  /** Told when a new response is stored, or refused at the quota (StudyCache.noteCollected). */
  readonly collected?: ((studyId: number, what: 'stored' | 'full') => void) | undefined;
}

export interface SubmitResult {
  readonly id: number;
  /** The random identifier respondents and exports see. */
  readonly publicId: string;
  /** False when this idempotency key had been stored before (a retry or double tap). */
  readonly created: boolean;
  /** A safety rule fired on the stored answers: show the support page. */
  readonly flagged: boolean;
  /** The respondent's own referral code, when the study uses referrals. */
  readonly referralCode?: string;
}

/**
 * Store a response once and work out what to show. The insert has committed when this returns, and nothing
 * after the insert can turn it into a failure (an acknowledged response is a stored one and vice versa). A repeat of
 * the same key with the same answers returns the first response's id (the page is derived from the answers
 * sent, which are the stored ones). Refusals: 404 for an unknown study, 409 for a study that is not open (or an
 * unknown version), at its response quota (checked by the insert in its transaction, against the study's
 * current quota: racing submissions never store more) and for a key stored before with other answers (never
 * answered with that response's page).
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
    invitationHash: input.invitationHash,
    quota: responseQuota(study.definition.collection),
    panelId: input.panelId,
    ...consentOf(loaded, input.consent),
  });
  if (!r.ok) {
    if (r.code === 'invitation_required' || r.code === 'invitation_invalid') throw invitationRefusal(r.code);
    if (r.code === 'panel_required' || r.code === 'panel_invalid' || r.code === 'panel_used')
      throw waveRefusal(r.code);
    if (r.code === 'unknown_study') throw new HttpError(404, 'Study not found.', 'not_found');
    if (r.code === 'quota_reached') {
      input.collected?.(study.id, 'full');
      throw new HttpError(409, closedMessage('quota'), 'closed');
    }
    throw new HttpError(
      409,
      r.code === 'study_not_open'
        ? 'This study is closed and does not accept responses; nothing was stored.'
        : 'This version of the study no longer accepts responses; open the study link again.',
      'closed',
    );
  }
  if (r.created) input.collected?.(study.id, 'stored');
  if (!r.sameAnswers) throw keyConflict();
  if (input.draftHashes?.length) {
    await store.drafts.deleteByHashes(study.id, input.draftHashes).catch(() => undefined); // drafts expire anyway
  }
  const flagged = input.flagged ?? safetyFlagged(loaded, input.answers);
  let referralCode: string | undefined;
  // A repeat gets no new link (as a repeat found before the insert does not): one link per stored response.
  // The response has committed by now, so it is acknowledged whatever happens to its link: a link that cannot
  // be written (the database turned read-only or full a moment after the insert) leaves the respondent without
  // a link to share, never with a 503 saying "nothing was saved" for a stored response, whose retry would be a
  // duplicate. (The link is written in its own transaction so that it cannot be tied to the response by
  // sharing the response's transaction: finding 5.)
  if (r.created && loaded.resolved.study.collection.referrals) {
    referralCode = await createReferralLink(store, study, input.referral?.code ?? null, input.now).catch(
      () => undefined,
    );
  }
  return {
    id: r.id,
    publicId: r.publicId,
    created: r.created,
    flagged,
    ...(referralCode ? { referralCode } : {}),
  };
}

function consentOf(loaded: LoadedStudy, agreed: ConsentAgreement | undefined): { consent?: ConsentRecord } {
  const consent = consentRecord(loaded, agreed);
  return consent ? { consent } : {};
}

/** The response stored under a (hashed) idempotency key, if any. */
export async function responseByKey(
  store: Store,
  studyId: number,
  hashedKey: string,
): Promise<{ id: number; publicId: string; version: number; answers: Answers } | undefined> {
  const r = await store.responses.byIdempotencyKey(studyId, hashedKey);
  return r && { id: r.id, publicId: r.publicId, version: r.version, answers: r.answers };
}
