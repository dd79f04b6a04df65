/**
 * The Cytoscape stylesheet: how every class looks. Which node gets which class is decided elsewhere
 * (to-elements.ts for structure, the adapter's marks for selection/find/path), so visuals live only here.
 * Colours are chosen for WCAG AA text contrast on the dark canvas (labels #e6edf3 on ≤ #2d333b fills).
 */
import type { ProcessKind } from '../model/process-kind';
import { MORE_H, MORE_W, NODE_H, NODE_W } from '../model/tidy-layout';
import { BEND, bendClass, MAX_BENDS } from '../model/to-elements';

export type Theme = 'dark' | 'light';

/** Per-kind accent (border) colours; also used by the legend. */
export const KIND_COLOURS: Record<Theme, Record<ProcessKind, string>> = {
  dark: { shell: '#f0883e', script: '#d2a8ff', office: '#58a6ff', browser: '#3fb950', lolbin: '#ff7b72', system: '#8b949e', other: '#79c0ff' },
  light: { shell: '#bc4c00', script: '#8250df', office: '#0969da', browser: '#1a7f37', lolbin: '#cf222e', system: '#57606a', other: '#0550ae' },
};

export const EDGE_COLOURS: Record<Theme, { spawn: string; remoteThread: string; access: string; path: string; chain: string; lateral: string }> = {
  dark: { spawn: '#6e7681', remoteThread: '#ff7b72', access: '#e3b341', path: '#58a6ff', chain: '#f778ba', lateral: '#f0883e' },
  light: { spawn: '#8c959f', remoteThread: '#cf222e', access: '#9a6700', path: '#0969da', chain: '#bf3989', lateral: '#bc4c00' },
};

const PALETTE = {
  dark: { fill: '#22272e', fillPlaceholder: '#1c2128', text: '#e6edf3', dimText: '#adbac7', label: '#161b22', match: '#e3b341', select: '#ffffff' },
  light: { fill: '#ffffff', fillPlaceholder: '#f6f8fa', text: '#1f2328', dimText: '#424a53', label: '#ffffff', match: '#9a6700', select: '#000000' },
};

type Style = { selector: string; style: Record<string, unknown> };

/** Node fill per highest Sigma level (informational stays plain). */
const SIGMA_TINTS: Array<[string, string]> = [['low', '#3fb950'], ['medium', '#d29922'], ['high', '#f85149'], ['critical', '#a40e26']];

/**
 * Spawn-edge routing, shared with the SVG export so a file draws what the screen shows: left to right,
 * the bus turns `lr` px right of the parent; top down, `td` px below it.
 */
export const SPAWN_TURN = { lr: 36, td: 22 } as const;

/** The rare marker's colour (prevalence), the same in both themes. */
export const RARE_COLOUR = '#e36209';

export function graphStyles(theme: Theme): Style[] {
  const p = PALETTE[theme];
  const k = KIND_COLOURS[theme];
  const e = EDGE_COLOURS[theme];
  const styles: Style[] = [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle', width: NODE_W, height: NODE_H, 'background-color': p.fill,
        'border-width': 2, 'border-color': k.other, label: 'data(label)', color: p.text,
        'font-family': 'DejaVu Sans, Segoe UI, sans-serif', 'font-size': 11, 'text-wrap': 'wrap',
        'text-max-width': NODE_W - 14, 'text-valign': 'center', 'text-halign': 'center', 'line-height': 1.25,
        'min-zoomed-font-size': 7,
      },
    },
    // Level of detail (the adapter sets `lod` on every node below LOD_ZOOM): the image name alone, large
    // enough to read zoomed out; it still vanishes when far out, except on flagged nodes (below).
    { selector: 'node.lod', style: { label: 'data(name)', 'font-size': 26, 'font-weight': 'bold', 'text-wrap': 'ellipsis', 'min-zoomed-font-size': 9 } },
    { selector: 'node.terminated', style: { 'border-opacity': 0.55, color: p.dimText } },
    { selector: 'node.placeholder', style: { 'border-style': 'dashed', 'background-color': p.fillPlaceholder, color: p.dimText } },
    {
      selector: 'node.group',
      style: { 'underlay-color': k.system, 'underlay-opacity': 0.35, 'underlay-padding': 6, 'underlay-shape': 'round-rectangle', 'border-style': 'double', 'border-width': 4 },
    },
    {
      selector: 'node.more',
      style: { width: MORE_W, height: MORE_H, 'border-style': 'dashed', 'background-color': p.fillPlaceholder, 'font-size': 12, 'font-weight': 'bold', 'border-color': e.path },
    },
    { selector: 'node.expandable', style: { 'border-width': 2, 'underlay-color': p.text, 'underlay-opacity': 0.06, 'underlay-padding': 3 } },
    { selector: 'node.collapsed', style: { 'underlay-color': e.path, 'underlay-opacity': 0.25, 'underlay-padding': 5 } },
    { selector: 'node.loading', style: { 'border-style': 'dotted' } },
    { selector: 'node.origin', style: { 'outline-width': 4, 'outline-color': e.path, 'outline-offset': 3, 'outline-opacity': 1 } },
    // Prevalence: a rare parent→child pair gets a double border and its figures under the label (`rareLabel`,
    // written by the adapter with the mark: a data mapping, not a per-element function, which Cytoscape
    // would re-run for every element on every restyle). After the kind and structure rules (expandable,
    // collapsed, group: their border colour and width), before the marks (path, chain, find, selection).
    { selector: 'node.rare', style: { 'border-style': 'double', 'border-width': 6, 'border-color': RARE_COLOUR, label: 'data(rareLabel)' } },
    { selector: 'node.lod.rare', style: { label: 'data(name)' } },
    {
      selector: 'edge',
      style: {
        width: 1.6, 'line-color': e.spawn, 'target-arrow-color': e.spawn, 'target-arrow-shape': 'triangle',
        // Spawn edges: orthogonal, turning at a fixed distance from the parent, so all children of one
        // parent share one vertical bus (the layout is left to right, see tidy-layout.ts).
        'curve-style': 'taxi', 'taxi-direction': 'rightward', 'taxi-turn': SPAWN_TURN.lr, 'taxi-turn-min-distance': 8,
        // The +Δt label sits on the child's own horizontal stub, never on the shared bus.
        'arrow-scale': 0.8, 'target-label': 'data(label)', 'target-text-offset': 34, 'font-size': 10, color: p.text,
        'text-background-color': p.label, 'text-background-opacity': 0.9, 'text-background-padding': 2,
        'text-background-shape': 'round-rectangle', 'min-zoomed-font-size': 8,
      },
    },
    // Top-down layout (topdown-layout.ts): down, across, down into the child; to a stacked leaf, down the
    // parent's trunk and right into the leaf (a turn beyond the target makes Cytoscape draw that L).
    { selector: 'edge.td', style: { 'taxi-direction': 'downward', 'taxi-turn': SPAWN_TURN.td, 'target-text-offset': 30 } },
    { selector: 'edge.td.stack', style: { 'taxi-turn': 100000, 'target-text-offset': 22 } },
    { selector: 'edge.to-more', style: { 'line-style': 'dashed', 'target-label': '' } },
    {
      selector: 'edge.cross',
      // Each cross edge carries its bend as a class (`bend-p2`, to-elements.ts): parallel edges between one
      // pair fan out instead of lying on top of each other; the label rides beside the curve's apex.
      // A class per step, not a function style: function styles are re-evaluated per element on every restyle.
      style: {
        'target-label': '', label: 'data(label)', 'curve-style': 'unbundled-bezier', 'control-point-distances': [BEND], 'control-point-weights': [0.5],
        'line-style': 'dashed', width: 2, 'font-size': 9, 'z-index-compare': 'manual', 'z-index': 20,
      },
    },
    ...Array.from({ length: MAX_BENDS }, (_, i) => [i + 1, -(i + 1)]).flat().map((k) => ({ selector: `edge.${bendClass(k * BEND)}`, style: { 'control-point-distances': [k * BEND] } })),
    { selector: 'edge.remote-thread', style: { 'line-color': e.remoteThread, 'target-arrow-color': e.remoteThread, color: e.remoteThread } },
    { selector: 'edge.process-access', style: { 'line-color': e.access, 'target-arrow-color': e.access, color: e.access } },
    // Expand across (docs/lateral.md): one box per host, the lateral edge dashed between them, coloured by confidence.
    {
      selector: 'node.host',
      style: {
        shape: 'round-rectangle', 'background-color': p.text, 'background-opacity': 0.04, 'border-width': 2, 'border-style': 'dashed',
        'border-color': e.spawn, padding: 14, label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center', 'text-margin-y': -4,
        'font-size': 14, 'font-weight': 'bold', color: p.dimText, 'text-wrap': 'none', 'min-zoomed-font-size': 0, events: 'no',
      },
    },
    {
      selector: 'edge.lateral',
      style: {
        'curve-style': 'bezier', 'line-style': 'dashed', 'line-dash-pattern': [10, 5], width: 3, 'target-label': '', label: 'data(label)',
        'font-size': 11, 'font-weight': 'bold', 'z-index-compare': 'manual', 'z-index': 30, 'line-color': e.lateral, 'target-arrow-color': e.lateral, color: e.lateral,
      },
    },
    { selector: 'edge.lateral.conf-medium', style: { 'line-color': e.access, 'target-arrow-color': e.access, color: e.access } },
    // Marks (applied by the adapter): path to root, chain, find, time brush, hover, selection (last wins).
    { selector: 'edge.path', style: { 'line-color': e.path, 'target-arrow-color': e.path, width: 3 } },
    { selector: 'node.path', style: { 'border-width': 3, 'border-color': e.path } },
    { selector: 'edge.chain', style: { 'line-color': e.chain, 'target-arrow-color': e.chain, width: 5 } },
    { selector: 'node.chain', style: { 'border-width': 4, 'border-color': e.chain } },
    { selector: '.dim', style: { opacity: 0.22 } },
    { selector: '.time-dim', style: { opacity: 0.3 } },
    { selector: 'node.match', style: { 'border-width': 4, 'border-color': p.match, 'underlay-color': p.match, 'underlay-opacity': 0.3, 'underlay-padding': 6, opacity: 1 } },
    { selector: 'node.hover', style: { 'underlay-color': p.select, 'underlay-opacity': 0.2, 'underlay-padding': 6 } },
    // Flagged, selected and path-to-origin nodes keep their label at every zoom.
    { selector: 'node.lod.selected, node.lod.path, node.lod.chain, node.lod.match, node.lod.origin', style: { 'min-zoomed-font-size': 0 } },
    { selector: 'node.selected', style: { 'border-width': 4, 'border-color': p.select, 'underlay-color': e.path, 'underlay-opacity': 0.45, 'underlay-padding': 7, opacity: 1 } },
    // Sigma hits (docs/sigma.md): the fill tinted by the highest level; the label carries count + level.
    ...SIGMA_TINTS.map(([level, colour]) => ({ selector: `node.sigma-${level}`, style: { 'background-color': colour, 'background-opacity': theme === 'dark' ? 0.35 : 0.25 } })),
  ];
  // Kind colours go before marks so path/selection colours override them.
  const kinds = (Object.keys(k) as ProcessKind[]).map((kind) => ({ selector: `node.k-${kind}`, style: { 'border-color': k[kind] } }));
  return [styles[0]!, ...kinds, ...styles.slice(1)];
}
