/**
 * The logged ancestry of a process, walked one parent at a time through `GET /api/processes/:guid` — a
 * walk of the test's own, independent of the graph route's walk above the window that it checks.
 */
import type { APIRequestContext, APIResponse } from '@playwright/test';

interface ProcessAnswer { guid: string; name: string; parentGuid: string | null; placeholderReason?: string | null }

/** `logged: false`: a parent named by its child's create that has no create of its own (never logged). */
export interface Ancestor { guid: string; image: string; logged: boolean }

/** The process and its ancestors, root first; a parent that was never logged ends the walk (`logged: false`). */
export async function pathFromRoot(request: APIRequestContext, guid: string, host: string): Promise<Ancestor[]> {
  const path: Ancestor[] = [];
  for (let g: string | null = guid; g && path.length < 64;) {
    const res: APIResponse = await request.get(`/api/processes/${encodeURIComponent(g)}?host=${encodeURIComponent(host)}`);
    const p: ProcessAnswer | null = res.ok() ? (await res.json()) as ProcessAnswer : null;
    if (!p || p.placeholderReason) {
      if (path.length && !/^\{0{8}-/.test(g)) path.unshift({ guid: g, image: '', logged: false });
      break;
    }
    path.unshift({ guid: p.guid, image: p.name, logged: true });
    g = p.parentGuid;
  }
  return path;
}
