/**
 * Respondent routes: one page at a time, fully server-rendered, no JavaScript needed; every post is answered
 * with 303 See Other and the page is a GET (redirect-after-POST), so Back, reload and double taps never
 * resubmit a form.
 *
 * | route                       | what                                                                          |
 * |-----------------------------|-------------------------------------------------------------------------------|
 * | `GET  /s/:token`            | a new start on the first page (`?lang=ur`, `?r=<referral code>`, `?i=<invitation>`, `?preview=1` for signed-in roles) |
 * | `GET  /s/:token?p=<page>`   | a page the session has reached (`p1`, `review`), or its end (`submitted`, `saved`, `declined`, …) |
 * | `POST /s/:token`            | submit the page named by `_page` with the button `_nav` (next/back/save/submit/goto:<page>), step `_n` |
 * | `GET  /s/:token/resume`     | the resume-code form                                                          |
 * | `POST /s/:token/resume`     | continue from a resume code (`code`)                                          |
 *
 * The rules are the engine's (src/core/respond/engine.ts); this file reads requests, runs the engine's
 * effects and renders its views. A session is a draft row (state.ts) keyed by a random token held in an
 * HttpOnly, SameSite=Lax, session-only cookie scoped to `/s/<token>` (never in a URL: shared phones keep
 * history). Opening the link always starts afresh, so the next person on a shared phone never continues
 * someone else's session. A cross-site post carries no cookie (SameSite) and can only start a new session,
 * as anyone with the link can. Every page is sent with RESPOND_HEADERS (CSP: nothing from anywhere else) and
 * compressed. Nothing about the request (address, user agent, time of day) is stored or logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  advance,
  type EndView,
  nonceOf,
  type Place,
  type Presented,
  placeId,
  present,
  presentedId,
  resume,
  type SessionState,
  safetyFlagged,
  startState,
} from '../../core/respond/engine.js';
import type { FormFields } from '../../core/response/submission.js';
import { pickLanguage } from '../../core/study/i18n.js';
import { firstStep } from '../../core/study/pages.js';
import { calendarDay, type Store, type Study } from '../../store/index.js';
import { asForm, formField } from '../auth/form.js';
import { currentUser } from '../auth/guard.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { compressBody } from './compress.js';
import { type LoadedStudy, StudyCache } from './load.js';
import { type RenderedPage, type RespondCommon, renderPage } from './render.js';
import {
  checkNewDraft,
  DraftLimiter,
  deleteDraft,
  isSessionKey,
  loadDraft,
  newResumeCode,
  newSessionKey,
  normalizeResumeCode,
  RESUME_TTL_MS,
  resumeHash,
  SESSION_DRAFT_TTL_MS,
  saveDraft,
} from './state.js';
import {
  formSubmissionKey,
  INVITATION_TOKEN,
  idempotencyKeyHasher,
  invitationKey,
  REFERRAL_CODE,
  referralWave,
  responseByKey,
  submitResponse,
} from './submit.js';

export interface RespondRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly clock: () => number;
  /** The study cache shared with the JSON API and the preview (one is made when absent). */
  readonly cache?: StudyCache;
}

const PUBLIC_TOKEN = /^[A-Za-z0-9_-]{6,64}$/;

/** Languages the browser prefers, best first (`Accept-Language: ur-PK,ur;q=0.9,en;q=0.8`). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header || header.length > 1000) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: (tag ?? '').trim(), weight: Number.isFinite(weight) ? weight : 0, i };
    })
    .filter(
      (x) => x.tag && x.tag !== '*' && x.weight > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(x.tag),
    )
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
    .map((x) => x.tag);
}

/** The language to show: `?lang=` when the study offers it, else the browser's first offered language, else the study's first. */
export function chooseLanguage(
  offered: readonly string[],
  requested: string | undefined,
  acceptLanguage: string | undefined,
): string {
  const offers = (tag: string) => {
    const picked = pickLanguage(offered, tag);
    const base = (t: string) => t.toLowerCase().split('-')[0];
    return base(picked) === base(tag) ? picked : undefined;
  };
  if (requested && requested.length <= 35) {
    const hit = offers(requested);
    if (hit) return hit;
  }
  for (const tag of acceptedLanguages(acceptLanguage)) {
    const hit = offers(tag);
    if (hit) return hit;
  }
  return offered[0] ?? 'en';
}

/** The session cookie (a preview keeps its own, so a researcher's preview never meets their real session). */
function cookieName(preview: boolean): string {
  return preview ? 'nabz_sp' : 'nabz_s';
}

/** What the autosave script keys a session's pages by: not the secret session key, a digest of it. */
function sessionTag(key: string): string {
  return createHash('sha256').update(`tag\n${key}`, 'utf8').digest('base64url').slice(0, 16);
}

/**
 * How a session ended, for the GETs after it (reload, Back): `k.<hashed key>` (stored: the page is derived from
 * the stored response), `f.<0|1>` (a preview: flagged or not), `i.<needed|invalid>` (no usable invitation);
 * then the referral code or `-`, then `s` on a shared phone (shown once) or `-`. Session-only, HttpOnly.
 */
interface End {
  readonly kind: 'k' | 'f' | 'i';
  readonly value: string;
  readonly ref?: string;
  readonly shared?: boolean;
}
const END_VALUE = /^(k|f|i)\.([0-9a-f]{64}|[01]|needed|invalid)\.([A-Z0-9]{4,16}|-)\.(s|-)$/;
const endCookie = (preview: boolean) => (preview ? 'nabz_endp' : 'nabz_end');

/** The resume code just saved, shown by the next GET (`code.expires[.s]`). */
const SAVED_COOKIE = 'nabz_saved';

function pageIndex(loaded: LoadedStudy, at: string): number {
  const i = loaded.flow.pages.findIndex((p) => p.id === at);
  return i >= 0 ? i : loaded.flow.pages.length;
}

/** The page a session that is over shows (`?p=submitted`): see END_COOKIE. */
const ENDED = 'submitted';

/** End pages that need no session (static text). */
const STATELESS_ENDS: ReadonlySet<string> = new Set<EndView>(['declined', 'ineligible']);

export async function respondRoutes(app: FastifyInstance, opts: RespondRoutesOptions): Promise<void> {
  const { store, config, clock } = opts;
  const cache = opts.cache ?? new StudyCache(store);
  const hashKey = idempotencyKeyHasher(store, config.secret);
  const draftLimiter = new DraftLimiter(store.limits, clock);

  const perStudyKey = (req: FastifyRequest) =>
    `${req.ip}|${String((req.params as { token?: unknown }).token ?? '').slice(0, 64)}`;
  // Page views and page posts: a respondent makes ~2 requests per page, so allow 10× the submission limit.
  const pageLimit = {
    rateLimit: { max: config.submitRateLimitPerMinute * 10, timeWindow: 60_000, keyGenerator: perStudyKey },
  };
  // Resume codes: guessing protection.
  const resumeLimit = { rateLimit: { max: 30, timeWindow: 60_000, keyGenerator: perStudyKey } };

  function send(req: FastifyRequest, reply: FastifyReply, page: RenderedPage): FastifyReply {
    const c = compressBody(page.body, req.headers['accept-encoding']);
    return reply
      .code(page.status)
      .headers({ ...page.headers, ...c.headers })
      .send(c.body);
  }
  const seeOther = (reply: FastifyReply, location: string) =>
    reply.code(303).header('location', location).header('cache-control', 'no-store').send();

  /**
   * The study behind a link, or an HttpError: 404 for an unknown token, for a draft study (unless a signed-in
   * owner or analyst previews it) and for a preview by someone without a role; 403 for a viewer's preview.
   */
  async function studyFor(req: FastifyRequest, token: string, preview: boolean): Promise<Study> {
    if (!PUBLIC_TOKEN.test(token)) throw new HttpError(404, 'Study not found.', 'not_found');
    const study = await cache.byToken(token);
    if (!study) throw new HttpError(404, 'Study not found.', 'not_found');
    if (preview) {
      const user = currentUser(req);
      const role = user ? await store.roles.roleOf({ userId: user.id, studyId: study.id }) : null;
      if (role === null) throw new HttpError(404, 'Study not found.', 'not_found');
      // As the studio's preview: owners and analysts design and test the questionnaire; viewers see aggregates only.
      if (role === 'viewer')
        throw new HttpError(403, 'Only the study owner and analysts can preview the study.', 'forbidden');
      return study;
    }
    if (study.status === 'draft') throw new HttpError(404, 'Study not found.', 'not_found');
    return study;
  }

  interface Ctx {
    readonly token: string;
    readonly study: Study;
    readonly loaded: LoadedStudy;
    readonly lang: string;
    readonly preview: boolean;
  }

  /** A live session: the cookie's draft. */
  interface Session {
    readonly key: string;
    readonly state: SessionState;
    readonly loaded: LoadedStudy;
    readonly lang: string;
    readonly wave: number | null;
  }

  async function sessionOf(
    req: FastifyRequest,
    study: Study,
    preview: boolean,
  ): Promise<Session | undefined> {
    const key = req.cookies[cookieName(preview)];
    if (!isSessionKey(key)) return undefined;
    const draft = await loadDraft(store, study.id, key, new Date(clock()));
    if (!draft || (draft.state.preview === true) !== preview) return undefined;
    const loaded = await cache.version(study, draft.version);
    if (!loaded) return undefined;
    const lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? undefined, undefined);
    return { key, state: draft.state, loaded, lang, wave: draft.wave };
  }

  const setSession = (reply: FastifyReply, token: string, preview: boolean, key: string) =>
    reply.setCookie(cookieName(preview), key, {
      path: `/s/${token}`,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
    });
  const clearSession = (reply: FastifyReply, token: string, preview: boolean) =>
    reply.clearCookie(cookieName(preview), { path: `/s/${token}` });

  /** Where a place is shown: `/s/<token>?p=<page>&lang=<lang>` (the session itself is in the cookie). */
  const where = (c: Ctx, p: Place | string) =>
    `/s/${c.token}?p=${encodeURIComponent(typeof p === 'string' ? p : placeId(p))}&lang=${encodeURIComponent(c.lang)}${c.preview ? '&preview=1' : ''}`;

  function common(
    c: Ctx,
    extra: { state?: SessionState; key?: string; ref?: string; inv?: string; languageLinks?: boolean } = {},
  ): RespondCommon {
    const q = c.preview ? '?preview=1' : '';
    const languages = c.loaded.resolved.study.languages;
    const hidden: Record<string, string> = { _lang: c.lang };
    if (extra.state?.shared) hidden._shared = '1';
    if (extra.state && extra.key) {
      hidden._t = sessionTag(extra.key);
      hidden._n = nonceOf(extra.state);
    } else {
      if (extra.ref) hidden._r = extra.ref;
      if (extra.inv) hidden._i = extra.inv;
    }
    const linkQuery = (l: string) =>
      `?lang=${encodeURIComponent(l)}${extra.ref ? `&r=${encodeURIComponent(extra.ref)}` : ''}${extra.inv ? `&i=${encodeURIComponent(extra.inv)}` : ''}${c.preview ? '&preview=1' : ''}`;
    return {
      resolved: c.loaded.resolved,
      lang: c.lang,
      action: `/s/${c.token}${q}`,
      hidden,
      ...(extra.languageLinks && languages.length > 1
        ? { languageLinks: languages.map((l) => ({ lang: l, href: `/s/${c.token}${linkQuery(l)}` })) }
        : {}),
      ...(c.preview ? {} : { resumeHref: `/s/${c.token}/resume?lang=${encodeURIComponent(c.lang)}` }),
    };
  }

  /**
   * Invitation-only studies: the keyed hash of an unused invitation token, or the page to show instead (an
   * invitation is needed, or this one was used). Open studies and previews need none (undefined, no page).
   */
  async function invitationFor(
    c: Ctx,
    token: string | undefined,
  ): Promise<{ hash?: string; reason?: 'needed' | 'invalid' }> {
    if (!c.study.invitationOnly || c.preview) return {};
    const valid = token !== undefined && INVITATION_TOKEN.test(token) ? token : undefined;
    const hash = valid === undefined ? undefined : await hashKey(c.study.id, invitationKey(valid));
    if (hash !== undefined && (await store.inviteLinks.isUnused(c.study.id, hash))) return { hash };
    return { reason: token === undefined ? 'needed' : 'invalid' };
  }

  /** The page for what the engine presents (a GET of a session's page). */
  function view(c: Ctx, s: Session, shown: Presented): RenderedPage {
    const base = common(c, { state: s.state, key: s.key });
    const errors = shown.errors?.length ? { errors: shown.errors } : {};
    const page =
      shown.kind === 'review'
        ? renderPage({
            ...base,
            view: 'review',
            flow: c.loaded.flow,
            answers: shown.answers,
            idempotencyKey: randomUUID(),
            ...errors,
          })
        : renderPage({
            ...base,
            view: 'page',
            flow: c.loaded.flow,
            pageId: shown.page.id,
            answers: shown.answers,
            ...(shown.fields ? { fields: shown.fields } : {}),
            ...errors,
          });
    // The last post was refused: the page comes back with its problems (as the post's answer did before PRG).
    return shown.errors?.length ? { ...page, status: 400 } : page;
  }

  /** Remember how a session ended (see END_COOKIE). */
  const setEnd = (reply: FastifyReply, c: Ctx, end: End) =>
    reply.setCookie(
      endCookie(c.preview),
      `${end.kind}.${end.value}.${end.ref ?? '-'}.${end.shared ? 's' : '-'}`,
      {
        path: `/s/${c.token}`,
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
      },
    );
  const endOf = (req: FastifyRequest, preview: boolean): End | undefined => {
    const m = END_VALUE.exec(req.cookies[endCookie(preview)] ?? '');
    if (!m) return undefined;
    return {
      kind: m[1] as End['kind'],
      value: m[2]!,
      ...(m[3] !== '-' ? { ref: m[3]! } : {}),
      ...(m[4] === 's' ? { shared: true } : {}),
    };
  };

  /**
   * The end page of a session that is over: the support page when a safety rule fires on the stored answers
   * (looked up by the response's hashed key: no flag is kept anywhere), else thanks with the respondent's
   * referral link; or the invitation page. On a shared phone it is shown once (the cookie is cleared).
   */
  async function endPage(reply: FastifyReply, c: Ctx, end: End): Promise<RenderedPage> {
    const plain = common(c);
    if (end.shared) reply.clearCookie(endCookie(c.preview), { path: `/s/${c.token}` });
    if (end.kind === 'i') return renderPage({ ...plain, view: 'invitation', reason: end.value as 'needed' });
    let flagged = end.value === '1';
    if (end.kind === 'k') {
      const prior = await responseByKey(store, c.study.id, end.value);
      const loaded = prior ? ((await cache.version(c.study, prior.version)) ?? c.loaded) : c.loaded;
      flagged = prior !== undefined && safetyFlagged(loaded.plan, prior.answers);
    }
    if (flagged) return renderPage({ ...plain, view: 'support' });
    return renderPage({
      ...plain,
      view: 'thanks',
      ...(end.ref
        ? { referralLink: `${config.publicUrl}/s/${c.token}?r=${encodeURIComponent(end.ref)}` }
        : {}),
    });
  }

  async function count(c: Ctx, names: readonly string[]): Promise<void> {
    if (c.preview) return;
    const now = new Date(clock());
    for (const name of names) await store.counters.increment({ studyId: c.study.id, name, now });
  }

  /**
   * The resume code just saved (from its cookie; reload shows it again). On a shared phone it is shown once:
   * the cookie is cleared, so the next person cannot bring it back with Back or reload.
   */
  function savedPage(req: FastifyRequest, reply: FastifyReply, c: Ctx): RenderedPage {
    const m = /^([A-Z0-9]{4}-[A-Z0-9]{4})\.(\d{4}-\d{2}-\d{2})(\.s)?$/.exec(req.cookies[SAVED_COOKIE] ?? '');
    if (!m) return expired(c);
    if (m[3]) reply.clearCookie(SAVED_COOKIE, { path: `/s/${c.token}` });
    return renderPage({
      ...common(c),
      view: 'resume-code',
      code: m[1]!,
      expires: m[2]!,
      continueHref: `/s/${c.token}/resume?lang=${encodeURIComponent(c.lang)}`,
    });
  }

  const expired = (c: Ctx) =>
    renderPage({ view: 'error', kind: 'expired', lang: c.lang, resolved: c.loaded.resolved });

  app.get<{
    Params: { token: string };
    Querystring: { lang?: string; r?: string; i?: string; preview?: string; p?: string };
  }>('/s/:token', { config: pageLimit }, async (req, reply) => {
    const preview = req.query.preview === '1';
    const study = await studyFor(req, req.params.token, preview);
    const loaded = cache.current(study);
    const lang = chooseLanguage(
      loaded.resolved.study.languages,
      typeof req.query.lang === 'string' ? req.query.lang : undefined,
      req.headers['accept-language'],
    );
    const c: Ctx = { token: req.params.token, study, loaded, lang, preview };
    if (study.status === 'closed' && !preview)
      return send(req, reply, renderPage({ ...common(c), view: 'closed' }));
    const p = typeof req.query.p === 'string' ? req.query.p.slice(0, 40) : undefined;
    if (p !== undefined) {
      if (STATELESS_ENDS.has(p)) return send(req, reply, renderPage({ ...common(c), view: p as 'declined' }));
      if (p === 'saved') return send(req, reply, savedPage(req, reply, c));
      const s = await sessionOf(req, study, preview);
      if (!s) {
        // A session that is over shows its end on every page of it (reload, Back to the review).
        const end = endOf(req, preview);
        if (!end) return send(req, reply, expired(c));
        if (p !== ENDED) return seeOther(reply, where(c, ENDED));
        return send(req, reply, await endPage(reply, c, end));
      }
      const sc: Ctx = { ...c, loaded: s.loaded, lang: s.lang };
      const shown = present(s.loaded, s.state, p);
      if (presentedId(shown) !== p) return seeOther(reply, where(sc, presentedId(shown)));
      return send(req, reply, view(sc, s, shown));
    }
    // The link itself: always a new start (a session in the cookie is another person's on a shared phone).
    const r = typeof req.query.r === 'string' ? req.query.r.toUpperCase() : undefined;
    const ref = r && REFERRAL_CODE.test(r) ? r : undefined;
    const inv = typeof req.query.i === 'string' ? req.query.i : undefined;
    const invitation = await invitationFor(c, inv);
    if (invitation.reason)
      return send(req, reply, renderPage({ ...common(c), view: 'invitation', reason: invitation.reason }));
    const first = firstStep(loaded.flow);
    const extra = {
      ...(ref ? { ref } : {}),
      ...(invitation.hash && inv ? { inv } : {}),
      languageLinks: true,
    };
    return send(
      req,
      reply,
      first.kind === 'page'
        ? renderPage({
            ...common(c, extra),
            view: 'page',
            flow: loaded.flow,
            pageId: first.page.id,
            answers: {},
          })
        : renderPage({ ...common(c, extra), view: 'ineligible' }),
    );
  });

  app.post<{ Params: { token: string }; Querystring: { preview?: string } }>(
    '/s/:token',
    { config: pageLimit },
    async (req, reply) => {
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new HttpError(400, 'The form could not be read; go back and try again.', 'malformed');
      const fields = asForm(body) as FormFields;
      const preview = req.query.preview === '1';
      const token = req.params.token;
      const study = await studyFor(req, token, preview);
      const now = clock();
      const current = cache.current(study);
      const fallbackLang = chooseLanguage(
        current.resolved.study.languages,
        formField(body, '_lang'),
        req.headers['accept-language'],
      );
      const c0: Ctx = { token, study, loaded: current, lang: fallbackLang, preview };
      if (study.status === 'closed' && !preview) return seeOther(reply, where(c0, 'closed'));
      const pageId = formField(body, '_page') ?? '';
      const nonce = formField(body, '_n');

      // The session: the cookie's draft; a new one when a first page (a form without a step) is posted.
      let s: Session;
      const isNew = nonce === undefined;
      if (!isNew) {
        const live = await sessionOf(req, study, preview);
        // No session: it is over (a double tap on the final submit) or expired.
        if (!live) return seeOther(reply, where(c0, endOf(req, preview) ? ENDED : 'expired'));
        s = live;
      } else {
        const r = formField(body, '_r')?.toUpperCase();
        const referral = preview ? null : await referralWave(store, study.id, r);
        const invitation = await invitationFor(c0, formField(body, '_i'));
        if (invitation.reason) {
          const i = formField(body, '_i');
          return seeOther(
            reply,
            `/s/${token}?lang=${encodeURIComponent(fallbackLang)}${i && INVITATION_TOKEN.test(i) ? `&i=${i}` : ''}`,
          );
        }
        s = {
          key: '',
          loaded: current,
          lang: fallbackLang,
          wave: referral?.wave ?? null,
          state: startState(current.flow, {
            ...(referral ? { ref: referral.code } : {}),
            ...(invitation.hash ? { inv: invitation.hash } : {}),
            preview,
            shared: formField(body, '_shared') === '1',
          }),
        };
      }
      const c: Ctx = { ...c0, loaded: s.loaded, lang: s.lang };
      const out = advance(s.loaded, { state: s.state, isNew }, { pageId, fields, nonce, lang: s.lang });
      if (out.ignored && isNew) return seeOther(reply, where(c, 'expired'));

      // Run the effects, in order; the session's end page gets the resume code or the stored response's key.
      const state = out.state;
      let key = s.key;
      let place: Place | string = out.place;
      const persist = (st: SessionState, k: string, ttlMs: number) =>
        saveDraft(store, {
          studyId: study.id,
          key: k,
          state: st,
          version: s.loaded.version,
          language: s.lang,
          wave: s.wave,
          pageIndex: pageIndex(s.loaded, st.at),
          now: new Date(now),
          ttlMs,
        });
      for (const e of out.effects) {
        switch (e.kind) {
          case 'startSession':
            if (!preview)
              await checkNewDraft(store, draftLimiter, {
                studyId: study.id,
                addressKey: perStudyKey(req),
                kind: 'session',
                now: new Date(now),
              });
            key = newSessionKey();
            setSession(reply, token, preview, key);
            // A new session forgets how an earlier one here ended (another person's, on a shared phone).
            reply.clearCookie(endCookie(preview), { path: `/s/${token}` });
            reply.clearCookie(SAVED_COOKIE, { path: `/s/${token}` });
            break;
          case 'saveDraft':
            if (state) await persist(state, key, SESSION_DRAFT_TTL_MS);
            break;
          case 'deleteDraft':
            await deleteDraft(store, study.id, key);
            break;
          case 'count':
            await count(c, e.names);
            break;
          case 'saveForLater': {
            await checkNewDraft(store, draftLimiter, {
              studyId: study.id,
              addressKey: perStudyKey(req),
              kind: 'save',
              now: new Date(now),
            });
            const code = newResumeCode();
            await persist({ ...e.state, rc: resumeHash(code) }, code, RESUME_TTL_MS);
            // The code is shown by the GET that follows, from a session-only cookie (no draft row for it).
            const expires = calendarDay(new Date(now + RESUME_TTL_MS));
            reply.setCookie(SAVED_COOKIE, `${code}.${expires}${e.state.shared ? '.s' : ''}`, {
              path: `/s/${token}`,
              httpOnly: true,
              sameSite: 'lax',
              secure: config.secureCookies,
            });
            break;
          }
          case 'submit': {
            const idem = await hashKey(study.id, formSubmissionKey(key, e.idem));
            const pre = s.state;
            try {
              const result = await submitResponse({
                store,
                study,
                loaded: s.loaded,
                answers: e.answers,
                idempotencyKey: idem,
                language: s.lang,
                referral: pre.ref !== undefined && s.wave !== null ? { code: pre.ref, wave: s.wave } : null,
                counters: ['completed'],
                draftHashes: pre.rc ? [pre.rc] : [],
                ...(pre.inv ? { invitationHash: pre.inv } : {}),
                now: new Date(now),
              });
              setEnd(reply, c, {
                kind: 'k',
                value: idem,
                ...(result.referralCode ? { ref: result.referralCode } : {}),
                ...(pre.shared ? { shared: true } : {}),
              });
            } catch (err) {
              // Closed meanwhile (the cached status may be a second old): the link's closed page.
              if (err instanceof HttpError && err.code === 'closed') {
                await cache.byToken(token, true);
                return seeOther(reply, `/s/${token}?lang=${encodeURIComponent(s.lang)}`);
              }
              // Invitation-only (or made so during this session) without a usable invitation: the kind page.
              if (!(err instanceof HttpError && err.code.startsWith('invitation_'))) throw err;
              setEnd(reply, c, {
                kind: 'i',
                value: err.code === 'invitation_invalid' ? 'invalid' : 'needed',
                ...(pre.shared ? { shared: true } : {}),
              });
              place = ENDED;
            }
            break;
          }
        }
      }
      // A preview's submit stores nothing: its end page is known from the answers.
      if (out.place.kind === 'end' && out.place.flagged !== undefined)
        setEnd(reply, c, { kind: 'f', value: out.place.flagged ? '1' : '0' });
      if (state === null) clearSession(reply, token, preview);
      return seeOther(reply, where(c, place));
    },
  );

  app.get<{ Params: { token: string }; Querystring: { lang?: string; e?: string } }>(
    '/s/:token/resume',
    { config: pageLimit },
    async (req, reply) => {
      const study = await studyFor(req, req.params.token, false);
      const loaded = cache.current(study);
      const lang = chooseLanguage(
        loaded.resolved.study.languages,
        typeof req.query.lang === 'string' ? req.query.lang : undefined,
        req.headers['accept-language'],
      );
      const c: Ctx = { token: req.params.token, study, loaded, lang, preview: false };
      if (study.status === 'closed') return send(req, reply, renderPage({ ...common(c), view: 'closed' }));
      return send(
        req,
        reply,
        renderPage({
          ...common(c),
          action: `/s/${c.token}/resume`,
          view: 'resume',
          ...(req.query.e === '1' ? { notFound: true } : {}),
        }),
      );
    },
  );

  app.post<{ Params: { token: string } }>('/s/:token/resume', { config: resumeLimit }, async (req, reply) => {
    const body = req.body;
    const token = req.params.token;
    const study = await studyFor(req, token, false);
    const current = cache.current(study);
    const lang0 = chooseLanguage(
      current.resolved.study.languages,
      formField(body, '_lang'),
      req.headers['accept-language'],
    );
    const back = `/s/${token}/resume?lang=${encodeURIComponent(lang0)}`;
    if (study.status === 'closed') return seeOther(reply, back);
    const code = normalizeResumeCode((formField(body, 'code') ?? '').slice(0, 32));
    const now = clock();
    const draft = code ? await loadDraft(store, study.id, code, new Date(now)) : undefined;
    const loaded = draft ? await cache.version(study, draft.version) : undefined;
    // Not found: the form again, saying so (the typed code is not echoed into a URL).
    if (!draft || !loaded || !code || draft.state.preview) return seeOther(reply, `${back}&e=1`);
    const lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? lang0, undefined);
    const c: Ctx = { token, study, loaded, lang, preview: false };
    const out = resume(loaded, draft.state);
    const state = out.state ? { ...out.state, rc: resumeHash(code) } : null;
    const key = newSessionKey();
    for (const e of out.effects) {
      if (e.kind === 'count') await count(c, e.names);
      else if (e.kind === 'startSession') setSession(reply, token, false, key);
      else if (e.kind === 'saveDraft' && state)
        await saveDraft(store, {
          studyId: study.id,
          key,
          state,
          version: loaded.version,
          language: lang,
          wave: draft.wave,
          pageIndex: pageIndex(loaded, state.at),
          now: new Date(now),
          ttlMs: SESSION_DRAFT_TTL_MS,
        });
    }
    // Screened out by the saved answers (the rule changed): nothing of theirs is kept.
    if (!state) await deleteDraft(store, study.id, code);
    return seeOther(reply, where(c, out.place));
  });
}
