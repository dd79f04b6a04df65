/** Test data builders for client unit tests: wire-shaped nodes, edges and graph documents. */
import type { GraphDocument, GraphEdge, ProcessNode, Truncation } from '@lineage/shared';

/** A GUID whose first block is `n` in hex (canonical form), e.g. g(1) = {00000001-0000-…}. */
export function g(n: number): string {
  return `{${n.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000}`;
}

export function proc(guid: string, parentGuid: string | null, over: Partial<ProcessNode> = {}): ProcessNode {
  const name = over.name ?? 'proc.exe';
  return {
    guid, kind: 'process', host: 'WS1', pid: 100, image: `C:\\Windows\\${name}`, name, commandLine: name,
    user: 'CORP\\alice', startTime: '2024-05-01T10:00:00.000Z', endTime: null, parentGuid, parentPid: null,
    parentImage: '', integrityLevel: 'Medium', hashes: '', currentDirectory: 'C:\\', logonGuid: '',
    placeholder: false, placeholderReason: null, searchWider: null, state: 'running', eventCounts: {}, depth: 0,
    group: null, provenance: null, ...over,
  };
}

export function spawn(source: string, target: string, deltaMs: number | null = null): GraphEdge {
  return { source, target, kind: 'spawn', deltaMs, count: 1 };
}

export function doc(origin: string, nodes: ProcessNode[], truncated: Record<string, Truncation> = {}, extraEdges: GraphEdge[] = []): GraphDocument {
  const ids = new Set(nodes.map((n) => n.guid));
  const edges = nodes.filter((n) => n.parentGuid && ids.has(n.parentGuid)).map((n) => spawn(n.parentGuid!, n.guid));
  return {
    origin, range: { from: '2024-05-01T09:00:00.000Z', to: '2024-05-02T10:00:00.000Z' }, nodes,
    edges: [...edges, ...extraEdges], truncated, stats: { searches: 2, rows: nodes.length, ms: 5 },
  };
}
