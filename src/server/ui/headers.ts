/**
 * The one table of security headers: for every kind of response the server sends, the value of each
 * security header (or none). Nothing else in the server writes a Content-Security-Policy or a frame, referrer
 * or caching policy by hand.
 *
 * - The app's onRequest hook (app.ts) sends every response the headers of its path's family
 *   ({@link kindOfPath}) plus HSTS when the public URL is https, so redirects and error pages carry them too.
 * - A route whose response is of another kind than its path's family (a downloaded report, an SVG, the
 *   studio's preview of a respondent page) switches with {@link useHeaders}.
 *
 * The CSP hashes are computed from the stylesheets and scripts as sent (./assets.ts, respond/assets.ts).
 */
import type { FastifyReply } from 'fastify';
import { RESPOND_JS } from '../respond/assets.js';
import { cspHash, QUAL_CSS, RESPOND_CSS, STUDIO_CSS, STUDIO_JS } from './assets.js';

/** The kinds of response, each with its own header set. */
export const RESPONSE_KINDS = [
  /** respondent pages, `/s/…`: the inline stylesheet and script by hash, nothing else, no referrer. */
  'respondent',
  /** the respondents' JSON API, `/api/v1/s/…`: a short set (phones on slow networks send many). */
  'respondentApi',
  /** other JSON (`/healthz`, `/api/…`). */
  'api',
  /** researcher pages: studio, sign-in, setup, error pages. */
  'studio',
  /** qualitative pages, `/studies/:id/qual…`: the studio's, plus qual.css and the same-origin qual.js. */
  'qual',
  /** a standalone HTML document (report, results table, codebook, member-check packet): inline styles, no script. */
  'document',
  /** a downloaded file that is not HTML (SVG, CSV, DOCX …): nothing may load or run. */
  'file',
  /** a recording served to the coding page's player (byte ranges): only the media itself may load. */
  'media',
  /** a static asset (`/qual-assets/…`), cacheable. */
  'asset',
] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

type Row = Readonly<Partial<Record<ResponseKind, string>>>;

/** The same value for every kind, except those named in `except` (another value, or null for no header). */
function every(value: string, except: Readonly<Partial<Record<ResponseKind, string | null>>> = {}): Row {
  const row: Partial<Record<ResponseKind, string>> = {};
  for (const k of RESPONSE_KINDS) {
    const v = k in except ? except[k] : value;
    if (typeof v === 'string') row[k] = v;
  }
  return row;
}

/** A CSP from its directives, in the order written. */
function csp(...directives: readonly string[]): string {
  return directives.join('; ');
}

const NOTHING = csp("default-src 'none'", "frame-ancestors 'none'");
const RESEARCHER = [
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
] as const;

/** The respondent pages' CSP: nothing from anywhere; the one inline stylesheet and script by hash. */
export const RESPOND_CSP = csp(
  "default-src 'none'",
  `style-src ${cspHash(RESPOND_CSS)}`,
  `script-src ${cspHash(RESPOND_JS)}`,
  "img-src 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
);

/**
 * The studio pages' CSP: the inline stylesheet and script by hash; images only as data: URLs; the script may
 * fetch from the server itself only (the progress page's counts JSON).
 */
export const STUDIO_CSP = csp(
  "default-src 'none'",
  `style-src ${cspHash(STUDIO_CSS)}`,
  `script-src ${cspHash(STUDIO_JS)}`,
  "connect-src 'self'",
  ...RESEARCHER,
);

/**
 * The qualitative pages' CSP: the studio's, plus the qualitative stylesheet, the same-origin qual.js and the
 * transcripts' recordings (same origin).
 */
export const QUAL_CSP = csp(
  "default-src 'none'",
  `style-src ${cspHash(STUDIO_CSS)} ${cspHash(QUAL_CSS)}`,
  `script-src 'self' ${cspHash(STUDIO_JS)}`,
  "media-src 'self'",
  "connect-src 'none'",
  ...RESEARCHER,
);

/**
 * THE TABLE: header → kind → value (no entry: the header is not sent for that kind). HSTS is added to every
 * kind but `respondentApi` when the public URL is https ({@link hstsHeader}).
 */
export const HEADER_TABLE: Readonly<Record<string, Row>> = {
  'content-security-policy': {
    respondent: RESPOND_CSP,
    respondentApi: NOTHING,
    api: NOTHING,
    studio: STUDIO_CSP,
    qual: QUAL_CSP,
    document: csp(
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      'img-src data:',
      "form-action 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ),
    file: NOTHING,
    // Opened on its own (a turn's play link without JavaScript), the browser's media page loads the file itself.
    media: csp("default-src 'none'", "media-src 'self'", "frame-ancestors 'none'"),
    asset: NOTHING,
  },
  'cache-control': every('no-store', { asset: 'public, max-age=3600' }),
  'x-content-type-options': every('nosniff'),
  'cross-origin-resource-policy': every('same-origin'),
  'referrer-policy': every('same-origin', { respondent: 'no-referrer', respondentApi: 'no-referrer' }),
  'x-frame-options': every('DENY', { respondentApi: null }),
  'cross-origin-opener-policy': every('same-origin', { respondentApi: null }),
  'permissions-policy': every('camera=(), microphone=(), geolocation=()', {
    respondentApi: null,
    api: null,
    file: null,
    media: null,
    asset: null,
  }),
  // Helmet's defaults, kept: process isolation per origin, no DNS prefetching of links, no Adobe
  // cross-domain policies, the old XSS auditor off (it could be abused to leak), IE's "open" on downloads off.
  'origin-agent-cluster': every('?1', { respondentApi: null }),
  'x-dns-prefetch-control': every('off', { respondentApi: null }),
  'x-permitted-cross-domain-policies': every('none', { respondentApi: null }),
  'x-xss-protection': every('0', { respondentApi: null }),
  'x-download-options': every('noopen', { respondentApi: null }),
};

/** Every header name the table governs (plus HSTS). */
export const GOVERNED_HEADERS: readonly string[] = [
  ...Object.keys(HEADER_TABLE),
  'strict-transport-security',
];

/** The table's column for `kind` (without HSTS), frozen. */
export const SECURITY_HEADERS: Readonly<Record<ResponseKind, Readonly<Record<string, string>>>> =
  Object.freeze(
    Object.fromEntries(
      RESPONSE_KINDS.map((kind) => [
        kind,
        Object.freeze(
          Object.fromEntries(
            Object.entries(HEADER_TABLE).flatMap(([name, row]) =>
              row[kind] === undefined ? [] : [[name, row[kind]]],
            ),
          ),
        ),
      ]),
    ) as Record<ResponseKind, Readonly<Record<string, string>>>,
  );

/** HSTS (180 days, this host only) when the server is reached over https; none for the respondent API. */
function hstsHeader(kind: ResponseKind, https: boolean): Readonly<Record<string, string>> {
  return https && kind !== 'respondentApi' ? { 'strict-transport-security': 'max-age=15552000' } : {};
}

/** The family of a request path, which decides the headers every response to it starts with. */
export function kindOfPath(url: string): ResponseKind {
  if (url.startsWith('/api/v1/s/')) return 'respondentApi';
  if (url.startsWith('/api/') || url === '/healthz' || url.startsWith('/healthz?')) return 'api';
  if (url.startsWith('/s/')) return 'respondent';
  if (url.startsWith('/qual-assets/')) return 'asset';
  if (/^\/studies\/[^/?#]+\/qual(?:[/?#]|$)/.test(url)) return 'qual';
  return 'studio';
}

/** The headers every response to `url` starts with (the hook's per-path set, computed once per family). */
export function startHeaders(https: boolean): (url: string) => Readonly<Record<string, string>> {
  const sets = Object.fromEntries(
    RESPONSE_KINDS.map((k) => [k, Object.freeze({ ...SECURITY_HEADERS[k], ...hstsHeader(k, https) })]),
  ) as Record<ResponseKind, Readonly<Record<string, string>>>;
  return (url) => sets[kindOfPath(url)];
}

/**
 * Switch a reply to another kind's headers: the table's headers that kind does not send are removed, the
 * others set (HSTS, set by the hook, is kept).
 */
export function useHeaders(reply: FastifyReply, kind: ResponseKind): FastifyReply {
  const set = SECURITY_HEADERS[kind];
  for (const name of Object.keys(HEADER_TABLE)) if (!(name in set)) reply.removeHeader(name);
  return reply.headers(set);
}

/** A page's headers: its content type and its kind's security headers. */
function pageHeaders(
  kind: ResponseKind,
  contentType = 'text/html; charset=utf-8',
): Readonly<Record<string, string>> {
  return Object.freeze({ 'content-type': contentType, ...SECURITY_HEADERS[kind] });
}

/** The respondent pages' headers (content type included), as `renderPage` returns them. */
export const RESPOND_HEADERS = pageHeaders('respondent');
/** The studio pages' headers (content type included). */
export const STUDIO_HEADERS = pageHeaders('studio');
/** The qualitative pages' headers (content type included). */
export const QUAL_HEADERS = pageHeaders('qual');
