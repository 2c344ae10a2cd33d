/**
 * Server settings from the environment and command-line overrides.
 *
 * | setting     | flag          | environment        | default                          |
 * |-------------|---------------|--------------------|----------------------------------|
 * | port        | `--port`      | `PORT`             | 3000                             |
 * | host        | `--host`      | `HOST`             | 127.0.0.1                        |
 * | dataDir     | `--data-dir`  | `NABZ_DATA_DIR`    | ./data                           |
 * | publicUrl   | `--public-url`| `NABZ_PUBLIC_URL`  | http://localhost:PORT            |
 *
 * `secureCookies` follows publicUrl (true for https). PostgreSQL is chosen by `DATABASE_URL` (see src/store).
 */

import { resolve } from 'node:path';
import { type SmtpConfig, smtpFromEnv } from './mail.js';

/** Largest request body accepted (bytes). A 30-item response is ~2 KB; 256 KB leaves room for long free text. */
export const BODY_LIMIT = 256 * 1024;

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the data directory (SQLite file). */
  readonly dataDir: string;
  /** The address respondents and researchers use, without a trailing slash (links, QR codes). */
  readonly publicUrl: string;
  /** Set the Secure flag on cookies (true when publicUrl is https). */
  readonly secureCookies: boolean;
  /** Default k for small-cell suppression of new studies. */
  readonly minCellSizeDefault: number;
  /**
   * Trust X-Forwarded-For from a reverse proxy (`NABZ_TRUST_PROXY`, e.g. `1` hops, `127.0.0.1`, `true`).
   * Only used for rate limiting and sign-in throttling, never stored.
   */
  readonly trustProxy: boolean | number | string;
  /** Submissions per minute per client address and study link (default 2000). */
  readonly submitRateLimitPerMinute: number;
  /**
   * `NABZ_SECRET` (at least 32 characters): the key of the idempotency-key hash. Unset, a random key is made
   * once and kept in the database (shared by every instance); set it to keep the key out of the database, so
   * that a copy of the database alone cannot test guesses of a client's key.
   */
  readonly secret?: string;
  /** `NABZ_SMTP_URL` and `NABZ_SMTP_FROM`: the mail server for follow-up invitations (src/server/mail.ts). */
  readonly smtp?: SmtpConfig;
}

export interface ConfigOverrides {
  readonly port?: number | string | undefined;
  readonly host?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly publicUrl?: string | undefined;
}

/**
 * A start-up configuration problem (a bad environment variable or flag), named with its value and the fix. Not
 * an HttpError: it happens before any request, and the CLI turns it into exit code 2.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function configError(message: string): ConfigError {
  return new ConfigError(message);
}

function parsePort(text: string, from: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw configError(`${from}=${text} is not a port number: use a whole number from 1 to 65535, e.g. 3000.`);
  }
  return n;
}

function parseTrustProxy(text: string | undefined): boolean | number | string {
  const t = text?.trim();
  if (!t || t === 'false' || t === '0') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  return t;
}

/** Build the server configuration: overrides (command-line flags) win over the environment, then defaults. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  overrides: ConfigOverrides = {},
): ServerConfig {
  const port =
    overrides.port !== undefined
      ? parsePort(String(overrides.port), '--port')
      : env.PORT?.trim()
        ? parsePort(env.PORT.trim(), 'PORT')
        : 3000;
  const host = overrides.host ?? (env.HOST?.trim() || '127.0.0.1');
  const dataDir = resolve(overrides.dataDir ?? (env.NABZ_DATA_DIR?.trim() || 'data'));
  const rawPublic = overrides.publicUrl ?? (env.NABZ_PUBLIC_URL?.trim() || `http://localhost:${port}`);
  let publicUrl: string;
  try {
    const u = new URL(rawPublic);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = u.toString().replace(/\/+$/, '');
  } catch {
    throw configError(
      `The public URL ${JSON.stringify(rawPublic)} is not valid: use e.g. https://survey.example.edu (NABZ_PUBLIC_URL or --public-url).`,
    );
  }
  const limitText = env.NABZ_SUBMIT_RATE_LIMIT?.trim();
  const submitRateLimitPerMinute = limitText ? Number(limitText) : 2000;
  if (!Number.isInteger(submitRateLimitPerMinute) || submitRateLimitPerMinute < 1) {
    throw configError(
      `NABZ_SUBMIT_RATE_LIMIT=${limitText} is not valid: use a whole number of submissions per minute, e.g. 2000.`,
    );
  }
  const secret = env.NABZ_SECRET?.trim();
  if (secret !== undefined && secret !== '' && secret.length < 32) {
    throw configError(
      `NABZ_SECRET is ${secret.length} characters long: use at least 32 random characters (e.g. the output of \`openssl rand -hex 32\`), or leave it unset.`,
    );
  }
  let smtp: SmtpConfig | undefined;
  try {
    smtp = smtpFromEnv(env);
  } catch (e) {
    throw configError((e as Error).message);
  }
  return {
    port,
    host,
    dataDir,
    publicUrl,
    ...(smtp ? { smtp } : {}),
    secureCookies: publicUrl.startsWith('https:'),
    minCellSizeDefault: 5,
    trustProxy: parseTrustProxy(env.NABZ_TRUST_PROXY),
    submitRateLimitPerMinute,
    ...(secret ? { secret } : {}),
  };
}
