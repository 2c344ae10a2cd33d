/**
 * Follow-up volunteers, the owner's side (issue 14): who volunteered (contact, the bands that made them eligible
 * when k-safe), an invitation text with each volunteer's personal link (copy it, or open it in WhatsApp or the
 * mail program), status tracking (volunteered → invited → consented → attended, or declined), deleting a
 * volunteer's details on request, and making an attending volunteer a qualitative participant with their bands
 * as attributes.
 *
 * | route                                              | role  | what                                             |
 * |----------------------------------------------------|-------|--------------------------------------------------|
 * | `GET  /studies/:id/volunteers`                     | owner | the list (released batches), `?message=` the invitation text |
 * | `POST /studies/:id/volunteers/:vid/status`         | owner | `status` (audited `volunteer.status`)            |
 * | `POST /studies/:id/volunteers/:vid/email`          | owner | send the invitation (`message`) over SMTP; invited (audited `volunteer.email`) |
 * | `POST /studies/:id/volunteers/:vid/delete`         | owner | delete the volunteer and their contact (audited) |
 * | `POST /studies/:id/volunteers/:vid/participant`    | owner | make the qualitative participant (audited)       |
 *
 * `:vid` is the SHA-256 of the volunteer's code (the row key); nothing on this page refers to a response.
 * Reading the list is audited too (`volunteers.view`): it opens sealed contact details.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParticipantSchema } from '../../core/qual/model.js';
import {
  bandsShown,
  DEFAULT_INVITATION,
  invitationText,
  volunteerParticipant,
} from '../../core/study/followUp.js';
import {
  type Repositories,
  VOLUNTEER_STATUSES,
  type Volunteer,
  type VolunteerStatus,
} from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { formField } from '../form.js';
import { sendMail } from '../mail.js';
import { applyPlan, ensureCoder, loadQual, refuse } from '../qual/common.js';
import { parseParams, parseQuery, segment } from '../request.js';
import { prepareDefinition } from '../respond/load.js';
import { personalLink } from '../respond/volunteer.js';
import { type Html, html, raw } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import { loadStudy, page, type StudioContext, seeOther } from './common.js';
import { csrfField, postButton } from './layout.js';

const VolunteerParams = z.object({
  id: segment,
  vid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a volunteer'),
});
const GONE = 'That volunteer is no longer here (deleted, or the study closed).';
const ListQuery = z.object({ message: z.string().max(2000).optional() });

/** One volunteer as the page shows them. */
interface VolunteerRow {
  readonly vid: string;
  readonly n: number;
  readonly contact: Volunteer['contact'];
  /** Score label → band, or null when withheld (fewer than k of the batch share them). */
  readonly bands: readonly (readonly [string, string | null])[] | null;
  readonly status: VolunteerStatus;
  readonly participantId: string | null;
  readonly invitation: string;
  readonly link: string;
}

interface VolunteersModel {
  readonly studyId: number;
  readonly hasRule: boolean;
  readonly rule: string;
  readonly k: number;
  readonly waiting: number;
  readonly message: string;
  /** A mail server is configured (NABZ_SMTP_URL): rows with an e-mail address get "Send by e-mail". */
  readonly mail: boolean;
  readonly rows: readonly VolunteerRow[];
}

const STATUS_LABEL: Readonly<Record<VolunteerStatus, string>> = {
  volunteered: 'Volunteered',
  invited: 'Invited',
  consented: 'Consented',
  attended: 'Attended',
  declined: 'Declined',
};

function rowView(r: VolunteerRow, base: string, csrf: string, message: string | undefined): Html {
  const a = `${base}/${r.vid}`;
  const wa = `https://wa.me/${r.contact.phone ? r.contact.phone.replace(/^\+/, '') : ''}?text=${encodeURIComponent(r.invitation)}`;
  const mail = r.contact.email
    ? `mailto:${r.contact.email}?subject=${encodeURIComponent('Follow-up invitation')}&body=${encodeURIComponent(r.invitation)}`
    : '';
  return html`<tr id="v-${r.n}"><td>V${r.n}</td><td>${r.contact.name ?? ''}${r.contact.email ? html`<br><span dir="ltr">${r.contact.email}</span>` : ''}${r.contact.phone ? html`<br><span dir="ltr">${r.contact.phone}</span>` : ''}</td>
<td>${r.bands === null ? html`<span class="muted">withheld: fewer than k volunteers of this batch share them</span>` : r.bands.map(([l, b]) => html`${l}: <b>${b ?? 'not computed'}</b><br>`)}</td>
<td><form method="post" action="${a}/status" class="row">${csrfField(csrf)}<label class="sr" for="st-${r.n}">Status of V${r.n}</label><select id="st-${r.n}" name="status">${VOLUNTEER_STATUSES.map((s) => html`<option value="${s}"${raw(s === r.status ? ' selected' : '')}>${STATUS_LABEL[s]}</option>`)}</select><button>Save</button></form></td>
<td><label class="sr" for="inv-${r.n}">Invitation for V${r.n}</label><textarea id="inv-${r.n}" rows="4" readonly>${r.invitation}</textarea><div class="row"><a href="${wa}" rel="noopener noreferrer">WhatsApp / SMS text</a>${mail ? html`<a href="${mail}">E-mail</a>` : ''}<a href="${r.link}" dir="ltr">personal link</a></div>${
    message !== undefined && r.contact.email
      ? postButton(`${a}/email`, csrf, `Send V${r.n} the invitation by e-mail`, { hidden: { message } })
      : ''
  }</td>
<td>${r.participantId ? html`participant <b>${r.participantId}</b>` : postButton(`${a}/participant`, csrf, `Make V${r.n} a participant`)}</td>
<td>${postButton(`${a}/delete`, csrf, `Delete V${r.n}'s details`, { className: 'danger' })}</td></tr>`;
}

/** The volunteers page (owner). */
function volunteersView(m: VolunteersModel, csrf: string): Html {
  const base = `/studies/${m.studyId}/volunteers`;
  if (!m.hasRule)
    return html`<h1>Follow-up volunteers</h1><p class="notice">This study has no follow-up. Add <code>"followUp": { "eligibleIf": "band.&lt;score&gt; in [...]" }</code> to its definition (Design → JSON) to offer eligible respondents a separate page where they may leave contact details (README, "Follow-up volunteers").</p>`;
  return html`<h1>Follow-up volunteers</h1>
<p>Respondents for whom <code>${m.rule}</code> held could volunteer on a separate page after submitting. Their contact details are kept apart from the anonymous answers and deleted when the study closes. Volunteers appear in batches of at least k = ${m.k}, and a volunteer's bands only when at least ${m.k} volunteers of the same batch share them, so that no volunteer can be matched to a response (docs/security.md, "Follow-up volunteers").</p>
<p>${m.rows.length} volunteer${m.rows.length === 1 ? '' : 's'} shown; ${m.waiting} waiting until ${m.k} have volunteered.</p>
<p><a href="/studies/${m.studyId}/waves">Follow-up waves</a>: send a questionnaire to the volunteers with a personal link each and compare their answers between waves (pre/post).</p>
<form method="get" action="${base}" class="stack"><div class="field"><label for="msg">Invitation message ({name} and {link} are filled in for each volunteer)</label><textarea id="msg" name="message" rows="3">${m.message}</textarea></div><div class="row"><button>Update the texts</button></div></form>
${m.rows.length ? scrollBox('Follow-up volunteers', html`<table><thead><tr><th>#</th><th>Contact</th><th>Bands</th><th>Status</th><th>Invitation</th><th>Qualitative</th><th><span class="muted">Delete</span></th></tr></thead><tbody>${m.rows.map((r) => rowView(r, base, csrf, m.mail ? m.message : undefined))}</tbody></table>`) : html`<p class="muted">No volunteer to show yet.</p>`}`;
}

/** The model: released volunteers with k-safe bands, their invitation texts and personal links. */
async function loadModel(ctx: StudioContext, s: Awaited<ReturnType<typeof loadStudy>>, message: string) {
  const { study } = s;
  const loaded = prepareDefinition(study.definition, study.version);
  const labels = new Map((loaded.followUp?.bandScores ?? []).map((b) => [b.id, b.label]));
  const { volunteers, waiting } = await ctx.store.volunteers.list(study.id);
  const shown = bandsShown(volunteers, study.minCellSize);
  const rows = volunteers.map((v, i): VolunteerRow => {
    const link = personalLink(ctx.config.publicUrl, study.publicToken, v.code);
    return {
      vid: v.codeHash,
      n: i + 1,
      contact: v.contact,
      bands: shown[i] ? Object.entries(v.bands).map(([id, b]) => [labels.get(id) ?? id, b] as const) : null,
      status: v.status,
      participantId: v.participantId,
      invitation: invitationText(message, { name: v.contact.name, link }),
      link,
    };
  });
  return { loaded, labels, volunteers, shown, rows, waiting };
}

export function registerVolunteers(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.get('/studies/:id/volunteers', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const message = parseQuery(req, ListQuery).message ?? DEFAULT_INVITATION;
    const m = await loadModel(ctx, s, message);
    await store.audit.append({
      action: 'volunteers.view',
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { shown: m.rows.length, waiting: m.waiting },
    });
    const model: VolunteersModel = {
      studyId: s.study.id,
      hasRule: m.loaded.followUp !== undefined,
      rule: m.loaded.followUp?.source ?? '',
      k: s.study.minCellSize,
      waiting: m.waiting,
      message,
      mail: ctx.config.smtp !== undefined,
      rows: m.rows,
    };
    return page(reply, {
      title: 'Follow-up volunteers',
      user: s.user,
      study: s.layoutStudy,
      active: 'volunteers',
      body: (csrf) => volunteersView(model, csrf),
    });
  });

  /** An owner's audited write on one volunteer (404 when it is gone), then back to the list. */
  async function write(
    req: FastifyRequest,
    reply: FastifyReply,
    change: (tx: Repositories, studyId: number, vid: string) => Promise<boolean>,
    action: string,
    detail: Record<string, string> = {},
  ): Promise<FastifyReply> {
    const s = await loadStudy(req, ROLES.owner);
    const { vid } = parseParams(req, VolunteerParams);
    const entry = {
      action,
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { volunteer: vid.slice(0, 12), ...detail },
    };
    const done = await store.audited(
      (tx) => change(tx, s.study.id, vid),
      (ok) => (ok ? entry : undefined),
    );
    if (!done) throw new HttpError(404, GONE, 'not_found');
    return seeOther(reply, `/studies/${s.study.id}/volunteers`);
  }

  app.post('/studies/:id/volunteers/:vid/status', async (req, reply) => {
    const status = (formField(req.body, 'status') ?? '') as VolunteerStatus;
    if (!VOLUNTEER_STATUSES.includes(status))
      throw new HttpError(
        400,
        `Status "${status}" is not one of ${VOLUNTEER_STATUSES.join(', ')}.`,
        'validation',
      );
    return write(req, reply, (tx, id, vid) => tx.volunteers.setStatus(id, vid, status), 'volunteer.status', {
      status,
    });
  });

  app.post('/studies/:id/volunteers/:vid/email', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const { vid } = parseParams(req, VolunteerParams);
    const smtp = ctx.config.smtp;
    if (!smtp)
      throw new HttpError(
        409,
        'E-mail is not set up on this server: set NABZ_SMTP_URL and NABZ_SMTP_FROM (docs/deploy.md), or copy the text.',
        'conflict',
      );
    const v = await store.volunteers.get(s.study.id, vid);
    if (!v || v.batch === null) throw new HttpError(404, GONE, 'not_found');
    if (!v.contact.email)
      throw new HttpError(
        400,
        'This volunteer left no e-mail address; use the WhatsApp / SMS text.',
        'validation',
      );
    const link = personalLink(ctx.config.publicUrl, s.study.publicToken, v.code);
    const text = invitationText(formField(req.body, 'message') ?? DEFAULT_INVITATION, {
      name: v.contact.name,
      link,
    });
    await sendMail(smtp, { to: v.contact.email, subject: `Invitation: ${s.study.title}`, text }).catch(
      (e: Error) => {
        throw new HttpError(502, `The invitation was not sent: ${e.message}`, 'unavailable');
      },
    );
    const status = v.status === 'volunteered' ? 'invited' : v.status;
    await store.audited((tx) => tx.volunteers.setStatus(s.study.id, vid, status), {
      action: 'volunteer.email',
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { volunteer: vid.slice(0, 12), status },
    });
    return seeOther(reply, `/studies/${s.study.id}/volunteers`);
  });

  app.post('/studies/:id/volunteers/:vid/delete', (req, reply) =>
    write(req, reply, (tx, id, vid) => tx.volunteers.remove(id, vid), 'volunteer.delete'),
  );

  app.post('/studies/:id/volunteers/:vid/participant', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const { vid } = parseParams(req, VolunteerParams);
    const m = await loadModel(ctx, q, DEFAULT_INVITATION);
    const i = m.volunteers.findIndex((v) => v.codeHash === vid);
    const v = m.volunteers[i];
    if (!v) throw new HttpError(404, GONE, 'not_found');
    if (v.participantId)
      throw new HttpError(409, `V${i + 1} is participant ${v.participantId} already.`, 'exists');
    const pid = `vol-${vid.slice(0, 16)}`;
    const made = await applyPlan(ctx, q, (state) => {
      if (state.get('participant', pid)) return refuse('exists', `V${i + 1} is a participant already.`);
      const p = ParticipantSchema.parse(
        volunteerParticipant({
          id: pid,
          takenPseudonyms: state.entities.participant.map((x) => x.data.pseudonym),
          bands: m.shown[i] ? v.bands : null,
          labels: m.labels,
        }),
      );
      return {
        changes: [...ensureCoder(state, q), { kind: 'participant', id: pid, expect: 'new', data: p }],
        result: p,
      };
    });
    await store.audited((tx) => tx.volunteers.setParticipant(q.study.id, vid, made.pseudonym), {
      action: 'volunteer.participant',
      studyId: q.study.id,
      actorUserId: q.user.id,
      detail: { volunteer: vid.slice(0, 12), participant: pid },
    });
    return seeOther(reply, `/studies/${q.study.id}/volunteers`);
  });
}
