/**
 * The respondent-session engine: every rule of moving through a study — validation, consent and decline,
 * eligibility screening, skip logic, "only pages reached may be posted", Back, Change, save for later, the final
 * submit, safety flags, the per-step nonce that makes a double tap or a resubmitted stale page harmless, and
 * what is counted for drop-off — decided once, here, as pure functions.
 *
 * `advance(study, session, post)` takes a posted page and returns the next state, the effects to run (data:
 * save the draft, count, submit, …) and the place to show next. `present(study, state, requested)` says what a
 * GET shows. `judgeResponse` is the whole-response decision the JSON API (and the final submit) uses. The
 * adapters — the respondent form route (src/server/respond/routes.ts), the JSON API (src/server/api/routes.ts)
 * and the studio preview (src/server/studio/preview.ts) — only read requests, run effects and render views:
 * change a respondent rule here, not there.
 */
import type { Issue } from '../issue.js';
import { parseAnswer } from '../response/answer.js';
import {
  type Answer,
  type Answers,
  answersFromJson,
  CONTROL_FIELDS,
  compilePlainAnswers,
  type FieldError,
  type FormFields,
  parseNav,
  parsePageSubmission,
  validateResponse,
} from '../response/submission.js';
import { type ScoringPlan, scoreRespondent, scoringAnswers } from '../scoring/index.js';
import { type FollowUpOffer, type FollowUpRule, judgeFollowUp } from '../study/followUp.js';
import { type LocalizedString, localize } from '../study/i18n.js';
import {
  applySkipLogic,
  type Flow,
  type FlowPage,
  findPage,
  firstStep,
  isPageShown,
  nextStep,
  previousPage,
  resumeStep,
  type Step,
  shownPages,
} from '../study/pages.js';
import { COUNTERS, pageCounter } from '../study/progress.js';
import type { ResolvedStudy } from '../study/resolve.js';
import { IDEMPOTENCY_KEY } from './apiBody.js';

export { REFERRAL_CODE } from './apiBody.js';

/** A study version ready to be answered. */
export interface RespondFlow {
  readonly version: number;
  readonly resolved: ResolvedStudy;
  readonly flow: Flow;
  readonly plan: ScoringPlan;
  /** The study's follow-up rule (`followUp.eligibleIf`), when it has one. */
  readonly followUp?: FollowUpRule;
}

/** A page shown again with the problems of the last post (what was typed comes back, with the messages). */
interface Flash {
  readonly page: string;
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly errors: readonly FieldError[];
}

/** What is kept between pages (a draft's JSON). */
export interface SessionState {
  readonly v: 1;
  /** Answers so far, skip logic applied. */
  readonly answers: Readonly<Record<string, Answer>>;
  /** Pages reached (ids, and "review"): only these may be posted or shown, and each counts once for drop-off. */
  readonly seen: readonly string[];
  /** The page the respondent is on (a page id or "review"). */
  readonly at: string;
  /** Referral link code the respondent arrived with. */
  readonly ref?: string;
  /** Invitation-only studies: the keyed hash of the invitation the respondent arrived with. */
  readonly inv?: string;
  /** A follow-up wave: the panel id of the personal wave link the respondent arrived with (src/store/waves.ts). */
  readonly panel?: string;
  /** SHA-256 of the resume code this session was saved or resumed with (deleted on submit). */
  readonly rc?: string;
  /** A researcher's preview: nothing is counted or stored as a response. */
  readonly preview?: true;
  /** The respondent said others use this device: pages tell the script to keep nothing in the browser. */
  readonly shared?: true;
  /** The step: every form carries it (`_n`); a post with another value changes nothing (double tap, stale page). */
  readonly n?: number;
  /** Counted as started (the first page was left). */
  readonly started?: true;
  /**
   * The consent agreed to on the consent page: its version and the language of the text shown (the text is
   * hashed from these when the response is stored: docs/consent.md).
   */
  readonly consent?: ConsentAgreement;
  /** The last post's problems, shown with its page. */
  readonly flash?: Flash;
}

/** A respondent's agreement to a study's consent: the version and the language of the text shown. */
export interface ConsentAgreement {
  readonly v: number;
  readonly lang: string;
}

/**
 * The consent text a respondent is shown in `lang` (the study's text in that language, else its fallback) and
 * the language it is in; undefined for a study without consent. What the consent page shows and what is hashed
 * into the response's consent record.
 */
export function consentShown(resolved: ResolvedStudy, lang: string): LocalizedString | undefined {
  return localize(resolved.study.collection.consent?.text, lang);
}

/** Work for the adapter; the engine does no I/O. */
export type Effect =
  /** A new session: check the bounds on new drafts, make its key (and cookie). Comes before `saveDraft`. */
  | { readonly kind: 'startSession' }
  /** Keep the returned state under the session key. */
  | { readonly kind: 'saveDraft' }
  /** Forget the session (its draft and cookie). */
  | { readonly kind: 'deleteDraft' }
  /** Increment progress counters (never in a preview). */
  | { readonly kind: 'count'; readonly names: readonly string[] }
  /** Keep `state` under a new resume code, and show the code once (the session itself is over). */
  | { readonly kind: 'saveForLater'; readonly state: SessionState }
  /**
   * Store the response (complete, validated answers) under the client's key `idem` and increment `counters`
   * when it is new; the end page is derived from the stored response. `flagged`: a safety rule fires (when
   * judged already).
   */
  | {
      readonly kind: 'submit';
      readonly answers: Readonly<Record<string, Answer>>;
      readonly idem: string;
      readonly counters: readonly string[];
      readonly flagged?: boolean;
      /** The consent agreed to (studies with consent): stored with the response with the hash of its text. */
      readonly consent?: ConsentAgreement;
    };

/** Where the respondent goes next (the adapter redirects there). */
export type Place =
  | { readonly kind: 'page'; readonly pageId: string }
  | { readonly kind: 'review' }
  /** `flagged`: a preview's submit, where nothing is stored to derive the support page from. */
  | { readonly kind: 'end'; readonly end: EndView; readonly flagged?: boolean };

/** End pages: the session is over (its draft deleted); the adapter shows them without a session. */
type EndView = 'submitted' | 'saved' | 'invitation' | 'declined' | 'ineligible';

interface Advance {
  /** The session afterwards; null when it is over and forgotten (declined, screened out). */
  readonly state: SessionState | null;
  readonly effects: readonly Effect[];
  readonly place: Place;
  /** The post was ignored: a stale page, a double tap, a page not reached, an ended session. */
  readonly ignored?: true;
}

/** A posted respondent form. */
interface Post {
  readonly pageId: string;
  readonly fields: FormFields;
  /** `_n` as posted. */
  readonly nonce: string | undefined;
  readonly lang: string;
  /** Control fields the adapter's forms may carry besides the engine's own (e.g. `_csrf`). */
  readonly controlFields?: readonly string[];
}

/** Control fields of the respondent form: the renderer's, the step, and `_r`, `_i`, `_shared` of a first page. */
const SESSION_CONTROLS: readonly string[] = [...CONTROL_FIELDS, '_r', '_i', '_w', '_shared'];

/** The id of a step ("review" for the review; "ineligible" for the screened-out end). */
function stepId(step: Step): string {
  return step.kind === 'page' ? step.page.id : step.kind;
}

/** The state of a new session, on the study's first page (not saved until its first page is posted). */
export function startState(
  flow: Flow,
  opts: { ref?: string; inv?: string; panel?: string; preview?: boolean; shared?: boolean } = {},
): SessionState {
  const first = stepId(firstStep(flow));
  return {
    v: 1,
    answers: {},
    seen: [first],
    at: first,
    n: 0,
    ...(opts.ref ? { ref: opts.ref } : {}),
    ...(opts.inv ? { inv: opts.inv } : {}),
    ...(opts.panel ? { panel: opts.panel } : {}),
    ...(opts.preview ? { preview: true as const } : {}),
    ...(opts.shared ? { shared: true as const } : {}),
  };
}

/** Whether any of the study's safety rules fires for these answers. */
export function safetyFlagged(plan: ScoringPlan, answers: Answers): boolean {
  if (!plan.safety.length) return false;
  return scoreRespondent(scoringAnswers(answers), plan).flagged;
}

/**
 * After submission: whether the respondent may volunteer for the study's follow-up, and the bands the rule
 * uses (what a volunteer carries to the owner). Like the safety flag it is derived from the stored answers
 * whenever needed (the end page, the volunteer page) and never stored with the response.
 */
export function followUpOffer(study: RespondFlow, answers: unknown): FollowUpOffer | null {
  if (!study.followUp || typeof answers !== 'object' || answers === null) return null;
  return judgeFollowUp(study.followUp, study.plan, answers as Record<string, Answer>);
}

/** What the end page derives from the stored answers: the safety flag and the follow-up offer. */
interface EndOutcome {
  readonly flagged: boolean;
  readonly offer: FollowUpOffer | null;
}

/**
 * The safety flag ({@link safetyFlagged}) and the follow-up offer ({@link followUpOffer}) of stored answers,
 * from one scoring of them (none when the study has neither safety rules nor a follow-up).
 */
export function endOutcome(study: RespondFlow, answers: Answers): EndOutcome {
  if (!study.plan.safety.length && !study.followUp) return { flagged: false, offer: null };
  const scored = scoreRespondent(scoringAnswers(answers), study.plan);
  return {
    flagged: study.plan.safety.length > 0 && scored.flagged,
    offer: study.followUp ? judgeFollowUp(study.followUp, study.plan, answers, scored) : null,
  };
}

/** The step a form must carry (`_n`). */
export function nonceOf(state: SessionState): string {
  return String(state.n ?? 0);
}

/** A place as the id a URL names (`?p=`): a page id, "review", or an end page. */
export function placeId(place: Place): string {
  return place.kind === 'page' ? place.pageId : place.kind === 'review' ? 'review' : place.end;
}

function placeOf(state: SessionState): Place {
  return state.at === 'review' ? { kind: 'review' } : { kind: 'page', pageId: state.at };
}

const IGNORED = (state: SessionState): Advance => ({
  state,
  effects: [],
  place: placeOf(state),
  ignored: true,
});

/** Form fields worth showing again (no control fields), for a flash. */
function typed(fields: FormFields): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && !k.startsWith('_')) out[k] = v;
  return out;
}

/**
 * Advance a session by one posted page. `session.isNew` (no draft yet): the state is `startState` and only the
 * first page may be posted. Rules, in order: an ended session or a post carrying another step than the
 * session's is ignored (shown where the session is); only reached pages may be posted; declining consent ends
 * the session; Back, Change, Save and the language switch never need a valid page (what parsed is kept; the switch shows the page again); Next with problems shows
 * the page again with them; leaving the screening pages when `eligibleIf` fails ends the session as screened
 * out (nothing kept); the review's submit validates the whole response.
 */
export function advance(
  study: RespondFlow,
  session: { state: SessionState; isNew: boolean },
  post: Post,
): Advance {
  const { flow } = study;
  const { state, isNew } = session;
  if (isNew) {
    if (post.pageId !== state.at) return IGNORED(state);
  } else if (post.nonce !== nonceOf(state)) return IGNORED(state);
  const n = (state.n ?? 0) + 1;
  const count = (names: string[]): Effect[] =>
    state.preview || !names.length ? [] : [{ kind: 'count', names }];
  /** Counters of a session leaving its first page (once). */
  const starting = (): string[] => (state.started ? [] : [COUNTERS.started, pageCounter(state.at)]);
  const open = (): Effect[] => [
    ...(isNew ? [{ kind: 'startSession' } as const] : []),
    { kind: 'saveDraft' } as const,
  ];

  const goTo = (
    step: Step,
    answers: Readonly<Record<string, Answer>>,
    extra: Partial<SessionState> = {},
  ): Advance => {
    if (step.kind === 'ineligible') {
      return {
        state: null,
        effects: [
          ...(isNew ? [] : [{ kind: 'deleteDraft' } as const]),
          ...count([...starting(), COUNTERS.screenedOut]),
        ],
        place: { kind: 'end', end: 'ineligible' },
      };
    }
    const at = stepId(step);
    const firstVisit = !state.seen.includes(at);
    const { flash: _flash, ...rest } = state;
    const next: SessionState = {
      ...rest,
      ...extra,
      answers,
      at,
      n,
      started: true,
      seen: firstVisit ? [...state.seen, at] : state.seen,
    };
    return {
      state: next,
      effects: [...open(), ...count([...starting(), ...(firstVisit ? [pageCounter(at)] : [])])],
      place: placeOf(next),
    };
  };
  /**
   * The language switch: the posted page again (in the language the adapter now keeps), what parsed kept
   * unchecked; a first page's switch opens the session (so what was typed is kept) but counts nothing: the
   * respondent has not left the page ("started" is counted when they do).
   */
  const stay = (
    at: string,
    answers: Readonly<Record<string, Answer>>,
    extra: Partial<SessionState> = {},
  ): Advance => {
    const { flash: _flash, ...rest } = state;
    const next: SessionState = { ...rest, ...extra, answers, at, n };
    return { state: next, effects: open(), place: placeOf(next) };
  };
  const showAgain = (page: string, fields: FormFields, errors: readonly FieldError[]): Advance => {
    const next: SessionState = { ...state, n, flash: { page, fields: typed(fields), errors } };
    return { state: next, effects: open(), place: placeOf(next) };
  };
  const saveForLater = (
    answers: Readonly<Record<string, Answer>>,
    at: string,
    extra: Partial<SessionState> = {},
  ): Advance => {
    const { flash: _flash, ...rest } = state;
    const kept: SessionState = { ...rest, ...extra, answers, at, started: true };
    return {
      state: null,
      effects: [
        { kind: 'saveForLater', state: kept },
        ...(isNew ? [] : [{ kind: 'deleteDraft' } as const]),
        ...count(starting()),
      ],
      place: { kind: 'end', end: 'saved' },
    };
  };

  if (post.pageId === 'review') {
    if (!state.seen.includes('review')) return IGNORED(state);
    const nav = parseNav(post.fields);
    const answers = state.answers;
    if (!nav) return IGNORED(state);
    if (nav.kind === 'back') {
      const prev = previousPage(flow, 'review', answers);
      return goTo(prev ? { kind: 'page', page: prev } : { kind: 'review' }, answers);
    }
    if (nav.kind === 'goto') {
      const target = findPage(flow, nav.page);
      return goTo(
        target && state.seen.includes(target.id) ? { kind: 'page', page: target } : { kind: 'review' },
        answers,
      );
    }
    if (nav.kind === 'save') return saveForLater(answers, 'review');
    if (nav.kind === 'lang') return stay('review', answers);
    // The page's idempotency key (a preview stores nothing and needs none).
    const idem = post.fields._idem;
    if (!state.preview && (typeof idem !== 'string' || !IDEMPOTENCY_KEY.test(idem)))
      return showAgain('review', {}, [
        { field: '_idem', code: 'bad_control', message: 'The page could not be read; submit again.' },
      ]);
    // No agreement to the consent of this version on record (a session from before it was kept): ask again.
    const consentPage = flow.consentVersion !== undefined ? findPage(flow, 'consent') : undefined;
    if (consentPage && state.consent?.v !== flow.consentVersion)
      return goTo({ kind: 'page', page: consentPage }, answers);
    const v = validateResponse(study.resolved, answers, { flow, lang: post.lang });
    if (!v.ok)
      return showAgain(
        'review',
        {},
        v.issues.map((i) => ({ field: i.path, code: 'required' as const, message: i.message })),
      );
    // The session ends here: its draft goes, and the end page is shown without it (reload and Back too).
    return {
      state: null,
      effects: [
        ...(state.preview || typeof idem !== 'string'
          ? []
          : [
              {
                kind: 'submit',
                answers: v.value,
                idem,
                counters: [COUNTERS.completed],
                ...(consentPage && state.consent ? { consent: state.consent } : {}),
              } as const,
            ]),
        { kind: 'deleteDraft' },
      ],
      place: {
        kind: 'end',
        end: 'submitted',
        ...(state.preview ? { flagged: safetyFlagged(study.plan, v.value) } : {}),
      },
    };
  }

  const page = findPage(flow, post.pageId);
  if (!page || !state.seen.includes(page.id)) return IGNORED(state);
  const sub = parsePageSubmission(flow, page, post.fields, state.answers, {
    lang: post.lang,
    controlFields: [...SESSION_CONTROLS, ...(post.controlFields ?? [])],
  });
  const merged = applySkipLogic(flow, { ...state.answers, ...sub.answers });
  if (page.kind === 'consent' && sub.consent === 'decline') {
    return {
      state: null,
      effects: [...(isNew ? [] : [{ kind: 'deleteDraft' } as const]), ...count([COUNTERS.declined])],
      place: { kind: 'end', end: 'declined' },
    };
  }
  // Agreeing records the version and the language of the text shown (kept until the response is stored).
  const shown = page.kind === 'consent' ? consentShown(study.resolved, post.lang) : undefined;
  const agreed: Partial<SessionState> =
    sub.consent === 'agree' && shown && flow.consentVersion !== undefined
      ? { consent: { v: flow.consentVersion, lang: shown.lang } }
      : {};
  switch (sub.nav.kind) {
    case 'back':
      return goTo({ kind: 'page', page: previousPage(flow, page.id, merged) ?? page }, merged, agreed);
    case 'goto': {
      const target = findPage(flow, sub.nav.page);
      return goTo(
        { kind: 'page', page: target && state.seen.includes(target.id) ? target : page },
        merged,
        agreed,
      );
    }
    case 'save':
      return saveForLater(merged, page.id, agreed);
    case 'lang':
      return stay(page.id, merged, agreed);
    default:
      if (!sub.ok) return showAgain(page.id, post.fields, sub.errors);
      return goTo(nextStep(flow, page.id, merged), merged, agreed);
  }
}

/** What a GET shows for a session. */
export type Presented =
  | {
      readonly kind: 'page';
      readonly page: FlowPage;
      readonly answers: Answers;
      readonly fields?: FormFields;
      readonly errors?: readonly FieldError[];
    }
  | { readonly kind: 'review'; readonly answers: Answers; readonly errors?: readonly FieldError[] };

/**
 * What to show for a GET of `requested` (a page id, "review", or undefined: where the session is): a page the
 * session has reached, with its answers (and the last post's problems when they were on it); any other request
 * shows where the session is ("page seen" is enforced on GETs as on posts).
 */
export function present(study: RespondFlow, state: SessionState, requested: string | undefined): Presented {
  const want = requested !== undefined && state.seen.includes(requested) ? requested : state.at;
  const flash = state.flash?.page === want ? state.flash : undefined;
  const page = want === 'review' ? undefined : findPage(study.flow, want);
  if (!page) return { kind: 'review', answers: state.answers, ...(flash ? { errors: flash.errors } : {}) };
  return {
    kind: 'page',
    page,
    answers: state.answers,
    ...(flash ? { fields: flash.fields, errors: flash.errors } : {}),
  };
}

/** What the study link itself shows: the first page (with no answers), or undefined (the screened-out page). */
export function presentStart(study: RespondFlow): Presented | undefined {
  const first = firstStep(study.flow);
  return first.kind === 'page' ? { kind: 'page', page: first.page, answers: {} } : undefined;
}

/** End pages that show static text and need no session: declining consent and being screened out. */
export function isStatelessEnd(p: string): p is 'declined' | 'ineligible' {
  return p === 'declined' || p === 'ineligible';
}

/** The id a presented view is addressed by (`?p=`). */
export function presentedId(p: Presented): string {
  return p.kind === 'page' ? p.page.id : 'review';
}

/**
 * A session resumed from a saved draft: on the page where it was saved if that page is still shown, else at
 * the first unanswered page; screened out when the saved answers no longer meet the (changed) rule. `rc`: the
 * hash of the resume code, kept so that the saved draft is deleted when the response is stored.
 */
export function resume(study: RespondFlow, saved: SessionState, rc?: string): Advance {
  const { flow } = study;
  const savedAt = saved.at === 'review' ? undefined : findPage(flow, saved.at);
  const step: Step =
    saved.at === 'review'
      ? { kind: 'review' }
      : savedAt && isPageShown(savedAt, saved.answers)
        ? { kind: 'page', page: savedAt }
        : resumeStep(flow, saved.answers);
  if (step.kind === 'ineligible')
    return {
      state: null,
      effects: [{ kind: 'count', names: [COUNTERS.screenedOut] }],
      place: { kind: 'end', end: 'ineligible' },
    };
  const at = stepId(step);
  const { flash: _flash, ...rest } = saved;
  const state: SessionState = {
    ...rest,
    at,
    n: 0,
    started: true,
    seen: saved.seen.includes(at) ? saved.seen : [...saved.seen, at],
    ...(rc !== undefined ? { rc } : {}),
  };
  return {
    state,
    effects: [{ kind: 'startSession' }, { kind: 'saveDraft' }, { kind: 'count', names: [COUNTERS.resumed] }],
    place: placeOf(state),
  };
}

/** The JSON API's (and any whole-response client's) decision on a complete response. */
type Judgement =
  | { readonly kind: 'invalid'; readonly issues: readonly Issue[] }
  /** Only the eligibility rule failed: nothing stored, counted as screened out. */
  | { readonly kind: 'ineligible'; readonly effects: readonly Effect[] }
  | {
      readonly kind: 'accept';
      readonly answers: Readonly<Record<string, Answer>>;
      readonly flagged: boolean;
    };

/**
 * The progress counters of a whole response (the JSON API), as the form would have counted the same
 * respondent: started, each page shown for these answers (the consent and screening pages, and for a
 * completed response the content pages and the review), then `completed` or `screened_out`. So the progress
 * page's funnel and drop-off by page count API submissions with the form's.
 */
function wholeResponseCounters(flow: Flow, answers: Answers, end: 'completed' | 'screened_out'): string[] {
  const pages = shownPages(flow, answers).filter((p) => end === 'completed' || p.kind !== 'content');
  return [
    COUNTERS.started,
    ...pages.map((p) => pageCounter(p.id)),
    ...(end === 'completed' ? [pageCounter('review')] : []),
    end,
  ];
}

/**
 * Judge a complete response (answers already parsed from JSON): any problem other than eligibility is
 * `invalid` (the eligibility rule is not judged on answers that are not valid); eligibility alone is
 * `ineligible` with its count; otherwise `accept` with the answers to store and whether a safety rule fires.
 */
export function judgeResponse(study: RespondFlow, answers: Answers, lang: string): Judgement {
  const v = validateResponse(study.resolved, answers, { flow: study.flow, lang });
  if (v.ok) return { kind: 'accept', answers: v.value, flagged: safetyFlagged(study.plan, v.value) };
  const invalid = v.issues.filter((i) => i.code !== 'ineligible');
  if (invalid.length)
    return {
      kind: 'invalid',
      issues: invalid.map((i) => ({ path: i.path, code: i.code, message: i.message })),
    };
  return {
    kind: 'ineligible',
    effects: [{ kind: 'count', names: wholeResponseCounters(study.flow, answers, COUNTERS.screenedOut) }],
  };
}

/** Why the JSON API refuses a submission (before anything is stored or counted). */
type SubmissionRefusal = 'invitation_invalid' | 'closed' | 'invalid';

/** The JSON API's decision on a whole submission. */
export type SubmissionDecision =
  /**
   * Refused: nothing stored or counted. `retry`: the accepted answers, when they are valid — a repeat of a key
   * stored before with these very answers is answered as that response (whatever happened since); with other
   * answers it is a conflict.
   */
  | {
      readonly kind: 'refuse';
      readonly reason: SubmissionRefusal;
      readonly issues: readonly Issue[];
      readonly retry?: { readonly answers: Readonly<Record<string, Answer>>; readonly flagged: boolean };
    }
  /** Only the eligibility rule failed: nothing stored, counted as screened out (unless the key was used). */
  | { readonly kind: 'ineligible'; readonly effects: readonly Effect[] }
  /** Store it: one `submit` effect (counted as started and completed when new). */
  | { readonly kind: 'accept'; readonly flagged: boolean; readonly effects: readonly Effect[] };

/** Why an open study takes no more responses: its scheduled close date passed, or its quota is reached. */
export type ScheduledClose = 'close_date' | 'quota';

/**
 * The progress counter a response quota counts: each response collected (form or API) increments it once,
 * in the transaction that stores it; imported responses do not count.
 */
export const QUOTA_COUNTER = COUNTERS.completed;

/** A study's response quota as the store checks it in the insert's transaction (undefined: no quota). */
export function responseQuota(
  collection: { readonly quota?: number | undefined } | undefined,
): { readonly limit: number; readonly counter: string } | undefined {
  const limit = collection?.quota;
  return limit === undefined ? undefined : { limit, counter: QUOTA_COUNTER };
}

/**
 * Whether an open study has closed by its own settings, evaluated at request time (no timer): after its close
 * day (`collection.closesOn`, the last day in UTC that takes responses), or once `collected` responses (the
 * {@link QUOTA_COUNTER} total, which may be a second old) reach its `collection.quota`. `collected` is only
 * asked for when the study has a quota. This decides which page to show; the quota itself is enforced by the
 * insert, in its transaction, so that racing submissions never store more than the quota.
 */
export function scheduledClose(
  study: RespondFlow,
  now: Date,
  collected: () => number | Promise<number>,
): ScheduledClose | undefined | Promise<ScheduledClose | undefined> {
  const col = study.resolved.study.collection;
  if (col.closesOn !== undefined && now.toISOString().slice(0, 10) > col.closesOn) return 'close_date';
  const quota = col.quota;
  if (quota === undefined) return undefined;
  const n = collected();
  return typeof n === 'number'
    ? n >= quota
      ? 'quota'
      : undefined
    : n.then((k) => (k >= quota ? 'quota' : undefined));
}

/** The JSON API's message for a study that is closed (by its owner, its close date or its quota). */
export function closedMessage(why: ScheduledClose | undefined, closesOn?: string): string {
  const tail = 'does not accept responses; nothing was stored.';
  if (why === 'close_date')
    return `This study closed after ${closesOn} (its scheduled close date) and ${tail}`;
  if (why === 'quota') return `This study has reached its response quota and ${tail}`;
  return `This study is closed and ${tail}`;
}

/** The consent a JSON API body carries (`consent: { agreed, version }`), as sent. */
interface ConsentClaim {
  readonly agreed: boolean;
  readonly version: number;
}

/**
 * The problems with the consent a whole response carries: a study with consent needs the respondent's agreement
 * to its current version (`consent: { agreed: true, version: N }`); a study without consent needs none (a
 * consent sent to it is ignored and nothing is stored of it).
 */
function consentIssues(study: RespondFlow, claim: ConsentClaim | undefined): Issue[] {
  const current = study.flow.consentVersion;
  if (current === undefined) return [];
  const fix = `show the respondent the study's consent text (version ${current}) and send "consent": {"agreed": true, "version": ${current}} once they agree`;
  if (!claim)
    return [
      {
        path: 'consent',
        code: 'consent_required',
        message: `missing: this study asks for consent; ${fix}`,
      },
    ];
  const issues: Issue[] = [];
  if (claim.agreed !== true)
    issues.push({
      path: 'consent.agreed',
      code: 'consent_not_given',
      message: `must be true: a response is stored only with the respondent's agreement; ${fix}`,
    });
  if (claim.version !== current)
    issues.push({
      path: 'consent.version',
      code: 'consent_version',
      message: `is ${claim.version}, but the study's consent is version ${current} now; ${fix}`,
    });
  return issues;
}

/**
 * Decide on a JSON API submission: the answers as sent (item id → JSON value), the consent it carries, whether
 * the study is open and whether the invitation (invitation-only studies) is usable. In order: an unusable
 * invitation, then a closed study (`closed` names why: see `closedReason`), then a missing or outdated consent
 * and answers that do not parse or are not valid are refused (together); failing only the eligibility rule is
 * `ineligible`; otherwise `accept`. The answers are parsed and judged first so that a refusal can still
 * recognise a retry of a stored response.
 */
export function judgeSubmission(
  study: RespondFlow,
  input: {
    readonly answers: unknown;
    readonly lang: string;
    readonly idem: string;
    readonly open: boolean;
    readonly invitationUsable: boolean;
    readonly consent?: ConsentClaim;
  },
): SubmissionDecision {
  const parsed = answersFromJson(study.flow, input.answers, input.lang);
  const j = parsed.ok ? judgeResponse(study, parsed.answers, input.lang) : undefined;
  const retry = j?.kind === 'accept' ? { retry: { answers: j.answers, flagged: j.flagged } } : {};
  const refuse = (reason: SubmissionRefusal, issues: readonly Issue[] = []): SubmissionDecision => ({
    kind: 'refuse',
    reason,
    issues,
    ...retry,
  });
  if (!input.invitationUsable) return refuse('invitation_invalid');
  if (!input.open) return refuse('closed');
  const consent = consentIssues(study, input.consent);
  if (!parsed.ok)
    return refuse('invalid', [
      ...consent,
      ...parsed.errors.map((e) => ({
        path: `answers.${e.field}`.replace(/\.$/, ''),
        code: e.code,
        message: e.message,
      })),
    ]);
  if (!j) return refuse('invalid', consent);
  if (j.kind === 'invalid')
    return refuse('invalid', [
      ...consent,
      ...j.issues.map((i) => ({
        path: i.path ? `answers.${i.path}` : 'answers',
        code: i.code,
        message: i.message,
      })),
    ]);
  if (consent.length) return refuse('invalid', consent);
  if (j.kind === 'ineligible') return j;
  return {
    kind: 'accept',
    flagged: j.flagged,
    effects: [
      {
        kind: 'submit',
        answers: j.answers,
        idem: input.idem,
        counters: wholeResponseCounters(study.flow, j.answers, COUNTERS.completed),
        flagged: j.flagged,
        ...(study.flow.consentVersion !== undefined
          ? {
              consent: {
                v: study.flow.consentVersion,
                lang: consentShown(study.resolved, input.lang)?.lang ?? input.lang,
              },
            }
          : {}),
      },
    ],
  };
}

/** What {@link judgePlainSubmission} works out once per study version. */
interface PlainJudge {
  readonly answers: ReturnType<typeof compilePlainAnswers>;
  /** The counters of every accepted response, when they are the same for all (a flow without skip logic). */
  readonly counters: readonly string[] | undefined;
}
const plainJudges = new WeakMap<RespondFlow, PlainJudge>();

function plainJudgeOf(study: RespondFlow): PlainJudge {
  let j = plainJudges.get(study);
  if (j === undefined) {
    const { flow } = study;
    const skipLogic = [...flow.items.values()].some((fi) => fi.showIf);
    j = {
      answers: compilePlainAnswers(flow),
      counters: skipLogic ? undefined : Object.freeze(wholeResponseCounters(flow, {}, COUNTERS.completed)),
    };
    plainJudges.set(study, j);
  }
  return j;
}

/**
 * {@link judgeSubmission} for the JSON API's usual submission — an open study, a usable invitation (or none
 * needed), the consent the study asks for, and answers of the usual kind (`compilePlainAnswers`: option values,
 * whole numbers, "na") — with the study version's validation precompiled (once per version, kept with it). Gives
 * the very decision `judgeSubmission` gives for such a submission (an `accept`), or undefined for anything else
 * (then `judgeSubmission` decides, and names every problem): one set of rules, the common case made cheap.
 * test/core/respond/plain.test.ts compares the two on generated submissions.
 */
export function judgePlainSubmission(
  study: RespondFlow,
  input: {
    readonly answers: Readonly<Record<string, unknown>>;
    readonly lang: string;
    readonly idem: string;
    readonly consent?: ConsentClaim;
  },
): Extract<SubmissionDecision, { kind: 'accept' }> | undefined {
  const j = plainJudgeOf(study);
  const cv = study.flow.consentVersion;
  if (cv !== undefined && (input.consent?.agreed !== true || input.consent.version !== cv)) return undefined;
  const answers = j.answers(input.answers);
  if (answers === undefined) return undefined;
  const flagged = safetyFlagged(study.plan, answers);
  const counters = j.counters ?? wholeResponseCounters(study.flow, answers, COUNTERS.completed);
  return {
    kind: 'accept',
    flagged,
    effects: [
      cv === undefined
        ? { kind: 'submit', answers, idem: input.idem, counters, flagged }
        : {
            kind: 'submit',
            answers,
            idem: input.idem,
            counters,
            flagged,
            consent: { v: cv, lang: consentShown(study.resolved, input.lang)?.lang ?? input.lang },
          },
    ],
  };
}

/** Parse stored draft JSON back into a state; undefined when it is not one (then the draft is ignored). */
export function parseState(raw: unknown): SessionState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const x = raw as Record<string, unknown>;
  if (x.v !== 1 || typeof x.at !== 'string' || !Array.isArray(x.seen)) return undefined;
  if (typeof x.answers !== 'object' || x.answers === null || Array.isArray(x.answers)) return undefined;
  const answers: Record<string, Answer> = {};
  for (const [k, v] of Object.entries(x.answers as Record<string, unknown>)) {
    const a = parseAnswer(v);
    if (!a) return undefined;
    answers[k] = a;
  }
  const flash = parseFlash(x.flash);
  const consent = parseConsent(x.consent);
  return {
    v: 1,
    answers,
    seen: x.seen.filter((s): s is string => typeof s === 'string'),
    at: x.at,
    ...(typeof x.ref === 'string' ? { ref: x.ref } : {}),
    ...(typeof x.inv === 'string' ? { inv: x.inv } : {}),
    ...(typeof x.panel === 'string' ? { panel: x.panel } : {}),
    ...(typeof x.rc === 'string' ? { rc: x.rc } : {}),
    ...(x.preview === true ? { preview: true as const } : {}),
    ...(x.shared === true ? { shared: true as const } : {}),
    ...(Number.isSafeInteger(x.n) && (x.n as number) >= 0 ? { n: x.n as number } : {}),
    ...(x.started === true ? { started: true as const } : {}),
    ...(consent ? { consent } : {}),
    ...(flash ? { flash } : {}),
  };
}

function parseConsent(raw: unknown): ConsentAgreement | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const x = raw as Record<string, unknown>;
  return Number.isSafeInteger(x.v) && (x.v as number) >= 1 && str(x.lang)
    ? { v: x.v as number, lang: x.lang }
    : undefined;
}

const str = (v: unknown): v is string => typeof v === 'string';

function parseFlash(raw: unknown): Flash | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const x = raw as Record<string, unknown>;
  if (!str(x.page) || typeof x.fields !== 'object' || x.fields === null || !Array.isArray(x.errors))
    return undefined;
  const fields: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(x.fields as Record<string, unknown>)) {
    if (str(v)) fields[k] = v;
    else if (Array.isArray(v) && v.every(str)) fields[k] = v;
  }
  const errors = (x.errors as unknown[]).filter(
    (e): e is FieldError =>
      typeof e === 'object' &&
      e !== null &&
      str((e as FieldError).field) &&
      str((e as FieldError).code) &&
      str((e as FieldError).message),
  );
  return { page: x.page, fields, errors };
}
