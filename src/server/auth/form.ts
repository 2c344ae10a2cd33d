/** Reading `application/x-www-form-urlencoded` bodies (parsed by @fastify/formbody) safely. */

/** A parsed form: each field a string, or an array when repeated. */
export type FormBody = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The body as a form, or an empty one when it is not an object (e.g. no body, JSON array). */
export function asForm(body: unknown): FormBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return body as FormBody;
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

/** A local path to return to after signing in; anything else (other sites, `//host`, `/\host`) becomes `/`. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!/^\/(?![/\\])[^\s\\]*$/.test(next)) return '/';
  if (next.startsWith('/signin') || next.startsWith('/signout') || next.startsWith('/setup')) return '/';
  return next;
}
