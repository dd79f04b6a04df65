/**
 * POST /api/notable-update: "Add to notable" (server/src/api/notable-writeback.ts), through the app's
 * one POST helper (apiPost: JSON body, the same-origin header, errors as ApiError).
 */
import { z } from 'zod';
import { apiPost } from '../../lib/api-client';

export interface NotableUpdateRequest {
  notables: string[];
  view: string;
  summary: string;
  status?: 1 | 2 | 3 | 4 | 5;
  urgency?: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  owner?: string;
}

const Answer = z.object({ notables: z.array(z.string()), url: z.string(), message: z.string(), user: z.string() });
export type NotableUpdateAnswer = z.infer<typeof Answer>;

export function postNotableUpdate(body: NotableUpdateRequest): Promise<NotableUpdateAnswer> {
  return apiPost('/api/notable-update', body, Answer);
}
