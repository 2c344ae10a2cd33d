/**
 * Text in the PDFs nabz writes (the written-consent record, src/render/consentPdf.ts, and the study poster,
 * src/render/poster.ts), with pdf-lib and its fontkit build (CONTRIBUTING.md, "Runtime dependencies"): fonts
 * are embedded as subsets with a ToUnicode map, so the text can be searched, copied and read back
 * (`pdftotext`, which the tests use). Fonts: Noto Sans for Latin text and Noto Naskh Arabic for Urdu
 * (Debian's fonts-noto-core; looked up like the report font, src/render/png.ts).
 *
 * Urdu: fontkit shapes each Arabic-script word (joining forms, ligatures, right-to-left glyph order); a line
 * is laid out right to left word by word, with runs of Latin words or numbers kept left to right inside it
 * (a simple bidirectional layout that is right for prose; it does not mirror brackets). Naskh, not Nastaliq:
 * pdf-lib places glyphs by their advance widths only (no GPOS), which Nastaliq's cursive attachment needs and
 * Naskh does not. A character neither font has is refused with its code point — never printed as an empty box.
 */

import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, type PDFFont, type PDFPage, type RGB, rgb } from 'pdf-lib';
import { ARABIC_SCRIPT } from '../core/qual/consent.js';
import { at, codePoint } from '../core/stats/at.js';
import { findFontFile } from './png.js';

/** A character the PDF cannot print, with where it is. */
export class UnprintableTextError extends Error {
  constructor(
    readonly where: string,
    readonly char: string,
  ) {
    super(
      `${where} has the character "${char}" (U+${codePoint(char).toString(16).toUpperCase().padStart(4, '0')}), which neither of the PDF's fonts (Noto Sans, Noto Naskh Arabic) has; replace it and download again.`,
    );
  }
}

/** A4 in PDF points. */
export const A4 = { width: 595.28, height: 841.89 } as const;

export interface PdfFonts {
  readonly latin: PDFFont;
  readonly bold: PDFFont;
  readonly arabic: PDFFont;
  readonly has: { readonly latin: (cp: number) => boolean; readonly arabic: (cp: number) => boolean };
}

let fontBytes: { latin: Uint8Array; bold: Uint8Array; arabic: Uint8Array } | undefined;

function loadFontBytes(): NonNullable<typeof fontBytes> {
  fontBytes ??= {
    latin: readFileSync(findFontFile('NotoSans-Regular.ttf', 'fonts-noto-core')),
    bold: readFileSync(findFontFile('NotoSans-Bold.ttf', 'fonts-noto-core')),
    arabic: readFileSync(findFontFile('NotoNaskhArabic-Regular.ttf', 'fonts-noto-core')),
  };
  return fontBytes;
}

/** Embeds Noto Sans (regular, bold) and Noto Naskh Arabic as subsets. */
export async function embedFonts(doc: PDFDocument): Promise<PdfFonts> {
  doc.registerFontkit(fontkit);
  const bytes = loadFontBytes();
  const latinFace = fontkit.create(bytes.latin);
  const arabicFace = fontkit.create(bytes.arabic);
  return {
    latin: await doc.embedFont(bytes.latin, { subset: true }),
    bold: await doc.embedFont(bytes.bold, { subset: true }),
    arabic: await doc.embedFont(bytes.arabic, { subset: true }),
    has: {
      latin: (cp) => latinFace.hasGlyphForCodePoint(cp),
      arabic: (cp) => arabicFace.hasGlyphForCodePoint(cp),
    },
  };
}

/** A word and the font it is drawn in. */
export interface PdfWord {
  readonly text: string;
  readonly rtl: boolean;
  readonly font: PDFFont;
  readonly width: number;
}

/** The words of `text` with their fonts and widths; `where` names the text in an {@link UnprintableTextError}. */
export function pdfWords(
  fonts: PdfFonts,
  text: string,
  where: string,
  size: number,
  bold = false,
): PdfWord[] {
  return text
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => {
      const rtl = ARABIC_SCRIPT.test(w);
      for (const ch of w) {
        const cp = codePoint(ch);
        if (!(rtl ? fonts.has.arabic(cp) || fonts.has.latin(cp) : fonts.has.latin(cp)))
          throw new UnprintableTextError(where, ch);
      }
      const font = rtl ? fonts.arabic : bold ? fonts.bold : fonts.latin;
      return { text: w, rtl, font, width: font.widthOfTextAtSize(w, size) };
    });
}

/** The width of a line of words, with a space between them. */
export function lineWidth(fonts: PdfFonts, line: readonly PdfWord[], size: number): number {
  const space = fonts.latin.widthOfTextAtSize(' ', size);
  return line.reduce((sum, w, i) => sum + w.width + (i ? space : 0), 0);
}

/**
 * Draw one line from its left edge `x`: left to right, or (`rtl`, Urdu) runs in right-to-left order with
 * Latin runs kept left to right.
 */
export function drawWords(
  page: PDFPage,
  fonts: PdfFonts,
  line: readonly PdfWord[],
  pos: { x: number; y: number; size: number; rtl: boolean; color?: RGB },
): void {
  const space = fonts.latin.widthOfTextAtSize(' ', pos.size);
  let visual: PdfWord[] = [...line];
  if (pos.rtl) {
    const runs: PdfWord[][] = [];
    for (const w of line) {
      const last = runs[runs.length - 1];
      if (last && !w.rtl && !at(last, 0).rtl) last.push(w);
      else runs.push([w]);
    }
    visual = runs.reverse().flat();
  }
  let x = pos.x;
  for (const w of visual) {
    page.drawText(w.text, { x, y: pos.y, size: pos.size, font: w.font, color: pos.color ?? rgb(0, 0, 0) });
    x += w.width + space;
  }
}
