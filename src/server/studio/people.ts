/**
 * Roles per study and the audit log (owner only).
 *
 * - owner: everything, including roles; analyst: analysis and exports, no definition changes; viewer:
 *   aggregates only (progress and analysis; no exports, no raw data). A role is given to an existing account
 *   by its e-mail address; the store refuses to leave a study without an owner.
 * - The audit log lists the study's entries newest first, with the state of the whole hash chain (intact, or
 *   the first entry that was altered or removed).
 */
import type { FastifyInstance } from 'fastify';
import type { StudyRole } from '../../store/index.js';
import { HttpError } from '../errors.js';
import { loadStudy, page, ROLES, type StudioContext, seeOther } from './common.js';
import { type Fields, field } from './definition.js';
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

export function registerPeople(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  const peoplePage = async (
    s: Awaited<ReturnType<typeof loadStudy>>,
    reply: Parameters<typeof page>[0],
    error?: { message: string; email?: string; role?: string },
  ) => {
    const base = `/studies/${s.study.id}`;
    const grants = await store.roles.list(s.study.id);
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
              `<label class="muted" for="r-${g.userId}">Role</label><select id="r-${g.userId}" name="role">${ROLE_OPTIONS.map((o) => `<option value="${o.value}"${o.value === g.role ? ' selected' : ''}>${esc(o.value)}</option>`).join('')}</select><button>Change</button></form>` +
              `${postButton(`${base}/roles/remove`, csrf, 'Remove', { className: 'danger', hidden: { userId: String(g.userId) } })}</div></td></tr>`,
          )
          .join('');
        return (
          '<h1>People</h1>' +
          (error ? issuesHtml([{ message: error.message }], 'Could not change the roles:') : '') +
          `<div class="wrap"><table><thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Since</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>` +
          `<h2>Add someone</h2><form method="post" action="${base}/roles" class="stack">${csrfField(csrf)}` +
          input('p', 'email', 'E-mail address of their nabz account', error?.email ?? '', {
            type: 'email',
            required: true,
          }) +
          select('p', 'role', 'Role', error?.role ?? 'analyst', ROLE_OPTIONS) +
          '<div><button class="primary">Give access</button></div></form>'
        );
      },
    });
  };

  app.get('/studies/:id/roles', async (req, reply) => peoplePage(await loadStudy(req, ROLES.owner), reply));

  app.post('/studies/:id/roles', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const fields = (req.body ?? {}) as Fields;
    const email = field(fields, 'email');
    const role = field(fields, 'role');
    if (!isRole(role)) {
      return peoplePage(s, reply, {
        message: `"${role}" is not a role; choose owner, analyst or viewer.`,
        email,
        role: 'analyst',
      });
    }
    const user = email ? await store.users.byEmail(email) : undefined;
    if (!user) {
      return peoplePage(s, reply, {
        message: `There is no account with the e-mail address "${email}" on this server. Ask them to get an account first (an administrator creates it with \`nabz user add\`), then add them here.`,
        email,
        role,
      });
    }
    const r = await store.roles.grant({ studyId: s.study.id, userId: user.id, role });
    if (!r.ok) return peoplePage(s, reply, { message: r.message, email, role });
    await store.audit.append({
      action: 'role.grant',
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { userId: user.id, email: user.email, role, previous: r.previous },
    });
    return seeOther(reply, `/studies/${s.study.id}/roles`);
  });

  app.post('/studies/:id/roles/remove', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const userId = Number(field((req.body ?? {}) as Fields, 'userId'));
    if (!Number.isSafeInteger(userId) || userId < 1)
      throw new HttpError(400, 'The form names no person to remove; reload the page.', 'validation');
    const r = await store.roles.revoke({ studyId: s.study.id, userId });
    if (!r.ok) return peoplePage(s, reply, { message: r.message });
    if (r.removed) {
      await store.audit.append({
        action: 'role.revoke',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { userId },
      });
    }
    // Removing yourself ends your access: go back to the start page.
    return seeOther(reply, userId === s.user.id ? '/' : `/studies/${s.study.id}/roles`);
  });

  app.get('/studies/:id/audit', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const before = Number((req.query as { before?: string }).before);
    const entries = await store.audit.listForStudy(s.study.id, {
      limit: PAGE_SIZE,
      ...(Number.isSafeInteger(before) && before > 0 ? { beforeId: before } : {}),
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
    const status = chain.ok
      ? `<p class="ok" id="chain">The audit chain is intact: ${chain.count} entries on this server, head <code>${esc(chain.head.slice(0, 16))}…</code>. Note the head elsewhere to detect later removal of the newest entries.</p>`
      : `<p class="errors" id="chain">The audit chain is broken at entry ${chain.brokenAt}: ${esc(chain.message)}</p>`;
    const last = entries.at(-1);
    const more =
      entries.length === PAGE_SIZE && last
        ? `<p><a href="/studies/${s.study.id}/audit?before=${last.id}">Older entries</a></p>`
        : '';
    return page(reply, {
      title: `Audit log – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'audit',
      body: () =>
        `<h1>Audit log</h1>${status}` +
        (rows
          ? `<div class="wrap"><table><thead><tr><th>When</th><th>Action</th><th>By</th><th>Detail</th><th>Hash</th></tr></thead><tbody>${rows}</tbody></table></div>${more}`
          : '<p class="muted">No entries.</p>'),
    });
  });
}
