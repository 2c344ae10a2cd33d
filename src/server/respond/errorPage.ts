/**
 * The error page of a respondent request that failed outside its route's own pages — the app's error and
 * not-found handlers (app.ts `sendError`): a malformed form (400), too much text (413), too many requests (429),
 * a server fault (500), an unknown page (404) under `/s/`.
 *
 * It is shown in the language the request asked for — `?lang=` (every respondent form posts to a URL that
 * carries it, so a body too large to be read still has it), else the form's `_lang` — when that is one of the
 * study's languages, under the study's title with the switch to the others (links to the same URL in each, as
 * on the end pages); in English otherwise, as before. It reads nothing (the database may be what failed; a
 * flood of 429s must cost no query): the study is the study cache's, as this process last loaded it
 * (`StudyCache.kept`). And it never throws: anything unexpected gives the English page.
 */

import { chooseLanguage } from '../../core/respond/language.js';
import type { RespondErrorKind } from '../../core/study/i18n.js';
import { baseLanguage } from '../../core/study/i18n.js';
import { formField } from '../form.js';
import type { LoadedStudy, StudyCache } from './load.js';
import { languageLinksAt, type RenderedPage, renderPage } from './render.js';

/** The kind of respondent error page for a status. */
export function respondErrorKind(status: number): RespondErrorKind {
  if (status === 404) return 'not_found';
  if (status === 403) return 'expired';
  if (status === 429) return 'rate_limited';
  if (status === 413) return 'too_large';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** What the page is made from: the request's URL, query and body (a body not read is undefined). */
interface FailedRequest {
  readonly url: string;
  readonly query?: unknown;
  readonly body?: unknown;
}

/** The study language the request asked for and the study, or undefined (then English). */
function askedLanguage(
  req: FailedRequest,
  cache: Pick<StudyCache, 'kept'>,
): { lang: string; loaded: LoadedStudy } | undefined {
  const token = /^\/s\/([^/?#]+)/.exec(req.url)?.[1];
  const loaded = token === undefined ? undefined : cache.kept(token);
  const languages = loaded?.resolved.study.languages;
  if (!loaded || !languages?.length) return undefined;
  const requested = formField(req.query, 'lang') ?? formField(req.body, '_lang');
  if (requested === undefined) return undefined;
  const lang = chooseLanguage(languages, requested, undefined);
  return baseLanguage(lang) === baseLanguage(requested) ? { lang, loaded } : undefined;
}

/** The respondent error page for an HTTP status: in the language asked for when the study has it, else English. */
export function respondentErrorPage(
  req: FailedRequest,
  status: number,
  cache: Pick<StudyCache, 'kept'>,
): RenderedPage {
  const kind = respondErrorKind(status);
  try {
    const asked = askedLanguage(req, cache);
    if (asked) {
      const { resolved } = asked.loaded;
      const languageLinks = languageLinksAt(req.url, resolved.study.languages);
      return renderPage({
        view: 'error',
        kind,
        status,
        lang: asked.lang,
        resolved,
        ...(languageLinks ? { languageLinks } : {}),
      });
    }
  } catch {
    // The English page below: an error page must not fail itself.
  }
  return renderPage({ view: 'error', kind, status });
}
