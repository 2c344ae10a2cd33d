/**
 * Preview: the study exactly as a respondent sees it — the same engine (src/core/respond/engine.ts), the same
 * `renderPage` with the same flow, headers and Content Security Policy — in each of its languages, before (and
 * after) launch. The researcher moves through the pages, sees validation messages, the review page and the end
 * pages (thank-you, support contacts after a safety rule, screened out, declined); nothing is stored as a
 * response or counted. As for respondents, every post is answered with 303 and the page is a GET; the session
 * is a draft row marked `preview`, keyed by a random token in an HttpOnly cookie scoped to the preview path,
 * so nothing the browser sends is trusted as answers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  advance,
  nonceOf,
  type Place,
  placeId,
  present,
  presentedId,
  type SessionState,
  startState,
} from '../../core/respond/engine.js';
import { pickLanguage } from '../../core/study/i18n.js';
import { firstStep } from '../../core/study/pages.js';
import { ROLES } from '../auth/guard.js';
import { asForm } from '../form.js';
import { parseQuery, queryText } from '../request.js';
import { Cookies, EffectExecutor } from '../respond/effects.js';
import { type RenderedPage, type RespondCommon, renderPage, renderPresented } from '../respond/index.js';
import type { LoadedStudy, StudyCache } from '../respond/load.js';
import { DraftLimiter, deleteDraft, isSessionKey, loadDraft } from '../respond/state.js';
import { idempotencyKeyHasher } from '../respond/submit.js';
import { html } from '../ui/html.js';
import { checkedOf, loadStudy, page, type StudioContext, type StudyRequest, seeOther } from './common.js';
import { issuesHtml } from './layout.js';

const COOKIE = 'nabz_preview';
/** `?lang=` (a study language), `?page=` (a page id, "review" or an end), `?restart` (start again). */
const PREVIEW_QUERY = z.object({ lang: queryText, page: queryText, restart: queryText });
/** Pages shown without a session: the ends that keep nothing. */
const STATIC_ENDS = new Set(['declined', 'ineligible', 'saved', 'thanks', 'support']);

/**
 * The preview notice, placed before the respondent page's own header and styled like it (`.pv` in
 * respond.css): a complementary landmark, not a second `<header>` (one banner per page). Like every studio
 * page it starts with "Skip to content" (a visible link here: the respondent stylesheet has no rule to hide it
 * until focused), to the respondent page's `<main>`.
 */
function withBanner(p: RenderedPage, studyId: number, lang: string): RenderedPage {
  const banner =
    `<aside class="pv" lang="en" dir="ltr" aria-label="Preview"><p><a href="#content">Skip to content</a></p><p>Preview — nothing you enter here is stored.</p><nav aria-label="Preview">` +
    `<a href="/studies/${studyId}/preview?lang=${encodeURIComponent(lang)}&amp;restart=1">Start again</a>` +
    `<a href="/studies/${studyId}">Back to the study</a></nav></aside>`;
  return {
    ...p,
    body: p.body
      .replace(/<body([^>]*)>/, `<body$1>${banner}`)
      .replace('<main>', '<main id="content" tabindex="-1">'),
  };
}

export function registerPreview(app: FastifyInstance, ctx: StudioContext, cache: StudyCache): void {
  const { config, store } = ctx;
  const path = (id: number) => `/studies/${id}/preview`;
  // The respondent side's effect executor; a preview counts nothing, stores no response and saves no code.
  const effects = new EffectExecutor(
    store,
    idempotencyKeyHasher(store, config.secret),
    new DraftLimiter(store.limits, Date.now),
  );
  const cookiesOf = (id: number) => new Cookies({ path: path(id), session: COOKIE }, config.secureCookies);

  /** The study, its prepared current version and the language; a 409 page when the definition has problems. */
  const setup = async (req: FastifyRequest, reply: FastifyReply) => {
    const s = await loadStudy(req, ROLES.work);
    const checked = checkedOf(s.study);
    if ('issues' in checked) {
      page(reply, {
        title: `Preview – ${s.study.title}`,
        user: s.user,
        study: s.layoutStudy,
        active: 'preview',
        status: 409,
        body: () =>
          html`<h1>Preview</h1>${issuesHtml(checked.issues, 'The definition has problems; fix them under Design:')}`,
      });
      return undefined;
    }
    const loaded = cache.current(s.study);
    const q = parseQuery(req, PREVIEW_QUERY);
    const lang = pickLanguage(loaded.resolved.study.languages, q.lang);
    return { s, loaded, lang, q };
  };

  /** The preview session (a draft of the study's current version), if the cookie names one. */
  const sessionOf = async (req: FastifyRequest, s: StudyRequest) => {
    const key = req.cookies[COOKIE];
    if (!isSessionKey(key)) return undefined;
    const d = await loadDraft(store, s.study.id, key, new Date());
    return d?.state.preview && d.version === s.study.version ? { key, state: d.state } : undefined;
  };

  const common = (
    s: StudyRequest,
    loaded: LoadedStudy,
    lang: string,
    csrf: string,
    at: string,
    state?: SessionState,
  ): RespondCommon => ({
    resolved: loaded.resolved,
    lang,
    action: `${path(s.study.id)}?lang=${encodeURIComponent(lang)}`,
    hidden: { _csrf: csrf, ...(state ? { _n: nonceOf(state) } : {}) },
    idempotencyKey: 'preview-only',
    languageLinks: loaded.resolved.study.languages.map((l) => ({
      lang: l,
      href: `${path(s.study.id)}?lang=${encodeURIComponent(l)}&page=${encodeURIComponent(at)}`,
    })),
  });

  const send = (reply: FastifyReply, p: RenderedPage, s: StudyRequest, lang: string) =>
    reply
      .code(p.status)
      .headers(p.headers)
      .send(withBanner(p, s.study.id, lang).body);

  /** The URL of a place; a submitted preview ends on the support page when a safety rule fired, else thanks. */
  const location = (id: number, lang: string, p: Place | string) => {
    const name =
      typeof p === 'string'
        ? p
        : p.kind === 'end' && p.end === 'submitted'
          ? p.flagged
            ? 'support'
            : 'thanks'
          : placeId(p);
    return `${path(id)}?lang=${encodeURIComponent(lang)}&page=${encodeURIComponent(name)}`;
  };

  app.get('/studies/:id/preview', async (req, reply) => {
    const ok = await setup(req, reply);
    if (!ok) return reply;
    const { s, loaded, lang, q } = ok;
    const csrf = reply.generateCsrf();
    const fresh = () => {
      const first = firstStep(loaded.flow);
      const c = common(s, loaded, lang, csrf, 'start');
      return send(
        reply,
        first.kind === 'page'
          ? renderPage({ ...c, view: 'page', flow: loaded.flow, pageId: first.page.id, answers: {} })
          : renderPage({ ...c, view: 'ineligible' }),
        s,
        lang,
      );
    };
    const session = await sessionOf(req, s);
    if (q.restart !== undefined || q.page === undefined) {
      if (session) await deleteDraft(store, s.study.id, session.key);
      reply.clearCookie(COOKIE, { path: path(s.study.id) });
      return q.restart !== undefined
        ? seeOther(reply, `${path(s.study.id)}?lang=${encodeURIComponent(lang)}`)
        : fresh();
    }
    const c = common(s, loaded, lang, csrf, q.page, session?.state);
    if (q.page === 'saved')
      return send(
        reply,
        renderPage({
          ...c,
          view: 'resume-code',
          code: 'PREVIEW',
          continueHref: `${path(s.study.id)}?lang=${encodeURIComponent(lang)}&restart=1`,
        }),
        s,
        lang,
      );
    if (STATIC_ENDS.has(q.page))
      return send(reply, renderPage({ ...c, view: q.page as 'declined' }), s, lang);
    if (!session) return seeOther(reply, `${path(s.study.id)}?lang=${encodeURIComponent(lang)}`);
    const shown = present(loaded, session.state, q.page);
    if (presentedId(shown) !== q.page) return seeOther(reply, location(s.study.id, lang, presentedId(shown)));
    return send(reply, renderPresented(c, loaded.flow, shown), s, lang);
  });

  app.post('/studies/:id/preview', async (req, reply) => {
    const ok = await setup(req, reply);
    if (!ok) return reply;
    const { s, loaded, lang } = ok;
    const fields = asForm(req.body);
    const nonce = typeof fields._n === 'string' ? fields._n : undefined;
    const session = nonce === undefined ? undefined : await sessionOf(req, s);
    if (nonce !== undefined && !session)
      return seeOther(reply, `${path(s.study.id)}?lang=${encodeURIComponent(lang)}`);
    const state = session?.state ?? startState(loaded.flow, { preview: true });
    const pageId = typeof fields._page === 'string' ? fields._page : '';
    const out = advance(loaded, { state, isNew: !session }, { pageId, fields, nonce, lang });
    const cookies = cookiesOf(s.study.id);
    await effects.run(out.effects, {
      study: s.study,
      loaded,
      lang,
      now: new Date(),
      reply,
      session: { key: session?.key ?? '', before: state, after: out.state, wave: null, cookies },
    });
    if (!out.state) cookies.clear(reply, cookies.names.session);
    return seeOther(reply, location(s.study.id, lang, out.place));
  });
}
