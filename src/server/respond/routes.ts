/**
 * Respondent routes: one page at a time, fully server-rendered, no JavaScript needed; every post is answered
 * with 303 See Other and the page is a GET (redirect-after-POST), so Back, reload and double taps never
 * resubmit a form.
 *
 * | route                       | what                                                                          |
 * |-----------------------------|-------------------------------------------------------------------------------|
 * | `GET  /s/:token`            | a new start on the first page (`?lang=ur`, `?r=<referral code>`, `?i=<invitation>`, `?w=<volunteer code>` for a follow-up wave, `?preview=1` for signed-in roles) |
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
import { z } from 'zod';
import {
  advance,
  endOutcome,
  isStatelessEnd,
  nonceOf,
  type Place,
  placeId,
  present,
  presentedId,
  presentStart,
  REFERRAL_CODE,
  resume,
  type SessionState,
  scheduledClose,
  startState,
} from '../../core/respond/engine.js';
import { chooseLanguage } from '../../core/respond/language.js';
import type { FormFields } from '../../core/response/submission.js';
import type { Store, Study } from '../../store/index.js';
import { currentUser } from '../auth/guard.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { asForm, formField } from '../form.js';
import { parseParams, parseQuery, querySingle, segment, segmentForKey } from '../request.js';
import { compressBody } from './compress.js';
import { Cookies, EffectExecutor, type End } from './effects.js';
import { type LoadedStudy, StudyCache } from './load.js';
import {
  languageLinksAt,
  type RenderedPage,
  type RespondCommon,
  renderPage,
  renderPresented,
} from './render.js';
import {
  DraftLimiter,
  deleteDraft,
  isSessionKey,
  loadDraft,
  normalizeResumeCode,
  resumeHash,
} from './state.js';
import {
  INVITATION_TOKEN,
  idempotencyKeyHasher,
  invitationKey,
  referralWave,
  responseByKey,
} from './submit.js';
import { VOLUNTEER_CODE, volunteerRoutes } from './volunteer.js';

interface RespondRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly clock: () => number;
  /** The study cache shared with the JSON API and the preview (one is made when absent). */
  readonly cache?: StudyCache;
}

/** An adapter's cookies for a study link (a preview keeps its own, so it never meets the real session). */
function cookiesFor(token: string, preview: boolean, secure: boolean): Cookies {
  return new Cookies(
    {
      path: `/s/${token}`,
      session: preview ? 'nabz_sp' : 'nabz_s',
      end: preview ? 'nabz_endp' : 'nabz_end',
      saved: 'nabz_saved',
    },
    secure,
  );
}

/** What the autosave script keys a session's pages by: not the secret session key, a digest of it. */
function sessionTag(key: string): string {
  return createHash('sha256').update(`tag\n${key}`, 'utf8').digest('base64url').slice(0, 16);
}

/** The page a session that is over shows (`?p=submitted`): see the end cookie (effects.ts). */
const ENDED = 'submitted';

/** A posted respondent form: its control fields read once. */
interface Posted {
  readonly fields: FormFields;
  readonly pageId: string;
  /** `_n`: undefined for a first page (a new session). */
  readonly nonce: string | undefined;
  readonly lang: string | undefined;
  /** The language switch pressed (`_nav=lang:<tag>`): the session continues in that language. */
  readonly switchTo: string | undefined;
  readonly referral: string | undefined;
  readonly invitation: string | undefined;
  /** `_w`: a follow-up wave's personal link (the volunteer's code). */
  readonly wave: string | undefined;
  readonly shared: boolean;
}

function readPost(body: unknown): Posted {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'The form could not be read; go back and try again.', 'malformed');
  const nav = formField(body, '_nav');
  const switchTo = nav?.startsWith('lang:') ? nav.slice(5) : undefined;
  return {
    fields: asForm(body),
    pageId: formField(body, '_page') ?? '',
    nonce: formField(body, '_n'),
    lang: switchTo ?? formField(body, '_lang'),
    switchTo,
    referral: formField(body, '_r')?.toUpperCase(),
    invitation: formField(body, '_i'),
    wave: formField(body, '_w')?.toUpperCase(),
    shared: formField(body, '_shared') === '1',
  };
}

/** The link's token (`/s/:token`). */
const TokenParams = z.object({ token: segment });

/** The query values respondent pages read, each as text when given once (repeated keys are ignored). */
const PageQuery = z.object({
  lang: querySingle,
  r: querySingle,
  i: querySingle,
  w: querySingle,
  preview: querySingle,
  p: querySingle,
  e: querySingle,
});
type PageQuery = z.output<typeof PageQuery>;

export async function respondRoutes(app: FastifyInstance, opts: RespondRoutesOptions): Promise<void> {
  const { store, config, clock } = opts;
  const cache = opts.cache ?? new StudyCache(store);
  const hashKey = idempotencyKeyHasher(store, config.secret);
  const effects = new EffectExecutor(store, hashKey, new DraftLimiter(store.limits, clock), (id, what) =>
    cache.noteCollected(id, what),
  );

  const perStudyKey = (req: FastifyRequest) => `${req.ip}|${segmentForKey(req, 'token').slice(0, 64)}`;
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
    const study = await cache.linked(token, { draft: preview });
    if (preview) {
      const user = currentUser(req);
      const role = user ? await store.roles.roleOf({ userId: user.id, studyId: study.id }) : null;
      if (role === null) throw new HttpError(404, 'Study not found.', 'not_found');
      // As the studio's preview: owners and analysts design and test the questionnaire; viewers see aggregates only.
      if (role === 'viewer')
        throw new HttpError(403, 'Only the study owner and analysts can preview the study.', 'forbidden');
    }
    return study;
  }

  interface Ctx {
    readonly token: string;
    /** The request's query values. */
    readonly query: PageQuery;
    readonly study: Study;
    readonly loaded: LoadedStudy;
    readonly lang: string;
    readonly preview: boolean;
    readonly cookies: Cookies;
    /** The study is closed to this request (a preview may still go through a closed study). */
    readonly closed: boolean;
    /** The request's path and query: a page's language links are this URL in the other languages. */
    readonly here: string;
  }

  /**
   * The study of a request, its current version, the language to show and the adapter's cookies. The language
   * asked for is the posted one (`posted`), else `?lang=`; `?preview=1` counts where `previewable`.
   */
  async function contextOf(
    req: FastifyRequest,
    posted: { readonly lang: string | undefined } | null,
    previewable: boolean,
  ): Promise<Ctx> {
    const { token } = parseParams(req, TokenParams);
    const query = parseQuery(req, PageQuery);
    const requestedLang = posted ? posted.lang : query.lang;
    const preview = previewable && query.preview === '1';
    const study = await studyFor(req, token, preview);
    const loaded = cache.current(study);
    const lang = chooseLanguage(
      loaded.resolved.study.languages,
      requestedLang,
      req.headers['accept-language'],
    );
    const cookies = cookiesFor(token, preview, config.secureCookies);
    // Closed by its owner, or by its own close date or quota (evaluated now; the same page either way).
    const closed =
      !preview &&
      (study.status === 'closed' ||
        (await scheduledClose(loaded, new Date(clock()), () => cache.collected(study.id))) !== undefined);
    return { token, query, study, loaded, lang, preview, cookies, closed, here: req.url };
  }

  /** A live session: the cookie's draft, with the version and language it was started in. */
  interface Session {
    readonly key: string;
    readonly state: SessionState;
    readonly loaded: LoadedStudy;
    readonly lang: string;
    readonly wave: number | null;
  }

  async function sessionOf(req: FastifyRequest, c: Ctx): Promise<Session | undefined> {
    const key = c.cookies.session(req);
    if (!isSessionKey(key)) return undefined;
    const draft = await loadDraft(store, c.study.id, key, new Date(clock()));
    if (!draft || (draft.state.preview === true) !== c.preview) return undefined;
    const loaded = await cache.version(c.study, draft.version);
    if (!loaded) return undefined;
    const lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? undefined, undefined);
    return { key, state: draft.state, loaded, lang, wave: draft.wave };
  }

  /**
   * The session a post continues (`_n` posted), or a new one (a first page: the referral and invitation it
   * came with); else where to go instead (the session is over or expired; no usable invitation).
   */
  async function sessionFor(req: FastifyRequest, c: Ctx, p: Posted): Promise<Session | string> {
    if (p.nonce !== undefined) {
      const live = await sessionOf(req, c);
      // No session: it is over (a double tap on the final submit) or expired.
      return live ?? where(c, c.cookies.end(req) ? ENDED : 'expired');
    }
    const referral = c.preview ? null : await referralWave(store, c.study.id, p.referral);
    const invitation = await invitationFor(c, p.invitation);
    if (invitation.reason) {
      const i = p.invitation && INVITATION_TOKEN.test(p.invitation) ? `&i=${p.invitation}` : '';
      return `/s/${c.token}?lang=${encodeURIComponent(c.lang)}${i}`;
    }
    const panel = await panelFor(c, p.wave);
    // No usable wave link: the link's start page says why.
    if (panel.reason) return `/s/${c.token}?lang=${encodeURIComponent(c.lang)}${waveQuery(p.wave)}`;
    const state = startState(c.loaded.flow, {
      ...(referral ? { ref: referral.code } : {}),
      ...(invitation.hash ? { inv: invitation.hash } : {}),
      ...(panel.id ? { panel: panel.id } : {}),
      preview: c.preview,
      shared: p.shared,
    });
    return { key: '', state, loaded: c.loaded, lang: c.lang, wave: referral?.wave ?? null };
  }

  /** Where a place is shown: `/s/<token>?p=<page>&lang=<lang>` (the session itself is in the cookie). */
  const where = (c: Ctx, p: Place | string) =>
    `/s/${c.token}?p=${encodeURIComponent(typeof p === 'string' ? p : placeId(p))}&lang=${encodeURIComponent(c.lang)}${c.preview ? '&preview=1' : ''}`;

  /**
   * What every page of a link shows. The language switch (a study in several languages): on a session's page
   * or review, and on a first page with questions (`buttons`), buttons that post its form (the answers typed are
   * kept; the session continues in the language chosen); on every other page (a first consent page, end pages,
   * the resume form, closed, expired) links to the same URL in the other languages.
   */
  function common(
    c: Ctx,
    extra: {
      state?: SessionState;
      key?: string;
      ref?: string;
      inv?: string;
      w?: string;
      buttons?: boolean;
    } = {},
  ): RespondCommon {
    // The form posts to a URL with its language, so an error page for a body never read (413, 429) has it too.
    const q = `?lang=${encodeURIComponent(c.lang)}${c.preview ? '&preview=1' : ''}`;
    const languages = c.loaded.resolved.study.languages;
    const hidden: Record<string, string> = { _lang: c.lang };
    if (extra.state?.shared) hidden._shared = '1';
    if (extra.state && extra.key) {
      hidden._t = sessionTag(extra.key);
      hidden._n = nonceOf(extra.state);
    } else {
      if (extra.ref) hidden._r = extra.ref;
      if (extra.inv) hidden._i = extra.inv;
      if (extra.w) hidden._w = extra.w;
    }
    const buttons = extra.buttons === true || (extra.state !== undefined && extra.key !== undefined);
    const links = buttons ? undefined : languageLinksAt(c.here, languages);
    return {
      resolved: c.loaded.resolved,
      lang: c.lang,
      ...(c.study.waveOf !== null ? { wave: true } : {}),
      action: `/s/${c.token}${q}`,
      hidden,
      ...(buttons && languages.length > 1 ? { languageButtons: languages } : {}),
      ...(links ? { languageLinks: links } : {}),
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

  /**
   * A follow-up wave (src/store/waves.ts): the panel id of a personal wave link (`?w=` / `_w`, the volunteer's
   * code), or why it cannot be used: none given, not one the wave was sent to, or answered already. Other
   * studies and previews need none.
   */
  async function panelFor(
    c: Ctx,
    code: string | undefined,
  ): Promise<{ id?: string; reason?: 'needed' | 'invalid' | 'answered' }> {
    if (c.study.waveOf === null || c.preview) return {};
    if (code === undefined || !VOLUNTEER_CODE.test(code)) return { reason: code ? 'invalid' : 'needed' };
    const id = await store.waves.panelId(c.study.waveOf, code);
    const state = await store.waves.state(c.study.id, id);
    if (state === 'invited') return { id };
    return { reason: state === 'answered' ? 'answered' : 'invalid' };
  }
  const waveQuery = (code: string | undefined) =>
    code && VOLUNTEER_CODE.test(code) ? `&w=${encodeURIComponent(code)}` : '';

  /**
   * The end page of a session that is over: the support page when a safety rule fires on the stored answers
   * (looked up by the response's hashed key: no flag is kept anywhere), else thanks with the respondent's
   * referral link; or the invitation page. On a shared phone it is shown once (the cookie is cleared).
   */
  async function endPage(reply: FastifyReply, c: Ctx, end: End): Promise<RenderedPage> {
    const plain = common(c);
    if (end.shared) c.cookies.clear(reply, c.cookies.names.end);
    if (end.kind === 'i') return renderPage({ ...plain, view: 'invitation', reason: end.value as 'needed' });
    if (end.kind === 'w') return renderPage({ ...plain, view: 'wave', reason: end.value as 'needed' });
    let flagged = end.value === '1';
    let offer = false;
    if (end.kind === 'k') {
      const prior = await responseByKey(store, c.study.id, end.value);
      const loaded = prior ? ((await cache.version(c.study, prior.version)) ?? c.loaded) : c.loaded;
      const outcome = prior && endOutcome(loaded, prior.answers);
      flagged = outcome?.flagged ?? false;
      offer = outcome !== undefined && !end.shared && outcome.offer !== null;
    }
    // Eligible for the follow-up: a link to the separate volunteer page (never on a shared phone's one-time end).
    const volunteer = offer
      ? { volunteerHref: `/s/${c.token}/volunteer?lang=${encodeURIComponent(c.lang)}` }
      : {};
    if (flagged) return renderPage({ ...plain, view: 'support', ...volunteer });
    return renderPage({
      ...plain,
      view: 'thanks',
      ...volunteer,
      ...(end.ref
        ? { referralLink: `${config.publicUrl}/s/${c.token}?r=${encodeURIComponent(end.ref)}` }
        : {}),
    });
  }

  /** The resume code just saved (from its cookie; reload shows it again, except on a shared phone). */
  function savedPage(req: FastifyRequest, reply: FastifyReply, c: Ctx): RenderedPage {
    const saved = c.cookies.saved(req, reply);
    if (!saved) return expired(c);
    return renderPage({
      ...common(c),
      view: 'resume-code',
      ...saved,
      continueHref: `/s/${c.token}/resume?lang=${encodeURIComponent(c.lang)}`,
    });
  }

  const expired = (c: Ctx) => {
    const languageLinks = languageLinksAt(c.here, c.loaded.resolved.study.languages);
    return renderPage({
      view: 'error',
      kind: 'expired',
      lang: c.lang,
      resolved: c.loaded.resolved,
      ...(languageLinks ? { languageLinks } : {}),
    });
  };

  /** `?p=`: a page of the session, or the end of a session that is over (reload, Back). */
  async function sessionPage(
    req: FastifyRequest,
    reply: FastifyReply,
    c: Ctx,
    p: string,
  ): Promise<FastifyReply> {
    if (isStatelessEnd(p)) return send(req, reply, renderPage({ ...common(c), view: p }));
    if (p === 'saved') return send(req, reply, savedPage(req, reply, c));
    const s = await sessionOf(req, c);
    if (!s) {
      // A session that is over shows its end on every page of it (reload, Back to the review).
      const end = c.cookies.end(req);
      if (!end) return send(req, reply, expired(c));
      if (p !== ENDED) return seeOther(reply, where(c, ENDED));
      return send(req, reply, await endPage(reply, c, end));
    }
    const sc: Ctx = { ...c, loaded: s.loaded, lang: s.lang };
    const shown = present(s.loaded, s.state, p);
    if (presentedId(shown) !== p) return seeOther(reply, where(sc, presentedId(shown)));
    const base = common(sc, { state: s.state, key: s.key });
    return send(req, reply, renderPresented(base, s.loaded.flow, shown, randomUUID()));
  }

  /** The link itself: always a new start (a session in the cookie is another person's on a shared phone). */
  async function startPage(req: FastifyRequest, reply: FastifyReply, c: Ctx): Promise<FastifyReply> {
    const r = c.query.r?.toUpperCase();
    const ref = r && REFERRAL_CODE.test(r) ? r : undefined;
    const inv = c.query.i;
    const invitation = await invitationFor(c, inv);
    if (invitation.reason)
      return send(req, reply, renderPage({ ...common(c), view: 'invitation', reason: invitation.reason }));
    const w = c.query.w?.toUpperCase();
    const panel = await panelFor(c, w);
    if (panel.reason)
      return send(req, reply, renderPage({ ...common(c), view: 'wave', reason: panel.reason }));
    const first = presentStart(c.loaded);
    // A first page with questions switches language by posting its form (what was typed is kept: the switch
    // opens the session); the consent page, with nothing typed, by links.
    const base = common(c, {
      ...(ref ? { ref } : {}),
      ...(invitation.hash && inv ? { inv } : {}),
      ...(panel.id && w ? { w } : {}),
      buttons: first?.kind === 'page' && first.page.kind !== 'consent',
    });
    return send(
      req,
      reply,
      first ? renderPresented(base, c.loaded.flow, first) : renderPage({ ...base, view: 'ineligible' }),
    );
  }

  app.get('/s/:token', { config: pageLimit }, async (req, reply) => {
    const c = await contextOf(req, null, true);
    const p = c.query.p?.slice(0, 40);
    if (c.closed) {
      // A session that ended here still shows its end (thank-you, support) once the study is closed: the
      // response that took the quota's last place is answered with its own page, not the closed one.
      const end = p === undefined ? undefined : c.cookies.end(req);
      if (!end) return send(req, reply, renderPage({ ...common(c), view: 'closed' }));
      if (p !== ENDED) return seeOther(reply, where(c, ENDED));
      return send(req, reply, await endPage(reply, c, end));
    }
    return p === undefined ? startPage(req, reply, c) : sessionPage(req, reply, c, p);
  });

  app.post('/s/:token', { config: pageLimit }, async (req, reply) => {
    const posted = readPost(req.body);
    const c0 = await contextOf(req, posted, true);
    if (c0.closed) return seeOther(reply, where(c0, 'closed'));
    const s = await sessionFor(req, c0, posted);
    if (typeof s === 'string') return seeOther(reply, s);
    // The language switch: the session goes on in the language chosen (kept with its draft from now on).
    const lang = posted.switchTo
      ? chooseLanguage(s.loaded.resolved.study.languages, posted.switchTo, undefined)
      : s.lang;
    const c: Ctx = { ...c0, loaded: s.loaded, lang };
    const { pageId, fields, nonce } = posted;
    const out = advance(s.loaded, { state: s.state, isNew: !s.key }, { pageId, fields, nonce, lang });
    if (out.ignored && !s.key) return seeOther(reply, where(c, 'expired'));
    const done = await effects.run(out.effects, {
      study: c.study,
      loaded: s.loaded,
      lang,
      now: new Date(clock()),
      reply,
      session: { key: s.key, before: s.state, after: out.state, wave: s.wave, cookies: c.cookies },
      ...(c.preview ? {} : { addressKey: perStudyKey(req) }),
    });
    if (done.closed) {
      await cache.byToken(c.token, true);
      return seeOther(reply, `/s/${c.token}?lang=${encodeURIComponent(lang)}`);
    }
    // A preview's submit stores nothing: its end page is known from the answers.
    if (out.place.kind === 'end' && out.place.flagged !== undefined)
      c.cookies.setEnd(reply, { kind: 'f', value: out.place.flagged ? '1' : '0' });
    if (out.state === null) c.cookies.clear(reply, c.cookies.names.session);
    return seeOther(reply, where(c, done.noInvitation ? ENDED : out.place));
  });

  app.get('/s/:token/resume', { config: pageLimit }, async (req, reply) => {
    const c = await contextOf(req, null, false);
    if (c.closed) return send(req, reply, renderPage({ ...common(c), view: 'closed' }));
    return send(
      req,
      reply,
      renderPage({
        ...common(c),
        action: `/s/${c.token}/resume?lang=${encodeURIComponent(c.lang)}`,
        view: 'resume',
        ...(c.query.e === '1' ? { notFound: true } : {}),
      }),
    );
  });

  app.post('/s/:token/resume', { config: resumeLimit }, async (req, reply) => {
    const c0 = await contextOf(req, { lang: formField(req.body, '_lang') }, false);
    const back = `/s/${c0.token}/resume?lang=${encodeURIComponent(c0.lang)}`;
    if (c0.closed) return seeOther(reply, back);
    const code = normalizeResumeCode((formField(req.body, 'code') ?? '').slice(0, 32));
    const now = new Date(clock());
    const draft = code ? await loadDraft(store, c0.study.id, code, now) : undefined;
    const loaded = draft ? await cache.version(c0.study, draft.version) : undefined;
    // Not found: the form again, saying so (the typed code is not echoed into a URL).
    if (!draft || !loaded || !code || draft.state.preview) return seeOther(reply, `${back}&e=1`);
    const lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? c0.lang, undefined);
    const c: Ctx = { ...c0, loaded, lang };
    const out = resume(loaded, draft.state, resumeHash(code));
    await effects.run(out.effects, {
      study: c.study,
      loaded,
      lang,
      now,
      reply,
      session: { key: '', before: draft.state, after: out.state, wave: draft.wave, cookies: c.cookies },
    });
    // Screened out by the saved answers (the rule changed): nothing of theirs is kept.
    if (!out.state) await deleteDraft(store, c.study.id, code);
    return seeOther(reply, where(c, out.place));
  });

  await volunteerRoutes(app, { store, config, cache, send, seeOther, resumeLimit, cookiesFor });
}
