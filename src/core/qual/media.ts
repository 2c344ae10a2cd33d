/**
 * Recordings linked to transcripts: which audio and video files nabz takes, recognised by their first bytes
 * (never by the file name or what the browser says), and the time span of a speaker turn.
 *
 * Taken: MP3 (ID3 tag or an MPEG audio frame header), M4A and MP4 (ISO base media `ftyp` box; the brands
 * M4A/M4B/M4P/F4A are audio), WAV (RIFF … WAVE), Ogg (audio, or video when its first page is Theora), WebM
 * (Matroska EBML header with DocType "webm"). Pure: bytes in, a description out.
 */
import { at, present } from '../stats/at.js';
import type { Turn } from './model.js';

/** The largest recording accepted, in bytes (32 MiB: about 70 minutes of speech at 64 kbit/s). */
export const MAX_MEDIA_BYTES = 32 * 1024 * 1024;

type MediaKind = 'audio' | 'video';

/** A recognised recording type: its MIME type, whether it is audio or video, and the usual file extension. */
interface MediaType {
  readonly contentType: string;
  readonly kind: MediaKind;
  readonly extension: string;
  /** Format name for people ("MP3", "WebM"). */
  readonly format: string;
}

const ascii = (b: Uint8Array, at: number, n: number): string =>
  at + n <= b.length ? String.fromCharCode(...b.subarray(at, at + n)) : '';

const contains = (b: Uint8Array, text: string, limit: number): boolean => {
  const end = Math.min(b.length, limit) - text.length;
  outer: for (let i = 0; i <= end; i++) {
    for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
};

/** An MPEG-1/2/2.5 audio frame header: sync, a valid version and layer, bitrate index 1–14, sample rate 0–2. */
function isMpegFrame(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || (at(b, 1) & 0xe0) !== 0xe0) return false;
  const version = (at(b, 1) >> 3) & 3;
  const layer = (at(b, 1) >> 1) & 3;
  const bitrate = at(b, 2) >> 4;
  const rate = (at(b, 2) >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 0 && bitrate !== 15 && rate !== 3;
}

const AUDIO_MP4_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

/** The type of a recording from its first bytes, or null when it is none nabz takes. */
export function sniffMedia(bytes: Uint8Array): MediaType | null {
  const b = bytes;
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE')
    return { contentType: 'audio/wav', kind: 'audio', extension: 'wav', format: 'WAV' };
  if (ascii(b, 0, 3) === 'ID3' || isMpegFrame(b))
    return { contentType: 'audio/mpeg', kind: 'audio', extension: 'mp3', format: 'MP3' };
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    return AUDIO_MP4_BRANDS.has(brand)
      ? { contentType: 'audio/mp4', kind: 'audio', extension: 'm4a', format: 'M4A' }
      : { contentType: 'video/mp4', kind: 'video', extension: 'mp4', format: 'MP4' };
  }
  if (ascii(b, 0, 4) === 'OggS')
    return contains(b, '\x80theora', 512)
      ? { contentType: 'video/ogg', kind: 'video', extension: 'ogv', format: 'Ogg' }
      : { contentType: 'audio/ogg', kind: 'audio', extension: 'ogg', format: 'Ogg' };
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3 && contains(b, 'webm', 64))
    return { contentType: 'video/webm', kind: 'video', extension: 'webm', format: 'WebM' };
  return null;
}

/** The first bytes of a file in hex ("52 49 46 46 …"), for a message about a file that is not a recording. */
function leadingBytes(bytes: Uint8Array, n = 8): string {
  const hex = Array.from(bytes.subarray(0, n), (x) => x.toString(16).toUpperCase().padStart(2, '0'));
  return hex.length ? `${hex.join(' ')}${bytes.length > n ? ' …' : ''}` : '(empty)';
}

/**
 * Check an uploaded recording: not empty, at most {@link MAX_MEDIA_BYTES}, and of a type nabz takes (by its
 * bytes). A refusal names the file, what was found and what to do.
 */
export function checkMedia(
  bytes: Uint8Array,
  name: string,
): { ok: true; type: MediaType } | { ok: false; code: 'too_large' | 'not_media'; message: string } {
  if (bytes.length > MAX_MEDIA_BYTES)
    return {
      ok: false,
      code: 'too_large',
      message: `"${name}" has ${bytes.length.toLocaleString('en')} bytes, more than the ${MAX_MEDIA_BYTES.toLocaleString('en')} (32 MiB) a recording may have; nothing was saved. Export it at a lower bit rate (speech needs 64 kbit/s or less, e.g. MP3 or Ogg/Opus) or split it.`,
    };
  const type = bytes.length ? sniffMedia(bytes) : null;
  if (!type)
    return {
      ok: false,
      code: 'not_media',
      message: `"${name}" is not an audio or video file nabz can play: its first bytes are ${leadingBytes(bytes)}, not those of MP3, M4A, WAV, Ogg, WebM or MP4 (the file name does not decide). Nothing was saved; export the recording in one of these formats.`,
    };
  return { ok: true, type };
}

/**
 * The time span of each timed turn, in seconds: from its start time to its end time, or (without one) to the
 * next timed turn's start; the last turn without an end time plays to the end of the recording (`end`
 * undefined). Turns without a start time have no span.
 */
export function turnSpans(turns: readonly Turn[]): Map<number, { start: number; end?: number }> {
  const timed = turns.filter((t) => t.time !== undefined).sort((a, b) => a.start - b.start);
  const out = new Map<number, { start: number; end?: number }>();
  timed.forEach((t, k) => {
    const start = present(t.time, 'the time of a timed turn');
    const next = timed[k + 1]?.time;
    const end = t.endTime ?? (next !== undefined && next > start ? next : undefined);
    out.set(t.index, { start, ...(end !== undefined && end > start ? { end } : {}) });
  });
  return out;
}

/** Seconds as a media-fragment time ("12.345", no exponent, at most millisecond precision). */
export function fragmentTime(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/**
 * "m:ss" or "h:mm:ss" of a number of seconds, for a play control's label: floored (a span's start) or, with
 * `round: 'up'`, rounded up (its end, so the label covers the span: 1.0–1.75 s reads "0:01–0:02").
 */
export function clockTime(seconds: number, round: 'down' | 'up' = 'down'): string {
  const t = round === 'up' ? Math.ceil(seconds) : Math.floor(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
