/**
 * One request path: every client request goes through api-client's `send`, which adds the same-origin
 * header to every state-changing request and to none of the reads, and the read queries build their URLs
 * with shared `apiPaths`. Oracles: the header as docs/security.md names it (written out here), and the
 * server's own request schemas (shared/src/requests.ts) accepting each URL the client sends.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChildrenQuery, EventsQuery, GraphQuery, GroupEventsQuery, NotablesQuery, ProcessQuery, SearchQuery } from '@lineage/shared';
import { z as zod } from 'zod';
import { apiDelete, apiPost, apiPostOr, getJson } from './api-client';
import { lineageQueries, type Scope } from '../api/queries';

const G = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
type Call = { url: string; method: string; headers: Record<string, string> };
let calls: Call[] = [];

function answer(status: number, body: unknown): void {
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])) });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }));
}
afterEach(() => { vi.unstubAllGlobals(); calls = []; });

describe('api-client', () => {
  it('adds X-Lineage-Request: 1 to POST and DELETE, never to GET', async () => {
    answer(200, { ok: true });
    await getJson('/api/health', zod.unknown());
    await apiPost('/api/session', { token: 't' }, zod.unknown());
    await apiDelete('/api/session');
    expect(calls.map((c) => [c.method, c.headers['x-lineage-request'] ?? null])).toEqual([['GET', null], ['POST', '1'], ['DELETE', '1']]);
  });

  it('returns a non-2xx body the caller accepts as data, and throws other failures as ApiError', async () => {
    const Invalid = zod.object({ errors: zod.array(zod.string()) });
    answer(400, { errors: ['line 3: bad'] });
    await expect(apiPostOr('/api/rules/run', {}, zod.unknown(), Invalid)).resolves.toEqual({ error: { errors: ['line 3: bad'] } });
    answer(403, { error: { code: 'csrf', message: 'no' } });
    await expect(apiPostOr('/api/rules/run', {}, zod.unknown(), Invalid)).rejects.toMatchObject({ name: 'ApiError', code: 'csrf', status: 403 });
  });
});

describe('read queries', () => {
  const scope: Scope = { host: 'WS1', from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' };
  /** The URL a query options builder fetches. */
  async function urlOf(q: { queryFn?: unknown }, pageParam: string | null = null): Promise<URL> {
    answer(200, { items: [], nextCursor: null });
    await (q.queryFn as (c: object) => Promise<unknown>)({ signal: new AbortController().signal, pageParam, queryKey: [], meta: undefined }).catch(() => undefined);
    return new URL(calls.at(-1)!.url, 'http://x');
  }
  const accepts = (schema: zod.ZodTypeAny, u: URL) => expect(schema.safeParse(Object.fromEntries(u.searchParams)).error?.issues ?? []).toEqual([]);

  it('send URLs the server schemas accept, with the scope and paging in them', async () => {
    const graph = await urlOf(lineageQueries.graph(G, scope, 2));
    expect(graph.pathname).toBe('/api/graph');
    accepts(GraphQuery, graph);
    expect(GraphQuery.parse(Object.fromEntries(graph.searchParams))).toMatchObject({ guid: G, up: true, down: 2, host: 'ws1', from: scope.from });
    const kids = await urlOf(lineageQueries.childrenPage(G, scope, 'c1'));
    expect(kids.pathname).toBe(`/api/processes/${encodeURIComponent(G)}/children`);
    accepts(ChildrenQuery, kids);
    expect(kids.searchParams.get('cursor')).toBe('c1');
    // A cursor carries its own window (an ancestor's reaches before the view's): only the host goes with it.
    expect([kids.searchParams.get('host'), kids.searchParams.get('from'), kids.searchParams.get('to')]).toEqual(['WS1', null, null]);
    const fresh = await urlOf(lineageQueries.childrenPage(G, scope, null));
    expect([fresh.searchParams.get('from'), fresh.searchParams.get('to')]).toEqual([scope.from, scope.to]);
    const proc = await urlOf(lineageQueries.process(G, 'WS1'));
    accepts(ProcessQuery, proc);
    const ev = await urlOf(lineageQueries.events(G, scope, 'dns'));
    expect(ev.pathname).toBe(`/api/processes/${encodeURIComponent(G)}/events`);
    accepts(EventsQuery, ev);
    const group = await urlOf(lineageQueries.events('grp-cursor', scope, null, true));
    expect([group.pathname, group.searchParams.get('group')]).toEqual(['/api/groups/events', 'grp-cursor']);
    accepts(GroupEventsQuery, group);
    const next = await urlOf(lineageQueries.events('grp-cursor', scope, null, true), 'page2');
    expect([next.searchParams.get('group'), next.searchParams.get('cursor')]).toEqual([null, 'page2']);
    accepts(GroupEventsQuery, next);
    accepts(SearchQuery, await urlOf(lineageQueries.search({ q: 'powershell', host: '', image: '', from: null, to: null })));
    const notables = await urlOf(lineageQueries.notables({ from: null, to: null }, 'all'));
    accepts(NotablesQuery, notables);
    expect(notables.searchParams.get('status')).toBe('all');
  });
});
