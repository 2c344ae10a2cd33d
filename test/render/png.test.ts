import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FigureSpec } from '../../src/core/report/spec.js';
import { FIGURE_DPI, MAX_FIGURE_INCHES, renderFigurePng, svgToPng, withDpi } from '../../src/render/png.js';
import { fixtureReport } from './fixture.js';

function figure(): FigureSpec {
  const b = fixtureReport().sections[1]!.blocks[1]!;
  if (b.type !== 'figure') throw new Error('fixture changed');
  return b;
}

interface Chunk {
  type: string;
  data: Uint8Array;
}

/** The chunks of a PNG, in order. */
function chunks(png: Uint8Array): Chunk[] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const len = v.getUint32(at);
    out.push({
      type: String.fromCharCode(...png.subarray(at + 4, at + 8)),
      data: png.subarray(at + 8, at + 8 + len),
    });
    at += 12 + len;
  }
  return out;
}

/** RGBA pixels of an 8-bit RGBA or RGB PNG (filters undone, PNG spec section 9), written here to check resvg. */
function decode(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const cs = chunks(png);
  const ihdr = new DataView(cs[0]!.data.buffer, cs[0]!.data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const depth = ihdr.getUint8(8);
  const colour = ihdr.getUint8(9);
  if (depth !== 8) throw new Error(`bit depth ${depth}`);
  const bpp = colour === 6 ? 4 : colour === 2 ? 3 : Number.NaN;
  if (Number.isNaN(bpp)) throw new Error(`colour type ${colour}`);
  const idat = Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const raw = inflateSync(idat);
  const stride = width * bpp;
  const img = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    if (f > 4) throw new Error(`filter type ${f} in row ${y}`);
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? img[row + x - bpp]! : 0;
      const b = y > 0 ? img[row - stride + x]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const c = x >= bpp && y > 0 ? img[row - stride + x - bpp]! : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      img[row + x] = (line[x]! + pred) & 0xff;
    }
  }
  if (bpp === 4) return { width, height, rgba: img };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(img.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

describe('figures as PNG at 300 dpi', async () => {
  const f = await renderFigurePng(figure());
  const svgWidth = Number(/<svg[^>]*\bwidth="([\d.]+)"/.exec(f.svg)![1]);
  const pixels = decode(f.png);

  it('has 300 pixels per stated inch; the stated size is the SVG at 96 px/in, at most the text width', () => {
    const { width, height } = pixels;
    expect([width, height]).toEqual([f.widthPx, f.heightPx]);
    expect(f.widthPx).toBe(Math.round(Math.min(MAX_FIGURE_INCHES, svgWidth / 96) * FIGURE_DPI));
    expect(f.widthIn).toBe(f.widthPx / FIGURE_DPI);
    expect(f.heightPx).toBe(f.heightIn * FIGURE_DPI);
    // the aspect ratio of the SVG is kept
    const svgHeight = Number(/<svg[^>]*\bheight="([\d.]+)"/.exec(f.svg)![1]);
    expect(f.heightPx / f.widthPx).toBeCloseTo(svgHeight / svgWidth, 2);
  });

  it('says 300 dpi in a pHYs chunk right after IHDR (11811 pixels per metre)', () => {
    const cs = chunks(f.png);
    expect(cs[0]!.type).toBe('IHDR');
    expect(cs[1]!.type).toBe('pHYs');
    expect(cs.filter((c) => c.type === 'pHYs')).toHaveLength(1);
    const v = new DataView(cs[1]!.data.buffer, cs[1]!.data.byteOffset, 9);
    expect([v.getUint32(0), v.getUint32(4), v.getUint8(8)]).toEqual([11811, 11811, 1]);
    expect(cs.at(-1)!.type).toBe('IEND');
  });

  it('draws the bars and the text: not blank, white background, dark glyphs and blue bars', () => {
    const { width, height, rgba } = pixels;
    let white = 0;
    let dark = 0;
    let blue = 0;
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];
      if (r > 250 && g > 250 && b > 250) white++;
      else if (r < 60 && g < 60 && b < 60) dark++;
      else if (r === 0x4c && g === 0x78 && b === 0xa8) blue++;
    }
    const n = width * height;
    expect(white / n).toBeGreaterThan(0.5);
    expect(dark / n).toBeGreaterThan(0.005); // labels and titles are drawn (a font was found)
    expect(blue / n).toBeGreaterThan(0.05); // five bars
  });

  it('replaces an existing pHYs rather than adding a second, and refuses bytes that are not a PNG', () => {
    const again = withDpi(f.png, 600);
    const phys = chunks(again).filter((c) => c.type === 'pHYs');
    expect(phys).toHaveLength(1);
    expect(new DataView(phys[0]!.data.buffer, phys[0]!.data.byteOffset, 4).getUint32(0)).toBe(23622);
    expect(() => withDpi(new TextEncoder().encode('<svg/>'), 300)).toThrow(/not a PNG/);
  });

  it('keeps a narrow figure at its own size (no upscaling past 96 px/in)', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="192" height="96"><rect width="192" height="96" fill="#4c78a8"/></svg>';
    const p = svgToPng(svg);
    expect([p.widthIn, p.heightIn, p.widthPx, p.heightPx]).toEqual([2, 1, 600, 300]);
  });
});
