/**
 * How the Cytoscape adapter changes the instance: first draw (camera + elements in view first, the rest
 * streamed in), later patches by id, marks as classes, and reading the drawn state back. Used only by
 * CytoscapeCanvas.tsx; kept apart so the component stays about React lifecycle and events.
 */
import type { Core } from 'cytoscape';
import { initialView, READABLE_ZOOM } from '../model/initial-view';
import { NODE_H, NODE_W } from '../model/tidy-layout';
import type { ElementDef } from '../model/to-elements';

/** Visual emphasis derived from the view (see highlight policy in GraphView). */
export interface Marks {
  selected: string | null;
  /** Node and edge ids on the selection's path to the root. */
  path: ReadonlySet<string>;
  /** Find matches; null when find is empty (nothing dimmed). */
  matches: ReadonlySet<string> | null;
  /** Rule-hit chain node and edge ids. */
  chain: ReadonlySet<string>;
  /** Nodes outside the timeline brush; null when no brush. */
  timeDimmed: ReadonlySet<string> | null;
  hover: string | null;
  /** Rare processes (prevalence) → the short figures drawn under their label; absent: none. */
  rare?: ReadonlyMap<string, string> | null;
}

/** What e2e tests and the bench read: derived from the Cytoscape instance, not from React state. */
export interface GraphState {
  nodes: string[];
  /** Edge ids: `spawn:<parent>><child>`, `remote-thread:<src>><dst>`, `process-access:<src>><dst>`. */
  edges: string[];
  selected: string | null;
  matches: string[];
  dimmed: string[];
  chain: string[];
  /** Nodes marked rare (prevalence). */
  rare: string[];
  /** Nodes dimmed by the timeline brush. */
  faded: string[];
  /** Host groups drawn (expand across): compound node id → the ids of the nodes inside it. */
  hosts: Record<string, string[]>;
  ready: boolean;
  /** Nodes or the camera are still animating (positions on screen are not final). */
  animating: boolean;
  renders: number;
}

export const MARK_CLASSES = 'selected path match dim chain time-dim hover rare';
const ANIMATE_MAX = 300;
/** Classes owned by the adapter (marks, level of detail) that a structural patch must keep. */
const KEPT_CLASSES = [...MARK_CLASSES.split(' '), 'lod'];
/**
 * Below this zoom, nodes show the image name only (graph-styles.ts `node.lod`). Just above the zoom where
 * the full 11 px label would drop under its 7 px minimum (0.64), so there is no zoom with blank boxes.
 */
export const LOD_ZOOM = 0.65;

/** Sets or clears the level-of-detail class on every node to match the zoom (cheap when nothing changes). */
export function applyLod(cy: Core): void {
  const want = cy.zoom() < LOD_ZOOM;
  const nodes = want ? cy.nodes(':not(.lod)') : cy.nodes('.lod');
  if (nodes.empty()) return;
  cy.batch(() => { if (want) nodes.addClass('lod'); else nodes.removeClass('lod'); });
}

const toCy = (d: ElementDef, position?: { x: number; y: number }) => ({
  group: d.group, data: d.data, classes: d.classes, position: d.group === 'nodes' ? position ?? d.position : undefined,
});

/**
 * First draw: the camera from initialView(), and only the elements in (and around) that view, so a big
 * graph is interactive before Cytoscape has styled every off-screen element. Returns the rest.
 */
export function firstDraw(cy: Core, defs: ElementDef[], anchor: string | null, camera: { zoom: number; x: number; y: number } | null = null): ElementDef[] {
  const positions = new Map<string, { x: number; y: number }>();
  for (const d of defs) if (d.group === 'nodes' && d.position) positions.set(d.data.id, d.position);
  const view = initialView(positions, anchor, cy.width(), cy.height());
  // Host groups (compound nodes, no position) go in first: the nodes inside them name them as parent.
  const inFirst = (d: ElementDef) => (d.group === 'nodes'
    ? !d.position || view.inView.has(d.data.id)
    : view.inView.has(String(d.data.source)) && view.inView.has(String(d.data.target)));
  const first = defs.filter(inFirst);
  const rest = defs.filter((d) => !inFirst(d)).sort((a, b) => (a.group === b.group ? 0 : a.group === 'nodes' ? -1 : 1));
  cy.batch(() => { cy.add(first.map((d) => toCy(d)) as never); });
  // A camera from the URL wins (the elements it shows may arrive a frame later, streamed in).
  cy.viewport(camera ? { zoom: camera.zoom, pan: { x: camera.x, y: camera.y } } : { zoom: view.zoom, pan: view.pan });
  return rest;
}

const STREAM_CHUNK = 2000;

/** Adds `rest` in chunks between frames (nodes before edges), then calls `done`. */
export function streamIn(cy: Core, rest: ElementDef[], timer: { current: ReturnType<typeof setTimeout> | null }, done: () => void): void {
  let i = 0;
  const step = () => {
    timer.current = null;
    const chunk = rest.slice(i, i + STREAM_CHUNK);
    i += chunk.length;
    cy.batch(() => { cy.add(chunk.map((d) => toCy(d)) as never); });
    if (i < rest.length) timer.current = setTimeout(step, 0);
    else done();
  };
  timer.current = setTimeout(step, 0);
}

/**
 * Later updates: remove, add and patch by id in one batch. When the node set changed, nodes move to
 * their new layout positions (animated for small graphs; new ones grow out of their parent), the
 * anchor is held still on screen and new nodes that landed off screen are brought into view.
 */
export function patch(cy: Core, defs: ElementDef[], anchorId: string | null): void {
  const anchorNode = anchorId ? cy.getElementById(anchorId) : null;
  const anchorBefore = anchorNode && anchorNode.nonempty() ? { ...anchorNode.renderedPosition() } : null;
  const next = new Map(defs.map((d) => [d.data.id, d]));
  let nodeSetChanged = false;
  const added: ElementDef[] = [];
  cy.batch(() => {
    cy.elements().forEach((el) => {
      if (!next.has(el.id())) { if (el.isNode()) nodeSetChanged = true; el.remove(); }
    });
    for (const d of defs) {
      const el = cy.getElementById(d.data.id);
      if (el.empty()) { added.push(d); if (d.group === 'nodes') nodeSetChanged = true; continue; }
      if (el.data('label') !== d.data.label) el.data('label', d.data.label);
      // Keep mark classes (owned by applyMarks) when replacing structural classes.
      const marks = KEPT_CLASSES.filter((c) => el.hasClass(c));
      const want = [d.classes, ...marks].join(' ');
      if (el.classes().join(' ') !== want) el.classes(want);
    }
    const parentPos = new Map<string, { x: number; y: number }>();
    for (const d of added) if (d.group === 'edges') {
      const src = cy.getElementById(String(d.data.source));
      if (src.nonempty()) parentPos.set(String(d.data.target), { ...src.position() });
    }
    cy.add(added.map((d) => toCy(d, parentPos.get(d.data.id))) as never);
    // Host groups (expand across) appear and go: existing nodes move into or out of their compound node.
    for (const d of defs) {
      if (d.group !== 'nodes') continue;
      const el = cy.getElementById(d.data.id);
      const want = (d.data.parent as string | undefined) ?? null;
      if (el.nonempty() && (el.data('parent') ?? null) !== want) el.move({ parent: want });
    }
  });
  // Same nodes but a different layout (the layout choice changed): move them too.
  const moved = !nodeSetChanged && defs.some((d) => d.group === 'nodes' && d.position && (cy.getElementById(d.data.id).position().x !== d.position.x || cy.getElementById(d.data.id).position().y !== d.position.y));
  if (!nodeSetChanged && !moved) return;
  const animate = defs.length <= ANIMATE_MAX;
  cy.batch(() => {
    for (const d of defs) {
      if (d.group !== 'nodes' || !d.position) continue;
      const n = cy.getElementById(d.data.id);
      const p = n.position();
      if (p.x === d.position.x && p.y === d.position.y) continue;
      if (animate) n.animate({ position: d.position }, { duration: 220, easing: 'ease-out-cubic' });
      else n.position(d.position);
    }
  });
  // Hold the anchor still on screen: pan by how far its layout position moved.
  const target = anchorId ? next.get(anchorId)?.position : undefined;
  if (anchorNode && anchorNode.nonempty() && anchorBefore && target) {
    const z = cy.zoom();
    cy.pan({ x: anchorBefore.x - target.x * z, y: anchorBefore.y - target.y * z });
  }
  // "N more" nodes keep their id while moving to the end of the new page, so they count as new too.
  const shown = added.filter((d) => d.group === 'nodes').map((d) => d.data.id);
  for (const d of defs) if (d.group === 'nodes' && d.classes.startsWith('more')) shown.push(d.data.id);
  revealNew(cy, shown, next);
}

/** Applies the marks as classes, touching only elements that carry a mark now or will. */
export function applyMarks(cy: Core, m: Marks): void {
  cy.batch(() => {
    cy.$(MARK_CLASSES.split(' ').map((c) => `.${c}`).join(', ')).removeClass(MARK_CLASSES);
    if (m.matches) {
      cy.elements().addClass('dim');
      for (const id of m.matches) cy.getElementById(id).removeClass('dim').addClass('match');
    }
    if (m.timeDimmed) for (const id of m.timeDimmed) cy.getElementById(id).addClass('time-dim');
    for (const id of m.chain) cy.getElementById(id).addClass('chain');
    for (const id of m.path) cy.getElementById(id).addClass('path').removeClass('dim');
    if (m.hover) cy.getElementById(m.hover).addClass('hover');
    // The rare label is the node's own label plus the figures (re-derived here after every patch).
    if (m.rare) for (const [id, text] of m.rare) { const n = cy.getElementById(id); if (n.nonempty()) n.data('rareLabel', `${n.data('label')}\n◆ ${text}`).addClass('rare'); }
    if (m.selected) cy.getElementById(m.selected).addClass('selected').removeClass('dim');
  });
}

/**
 * After an expansion, brings the new nodes into view if any landed off screen, using their layout
 * positions (they may still be animating out of their parent). Never zooms in, and never zooms out past
 * readable labels: when they do not all fit, the top of the new block is shown (the first children).
 */
function revealNew(cy: Core, ids: string[], defs: Map<string, ElementDef>): void {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const id of ids) {
    const p = defs.get(id)?.position;
    if (!p) continue;
    x1 = Math.min(x1, p.x - NODE_W / 2); x2 = Math.max(x2, p.x + NODE_W / 2);
    y1 = Math.min(y1, p.y - NODE_H / 2); y2 = Math.max(y2, p.y + NODE_H / 2);
  }
  if (!Number.isFinite(x1)) return;
  const ext = cy.extent();
  if (x1 >= ext.x1 && x2 <= ext.x2 && y1 >= ext.y1 && y2 <= ext.y2) return;
  const pad = 40;
  const z = cy.zoom();
  const fitZoom = Math.min((cy.width() - 2 * pad) / (x2 - x1), (cy.height() - 2 * pad) / (y2 - y1));
  const zoom = Math.min(z, Math.max(fitZoom, Math.min(z, READABLE_ZOOM)));
  const cx = (x1 + x2) / 2;
  const fitsTall = (y2 - y1) * zoom <= cy.height() - 2 * pad;
  const panY = fitsTall ? cy.height() / 2 - ((y1 + y2) / 2) * zoom : pad - y1 * zoom;
  cy.animate({ zoom, pan: { x: cy.width() / 2 - cx * zoom, y: panY } }, { duration: 250 });
}

export function readState(cy: Core, ready: boolean, renders: number): GraphState {
  const ids = (sel: string) => cy.$(sel).map((n) => n.id()).sort();
  const hosts: Record<string, string[]> = {};
  cy.nodes(':parent').forEach((h) => { hosts[h.id()] = h.children().map((n) => n.id()).sort(); });
  return {
    hosts, nodes: ids('node:childless'), edges: ids('edge'), selected: cy.$('node.selected').first().id() ?? null, matches: ids('node.match'),
    dimmed: ids('node.dim'), chain: ids('node.chain'), rare: ids('node.rare'), faded: ids('node.time-dim'), ready,
    animating: cy.animated() || cy.nodes().some((n) => (n as unknown as { animated(): boolean }).animated()), renders,
  };
}

type Box = { x1: number; y1: number; x2: number; y2: number };
/** Rendered (screen px, canvas-relative) boxes of what is drawn, for e2e overlap checks. */
export interface DrawnBoxes {
  nodes: Array<{ id: string; box: Box; label: Box | null }>;
  /** Cross edges: the label box and the curve's midpoint. */
  cross: Array<{ id: string; label: Box | null; mid: { x: number; y: number } }>;
  /** Host groups (compound nodes, expand across), label included. */
  hosts: Array<{ id: string; box: Box }>;
  zoom: number;
}

export function readBoxes(cy: Core): DrawnBoxes {
  const bb = (b: { x1: number; y1: number; x2: number; y2: number; w: number }) => (b.w > 0 ? { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 } : null);
  const z = cy.zoom(), pan = cy.pan();
  const toScreen = (b: Box | null) => (b ? { x1: b.x1 * z + pan.x, y1: b.y1 * z + pan.y, x2: b.x2 * z + pan.x, y2: b.y2 * z + pan.y } : null);
  return {
    zoom: z,
    nodes: cy.nodes(':childless').map((n) => ({
      id: n.id(),
      box: toScreen(bb(n.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false } as never)))!,
      label: toScreen(n.style('label') ? bb(n.boundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false } as never)) : null),
    })),
    hosts: cy.nodes(':parent').map((n) => ({ id: n.id(), box: toScreen(bb(n.boundingBox({ includeLabels: true } as never)))! })),
    cross: cy.edges('.cross').map((e) => {
      const m = e.midpoint();
      return { id: e.id(), label: toScreen(bb(e.boundingBox({ includeEdges: false, includeLabels: true, includeOverlays: false } as never))), mid: { x: m.x * z + pan.x, y: m.y * z + pan.y } };
    }),
  };
}
