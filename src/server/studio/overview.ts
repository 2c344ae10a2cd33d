/**
 * A study's overview (status, what it asks, whether it can launch), launching, closing and reopening, and the
 * share page: the anonymous link, a QR code (inline SVG, drawn on the server: large enough to project in a
 * lecture hall), a WhatsApp share link (an ordinary link to wa.me; our pages make no third-party request) and,
 * for snowball sampling, referral seed links.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Issue } from '../../core/instrument/schema.js';
import { audienceOf, coarseCount } from '../../core/privacy/suppression.js';
import type { Study, StudyRole } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { parseQuery, queryText } from '../request.js';
import { useHeaders } from '../ui/headers.js';
import { attr } from '../ui/html.js';
import { loadStudy, page, type StudioContext, type StudyRequest, seeOther } from './common.js';
import { field, launchCheck, studyInstrument } from './definition.js';
import { inviteLinksSection } from './invitelinks.js';
import { type OverviewModel, overviewView, presentView, type ShareModel, shareView } from './overviewView.js';

/** The respondent link of a study. */
export function studyLink(publicUrl: string, publicToken: string): string {
  return `${publicUrl}/s/${encodeURIComponent(publicToken)}`;
}

/** A referral (snowball) link: the study link with the referral code. */
export function referralLink(publicUrl: string, publicToken: string, code: string): string {
  return `${studyLink(publicUrl, publicToken)}?r=${encodeURIComponent(code)}`;
}

/** A WhatsApp share link (opens the user's WhatsApp with the text; nothing is requested from our pages). */
function whatsappLink(text: string): string {
  return `https://wa.me/?text=${encodeURIComponent(text)}`;
}

/** The QR code of a URL as an SVG document (black on white, quiet zone of 2 modules). */
export async function qrSvg(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return svg.replace('<svg ', `<svg role="img"${attr('aria-label', `QR code for ${url}`)} `);
}

async function acknowledgedSet(ctx: StudioContext, studyId: number): Promise<Set<string>> {
  return new Set((await ctx.store.acknowledgements.list(studyId)).map((a) => a.instrumentId));
}

function enText(t: Readonly<Record<string, string>> | undefined): string {
  return t ? (t.en ?? Object.values(t)[0] ?? '') : '';
}

/** The overview page's model: the study's figures for the caller's role, and for the owner the launch check. */
async function overviewModel(
  ctx: StudioContext,
  study: Study,
  role: StudyRole,
  refused?: readonly Issue[],
): Promise<OverviewModel> {
  const def = study.definition;
  const col = def.collection ?? {};
  const day = (d: Date | null) => d?.toISOString().slice(0, 10);
  const check =
    role === 'owner' ? launchCheck(study.definition, await acknowledgedSet(ctx, study.id)) : undefined;
  return {
    studyId: study.id,
    title: study.title,
    archivedAt: study.archivedAt,
    status: study.status,
    // A viewer's count is coarse (a multiple of k), so it does not announce each new response (finding 1).
    responses: coarseCount(await ctx.store.responses.count(study.id), study.minCellSize, audienceOf(role)),
    version: study.version,
    k: study.minCellSize,
    dates: [
      `created ${day(study.createdAt)}`,
      study.openedAt ? `opened ${day(study.openedAt)}` : '',
      study.closedAt ? `closed ${day(study.closedAt)}` : '',
    ]
      .filter(Boolean)
      .join(' · '),
    launch: check && {
      refused,
      problems: check.problems,
      warnings: check.warnings.map((w) => w.message),
      drafts: study.status === 'draft' ? 0 : await ctx.store.drafts.liveCount(study.id),
    },
    summary: {
      languages: (def.languages ?? ['en'])
        .map((l) => (l === 'ur' ? 'Urdu' : l === 'en' ? 'English' : l))
        .join(', '),
      instruments: (def.instruments ?? []).map((si) => {
        const ins = studyInstrument(si);
        return ins
          ? {
              known: true,
              title: ins.shortTitle,
              items: ins.items.length,
              attribution: ins.licence.attribution,
            }
          : { known: false, id: String(si.instrument ?? '') };
      }),
      questions: (def.questions ?? []).map((q) => q.id),
      consent: col.consent ? `version ${col.consent.version ?? 1}` : 'none',
      eligibility: col.eligibility && {
        questions: col.eligibility.questions.length,
        rule: col.eligibility.eligibleIf,
      },
      supportContacts: (col.supportContacts ?? []).map((c) => enText(c.name)),
      supportForAll: col.supportForAll === true,
      closesOn: typeof col.closesOn === 'string' ? col.closesOn : undefined,
      quota: typeof col.quota === 'number' ? col.quota : undefined,
      privacy: `${col.anonymous === false ? 'not anonymous' : 'anonymous'}; ${col.collectTimes ? 'submission times recorded' : 'dates only, no times'}; referral links ${col.referrals ? 'on' : 'off'}.`,
    },
  };
}

async function showOverview(
  ctx: StudioContext,
  reply: FastifyReply,
  s: StudyRequest,
  refused?: readonly Issue[],
) {
  const model = await overviewModel(ctx, s.study, s.role, refused);
  return page(reply, {
    title: s.study.title,
    user: s.user,
    study: s.layoutStudy,
    active: 'overview',
    status: refused?.length ? 409 : 200,
    body: (csrf) => overviewView(model, csrf),
  });
}

const ShareQuery = z.object({ code: queryText, launched: queryText, revoked: queryText });

export function registerOverview(app: FastifyInstance, ctx: StudioContext): void {
  const { store, config } = ctx;

  app.get('/studies/:id', async (req, reply) => showOverview(ctx, reply, await loadStudy(req, ROLES.read)));

  const open = async (s: StudyRequest, reply: FastifyReply, action: 'study.launch' | 'study.reopen') => {
    if (s.study.archivedAt)
      throw new HttpError(
        409,
        'The study is archived: restore it (Overview → This study → Restore) before opening it to respondents.',
        'conflict',
      );
    const check = launchCheck(s.study.definition, await acknowledgedSet(ctx, s.study.id));
    if (check.problems.length) return showOverview(ctx, reply, s, check.problems);
    await store.audited((tx) => tx.studies.setStatus({ studyId: s.study.id, status: 'open' }), {
      action,
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { version: s.study.version },
    });
    return seeOther(reply, `/studies/${s.study.id}/share?launched=1`);
  };

  app.post('/studies/:id/launch', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    if (s.study.status === 'open') return seeOther(reply, `/studies/${s.study.id}/share`);
    // Launching is confirmed on the checklist page (launch.ts); a bare POST is sent there.
    if (field(asForm(req.body), 'confirmed') !== '1') return seeOther(reply, `/studies/${s.study.id}/launch`);
    if (s.study.status === 'closed') {
      throw new HttpError(
        409,
        'The study has been closed; reopen it instead of launching it again.',
        'conflict',
      );
    }
    return open(s, reply, 'study.launch');
  });

  app.post('/studies/:id/reopen', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    if (s.study.status === 'open') return seeOther(reply, `/studies/${s.study.id}/share`);
    if (s.study.status === 'draft')
      throw new HttpError(409, 'The study has not been launched yet; launch it first.', 'conflict');
    return open(s, reply, 'study.reopen');
  });

  app.post('/studies/:id/drafts/purge', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    await store.audited(
      (tx) => tx.drafts.deleteForStudy(s.study.id),
      (deleted) => ({
        action: 'drafts.purge',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { deleted },
      }),
    );
    return seeOther(reply, `/studies/${s.study.id}`);
  });

  app.post('/studies/:id/close', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    if (s.study.status !== 'open')
      throw new HttpError(409, 'The study is not open, so it cannot be closed.', 'conflict');
    await store.audited((tx) => tx.studies.setStatus({ studyId: s.study.id, status: 'closed' }), {
      action: 'study.close',
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { version: s.study.version },
    });
    return seeOther(reply, `/studies/${s.study.id}`);
  });

  app.get('/studies/:id/share', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const { study } = s;
    const link = studyLink(config.publicUrl, study.publicToken);
    const { code: newCode, launched, revoked } = parseQuery(req, ShareQuery);
    const csrf = reply.generateCsrf();
    const model: ShareModel = {
      studyId: study.id,
      status: study.status,
      link,
      whatsapp: whatsappLink(`${study.title} — an anonymous survey (a few minutes, any phone): ${link}`),
      launched: launched !== undefined,
      revoked: revoked !== undefined && /^\d+$/.test(revoked) ? revoked : undefined,
      invitationOnly: study.invitationOnly,
      qr: await qrSvg(link),
      invitations: await inviteLinksSection(ctx, study, s.role === 'owner', csrf),
      referrals: study.definition.collection?.referrals
        ? {
            seeds: (await store.referrals.seeds(study.id)).map((r) => ({
              link: referralLink(config.publicUrl, study.publicToken, r.code),
              isNew: r.code === newCode,
            })),
            canSeed: s.role === 'owner',
            waves: await store.referrals.waveCounts(study.id),
          }
        : undefined,
    };
    return page(reply, {
      csrf,
      title: `Share – ${study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'share',
      body: () => shareView(model, csrf),
    });
  });

  // A page to project in a lecture hall: the QR code as large as the screen allows, and the link.
  app.get('/studies/:id/share/present', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const link = studyLink(config.publicUrl, s.study.publicToken);
    const qr = await qrSvg(link);
    return page(reply, {
      title: `QR code – ${s.study.title}`,
      user: s.user,
      body: () => presentView({ title: s.study.title, link, qr }),
    });
  });

  app.get('/studies/:id/qr.svg', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const svg = await qrSvg(studyLink(config.publicUrl, s.study.publicToken));
    return useHeaders(reply, 'file')
      .header('content-type', 'image/svg+xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="study-${s.study.id}-qr.svg"`)
      .send(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`);
  });

  app.post('/studies/:id/referrals', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const def = s.study.definition;
    if (!def.collection?.referrals) {
      throw new HttpError(
        409,
        'Referral links are off for this study: turn them on under Design → Settings first.',
        'conflict',
      );
    }
    const r = await store.audited(
      (tx) => tx.referrals.create({ studyId: s.study.id }),
      (c) =>
        c.ok
          ? { action: 'referral.seed', studyId: s.study.id, actorUserId: s.user.id, detail: { wave: 0 } }
          : undefined,
    );
    if (!r.ok) throw new HttpError(409, r.message, r.code);
    return seeOther(reply, `/studies/${s.study.id}/share?code=${encodeURIComponent(r.value.code)}#referrals`);
  });
}
