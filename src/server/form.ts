/**
 * Reading `application/x-www-form-urlencoded` bodies: the one form type ({@link FormBody}: a field's value, or an
 * array when repeated), checking the text is UTF-8, and reading a field. Studio, qualitative, respondent and
 * sign-in forms all read through here; route schemas for forms are `parseBody` in src/server/request.ts.
 */
import { HttpError } from './errors.js';

/**
 * Refuse a form body that is not UTF-8: raw bytes that are not (decoded to U+FFFD, which browsers never send
 * unescaped), %-escapes that do not spell UTF-8 (`%FF`, `%C3%28`, an encoded lone surrogate `%ED%A0%80`) or
 * broken escapes (`%zz`). Parsers would otherwise store U+FFFD or the escape itself in place of the answer.
 */
export function checkFormText(text: string): void {
  let ok = !text.includes('\uFFFD');
  if (ok && text.includes('%')) {
    try {
      decodeURIComponent(text);
    } catch {
      ok = false;
    }
  }
  if (!ok)
    throw new HttpError(
      400,
      'The form data is not valid UTF-8 text (or has a broken %-escape); nothing was saved. Reload the page and send it again from the browser.',
      'malformed',
    );
}

/** A parsed form: each field a string, or an array when repeated. */
export type FormBody = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The one decoder of a form body (every handler reads `req.body` through it, never a cast; test/core/boundaries
 * checks): each field that is a string or a list of strings, in an object without a prototype (a field named
 * `constructor` or `__proto__` is a field like any other). Anything else in the body is not a form field and is
 * left out; a body that is not an object (no body, a JSON array) is an empty form.
 */
export function asForm(body: unknown): FormBody {
  const out: Record<string, string | readonly string[]> = Object.create(null);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return out;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[name] = value;
  }
  return out;
}

/** One field's value (the first when repeated), or undefined. */
export function formField(body: unknown, name: string): string | undefined {
  const form = asForm(body);
  if (!Object.hasOwn(form, name)) return undefined;
  const v = form[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** A field's first value as written ('' when absent). */
export function rawField(body: FormBody | undefined, name: string): string {
  const v = body?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

/** A field's first value, trimmed ('' when absent). */
export function field(body: FormBody | undefined, name: string): string {
  return rawField(body, name).trim();
}

/** All values of a repeated field (checkboxes), trimmed, empty ones dropped. */
export function fieldAll(body: FormBody | undefined, name: string): string[] {
  const v = body?.[name];
  if (v === undefined) return [];
  return (typeof v === 'string' ? [v] : [...v]).map((x) => x.trim()).filter((x) => x !== '');
}

/** The shape of an e-mail address the sign-in, account and People forms accept (one pattern for all three). */
export const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
