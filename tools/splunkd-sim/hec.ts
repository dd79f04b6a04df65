/**
 * HTTP Event Collector (Splunk docs "Format events for HTTP Event Collector", "HTTP Event Collector
 * REST API endpoints", "About HTTP Event Collector Indexer Acknowledgment", "Troubleshoot HTTP Event
 * Collector" status codes): `POST /services/collector/event` (also `/services/collector`), `POST
 * /services/collector/ack`, `GET /services/collector/health`.
 *
 * - Auth `Authorization: Splunk <token>`: none → 401 code 2, malformed → 401 code 3, unknown → 403
 *   code 4, disabled → 403 code 1.
 * - Body: one or more JSON event objects one after another (a batch), each with `event` and optional
 *   `time`, `host`, `source`, `sourcetype`, `index`, `fields`. Empty → 400 code 5; not JSON → 400 code 6
 *   with `invalid-event-number`; no `event` → code 12; blank `event` → code 13; an index the token may
 *   not write → code 7. A bad event refuses the whole request (simplification: Splunk may have indexed
 *   the events before it).
 * - Acknowledgement (per token): a channel (`X-Splunk-Request-Channel` or `?channel=`, a GUID) is
 *   required → code 10 / 11; the answer carries `ackId`; `/ack` with `{"acks":[…]}` says which are
 *   indexed. `ackAfterPolls` keeps new ids pending for that many ack queries. Without ack: code 14.
 * - `busy(n)`: the next n requests answer 503 code 9 "Server is busy" (the indexer queue is full).
 * Events land in the store, searchable like any other (e.g. by an ES correlation search).
 * Served on the splunkd port here; a real deployment serves HEC on its own port (8088).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSON_TYPE, send } from './respond.js';
import type { SplunkStore } from './store.js';
import type { Row } from './spl/values.js';

/** One HEC token as the admin configured it (inputs.conf `[http://name]`). */
export interface HecToken { name: string; index?: string; indexes?: string[]; ack?: boolean; disabled?: boolean; sourcetype?: string }

/** HEC's state: tokens, batches received, channels and the busy fault. */
export class HecState {
  readonly tokens = new Map<string, HecToken>();
  /** Events per accepted request, in order. */
  readonly batches: number[] = [];
  /** Requests answered 503 so far. */
  busyAnswers = 0;
  /** New ack ids stay pending for this many ack queries. */
  ackAfterPolls = 0;
  private busyLeft = 0;
  private readonly channels = new Map<string, { next: number; pending: Map<number, number> }>();

  /** `store`: where accepted events are indexed. */
  constructor(readonly store: SplunkStore) {}

  /** The next `n` requests answer 503. */
  busy(n = 1): void { this.busyLeft += n; }
  takeBusy(): boolean { if (this.busyLeft <= 0) return false; this.busyLeft--; this.busyAnswers++; return true; }

  newAck(channel: string): number {
    let c = this.channels.get(channel);
    if (!c) { c = { next: 0, pending: new Map() }; this.channels.set(channel, c); }
    const id = c.next++;
    c.pending.set(id, this.ackAfterPolls);
    return id;
  }

  /** Ack status for ids on a channel (an unknown id is false). */
  query(channel: string, ids: number[]): Record<string, boolean> {
    const c = this.channels.get(channel);
    const out: Record<string, boolean> = {};
    for (const id of ids) {
      const left = c?.pending.get(id);
      if (left === undefined) { out[id] = false; continue; }
      if (left > 0) { c!.pending.set(id, left - 1); out[id] = false; continue; }
      out[id] = true;
      c!.pending.delete(id); // Splunk forgets an id once it has reported it acknowledged.
    }
    return out;
  }
}

const CHANNEL_RE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const MAX_BODY = 1_000_000; // [http_input] max_content_length default

function answer(res: ServerResponse, status: number, text: string, code: number, extra: Record<string, unknown> = {}): void {
  send(res, status, JSON.stringify({ text, code, ...extra }), JSON_TYPE);
}

async function body(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Split concatenated JSON objects (`{…}{…}` or one per line). Throws with the 0-based bad event number. */
export function splitEvents(text: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] !== '{') throw Object.assign(new Error('not an object'), { eventNumber: out.length });
    let depth = 0;
    let inStr = false;
    let j = i;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (inStr) { if (ch === '\\') j++; else if (ch === '"') inStr = false; continue; }
      if (ch === '"') inStr = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) break;
    }
    try { out.push(JSON.parse(text.slice(i, j + 1))); } catch { throw Object.assign(new Error('bad JSON'), { eventNumber: out.length }); }
    i = j + 1;
  }
  return out;
}

function toRow(e: Record<string, unknown>, token: HecToken): Row {
  const t = Number(e.time ?? Date.now() / 1000);
  const index = String(e.index ?? token.index ?? 'main');
  const event = e.event;
  const row: Row = {
    _time: (Number.isFinite(t) ? t : Date.now() / 1000).toFixed(3), index,
    host: String(e.host ?? 'hec-client'), source: String(e.source ?? `http:${token.name}`),
    sourcetype: String(e.sourcetype ?? token.sourcetype ?? 'httpevent'),
    _raw: typeof event === 'string' ? event : JSON.stringify(event),
  };
  // JSON events are field-extracted (KV_MODE=json); `fields` are indexed fields.
  const extracted = { ...(typeof event === 'object' && event !== null && !Array.isArray(event) ? event as Record<string, unknown> : {}), ...(e.fields as Record<string, unknown> | undefined) };
  for (const [k, v] of Object.entries(extracted)) {
    if (k in row || v == null) continue;
    row[k] = Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return row;
}

/** Handle a request under /services/collector. */
export async function hecRequest(hec: HecState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/services/collector/health') {
    if (hec.takeBusy()) answer(res, 503, 'Server is busy', 9); else answer(res, 200, 'HEC is healthy', 17);
    return;
  }
  const auth = req.headers.authorization;
  if (!auth) { answer(res, 401, 'Token is required', 2); return; }
  const m = /^Splunk\s+(\S+)$/i.exec(auth.trim());
  if (!m) { answer(res, 401, 'Invalid authorization', 3); return; }
  const token = hec.tokens.get(m[1]!);
  if (!token) { answer(res, 403, 'Invalid token', 4); return; }
  if (token.disabled) { answer(res, 403, 'Token disabled', 1); return; }
  if (hec.takeBusy()) { answer(res, 503, 'Server is busy', 9); return; }
  const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel');
  const text = await body(req);
  if (text === null) { answer(res, 413, 'Content length too large', 27); return; }
  if (path === '/services/collector/ack') {
    if (!token.ack) { answer(res, 400, 'ACK is disabled', 14); return; }
    if (!channel) { answer(res, 400, 'Data channel is missing', 10); return; }
    let ids: unknown;
    try { ids = (JSON.parse(text) as { acks?: unknown }).acks; } catch { ids = null; }
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x))) { answer(res, 400, 'Invalid data format', 6); return; }
    send(res, 200, JSON.stringify({ acks: hec.query(channel, ids as number[]) }), JSON_TYPE);
    return;
  }
  if (path !== '/services/collector/event' && path !== '/services/collector' && path !== '/services/collector/event/1.0') {
    answer(res, 404, 'The requested URL was not found on this server.', 404);
    return;
  }
  if (token.ack) {
    if (!channel) { answer(res, 400, 'Data channel is missing', 10); return; }
    if (!CHANNEL_RE.test(channel)) { answer(res, 400, 'Invalid data channel', 11); return; }
  }
  if (text.trim() === '') { answer(res, 400, 'No data', 5); return; }
  let events: unknown[];
  try { events = splitEvents(text); } catch (e) { answer(res, 400, 'Invalid data format', 6, { 'invalid-event-number': (e as { eventNumber: number }).eventNumber }); return; }
  const rows: Row[] = [];
  for (const [n, e] of events.entries()) {
    const ev = e as Record<string, unknown>;
    if (!('event' in ev)) { answer(res, 400, 'Event field is required', 12, { 'invalid-event-number': n }); return; }
    if (ev.event === '' || ev.event === null) { answer(res, 400, 'Event field cannot be blank', 13, { 'invalid-event-number': n }); return; }
    const index = String(ev.index ?? token.index ?? 'main');
    const allowed = token.indexes ?? [token.index ?? 'main'];
    if (!allowed.includes(index)) { answer(res, 400, 'Incorrect index', 7, { 'invalid-event-number': n }); return; }
    rows.push(toRow(ev, token));
  }
  hec.store.addRows(rows);
  hec.batches.push(rows.length);
  answer(res, 200, 'Success', 0, token.ack ? { ackId: hec.newAck(channel!) } : {});
}
