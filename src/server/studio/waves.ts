/**
 * Follow-up waves, the owner's side (issue 14): from a screening study's volunteers page, make a wave (a study
 * of its own, a copy of the screening design, src/core/study/waves.ts `waveDefinition`), send it to the
 * volunteers (all, or those of one status) — each gets a personal wave link `/s/<wave link>?w=<their code>`
 * to copy into WhatsApp / SMS or the mail program, or by e-mail over SMTP — and compare the waves: the paired
 * export (one row per panel id, scores per wave) and a paired t-test and a Wilcoxon signed-rank test per score
 * over volunteers who answered two waves (suppressed below k pairs).
 *
 * | route                                        | role           | what                                         |
 * |----------------------------------------------|----------------|----------------------------------------------|
 * | `GET  /studies/:id/waves`                    | owner          | the waves, their invitations (`?sent=<wave>`), the paired comparison (`?a=&b=`) |
 * | `POST /studies/:id/waves`                    | owner          | a new wave named `label` (audited `wave.create`) |
 * | `POST /studies/:id/waves/:wave/send`         | owner of both  | send to `status` volunteers (audited `wave.send`; `email=1`: over SMTP) |
 * | `GET  /studies/:id/waves/paired.csv`         | owner, analyst | the paired export (audited `export.paired`)  |
 *
 * Nothing here shows which volunteer answered: the page gives counts per wave, never a volunteer's answers
 * or whether they answered (docs/security.md, "Follow-up waves").
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invitationText } from '../../core/study/followUp.js';
import {
  DEFAULT_WAVE_INVITATION,
  type PairedComparison,
  type PairedSignedRank,
  type PairedTTest,
  pairedComparison,
  waveDefinition,
  waveLabelIssue,
} from '../../core/study/waves.js';
import { type PairedTable, pairedCsv, pairedTable } from '../../render/export/paired.js';
import { type Study, VOLUNTEER_STATUSES, type Volunteer } from '../../store/index.js';
import { ROLES, requireStudyRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { sendMail } from '../mail.js';
import {
  formChoice,
  formRawText,
  formText,
  parseBody,
  parseParams,
  parseQuery,
  segment,
} from '../request.js';
import { useHeaders } from '../ui/headers.js';
import { type Html, html, raw } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import { checkedOf, loadStudy, page, type StudioContext, seeOther } from './common.js';
import { consentTextOf } from './definition.js';
import { csrfField } from './layout.js';

const WaveParams = z.object({ id: segment, wave: segment });
const STATUS_CHOICES = ['all', ...VOLUNTEER_STATUSES] as const;
const CreateBody = z.object({ label: formText });
const SendBody = z.object({
  status: formChoice('Status', STATUS_CHOICES),
  email: formText,
  message: formRawText.pipe(z.string().max(2000, 'The message is longer than 2,000 characters.')),
});
const WavesQuery = z.object({
  sent: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  a: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  b: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  message: z.string().max(2000).optional(),
});

/** A wave's personal link for one volunteer. */
function waveLink(publicUrl: string, wave: Pick<Study, 'publicToken'>, code: string): string {
  return `${publicUrl}/s/${wave.publicToken}?w=${code}`;
}

/** One wave as the page lists it. */
interface WaveRow {
  readonly id: number;
  readonly label: string;
  readonly title: string;
  readonly status: Study['status'];
  readonly invited: number;
  readonly answered: number;
}

/** One invited volunteer's text for a wave (the page after sending). */
interface WaveInvitation {
  readonly n: number;
  readonly contact: Volunteer['contact'];
  readonly text: string;
  readonly link: string;
}

interface WavesModel {
  readonly studyId: number;
  readonly title: string;
  /** This study is itself a wave of that one: waves are made from the screening study. */
  readonly parentOf: number | null;
  readonly k: number;
  readonly volunteers: number;
  readonly waves: readonly WaveRow[];
  readonly mail: boolean;
  readonly message: string;
  readonly sent?: { readonly wave: WaveRow; readonly invitations: readonly WaveInvitation[] } | undefined;
  readonly comparison?:
    | {
        readonly a: WaveRow;
        readonly b: WaveRow;
        readonly rows: readonly { readonly score: string; readonly result: PairedComparison }[];
      }
    | undefined;
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pText = (p: number) => (p < 0.001 ? '< .001' : p.toFixed(3).replace(/^0/, ''));

function comparisonView(m: WavesModel): Html {
  const c = m.comparison;
  if (!c) return html``;
  const options = (sel: number) =>
    m.waves.map(
      (w) => html`<option value="${w.id}"${raw(w.id === sel ? ' selected' : '')}>${w.label}</option>`,
    );
  const row = (score: string, r: PairedComparison) =>
    r.kind === 'computed'
      ? html`<tr><td>${score}</td><td>${r.pairs}</td><td>${fmt(r.meanFirst)}</td><td>${fmt(r.meanSecond)}</td>${tCells(r.meanChange, r.ttest)}${signedRankCells(r.signedRank)}</tr>`
      : html`<tr><td>${score}</td><td>${r.pairs}</td><td colspan="7" class="muted">${r.kind === 'suppressed' ? `fewer than k = ${m.k} volunteers answered both waves: not shown` : r.reason}</td></tr>`;
  return html`<h2>Paired comparison</h2>
<form method="get" action="/studies/${m.studyId}/waves" class="row"><label for="cmp-a">First wave</label><select id="cmp-a" name="a">${options(c.a.id)}</select><label for="cmp-b">Second wave</label><select id="cmp-b" name="b">${options(c.b.id)}</select><button>Compare</button></form>
<p class="hint">The change (second − first) over the volunteers who answered both waves, matched by panel id. Paired t-test of the mean change (R <code>t.test(x, y, paired = TRUE)</code>), with the 95% confidence interval of the mean change. Wilcoxon signed-rank test (R <code>wilcox.test(x, y, paired = TRUE)</code>): it ranks the changes instead of averaging them, so it suits skewed scores and scores at the floor or ceiling; volunteers whose score did not change are left out of it; V is the rank sum of the rises; p is exact with fewer than 50 changes and no ties (marked), otherwise from the normal approximation with tie and continuity correction.</p>
${scrollBox('Paired comparison', html`<table><thead><tr><th>Score</th><th>Pairs</th><th>Mean ${c.a.label}</th><th>Mean ${c.b.label}</th><th>Mean change [95% CI]</th><th>t</th><th>p</th><th>Wilcoxon V</th><th>p</th></tr></thead><tbody>${c.rows.map((r) => row(r.score, r.result))}</tbody></table>`)}`;
}

/** The mean change with the paired t-test's interval, t and p, or its reason. */
function tCells(meanChange: number, t: PairedTTest): Html {
  return t.kind === 'computed'
    ? html`<td>${fmt(meanChange)} [${fmt(t.ci[0])}, ${fmt(t.ci[1])}]</td><td>t(${t.df}) = ${fmt(t.t)}</td><td>${pText(t.p)}</td>`
    : html`<td>${fmt(meanChange)}</td><td colspan="2" class="muted">${t.reason}</td>`;
}

/** The signed-rank test's V and p (marked when exact), or its reason. */
function signedRankCells(w: PairedSignedRank): Html {
  return w.kind === 'computed'
    ? html`<td>V = ${String(w.v)}</td><td>${pText(w.p)}${w.exact ? ' (exact)' : ''}</td>`
    : html`<td colspan="2" class="muted">${w.reason}</td>`;
}

function sentView(m: WavesModel): Html {
  const s = m.sent;
  if (!s) return html``;
  const item = (v: WaveInvitation) => {
    const wa = `https://wa.me/${v.contact.phone ? v.contact.phone.replace(/^\+/, '') : ''}?text=${encodeURIComponent(v.text)}`;
    const mail = v.contact.email
      ? `mailto:${v.contact.email}?subject=${encodeURIComponent('Follow-up questionnaire')}&body=${encodeURIComponent(v.text)}`
      : '';
    return html`<tr><td>V${v.n}</td><td>${v.contact.name ?? ''}${v.contact.email ? html`<br><span dir="ltr">${v.contact.email}</span>` : ''}${v.contact.phone ? html`<br><span dir="ltr">${v.contact.phone}</span>` : ''}</td><td><label class="sr" for="wi-${v.n}">Invitation for V${v.n}</label><textarea id="wi-${v.n}" rows="4" readonly>${v.text}</textarea><div class="row"><a href="${wa}" rel="noopener noreferrer">WhatsApp / SMS text</a>${mail ? html`<a href="${mail}">E-mail</a>` : ''}<a href="${v.link}" dir="ltr">personal wave link</a></div></td></tr>`;
  };
  return html`<h2>Invitations to “${s.wave.label}”</h2><p>${s.invitations.length} volunteer${s.invitations.length === 1 ? ' was' : 's were'} sent this wave. Each link answers the wave once.</p>${
    s.invitations.length
      ? scrollBox(
          'Wave invitations',
          html`<table><thead><tr><th>#</th><th>Contact</th><th>Invitation</th></tr></thead><tbody>${s.invitations.map(item)}</tbody></table>`,
        )
      : ''
  }`;
}

/** The waves page (owner of the screening study). */
function wavesView(m: WavesModel, csrf: string): Html {
  if (m.parentOf !== null)
    return html`<h1>Follow-up waves</h1><p class="notice">This study is a follow-up wave. Its waves are made and sent from <a href="/studies/${m.parentOf}/waves">the screening study's waves page</a>.</p>`;
  const base = `/studies/${m.studyId}/waves`;
  const statusOptions = STATUS_CHOICES.map(
    (s) => html`<option value="${s}">${s === 'all' ? 'all volunteers' : s}</option>`,
  );
  const waveRow = (w: WaveRow) =>
    html`<tr><td><a href="/studies/${w.id}">${w.label}</a></td><td>${w.status}</td><td>${w.invited}</td><td>${w.answered}</td><td><form method="post" action="${base}/${w.id}/send" class="stack">${csrfField(csrf)}<input type="hidden" name="message" value="${m.message}"><label for="ws-${w.id}">Send “${w.label}” to</label><select id="ws-${w.id}" name="status">${statusOptions}</select>${
      m.mail
        ? html`<label class="check" for="we-${w.id}"><input type="checkbox" id="we-${w.id}" name="email" value="1"><span>and e-mail those with an address</span></label>`
        : ''
    }<button>Send “${w.label}”</button></form></td></tr>`;
  return html`<h1>Follow-up waves</h1>
<p>A wave is a questionnaire of its own sent to this study's volunteers with a personal link each; a volunteer's answers in every wave carry the same <strong>panel id</strong> (a keyed hash of their volunteer code, never their contact), so pre and post can be compared. The screening answers stay anonymous and unlinked. Wave answers are <strong>confidential, not anonymous</strong>: you know whom you sent a wave to (docs/security.md, “Follow-up waves”). Launch a wave from its own Overview before sending it; sending again adds volunteers, never duplicates.</p>
<p>${m.volunteers} volunteer${m.volunteers === 1 ? '' : 's'} shown on the Volunteers page.</p>
<form method="post" action="${base}" class="row">${csrfField(csrf)}<label for="wave-label">New wave named</label><input id="wave-label" name="label" maxlength="40" required placeholder="pre"><button>New follow-up wave</button></form>
<form method="get" action="${base}" class="stack"><div class="field"><label for="wmsg">Invitation message ({name} and {link} are filled in for each volunteer)</label><textarea id="wmsg" name="message" rows="3">${m.message}</textarea></div><div class="row"><button>Update the texts</button></div></form>
${
  m.waves.length
    ? html`${scrollBox('Follow-up waves', html`<table><thead><tr><th>Wave</th><th>Status</th><th>Sent to</th><th>Answered</th><th>Send</th></tr></thead><tbody>${m.waves.map(waveRow)}</tbody></table>`)}<p><a class="button" href="${base}/paired.csv">Download the paired export (CSV: one row per panel id, scores per wave)</a></p>`
    : html`<p class="muted">No wave yet.</p>`
}
${sentView(m)}${comparisonView(m)}`;
}

/** The paired table of a screening study's waves (each wave with its current definition). */
async function pairedOf(ctx: StudioContext, waves: readonly Study[]): Promise<PairedTable> {
  const parts = [];
  for (const w of waves) {
    const checked = checkedOf(w);
    if ('issues' in checked) continue;
    parts.push({
      label: w.waveLabel ?? `wave ${w.id}`,
      resolved: checked.resolved,
      responses: await ctx.store.waves.responses(w.id),
    });
  }
  return pairedTable(parts);
}

/** The paired comparison of two waves: per score in both, over the panel ids that answered both. */
function compare(table: PairedTable, ia: number, ib: number, k: number) {
  const wa = table.waves[ia];
  const wb = table.waves[ib];
  if (!wa || !wb) return [];
  const column = (i: number) => table.rows.map((r) => (r[i] as number | null | undefined) ?? null);
  return [...wa.scores.entries()].flatMap(([score, ca]) => {
    const cb = wb.scores.get(score);
    return cb === undefined ? [] : [{ score, result: pairedComparison(column(ca), column(cb), k) }];
  });
}

async function waveRows(ctx: StudioContext, waves: readonly Study[]): Promise<WaveRow[]> {
  const rows: WaveRow[] = [];
  for (const w of waves)
    rows.push({
      id: w.id,
      label: w.waveLabel ?? `wave ${w.id}`,
      title: w.title,
      status: w.status,
      ...(await ctx.store.waves.counts(w.id)),
    });
  return rows;
}

/** The invitations of a wave: the released volunteers whose panel id it was sent to, with their texts. */
async function invitationsOf(ctx: StudioContext, parent: Study, wave: Study, message: string) {
  const { volunteers } = await ctx.store.volunteers.list(parent.id);
  const panels = await Promise.all(volunteers.map((v) => ctx.store.waves.panelId(parent.id, v.code)));
  const invited = await ctx.store.waves.invitedAmong(wave.id, panels);
  return volunteers.flatMap((v, i): WaveInvitation[] => {
    if (!invited.has(panels[i] ?? '')) return [];
    const link = waveLink(ctx.config.publicUrl, wave, v.code);
    return [
      { n: i + 1, contact: v.contact, link, text: invitationText(message, { name: v.contact.name, link }) },
    ];
  });
}

/** The wave in `:wave`, owned by the caller, of the screening study in `:id` (owned by the caller). */
async function loadWave(req: FastifyRequest) {
  const s = await loadStudy(req, ROLES.owner);
  const { wave: waveId } = parseParams(req, WaveParams);
  const w = await requireStudyRole(req, waveId, ROLES.owner);
  if (w.study.waveOf !== s.study.id)
    throw new HttpError(404, `Study ${waveId} is not a follow-up wave of this study.`, 'not_found');
  return { ...s, wave: w.study };
}

export function registerWaves(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.get('/studies/:id/waves', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const q = parseQuery(req, WavesQuery);
    const message = q.message ?? DEFAULT_WAVE_INVITATION;
    const waves = s.study.waveOf === null ? await store.studies.waves(s.study.id) : [];
    const rows = await waveRows(ctx, waves);
    const sentWave = waves.find((w) => String(w.id) === q.sent);
    const sentRow = rows.find((r) => String(r.id) === q.sent);
    const table = waves.length >= 2 ? await pairedOf(ctx, waves) : undefined;
    const ia = q.a ? waves.findIndex((w) => String(w.id) === q.a) : 0;
    const ib = q.b ? waves.findIndex((w) => String(w.id) === q.b) : 1;
    const [ra, rb] = [rows[ia], rows[ib]];
    const model: WavesModel = {
      studyId: s.study.id,
      title: s.study.title,
      parentOf: s.study.waveOf,
      k: s.study.minCellSize,
      volunteers: (await store.volunteers.list(s.study.id)).volunteers.length,
      waves: rows,
      mail: ctx.config.smtp !== undefined,
      message,
      sent:
        sentWave && sentRow
          ? { wave: sentRow, invitations: await invitationsOf(ctx, s.study, sentWave, message) }
          : undefined,
      comparison:
        table && ra && rb ? { a: ra, b: rb, rows: compare(table, ia, ib, s.study.minCellSize) } : undefined,
    };
    return page(reply, {
      title: 'Follow-up waves',
      user: s.user,
      study: s.layoutStudy,
      active: 'volunteers',
      body: (csrf) => wavesView(model, csrf),
    });
  });

  app.post('/studies/:id/waves', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    if (s.study.waveOf !== null)
      throw new HttpError(
        409,
        'This study is a follow-up wave; make new waves from its screening study.',
        'conflict',
      );
    const { label } = parseBody(req, CreateBody);
    const taken = (await store.studies.waves(s.study.id)).map((w) => w.waveLabel ?? '');
    const issue = waveLabelIssue(label, taken);
    if (issue) throw new HttpError(400, `Wave name: ${issue.message}.`, 'validation');
    const title = `${s.study.title} — follow-up: ${label}`;
    const definition = waveDefinition(s.study.definition, title);
    const wave = await store.audited(
      (tx) =>
        tx.studies.duplicate({
          fromStudyId: s.study.id,
          title,
          ownerId: s.user.id,
          definition,
          consentText: consentTextOf(definition),
          wave: { of: s.study.id, label },
        }),
      (w) =>
        w && {
          action: 'wave.create',
          studyId: s.study.id,
          actorUserId: s.user.id,
          detail: { wave: w.id, label },
        },
    );
    if (!wave) throw new HttpError(404, 'Study not found.', 'not_found');
    return seeOther(reply, `/studies/${s.study.id}/waves`);
  });

  app.post('/studies/:id/waves/:wave/send', async (req, reply) => {
    const s = await loadWave(req);
    const body = parseBody(req, SendBody);
    const { volunteers } = await store.volunteers.list(s.study.id);
    const chosen = volunteers.filter((v) => body.status === 'all' || v.status === body.status);
    if (chosen.length === 0)
      throw new HttpError(
        400,
        `No volunteer has the status "${body.status}"; nothing was sent.`,
        'validation',
      );
    const panels = await Promise.all(chosen.map((v) => store.waves.panelId(s.study.id, v.code)));
    await store.audited(
      (tx) => tx.waves.invite(s.wave.id, panels),
      (n) => ({
        action: 'wave.send',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { wave: s.wave.id, status: body.status, volunteers: chosen.length, new: n },
      }),
    );
    const message = body.message.trim() || DEFAULT_WAVE_INVITATION;
    if (body.email === '1') await mailWave(ctx, s.wave, chosen, message);
    const q = `sent=${s.wave.id}&message=${encodeURIComponent(message)}`;
    return seeOther(reply, `/studies/${s.study.id}/waves?${q}`);
  });

  app.get('/studies/:id/waves/paired.csv', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const waves: Study[] = [];
    for (const w of await store.studies.waves(s.study.id))
      if ((await store.roles.roleOf({ userId: s.user.id, studyId: w.id })) !== 'viewer') waves.push(w);
    const table = await pairedOf(ctx, waves);
    await store.audit.append({
      action: 'export.paired',
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { waves: waves.map((w) => w.id), rows: table.rows.length },
    });
    const day = new Date().toISOString().slice(0, 10);
    return useHeaders(reply, 'file')
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${s.study.id}_paired_${day}.csv"`)
      .send(pairedCsv(table));
  });
}

/** E-mail a wave's invitation to each chosen volunteer with an address (502 naming the failure). */
async function mailWave(ctx: StudioContext, wave: Study, chosen: readonly Volunteer[], message: string) {
  const smtp = ctx.config.smtp;
  if (!smtp)
    throw new HttpError(
      409,
      'E-mail is not set up on this server: set NABZ_SMTP_URL and NABZ_SMTP_FROM (docs/deploy.md), or copy the texts.',
      'conflict',
    );
  for (const v of chosen) {
    if (!v.contact.email) continue;
    const link = waveLink(ctx.config.publicUrl, wave, v.code);
    const text = invitationText(message, { name: v.contact.name, link });
    await sendMail(smtp, { to: v.contact.email, subject: `Follow-up: ${wave.title}`, text }).catch(
      (e: Error) => {
        throw new HttpError(502, `An invitation was not sent: ${e.message}`, 'unavailable');
      },
    );
  }
}
