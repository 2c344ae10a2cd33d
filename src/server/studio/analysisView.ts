/**
 * The analysis page's view: a pure function of {@link AnalysisPageModel}. The report itself arrives as the
 * report renderer's fragment (`renderHtmlFragment`, render/html.ts: `<div class="report">` with its sections,
 * tables in their own scroll boxes and figures as inline SVG), never cut out of a full document.
 */
import type { Issue } from '../../core/issue.js';
import { type Html, html, raw } from '../ui/html.js';
import { checkbox } from './forms.js';
import { issuesHtml } from './layout.js';

/** A single-choice question the page offers for group comparisons. */
interface GroupChoice {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
}

export interface AnalysisPageModel {
  readonly studyId: number;
  /** The study's k (smallest group shown). */
  readonly k: number;
  /** Responses this caller's analysis covers (a viewer's snapshot). */
  readonly n: number;
  readonly audience: 'exact' | 'protected';
  /** Owners see where the plan's defaults are set. */
  readonly isOwner: boolean;
  readonly groups: readonly GroupChoice[];
  /** The `group=…` query of the chosen comparisons (for the download links), or ''. */
  readonly groupQuery: string;
  /** The report fragment (HTML from the report renderer), or undefined below k responses. */
  readonly report: string | undefined;
  /** The review card of flagged bursts (owners and analysts), as HTML needing the page's CSRF token. */
  readonly reviewCard: ((csrf: string) => Html) | undefined;
}

function groupForm(m: AnalysisPageModel): Html {
  const base = `/studies/${m.studyId}`;
  if (!m.groups.length)
    return html`<p class="muted">Add a single-choice question (e.g. year of study) to compare groups.</p>`;
  return html`<form method="get" action="${base}/analysis" class="card"><input type="hidden" name="group" value=""><fieldset><legend>Compare groups by</legend>${m.groups.map(
    (g) => checkbox('g', 'group', `${g.label} (${g.id})`, g.checked, { value: g.id }),
  )}<p class="hint">Groups with fewer than ${m.k} respondents are left out of the comparisons.${
    m.isOwner &&
    html` The plan's defaults, thresholds and regression models are set under <a href="${base}/plan">Analysis plan</a>.`
  }</p></fieldset><p><button class="primary">Update analysis</button></p></form>`;
}

function content(m: AnalysisPageModel): Html {
  if (m.report === undefined) {
    const why = html`The analysis is shown once at least k = ${m.k} respondents have answered, so that no one can be singled out.`;
    return m.audience === 'protected'
      ? html`<p class="notice">${why}</p>`
      : html`<p class="notice">${m.n} response${m.n === 1 ? '' : 's'} so far. ${why}</p>`;
  }
  const base = `/studies/${m.studyId}/analysis`;
  const q = m.groupQuery ? `?${m.groupQuery}` : '';
  return html`<p class="row"><a class="button" href="${base}/report.html${q}" download>Download the report (HTML)</a> <a class="button" href="${base}/report.docx${q}" download>Download the report (Word)</a></p>${raw(m.report)}`;
}

/** The body of the analysis page. */
export function analysisView(m: AnalysisPageModel, csrf: string): Html {
  const shown = m.report !== undefined || m.audience === 'exact';
  const snapshot =
    m.audience === 'protected' &&
    ` · published in batches of at least ${m.k} responses, so that no two views differ by one person; responses that arrive just after near-identical ones wait for an analyst's review`;
  return html`<h1>Analysis</h1><p class="muted">${shown ? `${m.n} responses` : `Fewer than ${m.k} responses`}${snapshot} · cells with fewer than ${m.k} respondents are suppressed.</p>${m.reviewCard?.(
    csrf,
  )}${groupForm(m)}${content(m)}`;
}

/** The page when the definition no longer resolves (409). */
export function analysisProblemsView(issues: readonly Issue[]): Html {
  return html`<h1>Analysis</h1>${issuesHtml(issues, 'The definition has problems; fix them under Design:')}`;
}
