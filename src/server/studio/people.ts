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
import { normalizeEmail, randomToken, type StudyRole } from '../../store/index.js';
import { INVITE_LINK_MS } from '../auth/accounts.js';
import { ROLES, requireUser } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, EMAIL_RE } from '../form.js';
import { parseParams, parseQuery, queryText, segment } from '../request.js';
import { loadStudy, page, type StudioContext, seeOther } from './common.js';
import { field } from './definition.js';
import { type AuditModel, auditView, type MadeLink, type PeopleModel, peopleView } from './peopleView.js';

function isRole(v: string): v is StudyRole {
  return v === 'owner' || v === 'analyst' || v === 'viewer';
}

const PAGE_SIZE = 50;

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
    const model: PeopleModel = {
      studyId: s.study.id,
      grants: await store.roles.list(s.study.id),
      pending: await store.roles.invitations(s.study.id),
      links: await store.accountLinks.openInvites(s.study.id),
      made,
      notice,
      error,
    };
    return page(reply, {
      title: `People – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'people',
      status: error ? 400 : 200,
      body: (csrf) => peopleView(model, csrf),
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
    const model: AuditModel = {
      studyId: s.study.id,
      entries: entries.map((e) => ({
        at: e.at,
        action: e.action,
        by: e.actorUserId === null ? '—' : (names.get(e.actorUserId) ?? ''),
        detail: e.detail,
        hash: e.hash,
      })),
      chainOk: chain.ok,
      older: oldestPosition > 1 ? oldestPosition : undefined,
    };
    return page(reply, {
      title: `Audit log – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'audit',
      body: () => auditView(model),
    });
  });
}
