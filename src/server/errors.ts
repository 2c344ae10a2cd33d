/**
 * The one error type of the HTTP layer. Handlers throw `HttpError` for expected refusals (not signed in, no role,
 * unknown study, bad input); the single error handler in app.ts renders it as JSON for `/api/*` and as a small
 * HTML page otherwise. Anything that is not an HttpError is a bug: 500, logged, no stack sent to the client.
 */

/** One problem with a request body, e.g. `{ path: 'answers.phq9_3', message: '7 is not one of 0, 1, 2, 3.' }`. */
export interface HttpIssue {
  readonly path: string;
  /** The Issue code (core/issue.ts convention) where the issue came from a validator; the JSON API's body checks give none yet. */
  readonly code?: string;
  readonly message: string;
}

/**
 * Every machine-readable code an HttpError carries, in one place (the JSON API documents them in
 * src/server/api/routes.ts; HTML pages show the message). A new kind of refusal adds its code here.
 */
type HttpErrorCode =
  // 400
  | 'validation'
  | 'malformed'
  | 'bad_request'
  | 'bad_definition'
  | 'invalid_study'
  | 'too_few'
  // 401, 403
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'blind'
  | 'invitation_required'
  | 'wave_link_required'
  // 404
  | 'not_found'
  // 409
  | 'conflict'
  | 'closed'
  | 'email_taken'
  | 'invitation_invalid'
  | 'wave_link_invalid'
  | 'wave_answered'
  // 404 and 409 refusals passed on from the store as they are (studio and qualitative pages)
  | 'exists'
  | 'code_taken'
  | 'last_owner'
  | 'unknown_study'
  | 'unknown_parent'
  | 'unknown_user'
  | 'unknown_invitation'
  // 413, 415, 422, 429
  | 'too_large'
  | 'unsupported_media_type'
  | 'ineligible'
  | 'rate_limited'
  // 5xx
  | 'unavailable'
  | 'server'
  | 'error';

export class HttpError extends Error {
  /**
   * @param status HTTP status (4xx for the client's mistakes, 503 for a database that is down).
   * @param message Plain English, naming the thing, the bad value and the fix.
   * @param code A short machine-readable code, e.g. `not_found`, `validation`, `closed`.
   * @param issues Per-field problems (validation failures).
   * @param headers Extra response headers (e.g. `Retry-After`).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly code: HttpErrorCode = 'error',
    readonly issues: readonly HttpIssue[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A size in words: "256 KB", "16 MB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** 413 naming the limit that applied and what to do. */
export function tooLarge(what: string, limitBytes: number, fix: string): HttpError {
  return new HttpError(
    413,
    `${what} is larger than ${sizeText(limitBytes)}; nothing was saved. ${fix}`,
    'too_large',
  );
}
