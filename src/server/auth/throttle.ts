/**
 * Brute-force protection for sign-in, kept in memory per server process (see docs/deploy.md, "Sign-in
 * protection"). Three counters, each a run of failures that is forgotten an hour after the last failure or
 * lock (so locks keep doubling only while the attack goes on). A success resets only the account+address
 * pair: the address-wide counter is not reset by signing in, or an attacker with any account of their own
 * could spray passwords without limit, signing in to that account every 19 failures.
 *
 * | scope                 | locks after            | lock length                                        |
 * |-----------------------|------------------------|----------------------------------------------------|
 * | account + address     | 5 failures             | 15 min, doubling with each further lock, ≤ 24 h     |
 * | address (any account) | 20 failures            | 15 min, doubling with each further lock, ≤ 24 h     |
 * | account (any address) | 50 failures            | 15 min, never longer, and not for known addresses  |
 *
 * The account-wide lock exists against attacks spread over many addresses; it can never lock the owner out
 * for good: it always expires after 15 minutes, and it does not apply to an address from which this account
 * signed in successfully before (in the last 30 days). A lock on one address never blocks the account's owner
 * signing in from another address. While locked, the password is not even checked (no oracle), and the
 * answer does not say whether the account exists.
 */

export interface ThrottlePolicy {
  readonly pairMaxFailures: number;
  readonly addressMaxFailures: number;
  readonly accountMaxFailures: number;
  /** The first lock's length (ms); later locks of the same pair or address double it. */
  readonly lockMs: number;
  readonly maxLockMs: number;
  /** Failures older than this (ms after the latest one) are forgotten. */
  readonly forgetAfterMs: number;
  /** An address that signed in successfully stays "known" for the account this long (ms). */
  readonly knownAddressMs: number;
  /** Upper bound on remembered entries per map (oldest dropped first) so memory stays bounded under attack. */
  readonly maxEntries: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  pairMaxFailures: 5,
  addressMaxFailures: 20,
  accountMaxFailures: 50,
  lockMs: 15 * 60 * 1000,
  maxLockMs: 24 * 60 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
  knownAddressMs: 30 * 24 * 60 * 60 * 1000,
  maxEntries: 100_000,
};

interface Counter {
  failures: number;
  /** How many times this key has been locked (drives the doubling). */
  locks: number;
  lockedUntil: number;
  lastFailure: number;
}

export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly scope: 'pair' | 'address' | 'account';
      readonly retryAfterMs: number;
    };

/** The sign-in throttle. `email` should be normalized (trimmed, lower-case); `address` is the client IP. */
export class SignInThrottle {
  private readonly clock: () => number;
  private readonly policy: ThrottlePolicy;
  private readonly pairs = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();
  private readonly accounts = new Map<string, Counter>();
  /** `email \n address` → last successful sign-in. */
  private readonly known = new Map<string, number>();

  constructor(opts: { clock?: () => number; policy?: Partial<ThrottlePolicy> } = {}) {
    this.clock = opts.clock ?? Date.now;
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...opts.policy };
  }

  /** May this address try a password for this account now? */
  check(email: string, address: string): ThrottleDecision {
    const now = this.clock();
    const pair = this.live(this.pairs, `${email}\n${address}`, now);
    if (pair && pair.lockedUntil > now)
      return { allowed: false, scope: 'pair', retryAfterMs: pair.lockedUntil - now };
    const addr = this.live(this.addresses, address, now);
    if (addr && addr.lockedUntil > now)
      return { allowed: false, scope: 'address', retryAfterMs: addr.lockedUntil - now };
    const acct = this.live(this.accounts, email, now);
    if (acct && acct.lockedUntil > now && !this.isKnown(email, address, now))
      return { allowed: false, scope: 'account', retryAfterMs: acct.lockedUntil - now };
    return { allowed: true };
  }

  /** Record a failed attempt (wrong password or unknown account). */
  fail(email: string, address: string): void {
    const now = this.clock();
    const p = this.policy;
    this.bump(this.pairs, `${email}\n${address}`, now, p.pairMaxFailures, true);
    this.bump(this.addresses, address, now, p.addressMaxFailures, true);
    this.bump(this.accounts, email, now, p.accountMaxFailures, false);
  }

  /**
   * Record a successful sign-in: the pair's failures are forgotten and the address becomes known for the
   * account. The address-wide count is kept (a success on one account says nothing about the others tried).
   */
  succeed(email: string, address: string): void {
    const now = this.clock();
    this.pairs.delete(`${email}\n${address}`);
    const key = `${email}\n${address}`;
    this.known.delete(key);
    this.known.set(key, now);
    this.trim(this.known);
  }

  private isKnown(email: string, address: string, now: number): boolean {
    const at = this.known.get(`${email}\n${address}`);
    return at !== undefined && now - at < this.policy.knownAddressMs;
  }

  /** The counter for a key, dropping it when its failures are forgotten and it is not locked. */
  private live(map: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const c = map.get(key);
    if (!c) return undefined;
    if (c.lockedUntil <= now && now - Math.max(c.lastFailure, c.lockedUntil) > this.policy.forgetAfterMs) {
      map.delete(key);
      return undefined;
    }
    return c;
  }

  private bump(map: Map<string, Counter>, key: string, now: number, max: number, escalate: boolean): void {
    const p = this.policy;
    let c = this.live(map, key, now);
    if (!c) {
      c = { failures: 0, locks: 0, lockedUntil: 0, lastFailure: now };
    } else {
      map.delete(key); // re-insert below: Map order is then "least recently failed first"
    }
    c.lastFailure = now;
    if (c.lockedUntil <= now) {
      c.failures += 1;
      if (c.failures >= max) {
        const length = escalate ? Math.min(p.lockMs * 2 ** c.locks, p.maxLockMs) : p.lockMs;
        c.lockedUntil = now + length;
        c.locks += 1;
        c.failures = 0;
      }
    }
    map.set(key, c);
    this.trim(map);
  }

  private trim<V>(map: Map<string, V>): void {
    while (map.size > this.policy.maxEntries) {
      const oldest = map.keys().next();
      if (oldest.done) break;
      map.delete(oldest.value);
    }
  }
}
