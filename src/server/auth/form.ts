/** A local path to return to after signing in; anything else (other sites, `//host`, `/\host`) becomes `/`. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!/^\/(?![/\\])[^\s\\]*$/.test(next)) return '/';
  if (next.startsWith('/signin') || next.startsWith('/signout') || next.startsWith('/setup')) return '/';
  return next;
}
