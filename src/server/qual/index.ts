/**
 * The qualitative study in the researcher workspace: server-rendered pages under `/studies/:id/qual/...` that
 * work without JavaScript except for selecting text to code (and reading a file to upload).
 *
 * | route | who |
 * |---|---|
 * | `GET /studies/:id/qual` overview, phases · `GET /compare` · `GET /queries` · `GET /checklists` (+ `.md`, `.docx`) | owner, analyst, viewer (viewers: aggregates only) |
 * | `POST /studies/:id/qual` start the project · `POST /settings` · `POST /comparison` · `POST /import` · `GET /audit` (+ `.csv`, `.json`, `.md`) | owner |
 * | `GET`/`POST /sources`, `GET /sources/:sid` (coding), `POST /sources/:sid/segments`, `POST /segments/:segId/delete` | owner, analyst |
 * | `GET`/`POST /sources/:sid/media` (a transcript's recording: byte ranges; upload or remove) | owner, analyst |
 * | `POST /participants/:pid/withdraw` (consent withdrawn: the participant, their packet, corrections and recordings; recorded on their consent record) | owner |
 * | `GET /consent` (consent register, form versions) · `POST /consent/records` · `GET /consent/:rid/pdf`, `/consent/register.csv` | owner, analyst |
 * | `POST /consent/forms` (a consent form version) | owner |
 * | `GET`/`POST /participants`, `POST /participants/:pid` · `GET`/`POST /codes`, `POST /codes/:cid`, `POST /codes/:cid/delete` | owner, analyst |
 * | `GET`/`POST /memos`, `POST /memos/:mid/delete` · `GET`/`POST /themes`, `POST /themes/:tid`, `/status`, `/signoff`, `/disagreements`, `/disagreements/:did/resolve` | owner, analyst |
 * | `GET /member-checks`, `GET /member-checks/:pid/packet?lang=en\|ur`, `POST /member-checks/:pid/status`, `/corrections` | owner, analyst |
 * | `GET /results` (+ `.md`, `.csv`, `.docx`, `.html`) · `POST /meta` · `GET /exchange`, `/export.qdpx`, `/codebook.qdc` | owner, analyst |
 * | `GET`/`POST /consensus` · `GET /consensus/codebook`, `/consensus/codebook/split` · `POST /consensus/codebook/merge`, `/unmerge`, `/split` | owner, analyst |
 * | `GET /qual-assets/qual.js` | anyone (static script) |
 *
 * Signed out: GET → 303 to /signin, POST → 401 (before the body is read). No role on the study → 404, not
 * enough role → 403 (src/server/auth/guard.ts). CSRF: app.ts checks the `_csrf` field of every POST.
 * Stale forms → 409 with a message naming the versions. Every change appends to the project's audit trail.
 *
 * Forms are application/x-www-form-urlencoded; inside this plugin the parser accepts up to
 * {@link QUAL_BODY_LIMIT} bytes (a 90-minute Urdu transcript, percent-encoded, or a base64 .docx
 * exceeds the app's 256 KB limit), and {@link MEDIA_BODY_LIMIT} for a recording or a .qdpx (which may carry
 * recordings), only for those who may write here (owners and analysts; checked before the body is read).
 *
 * Register with `await app.register(qualRoutes, { store, config })` (see app.ts).
 */
import type { FastifyInstance } from 'fastify';
import { MAX_MEDIA_BYTES } from '../../core/qual/media.js';
import type { Store } from '../../store/index.js';
import { currentUser, ROLES, requireStudyRole } from '../auth/guard.js';
import type { ServerConfig } from '../config.js';
import { HttpError, tooLarge } from '../errors.js';
import { checkFormText } from '../form.js';
import { segments } from '../request.js';
import { layout } from '../studio/layout.js';
import { QUAL_HEADERS } from '../ui/headers.js';
import { registerAnalysis } from './analysis.js';
import { QUAL_JS, QUAL_SCRIPT_PATH } from './assets.js';
import { registerCodes } from './codes.js';
import { type QualContext, refusalTitle, refusalView } from './common.js';
import { registerConsensus } from './consensus.js';
import { registerConsent } from './consent.js';
import { registerExchange } from './exchange.js';
import { MEDIA_BODY_LIMIT, registerMedia } from './media.js';
import { registerMembers } from './members.js';
import { registerOverview } from './overview.js';
import { registerQueries } from './queries.js';
import { registerResults } from './results.js';
import { registerSources } from './sources.js';
import { registerThemes } from './themes.js';
import { registerWithdraw } from './withdraw.js';

/** Largest form body the qualitative routes accept (bytes). */
const QUAL_BODY_LIMIT = 16 * 1024 * 1024;

/** A urlencoded body as an object; repeated names become arrays (as @fastify/formbody does). */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if (Array.isArray(cur)) cur.push(v);
    else out[k] = [cur, v];
  }
  return out;
}

/** The page a form at `url` came from: its section (or the coding page of a transcript). */
function backLink(url: string): string {
  const path = url.split('?')[0] ?? '';
  const m = /^(\/studies\/\d+\/qual)(?:\/([^/]+)(?:\/([^/]+))?)?/.exec(path);
  if (!m) return '/';
  const [, base, section, id] = m;
  if (section === 'sources' && id && path.endsWith('/segments')) return `${base}/sources/${id}`;
  const map: Record<string, string> = {
    sources: '/sources',
    segments: '/sources',
    participants: '/participants',
    consent: '/consent',
    codes: '/codes',
    memos: '/memos',
    themes: '/themes',
    'member-checks': '/member-checks',
    meta: '/checklists',
    import: '/exchange',
  };
  return `${base}${section ? (map[section] ?? '') : ''}`;
}

/** Parse urlencoded forms (checked text, repeated names as arrays) up to `limit` bytes on `app`. */
function formParser(app: FastifyInstance, limit: number): void {
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: limit },
    (_req, body, done) => {
      try {
        checkFormText(body as string);
        done(null, parseForm(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}

/** Register `routes` on an encapsulated instance whose forms may be up to `limit` bytes (413 from `tooBig`). */
function withBodyLimit(
  app: FastifyInstance,
  limit: number,
  tooBig: () => HttpError,
  routes: (sub: FastifyInstance) => void,
): void {
  app.register(async (sub) => {
    formParser(sub, limit);
    sub.setErrorHandler(async (err) => {
      if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooBig();
      throw err;
    });
    routes(sub);
  });
}

/** The qualitative routes (a Fastify plugin; encapsulated, so its body parser applies to its routes only). */
export async function qualRoutes(
  app: FastifyInstance,
  opts: { store: Store; config: ServerConfig },
): Promise<void> {
  const ctx: QualContext = { store: opts.store, config: opts.config };

  formParser(app, QUAL_BODY_LIMIT);

  // Refuse writes from anyone who may not write here before reading (possibly large) bodies: every POST of
  // these pages needs an owner or analyst role on the study (viewers get 403, others 404, signed out 401).
  app.addHook('preParsing', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    await requireStudyRole(req, segments(req, 'id').id, ROLES.work);
  });

  // A refused change (400 invalid, 409 conflict or workflow refusal) is shown in the studio layout with a
  // link back to the page the form came from; everything else goes to app.ts's error handler.
  app.setErrorHandler(async (err, req, reply) => {
    if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      throw tooLarge(
        'The form (with its transcript or file)',
        QUAL_BODY_LIMIT,
        'Split the transcript into parts, or upload a smaller file.',
      );
    const user = currentUser(req);
    if (
      !(err instanceof HttpError) ||
      (err.status !== 400 && err.status !== 409) ||
      req.method !== 'POST' ||
      !user
    )
      throw err;
    const status = err.status;
    const csrf = await reply.generateCsrf();
    return reply
      .code(status)
      .headers(QUAL_HEADERS)
      .send(
        layout({
          title: refusalTitle(status),
          user,
          csrf,
          body: refusalView(status, err.message, backLink(req.url)),
        }).text,
      );
  });

  app.get(QUAL_SCRIPT_PATH, async (_req, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').send(QUAL_JS),
  );

  registerOverview(app, ctx);
  registerSources(app, ctx);
  registerCodes(app, ctx);
  registerThemes(app, ctx);
  registerAnalysis(app, ctx);
  registerQueries(app, ctx);
  registerConsensus(app, ctx);
  registerMembers(app, ctx);
  registerResults(app, ctx);
  // Recording uploads and QDPX imports (which may carry recordings) take larger forms.
  withBodyLimit(
    app,
    MEDIA_BODY_LIMIT,
    () => tooLarge('The recording', MAX_MEDIA_BYTES, 'Export it at a lower bit rate, or split it.'),
    (sub) => registerMedia(sub, ctx),
  );
  withBodyLimit(
    app,
    MEDIA_BODY_LIMIT,
    () =>
      tooLarge(
        'The uploaded file',
        MEDIA_BODY_LIMIT,
        'Export the project without its recordings (link them again afterwards), or import its codebook (.qdc).',
      ),
    (sub) => registerExchange(sub, ctx),
  );
  registerWithdraw(app, ctx);
  registerConsent(app, ctx);
}
