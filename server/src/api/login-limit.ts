/**
 * Login rate limiting (Splunk mode). Splunk locks an account after `lockoutAttempts` (default 5) wrong
 * passwords within `lockoutThresholdMins` (default 5). We forward at most `perUser` (3) wrong attempts
 * per user name per `windowMs` (10 min, longer than Splunk's window), so a burst — an attacker's or a
 * script's — is answered 429 here and never reaches Splunk: the analyst's real account is not locked.
 * A per-client-address budget (`perClient` attempts per window, wrong or not) slows guessing across names.
 */

export interface LoginLimitOptions { perUser?: number; perClient?: number; windowMs?: number; now?: () => number }

/** Why an attempt is refused, and for how long. */
export interface LoginRefusal { retryAfterSec: number; reason: string }

/** Bounded memory: the oldest keys go first beyond this many. */
const MAX_KEYS = 10_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly attempts = new Map<string, number[]>();
  private readonly perUser: number;
  private readonly perClient: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(o: LoginLimitOptions = {}) {
    this.perUser = o.perUser ?? 3;
    this.perClient = o.perClient ?? 20;
    this.windowMs = o.windowMs ?? 10 * 60_000;
    this.now = o.now ?? Date.now;
  }

  private recent(map: Map<string, number[]>, key: string): number[] {
    const cut = this.now() - this.windowMs;
    const list = (map.get(key) ?? []).filter((t) => t > cut);
    if (list.length) map.set(key, list); else map.delete(key);
    return list;
  }

  private push(map: Map<string, number[]>, key: string): void {
    const list = this.recent(map, key);
    list.push(this.now());
    map.delete(key);
    map.set(key, list);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
  }

  private wait(list: number[]): number {
    return Math.max(1, Math.ceil(((list[0] ?? this.now()) + this.windowMs - this.now()) / 1000));
  }

  /** Null when the attempt may go to Splunk (and counts it for the client); otherwise why not. */
  check(user: string | null, client: string): LoginRefusal | null {
    const fails = user === null ? [] : this.recent(this.failures, user.toLowerCase());
    if (fails.length >= this.perUser) {
      return { retryAfterSec: this.wait(fails), reason: `too many wrong passwords for this user; try again in ${this.wait(fails)} s (this protects the Splunk account from lockout)` };
    }
    const tries = this.recent(this.attempts, client);
    if (tries.length >= this.perClient) {
      return { retryAfterSec: this.wait(tries), reason: `too many login attempts from this address; try again in ${this.wait(tries)} s` };
    }
    this.push(this.attempts, client);
    return null;
  }

  /** A wrong password (Splunk said 401) for `user`. */
  failed(user: string | null): void {
    if (user !== null) this.push(this.failures, user.toLowerCase());
  }

  /** A successful login clears that user's failures. */
  succeeded(user: string | null): void {
    if (user !== null) this.failures.delete(user.toLowerCase());
  }
}
