/**
 * Analyst sessions in Splunk mode: our random session id (the only thing the browser holds, in an
 * httpOnly cookie) → that analyst's SplunkClient and SplunkSource. Splunk passwords are used once at
 * login and never stored; session keys and tokens stay in this process's memory.
 */
import { randomBytes } from 'node:crypto';
import { SplunkClient, type Credentials } from '../sources/splunk/client.js';
import type { SplunkConfig } from '../sources/splunk/config.js';
import { SplunkSource } from '../sources/splunk/source.js';

/** One logged-in analyst. */
export interface AnalystSession {
  readonly id: string;
  readonly user: string;
  readonly source: SplunkSource;
  lastUsed: number;
}

export interface SessionStoreOptions {
  /** Forget a session idle this long (Splunk's own default sessionTimeout is 1 h). */
  idleMs?: number;
  /** Most concurrent sessions; the least recently used is logged out beyond it. */
  max?: number;
}

/** Session ids: 256 random bits, base64url. */
const ID_RE = /^[A-Za-z0-9_-]{43}$/;

/** In-memory session store for one server process. */
export class SessionStore {
  private readonly sessions = new Map<string, AnalystSession>();
  private readonly idleMs: number;
  private readonly max: number;

  constructor(readonly config: SplunkConfig, o: SessionStoreOptions = {}) {
    this.idleMs = o.idleMs ?? 3_600_000;
    this.max = o.max ?? 1_000;
  }

  /** Log in to Splunk as the analyst; throws SplunkError (401 for bad credentials). */
  async login(creds: Credentials): Promise<AnalystSession> {
    const client = await SplunkClient.login(this.config, creds);
    const s: AnalystSession = { id: randomBytes(32).toString('base64url'), user: client.user, source: new SplunkSource(client, this.config), lastUsed: Date.now() };
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.max) {
      const oldest = [...this.sessions.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0]!;
      await this.logout(oldest.id);
    }
    return s;
  }

  /** The live session for an id (touching it), or null: unknown, idle too long, or Splunk said 401. */
  get(id: string | undefined | null): AnalystSession | null {
    if (!id || !ID_RE.test(id)) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.source.client.expired || Date.now() - s.lastUsed > this.idleMs) {
      this.sessions.delete(id);
      void s.source.close().catch(() => undefined);
      return null;
    }
    s.lastUsed = Date.now();
    return s;
  }

  /** End the Splunk session and forget ours. Unknown ids are a no-op. */
  async logout(id: string | undefined | null): Promise<void> {
    if (!id) return;
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.source.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.logout(id)));
  }

  get size(): number { return this.sessions.size; }
}
