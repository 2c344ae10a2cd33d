/**
 * Roles per study and the audit log (owner only).
 *
 * - owner: everything, including roles; analyst: analysis and exports, no definition changes; viewer:
 *   aggregates only (progress and analysis; no exports, no raw data). A role is offered by e-mail address as
 *   an invitation, which the invitee accepts (or declines) on their start page after signing in with that
 *   address; the answer to the owner is the same whether or not an account with the address exists (no
 *   enumeration of accounts). Members' roles are changed directly. The store refuses to leave a study without
 *   an owner.
 * - Invitation links (src/server/auth/accounts.ts): an owner makes a single-use link for a role, shown once;
 *   whoever opens it chooses their own account details or signs in. Open links are listed and can be withdrawn.
 * - The audit log lists the study's entries newest first and whether the server's hash chain is intact (not
 *   how many entries the server holds: that would tell one owner about everyone else's activity).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type AccountLink, normalizeEmail, randomToken, type StudyRole } from '../../store/index.js';
import { INVITE_LINK_MS } from '../auth/accounts.js';
import { ROLES, requireUser } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, EMAIL_RE } from '../form.js';
import { parseParams, parseQuery, queryText, segment } from '../request.js';
import { type Html, html, raw } from '../ui/html.js';
import { scrollBox, scrollBoxText } from '../ui/table.js';
import { loadStudy, page, type StudioContext, seeOther } from './common.js';
import { field } from './definition.js';
import { input, select } from './forms.js';
import { csrfField, esc, issuesHtml, postButton } from './layout.js';

const ROLE_OPTIONS: readonly { value: StudyRole; label: string }[] = [
  { value: 'owner', label: 'Owner — everything, including roles' },
  { value: 'analyst', label: 'Analyst — analysis and exports' },
  { value: 'viewer', label: 'Viewer — progress and analysis only (aggregates)' },
];

function isRole(v: string): v is StudyRole {
  return v === 'owner' || v === 'analyst' || v === 'viewer';
}

const PAGE_SIZE = 50;

/** An invitation link just made: shown once on the page that answers the form. */
interface MadeLink {
  readonly link: string;
  readonly role: StudyRole;
  readonly expiresAt: Date;
}

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
${open.length > 0 && scrollBox('Open invitation links', html`<table><thead><tr><th>Role</th><th>Made</th><th>Expires</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${open.map((l) => html`<tr><td>${l.role ?? ''}</td><td>${when(l.createdAt)}</td><td>${when(l.expiresAt)}</td><td>${raw(postButton(`${base}/roles/links/withdraw`, csrf, `Withdraw the ${l.role ?? ''} link made ${when(l.createdAt)}`, { className: 'danger', hidden: { link: l.id } }))}</td></tr>`)}</tbody></table>`)}
<form method="post" action="${base}/roles/links" class="row">${raw(csrfField(csrf))}<label for="link-role">Role</label><select id="link-role" name="role">${ROLE_OPTIONS.map((o) => html`<option value="${o.value}"${raw(o.value === 'analyst' ? ' selected' : '')}>${o.label}</option>`)}</select><button>Make an invitation link</button></form>`;
}

const RolesQuery = z.object({ invited: queryText });
const AuditQuery = z.object({ older: queryText });
const InvitationParams = z.object({ studyId: segment, answer: segment });

export function registerPeople(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  const peoplePage = async (
    s: Awaited<ReturnType<typeof loadStudy>>,
    reply: Parameters<typeof page>[0],
    error?: { message: string; email?: string; role?: string },
    notice?: string,
    made?: MadeLink,
  ) => {
    const base = `/studies/${s.study.id}`;
    const grants = await store.roles.list(s.study.id);
    const pending = await store.roles.invitations(s.study.id);
    const links = await store.accountLinks.openInvites(s.study.id);
    return page(reply, {
      title: `People – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'people',
      status: error ? 400 : 200,
      body: (csrf) => {
        const rows = grants
          .map(
            (g) =>
              `<tr><td>${esc(g.displayName)}</td><td>${esc(g.email)}</td><td>${esc(g.role)}</td><td>${esc(g.grantedAt.toISOString().slice(0, 10))}</td>` +
              `<td><div class="row"><form method="post" action="${base}/roles" class="row">${csrfField(csrf)}<input type="hidden" name="email" value="${esc(g.email)}">` +
              `<label class="muted" for="r-${g.userId}">Role</label><select id="r-${g.userId}" name="role">${ROLE_OPTIONS.map((o) => `<option value="${o.value}"${o.value === g.role ? ' selected' : ''}>${esc(o.value)}</option>`).join('')}</select><button>Change ${esc(g.displayName || g.email)}'s role</button></form>` +
              `${postButton(`${base}/roles/remove`, csrf, `Remove ${g.displayName || g.email}`, { className: 'danger', hidden: { userId: String(g.userId) } })}</div></td></tr>`,
          )
          .join('');
        const invited = pending
          .map(
            (i) =>
              `<tr><td>${esc(i.email)}</td><td>${esc(i.role)}</td><td>${esc(i.invitedAt.toISOString().slice(0, 10))}</td>` +
              `<td>${postButton(`${base}/invitations/withdraw`, csrf, `Withdraw the invitation to ${i.email}`, { className: 'danger', hidden: { email: i.email } })}</td></tr>`,
          )
          .join('');
        return (
          '<h1>People</h1>' +
          (notice ? `<p class="ok" role="status">${esc(notice)}</p>` : '') +
          (error ? issuesHtml([{ message: error.message }], 'Could not change the roles:') : '') +
          scrollBoxText(
            'People with a role on this study',
            `<table><thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Since</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>`,
          ) +
          (invited
            ? `<h2>Invitations not yet accepted</h2>${scrollBoxText('Invitations not yet accepted', `<table><thead><tr><th>E-mail</th><th>Role</th><th>Invited</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${invited}</tbody></table>`)}`
            : '') +
          `<h2>Invite someone</h2><p class="muted">They get the role when they accept the invitation on their start page, signed in with this address.</p><form method="post" action="${base}/roles" class="stack">${csrfField(csrf)}` +
          input('p', 'email', 'E-mail address of their nabz account', error?.email ?? '', {
            type: 'email',
            required: true,
          }) +
          select('p', 'role', 'Role', error?.role ?? 'analyst', ROLE_OPTIONS) +
          '<div><button class="primary">Invite</button></div></form>' +
          inviteLinksView(base, csrf, links, made).text
        );
      },
    });
  };

  app.get('/studies/:id/roles', async (req, reply) => {
    const { invited } = parseQuery(req, RolesQuery);
    return peoplePage(
      await loadStudy(req, ROLES.owner),
      reply,
      undefined,
      typeof invited === 'string' && invited
        ? `Invitation recorded for ${invited.slice(0, 320)}. They get the role when they accept it, signed in with this address.`
        : undefined,
    );
  });

  app.post('/studies/:id/roles', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const fields = asForm(req.body);
    const email = field(fields, 'email');
    const role = field(fields, 'role');
    if (!isRole(role)) {
      return peoplePage(s, reply, {
        message: `"${role}" is not a role; choose owner, analyst or viewer.`,
        email,
        role: 'analyst',
      });
    }
    const address = normalizeEmail(email);
    if (!EMAIL_RE.test(address) || address.length > 320)
      return peoplePage(s, reply, {
        message: `"${email.slice(0, 100)}" is not an e-mail address: use the form name@example.org.`,
        email,
        role,
      });
    // Someone who already has a role here: change it. Anyone else: an invitation they accept — the same
    // answer whether or not an account with the address exists.
    const user = await store.users.byEmail(address);
    const member = user ? await store.roles.roleOf({ userId: user.id, studyId: s.study.id }) : null;
    if (!user || member === null) {
      await store.audited(
        (tx) => tx.roles.invite({ studyId: s.study.id, email: address, role, invitedBy: s.user.id }),
        {
          action: 'role.invite',
          studyId: s.study.id,
          actorUserId: s.user.id,
          detail: { email: address, role },
        },
      );
      return seeOther(reply, `/studies/${s.study.id}/roles?invited=${encodeURIComponent(address)}`);
    }
    const r = await store.audited(
      (tx) => tx.roles.grant({ studyId: s.study.id, userId: user.id, role }),
      (g) =>
        g.ok
          ? {
              action: 'role.grant',
              studyId: s.study.id,
              actorUserId: s.user.id,
              detail: { userId: user.id, email: user.email, role, previous: g.previous },
            }
          : undefined,
    );
    if (!r.ok) return peoplePage(s, reply, { message: r.message, email, role });
    return seeOther(reply, `/studies/${s.study.id}/roles`);
  });

  app.post('/studies/:id/roles/links', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const role = field(asForm(req.body), 'role');
    if (!isRole(role))
      return peoplePage(s, reply, { message: `"${role}" is not a role; choose owner, analyst or viewer.` });
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + INVITE_LINK_MS);
    await store.audited(
      (tx) =>
        tx.accountLinks.create({
          token,
          kind: 'invite',
          studyId: s.study.id,
          role,
          createdBy: s.user.id,
          expiresAt,
        }),
      (link) => ({
        action: 'role.invite_link',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { role, link: link.id.slice(0, 12), expiresAt: expiresAt.toISOString() },
      }),
    );
    return peoplePage(s, reply, undefined, undefined, {
      link: `${ctx.config.publicUrl}/join/${token}`,
      role,
      expiresAt,
    });
  });

  app.post('/studies/:id/roles/links/withdraw', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const id = field(asForm(req.body), 'link');
    await store.audited(
      (tx) => tx.accountLinks.revokeInvite(s.study.id, id),
      (done) =>
        done
          ? {
              action: 'role.invite_link_withdraw',
              studyId: s.study.id,
              actorUserId: s.user.id,
              detail: { link: id.slice(0, 12) },
            }
          : undefined,
    );
    return seeOther(reply, `/studies/${s.study.id}/roles`);
  });

  app.post('/studies/:id/invitations/withdraw', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const email = normalizeEmail(field(asForm(req.body), 'email'));
    await store.audited(
      (tx) => tx.roles.dropInvitation({ studyId: s.study.id, email }),
      (dropped) =>
        dropped
          ? { action: 'role.invite_withdraw', studyId: s.study.id, actorUserId: s.user.id, detail: { email } }
          : undefined,
    );
    return seeOther(reply, `/studies/${s.study.id}/roles`);
  });

  // The invitee's answer, from their start page: only invitations to the signed-in account's own address.
  app.post('/invitations/:studyId/:answer', async (req, reply) => {
    const user = requireUser(req);
    const { studyId: idText, answer } = parseParams(req, InvitationParams);
    const studyId = /^[1-9]\d{0,14}$/.test(idText) ? Number(idText) : Number.NaN;
    if (!Number.isSafeInteger(studyId) || (answer !== 'accept' && answer !== 'decline'))
      throw new HttpError(404, 'There is no such invitation.', 'not_found');
    const email = normalizeEmail(user.email);
    if (answer === 'decline') {
      await store.audited(
        (tx) => tx.roles.dropInvitation({ studyId, email }),
        (dropped) =>
          dropped
            ? { action: 'role.invite_decline', studyId, actorUserId: user.id, detail: { email } }
            : undefined,
      );
      return seeOther(reply, '/');
    }
    const r = await store.audited(
      (tx) => tx.roles.acceptInvitation({ studyId, email, userId: user.id }),
      (a) =>
        a.ok
          ? {
              action: 'role.grant',
              studyId,
              actorUserId: user.id,
              detail: { userId: user.id, email, role: a.role, previous: a.previous, via: 'invitation' },
            }
          : undefined,
    );
    if (!r.ok) throw new HttpError(r.code === 'unknown_invitation' ? 404 : 409, r.message, r.code);
    return seeOther(reply, `/studies/${studyId}`);
  });

  app.post('/studies/:id/roles/remove', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const userId = Number(field(asForm(req.body), 'userId'));
    if (!Number.isSafeInteger(userId) || userId < 1)
      throw new HttpError(400, 'The form names no person to remove; reload the page.', 'validation');
    const r = await store.audited(
      (tx) => tx.roles.revoke({ studyId: s.study.id, userId }),
      (v) =>
        v.ok && v.removed
          ? { action: 'role.revoke', studyId: s.study.id, actorUserId: s.user.id, detail: { userId } }
          : undefined,
    );
    if (!r.ok) return peoplePage(s, reply, { message: r.message });
    // Removing yourself ends your access: go back to the start page.
    return seeOther(reply, userId === s.user.id ? '/' : `/studies/${s.study.id}/roles`);
  });

  app.get('/studies/:id/audit', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    // Paged by the study's own entry positions, never by server-wide ids (issue 12, finding 16).
    const older = Number(parseQuery(req, AuditQuery).older);
    const { entries, oldestPosition } = await store.audit.pageForStudy(s.study.id, {
      limit: PAGE_SIZE,
      ...(Number.isSafeInteger(older) && older > 0 ? { olderThan: older } : {}),
    });
    const chain = await store.audit.verify();
    const names = new Map<number, string>();
    for (const e of entries) {
      if (e.actorUserId === null || names.has(e.actorUserId)) continue;
      const u = await store.users.byId(e.actorUserId);
      names.set(e.actorUserId, u ? `${u.displayName} <${u.email}>` : `user ${e.actorUserId}`);
    }
    const rows = entries
      .map(
        (e) =>
          `<tr><td>${esc(e.at.toISOString().replace('T', ' ').slice(0, 19))} UTC</td><td><code>${esc(e.action)}</code></td><td>${esc(e.actorUserId === null ? '—' : (names.get(e.actorUserId) ?? ''))}</td>` +
          `<td><code>${esc(JSON.stringify(e.detail))}</code></td><td><code title="${esc(e.hash)}">${esc(e.hash.slice(0, 12))}…</code></td></tr>`,
      )
      .join('');
    // Whether the server-wide chain is intact, but not its length, head or entry numbers: those change with
    // every other study's activity, which one owner must not be able to follow (issue 12, finding 16).
    const status = chain.ok
      ? '<p class="ok" id="chain">The audit chain is intact: no entry of this server has been altered or removed.</p>'
      : '<p class="errors" id="chain">The audit chain is broken: an entry of this server has been altered or removed. Tell the server\'s administrator.</p>';
    const more =
      oldestPosition > 1
        ? `<p><a href="/studies/${s.study.id}/audit?older=${oldestPosition}">Older entries</a></p>`
        : '';
    return page(reply, {
      title: `Audit log – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'audit',
      body: () =>
        `<h1>Audit log</h1>${status}` +
        (rows
          ? `${scrollBoxText('Audit log entries', `<table><thead><tr><th>When</th><th>Action</th><th>By</th><th>Detail</th><th>Hash</th></tr></thead><tbody>${rows}</tbody></table>`)}${more}`
          : '<p class="muted">No entries.</p>'),
    });
  });
}
