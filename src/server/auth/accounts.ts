/**
 * People and passwords (issue 14): invitation links, changing one's password, and reset links.
 *
 * - `GET`/`POST /join/:token` — an owner's invitation link (made on the study's People page,
 *   src/server/studio/people.ts). Signed in: "Accept" gives the signed-in account the role. Signed out: the
 *   invitee types a name, e-mail address and password (twice). The answer is the same page whether or not the
 *   address has an account ("sign in to continue"): a new address gets its account and the role (the link is
 *   used); an address that has an account is left alone (the link stays for its holder, who signs in and
 *   accepts) and the attempt is counted against the link (five revoke it). Both paths hash the password, so
 *   their timing is alike too.
 * - `GET /account`, `POST /account/password` — a signed-in user changes their password: the current one is
 *   required (wrong ones count in the sign-in throttle), every other session of the account ends, this browser
 *   gets a new one, open reset links are revoked.
 * - `GET /admin/users`, `POST /admin/users/:uid/reset-link` — the server's administrator makes a single-use
 *   reset link for an account (24 hours; a new link revokes the earlier ones), shown once.
 * - `GET`/`POST /reset/:token` — the link's holder sets a new password; every session of the account ends.
 *
 * Links are random 256-bit secrets stored as SHA-256 (src/store/accountLinks.ts); a used, expired, withdrawn
 * or unknown link is refused with 410 and a message saying which and what to do. Every change is audited in the
 * transaction that makes it. The public endpoints (`/join`, `/reset`) have a per-address rate limit
 * (@fastify/rate-limit, counted in the shared `rate_counters` table when the database is PostgreSQL).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { present } from '../../core/stats/at.js';
import { type AccountLink, normalizeEmail, randomToken, type StudyRole } from '../../store/index.js';
import { HttpError } from '../errors.js';
import { EMAIL_RE, formField } from '../form.js';
import { parseParams, parseQuery, queryText, segment } from '../request.js';
import { csrfField, layout } from '../studio/layout.js';
import { STUDIO_HEADERS } from '../ui/headers.js';
import { type Html, html } from '../ui/html.js';
import { currentUser, requireUser } from './guard.js';
import { errorsView } from './pages.js';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './password.js';
import type { AuthRoutesOptions } from './routes.js';

/** How long an invitation link works. */
export const INVITE_LINK_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a password reset link works. */
export const RESET_LINK_MS = 24 * 60 * 60 * 1000;
/** Requests per client address per minute on the public link pages. */
export const LINK_RATE_LIMIT_PER_MINUTE = 20;

const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;
const TokenParams = z.object({ token: segment });
const UserParams = z.object({ uid: segment });
const AccountQuery = z.object({ changed: queryText });

/** Starts a session for a user (routes.ts: deletes the browser's old one, audits `sign_in`). */
type StartSession = (
  req: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  detail: Record<string, unknown>,
) => Promise<void>;

// ---------------------------------------------------------------------------------------------------------
// Views (pure)

const newPasswordFields = (label: string) =>
  html`<div class="field"><label for="password">${label}</label><p class="hint" id="pw-hint">At least 10 characters; a few unrelated words work well.</p><input type="password" id="password" name="password" autocomplete="new-password" required minlength="10" aria-describedby="pw-hint"></div>
<div class="field"><label for="password2">${label} again</label><input type="password" id="password2" name="password2" autocomplete="new-password" required minlength="10"></div>`;

const ROLE_TEXT: Record<StudyRole, string> = {
  owner: 'owner (everything, including roles)',
  analyst: 'analyst (analysis and exports)',
  viewer: 'viewer (progress and analysis: aggregates only)',
};

interface JoinModel {
  readonly action: string;
  readonly studyTitle: string;
  readonly role: StudyRole;
  readonly expiresAt: Date;
  /** The signed-in account's address, when signed in. */
  readonly signedInAs?: string | undefined;
  readonly name?: string;
  readonly email?: string;
  readonly errors?: readonly string[];
}

/** The invitation page: accept (signed in), or name, e-mail and password (signed out). */
function joinPage(m: JoinModel, csrf: string): Html {
  const lead = html`<h1>Join “${m.studyTitle}”</h1><p>You are invited to this study as ${ROLE_TEXT[m.role]}. The link works once, until ${utc(m.expiresAt)}.</p>`;
  const body = m.signedInAs
    ? html`${lead}${errorsView(m.errors ?? [])}<form method="post" action="${m.action}/accept" class="stack">${csrfField(csrf)}<p>Signed in as <strong>${m.signedInAs}</strong>.</p><div><button class="primary">Accept the invitation</button></div></form>`
    : html`${lead}<p>Already have an account on this server? <a href="/signin?next=${encodeURIComponent(m.action)}">Sign in</a> first, then open this link again. Otherwise choose your account's details:</p>${errorsView(m.errors ?? [])}
<form method="post" action="${m.action}" class="stack">${csrfField(csrf)}
<div class="field"><label for="name">Your name</label><input type="text" id="name" name="name" autocomplete="name" maxlength="200" required value="${m.name ?? ''}"></div>
<div class="field"><label for="email">E-mail address</label><input type="email" id="email" name="email" autocomplete="username" required maxlength="254" value="${m.email ?? ''}"></div>
${newPasswordFields('Password')}<div><button class="primary">Create the account</button></div></form>`;
  return layout({ title: 'Invitation', body });
}

/** What a signed-out invitee sees after sending the form — the same whether or not the address had an account. */
function joinSentPage(email: string, next: string): Html {
  return layout({
    title: 'Sign in to continue',
    body: html`<h1>Sign in to continue</h1><p>Sign in as <strong>${email}</strong> to go on. If this address is new on this server, its account has just been made with the password you chose and the invitation is accepted: signing in opens the study. If the address already had an account, sign in with that account's password: the invitation is kept for you to accept.</p><p><a class="button primary" href="/signin?next=${encodeURIComponent(next)}">Sign in</a></p>`,
  });
}

/** A link that cannot be used, and why. */
function linkRefusedPage(title: string, message: string): Html {
  return layout({
    title,
    body: html`<h1>${title}</h1><p role="alert">${message}</p><p><a href="/signin">Sign in</a></p>`,
  });
}

interface AccountModel {
  readonly user: { readonly displayName: string; readonly email: string; readonly isAdmin: boolean };
  readonly notice?: string | undefined;
  readonly errors?: readonly string[];
}

/** The signed-in user's account page: who they are and the change-password form. */
function accountPage(m: AccountModel, csrf: string): Html {
  return html`<h1>Your account</h1>${m.notice && html`<p class="ok" role="status">${m.notice}</p>`}
<p>${m.user.displayName} · ${m.user.email}${m.user.isAdmin && html` · administrator (<a href="/admin/users">accounts and reset links</a>)`}</p>
<h2>Change your password</h2><p class="hint">Every other session of your account is signed out; this browser stays signed in.</p>${errorsView(m.errors ?? [])}
<form method="post" action="/account/password" class="stack">${csrfField(csrf)}
<div class="field"><label for="current">Current password</label><input type="password" id="current" name="current" autocomplete="current-password" required></div>
${newPasswordFields('New password')}<div><button class="primary">Change password</button></div></form>`;
}

interface AdminUsersModel {
  readonly users: readonly {
    id: number;
    email: string;
    displayName: string;
    isAdmin: boolean;
    createdAt: Date;
  }[];
  /** A reset link just made (shown once). */
  readonly made?: { readonly email: string; readonly link: string; readonly expiresAt: Date } | undefined;
}

/** The administrator's list of accounts with a reset-link button each. */
function adminUsersPage(m: AdminUsersModel, csrf: string): Html {
  const made =
    m.made &&
    html`<div class="ok" role="status"><p>Password reset link for <strong>${m.made.email}</strong> — works once, until ${utc(m.made.expiresAt)}. Copy it now: it is not shown again. Give it to them in person or by a channel you trust.</p><p><input type="text" readonly aria-label="Reset link" value="${m.made.link}"></p></div>`;
  const rows = m.users.map(
    (u) =>
      html`<tr><td>${u.displayName}</td><td>${u.email}</td><td>${u.isAdmin ? 'administrator' : ''}</td><td>${u.createdAt.toISOString().slice(0, 10)}</td><td><form method="post" action="/admin/users/${u.id}/reset-link">${csrfField(csrf)}<button>Make a reset link</button></form></td></tr>`,
  );
  return html`<h1>Accounts</h1>${made}<p class="hint">A reset link lets its holder set a new password for the account and signs out all of its sessions. A new link replaces the account's earlier ones.</p>
<div class="wrap"><table><thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Since</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The reset page: a new password, twice. */
function resetPage(action: string, email: string, csrf: string, errors: readonly string[] = []): Html {
  return layout({
    title: 'Set a new password',
    body: html`<h1>Set a new password</h1><p>For <strong>${email}</strong>. Every session of the account will be signed out.</p>${errorsView(errors)}<form method="post" action="${action}" class="stack">${csrfField(csrf)}${newPasswordFields('New password')}<div><button class="primary">Set the password</button></div></form>`,
  });
}

function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function send(reply: FastifyReply, status: number, page: Html): FastifyReply {
  return reply.code(status).headers(STUDIO_HEADERS).type('text/html; charset=utf-8').send(page.text);
}

/** The two new-password fields' problems (empty when they are fine). */
function newPasswordProblems(password: string, password2: string): string[] {
  const pw = passwordProblem(password);
  if (pw) return [pw];
  return password === password2 ? [] : ['The two passwords are not the same: type the same password twice.'];
}

/** The token in the address, or a 410 page's message when it cannot be a link. */
function tokenOf(req: FastifyRequest): string {
  const { token } = parseParams(req, TokenParams);
  return TOKEN_RE.test(token) ? token : '-';
}

// ---------------------------------------------------------------------------------------------------------
// Routes

export function accountRoutes(
  app: FastifyInstance,
  opts: AuthRoutesOptions,
  startSession: StartSession,
): void {
  const { store, config, throttle, clock } = opts;
  const limit = { config: { rateLimit: { max: LINK_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 } } };
  const now = () => new Date(clock());

  /** The usable invitation link of the address, or a 410 page. */
  const invite = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(req);
    const state = await store.accountLinks.check(token, 'invite', now());
    if (!state.ok) {
      send(reply, 410, linkRefusedPage('This invitation link cannot be used', state.message));
      return undefined;
    }
    const study = await store.studies.byId(present(state.link.studyId, 'the study of an invitation link'));
    if (!study) {
      send(reply, 410, linkRefusedPage('This invitation link cannot be used', 'The study no longer exists.'));
      return undefined;
    }
    return { token, link: state.link, study, action: `/join/${token}` };
  };

  const joinModel = (j: NonNullable<Awaited<ReturnType<typeof invite>>>, req: FastifyRequest) => ({
    action: j.action,
    studyTitle: j.study.title,
    role: present(j.link.role, 'the role of an invitation link'),
    expiresAt: j.link.expiresAt,
    signedInAs: currentUser(req)?.email,
  });

  app.get('/join/:token', limit, async (req, reply) => {
    // The account that used the link (after "Sign in to continue") goes on to the study.
    const user = currentUser(req);
    const used = user && (await store.accountLinks.find(tokenOf(req)));
    if (used && used.kind === 'invite' && used.usedBy === user.id)
      return reply.code(303).header('location', `/studies/${used.studyId}`).send();
    const j = await invite(req, reply);
    if (!j) return reply;
    return send(reply, 200, joinPage(joinModel(j, req), reply.generateCsrf()));
  });

  app.post('/join/:token/accept', limit, async (req, reply) => {
    const user = requireUser(req);
    const j = await invite(req, reply);
    if (!j) return reply;
    const r = await acceptLink(j.token, j.link, user.id, user.email, 'invitation_link');
    if (!r.ok)
      return send(
        reply,
        r.status,
        joinPage({ ...joinModel(j, req), errors: [r.message] }, reply.generateCsrf()),
      );
    return reply.code(303).header('location', `/studies/${j.study.id}`).send();
  });

  app.post('/join/:token', limit, async (req, reply) => {
    const j = await invite(req, reply);
    if (!j) return reply;
    const name = (formField(req.body, 'name') ?? '').trim().slice(0, 200);
    const emailRaw = (formField(req.body, 'email') ?? '').trim().slice(0, 320);
    const password = formField(req.body, 'password') ?? '';
    const email = normalizeEmail(emailRaw);
    const errors = [
      ...(name ? [] : ['Enter your name.']),
      ...(EMAIL_RE.test(email) && email.length <= 254
        ? []
        : [`"${emailRaw.slice(0, 100)}" is not an e-mail address: use the form name@example.org.`]),
      ...newPasswordProblems(password, formField(req.body, 'password2') ?? ''),
    ];
    if (errors.length)
      return send(
        reply,
        400,
        joinPage({ ...joinModel(j, req), name, email: emailRaw, errors }, reply.generateCsrf()),
      );
    // Hash first on both paths: the answer and its timing are the same whether or not the address has an account.
    const passwordHash = await hashPassword(password);
    const created = await createAndJoin(j.token, j.link, { name, email, passwordHash });
    if (!created) {
      await store.accountLinks.fail(j.token, now());
      await store.audit.append({
        action: 'join.existing_address',
        actorUserId: null,
        detail: {},
        now: now(),
      });
    }
    return send(reply, 200, joinSentPage(email, j.action));
  });

  /** Give the link's role to an account and use the link up, audited; refused when they have a role already. */
  async function acceptLink(token: string, link: AccountLink, userId: number, email: string, via: string) {
    const studyId = present(link.studyId, 'the study of an invitation link');
    const role = present(link.role, 'the role of an invitation link');
    return store.transaction(async (tx) => {
      const had = await tx.roles.roleOf({ userId, studyId });
      if (had)
        return {
          ok: false as const,
          status: 409,
          message: `You already have the role ${had} on this study; the invitation link was not used. Pass it back to its owner, or let it expire.`,
        };
      const used = await tx.accountLinks.consume(token, 'invite', userId, now());
      if (!used.ok) return { ok: false as const, status: 410, message: used.message };
      const g = await tx.roles.grant({ studyId, userId, role, now: now() });
      if (!g.ok) throw new HttpError(409, g.message, g.code);
      await tx.audit.append({
        action: 'role.grant',
        studyId,
        actorUserId: userId,
        detail: { userId, email, role: link.role, previous: null, via, link: link.id.slice(0, 12) },
        now: now(),
      });
      return { ok: true as const };
    });
  }

  /** A new address: its account, the role and the used link in one transaction. False when the address has an account. */
  async function createAndJoin(
    token: string,
    link: AccountLink,
    input: { name: string; email: string; passwordHash: string },
  ): Promise<boolean> {
    if (await store.users.byEmail(input.email)) return false;
    return store.transaction(async (tx) => {
      const u = await tx.users.create({
        email: input.email,
        displayName: input.name,
        passwordHash: input.passwordHash,
        now: now(),
      });
      if (!u.ok) return false;
      const used = await tx.accountLinks.consume(token, 'invite', u.value.id, now());
      if (!used.ok) throw new HttpError(410, used.message, 'invitation_invalid');
      const g = await tx.roles.grant({
        studyId: present(link.studyId, 'the study of an invitation link'),
        userId: u.value.id,
        role: present(link.role, 'the role of an invitation link'),
        now: now(),
      });
      if (!g.ok) throw new HttpError(409, g.message, g.code);
      await tx.audit.append({
        action: 'account.create',
        studyId: present(link.studyId, 'the study of an invitation link'),
        actorUserId: u.value.id,
        detail: {
          userId: u.value.id,
          email: input.email,
          role: link.role,
          via: 'invitation_link',
          link: link.id.slice(0, 12),
        },
        now: now(),
      });
      return true;
    });
  }

  // ----- change password

  app.get('/account', async (req, reply) => {
    const user = requireUser(req);
    const changed = parseQuery(req, AccountQuery).changed === '1';
    const csrf = reply.generateCsrf();
    const body = accountPage(
      {
        user,
        notice: changed ? 'Your password was changed. Your other sessions are signed out.' : undefined,
      },
      csrf,
    );
    return send(reply, 200, layout({ title: 'Your account', user, csrf, body }));
  });

  app.post('/account/password', limit, async (req, reply) => {
    const user = requireUser(req);
    const current = formField(req.body, 'current') ?? '';
    const password = formField(req.body, 'password') ?? '';
    const again = async (status: number, errors: string[]) => {
      const csrf = reply.generateCsrf();
      return send(
        reply,
        status,
        layout({ title: 'Your account', user, csrf, body: accountPage({ user, errors }, csrf) }),
      );
    };
    const decision = await throttle.check(user.email, req.ip);
    if (!decision.allowed) return again(429, ['Too many wrong passwords. Try again later.']);
    const account = await store.users.byEmail(user.email);
    const ok =
      account && current.length <= 1024
        ? await verifyPassword(account.passwordHash, current)
        : await verifyAgainstDummy(current);
    if (!account || !ok) {
      await throttle.fail(user.email, req.ip);
      await store.audit.append({
        action: 'password.change_failure',
        actorUserId: user.id,
        detail: {},
        now: now(),
      });
      return again(400, ['The current password is not right.']);
    }
    const problems = newPasswordProblems(password, formField(req.body, 'password2') ?? '');
    if (problems.length) return again(400, problems);
    await setPassword(user.id, await hashPassword(password), 'password.change', user.id);
    await startSession(req, reply, user.id, { email: user.email, via: 'password_change' });
    return reply.code(303).header('location', '/account?changed=1').send();
  });

  /** New hash, every session of the account ended, open reset links revoked, audited — one transaction. */
  async function setPassword(userId: number, passwordHash: string, action: string, actorUserId: number) {
    await store.transaction(async (tx) => {
      await tx.users.setPasswordHash(userId, passwordHash);
      const sessionsEnded = await tx.sessions.deleteForUser(userId);
      await tx.accountLinks.revokeResets(userId, now());
      await tx.audit.append({ action, actorUserId, detail: { userId, sessionsEnded }, now: now() });
    });
  }

  // ----- reset links

  const requireAdmin = (req: FastifyRequest) => {
    const user = requireUser(req);
    if (!user.isAdmin)
      throw new HttpError(403, "Only the server's administrator can manage accounts.", 'forbidden');
    return user;
  };

  const adminPage = async (
    reply: FastifyReply,
    user: ReturnType<typeof requireUser>,
    made?: AdminUsersModel['made'],
  ) => {
    const csrf = reply.generateCsrf();
    const body = adminUsersPage({ users: await store.users.list(), made }, csrf);
    return send(reply, 200, layout({ title: 'Accounts', user, csrf, body }));
  };

  app.get('/admin/users', async (req, reply) => adminPage(reply, requireAdmin(req)));

  app.post('/admin/users/:uid/reset-link', async (req, reply) => {
    const admin = requireAdmin(req);
    const { uid } = parseParams(req, UserParams);
    const target = /^[1-9]\d{0,14}$/.test(uid) ? await store.users.byId(Number(uid)) : undefined;
    if (!target) throw new HttpError(404, 'There is no such account.', 'not_found');
    const token = randomToken(32);
    const expiresAt = new Date(clock() + RESET_LINK_MS);
    await store.audited(
      async (tx) => {
        await tx.accountLinks.revokeResets(target.id, now());
        return tx.accountLinks.create({
          token,
          kind: 'reset',
          userId: target.id,
          createdBy: admin.id,
          expiresAt,
          now: now(),
        });
      },
      {
        action: 'password.reset_link',
        actorUserId: admin.id,
        detail: { userId: target.id, email: target.email },
        now: now(),
      },
    );
    return adminPage(reply, admin, {
      email: target.email,
      link: `${config.publicUrl}/reset/${token}`,
      expiresAt,
    });
  });

  const resetLink = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(req);
    const state = await store.accountLinks.check(token, 'reset', now());
    const user = state.ok
      ? await store.users.byId(present(state.link.userId, 'the account of a reset link'))
      : undefined;
    if (!state.ok || !user) {
      send(
        reply,
        410,
        linkRefusedPage(
          'This reset link cannot be used',
          state.ok ? 'The account no longer exists.' : state.message,
        ),
      );
      return undefined;
    }
    return { token, user, action: `/reset/${token}` };
  };

  app.get('/reset/:token', limit, async (req, reply) => {
    const r = await resetLink(req, reply);
    if (!r) return reply;
    return send(reply, 200, resetPage(r.action, r.user.email, reply.generateCsrf()));
  });

  app.post('/reset/:token', limit, async (req, reply) => {
    const r = await resetLink(req, reply);
    if (!r) return reply;
    const password = formField(req.body, 'password') ?? '';
    const problems = newPasswordProblems(password, formField(req.body, 'password2') ?? '');
    if (problems.length)
      return send(reply, 400, resetPage(r.action, r.user.email, reply.generateCsrf(), problems));
    const passwordHash = await hashPassword(password);
    const used = await store.transaction(async (tx) => {
      const c = await tx.accountLinks.consume(r.token, 'reset', r.user.id, now());
      if (!c.ok) return c;
      await tx.users.setPasswordHash(r.user.id, passwordHash);
      const sessionsEnded = await tx.sessions.deleteForUser(r.user.id);
      await tx.audit.append({
        action: 'password.reset',
        actorUserId: r.user.id,
        detail: { userId: r.user.id, sessionsEnded },
        now: now(),
      });
      return c;
    });
    if (!used.ok) return send(reply, 410, linkRefusedPage('This reset link cannot be used', used.message));
    return reply.code(303).header('location', '/signin?reset=1').send();
  });
}
