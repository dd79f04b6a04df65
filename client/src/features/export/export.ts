/**
 * Exports of what is drawn: the JSON graph document (same shape as the API's, so it
 * can be re-read by scripts: it validates against GraphDocumentSchema), a CSV of processes, and PNG
 * (rendered by the Cytoscape adapter). "N more" nodes are not processes and are left out; what they
 * stand for is kept in `truncated`.
 */
import type { GraphDocument, GraphEdge, ProcessNode } from '@lineage/shared';
import type { VisibleGraph } from '../graph';

/** The visible graph as a graph document. */
export function toGraphDocument(g: VisibleGraph, doc: GraphDocument): GraphDocument {
  const nodes: ProcessNode[] = [];
  for (const v of g.nodes.values()) if (v.node) nodes.push(v.node);
  const edges: GraphEdge[] = g.edges
    .filter((e) => g.nodes.get(e.target)?.kind !== 'more')
    .map((e) => ({ source: e.source, target: e.target, kind: e.kind, deltaMs: e.deltaMs, count: e.count }));
  return { origin: doc.origin, range: doc.range, nodes, edges, truncated: doc.truncated, stats: doc.stats };
}

const CSV_COLUMNS: Array<[string, (n: ProcessNode) => string | number | boolean | null]> = [
  ['guid', (n) => n.guid], ['host', (n) => n.host], ['pid', (n) => n.pid], ['name', (n) => n.name],
  ['image', (n) => n.image], ['commandLine', (n) => n.commandLine], ['user', (n) => n.user],
  ['startTime', (n) => n.startTime], ['endTime', (n) => n.endTime], ['parentGuid', (n) => n.parentGuid],
  ['parentPid', (n) => n.parentPid], ['state', (n) => n.state], ['placeholderReason', (n) => n.placeholderReason],
  ['integrityLevel', (n) => n.integrityLevel], ['hashes', (n) => n.hashes], ['currentDirectory', (n) => n.currentDirectory],
  ['kind', (n) => n.kind], ['groupCount', (n) => n.group?.count ?? null],
  ['events', (n) => Object.entries(n.eventCounts).map(([k, c]) => `${k}=${c}`).join(';')],
];

/** RFC 4180 quoting; cells starting with = + - @ are prefixed so spreadsheets do not run them as formulas. */
function cell(v: string | number | boolean | null): string {
  if (v == null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toProcessCsv(g: VisibleGraph): string {
  const rows = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const v of g.nodes.values()) if (v.node) rows.push(CSV_COLUMNS.map(([, f]) => cell(f(v.node!))).join(','));
  return `${rows.join('\r\n')}\r\n`;
}

/** Saves a Blob as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `lineage-<origin short>-<yyyymmddThhmm>` for export file names. */
export function exportBaseName(origin: string): string {
  const short = origin.replace(/[{}]/g, '').slice(0, 8);
  return `lineage-${short}-${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '')}`;
}
