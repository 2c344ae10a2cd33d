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
import { esc } from '../ui/html.js';

export { esc };

/** The study a page belongs to, for the tab bar. */
export interface LayoutStudy {
  readonly id: number;
  readonly title: string;
  readonly status: StudyStatus;
  readonly role: StudyRole;
}

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
  /** Page content (HTML). */
  readonly body: string;
  /** CSRF token for the sign-out form. */
  readonly csrf?: string | undefined;
  /** Show the study's heading and tabs. */
  readonly study?: LayoutStudy | undefined;
  readonly active?: StudyTab | undefined;
}

export function statusBadge(status: StudyStatus): string {
  const text = status === 'open' ? 'open' : status === 'closed' ? 'closed' : 'draft';
  return `<span class="badge ${text}">${text}</span>`;
}

/** A complete studio HTML document. */
export function layout(input: LayoutInput): string {
  const who = input.user
    ? `<div class="who"><a href="/account" title="Your account and password">${esc(input.user.displayName || input.user.email)}</a>${
        input.csrf !== undefined
          ? `<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${esc(input.csrf)}"><button>Sign out</button></form>`
          : ''
      }</div>`
    : '';
  let head = '';
  if (input.study) {
    const s = input.study;
    const base = `/studies/${s.id}`;
    const tabs = TABS.filter((t) => t.roles.includes(s.role))
      .map(
        (t) =>
          `<li><a href="${base}${t.path}"${t.tab === input.active ? ' aria-current="page"' : ''}>${esc(t.label)}</a></li>`,
      )
      .join('');
    head =
      `<p class="muted"><a href="/">Studies</a> › <span dir="auto">${esc(s.title)}</span> ${statusBadge(s.status)} <span class="badge">${esc(s.role)}</span></p>` +
      `<nav aria-label="Study"><ul class="tabs">${tabs}</ul></nav>`;
  }
  // The skip link is the first thing a keyboard reaches; it jumps past the header and the tabs to the page's
  // own content (`tabindex="-1"` so that focus moves there too, not only the scroll position).
  return (
    '<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${esc(input.title)} – nabz</title><style>${STUDIO_CSS}</style></head><body>` +
    '<a class="skip" href="#content">Skip to content</a>' +
    `<header class="top"><a class="brand" href="/">nabz <span lang="ur" dir="rtl">نبض</span></a>${who}</header>` +
    `<main>${head}<div id="content" tabindex="-1">${input.body}</div></main>` +
    '<footer>nabz — anonymous studies, small cells suppressed, no third-party requests.</footer>' +
    `<script>${STUDIO_JS}</script></body></html>`
  );
}

/** Send a studio page with the studio's security headers. */
export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).headers(STUDIO_HEADERS).send(html);
}

/** A list of problems (validation issues), each with its path when it has one. */
export function issuesHtml(
  issues: readonly { readonly path?: string; readonly message: string }[],
  title = 'Please fix these problems:',
): string {
  if (issues.length === 0) return '';
  return `<div class="errors" role="alert"><p><strong>${esc(title)}</strong></p><ul>${issues
    .map((i) => `<li>${i.path ? `<code>${esc(i.path)}</code>: ` : ''}${esc(i.message)}</li>`)
    .join('')}</ul></div>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(token)}">`;
}

/** A one-button POST form (launch, close, delete a row…). */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  opts: { className?: string; hidden?: Readonly<Record<string, string>> } = {},
): string {
  const hidden = Object.entries(opts.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(action)}" class="inline">${csrfField(csrf)}${hidden}<button${
    opts.className ? ` class="${esc(opts.className)}"` : ''
  }>${esc(label)}</button></form>`;
}
