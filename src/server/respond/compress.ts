/**
 * Response compression for respondent pages (the byte budget assumes it): Brotli when the browser accepts
 * it, otherwise gzip, otherwise none. Pages are small (a 30-item page is ~25 KB before compression), so
 * compressing per request costs well under a millisecond at these settings.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip';

/** Accepted encodings with q > 0, from an Accept-Encoding header (`*` accepts both). */
function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === '*') {
      out.add('br');
      out.add('gzip');
    } else out.add(name.trim());
  }
  return out;
}

/** Choose an encoding for an Accept-Encoding header: br, then gzip, then none. */
export function chooseEncoding(acceptEncoding: string | undefined): ContentEncoding | undefined {
  const a = accepted(acceptEncoding);
  return a.has('br') ? 'br' : a.has('gzip') ? 'gzip' : undefined;
}

/**
 * Compress a body for a request's Accept-Encoding. Returns the bytes and the headers to add
 * (`content-encoding` when compressed, and always `vary: accept-encoding`).
 */
export function compressBody(
  body: string | Uint8Array,
  acceptEncoding: string | undefined,
): { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> } {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const enc = chooseEncoding(acceptEncoding);
  if (enc === 'br') {
    const out = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    return { body: out, headers: { 'content-encoding': 'br', vary: 'accept-encoding' } };
  }
  if (enc === 'gzip')
    return {
      body: gzipSync(raw, { level: 9 }),
      headers: { 'content-encoding': 'gzip', vary: 'accept-encoding' },
    };
  return { body: raw, headers: { vary: 'accept-encoding' } };
}
