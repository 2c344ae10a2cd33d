/**
 * The researcher studio's page shell: one stylesheet and one tiny optional script, both inline and allowed by
 * their hashes in the studio's Content Security Policy (no CDN, no web font, no third-party request of any
 * kind; stylesheet, script and headers are in src/server/ui/). Every page works without JavaScript; the script only adds "copy" buttons, reads a chosen text file
 * into a textarea (text packs) and updates the progress page in place.
 *
 * Every page starts with a "Skip to content" link (visible when focused) to `#content`, the page's own body
 * after the study's heading and tabs.
 *
 * `layout()` is also used by the sign-in and setup pages (S1), so it needs nothing but a title and a body.
 */
import type { FastifyReply } from 'fastify';
import type { StudyRole, StudyStatus, User } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { STUDIO_CSS, STUDIO_JS } from '../ui/assets.js';
import { STUDIO_HEADERS } from '../ui/headers.js';
import { attr, EMPTY, type Html, html, raw } from '../ui/html.js';

/** The study a page belongs to, for the tab bar. */
export interface LayoutStudy {
  readonly id: number;
  readonly title: string;
  readonly status: StudyStatus;
  readonly role: StudyRole;
}

/** The inline stylesheet and script, markup by construction (their hashes are in the CSP). */
const STUDIO_STYLE = raw(STUDIO_CSS);
const STUDIO_SCRIPT = raw(STUDIO_JS);

export type StudyTab =
  | 'overview'
  | 'edit'
  | 'preview'
  | 'share'
  | 'progress'
  | 'analysis'
  | 'exports'
  | 'qual'
  | 'people'
  | 'volunteers'
  | 'audit';

const TABS: readonly { tab: StudyTab; label: string; path: string; roles: readonly StudyRole[] }[] = [
  { tab: 'overview', label: 'Overview', path: '', roles: ROLES.read },
  { tab: 'edit', label: 'Design', path: '/edit', roles: ROLES.owner },
  { tab: 'preview', label: 'Preview', path: '/preview', roles: ROLES.work },
  { tab: 'share', label: 'Share', path: '/share', roles: ROLES.work },
  { tab: 'progress', label: 'Progress', path: '/progress', roles: ROLES.read },
  { tab: 'analysis', label: 'Analysis', path: '/analysis', roles: ROLES.read },
  { tab: 'exports', label: 'Exports', path: '/exports', roles: ROLES.work },
  { tab: 'qual', label: 'Qualitative', path: '/qual', roles: ROLES.read },
  { tab: 'people', label: 'People', path: '/roles', roles: ROLES.owner },
  { tab: 'volunteers', label: 'Volunteers', path: '/volunteers', roles: ROLES.owner },
  { tab: 'audit', label: 'Audit log', path: '/audit', roles: ROLES.owner },
];

interface LayoutInput {
  readonly title: string;
  /** The signed-in user, shown with a sign-out button (needs `csrf`). */
  readonly user?: User | undefined;
  /** Page content. */
  readonly body: Html;
  /** CSRF token for the sign-out form. */
  readonly csrf?: string | undefined;
  /** Show the study's heading and tabs. */
  readonly study?: LayoutStudy | undefined;
  readonly active?: StudyTab | undefined;
}

export function statusBadge(status: StudyStatus): Html {
  const text = status === 'open' ? 'open' : status === 'closed' ? 'closed' : 'draft';
  return html`<span class="badge ${text}">${text}</span>`;
}

/** The study's heading (title, status, the caller's role) and the tabs the caller's role may open. */
function studyHead(s: LayoutStudy, active: StudyTab | undefined): Html {
  const base = `/studies/${s.id}`;
  const tabs = TABS.filter((t) => t.roles.includes(s.role)).map(
    (t) =>
      html`<li><a href="${base}${t.path}"${t.tab === active && html` aria-current="page"`}>${t.label}</a></li>`,
  );
  return html`<p class="muted"><a href="/">Studies</a> › <span dir="auto">${s.title}</span> ${statusBadge(s.status)} <span class="badge">${s.role}</span></p><nav aria-label="Study"><ul class="tabs">${tabs}</ul></nav>`;
}

/** The signed-in user's name (a link to their account) and the sign-out button. */
function whoView(user: User, csrf: string | undefined): Html {
  return html`<div class="who"><a href="/account" title="Your account and password">${user.displayName || user.email}</a>${
    csrf !== undefined &&
    html`<form method="post" action="/signout">${csrfField(csrf)}<button>Sign out</button></form>`
  }</div>`;
}

/** A complete studio HTML document. */
export function layout(input: LayoutInput): Html {
  // The skip link is the first thing a keyboard reaches; it jumps past the header and the tabs to the page's
  // own content (`tabindex="-1"` so that focus moves there too, not only the scroll position).
  return html`<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${input.title} – nabz</title><style>${STUDIO_STYLE}</style></head><body><a class="skip" href="#content">Skip to content</a><header class="top"><a class="brand" href="/">nabz <span lang="ur" dir="rtl">نبض</span></a>${
    input.user && whoView(input.user, input.csrf)
  }</header><main>${input.study && studyHead(input.study, input.active)}<div id="content" tabindex="-1">${input.body}</div></main><footer>nabz — anonymous studies, small cells suppressed, no third-party requests.</footer><script>${STUDIO_SCRIPT}</script></body></html>`;
}

/** Send a studio page with the studio's security headers. */
export function sendPage(reply: FastifyReply, page: Html | string, status = 200): FastifyReply {
  return reply.code(status).headers(STUDIO_HEADERS).send(String(page));
}

/**
 * A list of problems (validation issues), each with its path when it has one. `focus`: the list takes the focus
 * when the page opens (when none of the problems belongs to a field that could).
 */
export function issuesHtml(
  issues: readonly { readonly path?: string; readonly message: string }[],
  title = 'Please fix these problems:',
  focus = false,
): Html {
  if (issues.length === 0) return EMPTY;
  return html`<div class="errors" role="alert"${focus && html` tabindex="-1" autofocus`}><p><strong>${title}</strong></p><ul>${issues.map(
    (i) => html`<li>${i.path && html`<code>${i.path}</code>: `}${i.message}</li>`,
  )}</ul></div>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A one-button POST form (launch, close, delete a row…). */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  opts: { className?: string; hidden?: Readonly<Record<string, string>> } = {},
): Html {
  const hidden = Object.entries(opts.hidden ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  );
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}${hidden}<button${attr('class', opts.className || undefined)}>${label}</button></form>`;
}
