import { describe, expect, it } from 'vitest';
import type { LateralAnswer, LateralLink, ProcessNode } from '@lineage/shared';
import { acrossElements } from './across-elements';

const node = (guid: string, host: string, name: string): ProcessNode => ({
  guid, kind: 'process', host, pid: 1, image: `C:\\${name}`, name, commandLine: name, user: '', startTime: '2026-03-02T10:00:00.000Z', endTime: null,
  parentGuid: null, parentPid: null, parentImage: '', integrityLevel: '', hashes: '', currentDirectory: '', logonGuid: '', placeholder: false,
  placeholderReason: null, searchWider: null, state: 'running', eventCounts: {}, depth: 0, group: null, provenance: null,
});
const link: LateralLink = {
  kind: 'lateral', source: '{a}', sourceHost: 'ws-1', sourceImage: 'C:\\Tools\\PsExec64.exe', target: '{b}', targetHost: 'ws-2', targetImage: 'C:\\Windows\\PSEXESVC.exe',
  mechanism: 'service', confidence: 'high',
  evidence: {
    connection: { protocol: 'tcp', sourceIp: '10.0.0.1', sourcePort: 50000, destinationIp: '10.0.0.2', destinationPort: 445, sourceTime: 't', targetTime: 't', targetProcess: null },
    resolution: [], launcher: { guid: '{s}', image: 'services.exe' }, startDelayMs: 1, service: 'PSEXESVC', logonGuid: null,
  },
};
const answer = (links: LateralLink[], nodes: ProcessNode[]): LateralAnswer =>
  ({ guid: '{a}', host: 'ws-1', range: { from: 'x', to: 'y' }, links, nodes, complete: true, stats: { searches: 1, rows: 0, ms: 0 } });

describe('acrossElements', () => {
  it('puts each process inside its host and draws the lateral edge between hosts', () => {
    const els = acrossElements(node('{a}', 'ws-1', 'psexec64.exe'), answer([link], [node('{b}', 'ws-2', 'psexesvc.exe')]));
    const hosts = els.filter((e) => e.classes === 'host').map((e) => e.data.id);
    expect(hosts).toEqual(['host:ws-1', 'host:ws-2']);
    const procs = els.filter((e) => e.classes.startsWith('process')).map((e) => [e.data.label, e.data.parent]);
    expect(procs).toEqual([['psexec64.exe', 'host:ws-1'], ['psexesvc.exe', 'host:ws-2']]);
    const edge = els.find((e) => e.classes.startsWith('lateral'))!;
    expect([edge.data.source, edge.data.target, edge.data.label]).toEqual(['ws-1\n{a}', 'ws-2\n{b}', 'service :445 (high)']);
  });

  it('adds loaded children under the far root, in the far host', () => {
    const kids = new Map([['ws-2\n{b}', [node('{c}', 'ws-2', 'cmd.exe')]]]);
    const els = acrossElements(node('{a}', 'ws-1', 'psexec64.exe'), answer([link], []), kids);
    expect(els.find((e) => e.data.label === 'cmd.exe')!.data.parent).toBe('host:ws-2');
    expect(els.some((e) => e.classes === 'spawn' && e.data.source === 'ws-2\n{b}')).toBe(true);
    // the far root without a node in the answer is named from the link's image
    expect(els.some((e) => e.data.label === 'psexesvc.exe')).toBe(true);
  });
});
