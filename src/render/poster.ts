/**
 * The printable QR poster of a study link (issue 14): an A4 page with the study's title, a call to take part,
 * the QR code (error correction M, a quiet zone of 4 modules as the QR standard asks) and the link written
 * out, as SVG (vector, for printing at any size) and PNG (A4 at 300 dpi, resvg with the report font).
 * Decoding the QR code gives back exactly the link (test/server/studio-launch.test.ts decodes the PNG).
 */
import { Resvg } from '@resvg/resvg-js';
import QRCode from 'qrcode';
import { escapeXml as esc } from './common.js';
import { resvgOptions, withDpi } from './png.js';

/** A4 in tenths of a millimetre: the poster's user units. */
const W = 2100;
const H = 2970;
/** Pixels of the PNG poster: A4 width at 300 dpi. */
export const POSTER_PNG_WIDTH = 2480;
const QUIET = 4;

export interface PosterInput {
  readonly title: string;
  readonly link: string;
  /** The line above the code (default: an invitation to take part anonymously). */
  readonly call?: string;
}

/** The QR code of `text` as one SVG path of its dark modules, in module units (size × size, no margin). */
export function qrModules(text: string): { size: number; path: string } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  let path = '';
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (data[y * size + x]) path += `M${x} ${y}h1v1h-1z`;
  return { size, path };
}

/** Words of `text` in lines of at most `max` characters (a longer word stays whole on its own line). */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.trim().split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > max) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** The poster as an SVG document (A4, sized in millimetres). */
export function posterSvg(input: PosterInput): string {
  const title = wrap(input.title, 28).slice(0, 4);
  const titleSize = 110;
  const titleY = 260;
  const titleSvg = title
    .map(
      (l, i) =>
        `<text x="${W / 2}" y="${titleY + i * titleSize * 1.2}" font-size="${titleSize}" font-weight="700" text-anchor="middle">${esc(l)}</text>`,
    )
    .join('');
  const callY = titleY + title.length * titleSize * 1.2 + 60;
  const call = input.call ?? 'Scan with your phone camera to take part — anonymous, a few minutes';
  const callSvg = wrap(call, 48)
    .map(
      (l, i) =>
        `<text x="${W / 2}" y="${callY + i * 84}" font-size="64" text-anchor="middle" fill="#333">${esc(l)}</text>`,
    )
    .join('');
  const { size, path } = qrModules(input.link);
  const qrSide = 1500;
  const qrY = callY + 160;
  const unit = qrSide / (size + 2 * QUIET);
  const linkSize = Math.max(36, Math.min(64, Math.floor((W - 200) / (input.link.length * 0.55))));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 ${W} ${H}" font-family="Noto Sans, sans-serif">` +
    `<rect width="${W}" height="${H}" fill="#fff"/>${titleSvg}${callSvg}` +
    `<g transform="translate(${(W - qrSide) / 2} ${qrY}) scale(${unit})" shape-rendering="crispEdges"><rect width="${size + 2 * QUIET}" height="${size + 2 * QUIET}" fill="#fff"/>` +
    `<path transform="translate(${QUIET} ${QUIET})" fill="#000" d="${path}"/></g>` +
    `<text x="${W / 2}" y="${qrY + qrSide + 140}" font-size="${linkSize}" text-anchor="middle">${esc(input.link)}</text>` +
    '</svg>'
  );
}

/** The poster as a PNG: A4 at 300 dpi (2480 pixels wide), white background. */
export function posterPng(input: PosterInput): Uint8Array {
  const out = new Resvg(posterSvg(input), {
    ...resvgOptions(),
    fitTo: { mode: 'width', value: POSTER_PNG_WIDTH },
  }).render();
  return withDpi(new Uint8Array(out.asPng()), 300);
}
