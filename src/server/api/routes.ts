/**
 * The respondents' JSON API.
 *
 * `POST /api/v1/s/:token/responses` with `Content-Type: application/json`, an `Idempotency-Key` header (or an
 * `idempotencyKey` body field) and the body
 *
 * ```json
 * { "language": "en", "answers": { "bace3_01": 2, "bace3_14": "na", "age": 21, "hobbies": [1, 3] }, "referral": "K7M4QX9P",
 *   "consent": { "agreed": true, "version": 2 } }
 * ```
 *
 * (its JSON Schema: schemas/submission.schema.json, generated from `SubmissionBodySchema` in
 * src/core/respond/apiBody.ts)
 *
 * | status | body                                                     | when                                          |
 * |--------|----------------------------------------------------------|-----------------------------------------------|
 * | 201    | `{ id, support?, referralLink? }`                        | stored (`support`: a safety rule fired, or the study shows support contacts to everyone) |
 * | 200    | `{ id, duplicate: true, support? }`                      | this key was stored before with these answers: nothing new |
 * | 400    | `{ error, code, issues: [{ path, code, message }] }`     | malformed JSON, unknown fields or items, bad values, missing required answers, bad key; a study with consent and no `consent` agreeing to its current version (`consent_required`, `consent_not_given`, `consent_version`) |
 * | 404    | `{ error, code: "not_found" }`                           | no such (open or closed) study                |
 * | 403    | `{ error, code: "invitation_required" }`                 | invitation-only study and no invitation token  |
 * | 409    | `{ error, code: "invitation_invalid" }`                  | the invitation was used already, revoked or mistyped |
 * | 409    | `{ error, code: "closed" }`                              | the study is closed, past its close date or at its response quota (the message says which) |
 * | 409    | `{ error, code: "conflict" }`                            | this key was stored before with other answers: nothing stored |
 * | 413    | `{ error, code: "too_large" }`                           | body over 256 KB                              |
 * | 415    | `{ error, code: "unsupported_media_type" }`              | not application/json                          |
 * | 422    | `{ error, code: "ineligible" }`                          | screening answers do not meet the rule: nothing stored, counted as screened out |
 * | 429    | `{ error, code: "rate_limited" }`                        | over the per-address, per-study limit          |
 * | 503    | `{ error, code: "unavailable" }` + `Retry-After`         | database unavailable: nothing stored, retry    |
 *
 * `id` is the response's random identifier (24 hex digits, as in exports): it counts nothing and orders
 * nothing. `support` (only when a safety rule fires on the answers sent) lists the study's support contacts,
 * for this respondent's eyes only; nothing about it is stored, and a repeat is answered from the answers it
 * sends, never from another submission's (a key reused with other answers is a 409). The key itself is not
 * stored, only a keyed hash of it (see KeyHasher). An invitation-only study needs the invitation's token, in
 * the `Nabz-Invitation` header or as `?i=<token>` (as in the invitation link); it is used up by the stored
 * response, in the insert's transaction, and nothing in the response refers to it. Nothing partial is ever stored: a response is validated
 * completely and inserted in one transaction.
 *
 * This adapter only reads the request: the body (`parseSubmission`), the study, the key's hash and the
 * invitation; the engine decides (`judgeSubmission`: refused, screened out or accepted) and the respondent
 * side's effect executor (server/respond/effects.ts) stores the response.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseSubmission } from '../../core/respond/apiBody.js';
import {
  closedMessage,
  judgePlainSubmission,
  judgeSubmission,
  type ScheduledClose,
  type SubmissionDecision,
  scheduledClose,
} from '../../core/respond/engine.js';
import { pickLanguage } from '../../core/study/i18n.js';
import type { Store, Study } from '../../store/index.js';
import { BODY_LIMIT, type ServerConfig } from '../config.js';
import { HttpError, type HttpIssue } from '../errors.js';
import { parseParams, parseQuery, querySingle, segment, segmentForKey } from '../request.js';
import { EffectExecutor } from '../respond/effects.js';
import { isLinkToken, type LoadedStudy, StudyCache } from '../respond/load.js';
import { DraftLimiter } from '../respond/state.js';
import {
  INVITATION_TOKEN,
  idempotencyKeyHasher,
  invitationKey,
  invitationRefusal,
  keyConflict,
  referralWave,
  responseByKey,
  type SubmitResult,
  sameAnswers,
} from '../respond/submit.js';

interface ApiRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly clock: () => number;
  /** The study cache shared with the respondent form routes and the preview (one is made when absent). */
  readonly cache?: StudyCache;
}

/** At most this many issues are listed in a 400 (the count is in the message). */
const MAX_ISSUES = 50;

function validationError(issues: readonly HttpIssue[]): HttpError {
  const shown = issues.slice(0, MAX_ISSUES);
  const first = shown[0];
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new HttpError(
    400,
    `The response was not stored: ${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'it is not valid'}${more}.`,
    'validation',
    shown,
  );
}

/** 415 unless the body is JSON (`application/json` or `application/<something>+json`). */
function requireJson(req: FastifyRequest): void {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/(json|[a-z0-9.+-]*\+json)\s*(;|$)/.test(ct))
    throw new HttpError(
      415,
      `Content-Type ${JSON.stringify(String(req.headers['content-type'] ?? '(none)').slice(0, 60))} is not accepted: send the response as application/json.`,
      'unsupported_media_type',
    );
}

/** The error a refused submission is answered with (unless it is a retry of a stored response). */
function refusalError(
  d: Extract<SubmissionDecision, { kind: 'refuse' }>,
  loaded: LoadedStudy,
  why: ScheduledClose | undefined,
): HttpError {
  if (d.reason === 'invitation_invalid') return invitationRefusal('invitation_invalid');
  if (d.reason === 'closed')
    return new HttpError(409, closedMessage(why, loaded.resolved.study.collection.closesOn), 'closed');
  return validationError(d.issues);
}

const SCREENED_OUT = () =>
  new HttpError(
    422,
    'The screening answers do not meet the study’s eligibility rule; the response was not stored.',
    'ineligible',
  );

/** The link's token (`/api/v1/s/:token/responses`). */
const TokenParams = z.object({ token: segment });
/** `?i=`: an invitation token given once (repeated keys are ignored, as a header would be). */
const InvitationQuery = z.object({ i: querySingle });

/** A submission's invitation: its hashed token (if it carries one) and whether it may be used. */
interface Invitation {
  readonly hash: string | undefined;
  readonly usable: boolean;
}
/** A submission through an open link without an invitation token. */
const OPEN_LINK: Invitation = { hash: undefined, usable: true };

export async function apiRoutes(app: FastifyInstance, opts: ApiRoutesOptions): Promise<void> {
  const { store, config, clock } = opts;
  const cache = opts.cache ?? new StudyCache(store);
  const hashKey = idempotencyKeyHasher(store, config.secret);
  const effects = new EffectExecutor(store, hashKey, new DraftLimiter(store.limits, clock), (id, what) =>
    cache.noteCollected(id, what),
  );

  /**
   * The study of a link that takes submissions (open or closed), read again before a refusal (a study closed,
   * or made invitation-only, may have changed within the cache's second); 404 otherwise.
   */
  const studyOf = async (token: string): Promise<Study> => {
    let study = isLinkToken(token) ? await cache.byToken(token) : undefined;
    if (study && (study.status !== 'open' || study.invitationOnly)) study = await cache.byToken(token, true);
    if (!study || study.status === 'draft') throw new HttpError(404, 'Study not found.', 'not_found');
    return study;
  };

  /**
   * The invitation token a submission carries (header `Nabz-Invitation` or `?i=`), checked for form; undefined
   * when there is none.
   */
  const invitationToken = (req: FastifyRequest): string | undefined => {
    const header = req.headers['nabz-invitation'];
    const query = parseQuery(req, InvitationQuery).i;
    const raw = typeof header === 'string' ? header.trim() : query;
    if (raw !== undefined && !INVITATION_TOKEN.test(raw))
      throw validationError([
        {
          path: 'Nabz-Invitation',
          code: 'invalid_format',
          message: 'must be the invitation token from the invitation link (?i=...)',
        },
      ]);
    return raw;
  };

  /**
   * The hashed invitation token and whether it is an unused invitation of the study; checked early for an
   * invitation-only study so that nothing (not even a screened-out count) happens without one. The insert
   * checks again, and uses it up, in its transaction. (An open-link study without a token needs neither:
   * {@link OPEN_LINK}.)
   */
  const invitationOf = async (study: Study, raw: string | undefined): Promise<Invitation> => {
    const hash = raw === undefined ? undefined : await hashKey(study.id, invitationKey(raw));
    if (!study.invitationOnly) return { hash, usable: true };
    if (hash === undefined) throw invitationRefusal('invitation_required');
    return { hash, usable: await store.inviteLinks.isUnused(study.id, hash) };
  };

  /** The responses a study has collected towards its quota (asked only for a study with a quota). */
  const collected = (study: Study) => () => cache.collected(study.id);

  const support = (loaded: LoadedStudy, flagged: boolean) =>
    flagged || loaded.resolved.study.collection.supportForAll
      ? { support: { contacts: loaded.resolved.study.collection.supportContacts } }
      : {};

  /**
   * A refusal, unless this key was stored before: with these very answers it is a retry, answered as that
   * response (whatever happened since, e.g. the study closed); with other answers a 409 that reveals nothing.
   */
  async function refuse(
    reply: FastifyReply,
    study: Study,
    loaded: LoadedStudy,
    idem: string,
    d: SubmissionDecision,
    why: ScheduledClose | undefined,
  ) {
    if (d.kind === 'accept') throw new Error('refuse() on an accepted submission');
    const prior = await responseByKey(store, study.id, idem);
    if (d.kind === 'ineligible') {
      if (prior) throw keyConflict();
      await effects.run(d.effects, { study, loaded, lang: '', now: new Date(clock()), reply });
      throw SCREENED_OUT();
    }
    if (!prior) throw refusalError(d, loaded, why);
    if (d.retry && sameAnswers(prior.answers, d.retry.answers))
      return reply
        .code(200)
        .send({ id: prior.publicId, duplicate: true, ...support(loaded, d.retry.flagged) });
    throw keyConflict();
  }

  /** 201 with the new response's id (and referral link), or 200 for a retry with the same answers. */
  const stored = (reply: FastifyReply, token: string, loaded: LoadedStudy, r: SubmitResult) =>
    r.created
      ? reply.code(201).send({
          id: r.publicId,
          ...support(loaded, r.flagged),
          ...(r.referralCode
            ? { referralLink: `${config.publicUrl}/s/${token}?r=${encodeURIComponent(r.referralCode)}` }
            : {}),
        })
      : reply.code(200).send({ id: r.publicId, duplicate: true, ...support(loaded, r.flagged) });

  const perAddress = (req: FastifyRequest) => `api|${req.ip}|${segmentForKey(req, 'token').slice(0, 64)}`;
  const limits = {
    bodyLimit: BODY_LIMIT,
    config: {
      rateLimit: { max: config.submitRateLimitPerMinute, timeWindow: 60_000, keyGenerator: perAddress },
    },
  };

  // The common case — an open study answered through its open link, its state read within the last second and
  // the hash key loaded — waits for nothing but the insert (each `await` is a hop through the microtask queue).
  app.post('/api/v1/s/:token/responses', limits, async (req, reply) => {
    requireJson(req);
    const link = parseParams(req, TokenParams).token;
    const header = req.headers['idempotency-key'];
    const body = parseSubmission(req.body, typeof header === 'string' ? header : undefined);
    // The study first: 404 before validation details, so nothing is revealed about unknown links.
    const study = cache.recent(link) ?? (await studyOf(link));
    if (!body.ok) throw validationError(body.issues);
    const idem = hashKey.now(study.id, body.value.key) ?? (await hashKey(study.id, body.value.key));
    const token = invitationToken(req);
    const invitation =
      token === undefined && !study.invitationOnly ? OPEN_LINK : await invitationOf(study, token);
    const loaded = cache.current(study);
    const lang = pickLanguage(loaded.resolved.study.languages, body.value.language);
    const closing =
      study.status === 'open' ? scheduledClose(loaded, new Date(clock()), collected(study)) : undefined;
    const why = closing instanceof Promise ? await closing : closing;
    const open = study.status === 'open' && why === undefined;
    const claim = body.value.consent ? { consent: body.value.consent } : {};
    const { answers } = body.value;
    // The usual submission through the study version's precompiled judge; anything else the general one.
    const d =
      (open && invitation.usable
        ? judgePlainSubmission(loaded, { answers, lang, idem, ...claim })
        : undefined) ??
      judgeSubmission(loaded, { answers, lang, idem, open, invitationUsable: invitation.usable, ...claim });
    if (d.kind !== 'accept') return refuse(reply, study, loaded, idem, d, why);
    const referral =
      body.value.referral === undefined ? null : await referralWave(store, study.id, body.value.referral);
    const r = await effects.submit(d.effects, {
      study,
      loaded,
      lang,
      now: new Date(clock()),
      reply,
      referral,
      ...(invitation.hash !== undefined ? { invitationHash: invitation.hash } : {}),
    });
    return stored(reply, link, loaded, r);
  });
}
