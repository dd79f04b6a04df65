/**
 * The ceiling for `npm run bench -- serve --direct`: the same three requests answered in this process
 * by the same service functions the routes call (seed search, investigate, children page) on an
 * EmbeddedSource over the same store — no HTTP, no express, no JSON on the wire. What is left is
 * the store's work (DuckDB statements, the lineage index walk) and building the answers.
 */
import { ChildrenQuery, GraphQuery, SearchQuery } from '@lineage/shared';
import { readToolEnv, SERVE_DUCKDB_THREADS } from '../server/src/app/config.js';
import { investigate } from '../server/src/graph/investigate.js';
import { listChildren } from '../server/src/graph/paging.js';
import { seedSearch } from '../server/src/services/seed-search.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

/** A `get(path)` like the HTTP one: the answer, or throws. */
export type DirectGet = (path: string) => Promise<unknown>;

export async function openDirect(db: string, readConnections: number | undefined): Promise<{ get: DirectGet; close(): Promise<void> }> {
  // DuckDB threads / memory as `lineage serve` takes them: the same environment schema, the same default.
  const { duckdb } = readToolEnv();
  const store = await EmbeddedStore.open(db, { readOnly: true, threads: duckdb.threads ?? SERVE_DUCKDB_THREADS, memoryLimit: duckdb.memoryLimit });
  const source = new EmbeddedSource(store, { lineageIndex: true, ...(readConnections ? { readConnections } : {}) });
  await source.indexReady();
  const get: DirectGet = async (path) => {
    const url = new URL(path, 'http://direct');
    const query = Object.fromEntries(url.searchParams);
    const ctx = newContext();
    if (url.pathname === '/api/search') {
      const q = SearchQuery.parse(query);
      return seedSearch(source, q, null, ctx);
    }
    if (url.pathname === '/api/graph') {
      const q = GraphQuery.parse(query);
      return investigate(source, { guid: q.guid, host: q.host ?? null, up: q.up, down: q.down, events: q.events, nodeBudget: q.budget,
        siblingThreshold: q.group, range: { from: q.from, to: q.to } }, ctx);
    }
    const children = /^\/api\/processes\/([^/]+)\/children$/.exec(url.pathname);
    if (children) {
      const q = ChildrenQuery.parse(query);
      return listChildren(source, decodeURIComponent(children[1]!), { ctx, host: q.host ?? null, range: null, limit: q.limit, cursor: q.cursor ?? null });
    }
    throw new Error(`no direct route for ${path}`);
  };
  return { get, close: () => source.close() };
}
