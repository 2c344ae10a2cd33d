/**
 * Brute-force protection for sign-in, kept in the store (`store.limits`, table `limit_state`) so every server
 * process over one database shares the counters, the locks and the owner's known addresses (issue 12,
 * finding 20; see docs/deploy.md, "Sign-in protection"). Three counters, each a run of failures that is forgotten an hour after the last failure or
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

interface ThrottlePolicy {
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
}

const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  pairMaxFailures: 5,
  addressMaxFailures: 20,
  accountMaxFailures: 50,
  lockMs: 15 * 60 * 1000,
  maxLockMs: 24 * 60 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
  knownAddressMs: 30 * 24 * 60 * 60 * 1000,
};

interface Counter {
  failures: number;
  /** How many times this key has been locked (drives the doubling). */
  locks: number;
  lockedUntil: number;
  lastFailure: number;
}

type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly scope: 'pair' | 'address' | 'account';
      readonly retryAfterMs: number;
    };

/** Where the throttle keeps its state: `store.limits` (see src/store/limits.ts). */
interface ThrottleState {
  get(key: string, now: number): Promise<string | undefined>;
  put(key: string, value: string, expiresAt: number, now: number): Promise<void>;
  delete(key: string): Promise<void>;
}

type Scope = 'pair' | 'address' | 'account';

/**
 * The sign-in throttle. `email` should be normalized (trimmed, lower-case); `address` is the client IP.
 * Each call reads and writes a few rows; two failures of the same key at the same instant on two servers may
 * count once (last write wins), which at worst delays a lock by one attempt.
 */
export class SignInThrottle {
  private readonly clock: () => number;
  private readonly policy: ThrottlePolicy;
  private readonly state: ThrottleState;

  constructor(opts: { state: ThrottleState; clock?: () => number; policy?: Partial<ThrottlePolicy> }) {
    this.state = opts.state;
    this.clock = opts.clock ?? Date.now;
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...opts.policy };
  }

  /** May this address try a password for this account now? */
  async check(email: string, address: string): Promise<ThrottleDecision> {
    const now = this.clock();
    const pair = await this.live('pair', pairKey(email, address), now);
    if (pair && pair.lockedUntil > now)
      return { allowed: false, scope: 'pair', retryAfterMs: pair.lockedUntil - now };
    const addr = await this.live('address', address, now);
    if (addr && addr.lockedUntil > now)
      return { allowed: false, scope: 'address', retryAfterMs: addr.lockedUntil - now };
    const acct = await this.live('account', email, now);
    if (acct && acct.lockedUntil > now && !(await this.isKnown(email, address, now)))
      return { allowed: false, scope: 'account', retryAfterMs: acct.lockedUntil - now };
    return { allowed: true };
  }

  /** Record a failed attempt (wrong password or unknown account). */
  async fail(email: string, address: string): Promise<void> {
    const now = this.clock();
    const p = this.policy;
    await this.bump('pair', pairKey(email, address), now, p.pairMaxFailures, true);
    await this.bump('address', address, now, p.addressMaxFailures, true);
    await this.bump('account', email, now, p.accountMaxFailures, false);
  }

  /**
   * Record a successful sign-in: the pair's failures are forgotten and the address becomes known for the
   * account. The address-wide count is kept (a success on one account says nothing about the others tried).
   */
  async succeed(email: string, address: string): Promise<void> {
    const now = this.clock();
    await this.state.delete(`signin:pair:${pairKey(email, address)}`);
    await this.state.put(
      `signin:known:${pairKey(email, address)}`,
      String(now),
      now + this.policy.knownAddressMs,
      now,
    );
  }

  private async isKnown(email: string, address: string, now: number): Promise<boolean> {
    return (await this.state.get(`signin:known:${pairKey(email, address)}`, now)) !== undefined;
  }

  /** The counter for a key, unless its failures are forgotten and it is not locked (the row then expired). */
  private async live(scope: Scope, key: string, now: number): Promise<Counter | undefined> {
    const text = await this.state.get(`signin:${scope}:${key}`, now);
    return text === undefined ? undefined : (JSON.parse(text) as Counter);
  }

  private async bump(scope: Scope, key: string, now: number, max: number, escalate: boolean): Promise<void> {
    const p = this.policy;
    const c = (await this.live(scope, key, now)) ?? {
      failures: 0,
      locks: 0,
      lockedUntil: 0,
      lastFailure: now,
    };
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
    // Forgotten an hour (forgetAfterMs) after the later of the last failure and the lock's end.
    const expiresAt = Math.max(c.lastFailure, c.lockedUntil) + p.forgetAfterMs + 1;
    await this.state.put(`signin:${scope}:${key}`, JSON.stringify(c), expiresAt, now);
  }
}

const pairKey = (email: string, address: string): string => `${email}\n${address}`;
