/**
 * A study's overview page: a pure function of {@link OverviewModel} (status, counts, what the study asks and,
 * for the owner, the launch section with its problems and warnings). The model is built by `overviewModel` in
 * overview.ts from the study, the store's counts and `launchCheck`.
 */
import type { Issue } from '../../core/issue.js';
import type { StudyStatus } from '../../store/index.js';
import { type Html, html, raw } from '../ui/html.js';
import { issuesHtml, postButton, statusBadge } from './layout.js';
import { studyActionsView } from './lifecycle.js';

/** The owner's launch section. */
export interface LaunchModel {
  /** Why the last launch was refused (a re-shown page), if it was. */
  readonly refused: readonly Issue[] | undefined;
  /** What a launch still needs, and what it would be launched with despite doubts. */
  readonly problems: readonly Issue[];
  readonly warnings: readonly string[];
  /** Unfinished questionnaires kept (after launch). */
  readonly drafts: number;
}

/** What the study asks, as the summary shows it. */
interface SummaryModel {
  readonly languages: string;
  readonly instruments: readonly (
    | { readonly known: true; readonly title: string; readonly items: number; readonly attribution: string }
    | { readonly known: false; readonly id: string }
  )[];
  readonly questions: readonly string[];
  readonly consent: string;
  readonly eligibility: { readonly questions: number; readonly rule: string } | undefined;
  readonly supportContacts: readonly string[];
  /** Who sees the support contacts: after a safety rule only, or every respondent. */
  readonly supportForAll: boolean;
  /** The scheduled close: the last day (UTC) and the response quota, when set. */
  readonly closesOn: string | undefined;
  readonly quota: number | undefined;
  readonly privacy: string;
}

export interface OverviewModel {
  readonly studyId: number;
  readonly title: string;
  /** When the study was archived (hidden from the start page), for the owner's study actions. */
  readonly archivedAt: Date | null;
  readonly status: StudyStatus;
  /** Responses as the caller may see them (coarsened for a viewer). */
  readonly responses: string;
  readonly version: number;
  readonly k: number;
  /** "created … · opened … · closed …" (dates only). */
  readonly dates: string;
  /** The owner's launch section; undefined for other roles. */
  readonly launch: LaunchModel | undefined;
  readonly summary: SummaryModel;
}

function stat(label: string, value: Html | string | number): Html {
  return html`<div class="stat"><span class="muted">${label}</span><b>${value}</b></div>`;
}

function launchSection(m: OverviewModel, l: LaunchModel, csrf: string): Html {
  const base = `/studies/${m.studyId}`;
  const button = (action: string, label: string, className: string) =>
    raw(postButton(`${base}/${action}`, csrf, label, { className }));
  // Unfinished answers (sessions and "save and continue later" codes) expire on their own; an owner can
  // delete them at once, e.g. after a flood of fake drafts (docs/security.md, finding 12).
  const drafts =
    m.status !== 'draft' &&
    l.drafts > 0 &&
    html`<p>${l.drafts} unfinished questionnaire${l.drafts === 1 ? '' : 's'} kept (they expire within 7 days).</p>${button('drafts/purge', 'Delete unfinished questionnaires', 'danger')}`;
  const refused = l.refused?.length ? raw(issuesHtml(l.refused, 'The study cannot open yet:')) : null;
  if (m.status === 'open')
    return html`<section id="launch"><h2>Launch</h2>${refused}${drafts}<p>The study is open. <a href="${base}/share">Share the link</a> · <a href="${base}/progress">Watch progress</a></p>${button('close', 'Close the study', 'danger')}</section>`;
  const closed = m.status === 'closed';
  return html`<section id="launch"><h2>Launch</h2>${refused}${drafts}${
    !l.refused?.length && l.problems.length > 0 && raw(issuesHtml(l.problems, 'Before launch:'))
  }${l.warnings.length > 0 && html`<div class="notice"><ul>${l.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`}${
    l.problems.length === 0 && html`<p class="ok">Ready: everything a launch needs is in place.</p>`
  }<p class="row"><a class="button" href="${base}/preview">Preview</a> ${
    closed
      ? button('reopen', 'Reopen the study', 'primary')
      : html`<a class="button primary" href="${base}/launch">Launch…</a>`
  }</p></section>`;
}

function summarySection(s: SummaryModel): Html {
  const instruments = s.instruments.map((i) =>
    i.known
      ? html`<li><strong>${i.title}</strong> (${i.items} items) — <span class="muted">${i.attribution}</span></li>`
      : html`<li>Unknown instrument ${i.id}</li>`,
  );
  const questions = s.questions.map((q, i) => html`${i > 0 && ', '}<code>${q}</code>`);
  return html`<section id="summary"><h2>What the study asks</h2><p><strong>Languages:</strong> ${s.languages}</p><p><strong>Instruments:</strong></p>${
    instruments.length ? html`<ul>${instruments}</ul>` : html`<p class="muted">None.</p>`
  }<p><strong>Own questions:</strong> ${questions.length ? questions : 'none'}</p><p><strong>Consent:</strong> ${s.consent}</p><p><strong>Eligibility:</strong> ${
    s.eligibility
      ? html`${s.eligibility.questions} screening question(s); eligible if <code>${s.eligibility.rule}</code>`
      : 'no screening'
  }</p><p><strong>Support contacts:</strong> ${s.supportContacts.join(', ') || 'none'}${
    s.supportForAll ? ' (shown to every respondent at the end)' : ' (shown after a safety rule fires)'
  }</p><p id="schedule"><strong>Closes:</strong> ${s.closesOn ? `after ${s.closesOn} (UTC)` : 'when you close it'}; ${
    s.quota !== undefined ? `at ${s.quota} responses (quota)` : 'no response quota'
  }.</p><p><strong>Privacy:</strong> ${s.privacy}</p></section>`;
}

/** The body of the overview page. */
export function overviewView(m: OverviewModel, csrf: string): Html {
  return html`<h1 dir="auto">${m.title}</h1><div class="stats">${stat('Status', raw(statusBadge(m.status)))}${stat('Responses', m.responses)}${stat('Definition version', m.version)}${stat('k (smallest group shown)', m.k)}</div><p class="muted">${m.dates}</p>${
    m.launch &&
    html`${launchSection(m, m.launch, csrf)}${studyActionsView({ id: m.studyId, title: m.title, archivedAt: m.archivedAt }, csrf)}`
  }${summarySection(m.summary)}`;
}
