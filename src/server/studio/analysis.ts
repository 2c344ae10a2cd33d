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
import { singleChoiceQuestions } from '../../core/study/questions.js';
import { renderDocx, renderFiguresSvg, renderHtmlDocument, renderHtmlFragment } from '../../render/index.js';
import { programVersion } from '../../render/version.js';
import { HttpError } from '../errors.js';
import { parseQuery, queryList } from '../request.js';
import { useHeaders } from '../ui/headers.js';
import { checkedOf, loadStudy, page, ROLES, type StudioContext, studyReport } from './common.js';
import { checkbox } from './forms.js';
import { issuesHtml } from './layout.js';
import { FlagCollector, flagsOf, responsesView, reviewCard } from './review.js';

const GroupQuery = z.object({ group: queryList });
/** Whether the page's form chose the groups (its hidden empty `group` is present then). */
// `group` may be absent (then the plan's groups apply): optional, or every plain /analysis would be a 400
const GroupChosen = z.object({ group: z.unknown().optional() });

/** The group variables asked for in the query (`?group=a&group=b`), limited to single-choice questions. */
export function groupsFromQuery(req: FastifyRequest, candidates: readonly Item[]): string[] {
  const wanted = parseQuery(req, GroupQuery).group;
  const ok = new Set(candidates.map((q) => q.id));
  return [...new Set(wanted.filter((g) => ok.has(g)))].slice(0, 10);
}

export function registerAnalysis(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  const prepare = async (req: FastifyRequest) => {
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
    const report = async (observe?: (answers: unknown) => void) =>
      (await studyReport(store, s.study, checked.resolved, groups, programVersion(), view.include, observe))
        .report;
    return { s, checked, singles, groups, n: view.n, view, report } as const;
  };

  app.get('/studies/:id/analysis', async (req, reply) => {
    const p = await prepare(req);
    const { s } = p;
    const k = s.study.minCellSize;
    if ('issues' in p) {
      return page(reply, {
        title: `Analysis – ${s.study.title}`,
        user: s.user,
        study: s.layoutStudy,
        active: 'analysis',
        status: 409,
        body: () =>
          `<h1>Analysis</h1>${issuesHtml(p.issues ?? [], 'The definition has problems; fix them under Design:')}`,
      });
    }
    const { singles, groups, n, view } = p;
    const base = `/studies/${s.study.id}`;
    const qs = groups.map((g) => `group=${encodeURIComponent(g)}`).join('&');
    const form = singles.length
      ? `<form method="get" action="${base}/analysis" class="card"><input type="hidden" name="group" value=""><fieldset><legend>Compare groups by</legend>` +
        singles
          .map((q) =>
            checkbox(
              'g',
              'group',
              `${q.text?.en ?? Object.values(q.text ?? {})[0] ?? q.id} (${q.id})`,
              groups.includes(q.id),
              { value: q.id },
            ),
          )
          .join('') +
        `<p class="hint">Groups with fewer than ${k} respondents are left out of the comparisons.${s.role === 'owner' ? ` The plan's defaults, thresholds and regression models are set under <a href="${base}/plan">Analysis plan</a>.` : ''}</p></fieldset><p><button class="primary">Update analysis</button></p></form>`
      : '<p class="muted">Add a single-choice question (e.g. year of study) to compare groups.</p>';
    let content: string;
    // Owners and analysts get the burst review card; its flags come from the analysis pass when there is one.
    const collector = view.audience === 'exact' ? new FlagCollector() : undefined;
    const snapshot =
      view.audience === 'protected'
        ? ` · published in batches of at least ${k} responses, so that no two views differ by one person; responses that arrive just after near-identical ones wait for an analyst's review`
        : '';
    if (n < k) {
      content =
        view.audience === 'protected'
          ? `<p class="notice">The analysis is shown once at least k = ${k} respondents have answered, so that no one can be singled out.</p>`
          : `<p class="notice">${n} response${n === 1 ? '' : 's'} so far. The analysis is shown once at least k = ${k} respondents have answered, so that no one can be singled out.</p>`;
    } else {
      const report = await p.report(collector && ((a) => collector.push(a)));
      content =
        `<p class="row"><a class="button" href="${base}/analysis/report.html${qs ? `?${qs}` : ''}" download>Download the report (HTML)</a> <a class="button" href="${base}/analysis/report.docx${qs ? `?${qs}` : ''}" download>Download the report (Word)</a></p>` +
        renderHtmlFragment(report, await renderFiguresSvg(report));
    }
    const flags = collector
      ? n >= k
        ? await collector.finish(store, s.study.id)
        : await flagsOf(store, s.study.id)
      : undefined;
    return page(reply, {
      title: `Analysis – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'analysis',
      body: (csrf) =>
        `<h1>Analysis</h1><p class="muted">${n >= k || view.audience === 'exact' ? `${n} responses` : `Fewer than ${k} responses`}${snapshot} · cells with fewer than ${k} respondents are suppressed.</p>` +
        (flags ? reviewCard(s.study.id, flags, csrf) : '') +
        form +
        content,
    });
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
