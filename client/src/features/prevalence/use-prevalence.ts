/**
 * Fleet prevalence of the drawn processes (`POST /api/prevalence`, one request per set of drawn
 * processes, through the query-key factory in api/queries.ts). Placeholders, groups and "more"
 * nodes are not asked for. The baseline is the server's default: the 30 days before the window.
 */
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { PrevalenceAnswer, TimeRange } from '@lineage/shared';
import { lineageQueries } from '../../api/queries';
import type { VisibleGraph } from '../graph';

export interface Prevalence { data: PrevalenceAnswer | undefined; error: Error | null; pending: boolean }

export function usePrevalence(graph: VisibleGraph | null, window: TimeRange | null): Prevalence {
  const guids = useMemo(() => {
    const out: string[] = [];
    for (const v of graph?.nodes.values() ?? []) if (v.kind === 'process' && v.node && !v.node.placeholder) out.push(v.node.guid);
    return out.sort();
  }, [graph]);
  const q = useQuery(lineageQueries.prevalence(guids, window));
  return { data: q.data, error: q.error, pending: q.isPending && guids.length > 0 };
}
