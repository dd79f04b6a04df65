/**
 * Expand across in the main graph (docs/lateral.md): far-side processes join the visible graph as roots
 * of their own host, lateral edges are drawn only between drawn ends, hosts form compound groups, and the
 * roots are ordered host by host so each host's forest is one block.
 */
import { describe, expect, it } from 'vitest';
import type { LateralLink } from '@lineage/shared';
import { doc, g, proc } from '../../../testing/fixtures';
import { toElements } from './to-elements';
import { tidyLayout } from './tidy-layout';
import { buildVisibleGraph, type BuildInput } from './visible-graph';

const none = new Set<string>();
const build = (over: Partial<BuildInput> & Pick<BuildInput, 'doc'>) =>
  buildVisibleGraph({ ancestorDocs: [], childPages: [], hidden: none, parentsRequested: none, ...over });

const link = (source: string, target: string, confidence: 'high' | 'medium' = 'high'): LateralLink => ({
  kind: 'lateral', source, sourceHost: 'WS1', sourceImage: 'C:\\Tools\\PsExec64.exe', target, targetHost: 'WS2', targetImage: 'C:\\Windows\\PSEXESVC.exe',
  mechanism: 'service', confidence,
  evidence: {
    connection: { protocol: 'tcp', sourceIp: '10.0.0.1', sourcePort: 50000, destinationIp: '10.0.0.2', destinationPort: 445, sourceTime: 't', targetTime: 't', targetProcess: null },
    resolution: [], launcher: { guid: g(90), image: 'services.exe' }, startDelayMs: 1, service: 'PSEXESVC', logonGuid: null,
  },
});

/* WS1: cmd(1) → psexec(2) ─lateral→ WS2: psexesvc(10) (its parent services.exe(90) is not drawn) → payload(11) */
const home = doc(g(2), [proc(g(1), null, { name: 'cmd.exe' }), proc(g(2), g(1), { name: 'PsExec64.exe', startTime: '2024-05-01T10:00:01.000Z' })]);
const far = proc(g(10), g(90), { name: 'PSEXESVC.exe', host: 'WS2', startTime: '2024-05-01T09:00:00.000Z' });
const payload = proc(g(11), g(10), { name: 'cmd.exe', host: 'WS2' });

describe('expand across in the visible graph', () => {
  it('draws the far root as a root after the home host, with its children page under it', () => {
    const vg = build({
      doc: home, lateral: { links: [link(g(2), g(10))], nodes: [far] },
      childPages: [{ id: g(10), pages: [[payload]], nextCursor: null, total: 1, loading: false, error: null }],
    });
    // The far root started earlier than cmd.exe, yet the home host's forest comes first.
    expect(vg.roots).toEqual([g(1), g(10)]);
    expect(vg.nodes.get(g(10))!.children).toEqual([g(11)]);
    expect(vg.lateral.map((l) => `${l.source}>${l.target}`)).toEqual([`${g(2)}>${g(10)}`]);
    expect(vg.edges.some((e) => e.target === g(10))).toBe(false);
  });

  it('drops a link whose end is not drawn (hidden under a collapse)', () => {
    const vg = build({ doc: home, hidden: new Set([g(1)]), lateral: { links: [link(g(2), g(10))], nodes: [far] } });
    expect(vg.nodes.has(g(10))).toBe(true);
    expect(vg.lateral).toEqual([]);
  });

  it('one host: no host groups; two hosts: every node inside its host, the lateral edge labelled and classed', () => {
    const single = build({ doc: home });
    const plain = toElements(single, tidyLayout({ roots: single.roots, children: (id) => single.nodes.get(id)!.children }));
    expect(plain.some((e) => e.classes === 'host')).toBe(false);
    expect(plain.every((e) => e.data.parent === undefined)).toBe(true);

    const vg = build({ doc: home, lateral: { links: [link(g(2), g(10), 'medium')], nodes: [far] } });
    const pos = tidyLayout({ roots: vg.roots, children: (id) => vg.nodes.get(id)!.children });
    const els = toElements(vg, pos);
    const hosts = els.filter((e) => e.classes === 'host');
    expect(hosts.map((e) => e.data.id)).toEqual(['host:WS1', 'host:WS2']);
    // Parents precede children (Cytoscape adds a compound node before what it contains).
    expect(els.findIndex((e) => e.classes === 'host')).toBe(0);
    const parentOf = (id: string) => els.find((e) => e.data.id === id)?.data.parent;
    expect([parentOf(g(1)), parentOf(g(2)), parentOf(g(10))]).toEqual(['host:WS1', 'host:WS1', 'host:WS2']);
    const edge = els.find((e) => e.classes.startsWith('lateral'))!;
    expect(edge.classes).toBe('lateral conf-medium');
    expect([edge.data.source, edge.data.target, edge.data.label]).toEqual([g(2), g(10), 'service :445 (medium)']);
    // Each host's nodes lie in one vertical block: no box of WS2 between two of WS1.
    const ys = (h: string) => els.filter((e) => e.data.parent === h).map((e) => e.position!.y);
    expect(Math.max(...ys('host:WS1'))).toBeLessThan(Math.min(...ys('host:WS2')));
  });
});
