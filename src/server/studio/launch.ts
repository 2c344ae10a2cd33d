/**
 * The launch step (issue 14): a confirmation page with the launch checklist (core/study/launch.ts: what blocks
 * the launch, what is unverified — placeholder wording, missing stems, no consent text, untranslated wording —
 * and a localhost public address), whose form posts `/studies/:id/launch` with `confirmed=1`
 * (overview.ts opens the study); and the printable QR poster of the study link: a page with a print
 * stylesheet, and the poster as PDF, SVG and PNG (render/poster.ts).
 */
import type { FastifyInstance } from 'fastify';
import { type ChecklistItem, type LaunchChecklist, launchChecklist } from '../../core/study/launch.js';
import { UnprintableTextError } from '../../render/pdfText.js';
import { POSTER_CALL, posterPdf, posterPng, posterSvg } from '../../render/poster.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { useHeaders } from '../ui/headers.js';
import { type Html, html, raw } from '../ui/html.js';
import { loadStudy, page, type StudioContext } from './common.js';
import { launchCheck } from './definition.js';
import { csrfField } from './layout.js';
import { qrSvg, studyLink } from './overview.js';

export interface LaunchModel {
  readonly id: number;
  readonly title: string;
  readonly status: 'draft' | 'open' | 'closed';
  readonly archived: boolean;
  readonly link: string;
  readonly checklist: LaunchChecklist;
}

const MARK: Record<ChecklistItem['status'], string> = {
  done: '✓ Done',
  unverified: '! Unverified',
  blocking: '✗ Blocks the launch',
};

function itemView(item: ChecklistItem): Html {
  return html`<li class="check-${item.status}" id="check-${item.key}"><strong>${item.label}</strong> — <span class="check-mark">${MARK[item.status]}</span>${
    item.details.length ? html`<ul>${item.details.map((d) => html`<li>${d}</li>`)}</ul>` : ''
  }</li>`;
}

/** The launch confirmation page. */
function launchView(m: LaunchModel, csrf: string): Html {
  const c = m.checklist;
  const confirm = c.canLaunch
    ? html`<form method="post" action="/studies/${m.id}/launch" class="stack">${csrfField(csrf)}<input type="hidden" name="confirmed" value="1">${
        c.unverified
          ? html`<p class="notice">${c.unverified} item${c.unverified === 1 ? ' is' : 's are'} unverified: launching confirms you have seen ${c.unverified === 1 ? 'it' : 'them'}. Respondents answer the study as it is now; a later change is saved as a new version.</p>`
          : ''
      }<div class="row"><button class="primary">Launch “${m.title}” now</button> <a class="button" href="/studies/${m.id}/preview">Preview first</a> <a class="button" href="/studies/${m.id}">Not yet</a></div></form>`
    : html`<p class="errors" role="alert">The study cannot launch until the blocking item is fixed: <a href="/studies/${m.id}/edit">open the Design page</a>.</p>`;
  const state =
    m.status === 'open'
      ? html`<p class="ok">The study is already open. <a href="/studies/${m.id}/share">Share the link</a>.</p>`
      : m.archived
        ? html`<p class="notice">The study is archived: restore it on its Overview before launching.</p>`
        : confirm;
  return html`<h1>Launch “${m.title}”</h1><p>Before respondents can answer, check this list. Respondents will open <span class="link">${m.link}</span> (and the QR code on the <a href="/studies/${m.id}/poster">poster</a>).</p>
<ol class="checklist">${c.items.map(itemView)}</ol>${state}`;
}

/** The printable poster page: title, QR code and link; the print stylesheet hides everything else. */
function posterView(m: { id: number; title: string; link: string }, svg: string): Html {
  return html`<p class="row noprint"><a class="button" href="/studies/${m.id}/poster.png" download="study-${m.id}-poster.png">Download the poster (PNG, A4 300 dpi)</a> <a class="button" href="/studies/${m.id}/poster.pdf" download="study-${m.id}-poster.pdf">Download the poster (PDF, A4)</a> <a class="button" href="/studies/${m.id}/poster.svg" download="study-${m.id}-poster.svg">Download the poster (SVG)</a> <span class="hint">Or print this page (Ctrl+P / ⌘P): only the poster is printed.</span></p>
<div class="poster"><h1 dir="auto">${m.title}</h1><p class="poster-call">${POSTER_CALL}</p><div class="qr">${raw(svg)}</div><p class="link">${m.link}</p></div>`;
}

export function registerLaunch(app: FastifyInstance, ctx: StudioContext): void {
  const { config, store } = ctx;

  app.get('/studies/:id/launch', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const acknowledged = new Set((await store.acknowledgements.list(s.study.id)).map((a) => a.instrumentId));
    const check = launchCheck(s.study.definition, acknowledged);
    const m: LaunchModel = {
      id: s.study.id,
      title: s.study.title,
      status: s.study.status,
      archived: s.study.archivedAt !== null,
      link: studyLink(config.publicUrl, s.study.publicToken),
      checklist: launchChecklist({ ...check, publicUrl: config.publicUrl }),
    };
    return page(reply, {
      title: `Launch – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'overview',
      body: (csrf) => launchView(m, csrf),
    });
  });

  app.get('/studies/:id/poster', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const link = studyLink(config.publicUrl, s.study.publicToken);
    const svg = await qrSvg(link);
    return page(reply, {
      title: `Poster – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'share',
      body: () => posterView({ id: s.study.id, title: s.study.title, link }, svg),
    });
  });

  const POSTER_TYPES = {
    png: 'image/png',
    svg: 'image/svg+xml; charset=utf-8',
    pdf: 'application/pdf',
  } as const;
  for (const format of ['png', 'svg', 'pdf'] as const) {
    app.get(`/studies/:id/poster.${format}`, async (req, reply) => {
      const s = await loadStudy(req, ROLES.work);
      const input = { title: s.study.title, link: studyLink(config.publicUrl, s.study.publicToken) };
      const body =
        format === 'svg'
          ? `<?xml version="1.0" encoding="UTF-8"?>\n${posterSvg(input)}`
          : await posterBytes(format, input);
      return useHeaders(reply, 'file')
        .header('content-type', POSTER_TYPES[format])
        .header('content-disposition', `attachment; filename="study-${s.study.id}-poster.${format}"`)
        .send(body);
    });
  }
}

/** The PNG or PDF poster; a title the PDF's fonts cannot print is a 422 naming the character. */
async function posterBytes(format: 'png' | 'pdf', input: { title: string; link: string }): Promise<Buffer> {
  if (format === 'png') return Buffer.from(posterPng(input));
  try {
    return Buffer.from(await posterPdf(input));
  } catch (err) {
    if (err instanceof UnprintableTextError) throw new HttpError(422, err.message, 'validation');
    throw err;
  }
}
