/**
 * The Fastify application: plugins, the session hook, CSRF on every state-changing researcher request, one
 * error handler, and the feature routes (auth, respondent pages, JSON API, studio).
 *
 * ```ts
 * const store = await openStore(storeConfigFromEnv(process.env, config.dataDir));
 * const app = await buildApp({ store, config });
 * await app.listen({ port: config.port, host: config.host });
 * ```
 *
 * The server keeps no state of its own apart from the database (sessions, drafts and resume codes live in
 * the store). The sign-in throttle is in the store too, and so are the rate-limit counters over PostgreSQL (or
 * with `sharedRateLimits`); see docs/deploy.md.
 */

import { isUtf8 } from 'node:buffer';
import { parse as parseQuerystring } from 'node:querystring';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { isUnavailableError, type Store } from '../store/index.js';
import { apiRoutes } from './api/routes.js';
import { attachAuth, currentSessionToken, SESSION_COOKIE } from './auth/guard.js';
import { authPage } from './auth/pages.js';
import { authRoutes } from './auth/routes.js';
import { DEFAULT_SESSION_POLICY, lookupSession, type SessionPolicy } from './auth/session.js';
import { SignInThrottle } from './auth/throttle.js';
import { BODY_LIMIT, type ServerConfig } from './config.js';
import { HttpError, type HttpIssue, tooLarge } from './errors.js';
import { checkFormText } from './form.js';
import { qualRoutes } from './qual/index.js';
import { sharedRateLimitStore } from './rate-limit-store.js';
import { respondentErrorPage } from './respond/errorPage.js';
import { compressBody } from './respond/index.js';
import { StudyCache } from './respond/load.js';
import { respondRoutes } from './respond/routes.js';
import { studioRoutes } from './studio/index.js';
import { RESPOND_HEADERS, STUDIO_HEADERS, startHeaders } from './ui/headers.js';
import { html } from './ui/html.js';

export { BODY_LIMIT };

interface BuildAppOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  /** Fastify's logger: false (default, e.g. tests) or pino options. Remote addresses and headers are never logged. */
  readonly logger?: boolean | { readonly level?: string; readonly stream?: { write(line: string): void } };
  /** The clock (ms since epoch), for sessions, sign-in throttling and drafts; tests pass a fake one. */
  readonly clock?: () => number;
  /** Session lifetimes (default 12 h idle, 7 days absolute). */
  readonly sessionPolicy?: SessionPolicy;
  /**
   * Count the per-address rate limits in the database so that every server process over it shares them
   * (default: on for PostgreSQL, off for SQLite, whose single process keeps them in memory for free).
   */
  readonly sharedRateLimits?: boolean;
}

/** The HMAC key of the CSRF tokens' session binding (public: the bound value, the session token, is the secret). */
const CSRF_HMAC_KEY = 'nabz csrf session binding v1';

/** What a CSRF token is bound to: the request's valid session token, or "-" for a signed-out browser. */
function csrfBinding(req: FastifyRequest): string {
  return currentSessionToken(req) ?? '-';
}

/** Paths whose requests come from respondents: no session lookup needed, no CSRF cookie, nothing identifying logged. */
function isRespondentPath(url: string): boolean {
  return url.startsWith('/s/') || url.startsWith('/api/v1/s/');
}

/** The path of a request URL with secrets removed, for logs: no query string, no setup token. */
export function loggablePath(url: string): string {
  const path = url.split('?')[0] ?? '';
  if (path.startsWith('/setup/')) return '/setup/[token]';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** Build the app (does not listen). Close it with `app.close()`; the store is the caller's to close. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { store, config } = opts;
  const clock = opts.clock ?? Date.now;
  const sessionPolicy = opts.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  // One study cache for the three respondent-engine adapters (form routes, JSON API, studio preview); the
  // respondent error pages read their study's languages from it too (sendError, nothing queried).
  const studyCache = new StudyCache(store);

  const logger: NonNullable<FastifyServerOptions['logger']> =
    opts.logger === undefined || opts.logger === false
      ? false
      : ({
          ...(opts.logger === true ? {} : opts.logger),
          // Never log remote addresses, headers (cookies, user agents) or query strings.
          serializers: {
            req: (req: { method?: string; url?: string }) => ({
              method: req.method,
              url: loggablePath(req.url ?? ''),
            }),
            res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          },
        } as NonNullable<FastifyServerOptions['logger']>);

  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT,
    // Fastify accepts a hop count too (proxy-addr), though its types only list boolean and strings.
    trustProxy: config.trustProxy as boolean | string,
    // Malformed or hostile JSON: refuse __proto__ / constructor keys rather than strip them silently.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Respondent requests are never logged, at any level (here, and in the error handler): a log line carries
    // the time to the millisecond, and for an anonymous study that time (and the order of lines) would date
    // each respondent's pages and submission. (A function here costs nothing per request; a route log level
    // of 'silent' made a child logger for every request.)
    logController: new LogController({
      disableRequestLogging: (req: { url?: string }) => isRespondentPath(req.url ?? ''),
    }),
    // Nor does a respondent request get a child logger (pino's child() per request was 2–3% of the server's
    // CPU under ingestion load): it gets the server's logger, which it never logs to.
    childLoggerFactory: (logger, bindings, opts, rawReq) =>
      isRespondentPath(rawReq.url ?? '') ? logger : logger.child(bindings, opts),
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    requestTimeout: 30_000,
    // The router's own refusals (bad %-encoding, an over-long path segment) in the app's error format too.
    frameworkErrors: (err, req, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendError(
        req,
        reply,
        new HttpError(
          tooLong ? 414 : 400,
          tooLong
            ? 'The address is too long; check the link.'
            : 'The address is not valid (it has a broken %-escape); check the link.',
          'malformed',
        ),
        studyCache,
      );
    },
  });

  // Bodies must be UTF-8: invalid bytes are refused (400), never stored as U+FFFD (see checkFormText).
  await app.register(formbody, {
    bodyLimit: BODY_LIMIT,
    parser: (text: string) => {
      checkFormText(text);
      return parseQuerystring(text);
    },
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    if (!isUtf8(body as Buffer)) {
      done(
        new HttpError(
          400,
          'The body is not valid UTF-8; nothing was saved. Send the JSON encoded as UTF-8.',
          'malformed',
        ),
        undefined,
      );
      return;
    }
    parseJson(req, (body as Buffer).toString('utf8'), done);
  });
  await app.register(cookie);
  // CSRF tokens are bound to the browser's session: a token is an HMAC over the `_csrf` cookie's secret and
  // the session token ("-" when signed out), so a cookie + token pair planted from another session (e.g.
  // the attacker's own, through a sibling subdomain) does not verify for the victim. The session token is a
  // 256-bit secret itself, so the HMAC key need not be secret and is the same on every server process.
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: '_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies },
    csrfOpts: { userInfo: true, hmacKey: CSRF_HMAC_KEY },
    getUserInfo: (req) => csrfBinding(req),
  });
  // Every response starts with its path family's security headers (src/server/ui/headers.ts, the one table).
  const headersOf = startHeaders(config.secureCookies);
  const sharedRateLimits = opts.sharedRateLimits ?? store.backend === 'postgres';
  await app.register(rateLimit, {
    global: false,
    ...(sharedRateLimits ? { store: sharedRateLimitStore(store.limits, clock) } : {}),
    // Limits are not advertised on every answer; a 429 comes with Retry-After.
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
  });

  const throttle = new SignInThrottle({ state: store.limits, clock });

  // The security headers, and who is signed in. Respondent requests normally carry no session cookie, so
  // the lookup costs them nothing.
  // (A callback hook, not an async one: without a session cookie it finishes synchronously, with no promise.)
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headersOf(req.url));
    const token = req.cookies[SESSION_COOKIE];
    const finish = (user: Awaited<ReturnType<typeof lookupSession>>) => {
      attachAuth(req, { store, user: user?.user, sessionToken: user ? token : undefined });
      if (!isRespondentPath(req.url)) {
        // Every token this request generates is bound to its session (see the csrf registration above).
        const generate = reply.generateCsrf;
        reply.generateCsrf = (o) => generate.call(reply, { ...o, userInfo: csrfBinding(req) });
      }
      done();
    };
    if (!token) finish(undefined);
    else lookupSession(store, token, clock, sessionPolicy).then(finish, done);
  });

  // CSRF for every state-changing request outside the respondent pages and the respondent JSON API (those are
  // anonymous: there is no session to ride on, and the idempotency key protects the submission).
  // Runs after body parsing so that the `_csrf` form field is available; JSON clients send `x-csrf-token`.
  app.addHook('preHandler', (req, reply, done) => {
    const m = req.method;
    if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || isRespondentPath(req.url)) {
      done();
      return;
    }
    app.csrfProtection(req, reply, done);
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await store.ping();
      return reply.header('cache-control', 'no-store').send({ ok: true, backend: store.backend });
    } catch {
      return reply
        .code(503)
        .header('retry-after', '5')
        .header('cache-control', 'no-store')
        .send({ ok: false, error: 'The database is not reachable.' });
    }
  });

  app.setNotFoundHandler((req, reply) => {
    sendError(
      req,
      reply,
      new HttpError(404, `Nothing is at ${loggablePath(req.url)}.`, 'not_found'),
      studyCache,
    );
  });

  app.setErrorHandler((err: FastifyError | HttpError | Error, req, reply) => {
    const httpErr = toHttpError(err, isRespondentPath(req.url));
    if (httpErr.status >= 500 && !(httpErr.code === 'unavailable') && !isRespondentPath(req.url))
      req.log.error({ err }, 'request failed');
    sendError(req, reply, httpErr, studyCache);
  });

  await app.register(authRoutes, { store, config, throttle, clock, sessionPolicy });
  await app.register(respondRoutes, { store, config, clock, cache: studyCache });
  await app.register(apiRoutes, { store, config, clock, cache: studyCache });
  await app.register(studioRoutes, { store, config, studyCache });
  await app.register(qualRoutes, { store, config });
  return app;
}

/** Turn any thrown value into the HttpError to send (`respondent`: the request came from a respondent's page or app). */
export function toHttpError(err: unknown, respondent = true): HttpError {
  if (err instanceof HttpError) return err;
  if (isZodLike(err)) {
    const issues: HttpIssue[] = err.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    return new HttpError(
      400,
      issues.length
        ? `The request is not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`
        : 'The request is not valid.',
      'validation',
      issues,
    );
  }
  if (isUnavailableError(err)) {
    return new HttpError(
      503,
      'The database is not available at the moment; nothing was saved. Please try again in a few seconds.',
      'unavailable',
      [],
      { 'retry-after': '5' },
    );
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        // Routes with a larger limit (qualitative uploads) answer with their own limit (qual/index.ts).
        return tooLarge(
          'The request body',
          BODY_LIMIT,
          respondent ? 'Shorten the free-text answers.' : 'Shorten the text you entered.',
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new HttpError(
          415,
          'This content type is not accepted: send application/json (API) or a form (application/x-www-form-urlencoded).',
          'unsupported_media_type',
        );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new HttpError(
          400,
          'The JSON body is empty: send an object such as {"answers": {}}.',
          'malformed',
        );
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new HttpError(400, `The body is not valid JSON: ${fe.message ?? ''}`.trim(), 'malformed');
      case 'FST_CSRF_MISSING_SECRET':
      case 'FST_CSRF_INVALID_TOKEN':
        return new HttpError(
          403,
          'The form has expired or did not come from this site (CSRF check failed). Reload the page and try again.',
          'csrf',
        );
      default:
        break;
    }
    if (status === 429) {
      return new HttpError(
        429,
        'Too many requests from this address; please wait a minute and try again.',
        'rate_limited',
        [],
        {
          'retry-after': '60',
        },
      );
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
      return new HttpError(400, 'The Content-Length header does not match the body.', 'malformed');
    // Other Fastify client errors (bad JSON, proto poisoning, bad URL encoding, ...): keep their message.
    const msg = typeof fe.message === 'string' && fe.message ? fe.message : 'The request is not valid.';
    return new HttpError(status, msg, status === 400 ? 'malformed' : 'error');
  }
  if (err instanceof SyntaxError)
    return new HttpError(400, `The body is not valid: ${err.message}`, 'malformed');
  return new HttpError(
    500,
    'Something went wrong on the server; nothing was changed. Please try again.',
    'server',
  );
}

function isZodLike(err: unknown): err is { issues: { path: PropertyKey[]; message: string }[] } {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'ZodError' &&
    Array.isArray((err as { issues?: unknown }).issues)
  );
}

/**
 * Render an HttpError: JSON under /api/, the respondent error page under /s/ (in the study language asked for:
 * respond/errorPage.ts), a small HTML page otherwise.
 */
function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  err: HttpError,
  studyCache: Pick<StudyCache, 'kept'>,
): void {
  if (reply.sent) return;
  reply.code(err.status);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  const url = req.url;
  if (url.startsWith('/api/')) {
    reply.header('cache-control', 'no-store').send({
      error: err.message,
      code: err.code,
      ...(err.issues.length ? { issues: err.issues } : {}),
    });
    return;
  }
  if (url.startsWith('/s/')) {
    const page = respondentErrorPage(req, err.status, studyCache);
    const c = compressBody(page.body, req.headers['accept-encoding']);
    reply.headers({ ...RESPOND_HEADERS, ...c.headers }).send(c.body);
    return;
  }
  if (err.status === 401 && (req.method === 'GET' || req.method === 'HEAD')) {
    const next = url.split('#')[0] ?? '/';
    reply
      .code(303)
      .header('location', `/signin?next=${encodeURIComponent(next)}`)
      .send();
    return;
  }
  const signInLink =
    err.status === 401
      ? html`<p><a href="/signin">Sign in</a></p>`
      : html`<p><a href="/">Back to the start page</a></p>`;
  reply.headers(STUDIO_HEADERS).send(
    authPage({
      title: titleFor(err.status),
      body: html`<h1>${titleFor(err.status)}</h1><p>${err.message}</p>${signInLink}`,
    }).text,
  );
}

function titleFor(status: number): string {
  if (status === 401) return 'Please sign in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 413) return 'Too large';
  if (status === 429) return 'Too many requests';
  if (status === 503) return 'Temporarily unavailable';
  if (status >= 500) return 'Something went wrong';
  return 'Could not do that';
}
