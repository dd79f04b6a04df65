/**
 * Sends events to Splunk's HTTP Event Collector (`POST /services/collector/event`, `Authorization: Splunk
 * <token>`), in batches of concatenated JSON events; with indexer acknowledgement (`ack`), on one random
 * channel, polling `/services/collector/ack` until every batch is indexed. Retries what HEC did not take
 * (503 "Server is busy", code 9; refused connections) with exponential backoff; anything else is a
 * HecError with HEC's own text and code. The token comes from the admin (LINEAGE_HEC_TOKEN) and never
 * appears in a message. docs/splunk-app.md.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface HecConfig {
  /** HEC base, e.g. https://splunk.corp:8088 */
  url: URL;
  token: string;
  /** Target index (null: the token's default index). */
  index: string | null;
  sourcetype: string;
  source: string;
  /** The token has indexer acknowledgement enabled. */
  ack: boolean;
  batchEvents: number;
  batchBytes: number;
  retries: number;
  retryBaseMs: number;
  requestTimeoutMs: number;
  /** How long to wait for acknowledgements, polling every `ackPollMs`. */
  ackTimeoutMs: number;
  ackPollMs: number;
  ca?: string;
  insecure: boolean;
}

/** One HEC event (docs "Format events for HTTP Event Collector"). */
export interface HecEvent { time?: number; host?: string; source?: string; sourcetype?: string; index?: string; event: unknown; fields?: Record<string, string> }

/** Environment variables of the HEC settings (docs/splunk.md). */
export const HEC_ENV = {
  url: 'LINEAGE_HEC_URL', token: 'LINEAGE_HEC_TOKEN', index: 'LINEAGE_HEC_INDEX', ack: 'LINEAGE_HEC_ACK',
  ca: 'LINEAGE_HEC_CA', insecure: 'LINEAGE_HEC_INSECURE', sourcetype: 'LINEAGE_HEC_SOURCETYPE',
} as const;

export class HecError extends Error {
  override readonly name = 'HecError';
  constructor(message: string, readonly status: number | null = null, readonly code: number | null = null) { super(message); }
}

/** HEC settings as the admin gives them (read by server/src/app/config.ts; this module reads no environment). */
export interface HecSettings { url?: string; token?: string; index?: string; ack?: boolean; ca?: string; insecure?: boolean; sourcetype?: string }

/** Checked HEC config from the settings; null when no URL is set. Throws a HecError naming the bad setting. */
export function hecConfig(s: HecSettings, over: Partial<HecConfig> = {}): HecConfig | null {
  const raw = s.url;
  if (!raw) return null;
  let url: URL;
  try { url = new URL(raw); } catch { throw new HecError(`${HEC_ENV.url}: "${raw}" is not a URL`); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HecError(`${HEC_ENV.url}: must be http(s)`);
  const token = s.token;
  if (!token) throw new HecError(`${HEC_ENV.token} is required with ${HEC_ENV.url} (the HEC token the Splunk admin created)`);
  const index = s.index || null;
  if (index !== null && !/^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/.test(index)) throw new HecError(`${HEC_ENV.index}: "${index}" is not an index name`);
  let ca: string | undefined;
  if (s.ca) {
    try { ca = readFileSync(s.ca, 'utf8'); } catch (e) { throw new HecError(`${HEC_ENV.ca}: cannot read ${s.ca}: ${(e as Error).message}`); }
  }
  return {
    url, token, index, sourcetype: s.sourcetype || 'lineage:rule_hit', source: 'lineage', ack: s.ack ?? false,
    batchEvents: 500, batchBytes: 512 * 1024, retries: 4, retryBaseMs: 250, requestTimeoutMs: 30_000, ackTimeoutMs: 60_000, ackPollMs: 250,
    ca, insecure: s.insecure ?? false, ...over,
  };
}

/** Splits events into batches of at most `maxEvents` events and `maxBytes` bytes (a lone oversized event is its own batch). */
export function batchEvents(lines: string[], maxEvents: number, maxBytes: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const l of lines) {
    const n = Buffer.byteLength(l) + 1;
    if (cur.length > 0 && (cur.length >= maxEvents || size + n > maxBytes)) { out.push(cur); cur = []; size = 0; }
    cur.push(l);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

interface Answer { status: number; body: { text?: string; code?: number; ackId?: number; acks?: Record<string, boolean> } | null }

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

function request(cfg: HecConfig, path: string, body: string, channel: string | null): Promise<Answer> {
  const u = new URL(path, cfg.url);
  const isHttps = u.protocol === 'https:';
  const headers: Record<string, string | number> = { Authorization: `Splunk ${cfg.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (channel) headers['X-Splunk-Request-Channel'] = channel;
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(u, {
      method: 'POST', headers, timeout: cfg.requestTimeoutMs,
      ...(isHttps ? { ca: cfg.ca, rejectUnauthorized: !cfg.insecure } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let parsed: Answer['body'] = null;
        try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body']; } catch { /* not JSON: reported by status */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${cfg.requestTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** What a send did. */
export interface HecReport { events: number; batches: number; retries: number; acknowledged: boolean }

function describe(a: Answer): string {
  const text = a.body?.text ?? `HTTP ${a.status}`;
  return a.body?.code !== undefined ? `${text} (HEC code ${a.body.code})` : text;
}

async function post(cfg: HecConfig, path: string, body: string, channel: string | null, report: HecReport, what: string): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    let a: Answer | null = null;
    let netErr: NodeJS.ErrnoException | null = null;
    try { a = await request(cfg, path, body, channel); } catch (e) { netErr = e as NodeJS.ErrnoException; }
    // Busy (503) and a refused connection mean HEC took nothing: repeating cannot duplicate events.
    const retry = (a !== null && a.status === 503) || netErr?.code === 'ECONNREFUSED';
    if (retry && attempt < cfg.retries) { report.retries++; await sleep(cfg.retryBaseMs * 2 ** attempt); continue; }
    if (netErr) throw new HecError(`${what}: cannot reach HEC at ${cfg.url.origin} (${netErr.code ?? netErr.message})`);
    if (a!.status === 401 || a!.status === 403) throw new HecError(`${what}: HEC refused the token: ${describe(a!)} — check ${HEC_ENV.token}`, a!.status, a!.body?.code ?? null);
    if (a!.status === 503) throw new HecError(`${what}: HEC stayed busy after ${cfg.retries} retries: ${describe(a!)}`, 503, a!.body?.code ?? null);
    if (a!.status !== 200) throw new HecError(`${what}: HEC refused it: ${describe(a!)}`, a!.status, a!.body?.code ?? null);
    return a!;
  }
}

/** Send events; resolves once HEC took every batch (and, with ack, indexed it). */
export async function sendToHec(cfg: HecConfig, events: HecEvent[]): Promise<HecReport> {
  const lines = events.map((e) => JSON.stringify({
    source: cfg.source, sourcetype: cfg.sourcetype, ...(cfg.index ? { index: cfg.index } : {}), ...e,
  }));
  const batches = batchEvents(lines, cfg.batchEvents, cfg.batchBytes);
  const report: HecReport = { events: events.length, batches: batches.length, retries: 0, acknowledged: false };
  const channel = cfg.ack ? randomUUID() : null;
  const pending = new Set<number>();
  for (const [i, b] of batches.entries()) {
    const a = await post(cfg, '/services/collector/event', `${b.join('\n')}\n`, channel, report, `batch ${i + 1}/${batches.length}`);
    if (cfg.ack) {
      if (typeof a.body?.ackId !== 'number') throw new HecError(`batch ${i + 1}: HEC answered without an ackId — is acknowledgement enabled on this token? (unset ${HEC_ENV.ack} if not)`);
      pending.add(a.body.ackId);
    }
  }
  if (!cfg.ack) return report;
  const deadline = Date.now() + cfg.ackTimeoutMs;
  while (pending.size > 0) {
    const a = await post(cfg, '/services/collector/ack', JSON.stringify({ acks: [...pending] }), channel, report, 'acknowledgement');
    for (const [id, done] of Object.entries(a.body?.acks ?? {})) if (done) pending.delete(Number(id));
    if (pending.size === 0) break;
    if (Date.now() > deadline) throw new HecError(`${pending.size} of ${batches.length} batches not acknowledged within ${Math.round(cfg.ackTimeoutMs / 1000)} s (sent, but not confirmed indexed)`);
    await sleep(cfg.ackPollMs);
  }
  report.acknowledged = true;
  return report;
}
