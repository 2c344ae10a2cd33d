/**
 * A respondent's place in a study between pages, kept server-side so the flow works without JavaScript and
 * the servers stay stateless: a row in the drafts table keyed by the SHA-256 of a random 128-bit token that
 * the page carries in a hidden field (`_s`). Nothing in it identifies the respondent — answers so far, the
 * pages reached, the referral link used — and it expires (24 h after the last page, rounded up to the next midnight UTC: drafts keep no time of day) unless saved with a resume
 * code (14 days). It is deleted when the response is stored, the respondent is screened out, or declines.
 */
import type { Answer } from '../../core/response/submission.js';
import { randomCode, randomToken, type Store, secretHash } from '../../store/index.js';

/** An unfinished session expires this long after its last page. */
export const SESSION_DRAFT_TTL_MS = 24 * 60 * 60 * 1000;
/** A saved draft (resume code) expires this long after saving. */
export const RESUME_TTL_MS = 14 * 24 * 60 * 60 * 1000;

/** What is kept between pages (stored as the draft's JSON). */
export interface FlowState {
  readonly v: 1;
  /** Answers so far, skip logic applied. */
  readonly answers: Readonly<Record<string, Answer>>;
  /** Pages reached (ids, and "review"): only these may be posted, and each counts once for drop-off. */
  readonly seen: readonly string[];
  /** The page the respondent is on (a page id or "review"). */
  readonly at: string;
  /** Referral link code the respondent arrived with. */
  readonly ref?: string;
  /** SHA-256 of the resume code this session was saved or resumed with (deleted on submit). */
  readonly rc?: string;
  /** A researcher's preview: nothing is counted or stored as a response. */
  readonly preview?: true;
  /** The respondent said others use this device: pages tell the script to keep nothing in the browser. */
  readonly shared?: true;
}

export interface LoadedDraft {
  readonly state: FlowState;
  readonly version: number;
  readonly language: string | null;
  readonly wave: number | null;
}

/** A new session key for the `_s` field. */
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

/** Whether a `_s` value has the shape of a session key (checked before any database lookup). */
export function isSessionKey(s: string | undefined): s is string {
  return typeof s === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(s);
}

function isAnswer(a: unknown): a is Answer {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  switch (x.kind) {
    case 'value':
      return typeof x.value === 'number';
    case 'choices':
      return Array.isArray(x.values) && x.values.every((v) => typeof v === 'number');
    case 'text':
      return typeof x.text === 'string';
    case 'na':
    case 'skipped':
    case 'not_shown':
      return true;
    default:
      return false;
  }
}

/** Parse stored draft JSON back into a FlowState; undefined when it is not one (then the draft is ignored). */
export function parseState(raw: unknown): FlowState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const x = raw as Record<string, unknown>;
  if (x.v !== 1 || typeof x.at !== 'string' || !Array.isArray(x.seen)) return undefined;
  if (typeof x.answers !== 'object' || x.answers === null || Array.isArray(x.answers)) return undefined;
  const answers: Record<string, Answer> = {};
  for (const [k, a] of Object.entries(x.answers as Record<string, unknown>)) {
    if (!isAnswer(a)) return undefined;
    answers[k] = a;
  }
  return {
    v: 1,
    answers,
    seen: x.seen.filter((s): s is string => typeof s === 'string'),
    at: x.at,
    ...(typeof x.ref === 'string' ? { ref: x.ref } : {}),
    ...(typeof x.rc === 'string' ? { rc: x.rc } : {}),
    ...(x.preview === true ? { preview: true as const } : {}),
    ...(x.shared === true ? { shared: true as const } : {}),
  };
}

/** Load a draft by its key (session key or resume code); undefined when unknown, expired or unreadable. */
export async function loadDraft(
  store: Store,
  studyId: number,
  key: string,
  now: Date,
): Promise<LoadedDraft | undefined> {
  const d = await store.drafts.load({ studyId, code: key, now });
  if (!d) return undefined;
  const state = parseState(d.answers);
  if (!state) return undefined;
  return { state, version: d.version, language: d.language, wave: d.referralWave };
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
  await store.drafts.save({
    studyId: input.studyId,
    code: input.key,
    version: input.version,
    answers: input.state,
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
