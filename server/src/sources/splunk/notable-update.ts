/**
 * Write-back to Enterprise Security: a comment (and optionally status / urgency / owner) on notables
 * through ES's documented `POST /services/notable_update` (`ruleUIDs`, `comment`, `status`, `urgency`,
 * `newOwner`), sent with the analyst's own Splunk session, so ES records the analyst as the author and
 * applies the analyst's capabilities (`edit_notable_events`). docs/splunk-app.md.
 */
import { NOTABLE_URGENCIES } from '@lineage/shared';
import type { SplunkClient } from './client.js';
import { SplunkError } from './errors.js';

/** ES review statuses (reviewstatuses.conf defaults). */
export const NOTABLE_STATUSES = { 1: 'New', 2: 'In Progress', 3: 'Pending', 4: 'Resolved', 5: 'Closed' } as const;
/** ES urgencies: declared with the wire contract (shared/src/splunk-api.ts). */
export { NOTABLE_URGENCIES };

export interface NotableUpdate {
  /** Notable `event_id`s (ES "rule UIDs"). */
  ruleUIDs: string[];
  comment: string;
  status?: keyof typeof NOTABLE_STATUSES;
  urgency?: (typeof NOTABLE_URGENCIES)[number];
  newOwner?: string;
}

/** ES's answer body: `{success, message, failure_count}`. */
interface EsAnswer { success?: unknown; message?: unknown; failure_count?: unknown }

function esMessage(data: unknown): string {
  let d = data;
  if (typeof d === 'string') { try { d = JSON.parse(d); } catch { return (data as string).slice(0, 300); } }
  const a = d as EsAnswer | null;
  if (a && typeof a.message === 'string') return a.message;
  const msgs = (d as { messages?: Array<{ text?: unknown }> } | null)?.messages;
  return Array.isArray(msgs) ? msgs.map((m) => String(m.text ?? '')).join('; ') : '';
}

/** Update notables as the client's analyst; returns ES's message. Throws SplunkError with ES's reason. */
export async function updateNotables(client: SplunkClient, u: NotableUpdate): Promise<string> {
  const params: Record<string, string | string[]> = { ruleUIDs: u.ruleUIDs, comment: u.comment, output_mode: 'json' };
  if (u.status !== undefined) params.status = String(u.status);
  if (u.urgency !== undefined) params.urgency = u.urgency;
  if (u.newOwner !== undefined) params.newOwner = u.newOwner;
  const { status, data } = await client.post('/services/notable_update', params, 'update notable');
  const reason = esMessage(data);
  if (status === 403) throw new SplunkError('forbidden', `Splunk refused to update the notable as ${client.user}${reason ? `: ${reason}` : ''}`);
  if (status === 404) throw new SplunkError('unavailable', 'update notable: this Splunk has no /services/notable_update (is Enterprise Security installed?)');
  if (status >= 400) throw new SplunkError('invalid_request', `Enterprise Security refused the update: ${reason || `HTTP ${status}`}`);
  let answer = data as EsAnswer | null;
  if (typeof data === 'string') { try { answer = JSON.parse(data) as EsAnswer; } catch { answer = null; } }
  if (!answer || answer.success !== true) {
    throw new SplunkError('protocol', `update notable: Enterprise Security did not confirm the update${reason ? `: ${reason}` : ''}`);
  }
  return typeof answer.message === 'string' ? answer.message : 'updated';
}
