/**
 * The URL holds the whole investigation view (docs/api.md "The investigation URL"). This module is the ONLY place that knows
 * the parameter names: everything else works with {@link ViewState}. Opening a serialised URL in a fresh
 * browser must reproduce the same graph and selection, so every piece of state that changes what is
 * drawn (expansions, collapses, pages loaded, selection, find text, panel view) lives here.
 *
 * Format (all optional; GUID lists comma separated, canonical lowercase with braces):
 *   /?src=embedded&guid={…}&host=WS1&from=ISO&to=ISO&down=1
 *     &exp={a}*2,{b}      expanded nodes, `*N` = N pages of children loaded (default 1)
 *     &par={c}            nodes whose ancestors were fetched ("parent ▲" on the topmost node)
 *     &hide={d}           collapsed nodes: their subtrees are hidden
 *     &sel={e}&panel=events&cat=network&ev=12
 *     &find=powershell&highlight={x},{y}    rule-hit chain drawn thicker
 *     &q=…&qhost=…&qimage=…                 entry search form
 *     &views=graph|list   only one of the graph and the process tree list (default: both side by side)
 *     &cam=0.8,120,-40    graph camera: zoom, pan x, pan y (restored on open)
 *     &brush=ms,ms        timeline brush (epoch ms, UTC)
 *     &xp=suspicion*40    expansion by suspicion (`auto`: only when the tree is large), `*N` = node budget (default 150)
 *     &rare=3             prevalence filter: only processes whose parent→child pair was seen on < 3 hosts
 *     &layout=lr|td       graph layout forced: left to right or top down
 *     &layout=auto-lr|auto-td   chosen by the tree's shape when the view was first drawn, then kept (absent: not chosen yet)
 *     &across={a},{b}     processes expanded across hosts: their lateral links and far sides drawn (docs/lateral.md)
 * Rule hits link with `/?guid=<leaf>&highlight=<oldest>,…,<leaf>` (investigationUrl below).
 */
import { canonicalGuid, DEFAULT_EXPAND_BUDGET, EXPAND_MODES, type ExpandMode } from '@lineage/shared';

/** An expansion by suspicion (docs/ui.md "Expand what matters"): the mode and budget, never a node list. */
export interface ExpandView { mode: ExpandMode; budget: number }

/** Which of the graph and the process tree list are shown. */
export type Views = 'both' | 'graph' | 'list';
const VIEWS: readonly Views[] = ['both', 'graph', 'list'];

export type LayoutMode = 'lr' | 'td';
/** Chosen by shape (`auto`), or forced left to right / top down (`layout=` in the URL). */
export type LayoutChoice = 'auto' | LayoutMode;
const LAYOUTS: readonly LayoutChoice[] = ['auto', 'lr', 'td'];

/** Graph camera (Cytoscape zoom and pan). */
export interface Camera { zoom: number; x: number; y: number }

/** Which side-panel view is open for the selected node. */
export type PanelView = 'details' | 'events' | 'raw';

/** The complete, serialisable investigation view. */
export interface ViewState {
  /** Data source the link was made against (`embedded` or `splunk`); informational, shown when it differs. */
  source: string | null;
  /** The origin process (outlined); null shows the entry screen. */
  guid: string | null;
  /** Disambiguates a GUID seen on two hosts. */
  host: string | null;
  /** Time window (ISO); null lets the server choose its default window around the origin. */
  from: string | null;
  to: string | null;
  /** Descendant levels asked of the first graph query. */
  down: number;
  /** Expanded node id → number of children pages loaded (≥ 1). Insertion order is kept. */
  expanded: Map<string, number>;
  /** Nodes whose ancestors chain was requested beyond the first graph. */
  parents: string[];
  /** Collapsed nodes: their descendants are not drawn. */
  hidden: string[];
  /** Selected node id. */
  selected: string | null;
  panel: PanelView;
  /** Event category chosen in the panel (null: all). */
  category: string | null;
  /** Index of the event shown raw, within the loaded event list of `category`. */
  event: number | null;
  /** Find-in-graph text. */
  find: string;
  /** A rule-hit chain to emphasise, oldest first. */
  highlight: string[];
  /** Entry search form. */
  query: { q: string; host: string; image: string };
  views: Views;
  /** Camera to restore; null lets the graph choose (the origin's neighbourhood). */
  camera: Camera | null;
  /** Timeline brush [from, to] in epoch ms; null: no brush. */
  brush: [number, number] | null;
  /** The first graph's nodes chosen by suspicion; null: the plain budget. */
  expand: ExpandView | null;
  /** Prevalence filter: only processes whose parent→child pair was seen on fewer hosts than this; null: off. */
  rare: number | null;
  layout: LayoutChoice;
  /**
   * With `layout` auto: the form chosen by shape when this view's graph was first drawn, kept from then on
   * so an expansion never flips the picture mid-investigation; null until then (docs/ui.md "Graph layout").
   */
  layoutPin: LayoutMode | null;
  /** Processes expanded across hosts (lateral links drawn in the graph), in order. */
  across: string[];
}

/** The empty view (the entry screen). */
export function emptyViewState(): ViewState {
  return {
    source: null, guid: null, host: null, from: null, to: null, down: 1, expanded: new Map(), parents: [],
    hidden: [], selected: null, panel: 'details', category: null, event: null, find: '', highlight: [],
    query: { q: '', host: '', image: '' }, views: 'both', camera: null, brush: null, expand: null, rare: null, layout: 'auto', layoutPin: null, across: [],
  };
}

/** Comma-separated finite numbers, exactly `n` of them, or null. */
function numbers(raw: string | null, n: number): number[] | null {
  if (!raw) return null;
  const parts = raw.split(',');
  if (parts.length !== n || parts.some((x) => !/^-?\d+(\.\d+)?$/.test(x))) return null;
  return parts.map(Number);
}

const PANELS: readonly PanelView[] = ['details', 'events', 'raw'];
const MAX_PAGES = 1000;

/**
 * Node ids in the URL: canonical ProcessGuids, or the server's synthetic ids (`group:…`, `more:…`), which
 * are kept verbatim. Anything else is dropped rather than trusted.
 */
function nodeId(raw: string): string | null {
  const t = raw.trim();
  if (!t) return null;
  const g = canonicalGuid(t);
  if (g) return g;
  return /^[a-z]+:[^,*\s]+$/i.test(t) ? t : null;
}

function idList(raw: string | null): string[] {
  if (!raw) return [];
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const id = nodeId(part);
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

function intOr(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw == null || !/^\d+$/.test(raw)) return fallback;
  return Math.min(max, Math.max(min, Number(raw)));
}

/** Parses a location search string (with or without `?`). Unknown or malformed values fall back to defaults. */
export function parseViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const s = emptyViewState();
  s.source = p.get('src') || null;
  s.guid = p.get('guid') ? nodeId(p.get('guid')!) : null;
  s.host = p.get('host') || null;
  s.from = p.get('from') || null;
  s.to = p.get('to') || null;
  s.down = intOr(p.get('down'), 1, 0, 50);
  for (const part of (p.get('exp') ?? '').split(',')) {
    const [rawId, rawPages] = part.split('*');
    const id = nodeId(rawId ?? '');
    if (id) s.expanded.set(id, intOr(rawPages ?? null, 1, 1, MAX_PAGES));
  }
  s.parents = idList(p.get('par'));
  s.hidden = idList(p.get('hide'));
  s.selected = p.get('sel') ? nodeId(p.get('sel')!) : null;
  const panel = p.get('panel');
  s.panel = PANELS.includes(panel as PanelView) ? (panel as PanelView) : 'details';
  s.category = p.get('cat') || null;
  s.event = p.get('ev') != null && /^\d+$/.test(p.get('ev')!) ? Number(p.get('ev')) : null;
  s.find = p.get('find') ?? '';
  s.highlight = idList(p.get('highlight'));
  s.query = { q: p.get('q') ?? '', host: p.get('qhost') ?? '', image: p.get('qimage') ?? '' };
  const views = p.get('views');
  s.views = VIEWS.includes(views as Views) ? (views as Views) : 'both';
  const cam = numbers(p.get('cam'), 3);
  s.camera = cam && cam[0]! > 0 ? { zoom: cam[0]!, x: cam[1]!, y: cam[2]! } : null;
  const brush = numbers(p.get('brush'), 2);
  s.brush = brush && brush[0]! < brush[1]! ? [brush[0]!, brush[1]!] : null;
  const [xpMode, xpBudget] = (p.get('xp') ?? '').split('*');
  if (EXPAND_MODES.includes(xpMode as ExpandMode)) s.expand = { mode: xpMode as ExpandMode, budget: intOr(xpBudget ?? null, DEFAULT_EXPAND_BUDGET, 1, 10_000) };
  s.rare = p.get('rare') != null && /^\d+$/.test(p.get('rare')!) ? intOr(p.get('rare'), 3, 1, 1_000_000) : null;
  const layout = p.get('layout') ?? '';
  const pinned = /^auto-(lr|td)$/.exec(layout);
  s.layout = pinned ? 'auto' : LAYOUTS.includes(layout as LayoutChoice) ? (layout as LayoutChoice) : 'auto';
  s.layoutPin = pinned ? (pinned[1] as LayoutMode) : null;
  s.across = idList(p.get('across'));
  return s;
}

/**
 * Serialises a view to a search string (leading `?`, or '' when empty). Default values are omitted so
 * links stay short; the order of parameters is fixed so equal views give equal URLs.
 */
export function serializeViewState(s: ViewState): string {
  const p = new URLSearchParams();
  const set = (k: string, v: string | null | undefined) => { if (v) p.set(k, v); };
  set('src', s.source);
  set('guid', s.guid);
  set('host', s.host);
  set('from', s.from);
  set('to', s.to);
  if (s.down !== 1) p.set('down', String(s.down));
  set('exp', [...s.expanded].map(([id, pages]) => (pages > 1 ? `${id}*${pages}` : id)).join(','));
  set('par', s.parents.join(','));
  set('hide', s.hidden.join(','));
  set('sel', s.selected);
  if (s.panel !== 'details') p.set('panel', s.panel);
  set('cat', s.category);
  if (s.event != null) p.set('ev', String(s.event));
  set('find', s.find);
  set('highlight', s.highlight.join(','));
  set('q', s.query.q);
  set('qhost', s.query.host);
  set('qimage', s.query.image);
  if (s.views !== 'both') p.set('views', s.views);
  if (s.camera) p.set('cam', [Math.round(s.camera.zoom * 1000) / 1000, Math.round(s.camera.x), Math.round(s.camera.y)].join(','));
  if (s.brush) p.set('brush', s.brush.map(Math.round).join(','));
  if (s.expand) p.set('xp', s.expand.budget === DEFAULT_EXPAND_BUDGET ? s.expand.mode : `${s.expand.mode}*${s.expand.budget}`);
  if (s.rare != null) p.set('rare', String(s.rare));
  if (s.layout !== 'auto') p.set('layout', s.layout);
  else if (s.layoutPin) p.set('layout', `auto-${s.layoutPin}`);
  set('across', s.across.join(','));
  const out = p.toString()
    // GUID punctuation is safe in a query string; keeping it readable makes links easy to eyeball.
    .replace(/%7B/gi, '{').replace(/%7D/gi, '}').replace(/%2C/gi, ',').replace(/%2A/gi, '*').replace(/%3A/gi, ':');
  return out ? `?${out}` : '';
}

/** A link that opens an investigation of `guid`, optionally with a rule-hit chain highlighted. */
export function investigationUrl(opts: {
  guid: string; host?: string | null; from?: string | null; to?: string | null; highlight?: string[]; source?: string | null;
}): string {
  const s = emptyViewState();
  s.guid = canonicalGuid(opts.guid) ?? opts.guid;
  s.host = opts.host ?? null;
  s.from = opts.from ?? null;
  s.to = opts.to ?? null;
  s.source = opts.source ?? null;
  s.highlight = (opts.highlight ?? []).map((g) => canonicalGuid(g) ?? g);
  s.selected = s.guid;
  return `/${serializeViewState(s)}`;
}

/** Opening a different origin resets everything that was relative to the previous graph. */
export function openProcess(prev: ViewState, guid: string, extra: Partial<ViewState> = {}): ViewState {
  return {
    ...emptyViewState(), source: prev.source, from: prev.from, to: prev.to, query: prev.query, views: prev.views, layout: prev.layout,
    // A forced layout carries over to the next process; an automatic one is chosen again for its tree
    // (the empty state's layoutPin: null).
    guid, selected: guid, ...extra,
  };
}

/** Whether moving from `a` to `b` is a big step worth its own history entry (pushState) or a small one (replaceState). */
export function isHistoryStep(a: ViewState, b: ViewState): boolean {
  if (a.guid !== b.guid || a.from !== b.from || a.to !== b.to || a.host !== b.host) return true;
  if (a.expand?.mode !== b.expand?.mode || a.expand?.budget !== b.expand?.budget) return true;
  if (a.across.join(',') !== b.across.join(',')) return true;
  if (a.expanded.size !== b.expanded.size || a.hidden.length !== b.hidden.length || a.parents.length !== b.parents.length) return true;
  for (const [k, v] of a.expanded) if (b.expanded.get(k) !== v) return true;
  return false;
}
