/**
 * The printable QR poster of a study link (issue 14): an A4 page with the study's title, a call to take part,
 * the QR code (error correction M, a quiet zone of 4 modules as the QR standard asks) and the link written
 * out, as SVG (vector, for printing at any size), PNG (A4 at 300 dpi, resvg with the report font) and PDF
 * (A4, text in embedded Noto fonts — Noto Naskh Arabic for an Urdu title — and the QR code as an image of whole
 * pixels per module). The three share one layout (`posterLayout`), so they carry the same lines in the same places.
 * Decoding the QR code gives back exactly the link (test/server/studio-launch.test.ts decodes the PNG, the SVG
 * and the image inside the PDF).
 */
import { Resvg } from '@resvg/resvg-js';
import { PDFDocument, rgb } from 'pdf-lib';
import QRCode from 'qrcode';
import { ARABIC_SCRIPT } from '../core/qual/consent.js';
import { escapeXml as esc, wrap } from './common.js';
import { A4, drawWords, embedFonts, lineWidth, pdfWords } from './pdfText.js';
import { resvgOptions, withDpi } from './png.js';

/** A4 in tenths of a millimetre: the poster's user units. */
const W = 2100;
const H = 2970;
/** Pixels of the PNG poster: A4 width at 300 dpi. */
const POSTER_PNG_WIDTH = 2480;
const QUIET = 4;
/** Pixels per QR module of the code image inside the PDF. */
const PDF_QR_PIXELS = 16;
/** Longest title, in lines of at most 28 characters. */
const TITLE_LINES = 4;

/** The line above the code unless the caller gives another. */
export const POSTER_CALL = 'Scan with your phone camera to take part — anonymous, a few minutes';

interface PosterInput {
  readonly title: string;
  readonly link: string;
  /** The line above the code (default: {@link POSTER_CALL}). */
  readonly call?: string;
}

/** The QR code of `text` as one SVG path of its dark modules, in module units (size × size, no margin). */
function qrModules(text: string): { size: number; path: string } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  let path = '';
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (data[y * size + x]) path += `M${x} ${y}h1v1h-1z`;
  return { size, path };
}

/** A block of centred lines: font size and the baseline of its first line, in poster units. */
interface TextBlock {
  readonly lines: readonly string[];
  readonly size: number;
  readonly y: number;
  readonly step: number;
}

/** Where everything goes on the page, in tenths of a millimetre from the top left. */
interface PosterLayout {
  readonly title: TextBlock;
  readonly call: TextBlock;
  readonly link: TextBlock;
  /** The QR code with its quiet zone: top left corner and side. */
  readonly qr: { readonly x: number; readonly y: number; readonly side: number };
}

/** The title in at most four lines; a longer title ends its fourth line with "…" (never cut silently). */
function titleLines(title: string): string[] {
  const lines = wrap(title, 28);
  if (lines.length <= TITLE_LINES) return lines;
  const kept = lines.slice(0, TITLE_LINES);
  kept[TITLE_LINES - 1] = `${kept[TITLE_LINES - 1]} …`;
  return kept;
}

function posterLayout(input: PosterInput): PosterLayout {
  const titleSize = 110;
  const title = { lines: titleLines(input.title), size: titleSize, y: 260, step: titleSize * 1.2 };
  const callY = title.y + title.lines.length * title.step + 60;
  const call = { lines: wrap(input.call ?? POSTER_CALL, 48), size: 64, y: callY, step: 84 };
  const side = 1500;
  const qrY = callY + 160;
  const linkSize = Math.max(36, Math.min(64, Math.floor((W - 200) / (input.link.length * 0.55))));
  return {
    title,
    call,
    qr: { x: (W - side) / 2, y: qrY, side },
    link: { lines: [input.link], size: linkSize, y: qrY + side + 140, step: 0 },
  };
}

function svgLines(b: TextBlock, attrs: string): string {
  return b.lines
    .map(
      (l, i) =>
        `<text x="${W / 2}" y="${b.y + i * b.step}" font-size="${b.size}"${attrs} text-anchor="middle">${esc(l)}</text>`,
    )
    .join('');
}

/** The QR code with its quiet zone as an SVG group of `side` units at (x, y). */
function qrGroup(link: string, x: number, y: number, side: number): string {
  const { size, path } = qrModules(link);
  const unit = side / (size + 2 * QUIET);
  return (
    `<g transform="translate(${x} ${y}) scale(${unit})" shape-rendering="crispEdges"><rect width="${size + 2 * QUIET}" height="${size + 2 * QUIET}" fill="#fff"/>` +
    `<path transform="translate(${QUIET} ${QUIET})" fill="#000" d="${path}"/></g>`
  );
}

/** The poster as an SVG document (A4, sized in millimetres). */
export function posterSvg(input: PosterInput): string {
  const l = posterLayout(input);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 ${W} ${H}" font-family="Noto Sans, sans-serif">` +
    `<rect width="${W}" height="${H}" fill="#fff"/>${svgLines(l.title, ' font-weight="700"')}${svgLines(l.call, ' fill="#333"')}` +
    qrGroup(input.link, l.qr.x, l.qr.y, l.qr.side) +
    svgLines(l.link, '') +
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

/** The QR code with its quiet zone as a PNG of exactly {@link PDF_QR_PIXELS} pixels per module. */
function qrPng(link: string): Uint8Array {
  const modules = qrModules(link).size + 2 * QUIET;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${modules}" height="${modules}" viewBox="0 0 ${modules} ${modules}">${qrGroup(link, 0, 0, modules)}</svg>`;
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'width', value: modules * PDF_QR_PIXELS } })
    .render()
    .asPng();
}

/**
 * The poster as an A4 PDF. Throws UnprintableTextError (src/render/pdfText.ts) for a title with a character
 * neither Noto font has, naming it.
 */
export async function posterPdf(input: PosterInput): Promise<Uint8Array> {
  const l = posterLayout(input);
  const doc = await PDFDocument.create();
  const fonts = await embedFonts(doc);
  doc.setTitle(input.title);
  doc.setSubject(input.link);
  doc.setCreator('nabz');
  doc.setProducer('nabz (pdf-lib)');
  const page = doc.addPage([A4.width, A4.height]);
  const k = A4.width / W;
  const maxWidth = (W - 200) * k;
  const block = (b: TextBlock, where: string, bold: boolean, grey: number) => {
    for (const [i, text] of b.lines.entries()) {
      const rtl = ARABIC_SCRIPT.test(text);
      let size = b.size * k;
      let words = pdfWords(fonts, text, where, size, bold);
      const width = lineWidth(fonts, words, size);
      if (width > maxWidth) {
        size *= maxWidth / width;
        words = pdfWords(fonts, text, where, size, bold);
      }
      const x = (A4.width - lineWidth(fonts, words, size)) / 2;
      const y = A4.height - (b.y + i * b.step) * k;
      drawWords(page, fonts, words, { x, y, size, rtl, color: rgb(grey, grey, grey) });
    }
  };
  block(l.title, 'The study title', true, 0);
  block(l.call, 'The call to take part', false, 0.2);
  const image = await doc.embedPng(qrPng(input.link));
  const side = l.qr.side * k;
  page.drawImage(image, { x: l.qr.x * k, y: A4.height - l.qr.y * k - side, width: side, height: side });
  block(l.link, 'The study link', false, 0);
  return doc.save();
}
