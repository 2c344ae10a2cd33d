/**
 * The analysis page: the core analysis (`analyzeStudy`) over the study's stored responses, with the group
 * comparisons chosen in the page (a GET form of the single-choice questions), rendered with the report
 * renderer (tables, result sentences, figures as inline SVG). Every role sees cells and group comparisons
 * below the study's k suppressed; below k responses in total nothing is shown. Owners and analysts see all
 * responses, live; a viewer sees the published snapshot (`responsesView`: the first responses in batches of
 * k), so reloading before and after one new response shows the same page (docs/security.md, finding 1).
 * The full report can be downloaded as one self-contained HTML file.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Item } from '../../core/instrument/schema.js';
import type { Answers } from '../../core/response/answer.js';
import { singleChoiceQuestions } from '../../core/study/questions.js';
import { renderDocx, renderFiguresSvg, renderHtmlDocument, renderHtmlFragment } from '../../render/index.js';
import { programVersion } from '../../render/version.js';
import type { Store } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { parseQuery, queryList } from '../request.js';
import { useHeaders } from '../ui/headers.js';
import { type AnalysisPageModel, analysisProblemsView, analysisView } from './analysisView.js';
import { checkedOf, loadStudy, page, type StudioContext, studyReport } from './common.js';
import { FlagCollector, flagsOf, responsesView, reviewCard } from './review.js';

const GroupQuery = z.object({ group: queryList });
/** Whether the page's form chose the groups (its hidden empty `group` is present then). */
// `group` may be absent (then the plan's groups apply): optional, or every plain /analysis would be a 400
const GroupChosen = z.object({ group: z.unknown().optional() });

/** The group variables asked for in the query (`?group=a&group=b`), limited to single-choice questions. */
function groupsFromQuery(req: FastifyRequest, candidates: readonly Item[]): string[] {
  const wanted = parseQuery(req, GroupQuery).group;
  const ok = new Set(candidates.map((q) => q.id));
  return [...new Set(wanted.filter((g) => ok.has(g)))].slice(0, 10);
}

/** Load a study's analysis inputs for the caller: the definition, the groups asked for, the responses covered. */
async function prepareAnalysis(store: Store, req: FastifyRequest) {
  const s = await loadStudy(req, ROLES.read);
  const checked = checkedOf(s.study);
  if ('issues' in checked) return { s, issues: checked.issues } as const;
  const singles = singleChoiceQuestions(checked.resolved.study);
  // The plan's group variables unless the page's form chose others (its hidden empty `group` marks a choice).
  const asked = parseQuery(req, GroupChosen).group !== undefined;
  const groups = asked
    ? groupsFromQuery(req, singles)
    : checked.resolved.study.analysis.groupBy.filter((g) => singles.some((q) => q.id === g));
  const view = await responsesView(store, s.study, s.role);
  /** The report over the responses this caller's aggregates cover (a viewer's snapshot). */
  const report = async (observe?: (answers: Answers) => void) =>
    (await studyReport(store, s.study, checked.resolved, groups, programVersion(), view.include, observe))
      .report;
  return { s, checked, singles, groups, n: view.n, view, report } as const;
}

/** What `prepare` gives the page when the definition resolves. */
type Prepared = Exclude<Awaited<ReturnType<typeof prepareAnalysis>>, { issues: unknown }>;

/**
 * The analysis page's model: the report over the caller's responses (from k on) with the chosen comparisons,
 * and for owners and analysts the review card of flagged bursts (its flags from the same pass over the answers).
 */
async function analysisModel(store: Store, p: Prepared): Promise<AnalysisPageModel> {
  const { s, singles, groups, n, view } = p;
  const k = s.study.minCellSize;
  const collector = view.audience === 'exact' ? new FlagCollector() : undefined;
  let report: string | undefined;
  if (n >= k) {
    const r = await p.report(collector && ((a) => collector.push(a)));
    report = renderHtmlFragment(r, await renderFiguresSvg(r));
  }
  const flags =
    collector && (n >= k ? await collector.finish(store, s.study.id) : await flagsOf(store, s.study.id));
  return {
    studyId: s.study.id,
    k,
    n,
    audience: view.audience,
    isOwner: s.role === 'owner',
    groups: singles.map((q) => ({
      id: q.id,
      label: q.text?.en ?? Object.values(q.text ?? {})[0] ?? q.id,
      checked: groups.includes(q.id),
    })),
    groupQuery: groups.map((g) => `group=${encodeURIComponent(g)}`).join('&'),
    report,
    reviewCard: flags && ((csrf) => reviewCard(s.study.id, flags, csrf)),
  };
}

export function registerAnalysis(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  const prepare = (req: FastifyRequest) => prepareAnalysis(store, req);

  app.get('/studies/:id/analysis', async (req, reply) => {
    const p = await prepare(req);
    const { s } = p;
    const shell = {
      title: `Analysis – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'analysis',
    } as const;
    if ('issues' in p)
      return page(reply, { ...shell, status: 409, body: () => analysisProblemsView(p.issues ?? []) });
    const model = await analysisModel(store, p);
    return page(reply, { ...shell, body: (csrf) => analysisView(model, csrf) });
  });

  /** The report of a download (HTML or Word): same rules for both — a valid study and at least k respondents. */
  const downloadReport = async (req: FastifyRequest, action: 'report.html' | 'report.docx') => {
    const p = await prepare(req);
    if ('issues' in p)
      throw new HttpError(
        409,
        'The study definition has problems; fix them under Design first.',
        'invalid_study',
      );
    const { s, n, groups } = p;
    if (n < s.study.minCellSize) {
      throw new HttpError(
        409,
        `The report is available once at least ${s.study.minCellSize} respondents have answered.`,
        'too_few',
      );
    }
    const report = await p.report();
    await store.audit.append({
      action,
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { groupBy: groups, responses: n },
    });
    return { report, studyId: s.study.id };
  };

  app.get('/studies/:id/analysis/report.html', async (req, reply) => {
    const { report, studyId } = await downloadReport(req, 'report.html');
    const doc = renderHtmlDocument(report, await renderFiguresSvg(report));
    return useHeaders(reply, 'document')
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="study-${studyId}-report.html"`)
      .send(doc);
  });

  app.get('/studies/:id/analysis/report.docx', async (req, reply) => {
    const { report, studyId } = await downloadReport(req, 'report.docx');
    const doc = await renderDocx(report);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('content-disposition', `attachment; filename="study-${studyId}-report.docx"`)
      .header('cache-control', 'no-store')
      .send(Buffer.from(doc));
  });
}
