/**
 * The respondents' JSON API.
 *
 * `POST /api/v1/s/:token/responses` with `Content-Type: application/json`, an `Idempotency-Key` header (or an
 * `idempotencyKey` body field) and the body
 *
 * ```json
 * { "language": "en", "answers": { "bace3_01": 2, "bace3_14": "na", "age": 21, "hobbies": [1, 3] }, "referral": "K7M4QX9P" }
 * ```
 *
 * | status | body                                                     | when                                          |
 * |--------|----------------------------------------------------------|-----------------------------------------------|
 * | 201    | `{ id, support?, referralLink? }`                        | stored                                        |
 * | 200    | `{ id, duplicate: true, support? }`                      | this key was stored before with these answers: nothing new |
 * | 400    | `{ error, code, issues: [{ path, message }] }`           | malformed JSON, unknown fields or items, bad values, missing required answers, bad key |
 * | 404    | `{ error, code: "not_found" }`                           | no such (open or closed) study                |
 * | 403    | `{ error, code: "invitation_required" }`                 | invitation-only study and no invitation token  |
 * | 409    | `{ error, code: "invitation_invalid" }`                  | the invitation was used already, revoked or mistyped |
 * | 409    | `{ error, code: "closed" }`                              | the study is closed                           |
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
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { judgeResponse } from '../../core/respond/engine.js';
import { answersFromJson } from '../../core/response/submission.js';
import { pickLanguage } from '../../core/study/i18n.js';
import type { Store, Study } from '../../store/index.js';
import { BODY_LIMIT, type ServerConfig } from '../config.js';
import { HttpError, type HttpIssue } from '../errors.js';
import { StudyCache } from '../respond/load.js';
import {
  IDEMPOTENCY_KEY,
  INVITATION_TOKEN,
  idempotencyKeyHasher,
  invitationKey,
  invitationRefusal,
  keyConflict,
  REFERRAL_CODE,
  referralWave,
  responseByKey,
  sameAnswers,
  submitResponse,
} from '../respond/submit.js';

export interface ApiRoutesOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  readonly clock: () => number;
  /** The study cache shared with the respondent form routes and the preview (one is made when absent). */
  readonly cache?: StudyCache;
}

const BODY_FIELDS = new Set(['language', 'answers', 'idempotencyKey', 'referral']);
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

function isJson(req: FastifyRequest): boolean {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  return /^application\/(json|[a-z0-9.+-]*\+json)\s*(;|$)/.test(ct);
}

export async function apiRoutes(app: FastifyInstance, opts: ApiRoutesOptions): Promise<void> {
  const { store, config, clock } = opts;
  const cache = opts.cache ?? new StudyCache(store);
  const hashKey = idempotencyKeyHasher(store, config.secret);

  const supportFor = (contacts: readonly unknown[]) => ({ contacts });

  const studyByToken = (token: string, fresh = false) => cache.byToken(token, fresh);

  /**
   * The hashed invitation token a submission carries (header `Nabz-Invitation` or `?i=`), and whether it is an
   * unused invitation of the study; checked early for an invitation-only study so that nothing (not even a
   * screened-out count) happens without one. The insert checks again, and uses it up, in its transaction.
   */
  const invitationOf = async (
    req: FastifyRequest,
    study: Study,
  ): Promise<{ hash: string | undefined; usable: boolean }> => {
    const header = req.headers['nabz-invitation'];
    const query = (req.query as Record<string, unknown> | undefined)?.i;
    const raw = typeof header === 'string' ? header.trim() : typeof query === 'string' ? query : undefined;
    if (raw !== undefined && !INVITATION_TOKEN.test(raw))
      throw validationError([
        {
          path: 'Nabz-Invitation',
          message: 'must be the invitation token from the invitation link (?i=...)',
        },
      ]);
    const hash = raw === undefined ? undefined : await hashKey(study.id, invitationKey(raw));
    if (!study.invitationOnly) return { hash, usable: true };
    if (hash === undefined) throw invitationRefusal('invitation_required');
    return { hash, usable: await store.inviteLinks.isUnused(study.id, hash) };
  };

  app.post<{ Params: { token: string } }>(
    '/api/v1/s/:token/responses',
    {
      bodyLimit: BODY_LIMIT,
      config: {
        rateLimit: {
          max: config.submitRateLimitPerMinute,
          timeWindow: 60_000,
          keyGenerator: (req: FastifyRequest) =>
            `api|${req.ip}|${String((req.params as { token?: unknown }).token ?? '').slice(0, 64)}`,
        },
      },
    },
    async (req, reply) => {
      if (!isJson(req))
        throw new HttpError(
          415,
          `Content-Type ${JSON.stringify(String(req.headers['content-type'] ?? '(none)').slice(0, 60))} is not accepted: send the response as application/json.`,
          'unsupported_media_type',
        );
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw validationError([
          { path: '', message: 'the body must be a JSON object such as {"answers": {...}}' },
        ]);
      }
      const b = body as Record<string, unknown>;
      const issues: HttpIssue[] = [];
      for (const k of Object.keys(b)) {
        if (!BODY_FIELDS.has(k))
          issues.push({
            path: k.slice(0, 64),
            message: `unknown field; the body may have ${[...BODY_FIELDS].join(', ')}`,
          });
      }

      // The idempotency key: header or body (the same when both are given).
      const header = req.headers['idempotency-key'];
      const fromHeader = typeof header === 'string' ? header.trim() : undefined;
      const fromBody = b.idempotencyKey;
      if (fromBody !== undefined && typeof fromBody !== 'string')
        issues.push({ path: 'idempotencyKey', message: 'must be a string' });
      const bodyKey = typeof fromBody === 'string' ? fromBody.trim() : undefined;
      if (fromHeader !== undefined && bodyKey !== undefined && fromHeader !== bodyKey)
        issues.push({
          path: 'idempotencyKey',
          message: 'differs from the Idempotency-Key header; send one key',
        });
      const key = fromHeader ?? bodyKey;
      if (key === undefined)
        issues.push({
          path: 'idempotencyKey',
          message:
            'missing: send an Idempotency-Key header (e.g. a UUID generated once per response and reused on retries)',
        });
      else if (!IDEMPOTENCY_KEY.test(key))
        issues.push({
          path: 'idempotencyKey',
          message: 'must be 8–128 characters from A–Z, a–z, 0–9, _ . : - (a UUID works)',
        });

      if (b.language !== undefined && (typeof b.language !== 'string' || b.language.length > 35))
        issues.push({ path: 'language', message: 'must be a language tag such as "en" or "ur"' });
      if (
        b.referral !== undefined &&
        (typeof b.referral !== 'string' || !REFERRAL_CODE.test(b.referral.toUpperCase()))
      )
        issues.push({ path: 'referral', message: 'must be the referral code from the link (?r=...)' });
      if (b.answers === undefined)
        issues.push({ path: 'answers', message: 'missing: send an object of item id → value' });
      else if (typeof b.answers !== 'object' || b.answers === null || Array.isArray(b.answers))
        issues.push({ path: 'answers', message: 'must be an object of item id → value' });

      // The study (404 before validation details, so nothing is revealed about unknown links).
      const token = req.params.token;
      let study = /^[A-Za-z0-9_-]{6,64}$/.test(token) ? await studyByToken(token) : undefined;
      // Re-read before a refusal (a study closed, or made invitation-only, may have changed within the second).
      if (study && (study.status !== 'open' || study.invitationOnly)) study = await studyByToken(token, true);
      if (!study || study.status === 'draft') throw new HttpError(404, 'Study not found.', 'not_found');
      if (issues.length) throw validationError(issues);
      const idem = await hashKey(study.id, key as string);
      const invitation = await invitationOf(req, study);

      // A repeat of a stored key with the same answers gets the first response's id, whatever happened since
      // (e.g. the study closed after the first attempt); with other answers it is a 409 conflict. The reply is
      // derived from the answers this request sent, never from the stored ones. On the common path the insert
      // itself recognises a repeat (no separate query); before a refusal the key is looked up.
      const loaded = cache.current(study);
      const lang = pickLanguage(
        loaded.resolved.study.languages,
        typeof b.language === 'string' ? b.language : undefined,
      );
      const parsed = answersFromJson(loaded.flow, b.answers, lang);
      // The engine's decision on a whole response: an eligibility failure alone is a 422 (counted as screened
      // out); any other issue is a 400 listing those issues (eligibility is not judged on invalid answers).
      const j = parsed.ok ? judgeResponse(loaded, parsed.answers, lang) : undefined;
      const duplicateReply = (id: string, flagged: boolean) =>
        reply.code(200).send({
          id,
          duplicate: true,
          ...(flagged ? { support: supportFor(loaded.resolved.study.collection.supportContacts) } : {}),
        });
      const refuse = async (err: HttpError) => {
        const prior = await responseByKey(store, study.id, idem);
        if (!prior) throw err;
        // Only the very same response is a retry; anything else learns nothing about the stored one.
        if (j?.kind === 'accept' && sameAnswers(prior.answers, j.answers))
          return duplicateReply(prior.publicId, j.flagged);
        throw keyConflict();
      };
      // A used (or revoked, or mistyped) invitation: only a retry of the response it stored gets an answer.
      if (!invitation.usable) return refuse(invitationRefusal('invitation_invalid'));
      if (study.status !== 'open')
        return refuse(
          new HttpError(
            409,
            'This study is closed and does not accept responses; nothing was stored.',
            'closed',
          ),
        );

      if (!parsed.ok || !j)
        return refuse(
          validationError(
            (parsed.ok ? [] : parsed.errors).map((e) => ({
              path: `answers.${e.field}`.replace(/\.$/, ''),
              message: e.message,
            })),
          ),
        );
      if (j.kind === 'invalid')
        return refuse(
          validationError(
            j.issues.map((i) => ({ path: i.path ? `answers.${i.path}` : 'answers', message: i.message })),
          ),
        );
      if (j.kind === 'ineligible') {
        if (await responseByKey(store, study.id, idem)) throw keyConflict();
        const now = new Date(clock());
        for (const e of j.effects)
          if (e.kind === 'count')
            for (const name of e.names) await store.counters.increment({ studyId: study.id, name, now });
        throw new HttpError(
          422,
          'The screening answers do not meet the study’s eligibility rule; the response was not stored.',
          'ineligible',
        );
      }
      const referral = await referralWave(
        store,
        study.id,
        typeof b.referral === 'string' ? b.referral.toUpperCase() : undefined,
      );
      const result = await submitResponse({
        store,
        study,
        loaded,
        answers: j.answers,
        flagged: j.flagged,
        idempotencyKey: idem,
        language: lang,
        referral,
        counters: ['started', 'completed'],
        now: new Date(clock()),
        ...(invitation.hash !== undefined ? { invitationHash: invitation.hash } : {}),
      });
      const support = result.flagged
        ? { support: supportFor(loaded.resolved.study.collection.supportContacts) }
        : {};
      // A retry with the same answers (submitResponse refuses other answers with a 409).
      if (!result.created) return reply.code(200).send({ id: result.publicId, duplicate: true, ...support });
      return reply.code(201).send({
        id: result.publicId,
        ...support,
        ...(result.referralCode
          ? { referralLink: `${config.publicUrl}/s/${token}?r=${encodeURIComponent(result.referralCode)}` }
          : {}),
      });
    },
  );
}
