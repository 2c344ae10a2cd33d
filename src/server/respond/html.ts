/**
 * HTML escaping for the respondent pages. Every piece of study, instrument or request text goes through
 * `esc` (element content and quoted attribute values alike); markup is built only from literals.
 */

import { esc } from '../ui/html.js';

export { esc };

/** ` name="value"` with the value escaped; empty for undefined/false; ` name` for true. */
export function attr(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined || value === false) return '';
  if (value === true) return ` ${name}`;
  return ` ${name}="${esc(value)}"`;
}

/** Text as paragraphs: blank lines separate paragraphs, single newlines become `<br>`. */
export function paragraphs(text: string, extra = ''): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p${extra}>${p.split(/\r?\n/).map(esc).join('<br>')}</p>`)
    .join('');
}

/** An http(s) URL safe to put in `href`, or undefined (no `javascript:`, `data:` or relative tricks). */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A `tel:` URL from a phone number as written ("0800-12345", "+92 51 111 222"): digits and a leading +. */
export function telHref(phone: string): string | undefined {
  const t = phone.trim();
  const digits = t.replace(/[^\d]/g, '');
  if (digits.length < 3 || digits.length > 20) return undefined;
  return `tel:${t.startsWith('+') ? '+' : ''}${digits}`;
}
