/**
 * Small helpers shared by the renderers: escaping, control-character scrubbing, display width and word wrap.
 */

/**
 * The one font of the reports: the Word document's text and every figure (SVG and PNG) use it, so a page and
 * its figures match. Noto Sans is free (SIL OFL), covers most scripts, and Debian ships it (fonts-noto-core).
 */
export const REPORT_FONT = 'Noto Sans';

/** Escape text for HTML/XML element content and double- or single-quoted attribute values. */
export function escapeXml(s: string): string {
  return scrubControl(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Replace control characters (C0 except tab/newline, DEL, C1), U+FFFE, U+FFFF and lone surrogates with U+FFFD.
 * XML 1.0 forbids all but C1 (an XLSX or DOCX holding one cannot be opened) and, in a terminal, controls could
 * carry escape sequences from user-supplied labels. Input refuses these characters (submission.ts); this covers
 * data stored before, and text cut in the middle of a surrogate pair.
 */
export function scrubControl(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF\p{Cs}]/gu, '\uFFFD');
}

/** Single-line text for terminals and table cells: control characters scrubbed, line breaks and tabs as spaces. */
export function oneLine(s: string): string {
  return scrubControl(s.replace(/[\r\n\t]+/g, ' '));
}

/**
 * Display width in terminal columns: code points, not counting combining marks. (East Asian wide characters
 * count as one column; reports in those scripts may misalign in the terminal renderer.)
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) if (!/\p{M}/u.test(ch)) w++;
  return w;
}

/** Pad to a display width, aligning left, right or centre. */
export function pad(s: string, width: number, align: 'left' | 'right' | 'center'): string {
  const gap = Math.max(0, width - displayWidth(s));
  if (align === 'right') return ' '.repeat(gap) + s;
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(gap - Math.floor(gap / 2));
  return s + ' '.repeat(gap);
}

/** Split a string into chunks of at most `width` display columns (for words longer than a line). */
function hardBreak(word: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of word) {
    if (displayWidth(cur + ch) > width && cur) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Word-wrap to lines of at most `width` display columns; words longer than a line are broken. */
export function wrap(s: string, width: number): string[] {
  const w = Math.max(1, width);
  const words = s.split(/\s+/).filter((x) => x.length > 0);
  const lines: string[] = [];
  let cur = '';
  for (const word of words) {
    const pieces = displayWidth(word) > w ? hardBreak(word, w) : [word];
    for (const piece of pieces) {
      if (!cur) cur = piece;
      else if (displayWidth(cur) + 1 + displayWidth(piece) <= w) cur += ` ${piece}`;
      else {
        lines.push(cur);
        cur = piece;
      }
    }
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/** The longest word's display width. */
export function longestWord(s: string): number {
  return s.split(/\s+/).reduce((m, x) => Math.max(m, displayWidth(x)), 0);
}
