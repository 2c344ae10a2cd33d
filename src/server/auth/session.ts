/**
 * Sign-in sessions: a random 256-bit token in the httpOnly, SameSite=Lax cookie `nabz_session`; only its
 * SHA-256 is stored (store.sessions). Sessions expire after 12 hours without a request (the expiry slides
 * forward, at most once a minute per session) and at the latest 7 days after sign-in.
 */
import type { FastifyReply } from 'fastify';
import { type Repositories, randomToken, type Store, type User } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { SESSION_COOKIE } from './guard.js';

export interface SessionPolicy {
  /** A session ends this long after its last request (ms). */
  readonly idleMs: number;
  /** A session ends this long after sign-in whatever happens (ms). */
  readonly absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 12 * 60 * 60 * 1000,
  absoluteMs: 7 * 24 * 60 * 60 * 1000,
};

/** Don't rewrite the expiry more often than this (one write per minute per active session at most). */
const SLIDE_GRANULARITY_MS = 60 * 1000;

/** Create a session for the user and return its token (for the cookie). */
export async function createSession(
  store: Pick<Repositories, 'sessions'>,
  userId: number,
  clock: () => number,
  policy: SessionPolicy,
): Promise<string> {
  const token = randomToken(32);
  const now = clock();
  await store.sessions.create({
    token,
    userId,
    now: new Date(now),
    expiresAt: new Date(now + Math.min(policy.idleMs, policy.absoluteMs)),
  });
  return token;
}

/**
 * The user of a valid session, sliding its idle expiry forward. Undefined for an unknown, expired or
 * malformed token.
 */
export async function lookupSession(
  store: Store,
  token: string,
  clock: () => number,
  policy: SessionPolicy,
): Promise<{ user: User } | undefined> {
  if (token.length < 16 || token.length > 200) return undefined;
  const now = clock();
  const session = await store.sessions.getValid(token, new Date(now));
  if (!session) return undefined;
  const wanted = Math.min(now + policy.idleMs, session.createdAt.getTime() + policy.absoluteMs);
  if (wanted - session.expiresAt.getTime() >= SLIDE_GRANULARITY_MS) {
    await store.sessions.extend(token, new Date(wanted));
  }
  return { user: session.user };
}

/** Cookie options for the session cookie. */
function sessionCookieOptions(config: ServerConfig) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies } as const;
}

/** Set the session cookie. */
export function setSessionCookie(reply: FastifyReply, config: ServerConfig, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(config));
}

/** Remove the session cookie. */
export function clearSessionCookie(reply: FastifyReply, config: ServerConfig): void {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config));
}
