/**
 * The poster's PDF and SVG share one layout (src/render/poster.ts): an Urdu title is written with Noto Naskh
 * Arabic and read back by pdftotext, the QR image decodes, and a title longer than four lines ends with "…"
 * in both instead of losing words silently.
 */
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { posterPdf, posterSvg } from '../../src/render/poster.js';
import { HAS_PDFTOTEXT, pdfImages, pdfText } from '../helpers/pdf.js';

const LINK = 'https://survey.example.org/s/AbCdEf123456';
const URDU = 'طلبہ میں نیند اور امتحانات';

describe('the poster PDF', () => {
  it('decodes to the link for an Urdu title', async () => {
    const pdf = await posterPdf({ title: URDU, link: LINK });
    const [img] = await pdfImages(pdf);
    expect(img).toBeDefined();
    if (img) expect(jsQR(img.data, img.width, img.height)?.data).toBe(LINK);
  });

  it.skipIf(!HAS_PDFTOTEXT)(
    'writes an Urdu title in Arabic script that pdftotext reads back (needs pdftotext: apt-get install poppler-utils)',
    async () => {
      const text = pdfText(await posterPdf({ title: URDU, link: LINK }));
      for (const word of URDU.split(' ')) expect(text).toContain(word);
      expect(text).toContain(LINK);
    },
  );

  it('ends a title longer than four lines with "…" in the SVG and the PDF', async () => {
    const title = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const svg = posterSvg({ title, link: LINK });
    expect(svg).toContain('word0');
    expect(svg).toMatch(/ …<\/text>/);
    expect(svg).not.toContain('word29');
    if (HAS_PDFTOTEXT) {
      const text = pdfText(await posterPdf({ title, link: LINK }));
      expect(text).toContain('…');
      expect(text).not.toContain('word29');
    }
  });
});
