import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { GraphEvent } from '@lineage/shared';
import { doc, g, proc } from '../../testing/fixtures';
import { buildVisibleGraph, tidyLayout, toElements } from '../graph';
import { toMarkdownTimeline } from './markdown';
import { toSvg } from './svg';

const d = doc(g(1), [
  proc(g(1), null, { name: 'winword.exe', startTime: '2024-05-01T10:00:00.000Z' }),
  proc(g(2), g(1), { name: 'cmd.exe', commandLine: 'cmd /c "a | b" & <x>', startTime: '2024-05-01T10:00:03.000Z', endTime: '2024-05-01T10:00:09.000Z' }),
  proc(g(3), g(1), { name: 'powershell.exe', startTime: '2024-05-01T10:00:05.000Z' }),
], {}, [
  { source: g(2), target: g(3), kind: 'process-access', deltaMs: null, count: 1 },
  { source: g(2), target: g(3), kind: 'remote-thread', deltaMs: null, count: 1 },
]);
const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });

describe('SVG export', () => {
  it('when the graph is exported, then it is well-formed SVG with one box per node, every label, and every edge', () => {
    const els = toElements(vg, tidyLayout({ roots: vg.roots, children: (id) => vg.nodes.get(id)?.children ?? [] }));
    const svg = toSvg(els, 'dark');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: { g: Array<{ 'data-id': string; rect: { x: string; y: string } }>; path: Array<{ class: string }> } };
    expect(parsed.svg.g.map((n) => n['data-id']).sort()).toEqual([g(1), g(2), g(3)].sort());
    expect(parsed.svg.path.filter((p) => p.class === 'edge spawn')).toHaveLength(2);
    expect(parsed.svg.path.filter((p) => p.class === 'edge cross')).toHaveLength(2);
    expect(svg).toContain('>cmd.exe<');
    // Boxes from the SVG itself do not overlap.
    const boxes = parsed.svg.g.map((n) => ({ x: Number(n.rect.x), y: Number(n.rect.y) }));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      expect(Math.abs(boxes[i]!.x - boxes[j]!.x) >= 200 || Math.abs(boxes[i]!.y - boxes[j]!.y) >= 96).toBe(true);
    }
    // The two parallel cross edges take different paths.
    const cross = svg.match(/class="edge cross" d="([^"]+)"/g)!;
    expect(new Set(cross).size).toBe(2);
  });
});

describe('markdown timeline export', () => {
  it('when exported, then starts, ends and events are rows in time order with GUIDs and escaped command lines', () => {
    const ev: GraphEvent = { guid: g(3), host: 'WS1', eventId: 3, category: 'network', time: '2024-05-01T10:00:07.000Z', recordId: 1, targetGuid: null, fields: { DestinationIp: '10.0.0.9', DestinationPort: '443' } };
    const md = toMarkdownTimeline(vg, [ev], 'Case 42');
    const rows = md.split('\n').filter((l) => /^\| \d{4}-/.test(l));
    expect(rows.map((r) => r.split(' | ')[1])).toEqual(['process start', 'process start', 'process start', 'network (EventID 3)', 'process end']);
    expect(rows.map((r) => r.slice(2, 25))).toEqual([...rows.map((r) => r.slice(2, 25))].sort());
    expect(rows[1]).toContain(`\`${g(2)}\``);
    expect(rows[1]).toContain('cmd /c "a \\| b" & <x>');
    expect(md.startsWith('# Case 42\n')).toBe(true);
  });
});
