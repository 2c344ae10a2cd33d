/**
 * Password hashing: argon2id with the OWASP-recommended minimum (19 MiB memory, 2 passes, 1 lane), stored as
 * a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that records its own parameters, so they can be
 * raised later without breaking existing accounts.
 */
import { hash, verify } from '@node-rs/argon2';

/** argon2id (Algorithm.Argon2id is a const enum, which isolated modules cannot inline). */
const ARGON2ID = 2;

const OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** Shortest password accepted for a researcher account. */
const MIN_PASSWORD_LENGTH = 10;
/** Longest password accepted (argon2 takes any length; this bounds the work an attacker can ask for). */
const MAX_PASSWORD_LENGTH = 1024;

/** Hash a password with argon2id. */
export async function hashPassword(password: string): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: const enum value passed as its number
  return hash(password, OPTIONS as any);
}

/** Check a password against a stored PHC string; false for a wrong password or a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the same time as a real check when the account does not exist, so response times do not reveal which
 * e-mail addresses have accounts.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('nabz-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * Why a new password is not acceptable, or undefined when it is. Length is what matters (NIST SP 800-63B);
 * no composition rules.
 */
export function passwordProblem(password: string): string | undefined {
  const n = [...password].length;
  if (n < MIN_PASSWORD_LENGTH)
    return `The password has ${n} characters; use at least ${MIN_PASSWORD_LENGTH} (a few unrelated words work well).`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `The password is longer than ${MAX_PASSWORD_LENGTH} characters; use a shorter one.`;
  return undefined;
}
