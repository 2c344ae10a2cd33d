/**
 * Who is asking, and may they? An onRequest hook (registered by app.ts) reads the httpOnly `nabz_session`
 * cookie, looks the session up (store.sessions.getValid) and records the signed-in user for the request;
 * handlers then call `currentUser`, `requireUser` or `requireStudyRole`.
 */
import type { FastifyRequest } from 'fastify';
import type { Store, Study, StudyRole, User } from '../../store/index.js';
import { HttpError } from '../errors.js';

/** A role on one study. */
export type Role = StudyRole;

/**
 * Roles allowed per kind of route, for the studio and the qualitative pages alike (the tab bars follow the same
 * rule).
 */
export const ROLES = {
  /** Aggregates: overview, progress, analysis; the qualitative project's overview, comparison and queries. */
  read: ['owner', 'analyst', 'viewer'],
  /** Work on the data, not for viewers (aggregates only): preview, share link, exports; qualitative coding. */
  work: ['owner', 'analyst'],
  /** Definition changes, launch/close, roles, audit log, volunteers; a qualitative project's audit trail. */
  owner: ['owner'],
} as const satisfies Record<string, readonly Role[]>;

/** The name of the session cookie. */
export const SESSION_COOKIE = 'nabz_session';

interface RequestAuth {
  readonly store: Store;
  readonly user: User | undefined;
  /** The raw session token from the cookie, when it named a valid session. */
  readonly sessionToken: string | undefined;
}

const authByRequest = new WeakMap<FastifyRequest, RequestAuth>();

/** Record the request's store and signed-in user (called by the session hook in app.ts). */
export function attachAuth(req: FastifyRequest, auth: RequestAuth): void {
  authByRequest.set(req, auth);
}

function authOf(req: FastifyRequest): RequestAuth {
  const auth = authByRequest.get(req);
  if (!auth)
    throw new Error(
      'The session hook did not run for this request (is the route registered inside buildApp?).',
    );
  return auth;
}

/** The signed-in user, or undefined. */
export function currentUser(req: FastifyRequest): User | undefined {
  return authByRequest.get(req)?.user;
}

/** The session token of the signed-in user (for sign-out), or undefined. */
export function currentSessionToken(req: FastifyRequest): string | undefined {
  return authByRequest.get(req)?.sessionToken;
}

/**
 * The signed-in user; throws HttpError(401) otherwise. For HTML routes the error handler turns the 401 into a
 * redirect to `/signin?next=<this path>`.
 */
export function requireUser(req: FastifyRequest): User {
  const user = currentUser(req);
  if (!user) throw new HttpError(401, 'Please sign in to continue.', 'unauthenticated');
  return user;
}

/**
 * The signed-in user's role on a study, checked against `allowed`.
 * - not signed in → 401;
 * - the study does not exist, or the user has no role on it → 404 "Study not found." (the same answer, so a
 *   user cannot learn that another study exists);
 * - a role that is not in `allowed` → 403.
 * Being an administrator gives no access to other people's studies.
 */
export async function requireStudyRole(
  req: FastifyRequest,
  studyId: string | number,
  allowed: readonly Role[],
): Promise<{ user: User; role: Role; study: Study }> {
  const user = requireUser(req);
  const { store } = authOf(req);
  const id =
    typeof studyId === 'number' ? studyId : /^[1-9]\d{0,14}$/.test(studyId) ? Number(studyId) : Number.NaN;
  const notFound = new HttpError(404, 'Study not found.', 'not_found');
  if (!Number.isSafeInteger(id)) throw notFound;
  const role = await store.roles.roleOf({ userId: user.id, studyId: id });
  if (role === null) throw notFound;
  const study = await store.studies.byId(id);
  if (!study) throw notFound;
  if (!allowed.includes(role)) {
    throw new HttpError(
      403,
      `Your role on this study is ${role}; this needs ${allowed.join(' or ')}. Ask the study's owner to change your role.`,
      'forbidden',
    );
  }
  return { user, role, study };
}
