/**
 * One participant's written consent as a PDF for the ethics file (issue 14): the study, the consent form's
 * title, version and full text as the participant signed it, and the record (pseudonym, the name or initials
 * signed with, date signed, witness, notes, who recorded it and when, and a withdrawal if there was one).
 *
 * Written with pdf-lib (src/render/pdfText.ts: embedded font subsets with a ToUnicode map, so `pdftotext`
 * reads the text back, which the tests use; Noto Sans, and Noto Naskh Arabic for Urdu laid out right to left).
 * Diacritics (zer, zabar…) cannot be placed by pdf-lib, so a text with them is refused when the form is added
 * (src/core/qual/consent.ts), and a character neither font has is refused with its code point.
 */

import { PDFDocument, type PDFPage, rgb } from 'pdf-lib';
import { ARABIC_SCRIPT, type ConsentForm, type ConsentRecord } from '../core/qual/consent.js';
import { drawWords, embedFonts, type PdfFonts, type PdfWord, pdfWords } from './pdfText.js';

export { UnprintableTextError } from './pdfText.js';

interface ConsentPdfInput {
  readonly studyTitle: string;
  readonly form: ConsentForm;
  readonly record: ConsentRecord;
  /** Display names of the coders who recorded the consent and its withdrawal. */
  readonly nameOf: (coderId: string) => string;
}

const PAGE = { width: 595.28, height: 841.89, margin: 56 } as const;
const BODY = 11;

/** Lays text out on pages, top to bottom, adding pages as needed. */
class Writer {
  page: PDFPage;
  y: number;
  constructor(
    readonly doc: PDFDocument,
    readonly fonts: PdfFonts,
  ) {
    this.page = doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  private room(height: number): void {
    if (this.y - height >= PAGE.margin + 20) return;
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  /** One paragraph, wrapped to the text width; right-aligned and right to left when it is Urdu. */
  paragraph(text: string, where: string, opts: { size?: number; bold?: boolean; gap?: number } = {}): void {
    const size = opts.size ?? BODY;
    const words = pdfWords(this.fonts, text, where, size, opts.bold ?? false);
    const rtl = ARABIC_SCRIPT.test(text);
    const lineHeight = size * (rtl ? 1.9 : 1.45);
    const space = this.fonts.latin.widthOfTextAtSize(' ', size);
    const width = PAGE.width - 2 * PAGE.margin;
    let line: PdfWord[] = [];
    let used = 0;
    const flush = () => {
      if (!line.length) return;
      this.room(lineHeight);
      this.y -= lineHeight;
      this.drawLine(line, rtl, used, size);
      line = [];
      used = 0;
    };
    for (const w of words) {
      const add = (line.length ? space : 0) + w.width;
      if (line.length && used + add > width) flush();
      used += (line.length ? space : 0) + w.width;
      line.push(w);
    }
    flush();
    this.y -= opts.gap ?? size * 0.6;
  }

  private drawLine(line: readonly PdfWord[], rtl: boolean, used: number, size: number): void {
    const x = rtl ? PAGE.width - PAGE.margin - used : PAGE.margin;
    drawWords(this.page, this.fonts, line, { x, y: this.y, size, rtl });
  }

  rule(): void {
    this.room(14);
    this.y -= 6;
    this.page.drawLine({
      start: { x: PAGE.margin, y: this.y },
      end: { x: PAGE.width - PAGE.margin, y: this.y },
      thickness: 0.5,
      color: rgb(0.5, 0.5, 0.5),
    });
    this.y -= 8;
  }

  /** "Label: value" (the label in bold on its own line when the value is long). */
  fieldLine(label: string, value: string): void {
    this.paragraph(label, label, { bold: true, size: 9, gap: 0 });
    this.paragraph(value === '' ? '—' : value, label, { gap: 4 });
  }
}

/** "2026-12-07T10:30:00.000Z" → "2026-12-07 10:30 UTC". */
function utc(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

const LANGUAGE_NAMES = { en: 'English', ur: 'Urdu' } as const;

/** The consent PDF (see the module comment). Throws {@link UnprintableTextError} for text it cannot print. */
export async function consentPdf(input: ConsentPdfInput): Promise<Uint8Array> {
  const { form, record: r } = input;
  const doc = await PDFDocument.create();
  const fonts = await embedFonts(doc);
  doc.setTitle(`Written consent – ${r.pseudonym} – ${form.version}`);
  doc.setSubject(input.studyTitle);
  doc.setCreator('nabz');
  doc.setProducer('nabz (pdf-lib)');
  doc.setCreationDate(new Date(r.recordedAt));
  doc.setModificationDate(new Date(r.withdrawal?.at ?? r.recordedAt));
  const w = new Writer(doc, fonts);
  w.paragraph('Written consent', 'The heading', { size: 18, bold: true });
  w.paragraph(input.studyTitle, 'The study title', { size: 12, gap: 10 });
  w.paragraph(
    `Consent form: version ${form.version} (${LANGUAGE_NAMES[form.language]})`,
    'The form version',
    { size: 9 },
  );
  w.rule();
  w.paragraph(form.title, 'The consent form title', { size: 13, bold: true, gap: 8 });
  for (const para of form.text.split(/\r?\n\s*\r?\n/)) {
    const text = para.replace(/\s*\r?\n\s*/g, ' ').trim();
    if (text) w.paragraph(text, `The consent form text (version ${form.version})`, { gap: 7 });
  }
  w.rule();
  w.paragraph('Record of consent', 'The heading', { size: 13, bold: true, gap: 8 });
  w.fieldLine('Participant (pseudonym)', r.pseudonym);
  w.fieldLine('Signed as (name or initials on the form)', r.signedAs);
  w.fieldLine('Date signed', r.signedOn);
  w.fieldLine('Consent form version', r.formVersion);
  w.fieldLine('Witness', r.witness);
  w.fieldLine('Notes', r.notes);
  w.fieldLine('Recorded', `${utc(r.recordedAt)} by ${input.nameOf(r.recordedBy)}`);
  w.fieldLine('Record', r.id);
  if (r.withdrawal) {
    w.rule();
    w.paragraph('Consent withdrawn', 'The heading', { size: 13, bold: true, gap: 6 });
    w.fieldLine('Withdrawal recorded', `${utc(r.withdrawal.at)} by ${input.nameOf(r.withdrawal.by)}`);
    w.fieldLine('Note', r.withdrawal.note);
    w.paragraph(
      "The participant's data (their participant record, member-check packet, corrections and every recording they speak in) were deleted when the withdrawal was recorded.",
      'The withdrawal note',
      { size: 9 },
    );
  }
  const pages = doc.getPages();
  for (const [i, p] of pages.entries())
    p.drawText(`nabz · consent record ${r.id} · page ${i + 1} of ${pages.length}`, {
      x: PAGE.margin,
      y: PAGE.margin - 24,
      size: 8,
      font: fonts.latin,
      color: rgb(0.4, 0.4, 0.4),
    });
  return doc.save();
}
