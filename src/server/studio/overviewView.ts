/**
 * A study's overview page: a pure function of {@link OverviewModel} (status, counts, what the study asks and,
 * for the owner, the launch section with its problems and warnings). The model is built by `overviewModel` in
 * overview.ts from the study, the store's counts and `launchCheck`. The share page ({@link ShareModel}) and
 * the page to project its QR code are here too.
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
    postButton(`${base}/${action}`, csrf, label, { className });
  // Unfinished answers (sessions and "save and continue later" codes) expire on their own; an owner can
  // delete them at once, e.g. after a flood of fake drafts (docs/security.md, finding 12).
  const drafts =
    m.status !== 'draft' &&
    l.drafts > 0 &&
    html`<p>${l.drafts} unfinished questionnaire${l.drafts === 1 ? '' : 's'} kept (they expire within 7 days).</p>${button('drafts/purge', 'Delete unfinished questionnaires', 'danger')}`;
  const refused = l.refused?.length ? issuesHtml(l.refused, 'The study cannot open yet:') : null;
  if (m.status === 'open')
    return html`<section id="launch"><h2>Launch</h2>${refused}${drafts}<p>The study is open. <a href="${base}/share">Share the link</a> · <a href="${base}/progress">Watch progress</a></p>${button('close', 'Close the study', 'danger')}</section>`;
  const closed = m.status === 'closed';
  return html`<section id="launch"><h2>Launch</h2>${refused}${drafts}${
    !l.refused?.length && l.problems.length > 0 && issuesHtml(l.problems, 'Before launch:')
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
  return html`<h1 dir="auto">${m.title}</h1><div class="stats">${stat('Status', statusBadge(m.status))}${stat('Responses', m.responses)}${stat('Definition version', m.version)}${stat('k (smallest group shown)', m.k)}</div><p class="muted">${m.dates}</p>${
    m.launch &&
    html`${launchSection(m, m.launch, csrf)}${studyActionsView({ id: m.studyId, title: m.title, archivedAt: m.archivedAt }, csrf)}`
  }${summarySection(m.summary)}`;
}

/** The share page: the study link, its QR code, share buttons, invitation links and referral seed links. */
export interface ShareModel {
  readonly studyId: number;
  readonly status: StudyStatus;
  /** The anonymous respondent link. */
  readonly link: string;
  /** The wa.me link that shares a message with the link. */
  readonly whatsapp: string;
  /** Just launched (the launch redirects here). */
  readonly launched: boolean;
  /** How many unused invitation links were just revoked, if any. */
  readonly revoked: string | undefined;
  readonly invitationOnly: boolean;
  /** The QR code of the link (SVG from the QR renderer). */
  readonly qr: string;
  /** The "Who can answer" section (invitelinks.ts). */
  readonly invitations: Html;
  /** Snowball sampling, when the study has referral links on. */
  readonly referrals:
    | {
        readonly seeds: readonly { readonly link: string; readonly isNew: boolean }[];
        /** Owners may make a new seed link. */
        readonly canSeed: boolean;
        readonly waves: readonly {
          readonly wave: number;
          readonly links: number;
          readonly responses: number;
        }[];
      }
    | undefined;
}

function referralsSection(m: ShareModel, r: NonNullable<ShareModel['referrals']>, csrf: string): Html {
  return html`<section id="referrals"><h2>Referral links (snowball sampling)</h2><p class="hint">Give each seed group its own link. Everyone who answers can pass on a new link; responses record only the wave (how many hand-overs from a seed link), never who passed it on.</p>${
    r.seeds.length
      ? html`<ul>${r.seeds.map((s) => html`<li${s.isNew && html` class="ok"`}><span class="link">${s.link}</span></li>`)}</ul>`
      : html`<p class="muted">No seed link yet.</p>`
  }${r.canSeed && postButton(`/studies/${m.studyId}/referrals`, csrf, 'New seed link')}${
    r.waves.length > 0 &&
    html`<table><thead><tr><th>Wave</th><th class="n">Links</th><th class="n">Responses</th></tr></thead><tbody>${r.waves.map(
      (w) => html`<tr><td>${w.wave}</td><td class="n">${w.links}</td><td class="n">${w.responses}</td></tr>`,
    )}</tbody></table>`
  }</section>`;
}

/** The body of the share page. */
export function shareView(m: ShareModel, csrf: string): Html {
  const base = `/studies/${m.studyId}`;
  return html`<h1>Share the study</h1>${m.launched && html`<p class="ok">The study is open.</p>`}${
    m.status !== 'open' &&
    html`<p class="notice">The study is ${m.status}: the link ${m.status === 'draft' ? 'works once you launch it' : html`shows a "closed" page until you reopen it`}.</p>`
  }${m.revoked !== undefined && html`<p class="ok">${m.revoked} unused invitation link(s) revoked.</p>`}${
    m.invitationOnly &&
    html`<p class="notice">Invitation only: this link alone shows a page saying an invitation is needed; hand out the invitation links below.</p>`
  }<p>Anonymous link — the same for everyone:</p><p class="link" id="study-link">${m.link}</p><p class="row"><button type="button" data-copy="study-link" hidden>Copy the study link</button><a class="button" href="${m.whatsapp}" rel="noopener noreferrer">Share on WhatsApp</a><a class="button" href="${base}/share/present">Show QR code full screen</a><a class="button" href="${base}/qr.svg" download="study-${m.studyId}-qr.svg">Download QR code (SVG)</a><a class="button" href="${base}/poster">Printable poster (PNG, SVG, print)</a></p><div class="qr">${raw(m.qr)}</div>${m.invitations}${
    m.referrals && referralsSection(m, m.referrals, csrf)
  }`;
}

/** The page to project in a lecture hall: the title, the link and its QR code as large as the screen allows. */
export function presentView(m: { readonly title: string; readonly link: string; readonly qr: string }): Html {
  return html`<div class="present"><h1 dir="auto">${m.title}</h1><p>Scan to answer anonymously, or open:</p><p class="link">${m.link}</p><div class="qr big">${raw(m.qr)}</div></div>`;
}
