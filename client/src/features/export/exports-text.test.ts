import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { GraphEvent } from '@lineage/shared';
import { doc, g, proc } from '../../testing/fixtures';
import { buildVisibleGraph, chooseLayout, tidyLayout, toElements } from '../graph';
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

/*
 *   1 winword ─┬─ 2 cmd ── 4 conhost      top down: 2 has a child, so it stands in the next row;
 *              └─ 3 powershell            3 is a leaf, stacked under 1 right of its trunk
 */
const wide = buildVisibleGraph({
  doc: doc(g(1), [...d.nodes, proc(g(4), g(2), { name: 'conhost.exe', startTime: '2024-05-01T10:00:04.000Z' })], {}, []),
  ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set(),
});
type Pt = [number, number];
/** The points of an SVG path made of M, H and V commands (what the export draws spawn edges with). */
function points(d: string): Pt[] {
  const out: Pt[] = [];
  for (const [, cmd, a, b] of d.matchAll(/([MHV])\s*(-?[\d.]+)(?:,(-?[\d.]+))?/g)) {
    const last = out[out.length - 1] ?? [0, 0];
    out.push(cmd === 'M' ? [Number(a), Number(b)] : cmd === 'H' ? [Number(a), last[1]] : [last[0], Number(a)]);
  }
  return out;
}

describe('SVG export follows the layout on screen', () => {
  for (const mode of ['lr', 'td'] as const) {
    it(`when the ${mode === 'lr' ? 'left-to-right' : 'top-down'} layout is drawn, then every spawn edge leaves the parent's ${mode === 'lr' ? 'right' : 'bottom'} side and enters the child as the canvas does, in straight segments`, () => {
      const layout = chooseLayout({ roots: wide.roots, children: (id) => wide.nodes.get(id)?.children ?? [] }, mode);
      const els = toElements(wide, layout.positions, layout);
      const svg = toSvg(els, 'light');
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: { g: Array<{ 'data-id': string; rect: { x: string; y: string; width: string; height: string } }>; path: Array<{ class: string; d: string; 'data-source': string; 'data-target': string }> } };
      // Boxes read back from the SVG itself.
      const box = new Map(parsed.svg.g.map((n) => [n['data-id'], { x1: Number(n.rect.x), y1: Number(n.rect.y), x2: Number(n.rect.x) + Number(n.rect.width), y2: Number(n.rect.y) + Number(n.rect.height) }]));
      const spawns = parsed.svg.path.filter((p) => p.class === 'edge spawn');
      expect(spawns).toHaveLength(3);
      let stacked = 0;
      for (const p of spawns) {
        const s = box.get(p['data-source'])!, t = box.get(p['data-target'])!;
        const pts = points(p.d);
        const [first, last] = [pts[0]!, pts[pts.length - 1]!];
        for (let i = 1; i < pts.length; i++) expect(pts[i]![0] === pts[i - 1]![0] || pts[i]![1] === pts[i - 1]![1]).toBe(true);
        const midY = (b: typeof s) => (b.y1 + b.y2) / 2, midX = (b: typeof s) => (b.x1 + b.x2) / 2;
        if (mode === 'lr') {
          expect(first).toEqual([s.x2, midY(s)]);
          expect(last).toEqual([t.x1, midY(t)]);
        } else {
          expect(first).toEqual([midX(s), s.y2]);
          // Into the child's top, or (a stacked leaf) into its left side from the parent's trunk.
          if (last[1] === t.y1) expect(last[0]).toBe(midX(t));
          else { stacked++; expect(last).toEqual([t.x1, midY(t)]); expect(pts.every(([x]) => x === midX(s) || x === t.x1)).toBe(true); }
        }
      }
      if (mode === 'td') expect(stacked).toBeGreaterThan(0);
    });
  }
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
