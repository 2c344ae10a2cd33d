/**
 * Figures as PNG at 300 dpi, rasterised from the SVG that `svg.ts` draws (so the PNG and the SVG are the same
 * picture) with resvg (@resvg/resvg-js, a prebuilt native module in the npm package; it downloads nothing).
 *
 * Size: a figure's stated size is its SVG size at 96 CSS pixels per inch, scaled down to the report's text width
 * (6.25 in) when wider. The PNG has 300 pixels per stated inch and a pHYs chunk that says so (11 811 pixels per
 * metre), so Word, LibreOffice and journals' checkers read 300 dpi. The Word report embeds it at the stated size.
 *
 * Font: the one font of the reports (`REPORT_FONT`, Noto Sans, Debian's fonts-noto-core). Its files are looked up
 * in the usual font folders and given to resvg explicitly, so the PNG never falls back to whatever sans-serif a
 * machine happens to have; when they are missing the error says which package installs them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { type FigureSpec, type Report, reportBlocks } from '../core/report/spec.js';
import { crc32 } from '../lib/zip.js';
import { REPORT_FONT } from './common.js';
import { renderFigureSvg } from './svg.js';

/** Pixels per inch of figure PNGs. */
export const FIGURE_DPI = 300;
/** Widest figure, in inches: the text width of a Letter or A4 page with 1-inch margins (9000 twips). */
export const MAX_FIGURE_INCHES = 6.25;
/** CSS pixels per inch (an SVG's user unit). */
const CSS_DPI = 96;

/** A figure rasterised: the PNG bytes, its pixel size and its stated (printed) size in inches. */
export interface FigurePng {
  readonly png: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly widthIn: number;
  readonly heightIn: number;
}

/** Folders searched for the report font, in order (Linux, macOS, Windows). */
function fontFolders(): string[] {
  const home = homedir();
  return [
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    join(home, '.local', 'share', 'fonts'),
    join(home, '.fonts'),
    '/Library/Fonts',
    join(home, 'Library', 'Fonts'),
    'C:\\Windows\\Fonts',
  ];
}

const FONT_FILE = /^NotoSans-(Regular|Bold|Italic|BoldItalic)\.[ot]tf$/;

function findFiles(dir: string, depth: number, out: string[], pattern = FONT_FILE): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (pattern.test(name)) out.push(p);
    else if (depth > 0 && !name.includes('.')) {
      try {
        if (statSync(p).isDirectory()) findFiles(p, depth - 1, out, pattern);
      } catch {
        // unreadable entry: not a font folder we can use
      }
    }
  }
}

let fontFiles: string[] | undefined;

/**
 * One font file by its exact name (e.g. "NotoNaskhArabic-Regular.ttf") from the usual font folders, or an
 * error naming the Debian package that installs it.
 */
export function findFontFile(fileName: string, debianPackage: string): string {
  const found: string[] = [];
  const pattern = new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  for (const dir of fontFolders()) if (existsSync(dir)) findFiles(dir, 4, found, pattern);
  const first = found[0];
  if (!first)
    throw new Error(
      `the font file ${fileName} is not installed in ${fontFolders().join(', ')}: on Debian/Ubuntu run "apt-get install ${debianPackage}"`,
    );
  return first;
}

/** The report font's files (regular, bold, italic), found once per process. */
function reportFontFiles(): string[] {
  if (fontFiles) return fontFiles;
  const found: string[] = [];
  for (const dir of fontFolders()) if (existsSync(dir)) findFiles(dir, 4, found);
  const regular = found.some((f) => /NotoSans-Regular\./.test(f));
  if (!regular)
    throw new Error(
      `figures as PNG need the font ${REPORT_FONT} (NotoSans-Regular.ttf), which is not installed in ${fontFolders().join(', ')}: on Debian/Ubuntu run "apt-get install fonts-noto-core"`,
    );
  fontFiles = found;
  return found;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * The PNG with a pHYs chunk saying `dpi` (pixels per metre, unit 1), placed after IHDR; an existing pHYs is
 * replaced. Throws on bytes that are not a PNG.
 */
export function withDpi(png: Uint8Array, dpi: number): Uint8Array {
  if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error('not a PNG file');
  const ppm = Math.round(dpi / 0.0254);
  const data = new Uint8Array(9);
  const dv = new DataView(data.buffer);
  dv.setUint32(0, ppm);
  dv.setUint32(4, ppm);
  data[8] = 1;
  const phys = chunk('pHYs', data);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  while (at + 12 <= png.length) {
    const len = v.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const end = at + 12 + len;
    if (type !== 'pHYs') parts.push(png.subarray(at, end));
    if (type === 'IHDR') parts.push(phys);
    at = end;
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** resvg with the report font only (no system font scan, no fallback to another sans-serif). */
export function resvgOptions(): ResvgRenderOptions {
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: reportFontFiles(),
      defaultFontFamily: REPORT_FONT,
      sansSerifFamily: REPORT_FONT,
    },
    background: 'white',
    logLevel: 'off',
  };
}

/** An SVG document rasterised at 300 dpi of its stated size (see the module comment). */
/** An SVG document rasterised at 300 dpi of its stated size (see the module comment). */
export function svgToPng(svg: string): FigurePng {
  const cssWidth = new Resvg(svg, resvgOptions()).width;
  const widthPx = Math.round(Math.min(MAX_FIGURE_INCHES, cssWidth / CSS_DPI) * FIGURE_DPI);
  const out = new Resvg(svg, { ...resvgOptions(), fitTo: { mode: 'width', value: widthPx } }).render();
  return {
    png: withDpi(new Uint8Array(out.asPng()), FIGURE_DPI),
    widthPx: out.width,
    heightPx: out.height,
    widthIn: out.width / FIGURE_DPI,
    heightIn: out.height / FIGURE_DPI,
  };
}

/** A figure as PNG (and the SVG it was drawn from). */
export async function renderFigurePng(fig: FigureSpec): Promise<FigurePng & { svg: string }> {
  const svg = await renderFigureSvg(fig);
  return { ...svgToPng(svg), svg };
}

/** Every figure of a report as SVG and PNG, by figure id, in report order. */
export async function renderFigureImages(report: Report): Promise<Map<string, FigurePng & { svg: string }>> {
  const out = new Map<string, FigurePng & { svg: string }>();
  for (const { block } of reportBlocks(report))
    if (block.type === 'figure') out.set(block.id, await renderFigurePng(block));
  return out;
}
