/**
 * Helpers for the respondent pages, which are built with the `html` tagged template of `ui/html.ts` (every
 * piece of study, instrument or request text is escaped there; markup comes only from literals).
 */

import { type Html, html, join } from '../ui/html.js';

const BR = html`<br>`;

/** Text as paragraphs: blank lines separate paragraphs, single newlines become `<br>`. */
export function paragraphs(text: string): Html {
  return join(
    text
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => html`<p>${join(p.split(/\r?\n/), BR)}</p>`),
  );
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
