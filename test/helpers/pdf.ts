/**
 * Reading back the PDFs nabz writes: the images a page draws (decoded from the PDF's own image streams with
 * pdf-lib and node:zlib, so a QR code can be decoded with jsQR) and the text as poppler's `pdftotext` reads it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';

/** Whether poppler's pdftotext is installed (apt-get install poppler-utils). */
export const HAS_PDFTOTEXT = spawnSync('pdftotext', ['-v']).error === undefined;

/** The PDF's text as pdftotext reads it (bidi controls dropped, whitespace collapsed). */
export function pdfText(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'nabz-pdf-'));
  try {
    const file = join(dir, 'd.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
      .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One image drawn on a page, as RGBA pixels (8-bit DeviceRGB or DeviceGray Flate streams, as pdf-lib writes). */
export interface PdfImage {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** The images of page `index` (its XObject resources of subtype Image). */
export async function pdfImages(bytes: Uint8Array, index = 0): Promise<PdfImage[]> {
  const doc = await PDFDocument.load(bytes);
  const resources = doc.getPage(index).node.Resources();
  const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  const out: PdfImage[] = [];
  for (const [, ref] of xobjects?.entries() ?? []) {
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) continue;
    const { dict } = stream;
    if (dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const width = dict.lookup(PDFName.of('Width'), PDFNumber).asNumber();
    const height = dict.lookup(PDFName.of('Height'), PDFNumber).asNumber();
    if (dict.lookup(PDFName.of('BitsPerComponent'), PDFNumber).asNumber() !== 8)
      throw new Error('only 8-bit images are read');
    if (dict.get(PDFName.of('Filter')) !== PDFName.of('FlateDecode'))
      throw new Error('only Flate-compressed images are read');
    const space = dict.get(PDFName.of('ColorSpace'));
    const channels = space === PDFName.of('DeviceRGB') ? 3 : space === PDFName.of('DeviceGray') ? 1 : 0;
    if (!channels) throw new Error(`colour space ${String(space)} is not read`);
    const raw = inflateSync(stream.contents);
    if (raw.length !== width * height * channels)
      throw new Error(`image stream has ${raw.length} bytes, not ${width}×${height}×${channels}`);
    const data = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) data[p * 4 + c] = raw[p * channels + (channels === 3 ? c : 0)] ?? 0;
      data[p * 4 + 3] = 255;
    }
    out.push({ data, width, height });
  }
  return out;
}
