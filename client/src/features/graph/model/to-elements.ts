/**
 * Pure conversion of the visible graph + layout into Cytoscape element definitions. Visual state that
 * changes often (selection, find, path to root) is NOT here: it is applied as classes by the adapter, so
 * selecting a node never rebuilds elements.
 */
import type { ProcessNode } from '@lineage/shared';
import { ellipsis, formatClock, formatDelta } from '../../../lib/format';
import { sigmaBadge } from '../../sigma';
import { lateralLabel } from '../../lateral';
import { processKind } from './process-kind';
import type { Point } from './tidy-layout';
import type { VisibleGraph, VisibleNode } from './visible-graph';
import { BEND, bendClass, crossBends, nodeBoxes } from './cross-bends';

export { BEND, bendClass, MAX_BENDS } from './cross-bends';

/** The subset of Cytoscape's ElementDefinition we produce (kept local so Cytoscape types stay in the adapter). */
export interface ElementDef {
  group: 'nodes' | 'edges';
  data: Record<string, unknown> & { id: string };
  classes: string;
  position?: Point;
}

/** Badge categories and their short tags, in display order. */
export const BADGES: Array<[string, string]> = [
  ['file', 'file'], ['network', 'net'], ['registry', 'reg'], ['dns', 'dns'], ['image', 'img'], ['process-access', 'acc'],
  ['remote-thread', 'thr'],
];

export function badgeText(counts: Record<string, number>): string {
  const parts: string[] = [];
  for (const [cat, tag] of BADGES) {
    const n = counts[cat];
    if (n) parts.push(`${tag} ${n > 999 ? `${Math.floor(n / 1000)}k` : n}`);
  }
  return parts.join(' · ');
}

function processLabel(n: ProcessNode): string {
  const who = [n.pid != null ? `pid ${n.pid}` : 'pid ?', n.user ? ellipsis(n.user.split('\\').pop() ?? n.user, 16) : ''].filter(Boolean).join(' · ');
  const when = n.placeholder ? `placeholder: ${n.placeholderReason ?? 'unknown'}` : formatClock(n.startTime);
  const lines = [ellipsis(n.name || n.image || '?', 26), who, when];
  const badges = badgeText(n.eventCounts);
  if (badges) lines.push(badges);
  if (n.sigma) lines.push(sigmaBadge(n.sigma));
  return lines.join('\n');
}

function nodeLabel(v: VisibleNode): string {
  if (v.kind === 'more') return v.moreCount != null ? `${v.moreCount} more ▸` : 'more ▸';
  const n = v.node!;
  if (v.kind === 'group') return `×${n.group?.count ?? '?'}  ${ellipsis(n.name, 22)}\nsimilar siblings\n${formatClock(n.startTime)}`;
  let label = processLabel(n);
  if (v.canExpandParent) label = `▲ parent\n${label}`;
  if (v.collapsedCount > 0) label += `\n▸ ${v.collapsedCount} hidden`;
  else if (v.loading) label += '\n… loading';
  else if (v.childless) label += '\nno children';
  else if (v.expandable && v.kind === 'process') label += v.childCount != null ? `\n▾ ${v.childCount} ${v.childCount === 1 ? 'child' : 'children'}` : '\n▾ expand';
  return label;
}

function nodeClasses(v: VisibleNode): string {
  const c: string[] = [v.kind];
  if (v.node) {
    c.push(`k-${processKind(v.node.name)}`);
    c.push(v.node.placeholder ? 'placeholder' : v.node.state);
    if (v.node.sigma) c.push('sigma', `sigma-${v.node.sigma.highest}`);
  }
  if (v.origin) c.push('origin');
  if (v.collapsedCount > 0) c.push('collapsed');
  if (v.expandable) c.push('expandable');
  if (v.canExpandParent) c.push('can-parent');
  if (v.loading) c.push('loading');
  return c.join(' ');
}

/**
 * `layout` (top-down only) gives spawn edges their routing classes: `td` (down from the parent, across,
 * down into the child) and `td stack` (down the parent's trunk, then right into a stacked leaf).
 */
export function toElements(g: VisibleGraph, positions: Map<string, Point>, layout?: { mode: 'lr' | 'td'; stacked: ReadonlySet<string> }): ElementDef[] {
  const out: ElementDef[] = [];
  for (const v of g.nodes.values()) {
    const label = nodeLabel(v);
    out.push({
      group: 'nodes',
      data: { id: v.id, label, name: v.kind === 'more' ? label : v.kind === 'group' ? `×${v.node?.group?.count ?? '?'} ${v.node?.name ?? ''}` : v.node?.name || '?' },
      classes: nodeClasses(v),
      position: positions.get(v.id) ?? { x: 0, y: 0 },
    });
  }
  groupByHost(g, out, layout?.mode ?? 'lr');
  const bends = crossBends(g.edges, nodeBoxes(out));
  for (const e of g.edges) {
    out.push({
      group: 'edges',
      data: { id: e.id, source: e.source, target: e.target, bend: bends.get(e.id), label: e.kind === 'spawn' ? formatDelta(e.deltaMs) : (e.count > 1 ? `${e.kind} ×${e.count}` : e.kind) },
      classes: e.kind === 'spawn' ? `${g.nodes.get(e.target)?.kind === 'more' ? 'spawn to-more' : 'spawn'}${layout?.mode === 'td' ? (layout.stacked.has(e.target) ? ' td stack' : ' td') : ''}` : `cross ${e.kind} ${bendClass(bends.get(e.id) ?? BEND)}`,
    });
  }
  for (const l of g.lateral) {
    out.push({
      group: 'edges', classes: `lateral conf-${l.confidence}`,
      data: { id: lateralEdgeId(l.source, l.target), source: l.source, target: l.target, label: lateralLabel(l) },
    });
  }
  return out;
}

export const lateralEdgeId = (source: string, target: string): string => `lateral:${source}>${target}`;
export const hostGroupId = (host: string): string => `host:${host}`;

/** Extra room between two hosts' blocks (model px): the frames' padding and the host name on top. */
export const HOST_GAP = 72;

/**
 * When more than one host is drawn (expand across), every node goes into a compound node of its host, so
 * the machine boundary stays visible. The compound nodes come first (Cytoscape adds parents before
 * children) and carry no position: Cytoscape sizes them around their children. Roots come host by host
 * (visible-graph.ts), so each host is one block along the axis roots are stacked on (y left to right,
 * x top down); every later block moves HOST_GAP further so the frames never overlap.
 */
function groupByHost(g: VisibleGraph, out: ElementDef[], mode: 'lr' | 'td'): void {
  const hostOf = (v: VisibleNode): string | undefined => (v.node ?? (v.moreFor ? g.nodes.get(v.moreFor)?.node : null))?.host;
  const hosts: string[] = [];
  for (const d of out) {
    const h = hostOf(g.nodes.get(d.data.id)!);
    if (h != null && !hosts.includes(h)) hosts.push(h);
  }
  if (hosts.length < 2) return;
  for (const d of out) {
    const h = hostOf(g.nodes.get(d.data.id)!);
    if (h == null) continue;
    d.data.parent = hostGroupId(h);
    const shift = hosts.indexOf(h) * HOST_GAP;
    if (d.position && shift) d.position = mode === 'td' ? { x: d.position.x + shift, y: d.position.y } : { x: d.position.x, y: d.position.y + shift };
  }
  out.unshift(...hosts.map((h): ElementDef => ({ group: 'nodes', data: { id: hostGroupId(h), label: h, name: h }, classes: 'host' })));
}

