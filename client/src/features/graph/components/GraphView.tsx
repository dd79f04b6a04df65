/**
 * The graph area: toolbar (find, expand/collapse, parent, fit/zoom, legend), the Cytoscape canvas with
 * its loading/empty/error states, and tree keyboard navigation. Data comes in as a VisibleGraph; every
 * gesture goes out as a view-state change through `onView`.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { ViewState } from '../../../state/url-state';
import { activate as activateIn, collapse, expandLevel, expandParent, select } from '../model/view-actions';
import { StateMessage } from '../../../components/StateMessage';
import { markOnce } from '../../../lib/perf';
import { navigate, type NavKey } from '../model/navigation';
import { chooseLayout, type Layout, type LayoutChoice } from '../model/topdown-layout';
import { toElements } from '../model/to-elements';
import type { VisibleGraph } from '../model/visible-graph';
import { CytoscapeCanvas, type CanvasHandle, type Marks } from './CytoscapeCanvas';
import type { Theme } from './graph-styles';
import { Legend } from './Legend';
import { Minimap } from './Minimap';

interface Props {
  view: ViewState;
  onView(fn: (v: ViewState) => ViewState): void;
  graph: VisibleGraph | null;
  status: 'idle' | 'pending' | 'error' | 'success';
  error: Error | null;
  busy: boolean;
  marks: Marks;
  theme: Theme;
  canvasRef: RefObject<CanvasHandle | null>;
  onHover(id: string | null): void;
  onRetry(): void;
  findRef: RefObject<HTMLInputElement | null>;
  expansionErrors: Map<string, string>;
  /** The list alone is shown: the graph stays mounted (its camera and elements survive) but hidden. */
  hidden: boolean;
  /** Find results over every loaded process: total, how many are drawn, and the one jumped to (-1: none). */
  findInfo: { count: number; drawn: number; at: number };
  /** Enter / Shift+Enter in the find box: jump to the next / previous match. */
  onFindStep(dir: 1 | -1): void;
}

/**
 * Layouts per drawn graph and choice. When the automatic choice is pinned (`layout=auto-td`) right after the
 * first draw, the pinned form is the very layout `auto` produced: the same object, so nothing is redrawn.
 */
const layouts = new WeakMap<VisibleGraph, Map<LayoutChoice, Layout>>();
function layoutFor(graph: VisibleGraph, choice: LayoutChoice): Layout {
  let byChoice = layouts.get(graph);
  if (!byChoice) layouts.set(graph, (byChoice = new Map()));
  const auto = byChoice.get('auto');
  const hit = byChoice.get(choice) ?? (auto?.mode === choice ? auto : undefined);
  if (hit) return hit;
  const l = chooseLayout({ roots: graph.roots, children: (id) => graph.nodes.get(id)?.children ?? [] }, choice);
  byChoice.set(choice, l);
  return l;
}

/** Above this many drawn nodes the minimap is shown unless turned off. */
const MAP_AUTO = 100;
const NAV_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);

export function GraphView(p: Props) {
  const { view, onView, graph, canvasRef, findRef, busy, error, expansionErrors, findInfo, hidden, marks, onFindStep, onHover, onRetry, status, theme } = p;
  // The legend lives in the side panel while nothing is selected; this toggles an overlay copy.
  const [legend, setLegend] = useState(false);
  // The node the camera keeps in view after an action (state, not a ref: it is read while rendering).
  const [anchor, setAnchor] = useState<string | null>(null);
  const regionRef = useRef<HTMLDivElement>(null);
  // The canvas handle exists after the first commit; the minimap subscribes once it does. A callback
  // ref both fills the page's ref (for its shortcuts and exports) and puts the handle in state for render.
  const [canvas, setCanvas] = useState<CanvasHandle | null>(null);
  const canvasRefCb = useCallback((h: CanvasHandle | null) => { canvasRef.current = h; setCanvas(h); }, [canvasRef]);
  // The minimap takes a 100 px strip under the canvas: on by default only for graphs too big to take in at once.
  const [mapChoice, setMapChoice] = useState<boolean | null>(null);
  // A forced layout, else the automatic one pinned for this view, else (first draw) chosen by shape.
  const layoutChoice: LayoutChoice = view.layout !== 'auto' ? view.layout : view.layoutPin ?? 'auto';
  const showMap = Boolean(graph && graph.nodes.size > 1 && (mapChoice ?? graph.nodes.size > MAP_AUTO));

  const layout = useMemo(() => {
    if (!graph) return null;
    markOnce('lineage:layout-start');
    const l = layoutFor(graph, layoutChoice);
    markOnce('lineage:layout-end');
    return l;
  }, [graph, layoutChoice]);
  const elements = useMemo(() => (graph && layout ? toElements(graph, layout.positions, layout) : []), [graph, layout]);
  // The automatic choice is made once per view, on its first drawn graph, and kept in the URL
  // (`layout=auto-td`): a later expansion that changes the tree's shape never flips the picture.
  const pinMode = view.layout === 'auto' && !view.layoutPin && graph && graph.nodes.size > 0 ? layout?.mode ?? null : null;
  useEffect(() => {
    if (pinMode) onView((s) => (s.layout === 'auto' && !s.layoutPin ? { ...s, layoutPin: pinMode } : s));
  }, [pinMode, onView]);

  const act = (fn: (v: ViewState) => ViewState, anchorId: string | null) => {
    setAnchor(anchorId);
    onView(fn);
  };
  const activate = (id: string) => {
    if (!graph) return;
    const v = graph.nodes.get(id);
    act((s) => activateIn(s, graph, id), v?.kind === 'group' ? v.parent : v?.moreFor ?? id);
  };

  // Keep the keyboard selection on screen.
  useEffect(() => {
    if (view.selected && document.activeElement === regionRef.current) canvas?.center(view.selected);
  }, [view.selected, canvas]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!graph) return;
    if (NAV_KEYS.has(e.key)) {
      e.preventDefault();
      const cur = view.selected ? graph.nodes.get(view.selected) : undefined;
      if (e.key === 'ArrowLeft' && cur?.canExpandParent) return act((s) => expandParent(s, cur.id), cur.id);
      const next = navigate(graph, view.selected, e.key as NavKey);
      if (next) onView((s) => select(s, next));
    } else if (e.key === 'Enter' && view.selected) {
      e.preventDefault();
      activate(view.selected);
    } else if (e.key === '-' && view.selected) {
      act((s) => collapse(s, view.selected!), view.selected);
    }
  };

  // Fit: when the whole graph is not readable at once, the minimap comes on for the rest; its strip takes
  // 100 px from the canvas, so frame again once the canvas has been resized (two frames later).
  const fit = () => {
    if (!canvas || canvas.fit() || mapChoice !== null) return;
    setMapChoice(true);
    requestAnimationFrame(() => requestAnimationFrame(() => canvas.fit()));
  };

  const sel = view.selected && graph ? graph.nodes.get(view.selected) : undefined;
  const top = graph ? graph.roots.map((r) => graph.nodes.get(r)!).find((v) => v.canExpandParent) : undefined;
  const f = findInfo;
  const findText = f.count === 0 ? 'No matches' : `${f.at >= 0 ? `${f.at + 1} of ` : ''}${f.count} match${f.count === 1 ? '' : 'es'}${f.drawn < f.count ? ` (${f.count - f.drawn} under collapsed nodes)` : ''}`;

  return (
    <section className="graph-area" aria-label="Process graph" hidden={hidden}>
      <div className="toolbar" role="toolbar" aria-label="Graph controls">
        <label className="find">
          <span className="sr-only">Find in graph</span>
          <input
            ref={findRef} type="search" placeholder="Find in graph  ( / )" value={view.find} aria-label="Find in graph"
            onChange={(e) => { const t = e.target.value; onView((s) => ({ ...s, find: t })); }}
            onKeyDown={(e) => { if (e.key === 'Escape') { onView((s) => ({ ...s, find: '' })); regionRef.current?.focus(); } if (e.key === 'Enter') { e.preventDefault(); onFindStep(e.shiftKey ? -1 : 1); } }}
          />
        </label>
        {view.find && <span className="find-count" aria-live="polite" data-testid="find-count">{findText}</span>}
        {view.find && <button type="button" disabled={f.count === 0} onClick={() => onFindStep(-1)} aria-label="Previous match" title="Previous match (Shift+Enter)">‹</button>}
        {view.find && <button type="button" disabled={f.count === 0} onClick={() => onFindStep(1)} aria-label="Next match" title="Next match (Enter)">›</button>}
        <button type="button" disabled={!sel || sel.kind === 'more'} onClick={() => sel && activate(sel.id)} aria-label="Expand or collapse selected node" title="Expand / collapse (Enter)">Expand</button>
        <button type="button" disabled={!sel || sel.children.length === 0} onClick={() => sel && act((s) => collapse(s, sel.id), sel.id)} aria-label="Collapse selected node" title="Collapse (−)">Collapse</button>
        <button type="button" disabled={!graph} onClick={() => graph && act((s) => expandLevel(s, graph), view.selected)} aria-label="Expand one more level everywhere" title="Expand every expandable node">Level +1</button>
        <button type="button" disabled={!top} onClick={() => top && act((s) => expandParent(s, top.id), top.id)} aria-label="Show parent of topmost node" title="Fetch the parent of the topmost node (← on it)">Parent ▲</button>
        <button type="button" onClick={fit} aria-label="Fit graph to view" title="Fit (f): all of it when readable, else the selection's neighbourhood (the minimap shows the rest)">Fit</button>
        <button type="button" onClick={() => canvas?.zoomBy(1.25)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => canvas?.zoomBy(0.8)} aria-label="Zoom out">−</button>
        <select aria-label="Graph layout" title="Layout: chosen by the tree's shape, or forced" value={view.layout} onChange={(e) => { const l = e.target.value as ViewState['layout']; act((s) => ({ ...s, layout: l, layoutPin: null, camera: null }), view.selected ?? graph?.origin ?? null); }}>
          <option value="auto">{`Layout: auto${view.layout === 'auto' && layout ? (layout.mode === 'td' ? ' ↓' : ' →') : ''}`}</option>
          <option value="lr">Left → right</option>
          <option value="td">Top ↓ down</option>
        </select>
        <button type="button" aria-pressed={legend} onClick={() => setLegend(!legend)} aria-label="Toggle legend">Legend</button>
        <button type="button" aria-pressed={showMap} disabled={!graph} onClick={() => setMapChoice(!showMap)} aria-label="Toggle minimap">Map</button>
        {busy && <span className="busy" role="status"><span className="spinner" aria-hidden="true" /> loading…</span>}
      </div>
      <div
        ref={regionRef} className={`graph-region${showMap ? ' map-below' : ''}`} tabIndex={0} role="application" onKeyDown={onKeyDown}
        aria-label="Process graph. Left: parent. Right: first child. Up and down: siblings. Enter: expand or collapse. Minus: collapse. Escape: clear. Slash: find. F: fit."
        aria-describedby="graph-announce"
      >
        <CytoscapeCanvas
          ref={canvasRefCb} elements={elements} marks={marks} anchor={anchor ?? view.selected ?? graph?.origin ?? null} theme={theme}
          onSelect={(id) => onView((s) => select(s, id))} onActivate={activate} onHover={onHover}
          camera={view.camera} onCamera={(c) => onView((s) => ({ ...s, camera: c }))}
        />
        {status === 'pending' && <div className="overlay"><StateMessage kind="loading">Building the process graph…</StateMessage></div>}
        {status === 'error' && <div className="overlay"><StateMessage kind="error" onRetry={onRetry}>Could not load the graph: {error?.message}</StateMessage></div>}
        {status === 'success' && graph && graph.nodes.size === 0 && <div className="overlay"><StateMessage kind="empty">No processes in this window.</StateMessage></div>}
        {expansionErrors.size > 0 && (
          <div className="overlay-bottom" role="alert">
            {[...expansionErrors].map(([id, msg]) => <div key={id}>Expanding {graph?.nodes.get(id)?.node?.name ?? id} failed: {msg}</div>)}
          </div>
        )}
        {legend && <Legend theme={theme} />}
        {/* The minimap has a strip of its own under the canvas: over the canvas's corner it hid nodes. */}
        {showMap && <div className="map-strip"><Minimap elements={elements} canvas={canvas} /></div>}
      </div>
      <p id="graph-announce" className="sr-only" aria-live="polite">
        {sel?.node ? `Selected ${sel.node.name} pid ${sel.node.pid ?? 'unknown'}, ${sel.children.length} children shown` : sel?.kind === 'more' ? `${sel.moreCount ?? 'More'} more children; press Enter to load` : ''}
      </p>
    </section>
  );
}
