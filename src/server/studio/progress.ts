/**
 * Live progress: the page (`GET /studies/:id/progress`) and the counts it polls (`GET
 * /studies/:id/progress.json`), both load → `progressModel` (core/study/progress.ts) → view. The page updates
 * in place every few seconds with a small script, can be paused, and works without JavaScript through its
 * "Refresh now" link (progressView.ts). The JSON is the same model as the page, for the same roles: a viewer's
 * counts are coarsened to multiples of k in both (docs/security.md, finding 1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audienceOf } from '../../core/privacy/suppression.js';
import { uiStrings } from '../../core/study/i18n.js';
import { type ProgressModel, progressModel } from '../../core/study/progress.js';
import type { Store, Study } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { useHeaders } from '../ui/headers.js';
import { checkedOf, loadStudy, page, type StudioContext, type StudyRequest } from './common.js';
import { progressJson, progressView } from './progressView.js';

type FlowPages = readonly { readonly id: string; readonly title: string }[] | undefined;

/**
 * Flow pages per store and study version. A version's definition never changes (a change is a new version,
 * store/studies.ts `updateDefinition`) and study ids are never reused, so an entry needs no invalidation; it is
 * kept per store instance because tests run several stores whose studies share ids.
 */
const pagesByStore = new WeakMap<Store, Map<string, FlowPages>>();
const MAX_CACHED_VERSIONS = 256;

/**
 * The respondent flow's pages with the title a researcher recognises (English, else the first language);
 * undefined when the definition has problems. Checked once per study version, not on every poll.
 */
export function progressPages(store: Store, study: Study): FlowPages {
  const cache = pagesByStore.get(store) ?? new Map<string, FlowPages>();
  pagesByStore.set(store, cache);
  const key = `${study.id}:${study.version}`;
  if (cache.has(key)) return cache.get(key);
  const pages = flowPages(study);
  cache.set(key, pages);
  if (cache.size > MAX_CACHED_VERSIONS) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return pages;
}

function flowPages(study: Study): FlowPages {
  const checked = checkedOf(study);
  if ('issues' in checked) return undefined;
  const en = uiStrings('en');
  return checked.flow.pages.map((p) => ({
    id: p.id,
    title:
      p.kind === 'consent'
        ? en.consentTitle
        : (p.title?.en ??
          Object.values(p.title ?? {})[0] ??
          (p.kind === 'eligibility' ? en.eligibilityTitle : en.questionsTitle)),
  }));
}

/** Load the counters and compute the model for the caller's role. */
async function loadProgress(
  store: Store,
  req: FastifyRequest,
): Promise<{ s: StudyRequest; model: ProgressModel }> {
  const s = await loadStudy(req, ROLES.read);
  const model = progressModel({
    counters: await store.counters.read(s.study.id),
    storedResponses: await store.responses.count(s.study.id),
    pages: progressPages(store, s.study),
    k: s.study.minCellSize,
    audience: audienceOf(s.role),
  });
  return { s, model };
}

export function registerProgress(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.get('/studies/:id/progress', async (req, reply) => {
    const { s, model } = await loadProgress(store, req);
    const base = `/studies/${s.study.id}/progress`;
    return page(reply, {
      title: `Progress – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'progress',
      body: () => progressView({ model, pageUrl: base, jsonUrl: `${base}.json` }),
    });
  });

  app.get('/studies/:id/progress.json', async (req, reply) => {
    const { model } = await loadProgress(store, req);
    return useHeaders(reply, 'api').send(progressJson(model));
  });
}
