/**
 * The one effect executor of the respondent side. The engine (src/core/respond/engine.ts) decides and returns
 * effects as data; the three adapters — the form routes (routes.ts), the JSON API (server/api/routes.ts) and
 * the studio preview (server/studio/preview.ts) — hand them to `EffectExecutor.run`, which performs them in
 * order: start a session (the bounds on new drafts, the session cookie), save or delete the draft, count,
 * save for later (a resume code and its cookie), submit (store the response, create the respondent's referral
 * link, remember the end in a cookie). What differs between adapters is only the scope they pass: cookie
 * names and path, whether drafts are bounded per address, and the referral and invitation of the response.
 *
 * Cookies (all HttpOnly, SameSite=Lax, session-only, scoped to the adapter's path):
 * - the session: a random key naming the draft row (state.ts);
 * - the end (`End`): how a session ended, for the GETs after it (reload, Back);
 * - saved: the resume code just saved, shown by the next GET.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Effect, SessionState } from '../../core/respond/engine.js';
import { calendarDay, type Store, type Study } from '../../store/index.js';
import { HttpError } from '../errors.js';
import type { LoadedStudy } from './load.js';
import {
  checkNewDraft,
  type DraftLimiter,
  deleteDraft,
  newResumeCode,
  newSessionKey,
  RESUME_TTL_MS,
  resumeHash,
  SESSION_DRAFT_TTL_MS,
  saveDraft,
} from './state.js';
import {
  formSubmissionKey,
  type KeyHasher,
  type SubmitInput,
  type SubmitResult,
  submitResponse,
} from './submit.js';

/**
 * How a session ended, for the GETs after it (reload, Back): `k.<hashed key>` (stored: the page is derived from
 * the stored response), `f.<0|1>` (a preview: flagged or not), `i.<needed|invalid>` (no usable invitation),
 * `w.<needed|invalid|answered>` (a follow-up wave without a usable personal wave link, or answered already);
 * then the referral code or `-`, then `s` on a shared phone (shown once) or `-`.
 */
export interface End {
  readonly kind: 'k' | 'f' | 'i' | 'w';
  readonly value: string;
  readonly ref?: string;
  readonly shared?: boolean;
}
const END_VALUE = /^(k|f|i|w)\.([0-9a-f]{64}|[01]|needed|invalid|answered)\.([A-Z0-9]{4,16}|-)\.(s|-)$/;
const SAVED_VALUE = /^([A-Z0-9]{4}-[A-Z0-9]{4})\.(\d{4}-\d{2}-\d{2})(\.s)?$/;

/** The cookies of one adapter: names and the path they are scoped to. */
interface CookieNames {
  readonly path: string;
  readonly session: string;
  /** How the session ended (form routes only). */
  readonly end?: string;
  /** The resume code just saved (form routes only; a preview saves nothing). */
  readonly saved?: string;
}

/** Reading and writing an adapter's cookies. */
export class Cookies {
  constructor(
    readonly names: CookieNames,
    private readonly secure: boolean,
  ) {}

  private set(reply: FastifyReply, name: string, value: string): void {
    reply.setCookie(name, value, {
      path: this.names.path,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
    });
  }
  clear(reply: FastifyReply, name: string | undefined): void {
    if (name) reply.clearCookie(name, { path: this.names.path });
  }
  session(req: FastifyRequest): string | undefined {
    return req.cookies[this.names.session];
  }
  setSession(reply: FastifyReply, key: string): void {
    this.set(reply, this.names.session, key);
  }
  setEnd(reply: FastifyReply, end: End): void {
    if (this.names.end)
      this.set(reply, this.names.end, `${end.kind}.${end.value}.${end.ref ?? '-'}.${end.shared ? 's' : '-'}`);
  }
  setSaved(reply: FastifyReply, value: string): void {
    if (this.names.saved) this.set(reply, this.names.saved, value);
  }
  end(req: FastifyRequest): End | undefined {
    const m = END_VALUE.exec(req.cookies[this.names.end ?? ''] ?? '');
    if (!m) return undefined;
    return {
      kind: m[1] as End['kind'],
      value: m[2] ?? '',
      ...(m[3] !== '-' ? { ref: m[3] ?? '' } : {}),
      ...(m[4] === 's' ? { shared: true } : {}),
    };
  }
  /** The resume code just saved and its expiry day; on a shared phone the cookie is cleared as it is read. */
  saved(req: FastifyRequest, reply: FastifyReply): { code: string; expires: string } | undefined {
    const m = SAVED_VALUE.exec(req.cookies[this.names.saved ?? ''] ?? '');
    if (!m) return undefined;
    if (m[3]) this.clear(reply, this.names.saved);
    return { code: m[1] ?? '', expires: m[2] ?? '' };
  }
}

type SubmitEffect = Extract<Effect, { kind: 'submit' }>;

/** What one run of effects acts on. */
export interface EffectScope {
  readonly study: Study;
  readonly loaded: LoadedStudy;
  readonly lang: string;
  readonly now: Date;
  readonly reply: FastifyReply;
  /**
   * The session (form routes, preview): its key ('' until `startSession`), the state before the post (its
   * referral, invitation and resume code go with a submit) and after it (what `saveDraft` keeps), its
   * referral wave and cookies. The JSON API has none: its `submit` carries the hashed key already.
   */
  readonly session?: {
    readonly key: string;
    readonly before: SessionState;
    readonly after: SessionState | null;
    readonly wave: number | null;
    readonly cookies: Cookies;
  };
  /** Bound new drafts by this address and study link (respondents; a preview is not bounded). */
  readonly addressKey?: string;
  /** The JSON API's response: the referral link it came through and its hashed invitation. */
  readonly referral?: { readonly code: string; readonly wave: number } | null;
  readonly invitationHash?: string;
}

/** What a run did that the adapter shows. */
export interface EffectOutcome {
  /** The session key afterwards (new after `startSession`). */
  readonly key: string;
  /** The stored response (a `submit`). */
  readonly stored?: SubmitResult;
  /** A form submit refused because the study closed meanwhile: nothing more was done. */
  readonly closed?: true;
  /** A form submit refused for want of a usable invitation: its end page is the invitation page. */
  readonly noInvitation?: true;
}

/** The position of a state's page in the flow (pages.length for the review), kept with the draft. */
function pageIndex(loaded: LoadedStudy, at: string): number {
  const i = loaded.flow.pages.findIndex((p) => p.id === at);
  return i >= 0 ? i : loaded.flow.pages.length;
}

export class EffectExecutor {
  constructor(
    private readonly store: Store,
    private readonly hashKey: KeyHasher,
    private readonly limiter: DraftLimiter,
    /** Told of each response stored or refused at the quota (the adapters' StudyCache.noteCollected). */
    private readonly collected?: SubmitInput['collected'],
  ) {}

  /**
   * The JSON API's accepted submission: its one `submit` effect, performed as `run` would, and its result
   * returned as is (no extra await on the ingestion path).
   */
  submit(effects: readonly Effect[], scope: EffectScope): Promise<SubmitResult> {
    const e = effects[0];
    if (effects.length !== 1 || e?.kind !== 'submit' || scope.session)
      throw new Error('EffectExecutor.submit takes one submit effect without a session');
    return this.storeResponse(e, scope);
  }

  /** Store a response without a session (the JSON API: `idem` is the hashed key already). */
  private storeResponse(e: SubmitEffect, scope: EffectScope): Promise<SubmitResult> {
    return submitResponse(this.input(e, scope, e.idem, scope.referral ?? null, scope.invitationHash));
  }

  /**
   * What a stored response takes from the effect and the scope, and the key, referral, invitation and drafts
   * of the adapter: one object literal, no spreads (this runs for every submission the API takes).
   */
  private input(
    e: SubmitEffect,
    scope: EffectScope,
    idempotencyKey: string,
    referral: SubmitInput['referral'],
    invitationHash: string | undefined,
    draftHashes?: readonly string[],
    panelId?: string,
  ): SubmitInput {
    return {
      store: this.store,
      study: scope.study,
      loaded: scope.loaded,
      answers: e.answers,
      language: scope.lang,
      counters: e.counters,
      now: scope.now,
      flagged: e.flagged,
      idempotencyKey,
      referral,
      invitationHash,
      draftHashes,
      consent: e.consent,
      collected: this.collected,
      panelId,
    };
  }

  /** Perform the engine's effects in order. */
  async run(effects: readonly Effect[], scope: EffectScope): Promise<EffectOutcome> {
    let key = scope.session?.key ?? '';
    let stored: SubmitResult | undefined;
    let noInvitation = false;
    for (const e of effects) {
      if (e.kind === 'submit') {
        const r = await this.submitForm(e, scope, key);
        if (r === 'closed') return { key, closed: true };
        if (r === 'invitation') noInvitation = true;
        else stored = r;
      } else await this.perform(e, scope, key, (k) => (key = k));
    }
    return { key, ...(stored ? { stored } : {}), ...(noInvitation ? { noInvitation: true as const } : {}) };
  }

  private async perform(
    e: Exclude<Effect, { kind: 'submit' }>,
    scope: EffectScope,
    key: string,
    setKey: (key: string) => void,
  ): Promise<void> {
    const { store } = this;
    const { study } = scope;
    const s = scope.session;
    switch (e.kind) {
      case 'count':
        for (const name of e.names)
          await store.counters.increment({ studyId: study.id, name, now: scope.now });
        return;
      case 'startSession': {
        if (!s) return;
        if (scope.addressKey !== undefined) await this.bound(scope, 'session');
        const k = newSessionKey();
        setKey(k);
        s.cookies.setSession(scope.reply, k);
        // A new session forgets how an earlier one here ended (another person's, on a shared phone).
        s.cookies.clear(scope.reply, s.cookies.names.end);
        s.cookies.clear(scope.reply, s.cookies.names.saved);
        return;
      }
      case 'saveDraft':
        if (s?.after) await this.keep(scope, s.after, key, SESSION_DRAFT_TTL_MS);
        return;
      case 'deleteDraft':
        if (s) await deleteDraft(store, study.id, key);
        return;
      case 'saveForLater': {
        if (!s?.cookies.names.saved) return;
        if (scope.addressKey !== undefined) await this.bound(scope, 'save');
        const code = newResumeCode();
        await this.keep(scope, { ...e.state, rc: resumeHash(code) }, code, RESUME_TTL_MS);
        // The code is shown by the GET that follows, from a session-only cookie (no draft row for it).
        const expires = calendarDay(new Date(scope.now.getTime() + RESUME_TTL_MS));
        s.cookies.setSaved(scope.reply, `${code}.${expires}${e.state.shared ? '.s' : ''}`);
        return;
      }
    }
  }

  private bound(scope: EffectScope, kind: 'session' | 'save'): Promise<void> {
    return checkNewDraft(this.store, this.limiter, {
      studyId: scope.study.id,
      addressKey: scope.addressKey ?? '',
      kind,
      now: scope.now,
    });
  }

  private keep(scope: EffectScope, state: SessionState, key: string, ttlMs: number): Promise<void> {
    return saveDraft(this.store, {
      studyId: scope.study.id,
      key,
      state,
      version: scope.loaded.version,
      language: scope.lang,
      wave: scope.session?.wave ?? null,
      pageIndex: pageIndex(scope.loaded, state.at),
      now: scope.now,
      ttlMs,
    });
  }

  /**
   * Store the response. A session's submit (the form) is keyed by the session and the page's key, ends in the
   * end cookie, and turns the study closing meanwhile or a missing invitation into a page; the API's refusals
   * are its error responses (thrown).
   */
  private async submitForm(
    e: SubmitEffect,
    scope: EffectScope,
    key: string,
  ): Promise<SubmitResult | 'closed' | 'invitation'> {
    const s = scope.session;
    if (!s) return this.storeResponse(e, scope);
    const pre = s.before;
    const idem = await this.hashKey(scope.study.id, formSubmissionKey(key, e.idem));
    try {
      const result = await submitResponse(
        this.input(
          e,
          scope,
          idem,
          pre.ref !== undefined && s.wave !== null ? { code: pre.ref, wave: s.wave } : null,
          pre.inv,
          pre.rc ? [pre.rc] : [],
          pre.panel,
        ),
      );
      s.cookies.setEnd(scope.reply, {
        kind: 'k',
        value: idem,
        ...(result.referralCode ? { ref: result.referralCode } : {}),
        ...(pre.shared ? { shared: true } : {}),
      });
      return result;
    } catch (err) {
      // Closed meanwhile (the cached status may be a second old): the adapter shows the link's closed page.
      if (err instanceof HttpError && err.code === 'closed') return 'closed';
      // A follow-up wave: answered already with this link (or the link is not usable): the wave's end page.
      if (err instanceof HttpError && err.code.startsWith('wave_')) {
        const value =
          err.code === 'wave_answered' ? 'answered' : err.code === 'wave_link_invalid' ? 'invalid' : 'needed';
        s.cookies.setEnd(scope.reply, { kind: 'w', value, ...(pre.shared ? { shared: true } : {}) });
        return 'invitation';
      }
      // Invitation-only (or made so during this session) without a usable invitation: the invitation page.
      if (!(err instanceof HttpError && err.code.startsWith('invitation_'))) throw err;
      s.cookies.setEnd(scope.reply, {
        kind: 'i',
        value: err.code === 'invitation_invalid' ? 'invalid' : 'needed',
        ...(pre.shared ? { shared: true } : {}),
      });
      return 'invitation';
    }
  }
}
