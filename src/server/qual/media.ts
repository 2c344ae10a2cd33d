/**
 * Recordings of transcripts: upload (or remove) a transcript's audio or video, serve it to the coding page's
 * player with byte ranges, and the player and per-turn play controls the coding page shows.
 *
 * - `POST /studies/:id/qual/sources/:sid/media` (owner, analyst): the file arrives as a base64 form field
 *   (`media_b64`, read by qual.js like a .docx; forms are urlencoded only), on an encapsulated instance
 *   whose parser accepts {@link MEDIA_BODY_LIMIT} bytes (qual/index.ts); `remove=1` removes the recording. The store decides the type
 *   from the bytes and refuses anything else (src/core/qual/media.ts).
 * - `GET /studies/:id/qual/sources/:sid/media` (owner, analyst — the roles that read transcripts; viewers get
 *   403): the bytes with their sniffed Content-Type, `Accept-Ranges: bytes`, one range per request (206, or
 *   416 outside the file), the SHA-256 as ETag; read from the database range by range. Headers of the
 *   `media` kind (src/server/ui/headers.ts). Same origin only; nothing third-party.
 */
import type { FastifyInstance } from 'fastify';
import { clockTime, fragmentTime, MAX_MEDIA_BYTES, turnSpans } from '../../core/qual/media.js';
import type { Turn } from '../../core/qual/model.js';
import type { MediaMeta } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError, tooLarge } from '../errors.js';
import { asForm, field, rawField } from '../form.js';
import { segments } from '../request.js';
import { useHeaders } from '../ui/headers.js';
import { attr, EMPTY, type Html, html, raw } from '../ui/html.js';
import {
  applyPlan,
  csrfInput,
  decodeBase64,
  ensureCoder,
  loadQual,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
} from './common.js';

/**
 * Largest form body of a recording upload, and of a QDPX import (which may carry recordings): 32 MiB as
 * base64 (4/3), with `+` and `/` percent-encoded.
 */
export const MEDIA_BODY_LIMIT = 48 * 1024 * 1024;

/**
 * One byte range of a `Range` header for a file of `size` bytes: `{ start, end }` (end exclusive), null to
 * send the whole file (no header, another unit, several ranges or a malformed one: RFC 9110 lets a server
 * ignore those), or 'unsatisfiable' (416) when it starts past the end.
 */
function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last + 1, size) };
}

/** The URL of a transcript's recording. */
function mediaUrl(studyId: number, sourceId: string): string {
  return `${qualBase(studyId)}/sources/${encodeURIComponent(sourceId)}/media`;
}

/**
 * A timed turn's play control: a link to the recording with a media fragment (`#t=start,end`, which plays
 * that span when opened without JavaScript); qual.js plays it in the page's player instead.
 */
function playControl(url: string, span: { start: number; end?: number }): Html {
  const t = `${fragmentTime(span.start)}${span.end !== undefined ? `,${fragmentTime(span.end)}` : ''}`;
  const label = `${clockTime(span.start)}${span.end !== undefined ? `–${clockTime(span.end, 'up')}` : ''}`;
  const end = span.end !== undefined ? attr('data-end', fragmentTime(span.end)) : EMPTY;
  return html`<a class="play" href="${url}#t=${t}" data-play data-start="${fragmentTime(span.start)}"${end} title="Play this turn (${label})" aria-label="Play this turn, ${label}">▶ ${label}</a>`;
}

/** The play controls of a transcript's timed turns (by turn index), or none without a recording. */
export function turnPlayer(
  studyId: number,
  sourceId: string,
  media: MediaMeta | undefined,
  turns: readonly Turn[],
): ((t: Turn) => Html) | undefined {
  if (!media) return undefined;
  const url = mediaUrl(studyId, sourceId);
  const spans = turnSpans(turns);
  return (t) => {
    const s = spans.get(t.index);
    return s ? playControl(url, s) : EMPTY;
  };
}

/** The coding page's recording panel: the player (or nothing) and the upload/remove form. */
export function mediaPanel(
  studyId: number,
  sourceId: string,
  media: MediaMeta | undefined,
  timed: number,
  csrf: string,
): Html {
  const url = mediaUrl(studyId, sourceId);
  const csrfHtml = csrfInput(csrf);
  // The element is <audio> or <video>, by the recording's kind (a closed set).
  const tag = media && raw(media.kind === 'video' ? 'video' : 'audio');
  const player =
    media &&
    html`<${tag} id="qual-media" class="player" controls preload="metadata" src="${url}"></${tag}><p class="muted"><span dir="auto">${media.name}</span> · ${media.contentType} · ${(media.size / (1024 * 1024)).toFixed(1)} MB · ${timed ? `${timed} timed turn${timed === 1 ? '' : 's'}: ▶ plays a turn` : 'no turn has a time (import WebVTT or SRT to play turns)'}</p>`;
  const remove =
    media &&
    html`<form method="post" action="${url}" class="inline">${csrfHtml}<input type="hidden" name="remove" value="1"><button class="danger">Remove the recording</button></form>`;
  return html`<section class="media"><h2>Recording</h2>${player}<form method="post" action="${url}" class="stack">${csrfHtml}<div class="field" data-js hidden><label for="media_file">${media ? 'Replace it with' : 'Link an audio or video file'} (MP3, M4A, WAV, Ogg, WebM, MP4; at most 32 MB)</label><input type="file" id="media_file" accept="audio/*,video/*,.mp3,.m4a,.wav,.ogg,.webm,.mp4" data-b64="media_b64" data-b64-name="media_name"></div><input type="hidden" id="media_b64" name="media_b64" value=""><input type="hidden" id="media_name" name="media_name" value=""><noscript><p class="hint">Uploading a recording needs JavaScript (the file is read in the browser).</p></noscript><p><button>${media ? 'Replace' : 'Upload'}</button></p></form>${remove}</section>`;
}

/** Register on an instance whose form parser takes {@link MEDIA_BODY_LIMIT} bytes (see qual/index.ts). */
export function registerMedia(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/sources/:sid/media', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { sid } = segments(req, 'sid');
    const meta = (await ctx.store.qual.entity(q.project.id, 'source', sid))?.data.media;
    if (!meta) throw new HttpError(404, 'This transcript has no recording.', 'not_found');
    const etag = `"${meta.sha256}"`;
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? byteRange(req.headers.range, meta.size) : null;
    useHeaders(reply, 'media').header('accept-ranges', 'bytes').header('etag', etag);
    if (range === 'unsatisfiable')
      return reply.code(416).header('content-range', `bytes */${meta.size}`).send();
    const m = await ctx.store.qual.media(q.project.id, sid, range ?? undefined);
    if (!m) throw new HttpError(404, 'This transcript has no recording.', 'not_found');
    reply.header('content-type', m.contentType);
    if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end - 1}/${m.size}`);
    return reply.send(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  });

  app.post('/studies/:id/qual/sources/:sid/media', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { sid } = segments(req, 'sid');
    const b = asForm(req.body);
    const bytes = field(b, 'remove') === '1' ? null : uploaded(rawField(b, 'media_b64'));
    await applyPlan(ctx, q, (state) =>
      state.get('source', sid)
        ? {
            changes: ensureCoder(state, q),
            media: [{ sourceId: sid, name: field(b, 'media_name'), bytes }],
            result: null,
          }
        : refuse('not_found', 'Transcript not found.'),
    );
    return seeOther(reply, `${qualBase(q.study.id)}/sources/${encodeURIComponent(sid)}`);
  });
}

/** The uploaded recording's bytes: 400 without a file, 413 over the limit (the store checks the type). */
function uploaded(b64: string): Uint8Array {
  if (!b64.trim()) throw new HttpError(400, 'Choose an audio or video file to upload first.', 'validation');
  const bytes = decodeBase64(b64);
  if (bytes.length > MAX_MEDIA_BYTES)
    throw tooLarge('The recording', MAX_MEDIA_BYTES, 'Export it at a lower bit rate, or split it.');
  return bytes;
}
