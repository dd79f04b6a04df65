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

/**
 * Every child of `guid` on `host` started up to `to` (all of them without it), listed page by page through
 * `GET /api/processes/:guid/children` — the listing, not the graph's count of ancestors' children it checks.
 */
export async function allChildren(request: APIRequestContext, guid: string, host: string, to?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ host, limit: '200', ...(to ? { from: '2000-01-01T00:00:00.000Z', to } : {}), ...(cursor ? { cursor } : {}) });
    const res = await request.get(`/api/processes/${encodeURIComponent(guid)}/children?${q}`);
    if (!res.ok()) throw new Error(`children of ${guid}: ${res.status()}`);
    const page = await res.json() as { items: { guid: string }[]; nextCursor: string | null };
    out.push(...page.items.map((i) => i.guid));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * How many children the logged ancestors of a path (root first, the origin last) have besides the one on
 * the path, started up to `to`: what their "N more" boxes stand for (issue 15: ancestors' other children).
 */
export async function ancestorsOtherChildren(request: APIRequestContext, path: Ancestor[], host: string, to: string): Promise<number> {
  let n = 0;
  for (const a of path.slice(0, -1)) if (a.logged) n += (await allChildren(request, a.guid, host, to)).length - 1;
  return n;
}
