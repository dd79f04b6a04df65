/**
 * Enterprise Security's notable update endpoint, `POST /services/notable_update` (ES REST API reference:
 * `ruleUIDs` (repeatable) or `searchID`, `comment`, `status`, `urgency`, `newOwner`), and the
 * `incident_review` KV store collection it writes to, readable at
 * `GET …/storage/collections/data/incident_review` (as in SA-ThreatIntelligence).
 *
 * Capability: the caller's roles must grant `edit_notable_events` (ES gives it to `ess_analyst`,
 * `ess_admin` and `admin`); otherwise splunkd's standard 403 capability message. Answers are ES's JSON:
 * `{"success":true,"message":"1 event updated successfully","details":{},"failure_count":0}`.
 */
import type { ServerResponse } from 'node:http';
import type { Principal } from './auth.js';
import { JSON_TYPE, send, sendMessages } from './respond.js';

/** What the ES endpoints need of the server: its users (roles) and the incident-review collection. */
interface ReviewContext {
  auth: { users: ReadonlyMap<string, { roles?: readonly string[] }> };
  review: IncidentReview;
}
import type { Params } from './params.js';

/** The capability ES checks before updating notables. */
export const EDIT_NOTABLE_CAPABILITY = 'edit_notable_events';
/** Roles that carry it (ES defaults). */
const ROLES_WITH_CAPABILITY = new Set(['admin', 'sc_admin', 'ess_admin', 'ess_analyst']);
/** ES's default review statuses (reviewstatuses.conf). */
export const STATUS_LABELS: Record<string, string> = { 0: 'Unassigned', 1: 'New', 2: 'In Progress', 3: 'Pending', 4: 'Resolved', 5: 'Closed' };
const URGENCIES = new Set(['informational', 'low', 'medium', 'high', 'critical']);

/** One record of the incident_review collection. */
export interface ReviewRecord {
  rule_id: string;
  comment: string | null;
  status: string | null;
  urgency: string | null;
  owner: string | null;
  /** Who made the change (the authenticated user, never a parameter). */
  user: string;
  time: number;
}

/** The incident_review collection. */
export class IncidentReview {
  readonly records: ReviewRecord[] = [];
  /** Every record for one notable (`event_id`), oldest first. */
  forNotable(ruleId: string): ReviewRecord[] { return this.records.filter((r) => r.rule_id === ruleId); }
}

function esAnswer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  send(res, status, JSON.stringify(body), JSON_TYPE);
}

/** `POST /services/notable_update`. */
export function notableUpdate(ctx: ReviewContext, method: string, principal: Principal, params: Params, res: ServerResponse, json: boolean): void {
  if (method !== 'POST') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
  const roles = ctx.auth.users.get(principal.user)?.roles ?? [];
  if (!roles.some((r) => ROLES_WITH_CAPABILITY.has(r))) {
    sendMessages(res, 403, [{ type: 'ERROR', text: `You (user=${principal.user}) do not have permission to perform this operation (requires capability: ${EDIT_NOTABLE_CAPABILITY}).` }], json);
    return;
  }
  const ids = params.all('ruleUIDs').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (ids.length === 0) { esAnswer(res, 400, { success: false, message: 'ruleUIDs or searchID must be specified' }); return; }
  const status = params.get('status') ?? null;
  if (status !== null && !(status in STATUS_LABELS)) { esAnswer(res, 400, { success: false, message: `Invalid status: ${status}` }); return; }
  const urgency = params.get('urgency') ?? null;
  if (urgency !== null && !URGENCIES.has(urgency)) { esAnswer(res, 400, { success: false, message: `Invalid urgency: ${urgency}` }); return; }
  const owner = params.get('newOwner') ?? null;
  if (owner !== null && owner !== 'unassigned' && !ctx.auth.users.has(owner)) { esAnswer(res, 400, { success: false, message: `Invalid owner: ${owner}` }); return; }
  const comment = params.get('comment') ?? null;
  if (comment === null && status === null && urgency === null && owner === null) {
    esAnswer(res, 400, { success: false, message: 'No changes specified (comment, status, urgency or newOwner)' });
    return;
  }
  const time = Date.now() / 1000;
  for (const id of ids) ctx.review.records.push({ rule_id: id, comment, status, urgency, owner, user: principal.user, time });
  esAnswer(res, 200, { success: true, message: `${ids.length} event${ids.length === 1 ? '' : 's'} updated successfully`, details: {}, failure_count: 0 });
}

/** `GET …/storage/collections/data/incident_review`: the collection as KV store JSON. */
export function incidentReviewData(ctx: ReviewContext, method: string, res: ServerResponse, json: boolean): void {
  if (method !== 'GET') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
  send(res, 200, JSON.stringify(ctx.review.records.map((r, i) => ({ ...r, _key: String(i + 1), _user: 'nobody' }))), JSON_TYPE);
}
