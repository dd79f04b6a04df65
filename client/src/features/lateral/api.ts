/** Queries of the cross-host features: expand across from a process; compare two trees. */
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { CompareAnswerSchema, LateralAnswerSchema, type CompareRequest, type LateralAnswer, type LateralLink, type ProcessNode } from '@lineage/shared';
import { lineageKeys } from '../../api/queries';
import { apiGet } from '../../lib/api-client';

export const lateralQueries = {
  /** The links of one drawn process; its host and times are passed so the server needs no origin lookup. */
  across: (n: Pick<ProcessNode, 'guid' | 'host' | 'startTime' | 'endTime'>) => queryOptions({
    queryKey: [...lineageKeys.processData(), 'lateral', n.guid, { host: n.host, start: n.startTime, end: n.endTime }] as const,
    queryFn: ({ signal }) => apiGet(`/api/processes/${encodeURIComponent(n.guid)}/lateral`,
      { host: n.host, start: n.startTime, end: n.endTime }, LateralAnswerSchema, signal),
    staleTime: 5 * 60_000,
  }),
  compare: (r: CompareRequest) => queryOptions({
    queryKey: [...lineageKeys.processData(), 'compare', r] as const,
    queryFn: ({ signal }) => apiGet('/api/compare', { a: r.a, aHost: r.aHost, b: r.b, bHost: r.bHost }, CompareAnswerSchema, signal),
    staleTime: 5 * 60_000,
  }),
};

/**
 * The cached lateral links, of the processes expanded across in the main graph (`across`), that have
 * `guid` at either end: what the graph draws as lateral edges, read from the cache (no search).
 */
export function drawnLinksOf(qc: QueryClient, across: readonly string[], guid: string): LateralLink[] {
  const out = new Map<string, LateralLink>();
  for (const [key, data] of qc.getQueriesData<LateralAnswer>({ queryKey: [...lineageKeys.processData(), 'lateral'] })) {
    if (!data || !across.includes(String(key[key.length - 2]))) continue;
    for (const l of data.links) if (l.source === guid || l.target === guid) out.set(`${l.source}>${l.target}`, l);
  }
  return [...out.values()];
}
