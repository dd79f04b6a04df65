/**
 * THE Cytoscape adapter: the only component that touches a Cytoscape instance (style-examples.md §2).
 * - The instance is created once into a div React never re-renders, and destroyed on unmount.
 * - Elements are patched by id in one batch: removed, added, data/classes updated in place.
 * - Positions are applied only when the node set changes; the `anchor` node (the one just expanded or
 *   selected) keeps its place on screen, new nodes grow out of their parent.
 * - Selection, find, path and brush are "marks" applied as classes; they never rebuild elements.
 * - Events leave as ids only (onSelect/onActivate/onHover): Cytoscape types stay in this file.
 * - After every update it publishes the drawn state (from the instance itself) to a hidden
 *   `data-testid="graph-state"` element and `window.__lineage`, which e2e tests and the bench read.
 */
import { forwardRef, memo, useEffect, useImperativeHandle, useRef } from 'react';
import cytoscape, { type Core, type NodeSingular } from 'cytoscape';
import type { ElementDef } from '../model/to-elements';
import { markOnce } from '../../../lib/perf';
import { graphStyles, type Theme } from './graph-styles';

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
}

/** Imperative controls for the toolbar and export. */
export interface CanvasHandle {
  fit(): void;
  zoomBy(factor: number): void;
  center(id: string): void;
  /** PNG of the whole graph as a Blob. */
  png(background: string): Promise<Blob>;
}

interface Props {
  elements: ElementDef[];
  marks: Marks;
  /** Node to hold still on screen when the layout changes (null: fit on first draw). */
  anchor: string | null;
  theme: Theme;
  onSelect(id: string | null): void;
  onActivate(id: string): void;
  onHover(id: string | null): void;
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
  ready: boolean;
  renders: number;
}

declare global {
  interface Window {
    __lineage?: { state(): GraphState; nodePosition(id: string): { x: number; y: number } | null };
  }
}

const MARK_CLASSES = 'selected path match dim chain time-dim hover';
const ANIMATE_MAX = 300;
/** Below this zoom node labels are too small to read; the first view never starts below it. */
const READABLE_ZOOM = 0.8;

function readState(cy: Core, ready: boolean, renders: number): GraphState {
  const ids = (sel: string) => cy.$(sel).map((n) => n.id()).sort();
  return {
    nodes: ids('node'), edges: ids('edge'), selected: cy.$('node.selected').first().id() ?? null, matches: ids('node.match'),
    dimmed: ids('node.dim'), chain: ids('node.chain'), ready, renders,
  };
}

export const CytoscapeCanvas = memo(forwardRef<CanvasHandle, Props>(function CytoscapeCanvas(props, ref) {
  const hostRef = useRef<HTMLDivElement>(null);
  const stateRef = useRef<HTMLOutputElement>(null);
  const cyRef = useRef<Core | null>(null);
  const cb = useRef(props);
  cb.current = props;
  const renders = useRef(0);

  const publish = (ready: boolean) => {
    const cy = cyRef.current;
    if (!cy || !stateRef.current) return;
    stateRef.current.textContent = JSON.stringify(readState(cy, ready, renders.current));
    stateRef.current.dataset.ready = String(ready);
  };

  // Create once. Cytoscape cannot be re-parented, so the host div must live as long as this component.
  useEffect(() => {
    const cy = cytoscape({
      container: hostRef.current, style: graphStyles(cb.current.theme) as never, elements: [],
      layout: { name: 'preset' }, minZoom: 0.03, maxZoom: 3, autoungrabify: true, autounselectify: true,
      boxSelectionEnabled: false,
    });
    cyRef.current = cy;
    cy.on('tap', 'node', (e) => {
      const id = (e.target as NodeSingular).id();
      if ((e.target as NodeSingular).hasClass('more')) cb.current.onActivate(id);
      else cb.current.onSelect(id);
    });
    cy.on('dbltap', 'node', (e) => cb.current.onActivate((e.target as NodeSingular).id()));
    cy.on('tap', (e) => { if (e.target === cy) cb.current.onSelect(null); });
    cy.on('mouseover', 'node', (e) => cb.current.onHover((e.target as NodeSingular).id()));
    cy.on('mouseout', 'node', () => cb.current.onHover(null));
    window.__lineage = {
      state: () => readState(cy, stateRef.current?.dataset.ready === 'true', renders.current),
      nodePosition: (id) => {
        const n = cy.getElementById(id);
        if (n.empty()) return null;
        const r = hostRef.current!.getBoundingClientRect();
        const p = n.renderedPosition();
        return { x: r.left + p.x, y: r.top + p.y };
      },
    };
    return () => { cy.destroy(); cyRef.current = null; delete window.__lineage; };
  }, []);

  useEffect(() => { cyRef.current?.style(graphStyles(props.theme) as never); }, [props.theme]);

  // Patch elements by id; lay out only when the node set changed.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const wasEmpty = cy.nodes().empty();
    if (props.elements.length) markOnce('lineage:cy-start');
    const anchorId = props.anchor;
    const anchorNode = anchorId ? cy.getElementById(anchorId) : null;
    const anchorBefore = anchorNode && anchorNode.nonempty() ? { ...anchorNode.renderedPosition() } : null;
    const next = new Map(props.elements.map((d) => [d.data.id, d]));
    let nodeSetChanged = false;
    const added: ElementDef[] = [];
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!next.has(el.id())) { if (el.isNode()) nodeSetChanged = true; el.remove(); }
      });
      for (const d of props.elements) {
        const el = cy.getElementById(d.data.id);
        if (el.empty()) { added.push(d); if (d.group === 'nodes') nodeSetChanged = true; continue; }
        if (el.data('label') !== d.data.label) el.data('label', d.data.label);
        // Keep mark classes (owned by the marks effect) when replacing structural classes.
        const marks = MARK_CLASSES.split(' ').filter((c) => el.hasClass(c));
        const want = [d.classes, ...marks].join(' ');
        if (el.classes().join(' ') !== want) el.classes(want);
      }
      // New nodes start at their parent's current position so they grow out of it.
      const parentPos = new Map<string, { x: number; y: number }>();
      for (const d of added) if (d.group === 'edges') {
        const src = cy.getElementById(String(d.data.source));
        if (src.nonempty()) parentPos.set(String(d.data.target), { ...src.position() });
      }
      cy.add(added.map((d) => ({
        group: d.group, data: d.data, classes: d.classes,
        position: d.group === 'nodes' ? (wasEmpty ? d.position : parentPos.get(d.data.id) ?? d.position) : undefined,
      })) as never);
    });
    if (nodeSetChanged && !wasEmpty) {
      const animate = props.elements.length <= ANIMATE_MAX;
      cy.batch(() => {
        for (const d of props.elements) {
          if (d.group !== 'nodes' || !d.position) continue;
          const n = cy.getElementById(d.data.id);
          const p = n.position();
          if (p.x === d.position.x && p.y === d.position.y) continue;
          if (animate) n.animate({ position: d.position }, { duration: 220, easing: 'ease-out-cubic' });
          else n.position(d.position);
        }
      });
      // Hold the anchor still on screen: pan by how far its layout position moved.
      const a = anchorId ? cy.getElementById(anchorId) : null;
      const target = anchorId ? next.get(anchorId)?.position : undefined;
      if (a && a.nonempty() && anchorBefore && target) {
        const z = cy.zoom();
        cy.pan({ x: anchorBefore.x - target.x * z, y: anchorBefore.y - target.y * z });
      }
    }
    if (wasEmpty && props.elements.length) {
      // First draw: fit, but never so small that labels become unreadable; then centre on the anchor
      // (the selected or origin process) so the analyst starts where the link pointed.
      cy.fit(undefined, 40);
      if (cy.zoom() > 1.1) { cy.zoom(1.1); cy.center(); }
      if (cy.zoom() < READABLE_ZOOM) {
        cy.zoom(READABLE_ZOOM);
        const a = anchorId ? cy.getElementById(anchorId) : null;
        cy.center(a && a.nonempty() ? a : undefined);
      }
    }
    if (props.elements.length) markOnce('lineage:cy-end');
    renders.current++;
    publish(false);
    // "Interactive" = elements in, laid out, and a frame painted.
    cy.one('render', () => requestAnimationFrame(() => {
      publish(true);
      if (props.elements.length) markOnce('lineage:interactive');
    }));
    cy.forceRender();
  }, [props.elements]);

  // Marks: classes only.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const m = props.marks;
    cy.batch(() => {
      cy.elements().removeClass(MARK_CLASSES);
      if (m.matches) {
        cy.elements().addClass('dim');
        for (const id of m.matches) cy.getElementById(id).removeClass('dim').addClass('match');
      }
      if (m.timeDimmed) for (const id of m.timeDimmed) cy.getElementById(id).addClass('time-dim');
      for (const id of m.chain) cy.getElementById(id).addClass('chain');
      for (const id of m.path) cy.getElementById(id).addClass('path').removeClass('dim');
      if (m.hover) cy.getElementById(m.hover).addClass('hover');
      if (m.selected) cy.getElementById(m.selected).addClass('selected').removeClass('dim');
    });
    publish(stateRef.current?.dataset.ready === 'true');
  }, [props.marks, props.elements]);

  useImperativeHandle(ref, () => ({
    fit: () => cyRef.current?.fit(undefined, 40),
    zoomBy: (f) => {
      const cy = cyRef.current;
      if (!cy) return;
      cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    },
    center: (id) => {
      const cy = cyRef.current;
      const n = cy?.getElementById(id);
      if (cy && n && n.nonempty()) cy.animate({ center: { eles: n } }, { duration: 200 });
    },
    png: async (background) => {
      const cy = cyRef.current;
      if (!cy) throw new Error('graph not ready');
      return cy.png({ output: 'blob-promise', full: true, bg: background, scale: 1, maxWidth: 8000, maxHeight: 8000 });
    },
  }), []);

  return (
    <>
      <div ref={hostRef} className="cy-host" data-testid="graph-canvas" />
      <output ref={stateRef} data-testid="graph-state" hidden />
    </>
  );
}));
