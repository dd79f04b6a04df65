/**
 * Pure: the cross-host picture of one process as Cytoscape elements — one compound node per host (the
 * machine boundary), the processes inside their host, `lateral` edges between them (labelled with the
 * mechanism and port), and the children loaded under a far-side root as spawn edges.
 */
import type { LateralAnswer, LateralLink, ProcessNode } from '@lineage/shared';

export interface AcrossElement {
  group: 'nodes' | 'edges';
  data: Record<string, string> & { id: string };
  classes: string;
}

const hostId = (host: string): string => `host:${host}`;
const procId = (host: string, guid: string): string => `${host}\n${guid}`;

export function lateralLabel(l: LateralLink): string {
  return `${l.mechanism} :${l.evidence.connection.destinationPort} (${l.confidence})`;
}

export function acrossElements(origin: ProcessNode, answer: LateralAnswer, children: Map<string, ProcessNode[]> = new Map()): AcrossElement[] {
  const out: AcrossElement[] = [];
  const hosts = new Set<string>();
  const procs = new Set<string>();
  const addProc = (host: string, guid: string, name: string, extra = ''): void => {
    const id = procId(host, guid);
    if (procs.has(id)) return;
    procs.add(id);
    if (!hosts.has(host)) { hosts.add(host); out.push({ group: 'nodes', data: { id: hostId(host), label: host }, classes: 'host' }); }
    out.push({ group: 'nodes', data: { id, parent: hostId(host), label: name, guid, host }, classes: `process${extra}` });
  };
  addProc(origin.host, origin.guid, origin.name, ' origin');
  const names = new Map(answer.nodes.map((n) => [procId(n.host, n.guid), n.name]));
  const base = (image: string): string => image.split(/[\\/]/).pop()!.toLowerCase();
  for (const l of answer.links) {
    addProc(l.sourceHost, l.source, names.get(procId(l.sourceHost, l.source)) ?? base(l.sourceImage));
    addProc(l.targetHost, l.target, names.get(procId(l.targetHost, l.target)) ?? base(l.targetImage));
    out.push({
      group: 'edges', classes: `lateral ${l.confidence}`,
      data: { id: `lateral:${l.sourceHost}:${l.source}>${l.targetHost}:${l.target}`, source: procId(l.sourceHost, l.source), target: procId(l.targetHost, l.target), label: lateralLabel(l) },
    });
  }
  for (const [parentKey, kids] of children) {
    if (!procs.has(parentKey)) continue;
    for (const k of kids) {
      addProc(k.host, k.guid, k.name);
      out.push({ group: 'edges', classes: 'spawn', data: { id: `spawn:${parentKey}>${k.guid}`, source: parentKey, target: procId(k.host, k.guid), label: '' } });
    }
  }
  return out;
}

export { procId as acrossNodeId };
