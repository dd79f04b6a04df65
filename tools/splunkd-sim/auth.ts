/**
 * splunkd authentication (splunk-protocol.md §1.1, §8.1–4): session keys from /auth/login sent as
 * `Authorization: Splunk <key>`, JWT-style tokens as `Bearer <token>`, HTTP Basic, and the
 * `splunkd_<port>` cookie. Sessions expire after `sessionTimeoutMs` of inactivity.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A splunkd user. `admin` role sees every user's jobs. */
export interface User { password: string; roles?: string[] }

/** Who a request runs as, and how it proved it. */
export interface Principal { user: string; isAdmin: boolean; scheme: 'Splunk' | 'Bearer' | 'Basic' | 'cookie' }

interface Session { user: string; lastUsed: number }

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Users, sessions and tokens. */
export class Auth {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly users: Map<string, User>,
    /** token → user name */
    readonly tokens: Map<string, string>,
    public sessionTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Check a password; returns the user name or null. */
  checkPassword(user: string, password: string): string | null {
    const u = this.users.get(user);
    return u && safeEqual(u.password, password) ? user : null;
  }

  /** A new session key for a user (the shape Splunk uses: opaque, long, URL-safe). */
  createSession(user: string): string {
    const key = randomBytes(36).toString('base64url');
    this.sessions.set(key, { user, lastUsed: this.now() });
    return key;
  }

  /** Issue an authentication token (what Settings → Tokens does on a real instance). */
  createToken(user: string): string {
    if (!this.users.has(user)) throw new Error(`no such user: ${user}`);
    const token = `eyJraWQiOiJzcGx1bmsuc2VjcmV0IiwiYWxnIjoiSFM1MTIifQ.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, user);
    return token;
  }

  /** Fault hook: every existing session key stops working (next call 401s). */
  expireSessions(): void { this.sessions.clear(); }

  /** End one session (logout). */
  endSession(key: string): boolean { return this.sessions.delete(key); }

  /** The user a live session key belongs to, or null. */
  sessionOwner(key: string): string | null { return this.sessions.get(key)?.user ?? null; }

  /** Number of live sessions. */
  get sessionCount(): number { return this.sessions.size; }

  private session(key: string): string | null {
    const s = this.sessions.get(key);
    if (!s) return null;
    const t = this.now();
    if (t - s.lastUsed > this.sessionTimeoutMs) { this.sessions.delete(key); return null; }
    s.lastUsed = t;
    return s.user;
  }

  private principal(user: string, scheme: Principal['scheme']): Principal {
    const roles = this.users.get(user)?.roles ?? [];
    return { user, isAdmin: roles.includes('admin'), scheme };
  }

  /** Authenticate a request from its Authorization and Cookie headers; null → 401. */
  authenticate(authorization: string | undefined, cookie: string | undefined, port: number): Principal | null {
    if (authorization) {
      const m = /^(\S+)\s+(.+)$/.exec(authorization.trim());
      if (!m) return null;
      const scheme = m[1]!.toLowerCase();
      const cred = m[2]!.trim();
      if (scheme === 'splunk') {
        const user = this.session(cred);
        if (user) return this.principal(user, 'Splunk');
        // The SDK README passes tokens as sessionKey without authorization:"Bearer" (§1.2);
        // splunkd accepts a token under the Splunk scheme too, so mirror that.
        const tokenUser = this.tokens.get(cred);
        return tokenUser ? this.principal(tokenUser, 'Splunk') : null;
      }
      if (scheme === 'bearer') {
        const tokenUser = this.tokens.get(cred);
        return tokenUser ? this.principal(tokenUser, 'Bearer') : null;
      }
      if (scheme === 'basic') {
        const decoded = Buffer.from(cred, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i < 0) return null;
        const user = this.checkPassword(decoded.slice(0, i), decoded.slice(i + 1));
        return user ? this.principal(user, 'Basic') : null;
      }
      return null;
    }
    if (cookie) {
      const name = `splunkd_${port}`;
      for (const part of cookie.split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === name) {
          const user = this.session(decodeURIComponent(v.join('=')));
          if (user) return this.principal(user, 'cookie');
        }
      }
    }
    return null;
  }
}
