/**
 * Small conversions shared by the repository modules: row values from either driver → domain values,
 * hashing of secrets, random tokens, calendar days, canonical JSON, and recognising constraint errors.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A value either driver returns for an instant (`Date` from pg, ISO text from SQLite) → `Date`. */
export function toDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new TypeError(`Stored instant "${value}" is not an ISO-8601 date-time.`);
  return d;
}

/** As {@link toDate}, keeping null. */
export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/** A flag from either driver (`boolean` from pg, `0`/`1` from SQLite) → `boolean`. */
export function toBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** A count or id from either driver (number, bigint or numeric text) → number. */
export function toNumber(value: number | string | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`Stored integer ${String(value)} is not a safe integer.`);
  return n;
}

/**
 * Serialize a JSON value for storage. Throws a TypeError for values JSON cannot represent
 * (undefined, functions, symbols, BigInt) — that is a programming error, not an expected failure.
 */
export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`${what} cannot be stored as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new TypeError(`${what} cannot be stored as JSON: got ${typeof value}.`);
  return text;
}

/** Parse stored JSON text. */
export function fromJsonText(text: string): unknown {
  return JSON.parse(text);
}

/** Canonical JSON (sorted keys; one owner: core/json.ts), for audit hashes and comparing stored answers. */
export { canonicalJson } from '../core/json.js';

/** SHA-256 of a UTF-8 string, lower-case hex (64 characters). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The stored form of a secret (session token, setup token, resume code): SHA-256 hex. Secrets are hashed
 * inside the store so that no caller can store one in clear by mistake.
 */
export function secretHash(secret: string): string {
  return sha256Hex(secret);
}

/** A random URL-safe token with `bytes` bytes of entropy (base64url, no padding). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ'; // no 0/O, 1/I/L, U: easy to read aloud and type on a phone

/**
 * A short random code from an unambiguous alphabet (30 symbols, ~4.9 bits each), e.g. for referral links or
 * resume codes. Uses rejection sampling so every symbol is equally likely.
 */
export function randomCode(length = 8): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 240 && out.length < length) out += CODE_ALPHABET[byte % 30];
    }
  }
  return out;
}

/**
 * The calendar day (`YYYY-MM-DD`) of an instant in a time zone (IANA name, default UTC).
 * Throws a RangeError for an unknown time zone.
 */
export function calendarDay(at: Date, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') return at.toISOString().slice(0, 10);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Trim and lower-case an e-mail address: the form stored and looked up. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A database URL with its password replaced by `***`, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
