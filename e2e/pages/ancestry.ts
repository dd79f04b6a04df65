/**
 * The logged ancestry of a process, walked one parent at a time through `GET /api/processes/:guid` — a
 * walk of the test's own, independent of the graph route's walk above the window that it checks.
 */
import type { APIRequestContext } from '@playwright/test';

export interface Ancestor { guid: string; image: string }

/** The process and its logged ancestors, root first (stops at a parent that was never logged). */
export async function pathFromRoot(request: APIRequestContext, guid: string, host: string): Promise<Ancestor[]> {
  const path: Ancestor[] = [];
  for (let g: string | null = guid; g && path.length < 64;) {
    const res = await request.get(`/api/processes/${encodeURIComponent(g)}?host=${encodeURIComponent(host)}`);
    if (!res.ok()) break;
    const p = (await res.json()) as { guid: string; name: string; parentGuid: string | null; placeholder?: boolean; placeholderReason?: string | null };
    if (p.placeholderReason) break;
    path.unshift({ guid: p.guid, image: p.name });
    g = p.parentGuid;
  }
  return path;
}
