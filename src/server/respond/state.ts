/**
 * A respondent's place in a study between pages, kept server-side so the flow works without JavaScript and
 * the servers stay stateless: a row in the drafts table keyed by the SHA-256 of a random 128-bit token that
 * the browser holds in an HttpOnly, session-only cookie scoped to the study link (routes.ts). Nothing in it identifies the respondent — answers so far, the
 * pages reached, the referral link used — and it expires (24 h after the last page, rounded up to the next midnight UTC: drafts keep no time of day) unless saved with a resume
 * code (7 days). It is deleted when the respondent is screened out or declines; when the response is stored (or saved with a
 * resume code) it is replaced by the end alone, without answers, so a reload shows the same end page.
 */
import type { SessionState } from '../../core/respond/engine.js';
import {
  EncodedDraftState,
  randomCode,
  randomToken,
  type Store,
  StoreError,
  secretHash,
} from '../../store/index.js';
import { HttpError } from '../errors.js';

/** An unfinished session expires this long after its last page. */
export const SESSION_DRAFT_TTL_MS = 24 * 60 * 60 * 1000;
/** A saved draft (resume code) expires this long after saving (was 14 days: drafts are kept no longer than needed). */
export const RESUME_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * The largest draft kept, in its stored form (store/drafts.ts: answers as in stored responses, so a little more
 * fits than in the state's plain JSON): a whole questionnaire's answers are a few KB; long free text fits.
 */
const MAX_DRAFT_BYTES = 64 * 1024;
/** Live drafts (sessions and saved codes) one study keeps at most: a new one beyond it is refused. */
const MAX_LIVE_DRAFTS_PER_STUDY = 10_000;
/** New drafts one address may start on one study link per hour (a lecture hall behind one NAT fits). */
export const NEW_SESSIONS_PER_ADDRESS_HOUR = 600;
/** Resume codes one address may save on one study link per hour. */
export const SAVES_PER_ADDRESS_HOUR = 30;

/** The window over which new drafts per address and study link are counted. */
const DRAFT_WINDOW_MS = 3_600_000;

/**
 * Counts per (address, study link) in fixed one-hour windows, for bounding how many drafts an anonymous
 * visitor can make. The counts live in the store's shared limits (`rate_counters`, keys as keyed hashes, so the
 * address is never stored in clear, and rows go once their hour ends), so several server processes over one
 * database enforce one bound (issue 12, findings 12 and 20).
 */
export class DraftLimiter {
  constructor(
    private readonly limits: Store['limits'],
    private readonly clock: () => number,
  ) {}

  /** Count one more for `key`; false when that goes over `max` in this hour. */
  async take(key: string, max: number): Promise<boolean> {
    const { count } = await this.limits.hit(`draft:${key}`, DRAFT_WINDOW_MS, this.clock());
    return count <= max;
  }
}

/** Refuse a new draft when the study already keeps the most it may, or this address made too many this hour. */
export async function checkNewDraft(
  store: Store,
  limiter: DraftLimiter,
  input: { studyId: number; addressKey: string; kind: 'session' | 'save'; now: Date },
): Promise<void> {
  const max = input.kind === 'save' ? SAVES_PER_ADDRESS_HOUR : NEW_SESSIONS_PER_ADDRESS_HOUR;
  if (!(await limiter.take(`${input.kind}|${input.addressKey}`, max)))
    throw new HttpError(
      429,
      input.kind === 'save'
        ? 'Too many answers were saved for later from this network in the last hour; nothing was saved. Finish the questionnaire now, or try again in an hour.'
        : 'Too many questionnaires were started from this network in the last hour; try again later.',
      'rate_limited',
      [],
      { 'retry-after': '3600' },
    );
  if ((await store.drafts.liveCount(input.studyId, input.now)) >= MAX_LIVE_DRAFTS_PER_STUDY)
    throw new HttpError(
      503,
      'This study has too many unfinished questionnaires at the moment; nothing was saved. Please try again later.',
      'unavailable',
      [],
      { 'retry-after': '3600' },
    );
}

/** What is kept between pages (stored as the draft's JSON): the engine's session state. */
type FlowState = SessionState;

interface LoadedDraft {
  readonly state: FlowState;
  readonly version: number;
  readonly language: string | null;
  readonly wave: number | null;
}

/** A new session key (the respondent cookie; see routes.ts). */
export function newSessionKey(): string {
  return randomToken(16);
}

/** A new resume code, `ABCD-EFGH` (8 symbols from an unambiguous alphabet, ~39 bits). */
export function newResumeCode(): string {
  const c = randomCode(8);
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}

/** A typed resume code in its canonical form (upper case, separators removed), or undefined when malformed. */
export function normalizeResumeCode(input: string | undefined): string | undefined {
  if (!input) return undefined;
  const t = input.toUpperCase().replace(/[\s\-_.]/g, '');
  if (!/^[A-Z0-9]{8}$/.test(t)) return undefined;
  return `${t.slice(0, 4)}-${t.slice(4)}`;
}

/** Whether a cookie value has the shape of a session key (checked before any database lookup). */
export function isSessionKey(s: string | undefined): s is string {
  return typeof s === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(s);
}

/**
 * Load a draft by its key (session key or resume code); undefined when unknown, expired or unreadable (a row the
 * store cannot decode is ignored, as an expired one: the respondent starts again rather than meeting an error on
 * every page until it expires).
 */
export async function loadDraft(
  store: Store,
  studyId: number,
  key: string,
  now: Date,
): Promise<LoadedDraft | undefined> {
  let d: Awaited<ReturnType<Store['drafts']['load']>>;
  try {
    d = await store.drafts.load({ studyId, code: key, now });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'decode') return undefined;
    throw err;
  }
  if (!d) return undefined;
  return { state: d.state, version: d.version, language: d.language, wave: d.referralWave };
}

/** Save a draft under a key. `pageIndex` is the position of `state.at` in the flow (pages.length for review). */
export async function saveDraft(
  store: Store,
  input: {
    studyId: number;
    key: string;
    state: FlowState;
    version: number;
    language: string;
    wave: number | null;
    pageIndex: number;
    now: Date;
    ttlMs: number;
  },
): Promise<void> {
  const state = new EncodedDraftState(input.state);
  if (state.bytes > MAX_DRAFT_BYTES)
    throw new HttpError(
      413,
      `Your answers so far are too long to keep between pages (${Math.ceil(state.bytes / 1024)} KB; at most ${MAX_DRAFT_BYTES / 1024} KB); nothing was saved. Shorten the longest free-text answers.`,
      'too_large',
    );
  await store.drafts.save({
    studyId: input.studyId,
    code: input.key,
    version: input.version,
    state,
    page: input.pageIndex,
    language: input.language,
    referralWave: input.wave,
    now: input.now,
    expiresAt: new Date(input.now.getTime() + input.ttlMs),
  });
}

/** Delete a draft by key. */
export async function deleteDraft(store: Store, studyId: number, key: string): Promise<void> {
  await store.drafts.delete({ studyId, code: key });
}

/** SHA-256 of a resume code (kept in the session so the saved draft can be deleted on submit). */
export function resumeHash(code: string): string {
  return secretHash(code);
}
