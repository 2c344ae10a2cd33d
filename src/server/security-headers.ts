/**
 * The security headers every response starts with (CSP, HSTS when cookies are secure, nosniff, frame and
 * referrer policies, ...), computed ONCE from helmet's options at start-up.
 *
 * Helmet's Fastify plugin builds its middleware anew for every request (parsing the CSP directives each
 * time); the headers only depend on the options, so nabz asks helmet for them once, by running its
 * middleware against a recording response, and the app's onRequest hook copies the frozen result onto each
 * reply. Routes that need other values (the respondent pages' strict CSP) set their own headers, which win.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet would set for `options`, lower-case names. Throws if helmet rejects the options. */
export function securityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return Object.freeze(headers);
}
