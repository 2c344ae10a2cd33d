/**
 * Import a Word (.docx) transcript: read `word/document.xml` from the ZIP, take the text of each paragraph in
 * document order (tables included), and hand it to the plain-text importer, one paragraph per line.
 *
 * Inside a paragraph: `w:t` text, `w:tab` → TAB, `w:br`/`w:cr` → line break, `w:noBreakHyphen` → "-",
 * `w:softHyphen` → nothing. Deleted text (`w:del`, `w:delText`, tracked changes) and field instructions
 * (`w:instrText`) are left out; inserted text (`w:ins`) is kept, as Word shows it.
 */
import type { RecognizeOptions, SourceMeta, Transcript } from '../core/qual/transcript.js';
import { importText } from '../core/qual/transcript.js';
import { parseXml, type XmlElement, type XmlNode } from '../lib/xml.js';
import { type ReadZipOptions, readZip, readZipAsync, type ZipEntry, type ZipProblem } from '../lib/zip.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** The largest `word/document.xml` read, uncompressed (a 2-hour transcript with heavy formatting is ~5 MB). */
export const DOCX_MAX_XML_BYTES = 32 * 1024 * 1024;

/** Only the body is inflated, within {@link DOCX_MAX_XML_BYTES} and 200 times its compressed size. */
const DOCX_ZIP: ReadZipOptions = {
  only: (name) => name === 'word/document.xml',
  maxEntryBytes: DOCX_MAX_XML_BYTES,
  maxTotalBytes: DOCX_MAX_XML_BYTES,
  maxRatio: 200,
};

/**
 * The paragraphs of a .docx body, as text. Problems are returned, never thrown; `failed` says why nothing could
 * be read: `not_docx` (not a ZIP, or no word/document.xml, or not well-formed) or `too_large` (over the bounds).
 */
interface DocxText {
  readonly paragraphs: string[];
  readonly problems: string[];
  readonly failed?: 'not_docx' | 'too_large';
}

/** The paragraphs of a .docx (inflating on the calling thread; servers use {@link docxParagraphsAsync}). */
export function docxParagraphs(bytes: Uint8Array): DocxText {
  return paragraphsOf(readZip(bytes, DOCX_ZIP));
}

/** {@link docxParagraphs} inflating off the event loop. */
export async function docxParagraphsAsync(bytes: Uint8Array): Promise<DocxText> {
  return paragraphsOf(await readZipAsync(bytes, DOCX_ZIP));
}

function paragraphsOf({ entries, problems }: { entries: ZipEntry[]; problems: ZipProblem[] }): DocxText {
  const msgs = problems.map((p) => `${p.path}: ${p.message}`);
  const doc = entries.find((e) => e.name === 'word/document.xml');
  if (!doc) {
    const tooLarge = problems.some((p) => p.code === 'too_large');
    return {
      paragraphs: [],
      problems: tooLarge ? msgs : [...msgs, 'This is not a Word document: word/document.xml is missing.'],
      failed: tooLarge ? 'too_large' : 'not_docx',
    };
  }
  let root: XmlElement;
  try {
    root = parseXml(new TextDecoder('utf-8').decode(doc.data));
  } catch (e) {
    return {
      paragraphs: [],
      problems: [...msgs, `word/document.xml is not well-formed: ${(e as Error).message}`],
      failed: 'not_docx',
    };
  }
  const paragraphs: string[] = [];
  const isW = (n: XmlNode, local: string): boolean => n.type === 'element' && n.ns === W && n.local === local;
  const inline = (n: XmlNode, buf: string[], nested: string[][]) => {
    if (n.type === 'text') return;
    if (n.ns === W) {
      switch (n.local) {
        case 't':
          for (const c of n.children) if (c.type === 'text') buf.push(c.text);
          return;
        case 'tab':
          buf.push('\t');
          return;
        case 'br':
        case 'cr':
          buf.push('\n');
          return;
        case 'noBreakHyphen':
          buf.push('-');
          return;
        case 'del':
        case 'delText':
        case 'instrText':
        case 'rPr':
        case 'pPr':
          return;
        case 'p': {
          // A paragraph nested inside this one (text box): its own paragraph, after this one.
          const inner: string[] = [];
          const deeper: string[][] = [];
          for (const c of n.children) inline(c, inner, deeper);
          nested.push([inner.join('')], ...deeper);
          return;
        }
      }
    }
    for (const c of n.children) inline(c, buf, nested);
  };
  const block = (n: XmlNode) => {
    if (n.type === 'text') return;
    if (isW(n, 'p')) {
      const buf: string[] = [];
      const nested: string[][] = [];
      for (const c of n.children) inline(c, buf, nested);
      paragraphs.push(buf.join(''));
      for (const x of nested) paragraphs.push(...x);
      return;
    }
    if (isW(n, 'del')) return;
    for (const c of n.children) block(c);
  };
  const body = root.children.find((c): c is XmlElement => isW(c, 'body'));
  if (!body)
    return { paragraphs: [], problems: [...msgs, 'word/document.xml has no body.'], failed: 'not_docx' };
  block(body);
  return { paragraphs, problems: msgs };
}

/** Import a .docx transcript: paragraphs joined with line breaks, then speaker turns recognised. */
export function importDocx(bytes: Uint8Array, meta: SourceMeta, options: RecognizeOptions = {}): Transcript {
  const { paragraphs, problems } = docxParagraphs(bytes);
  const t = importText(paragraphs.join('\n'), meta, options);
  return {
    ...t,
    issues: [...problems.map((m) => ({ path: 'docx', code: 'docx', message: m })), ...t.issues],
  };
}
