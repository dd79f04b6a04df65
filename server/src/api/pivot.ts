/**
 * `GET /pivot?guid=…&host=…&time=…&notable=…` — the target of the Splunk workflow action
 * (splunk-app/lineage/default/workflow_actions.conf). Its parameters come from Splunk field values and are untrusted:
 * each is validated (canonical GUID, host name, epoch/ISO time, notable id) and only then turned
 * into the client's own investigation URL (302). Anything invalid is a plain 400 page, never echoed
 * back unescaped and never passed on.
 */
import { DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS, canonicalGuid, investigationUrl, parseEpochOrTime } from '@lineage/shared';
import type { Request, Response } from 'express';

const HOST_RE = /^[A-Za-z0-9._-]{1,255}$/;
const NOTABLE_RE = /^[A-Za-z0-9@._:-]{1,200}$/;

function one(v: unknown): string | null {
  if (typeof v === 'string') return v;
  return null;
}

/** Where a pivot leads, or why it cannot. */
export function pivotTarget(q: Record<string, unknown>): { url: string } | { error: string } {
  const rawGuid = one(q.guid);
  const guid = rawGuid ? canonicalGuid(rawGuid) : null;
  if (!guid) return { error: 'guid: expected a ProcessGuid such as {5770385f-c22a-43e0-bf4c-06f5698ffbd9}' };
  const host = one(q.host);
  if (host !== null && host !== '' && !HOST_RE.test(host)) return { error: 'host: expected a host name (letters, digits, ".", "-", "_")' };
  const time = one(q.time) ?? one(q.t);
  // The window opened around the pivot time is the graph's default one (shared/src/time.ts).
  let window: { from: string; to: string } | null = null;
  if (time !== null && time !== '') {
    const t = parseEpochOrTime(time);
    if (t === null) return { error: 'time: expected epoch seconds or an ISO 8601 time' };
    window = { from: new Date(t - DEFAULT_BEFORE_MS).toISOString(), to: new Date(t + DEFAULT_AFTER_MS).toISOString() };
  }
  const notable = one(q.notable);
  if (notable !== null && notable !== '' && !NOTABLE_RE.test(notable)) return { error: 'notable: unexpected characters in the notable id' };
  return { url: investigationUrl({ src: 'splunk', guid, host: host ? host.toLowerCase() : null, from: window?.from, to: window?.to }) };
}

/** Express handler for GET /pivot. */
export function pivotHandler(req: Request, res: Response): void {
  const t = pivotTarget(req.query as Record<string, unknown>);
  if ('error' in t) {
    res.status(400).type('text/plain').send(`Lineage cannot open this link: ${t.error}\n`);
    return;
  }
  res.redirect(302, t.url);
}
