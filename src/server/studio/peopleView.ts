/**
 * The People page (roles, invitations, invitation links) and the audit log page as pure functions of their
 * models (issue 13: load → core → view(model)); people.ts loads them from the store and handles the posts.
 */
import type { AccountLink, RoleGrant, StudyInvitation, StudyRole } from '../../store/index.js';
import { INVITE_LINK_MS } from '../auth/accounts.js';
import { type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import { input, select } from './forms.js';
import { csrfField, issuesHtml, postButton } from './layout.js';

export const ROLE_OPTIONS: readonly { value: StudyRole; label: string }[] = [
  { value: 'owner', label: 'Owner — everything, including roles' },
  { value: 'analyst', label: 'Analyst — analysis and exports' },
  { value: 'viewer', label: 'Viewer — progress and analysis only (aggregates)' },
];

/** An invitation link just made: shown once on the page that answers the form. */
export interface MadeLink {
  readonly link: string;
  readonly role: StudyRole;
  readonly expiresAt: Date;
}

export interface PeopleModel {
  readonly studyId: number;
  /** Members with their role. */
  readonly grants: readonly RoleGrant[];
  /** Invitations by e-mail address not yet accepted. */
  readonly pending: readonly StudyInvitation[];
  /** Open invitation links: none used, expired or withdrawn. */
  readonly links: readonly AccountLink[];
  /** The link just made, shown once. */
  readonly made: MadeLink | undefined;
  /** What the last action did (e.g. "Invitation recorded for …"). */
  readonly notice: string | undefined;
  /** Why the last form was refused, with what was typed. */
  readonly error: { readonly message: string; readonly email?: string; readonly role?: string } | undefined;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The "Invite by link" section: the link just made (once), open links with Withdraw, the form. */
function inviteLinksView(
  base: string,
  csrf: string,
  open: readonly AccountLink[],
  made: MadeLink | undefined,
): Html {
  const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<h2>Invite by link</h2><p class="muted">For someone who may not have an account yet: they open the link, choose their own name, e-mail address and password (or sign in), and get the role. Each link works once, for ${INVITE_LINK_MS / 86_400_000} days.</p>
${made && html`<div class="ok" role="status"><p>Invitation link (${made.role}, works once until ${when(made.expiresAt)}). Copy it now: it is not shown again.</p><p><input type="text" readonly aria-label="Invitation link" value="${made.link}"></p></div>`}
${open.length > 0 && scrollBox('Open invitation links', html`<table><thead><tr><th>Role</th><th>Made</th><th>Expires</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${open.map((l) => html`<tr><td>${l.role ?? ''}</td><td>${when(l.createdAt)}</td><td>${when(l.expiresAt)}</td><td>${postButton(`${base}/roles/links/withdraw`, csrf, `Withdraw the ${l.role ?? ''} link made ${when(l.createdAt)}`, { className: 'danger', hidden: { link: l.id } })}</td></tr>`)}</tbody></table>`)}
<form method="post" action="${base}/roles/links" class="row">${csrfField(csrf)}<label for="link-role">Role</label><select id="link-role" name="role">${ROLE_OPTIONS.map((o) => html`<option value="${o.value}"${o.value === 'analyst' && html` selected`}>${o.label}</option>`)}</select><button>Make an invitation link</button></form>`;
}

/** A member's row: name, address, role, since, and the forms to change the role or remove them. */
function memberRow(base: string, csrf: string, g: RoleGrant): Html {
  const name = g.displayName || g.email;
  return html`<tr><td>${g.displayName}</td><td>${g.email}</td><td>${g.role}</td><td>${day(g.grantedAt)}</td><td><div class="row"><form method="post" action="${base}/roles" class="row">${csrfField(csrf)}<input type="hidden" name="email" value="${g.email}"><label class="muted" for="r-${g.userId}">Role</label><select id="r-${g.userId}" name="role">${ROLE_OPTIONS.map(
    (o) => html`<option value="${o.value}"${o.value === g.role && html` selected`}>${o.value}</option>`,
  )}</select><button>Change ${name}'s role</button></form>${postButton(
    `${base}/roles/remove`,
    csrf,
    `Remove ${name}`,
    {
      className: 'danger',
      hidden: { userId: String(g.userId) },
    },
  )}</div></td></tr>`;
}

/** The body of the People page. */
export function peopleView(m: PeopleModel, csrf: string): Html {
  const base = `/studies/${m.studyId}`;
  const invited = m.pending.map(
    (i) =>
      html`<tr><td>${i.email}</td><td>${i.role}</td><td>${day(i.invitedAt)}</td><td>${postButton(
        `${base}/invitations/withdraw`,
        csrf,
        `Withdraw the invitation to ${i.email}`,
        {
          className: 'danger',
          hidden: { email: i.email },
        },
      )}</td></tr>`,
  );
  return html`<h1>People</h1>${m.notice && html`<p class="ok" role="status">${m.notice}</p>`}${
    m.error && issuesHtml([{ message: m.error.message }], 'Could not change the roles:')
  }${scrollBox(
    'People with a role on this study',
    html`<table><thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Since</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${m.grants.map((g) => memberRow(base, csrf, g))}</tbody></table>`,
  )}${
    invited.length > 0 &&
    html`<h2>Invitations not yet accepted</h2>${scrollBox(
      'Invitations not yet accepted',
      html`<table><thead><tr><th>E-mail</th><th>Role</th><th>Invited</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${invited}</tbody></table>`,
    )}`
  }<h2>Invite someone</h2><p class="muted">They get the role when they accept the invitation on their start page, signed in with this address.</p><form method="post" action="${base}/roles" class="stack">${csrfField(csrf)}${input(
    'p',
    'email',
    'E-mail address of their nabz account',
    m.error?.email ?? '',
    {
      type: 'email',
      required: true,
    },
  )}${select('p', 'role', 'Role', m.error?.role ?? 'analyst', ROLE_OPTIONS)}<div><button class="primary">Invite</button></div></form>${inviteLinksView(base, csrf, m.links, m.made)}`;
}

/** One entry of the audit log as the page shows it. */
export interface AuditRow {
  readonly at: Date;
  readonly action: string;
  /** "Name <address>" of the actor, "—" for the server. */
  readonly by: string;
  readonly detail: unknown;
  readonly hash: string;
}

export interface AuditModel {
  readonly studyId: number;
  /** The study's entries on this page, newest first. */
  readonly entries: readonly AuditRow[];
  /** Whether the server-wide hash chain is intact. */
  readonly chainOk: boolean;
  /** The position to page back from ("Older entries"), when there are older entries. */
  readonly older: number | undefined;
}

/** The body of the audit log page. */
export function auditView(m: AuditModel): Html {
  const rows = m.entries.map(
    (e) =>
      html`<tr><td>${e.at.toISOString().replace('T', ' ').slice(0, 19)} UTC</td><td><code>${e.action}</code></td><td>${e.by}</td><td><code>${JSON.stringify(e.detail)}</code></td><td><code title="${e.hash}">${e.hash.slice(0, 12)}…</code></td></tr>`,
  );
  // Whether the server-wide chain is intact, but not its length, head or entry numbers: those change with
  // every other study's activity, which one owner must not be able to follow (issue 12, finding 16).
  const status = m.chainOk
    ? html`<p class="ok" id="chain">The audit chain is intact: no entry of this server has been altered or removed.</p>`
    : html`<p class="errors" id="chain">The audit chain is broken: an entry of this server has been altered or removed. Tell the server's administrator.</p>`;
  return html`<h1>Audit log</h1>${status}${
    rows.length
      ? html`${scrollBox(
          'Audit log entries',
          html`<table><thead><tr><th>When</th><th>Action</th><th>By</th><th>Detail</th><th>Hash</th></tr></thead><tbody>${rows}</tbody></table>`,
        )}${m.older !== undefined && html`<p><a href="/studies/${m.studyId}/audit?older=${m.older}">Older entries</a></p>`}`
      : html`<p class="muted">No entries.</p>`
  }`;
}
