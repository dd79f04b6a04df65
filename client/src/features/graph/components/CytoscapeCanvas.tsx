/**
 * THE Cytoscape adapter: the only component that touches a Cytoscape instance (client/README.md).
 * - The instance is created once into a div React never re-renders, and destroyed on unmount.
 * - First draw: the camera starts readable around the anchor and the elements in view go in first; the
 *   rest stream in between frames (a 2,000-node graph is interactive before all of it is styled).
 * - Later, elements are patched by id in one batch: removed, added, data/classes updated in place.
 * - Positions are applied only when the node set changes; the `anchor` node (the one just expanded or
 *   selected) keeps its place on screen, new nodes grow out of their parent. (cy-updates.ts)
 * - Selection, find, path and brush are "marks" applied as classes; they never rebuild elements.
 * - Events leave as ids only (onSelect/onActivate/onHover): Cytoscape types stay in this folder.
 * - After every update it publishes the drawn state (from the instance itself) to a hidden
 *   `data-testid="graph-state"` element and `window.__lineage`, which e2e tests and the bench read —
 *   in the e2e build only (lib/probes.ts): the production bundle has neither.
 */
import { forwardRef, memo, useEffect, useImperativeHandle, useRef } from 'react';
import cytoscape, { type Core, type EdgeSingular, type NodeSingular } from 'cytoscape';
import { markOnce } from '../../../lib/perf';
import { PROBES } from '../../../lib/probes';
import type { ElementDef } from '../model/to-elements';
import { applyLod, applyMarks, firstDraw, patch, readBoxes, readState, streamIn, type DrawnBoxes, type GraphState, type Marks } from './cy-updates';
import { graphStyles, type Theme } from './graph-styles';
import { fitView, layoutBounds } from '../model/initial-view';
import type { Camera } from '../../../state/url-state';

export type { DrawnBoxes, GraphState, Marks } from './cy-updates';

/** Imperative controls for the toolbar and export. */
export interface CanvasHandle {
  /** The whole graph if it stays readable, else the anchor's neighbourhood at the minimum fit zoom; true when all of it is in view. */
  fit(): boolean;
  zoomBy(factor: number): void;
  center(id: string): void;
  /** PNG of the whole graph as a Blob. */
  png(background: string): Promise<Blob>;
  /** The element definitions drawn now (for the SVG export). */
  elements(): ElementDef[];
  /** The model-space rectangle in view (null before the instance exists). */
  extent(): { x1: number; y1: number; x2: number; y2: number } | null;
  /** Calls `fn` on every camera change; returns the unsubscribe function. */
  onViewport(fn: () => void): () => void;
  /** Moves the camera (same zoom) so the model point `p` is centred; recorded like a user pan. */
  centerAt(p: { x: number; y: number }): void;
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
  /** Camera from the URL, used by the first draw instead of the computed opening view. */
  camera?: Camera | null;
  /** The user moved the camera (pan, wheel/pinch zoom, zoom buttons, fit); debounced. */
  onCamera?(c: Camera): void;
}

declare global {
  interface Window {
    __lineage?: {
      state(): GraphState; nodePosition(id: string): { x: number; y: number } | null; boxes(): DrawnBoxes; camera(): { zoom: number; x: number; y: number };
      /** Centres node `id` at the current zoom, no animation (tests and the bench bring a node on screen to click it). */
      reveal(id: string): void;
    };
  }
}

export const CytoscapeCanvas = memo(forwardRef<CanvasHandle, Props>(function CytoscapeCanvas(props, ref) {
  const hostRef = useRef<HTMLDivElement>(null);
  const stateRef = useRef<HTMLOutputElement>(null);
  const cyRef = useRef<Core | null>(null);
  const cb = useRef(props);
  cb.current = props;
  const renders = useRef(0);
  const recordCamera = useRef<() => void>(() => undefined);
  /** Timer of the chunked first draw still streaming elements in (cancelled by any newer update). */
  const streamRef = useRef<ReturnType<typeof setTimeout> | null>(null);

  const publish = (ready: boolean) => {
    const cy = cyRef.current;
    if (!PROBES || !cy || !stateRef.current) return;
    stateRef.current.textContent = JSON.stringify(readState(cy, ready, renders.current));
    stateRef.current.dataset.ready = String(ready);
  };

  // Create once. Cytoscape cannot be re-parented, so the host div must live as long as this component.
  useEffect(() => {
    const cy = cytoscape({
      container: hostRef.current, style: graphStyles(cb.current.theme) as never, elements: [],
      layout: { name: 'preset' }, minZoom: 0.03, maxZoom: 3, autoungrabify: true, autounselectify: true,
      boxSelectionEnabled: false,
      // While panning/zooming, big graphs move as a bitmap of the last frame and redraw when the camera stops.
      textureOnViewport: true,
    });
    cyRef.current = cy;
    // Host groups (compound nodes, expand across) are frames, not processes: only childless nodes act.
    cy.on('tap', 'node:childless', (e) => {
      const id = (e.target as NodeSingular).id();
      if ((e.target as NodeSingular).hasClass('more')) cb.current.onActivate(id);
      else cb.current.onSelect(id);
    });
    // A lateral edge selects its far end, whose side panel shows the link's evidence.
    cy.on('tap', 'edge.lateral', (e) => cb.current.onSelect((e.target as EdgeSingular).target().id()));
    cy.on('dbltap', 'node:childless', (e) => cb.current.onActivate((e.target as NodeSingular).id()));
    cy.on('tap', (e) => { if (e.target === cy) cb.current.onSelect(null); });
    cy.on('mouseover', 'node:childless', (e) => cb.current.onHover((e.target as NodeSingular).id()));
    cy.on('mouseout', 'node', () => cb.current.onHover(null));
    cy.on('zoom', () => applyLod(cy));
    let camTimer: ReturnType<typeof setTimeout> | null = null;
    recordCamera.current = () => {
      if (camTimer) clearTimeout(camTimer);
      camTimer = setTimeout(() => { const pan = cy.pan(); cb.current.onCamera?.({ zoom: cy.zoom(), x: pan.x, y: pan.y }); }, 400);
    };
    cy.on('dragpan scrollzoom pinchzoom', () => recordCamera.current());
    // The host changes size when the list, the side panel or the graph itself is shown, hidden or resized.
    const ro = new ResizeObserver(() => { if (hostRef.current?.offsetParent) cy.resize(); });
    ro.observe(hostRef.current!);
    if (PROBES) window.__lineage = {
      state: () => readState(cy, stateRef.current?.dataset.ready === 'true', renders.current),
      boxes: () => readBoxes(cy),
      camera: () => ({ zoom: cy.zoom(), ...cy.pan() }),
      reveal: (id) => { const n = cy.getElementById(id); if (n.nonempty()) cy.center(n); },
      nodePosition: (id) => {
        const n = cy.getElementById(id);
        if (n.empty()) return null;
        const r = hostRef.current!.getBoundingClientRect();
        const p = n.renderedPosition();
        return { x: r.left + p.x, y: r.top + p.y };
      },
    };
    return () => {
      if (streamRef.current) clearTimeout(streamRef.current);
      ro.disconnect(); cy.destroy(); cyRef.current = null;
      if (PROBES) delete window.__lineage;
    };
  }, []);

  useEffect(() => { cyRef.current?.style(graphStyles(props.theme) as never); }, [props.theme]);

  // Patch elements by id; lay out only when the node set changed.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    if (streamRef.current) { clearTimeout(streamRef.current); streamRef.current = null; }
    const defs = props.elements;
    if (defs.length) markOnce('lineage:cy-start');
    const finish = (ready: boolean, painted?: () => void) => {
      applyMarks(cy, cb.current.marks);
      applyLod(cy);
      renders.current++;
      publish(false);
      // "Interactive" = elements in, positioned, and a frame painted.
      cy.one('render', () => requestAnimationFrame(() => {
        publish(ready);
        if (defs.length) markOnce('lineage:interactive');
        if (ready && defs.length) markOnce('lineage:complete');
        painted?.();
      }));
      cy.forceRender();
    };
    if (cy.nodes().empty()) {
      cy.resize(); // the host may have changed size since creation (list or panel appearing in the same commit)
      const rest = firstDraw(cy, defs, cb.current.anchor, cb.current.camera ?? null);
      if (defs.length) markOnce('lineage:cy-end');
      // The rest streams in only after the first view is painted (each chunk costs a restyle and a frame).
      finish(rest.length === 0, rest.length ? () => streamIn(cy, rest, streamRef, () => finish(true)) : undefined);
      return;
    }
    patch(cy, defs, cb.current.anchor); // the anchor as of this update; it alone never redraws
    finish(true);
  }, [props.elements]);

  // Marks: classes only.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    applyMarks(cy, props.marks);
    if (PROBES) publish(stateRef.current?.dataset.ready === 'true');
  }, [props.marks]);

  useImperativeHandle(ref, () => ({
    fit: () => {
      const cy = cyRef.current;
      const defs = cb.current.elements;
      const b = layoutBounds(defs.flatMap((d) => (d.group === 'nodes' && d.position ? [d.position] : [])));
      if (!cy || !b) return true;
      const anchor = cb.current.anchor ? defs.find((d) => d.data.id === cb.current.anchor)?.position ?? null : null;
      const v = fitView(b, anchor, cy.width(), cy.height());
      cy.viewport({ zoom: v.zoom, pan: v.pan });
      recordCamera.current();
      return v.fitsAll;
    },
    zoomBy: (f) => {
      const cy = cyRef.current;
      if (!cy) return;
      cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      recordCamera.current();
    },
    center: (id) => {
      const cy = cyRef.current;
      const n = cy?.getElementById(id);
      if (cy && n && n.nonempty()) cy.animate({ center: { eles: n } }, { duration: 200 });
    },
    elements: () => cb.current.elements,
    extent: () => (cyRef.current ? cyRef.current.extent() : null),
    onViewport: (fn) => {
      const cy = cyRef.current;
      if (!cy) return () => undefined;
      cy.on('viewport', fn);
      return () => { cy.off('viewport', fn); };
    },
    centerAt: (p) => {
      const cy = cyRef.current;
      if (!cy) return;
      const z = cy.zoom();
      cy.pan({ x: cy.width() / 2 - p.x * z, y: cy.height() / 2 - p.y * z });
      recordCamera.current();
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
      {PROBES && <output ref={stateRef} data-testid="graph-state" hidden />}
    </>
  );
}));
