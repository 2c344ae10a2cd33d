/**
 * Preview: the study exactly as a respondent sees it — the same `renderPage` with the same flow, headers and
 * Content Security Policy — in each of its languages, before (and after) launch. The researcher can answer
 * and move through the pages, see validation messages, the review page and the end pages (thank-you, support
 * contacts after a safety rule, screened out); nothing is stored. The answers so far live in a cookie scoped
 * to the preview path, so the server keeps no state.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseJsonSafe } from '../../core/json.js';
import {
  type Answer,
  type Answers,
  type FormFields,
  parseNav,
  parsePageSubmission,
  validateResponse,
} from '../../core/response/submission.js';
import { buildScoringPlan, scoreRespondent, scoringAnswers } from '../../core/scoring/index.js';
import { pickLanguage } from '../../core/study/i18n.js';
import {
  applySkipLogic,
  findPage,
  firstStep,
  nextStep,
  previousPage,
  type Step,
} from '../../core/study/pages.js';
import { resolvedLookup } from '../../core/study/resolve.js';
import { type RenderedPage, type RespondCommon, renderPage } from '../respond/index.js';
import {
  checkedOf,
  loadStudy,
  page,
  ROLES,
  type StudioContext,
  type StudyRequest,
  seeOther,
} from './common.js';
import type { CheckedDefinition } from './definition.js';
import { issuesHtml } from './layout.js';

const COOKIE = 'nabz_preview';
/** Keep the cookie well under the 4 KB browsers allow. */
const MAX_COOKIE = 3500;

function cookiePath(studyId: number): string {
  return `/studies/${studyId}/preview`;
}

/** Answers from the preview cookie (anything malformed is an empty start). */
function readAnswers(req: FastifyRequest): Answers {
  const raw = req.cookies[COOKIE];
  if (!raw) return {};
  try {
    const v = parseJsonSafe(Buffer.from(raw, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Answers) : {};
  } catch {
    return {};
  }
}

function writeAnswers(reply: FastifyReply, studyId: number, answers: Answers, secure: boolean): void {
  let text = Buffer.from(JSON.stringify(answers), 'utf8').toString('base64url');
  if (text.length > MAX_COOKIE) {
    // Long free text does not fit in a cookie: keep the choices, drop the text for the preview.
    const slim: Record<string, Answer> = {};
    for (const [k, a] of Object.entries(answers)) slim[k] = a.kind === 'text' ? { kind: 'skipped' } : a;
    text = Buffer.from(JSON.stringify(slim), 'utf8').toString('base64url');
  }
  reply.setCookie(COOKIE, text.length > MAX_COOKIE ? '' : text, {
    path: cookiePath(studyId),
    httpOnly: true,
    sameSite: 'lax',
    secure,
  });
}

/** The preview notice, placed before the respondent page's own header (same stylesheet, no extra CSS). */
function withBanner(p: RenderedPage, studyId: number, lang: string): RenderedPage {
  const banner =
    `<header lang="en" dir="ltr"><p>Preview — nothing you enter here is stored.</p><nav aria-label="Preview">` +
    `<a href="/studies/${studyId}/preview?lang=${encodeURIComponent(lang)}&amp;restart=1">Start again</a>` +
    `<a href="/studies/${studyId}">Back to the study</a></nav></header>`;
  return { ...p, body: p.body.replace(/<body([^>]*)>/, `<body$1>${banner}`) };
}

export function registerPreview(app: FastifyInstance, ctx: StudioContext): void {
  const { config } = ctx;

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
          `<h1>Preview</h1>${issuesHtml(checked.issues, 'The definition has problems; fix them under Design:')}`,
      });
      return undefined;
    }
    const q = req.query as { lang?: string };
    const lang = pickLanguage(checked.resolved.study.languages, q.lang);
    return { s, checked, lang };
  };

  const common = (
    s: StudyRequest,
    checked: CheckedDefinition,
    lang: string,
    csrf: string,
    pageId: string,
  ): RespondCommon => ({
    resolved: checked.resolved,
    lang,
    action: `/studies/${s.study.id}/preview?lang=${encodeURIComponent(lang)}`,
    hidden: { _csrf: csrf },
    idempotencyKey: 'preview',
    languageLinks: checked.resolved.study.languages.map((l) => ({
      lang: l,
      href: `/studies/${s.study.id}/preview?lang=${encodeURIComponent(l)}&page=${encodeURIComponent(pageId)}`,
    })),
  });

  const send = (reply: FastifyReply, p: RenderedPage, s: StudyRequest, lang: string) =>
    reply
      .code(p.status)
      .headers(p.headers)
      .send(withBanner(p, s.study.id, lang).body);

  const location = (studyId: number, lang: string, step: Step | string) =>
    `/studies/${studyId}/preview?lang=${encodeURIComponent(lang)}&page=${encodeURIComponent(
      typeof step === 'string' ? step : step.kind === 'page' ? step.page.id : step.kind,
    )}`;

  app.get('/studies/:id/preview', async (req, reply) => {
    const ok = await setup(req, reply);
    if (!ok) return reply;
    const { s, checked, lang } = ok;
    const q = req.query as { page?: string; restart?: string };
    const { flow } = checked;
    let answers = readAnswers(req);
    if (q.restart !== undefined || q.page === undefined) {
      answers = {};
      writeAnswers(reply, s.study.id, answers, config.secureCookies);
      if (q.restart !== undefined)
        return seeOther(reply, location(s.study.id, lang, firstStep(flow, answers)));
    }
    const csrf = reply.generateCsrf();
    const c = common(s, checked, lang, csrf, q.page ?? 'start');
    const pageId =
      q.page ??
      (() => {
        const f = firstStep(flow, answers);
        return f.kind === 'page' ? f.page.id : f.kind;
      })();
    let rendered: RenderedPage;
    switch (pageId) {
      case 'review':
        rendered = renderPage({ ...c, view: 'review', flow, answers });
        break;
      case 'thanks':
        rendered = renderPage({ ...c, view: 'thanks' });
        break;
      case 'support':
        rendered = renderPage({ ...c, view: 'support' });
        break;
      case 'ineligible':
        rendered = renderPage({ ...c, view: 'ineligible' });
        break;
      case 'declined':
        rendered = renderPage({ ...c, view: 'declined' });
        break;
      case 'saved':
        rendered = renderPage({
          ...c,
          view: 'resume-code',
          code: 'PREVIEW',
          continueHref: location(s.study.id, lang, 'review'),
        });
        break;
      default:
        rendered = findPage(flow, pageId)
          ? renderPage({ ...c, view: 'page', flow, pageId, answers })
          : renderPage({ view: 'error', kind: 'not_found', lang, resolved: checked.resolved });
    }
    return send(reply, rendered, s, lang);
  });

  app.post('/studies/:id/preview', async (req, reply) => {
    const ok = await setup(req, reply);
    if (!ok) return reply;
    const { s, checked, lang } = ok;
    const { flow, resolved } = checked;
    const fields = (req.body ?? {}) as FormFields;
    const answers = readAnswers(req);
    const pageId = typeof fields._page === 'string' ? fields._page : '';
    const csrf = reply.generateCsrf();
    const c = common(s, checked, lang, csrf, pageId);
    const go = (step: Step | string, next: Answers) => {
      writeAnswers(reply, s.study.id, next, config.secureCookies);
      return seeOther(reply, location(s.study.id, lang, step));
    };

    if (pageId === 'review') {
      const nav = parseNav(fields) ?? { kind: 'next' as const };
      if (nav.kind === 'back') return go(previousPage(flow, 'review', answers)?.id ?? 'review', answers);
      if (nav.kind === 'goto') return go(nav.page, answers);
      if (nav.kind === 'save') return go('saved', answers);
      const v = validateResponse(resolved, answers, { lang, flow });
      if (!v.ok) {
        const errors = v.issues.map((i) => ({
          field: i.path,
          code: 'required' as const,
          message: i.message,
        }));
        return send(reply, renderPage({ ...c, view: 'review', flow, answers, errors }), s, lang);
      }
      const plan = buildScoringPlan(resolved.study, resolvedLookup(resolved));
      const flagged = plan.ok && scoreRespondent(scoringAnswers(v.value), plan.value).flagged;
      return go(flagged ? 'support' : 'thanks', {});
    }

    const current = findPage(flow, pageId);
    if (!current)
      return send(reply, renderPage({ view: 'error', kind: 'bad_request', lang, resolved }), s, lang);
    const sub = parsePageSubmission(flow, current, fields, answers, { lang });
    if (current.kind === 'consent' && sub.consent === 'decline') return go('declined', {});
    if (!sub.ok) {
      return send(
        reply,
        renderPage({ ...c, view: 'page', flow, pageId, answers, fields, errors: sub.errors }),
        s,
        lang,
      );
    }
    const merged = applySkipLogic(flow, { ...answers, ...sub.answers });
    switch (sub.nav.kind) {
      case 'back':
        return go(previousPage(flow, pageId, merged)?.id ?? pageId, merged);
      case 'goto':
        return go(sub.nav.page, merged);
      case 'save':
        return go('saved', merged);
      default:
        return go(nextStep(flow, pageId, merged), merged);
    }
  });
}
