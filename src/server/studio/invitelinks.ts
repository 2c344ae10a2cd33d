/**
 * Invitation-only studies (issue 12, finding 2): who can answer — anyone with the link, or only holders of a
 * single-use invitation link (one per student on a class roster, say). With an open link anyone can pad a
 * small group with fake responses of known answers and read the real one; with invitations each response
 * needs a link of its own, used up by that response.
 *
 * | route                                      | role  | what                                                   |
 * |--------------------------------------------|-------|--------------------------------------------------------|
 * | `POST /studies/:id/invite-links/mode`       | owner | `mode=open` or `mode=invitation`                       |
 * | `POST /studies/:id/invite-links`            | owner | make `count` links (or one per line of `labels`); the reply is the only copy: `format=csv` (label,link) or `format=print` (one slip per link: label, link, QR code) |
 * | `POST /studies/:id/invite-links/revoke`     | owner | revoke unused links: those pasted in `links`, or all with `all=1` |
 *
 * The tokens are made here and only their keyed hash is stored (src/store/invitelinks.ts), until the link is
 * used; labels are never stored: they appear in the owner's download only. A token is 128 random bits (22 base64url characters).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvField } from '../../render/csv.js';
import { MAX_INVITATIONS_PER_CALL, randomToken, type Study } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { INVITATION_TOKEN, idempotencyKeyHasher, invitationKey } from '../respond/submit.js';
import { type Html, html, raw } from '../ui/html.js';
import { loadStudy, page, type StudioContext, seeOther } from './common.js';
import { type Fields, field } from './definition.js';
import { csrfField } from './layout.js';
import { qrSvg, studyLink } from './overview.js';

/** The most links made at once from the studio (a printable page of this many QR codes is ~1.5 MB). */
const MAX_INVITATIONS_AT_ONCE = 1000;

/** An invitation link: the study link with the invitation token. */
function invitationLink(publicUrl: string, publicToken: string, token: string): string {
  return `${studyLink(publicUrl, publicToken)}?i=${encodeURIComponent(token)}`;
}

/** The invitation token in a pasted link or a bare token, or undefined. */
export function tokenOf(line: string): string | undefined {
  const t = line.trim();
  if (t === '') return undefined;
  const m = /[?&]i=([A-Za-z0-9_-]+)/.exec(t);
  const token = m ? m[1] : t;
  return token !== undefined && INVITATION_TOKEN.test(token) ? token : undefined;
}

/** The share page's "Who can answer" section (owners change it; analysts see it). */
export async function inviteLinksSection(
  ctx: StudioContext,
  study: Study,
  isOwner: boolean,
  csrf: string,
): Promise<Html> {
  const base = `/studies/${study.id}/invite-links`;
  const mode = study.invitationOnly;
  const head = html`<h2>Who can answer</h2>${
    mode
      ? html`<p><b>Invitation only.</b> Each invitation link starts one response; the public link alone shows a page saying an invitation is needed. Nobody can add fake responses to a small group without a link of their own, and nothing stored links an invitation to a response.</p>`
      : html`<p><b>Anyone with the link.</b> Anyone who has the link can answer, as often as they like: someone could pad a small group with fake answers (the analysis flags bursts of identical or near-identical responses). For a known group such as a class, use invitation links instead.</p>`
  }${
    isOwner &&
    html`<form method="post" action="${base}/mode">${csrfField(csrf)}<input type="hidden" name="mode" value="${mode ? 'open' : 'invitation'}"><button>${mode ? 'Let anyone with the link answer' : 'Make the study invitation only'}</button></form>`
  }`;
  if (!mode) return html`<section id="invite-links">${head}</section>`;
  const c = await ctx.store.inviteLinks.counts(study.id);
  return html`<section id="invite-links">${head}<p>Invitation links: ${c.made} made, ${c.used} used, ${c.revoked} revoked, ${c.unused} unused.</p>${
    isOwner &&
    html`<form method="post" action="${base}">${csrfField(csrf)}<h3>New invitation links</h3><p><label for="inv-count">How many</label> <input type="number" id="inv-count" name="count" min="1" max="${MAX_INVITATIONS_AT_ONCE}" value="30"></p><p><label for="inv-labels">Or one label per line (e.g. a class roster): one link each. Labels appear only in your download; they are never stored.</label><br><textarea id="inv-labels" name="labels" rows="6" cols="40"></textarea></p><p class="hint">The links are shown once, in the file or page you choose now: the server keeps only a keyed hash of each, so it cannot show them again (make new ones if they are lost, and revoke the old).</p><p class="row"><button name="format" value="print">Make links and print slips (QR codes)</button><button name="format" value="csv">Make links and download CSV</button></p></form><form method="post" action="${base}/revoke">${csrfField(csrf)}<h3>Revoke unused links</h3><p><label for="inv-revoke">Paste the links (or tokens) to revoke, one per line</label><br><textarea id="inv-revoke" name="links" rows="4" cols="60"></textarea></p><p class="row"><button>Revoke these links</button><button name="all" value="1">Revoke every unused link</button></p></form>`
  }</section>`;
}

/** Whole-number count in 1..max from a form field, or a 400 naming the field and the fix. */
function countOf(raw: string): number {
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_INVITATIONS_AT_ONCE)
    throw new HttpError(
      400,
      `"How many" is ${JSON.stringify(raw.slice(0, 20))}: give a whole number from 1 to ${MAX_INVITATIONS_AT_ONCE} (or list labels, one per line).`,
      'validation',
    );
  return n;
}

/** What the "new invitation links" form asks for: csv or print, and the labels (one link each) or a count. */
export function readInviteRequest(fields: Fields): { format: 'csv' | 'print'; labels: string[]; n: number } {
  const format = field(fields, 'format');
  if (format !== 'csv' && format !== 'print')
    throw new HttpError(
      400,
      `format is ${JSON.stringify(format.slice(0, 20))}: send "csv" (a file of links) or "print" (slips with QR codes).`,
      'validation',
    );
  const labels = field(fields, 'labels')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (labels.length > MAX_INVITATIONS_AT_ONCE)
    throw new HttpError(
      400,
      `${labels.length} labels were given: make at most ${MAX_INVITATIONS_AT_ONCE} links at once (split the roster).`,
      'validation',
    );
  const n = labels.length > 0 ? labels.length : countOf(field(fields, 'count'));
  if (n > MAX_INVITATIONS_PER_CALL) throw new HttpError(400, 'Too many invitations at once.', 'validation');
  return { format, labels, n };
}

/** The printable page of invitation slips: the only copy of the links (label, QR code, link per slip). */
export function slipsView(
  title: string,
  slips: readonly { readonly label: string; readonly link: string; readonly qr: string }[],
): Html {
  return html`<h1 dir="auto">Invitation links – ${title}</h1><p class="notice">This page is the only copy of these ${slips.length} links: print it (or save it as PDF) now. Each link starts one response. Cut along the dashed lines and hand one slip to each person.</p><div class="slips">${slips.map(
    (x) =>
      html`<div class="slip"><p dir="auto"><b>${x.label}</b></p><div class="qr">${raw(x.qr)}</div><p class="link">${x.link}</p></div>`,
  )}</div>`;
}

export function registerInviteLinks(app: FastifyInstance, ctx: StudioContext): void {
  const { store, config } = ctx;
  const hashKey = idempotencyKeyHasher(store, config.secret);

  app.post('/studies/:id/invite-links/mode', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const mode = field(asForm(req.body), 'mode');
    if (mode !== 'open' && mode !== 'invitation')
      throw new HttpError(
        400,
        `mode is ${JSON.stringify(mode.slice(0, 20))}: send "open" (anyone with the link) or "invitation" (invitation only).`,
        'validation',
      );
    await store.audited(
      (tx) => tx.studies.setSettings({ studyId: s.study.id, invitationOnly: mode === 'invitation' }),
      {
        action: 'study.invite_only',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { invitationOnly: mode === 'invitation' },
      },
    );
    return seeOther(reply, `/studies/${s.study.id}/share#invite-links`);
  });

  app.post('/studies/:id/invite-links', async (req, reply: FastifyReply) => {
    const s = await loadStudy(req, ROLES.owner);
    const { study } = s;
    if (!study.invitationOnly)
      throw new HttpError(
        409,
        'The study accepts anyone with the link: make it invitation only (Share → Who can answer) before making invitation links.',
        'conflict',
      );
    const { format, labels, n } = readInviteRequest(asForm(req.body));
    const tokens = Array.from({ length: n }, () => randomToken(16));
    const hashes = await Promise.all(tokens.map((t) => hashKey(study.id, invitationKey(t))));
    // The count only: labels and tokens are not audited.
    await store.audited(
      async (tx) => {
        const made = await tx.inviteLinks.create({ studyId: study.id, tokenHashes: hashes });
        if (made !== n) throw new Error(`Only ${made} of ${n} invitation links could be stored.`);
      },
      { action: 'invite_links.create', studyId: study.id, actorUserId: s.user.id, detail: { count: n } },
    );
    const links = tokens.map((t) => invitationLink(config.publicUrl, study.publicToken, t));
    const labelOf = (i: number) => labels[i] ?? `Invitation ${i + 1}`;
    if (format === 'csv') {
      const csv = `label,link\r\n${links.map((l, i) => `${csvField(labelOf(i))},${csvField(l)}`).join('\r\n')}\r\n`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="study-${study.id}-invite-links.csv"`)
        .header('cache-control', 'no-store')
        .send(`\ufeff${csv}`);
    }
    const slips = await Promise.all(
      links.map(async (link, i) => ({ label: labelOf(i), link, qr: await qrSvg(link) })),
    );
    return page(reply, {
      title: `Invitation links – ${study.title}`,
      user: s.user,
      body: () => slipsView(study.title, slips),
    });
  });

  app.post('/studies/:id/invite-links/revoke', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const fields = asForm(req.body);
    let hashes: string[] | undefined;
    if (field(fields, 'all') !== '1') {
      const lines = field(fields, 'links')
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '');
      const bad = lines.filter((l) => tokenOf(l) === undefined);
      if (bad.length || lines.length === 0)
        throw new HttpError(
          400,
          lines.length === 0
            ? 'No links were given: paste the invitation links to revoke, one per line (or revoke every unused link).'
            : `${JSON.stringify((bad[0] ?? '').trim().slice(0, 80))} is not an invitation link: paste links such as ${invitationLink(config.publicUrl, s.study.publicToken, 'Ab3…')}, one per line.`,
          'validation',
        );
      hashes = await Promise.all(lines.map((l) => hashKey(s.study.id, invitationKey(tokenOf(l) as string))));
    }
    const revoked = await store.audited(
      (tx) => tx.inviteLinks.revokeUnused(s.study.id, hashes),
      (count) => ({
        action: 'invite_links.revoke',
        studyId: s.study.id,
        actorUserId: s.user.id,
        detail: { count },
      }),
    );
    return seeOther(reply, `/studies/${s.study.id}/share?revoked=${revoked}#invite-links`);
  });
}
