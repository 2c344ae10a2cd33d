/**
 * The researcher studio: server-rendered pages under `/` and `/studies/...` that work without JavaScript.
 *
 * | route | who |
 * |---|---|
 * | `GET /` (your studies), `GET /studies/new`, `POST /studies` | any signed-in user |
 * | `GET /studies/:id` overview, `/progress`, `/analysis`, `/analysis/report.html` | owner, analyst, viewer |
 * | `GET /studies/:id/preview` (+ POST), `/share`, `/share/present`, `/qr.svg`, `GET`/`POST /exports`, `POST /analysis/review` | owner, analyst |
 * | `GET`/`POST /studies/:id/import`, `GET /import/:upload`, `POST /import/:upload/mapping`, `/import/:upload/import` (importData.ts) | owner |
 * | `GET /studies/:id/edit`, `POST /edit/:section`, `POST /launch`, `/close`, `/reopen`, `/referrals`, `GET`/`POST /roles`, `POST /roles/remove`, `GET /audit` | owner |
 * | `GET /studies/:id/launch` (the checklist; its form posts `/launch` with `confirmed=1`) | owner |
 * | `GET /studies/:id/poster`, `/poster.png`, `/poster.svg`, `/poster.pdf` (launch.ts) | owner, analyst |
 * | `POST /studies/:id/duplicate`, `/archive`, `/restore`, `GET`/`POST /studies/:id/delete` (lifecycle.ts); `GET /archive` lists the user's archived studies | owner (archive list: any signed-in user) |
 *
 * Signed out: GET → 303 to /signin, POST → 401. No role on the study → 404 (the same as a study that does
 * not exist). A role that is not enough → 403. Every state-changing form carries a CSRF token (checked for
 * every POST by app.ts). Every change is audited.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { StudyCache } from '../respond/load.js';
import { registerAnalysis } from './analysis.js';
import type { StudioContext } from './common.js';
import { registerDashboard } from './dashboard.js';
import { registerEdit } from './edit.js';
import { registerExports } from './exports.js';
import { registerImport } from './importData.js';
import { registerInviteLinks } from './invitelinks.js';
import { registerLaunch } from './launch.js';
import { registerLifecycle } from './lifecycle.js';
import { registerOverview } from './overview.js';
import { registerPeople } from './people.js';
import { registerPlan } from './plan.js';
import { registerPreview } from './preview.js';
import { registerProgress } from './progress.js';
import { registerReview } from './review.js';
import { registerVolunteers } from './volunteers.js';
import { registerWaves } from './waves.js';

export { layout } from './layout.js';

/** The researcher studio's routes (registered by buildApp). */
export async function studioRoutes(
  app: FastifyInstance,
  opts: { store: Store; config: ServerConfig; studyCache?: StudyCache },
): Promise<void> {
  const ctx: StudioContext = { store: opts.store, config: opts.config };
  registerDashboard(app, ctx);
  registerOverview(app, ctx);
  registerLifecycle(app, ctx);
  registerLaunch(app, ctx);
  registerInviteLinks(app, ctx);
  registerEdit(app, ctx);
  registerPreview(app, ctx, opts.studyCache ?? new StudyCache(opts.store));
  registerProgress(app, ctx);
  registerAnalysis(app, ctx);
  registerPlan(app, ctx);
  registerReview(app, ctx);
  registerExports(app, ctx);
  registerImport(app, ctx);
  registerPeople(app, ctx);
  registerVolunteers(app, ctx);
  registerWaves(app, ctx);
}
