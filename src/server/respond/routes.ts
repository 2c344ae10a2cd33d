/**
 * Respondent routes: one page at a time, fully server-rendered, no JavaScript needed.
 *
 * | route                       | what                                                                          |
 * |-----------------------------|-------------------------------------------------------------------------------|
 * | `GET  /s/:token`            | first page (`?lang=ur`, `?r=<referral code>`, `?i=<invitation>`, `?preview=1` for signed-in roles) |
 * | `POST /s/:token`            | submit the page named by `_page` with the button `_nav` (next/back/save/submit/goto:<page>) |
 * | `GET  /s/:token/resume`     | the resume-code form                                                          |
 * | `POST /s/:token/resume`     | continue from a resume code (`code`)                                          |
 *
 * State between pages lives in a draft row keyed by the hidden `_s` field (see state.ts). Respondent pages
 * carry no cookies and no CSRF token: there is no session to protect, and a forged post could only do what
 * anyone with the link can do. Every page is sent with RESPOND_HEADERS (CSP: nothing from anywhere else) and
 * compressed. Nothing about the request (address, user agent, time of day) is stored or logged.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type Answer,
  CONTROL_FIELDS,
  type FieldError,
  type FormFields,
  parseNav,
  parsePageSubmission,
  validateResponse,
} from '../../core/response/submission.js';
import { pickLanguage } from '../../core/study/i18n.js';
import {
  applySkipLogic,
  type FlowPage,
  findPage,
  firstStep,
  isPageShown,
  nextStep,
  previousPage,
  resumeStep,
  type Step,
} from '../../core/study/pages.js';
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
  type FlowState,
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
  draftHash,
  formSubmissionKey,
  IDEMPOTENCY_KEY,
  INVITATION_TOKEN,
  idempotencyKeyHasher,
  invitationKey,
  REFERRAL_CODE,
  referralWave,
  responseByKey,
  safetyFlagged,
  submitResponse,
} from './submit.js';

export interface RespondRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly clock: () => number;
}

/**
 * Control fields a respondent form may carry: the renderer's, plus `_r` (referral code before a session exists),
 * `_i` (invitation token before a session exists) and `_shared` (a shared device: nothing kept in the browser).
 */
const RESPOND_CONTROLS: readonly string[] = [...CONTROL_FIELDS, '_r', '_i', '_shared'];

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

function counterForPage(pageId: string): string {
  return `page_${pageId.toLowerCase()}`;
}

function pageIndex(loaded: LoadedStudy, at: string): number {
  const i = loaded.flow.pages.findIndex((p) => p.id === at);
  return i >= 0 ? i : loaded.flow.pages.length;
}

export async function respondRoutes(app: FastifyInstance, opts: RespondRoutesOptions): Promise<void> {
  const { store, config, clock } = opts;
  const cache = new StudyCache(store);
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

  /**
   * The study behind a link, or an HttpError: 404 for an unknown token, for a draft study (unless a signed-in
   * owner or analyst previews it) and for a preview by someone without a role; 403 for a viewer's preview.
   */
  async function studyFor(req: FastifyRequest, token: string, preview: boolean): Promise<Study> {
    if (!PUBLIC_TOKEN.test(token)) throw new HttpError(404, 'Study not found.', 'not_found');
    const study = await store.studies.byPublicToken(token);
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
    /** A shared device (see FlowState.shared). */
    readonly shared?: boolean;
  }

  function common(
    c: Ctx,
    extra: { key?: string; ref?: string; inv?: string; languageLinks?: boolean } = {},
  ): RespondCommon {
    const q = c.preview ? '?preview=1' : '';
    const languages = c.loaded.resolved.study.languages;
    const hidden: Record<string, string> = { _lang: c.lang };
    if (c.shared) hidden._shared = '1';
    if (extra.key) hidden._s = extra.key;
    else {
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

  /** Render a step (a page, the review, or the ineligible end) for a session. */
  function renderStep(
    c: Ctx,
    step: Step | { kind: 'page'; page: FlowPage },
    answers: Readonly<Record<string, Answer>>,
    extra: {
      key?: string;
      ref?: string;
      inv?: string;
      languageLinks?: boolean;
      fields?: FormFields;
      errors?: readonly FieldError[];
    },
  ): RenderedPage {
    const base = common(c, extra);
    if (step.kind === 'ineligible') return renderPage({ ...base, view: 'ineligible' });
    if (step.kind === 'review') {
      return renderPage({
        ...base,
        view: 'review',
        flow: c.loaded.flow,
        answers,
        idempotencyKey: randomUUID(),
        ...(extra.errors ? { errors: extra.errors } : {}),
      });
    }
    return renderPage({
      ...base,
      view: 'page',
      flow: c.loaded.flow,
      pageId: step.page.id,
      answers,
      ...(extra.fields ? { fields: extra.fields } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
    });
  }

  /** The page shown after a stored (or previewed) response: support contacts when a safety rule fires, else thanks. */
  function resultPage(c: Ctx, flagged: boolean, referralCode: string | undefined): RenderedPage {
    const base = common(c);
    if (flagged) return renderPage({ ...base, view: 'support' });
    return renderPage({
      ...base,
      view: 'thanks',
      ...(referralCode
        ? { referralLink: `${config.publicUrl}/s/${c.token}?r=${encodeURIComponent(referralCode)}` }
        : {}),
    });
  }

  /**
   * Invitation-only studies: the keyed hash of an unused invitation token, or the page to show instead (an
   * invitation is needed, or this one was used). Open studies and previews need none (undefined, no page).
   */
  async function invitationFor(
    c: Ctx,
    token: string | undefined,
  ): Promise<{ hash?: string; page?: RenderedPage }> {
    if (!c.study.invitationOnly || c.preview) return {};
    const valid = token !== undefined && INVITATION_TOKEN.test(token) ? token : undefined;
    const hash = valid === undefined ? undefined : await hashKey(c.study.id, invitationKey(valid));
    if (hash !== undefined && (await store.inviteLinks.isUnused(c.study.id, hash))) return { hash };
    return {
      page: renderPage({
        ...common(c),
        view: 'invitation',
        reason: token === undefined ? 'needed' : 'invalid',
      }),
    };
  }

  async function count(c: Ctx, names: readonly string[]): Promise<void> {
    if (c.preview) return;
    const now = new Date(clock());
    for (const name of names) await store.counters.increment({ studyId: c.study.id, name, now });
  }

  app.get<{
    Params: { token: string };
    Querystring: { lang?: string; r?: string; i?: string; preview?: string };
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
    const r = typeof req.query.r === 'string' ? req.query.r.toUpperCase() : undefined;
    const ref = r && REFERRAL_CODE.test(r) ? r : undefined;
    const inv = typeof req.query.i === 'string' ? req.query.i : undefined;
    const invitation = await invitationFor(c, inv);
    if (invitation.page) return send(req, reply, invitation.page);
    return send(
      req,
      reply,
      renderStep(
        c,
        firstStep(loaded.flow),
        {},
        { ...(ref ? { ref } : {}), ...(invitation.hash && inv ? { inv } : {}), languageLinks: true },
      ),
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
      const postedLang = formField(body, '_lang');
      const pageId = formField(body, '_page') ?? '';
      const nav = parseNav(fields);
      const key = formField(body, '_s');
      const idem = formField(body, '_idem');

      // A repeated final submit (double tap, retry after a lost reply): the same result page, never a second
      // response. The stored key is a hash of the page's key AND the session key, so only the browser that
      // holds this session can be answered with this response's result page.
      const isFinalSubmit =
        !preview &&
        pageId === 'review' &&
        nav?.kind === 'submit' &&
        idem !== undefined &&
        IDEMPOTENCY_KEY.test(idem) &&
        isSessionKey(key);
      const storedKey = isFinalSubmit ? await hashKey(study.id, formSubmissionKey(key, idem)) : undefined;
      const priorResult = async (): Promise<FastifyReply | undefined> => {
        if (storedKey === undefined) return undefined;
        const prior = await responseByKey(store, study.id, storedKey);
        if (!prior) return undefined;
        const stored = await store.responses.byId(prior.id);
        const loaded = (await cache.version(study, prior.version)) || cache.current(study);
        const lang = chooseLanguage(
          loaded.resolved.study.languages,
          stored?.language ?? postedLang,
          undefined,
        );
        const c: Ctx = { token, study, loaded, lang, preview };
        if (key && isSessionKey(key)) await deleteDraft(store, study.id, key).catch(() => undefined);
        return send(req, reply, resultPage(c, safetyFlagged(loaded, prior.answers), undefined));
      };
      const repeated = await priorResult();
      if (repeated) return repeated;

      const current = cache.current(study);
      const expired = (lang: string) =>
        send(req, reply, renderPage({ view: 'error', kind: 'expired', lang, resolved: current.resolved }));
      const fallbackLang = chooseLanguage(
        current.resolved.study.languages,
        postedLang,
        req.headers['accept-language'],
      );
      if (study.status === 'closed' && !preview) {
        return send(
          req,
          reply,
          renderPage({
            ...common({ token, study, loaded: current, lang: fallbackLang, preview }),
            view: 'closed',
          }),
        );
      }

      // The session: an existing draft, or a new one when the first page is posted.
      let state: FlowState;
      let loaded: LoadedStudy;
      let lang: string;
      let wave: number | null;
      let sessionKey: string;
      let isNew = false;
      if (key !== undefined && key !== '') {
        if (!isSessionKey(key)) return expired(fallbackLang);
        const draft = await loadDraft(store, study.id, key, new Date(now));
        if (!draft || (draft.state.preview === true) !== preview) {
          // The draft may have just been deleted by a concurrent submit of this same form.
          return (await priorResult()) ?? expired(fallbackLang);
        }
        const l = await cache.version(study, draft.version);
        if (!l) return expired(fallbackLang);
        loaded = l;
        state = draft.state;
        wave = draft.wave;
        lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? undefined, undefined);
        sessionKey = key;
      } else {
        loaded = current;
        const first = firstStep(loaded.flow);
        const firstId = first.kind === 'page' ? first.page.id : 'review';
        if (pageId !== firstId) return expired(fallbackLang);
        const r = formField(body, '_r')?.toUpperCase();
        const referral = preview ? null : await referralWave(store, study.id, r);
        const invitation = await invitationFor(
          { token, study, loaded, lang: fallbackLang, preview },
          formField(body, '_i'),
        );
        if (invitation.page) return send(req, reply, invitation.page);
        state = {
          v: 1,
          answers: {},
          seen: [firstId],
          at: firstId,
          ...(referral ? { ref: referral.code } : {}),
          ...(invitation.hash ? { inv: invitation.hash } : {}),
          ...(preview ? { preview: true as const } : {}),
          ...(formField(body, '_shared') === '1' ? { shared: true as const } : {}),
        };
        wave = referral?.wave ?? null;
        lang = fallbackLang;
        sessionKey = newSessionKey();
        isNew = true;
      }
      const c: Ctx = { token, study, loaded, lang, preview, shared: state.shared === true };
      const flow = loaded.flow;

      const persist = async (next: FlowState) => {
        await saveDraft(store, {
          studyId: study.id,
          key: sessionKey,
          state: next,
          version: loaded.version,
          language: lang,
          wave,
          pageIndex: pageIndex(loaded, next.at),
          now: new Date(now),
          ttlMs: SESSION_DRAFT_TTL_MS,
        });
      };
      /** Move the session to a step, counting pages reached for the first time, and render it. */
      const goTo = async (
        step: Step,
        answers: Readonly<Record<string, Answer>>,
        counters: string[] = [],
      ): Promise<FastifyReply> => {
        if (step.kind === 'ineligible') {
          if (!isNew) await deleteDraft(store, study.id, sessionKey);
          await count(c, [...(isNew ? ['started'] : []), ...counters, 'screened_out']);
          return send(req, reply, renderStep(c, step, {}, {}));
        }
        const at = step.kind === 'review' ? 'review' : step.page.id;
        if (isNew && !preview)
          await checkNewDraft(store, draftLimiter, {
            studyId: study.id,
            addressKey: perStudyKey(req),
            kind: 'session',
            now: new Date(now),
          });
        const firstVisit = !state.seen.includes(at);
        const next: FlowState = {
          ...state,
          answers,
          at,
          seen: firstVisit ? [...state.seen, at] : state.seen,
        };
        await persist(next);
        const names = [...(isNew ? ['started', counterForPage(state.at)] : []), ...counters];
        if (firstVisit) names.push(counterForPage(at));
        await count(c, names);
        return send(req, reply, renderStep(c, step, answers, { key: sessionKey }));
      };
      const saveForLater = async (
        answers: Readonly<Record<string, Answer>>,
        at: string,
      ): Promise<FastifyReply> => {
        await checkNewDraft(store, draftLimiter, {
          studyId: study.id,
          addressKey: perStudyKey(req),
          kind: 'save',
          now: new Date(now),
        });
        const code = newResumeCode();
        const saved: FlowState = { ...state, answers, at, rc: resumeHash(code) };
        await saveDraft(store, {
          studyId: study.id,
          key: code,
          state: saved,
          version: loaded.version,
          language: lang,
          wave,
          pageIndex: pageIndex(loaded, at),
          now: new Date(now),
          ttlMs: RESUME_TTL_MS,
        });
        if (!isNew) await deleteDraft(store, study.id, sessionKey);
        if (isNew) await count(c, ['started', counterForPage(state.at)]);
        return send(
          req,
          reply,
          renderPage({
            ...common(c),
            view: 'resume-code',
            code,
            expires: calendarDay(new Date(now + RESUME_TTL_MS)),
            continueHref: `/s/${token}/resume?lang=${encodeURIComponent(lang)}`,
          }),
        );
      };

      // The review page: submit, go back, change a page, or save.
      if (pageId === 'review') {
        if (!state.seen.includes('review')) return expired(lang);
        const answers = state.answers;
        if (!nav) return send(req, reply, renderStep(c, { kind: 'review' }, answers, { key: sessionKey }));
        if (nav.kind === 'back') {
          const prev = previousPage(flow, 'review', answers);
          return goTo(prev ? { kind: 'page', page: prev } : { kind: 'review' }, answers);
        }
        if (nav.kind === 'goto') {
          const target = findPage(flow, nav.page);
          if (!target || !state.seen.includes(target.id)) return goTo({ kind: 'review' }, answers);
          return goTo({ kind: 'page', page: target }, answers);
        }
        if (nav.kind === 'save') return saveForLater(answers, 'review');
        // submit (or next)
        if (!idem || !IDEMPOTENCY_KEY.test(idem)) {
          return send(
            req,
            reply,
            renderPage({ view: 'error', kind: 'bad_request', lang, resolved: loaded.resolved }),
          );
        }
        const v = validateResponse(loaded.resolved, answers, { flow, lang });
        if (!v.ok) {
          const errors: FieldError[] = v.issues.map((i) => ({
            field: i.path,
            code: 'required',
            message: i.message,
          }));
          return send(req, reply, renderStep(c, { kind: 'review' }, answers, { key: sessionKey, errors }));
        }
        if (preview) {
          await deleteDraft(store, study.id, sessionKey);
          return send(req, reply, resultPage(c, safetyFlagged(loaded, v.value), undefined));
        }
        const result = await submitResponse({
          store,
          study,
          loaded,
          answers: v.value,
          idempotencyKey: await hashKey(study.id, formSubmissionKey(sessionKey, idem)),
          language: lang,
          referral: state.ref !== undefined && wave !== null ? { code: state.ref, wave } : null,
          counters: ['completed'],
          draftHashes: [draftHash(sessionKey), ...(state.rc ? [state.rc] : [])],
          ...(state.inv ? { invitationHash: state.inv } : {}),
          now: new Date(now),
        }).catch((err: unknown) => {
          // Invitation-only (or made so during this session) without a usable invitation: the kind page.
          if (err instanceof HttpError && err.code.startsWith('invitation_'))
            return renderPage({
              ...common(c),
              view: 'invitation',
              reason: err.code === 'invitation_invalid' ? 'invalid' : 'needed',
            });
          throw err;
        });
        if ('body' in result) return send(req, reply, result);
        return send(req, reply, resultPage(c, result.flagged, result.referralCode));
      }

      // A content, screening or consent page.
      const page = findPage(flow, pageId);
      if (!page || !state.seen.includes(page.id)) {
        // Not a page this respondent has reached: show where they are.
        const at = findPage(flow, state.at);
        if (isNew) return expired(lang);
        return send(
          req,
          reply,
          renderStep(c, at ? { kind: 'page', page: at } : { kind: 'review' }, state.answers, {
            key: sessionKey,
          }),
        );
      }
      const sub = parsePageSubmission(flow, page, fields, state.answers, {
        lang,
        controlFields: RESPOND_CONTROLS,
      });
      const merged = applySkipLogic(flow, { ...state.answers, ...sub.answers });
      const reRender = (status?: number) => {
        const rendered = renderStep(c, { kind: 'page', page }, state.answers, {
          ...(isNew
            ? { ...(state.ref ? { ref: state.ref } : {}), languageLinks: true }
            : { key: sessionKey }),
          fields,
          errors: sub.errors,
        });
        return send(req, reply, status ? { ...rendered, status } : rendered);
      };

      if (page.kind === 'consent' && sub.consent === 'decline') {
        if (!isNew) await deleteDraft(store, study.id, sessionKey);
        await count(c, ['declined']);
        return send(req, reply, renderPage({ ...common(c), view: 'declined' }));
      }

      switch (sub.nav.kind) {
        case 'back': {
          const prev = previousPage(flow, page.id, merged);
          return goTo({ kind: 'page', page: prev ?? page }, merged);
        }
        case 'goto': {
          const target = findPage(flow, sub.nav.page);
          return goTo(
            target && state.seen.includes(target.id)
              ? { kind: 'page', page: target }
              : { kind: 'page', page },
            merged,
          );
        }
        case 'save':
          return saveForLater(merged, page.id);
        default: {
          if (!sub.ok) return reRender();
          return goTo(nextStep(flow, page.id, merged), merged);
        }
      }
    },
  );

  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>(
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
      return send(req, reply, renderPage({ ...common(c), action: `/s/${c.token}/resume`, view: 'resume' }));
    },
  );

  app.post<{ Params: { token: string } }>('/s/:token/resume', { config: resumeLimit }, async (req, reply) => {
    const body = req.body;
    const study = await studyFor(req, req.params.token, false);
    const current = cache.current(study);
    const lang0 = chooseLanguage(
      current.resolved.study.languages,
      formField(body, '_lang'),
      req.headers['accept-language'],
    );
    const c0: Ctx = { token: req.params.token, study, loaded: current, lang: lang0, preview: false };
    if (study.status === 'closed') return send(req, reply, renderPage({ ...common(c0), view: 'closed' }));
    const typed = (formField(body, 'code') ?? '').slice(0, 32);
    const code = normalizeResumeCode(typed);
    const now = clock();
    const draft = code ? await loadDraft(store, study.id, code, new Date(now)) : undefined;
    const loaded = draft ? await cache.version(study, draft.version) : undefined;
    if (!draft || !loaded || !code || draft.state.preview) {
      return send(
        req,
        reply,
        renderPage({
          ...common(c0),
          action: `/s/${c0.token}/resume`,
          view: 'resume',
          notFound: true,
          code: typed,
        }),
      );
    }
    const lang = chooseLanguage(loaded.resolved.study.languages, draft.language ?? lang0, undefined);
    const c: Ctx = {
      token: req.params.token,
      study,
      loaded,
      lang,
      preview: false,
      shared: draft.state.shared === true,
    };
    // Continue on the page where the respondent saved, if it is still shown; otherwise at the first unanswered page.
    const savedAt = draft.state.at === 'review' ? undefined : findPage(loaded.flow, draft.state.at);
    const step: Step =
      draft.state.at === 'review'
        ? { kind: 'review' }
        : savedAt && isPageShown(savedAt, draft.state.answers)
          ? { kind: 'page', page: savedAt }
          : resumeStep(loaded.flow, draft.state.answers);
    if (step.kind === 'ineligible') {
      await deleteDraft(store, study.id, code);
      await count(c, ['screened_out']);
      return send(req, reply, renderStep(c, step, {}, {}));
    }
    const at = step.kind === 'review' ? 'review' : step.page.id;
    const key = newSessionKey();
    const state: FlowState = {
      ...draft.state,
      at,
      seen: draft.state.seen.includes(at) ? draft.state.seen : [...draft.state.seen, at],
      rc: resumeHash(code),
    };
    await saveDraft(store, {
      studyId: study.id,
      key,
      state,
      version: loaded.version,
      language: lang,
      wave: draft.wave,
      pageIndex: pageIndex(loaded, at),
      now: new Date(now),
      ttlMs: SESSION_DRAFT_TTL_MS,
    });
    await count(c, ['resumed']);
    return send(req, reply, renderStep(c, step, state.answers, { key }));
  });
}
