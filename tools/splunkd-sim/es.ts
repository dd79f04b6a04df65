/**
 * Splunk Enterprise Security as it stores notables: the correlation search writes a raw event to
 * `index=notable` (no `event_id`, status, owner); the `notable` macro derives `event_id` at search
 * time and joins the incident-review collection (status, owner, urgency), adding `status_label`,
 * `status_group` and `status_end`. Raw `index=notable` therefore shows none of those.
 */
import { createHash } from 'node:crypto';
import type { Row } from './spl/values.js';

/** ES's default review statuses (reviewstatuses.conf): id → label, and whether it ends the review. */
export const REVIEW_STATUSES: Readonly<Record<string, { label: string; end: boolean }>> = {
  0: { label: 'Unassigned', end: false },
  1: { label: 'New', end: false },
  2: { label: 'In Progress', end: false },
  3: { label: 'Pending', end: false },
  4: { label: 'Resolved', end: true },
  5: { label: 'Closed', end: true },
};

/** One incident-review entry (the `incident_review` KV-store collection). */
export interface Review { status?: string; owner?: string; urgency?: string; comment?: string }

/** The review collection, keyed by event_id (event_ids embed the store's own GUID, so stores never collide). */
const REVIEWS = new Map<string, Review>();

/** The name of the internal stage the macro expands to; refused when a client writes it itself. */
export const REVIEW_STAGE = '_lineage_es_incident_review';

/** What `` `notable` `` expands to. */
export const NOTABLE_MACRO = `index=notable | ${REVIEW_STAGE}`;

/** A status given as id or label → its id; throws on an unknown one. */
export function statusId(v: string): string {
  if (REVIEW_STATUSES[v]) return v;
  const hit = Object.entries(REVIEW_STATUSES).find(([, s]) => s.label.toLowerCase() === v.toLowerCase());
  if (!hit) throw new Error(`unknown notable status '${v}' (ES statuses: ${Object.values(REVIEW_STATUSES).map((s) => s.label).join(', ')})`);
  return hit[0];
}

/** event_id as ES derives it: `<indexer GUID>@@notable@@<md5 of the event's address>`. */
export function notableEventId(row: Row): string {
  const bkt = String(row._bkt ?? '');
  const guid = bkt.slice(bkt.lastIndexOf('~') + 1);
  return `${guid}@@notable@@${createHash('md5').update(`${bkt}|${String(row._cd ?? '')}`).digest('hex')}`;
}

/** Record or update the review of a notable. */
export function setReview(eventId: string, r: Review): void {
  const cur = REVIEWS.get(eventId) ?? {};
  REVIEWS.set(eventId, { ...cur, ...r, ...(r.status !== undefined ? { status: statusId(r.status) } : {}) });
}

/** Forget the reviews of a store (its GUID), when it stops. */
export function dropReviews(storeGuid: string): void {
  for (const k of REVIEWS.keys()) if (k.startsWith(`${storeGuid}@@`)) REVIEWS.delete(k);
}

/** The macro's enrichment: event_id, then status/owner/urgency from the collection (defaults New/unassigned). */
export function enrichNotable(row: Row): Row {
  const eventId = notableEventId(row);
  const r = REVIEWS.get(eventId) ?? {};
  const status = r.status ?? '1';
  const s = REVIEW_STATUSES[status]!;
  return {
    ...row,
    event_id: eventId, rule_id: eventId,
    status, status_label: s.label, status_group: s.end ? 'Closed' : status === '1' ? 'New' : 'Open', status_end: String(s.end),
    owner: r.owner ?? 'unassigned', owner_realname: r.owner ?? 'unassigned',
    urgency: r.urgency ?? (row.urgency as string | undefined) ?? (row.severity as string | undefined) ?? 'medium',
    ...(r.comment !== undefined ? { comment: r.comment } : {}),
  };
}

/** Notable `_time` input: epoch seconds, ISO 8601, or relative to now (`-2h`, `-3d`, `-30m`). */
export function notableEpoch(t: string | undefined, nowSec: number): number {
  if (t === undefined) return nowSec;
  const rel = /^-(\d+)([smhd])$/.exec(t);
  if (rel) return nowSec - Number(rel[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  const epoch = /^\d+(\.\d+)?$/.test(t) ? Number(t) : Date.parse(t) / 1000;
  if (!Number.isFinite(epoch)) throw new Error(`notable _time '${t}' is neither epoch seconds, ISO 8601 nor relative (-2h)`);
  return epoch;
}
