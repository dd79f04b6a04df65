/**
 * POST /api/notable-update: "Add to notable" (server/src/api/notable-writeback.ts), through the app's
 * one POST helper (apiPost: JSON body, the same-origin header, errors as ApiError). Request and answer
 * are declared once, in shared/src/splunk-api.ts.
 */
import { NotableUpdateResponseSchema, type NotableUpdateAnswer, type NotableUpdateRequest } from '@lineage/shared';
import { apiPost } from '../../lib/api-client';

export type { NotableUpdateAnswer, NotableUpdateRequest };

export function postNotableUpdate(body: NotableUpdateRequest): Promise<NotableUpdateAnswer> {
  return apiPost('/api/notable-update', body, NotableUpdateResponseSchema);
}
