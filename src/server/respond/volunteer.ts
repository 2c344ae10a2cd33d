/**
 * Follow-up volunteer routes (issue 14). After submitting, a respondent whom the study's `followUp.eligibleIf`
 * admits sees an offer on the end page; these routes are the separate volunteer page it links to and the
 * volunteer's personal page.
 *
 * | route                          | what                                                                      |
 * |--------------------------------|---------------------------------------------------------------------------|
 * | `GET  /s/:token/volunteer`     | the form (only for a session that just ended in an eligible response)     |
 * | `POST /s/:token/volunteer`     | store the contact sealed, under a new random code; 303 to the thank-you  |
 * | `GET  /s/:token/v/:code`       | the volunteer's personal page (the link the owner's invitation carries)   |
 * | `POST /s/:token/v/:code`       | withdraw: delete the volunteer, their contact details and their follow-up wave answers |
 *
 * Eligibility is derived again, here, from the stored response the end cookie names (as the end page derives
 * the safety flag): nothing about volunteering is stored with the response, and the volunteer row gets no
 * response id — its code is made here, at random. Which response a volunteer gave is therefore not stored
 * anywhere; see src/store/volunteers.ts and docs/security.md ("Follow-up volunteers").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { followUpOffer } from '../../core/respond/engine.js';
import { chooseLanguage } from '../../core/respond/language.js';
import {
  parseVolunteerContact,
  VOLUNTEER_FORM_ERRORS,
  type VolunteerFormError,
} from '../../core/study/followUp.js';
import { randomCode, type Store, type Study, volunteerCodeHash } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { formField } from '../form.js';
import { parseParams, parseQuery, querySingle, segment, segments } from '../request.js';
import type { Cookies } from './effects.js';
import type { LoadedStudy, StudyCache } from './load.js';
import { languageLinksAt, type RenderedPage, type RespondCommon } from './render.js';
import { responseByKey } from './submit.js';
import { renderVolunteer, type VolunteerView } from './volunteerPages.js';

/** A volunteer's code: 16 symbols of the unambiguous alphabet (~78 bits). */
export const VOLUNTEER_CODE = /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{16}$/;
const CODE = VOLUNTEER_CODE;
/** The cookie that remembers, for the thank-you, the code just made (HttpOnly, session-only, the link's path). */
const VOLUNTEERED = 'nabz_vol';

interface VolunteerRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly cache: StudyCache;
  readonly send: (req: FastifyRequest, reply: FastifyReply, page: RenderedPage) => FastifyReply;
  readonly seeOther: (reply: FastifyReply, location: string) => FastifyReply;
  readonly resumeLimit: object;
  /** The respondent cookies of a study link (routes.ts), to read how the session ended. */
  readonly cookiesFor: (token: string, preview: boolean, secure: boolean) => Cookies;
}

type Req = FastifyRequest;

/** The link's token; the query values the volunteer pages read, each as text when given once. */
const TokenParams = z.object({ token: segment });
const VolunteerQuery = z.object({ lang: querySingle, e: querySingle });
const queryOf = (req: Req) => parseQuery(req, VolunteerQuery);
/** The volunteer's code in `/s/:token/v/:code`, upper-cased. */
const codeOf = (req: Req) => segments(req, 'code').code.toUpperCase();

interface Ctx {
  readonly token: string;
  readonly study: Study;
  readonly loaded: LoadedStudy;
  readonly lang: string;
}

/** The personal link of a volunteer (what the owner's invitation carries). */
export function personalLink(publicUrl: string, token: string, code: string): string {
  return `${publicUrl}/s/${token}/v/${code}`;
}

export async function volunteerRoutes(app: FastifyInstance, o: VolunteerRoutesOptions): Promise<void> {
  const { store, config, cache, send, seeOther } = o;

  async function ctxOf(req: Req, lang: string | undefined): Promise<Ctx> {
    const { token } = parseParams(req, TokenParams);
    const study = await cache.linked(token);
    const loaded = cache.current(study);
    return {
      token,
      study,
      loaded,
      lang: chooseLanguage(loaded.resolved.study.languages, lang, req.headers['accept-language']),
    };
  }
  /** `here`: the page's URL, whose language links (the study's other languages) it shows. */
  const common = (c: Ctx, action: string, here: string): RespondCommon => {
    const languageLinks = languageLinksAt(here, c.loaded.resolved.study.languages);
    return {
      resolved: c.loaded.resolved,
      lang: c.lang,
      action,
      hidden: { _lang: c.lang },
      script: false,
      ...(languageLinks ? { languageLinks } : {}),
    };
  };
  const page = (req: Req, reply: FastifyReply, c: Ctx, action: string, view: VolunteerView) =>
    send(req, reply, renderVolunteer(common(c, action, req.url), view));

  /** The bands this session's stored response earns (from the end cookie), or null: not eligible, not now. */
  async function offerOf(req: Req, c: Ctx): Promise<Readonly<Record<string, string | null>> | null> {
    if (c.study.status !== 'open') return null;
    const end = o.cookiesFor(c.token, false, config.secureCookies).end(req);
    if (end?.kind !== 'k' || end.shared) return null;
    const prior = await responseByKey(store, c.study.id, end.value);
    if (!prior) return null;
    const loaded = (await cache.version(c.study, prior.version)) ?? c.loaded;
    return followUpOffer(loaded, prior.answers)?.bands ?? null;
  }

  app.get('/s/:token/volunteer', async (req: Req, reply) => {
    const query = queryOf(req);
    const c = await ctxOf(req, query.lang);
    const action = `/s/${c.token}/volunteer`;
    const made = req.cookies[VOLUNTEERED];
    if (made && CODE.test(made) && (await store.volunteers.get(c.study.id, volunteerCodeHash(made))))
      return page(req, reply, c, action, {
        kind: 'done',
        personalLink: personalLink(config.publicUrl, c.token, made),
      });
    if (!(await offerOf(req, c))) return page(req, reply, c, action, { kind: 'unavailable' });
    const errors = (query.e ?? '')
      .split(',')
      .filter((e): e is VolunteerFormError => (VOLUNTEER_FORM_ERRORS as readonly string[]).includes(e));
    return page(req, reply, c, action, { kind: 'form', errors });
  });

  app.post('/s/:token/volunteer', { config: o.resumeLimit }, async (req: Req, reply) => {
    const c = await ctxOf(req, formField(req.body, '_lang'));
    const back = `/s/${c.token}/volunteer?lang=${encodeURIComponent(c.lang)}`;
    // The cookie first: it costs no read of the response.
    const bands = req.cookies[VOLUNTEERED] ? null : await offerOf(req, c);
    if (!bands) return seeOther(reply, back);
    const f = (name: string) => formField(req.body, name);
    const parsed = parseVolunteerContact({
      name: f('name'),
      email: f('email'),
      phone: f('phone'),
      agree: f('agree'),
    });
    // Problems: the form again, naming them (what was typed is not put in a URL: shared phones keep history).
    if (!parsed.ok) return seeOther(reply, `${back}&e=${parsed.errors.join(',')}`);
    const code = randomCode(16);
    await store.volunteers.add({
      studyId: c.study.id,
      details: { contact: parsed.contact, code, bands, language: c.lang },
      k: c.study.minCellSize,
    });
    reply.setCookie(VOLUNTEERED, code, {
      path: `/s/${c.token}`,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
    });
    return seeOther(reply, back);
  });

  app.get('/s/:token/v/:code', { config: o.resumeLimit }, async (req: Req, reply) => {
    const c = await ctxOf(req, queryOf(req).lang);
    const code = codeOf(req);
    const action = `/s/${c.token}/v/${code}`;
    // The volunteer row, or (deleted by the owner, or the study closed) answers to a follow-up wave to withdraw.
    const found =
      CODE.test(code) &&
      ((await store.volunteers.get(c.study.id, volunteerCodeHash(code))) !== undefined ||
        (await store.waves.hasResponses(c.study.id, await store.waves.panelId(c.study.id, code))));
    return page(req, reply, c, action, found ? { kind: 'status' } : { kind: 'gone' });
  });

  app.post('/s/:token/v/:code', { config: o.resumeLimit }, async (req: Req, reply) => {
    const c = await ctxOf(req, formField(req.body, '_lang'));
    const code = codeOf(req);
    // Withdrawal on request: the row and its sealed contact go (not audited: its time would date the
    // volunteer), and with them their answers to the study's follow-up waves (audited when there were any:
    // confidential data deleted; the entry names the waves and counts, not the volunteer).
    if (CODE.test(code) && formField(req.body, 'withdraw') === '1') {
      const panelId = await store.waves.panelId(c.study.id, code);
      await store.audited(
        async (tx) => {
          await tx.volunteers.remove(c.study.id, volunteerCodeHash(code));
          return tx.waves.withdraw(c.study.id, panelId);
        },
        (waves) =>
          waves.length
            ? { action: 'wave.withdraw', studyId: c.study.id, actorUserId: null, detail: { waves } }
            : undefined,
      );
    }
    reply.clearCookie(VOLUNTEERED, { path: `/s/${c.token}` });
    return seeOther(reply, `/s/${c.token}/v/${code}?lang=${encodeURIComponent(c.lang)}`);
  });
}
