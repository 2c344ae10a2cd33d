/**
 * Sign-in, sign-out and first-run owner setup.
 *
 * - `GET /signin?next=/path` — the form; `POST /signin` (email, password, next, _csrf) — 303 to `next` on
 *   success with a new session cookie (the previous session, if any, is deleted: no fixation); 401 with the
 *   form again on a wrong password; 429 while throttled (see throttle.ts). Every attempt is audited.
 * - `POST /signout` (_csrf) — deletes the session, clears the cookie, 303 to /signin.
 * - `GET /setup/:token`, `POST /setup/:token` (name, email, password, password2, _csrf) — creates the first
 *   account (administrator) with the one-time token printed at first start, signs it in, 303 to /.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normalizeEmail, type Store } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { EMAIL_RE, formField } from '../form.js';
import { parseQuery, queryText, segments } from '../request.js';
import { STUDIO_HEADERS } from '../ui/headers.js';
import type { Html } from '../ui/html.js';
import { accountRoutes } from './accounts.js';
import { safeNext } from './form.js';
import { currentSessionToken, currentUser } from './guard.js';
import { setupPage, setupUnavailablePage, signInPage } from './pages.js';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './password.js';
import { clearSessionCookie, createSession, type SessionPolicy, setSessionCookie } from './session.js';
import type { SignInThrottle } from './throttle.js';

const SignInQuery = z.object({ next: queryText, reset: queryText });

export interface AuthRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly throttle: SignInThrottle;
  readonly clock: () => number;
  readonly sessionPolicy: SessionPolicy;
}

/** Sign-in attempts per client address per minute before 429 (on top of the per-account lockout). */
const SIGNIN_RATE_LIMIT_PER_MINUTE = 30;

/** Send one of the auth pages with the studio's security headers. */
function sendHtml(reply: FastifyReply, status: number, page: Html): FastifyReply {
  return reply.code(status).headers(STUDIO_HEADERS).send(page.text);
}

export async function authRoutes(app: FastifyInstance, opts: AuthRoutesOptions): Promise<void> {
  const { store, config, throttle, clock, sessionPolicy } = opts;

  const signInLimit = {
    rateLimit: { max: SIGNIN_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 },
  };

  /**
   * Start a fresh session for the user (deleting the one the browser had, if any) and set the cookie. The
   * session and its `sign_in` audit entry commit together: no session without its entry, and no entry for a
   * session that was not made.
   */
  async function startSession(
    req: FastifyRequest,
    reply: FastifyReply,
    userId: number,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const old = req.cookies.nabz_session;
    const token = await store.audited(
      async (tx) => {
        if (old) await tx.sessions.delete(old);
        return createSession(tx, userId, clock, sessionPolicy);
      },
      { action: 'sign_in', actorUserId: userId, detail, now: new Date(clock()) },
    );
    setSessionCookie(reply, config, token);
  }

  app.get('/signin', async (req, reply) => {
    const query = parseQuery(req, SignInQuery);
    const next = safeNext(query.next);
    if (currentUser(req)) return reply.code(303).header('location', next).send();
    const csrf = reply.generateCsrf();
    const notice = query.reset === '1' ? 'Your password was changed. Sign in with the new one.' : undefined;
    return sendHtml(reply, 200, signInPage({ csrf, next: next === '/' ? undefined : next, notice }));
  });

  app.post('/signin', { config: signInLimit }, async (req, reply) => {
    const emailRaw = (formField(req.body, 'email') ?? '').slice(0, 320);
    const password = formField(req.body, 'password') ?? '';
    const next = safeNext(formField(req.body, 'next'));
    const email = normalizeEmail(emailRaw);
    const address = req.ip;
    const again = (status: number, errors: string[]) =>
      sendHtml(
        reply,
        status,
        signInPage({
          csrf: reply.generateCsrf(),
          next: next === '/' ? undefined : next,
          email: emailRaw,
          errors,
        }),
      );

    if (!email || !password) {
      return again(400, [!email ? 'Enter your e-mail address.' : 'Enter your password.']);
    }

    const decision = await throttle.check(email, address);
    if (!decision.allowed) {
      const minutes = Math.max(1, Math.ceil(decision.retryAfterMs / 60_000));
      await store.audit.append({
        action: 'sign_in.failure',
        actorUserId: null,
        detail: { email, reason: 'locked', scope: decision.scope },
        now: new Date(clock()),
      });
      reply.header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
      return again(429, [
        `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask the server's administrator.`,
      ]);
    }

    const user = password.length <= 1024 ? await store.users.byEmail(email) : undefined;
    const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
    if (!user || !ok) {
      await throttle.fail(email, address);
      await store.audit.append({
        action: 'sign_in.failure',
        actorUserId: user?.id ?? null,
        detail: { email, reason: user ? 'wrong_password' : 'unknown_account' },
        now: new Date(clock()),
      });
      return again(401, ['The e-mail address or the password is not right.']);
    }

    await throttle.succeed(email, address);
    await startSession(req, reply, user.id, { email });
    return reply.code(303).header('location', next).send();
  });

  app.post('/signout', async (req, reply) => {
    const token = currentSessionToken(req) ?? req.cookies.nabz_session;
    const user = currentUser(req);
    await store.audited(
      async (tx) => (token ? tx.sessions.delete(token) : false),
      () =>
        user ? { action: 'sign_out', actorUserId: user.id, detail: {}, now: new Date(clock()) } : undefined,
    );
    clearSessionCookie(reply, config);
    return reply.code(303).header('location', '/signin').send();
  });

  /** Whether a setup token can still be used (without using it up), and why not. */
  async function setupTokenProblem(token: string): Promise<string | undefined> {
    if (token.length > 200) return 'This set-up link is not valid.';
    if ((await store.users.count()) > 0)
      return 'An account already exists on this server: sign in, or ask its administrator to add you (nabz user add).';
    const state = await store.setupTokens.check(token, { now: new Date(clock()) });
    return state.ok ? undefined : state.message;
  }

  app.get('/setup/:token', async (req, reply) => {
    const { token } = segments(req, 'token');
    const problem = await setupTokenProblem(token);
    if (problem) return sendHtml(reply, 410, setupUnavailablePage(problem));
    return sendHtml(
      reply,
      200,
      setupPage({ csrf: reply.generateCsrf(), action: `/setup/${encodeURIComponent(token)}` }),
    );
  });

  app.post('/setup/:token', { config: signInLimit }, async (req, reply) => {
    const { token } = segments(req, 'token');
    const problem = await setupTokenProblem(token);
    if (problem) return sendHtml(reply, 410, setupUnavailablePage(problem));
    const name = (formField(req.body, 'name') ?? '').trim().slice(0, 200);
    const emailRaw = (formField(req.body, 'email') ?? '').trim();
    const password = formField(req.body, 'password') ?? '';
    const password2 = formField(req.body, 'password2') ?? '';
    const email = normalizeEmail(emailRaw);
    const errors: string[] = [];
    if (!EMAIL_RE.test(email) || email.length > 254)
      errors.push(`"${emailRaw.slice(0, 100)}" is not an e-mail address: use the form name@example.org.`);
    const pw = passwordProblem(password);
    if (pw) errors.push(pw);
    else if (password !== password2)
      errors.push('The two passwords are not the same: type the same password twice.');
    const action = `/setup/${encodeURIComponent(token)}`;
    if (errors.length)
      return sendHtml(
        reply,
        400,
        setupPage({ csrf: reply.generateCsrf(), action, email: emailRaw, name, errors }),
      );

    const passwordHash = await hashPassword(password);
    const now = new Date(clock());
    const created = await store.transaction(async (tx) => {
      const used = await tx.setupTokens.consume(token, { purpose: 'owner', now });
      if (!used.ok) return used;
      const user = await tx.users.create({
        email,
        displayName: name || email,
        passwordHash,
        isAdmin: true,
        now,
      });
      if (!user.ok) throw new HttpError(409, user.message, 'email_taken');
      await tx.audit.append({
        action: 'setup.owner_created',
        actorUserId: user.value.id,
        detail: { email },
        now,
      });
      return { ok: true as const, user: user.value };
    });
    if (!created.ok) return sendHtml(reply, 410, setupUnavailablePage(created.message));
    await startSession(req, reply, created.user.id, { email, via: 'setup' });
    return reply.code(303).header('location', '/').send();
  });

  accountRoutes(app, opts, startSession);
}
