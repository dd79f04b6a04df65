/**
 * Page composition for one investigation: the graph, the timeline under it, the side panel, the
 * action strip (copy link, exports, cost), and the emphasis policy (selection path, find, rule chain,
 * time brush) turned into marks for the adapter.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { lineageKeys, nodeEventsQuery } from '../api/queries';
import { copyText } from '../components/CopyButton';
import { Resizer } from '../components/Resizer';
import { download, exportBaseName, toGraphDocument, toProcessCsv, toMarkdownTimeline, toSvg } from '../features/export';
import {
  activate, collapsedAbove, findMatches, GraphView, pathToRoot, processTotal, select, useInvestigation,
  type CanvasHandle, type Marks, type Theme, type VisibleGraph,
} from '../features/graph';
import { SourceWarnings } from '../components/SourceWarnings';
import { TreeList } from '../features/tree-list';
import { AddToNotable } from '../features/notable';
import { SidePanel } from '../features/panel';
import { Timeline, barsOf, outsideBrush, timelineBounds } from '../features/timeline';
import type { ViewState, Views } from '../state/url-state';
import { ExpandControl, WhyOpened, openedById } from '../features/suspicion';
import { NodePrevalence, PrevalenceTable, filterRows, prevalenceRows, rareMarks, usePrevalence } from '../features/prevalence';

interface Props { view: ViewState; onView(fn: (v: ViewState) => ViewState): void; theme: Theme }

function chainMarks(g: VisibleGraph, chain: string[]): Set<string> {
  const out = new Set<string>();
  chain.forEach((id, i) => {
    if (g.nodes.has(id)) out.add(id);
    const next = chain[i + 1];
    if (next) out.add(`spawn:${id}>${next}`);
  });
  return out;
}

export function InvestigationPage({ view, onView, theme }: Props) {
  const qc = useQueryClient();
  const inv = useInvestigation(view);
  const { graph } = inv;
  const canvasRef = useRef<CanvasHandle>(null);
  const findRef = useRef<HTMLInputElement>(null);
  const [hover, setHover] = useState<string | null>(null);
  const brush = view.brush;
  const setBrush = (b: [number, number] | null) => onView((s) => ({ ...s, brush: b }));
  // The selected node's loaded events, observed from the side panel's query in the cache (never fetched here).
  const selNode = view.selected ? graph?.nodes.get(view.selected)?.node ?? null : null;
  const evQuery = useInfiniteQuery({ ...nodeEventsQuery(selNode, inv.scope, view.category), enabled: false });
  const events = useMemo(() => (selNode ? evQuery.data?.pages.flatMap((pg) => pg.items) ?? [] : []), [selNode, evQuery.data]);
  const [copied, setCopied] = useState(false);
  const [panelWidth, setPanelWidth] = useState(380);
  const [exportError, setExportError] = useState<string | null>(null);
  const opened = useMemo(() => openedById(inv.doc?.expansion), [inv.doc]);
  const prev = usePrevalence(graph, inv.doc?.range ?? null);
  const rare = useMemo(() => rareMarks(prev.data?.items), [prev.data]);
  // The prevalence filter (`rare=N`) dims the drawn processes whose pair is not that rare, like find does.
  const rareOnly = useMemo(() => (view.rare != null && graph && prev.data
    ? new Set(filterRows(prevalenceRows([...graph.nodes.values()].flatMap((v) => (v.node ? [v.node] : [])), prev.data.items), view.rare).map((r) => r.id))
    : null), [view.rare, graph, prev.data]);

  const path = useMemo(() => {
    const s = new Set<string>();
    if (!graph || !view.selected) return s;
    const ids = pathToRoot(graph, view.selected);
    ids.forEach((id, i) => { s.add(id); const parent = ids[i + 1]; if (parent) s.add(`spawn:${parent}>${id}`); });
    return s;
  }, [graph, view.selected]);
  // Find runs over every loaded process (also those under a collapse); only drawn matches are marked,
  // and nothing is dimmed when no drawn node matches.
  const allMatches = useMemo(() => (graph && view.find.trim() ? findMatches(graph, view.find) : null), [graph, view.find]);
  const matches = useMemo(() => {
    const drawn = allMatches && graph ? allMatches.filter((id) => graph.nodes.has(id) && (!rareOnly || rareOnly.has(id))) : [...rareOnly ?? []];
    return drawn.length || rareOnly ? new Set(drawn) : null;
  }, [allMatches, graph, rareOnly]);
  // The match jumped to, for the find text it belongs to (a new text starts over without an effect).
  const [findPos, setFindPos] = useState({ find: view.find, at: -1 });
  const findAt = findPos.find === view.find ? findPos.at : -1;
  const jump = useRef<string | null>(null);
  const findStep = (dir: 1 | -1) => {
    if (!graph || !allMatches?.length) return;
    const i = findAt < 0 ? (dir === 1 ? 0 : allMatches.length - 1) : (findAt + dir + allMatches.length) % allMatches.length;
    const id = allMatches[i]!;
    const up = collapsedAbove(graph, id, view.hidden);
    setFindPos({ find: view.find, at: i });
    if (up.length === 0 && graph.nodes.has(id)) canvasRef.current?.center(id);
    else jump.current = id;
    onView((s) => ({ ...select(s, id), hidden: s.hidden.filter((h) => !up.includes(h)) }));
  };
  // The camera follows a find jump once the target is drawn (a collapse had to open first).
  useEffect(() => {
    const id = jump.current;
    if (id && graph?.nodes.has(id)) { canvasRef.current?.center(id); jump.current = null; }
  }, [graph]);
  const chain = useMemo(() => (graph ? chainMarks(graph, view.highlight) : new Set<string>()), [graph, view.highlight]);
  const timeDimmed = useMemo(() => {
    if (!graph || !brush) return null;
    const bars = barsOf(graph.nodes.values());
    const bounds = timelineBounds(bars, []);
    return outsideBrush(bars, brush, bounds ? bounds[1] : brush[1]);
  }, [graph, brush]);
  const marks: Marks = useMemo(() => ({ selected: view.selected, path, matches, chain, timeDimmed, hover, rare }), [view.selected, path, matches, chain, timeDimmed, hover, rare]);

  // Global keys: `/` find, `f` fit, Esc clears selection, find and brush.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (e.key === 'Escape' && !typing) { onView((s) => ({ ...s, selected: null, find: '', panel: 'details', category: null, event: null, brush: null })); return; }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/') { e.preventDefault(); findRef.current?.focus(); findRef.current?.select(); }
      else if (e.key === 'f') { e.preventDefault(); canvasRef.current?.fit(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onView]);

  const copyLink = () => { void copyText(window.location.href).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); }); };
  const doExport = async (kind: 'png' | 'json' | 'csv' | 'svg' | 'md') => {
    if (!graph || !inv.doc) return;
    setExportError(null);
    const base = exportBaseName(graph.origin);
    try {
      if (kind === 'json') download(new Blob([JSON.stringify(toGraphDocument(graph, inv.doc), null, 2)], { type: 'application/json' }), `${base}.json`);
      else if (kind === 'csv') download(new Blob([toProcessCsv(graph)], { type: 'text/csv' }), `${base}.csv`);
      else if (kind === 'svg') download(new Blob([toSvg(canvasRef.current!.elements(), theme)], { type: 'image/svg+xml' }), `${base}.svg`);
      else if (kind === 'md') {
        const o = graph.known.get(graph.origin);
        download(new Blob([toMarkdownTimeline(graph, events, `Process lineage of ${o?.name ?? graph.origin} on ${o?.host ?? '?'}`)], { type: 'text/markdown' }), `${base}-timeline.md`);
      }
      else download(await canvasRef.current!.png(theme === 'dark' ? '#0d1117' : '#ffffff'), `${base}.png`);
    } catch (err) {
      setExportError(`Export failed: ${(err as Error).message}`);
    }
  };
  const total = graph ? processTotal(graph) : { processes: 0, shown: 0, boxes: 0 };
  const setViews = (v: Views) => onView((s) => ({ ...s, views: v }));
  const showGraph = view.views !== 'list', showList = view.views !== 'graph';

  return (
    <div className="investigation">
      <div className="action-strip" role="toolbar" aria-label="Investigation actions">
        <span className="stats" data-testid="graph-stats" title={graph ? `${total.boxes} boxes on the canvas (a sibling group is one box)` : undefined}>
          {graph ? `${total.processes} ${total.processes === 1 ? 'process' : 'processes'} · ${total.shown} shown · ${inv.searches} source ${inv.searches === 1 ? 'search' : 'searches'}` : ''}
        </span>
        <SourceWarnings warnings={inv.doc?.stats.warnings} />
        <span className="view-toggles" role="group" aria-label="Views">
          <button type="button" aria-pressed={showGraph} disabled={showGraph && !showList} onClick={() => setViews(showGraph ? 'list' : 'both')} aria-label="Show graph">Graph</button>
          <button type="button" aria-pressed={showList} disabled={showList && !showGraph} onClick={() => setViews(showList ? 'graph' : 'both')} aria-label="Show process list">List</button>
        </span>
        {view.highlight.length > 0 && (
          <span className="chain-note">Rule-hit chain of {view.highlight.length} highlighted
            <button type="button" className="link" onClick={() => onView((s) => ({ ...s, highlight: [] }))} aria-label="Clear highlighted chain">✕</button>
          </span>
        )}
        <ExpandControl view={view} onView={onView} expansion={inv.doc?.expansion} disabled={!graph} />
        <span className="grow" />
        <AddToNotable view={view} graph={graph} />
        <button type="button" onClick={copyLink} aria-label="Copy link to this view">{copied ? 'Link copied ✓' : 'Copy link'}</button>
        <button type="button" disabled={!graph} onClick={() => void doExport('png')} aria-label="Export graph as PNG">PNG</button>
        <button type="button" disabled={!graph} onClick={() => void doExport('json')} aria-label="Export graph as JSON">JSON</button>
        <button type="button" disabled={!graph} onClick={() => void doExport('csv')} aria-label="Export processes as CSV">CSV</button>
        <button type="button" disabled={!graph} onClick={() => void doExport('svg')} aria-label="Export graph as SVG">SVG</button>
        <button type="button" disabled={!graph} onClick={() => void doExport('md')} aria-label="Export timeline as Markdown" title="Processes and the selected process's loaded events in time order">Timeline .md</button>
        {exportError && <span role="alert" className="form-error">{exportError}</span>}
      </div>
      <div className="work">
        <div className="centre">
          <div className={`views${showGraph ? '' : ' list-only'}`}>
          {showList && graph && (
            <TreeList
              graph={graph} selected={view.selected} matches={matches} chain={chain}
              onSelect={(id) => onView((s) => select(s, id))}
              onToggle={(id) => onView((s) => activate(s, graph, id))} rare={rare}
            />
          )}
          <GraphView
            hidden={!showGraph} findInfo={{ count: allMatches?.length ?? 0, drawn: matches?.size ?? 0, at: findAt }} onFindStep={findStep}
            view={view} onView={onView} graph={graph} status={inv.status} error={inv.error} busy={inv.busy}
            marks={marks} theme={theme} canvasRef={canvasRef} onHover={setHover} findRef={findRef}
            onRetry={() => void qc.invalidateQueries({ queryKey: lineageKeys.processData() })}
            expansionErrors={inv.expansionErrors}
          />
          </div>
          <Timeline graph={graph} events={events} selected={view.selected} hover={hover} onHover={setHover} brush={brush} onBrush={setBrush} />
        </div>
        <div className="panel-pane" style={{ width: panelWidth }}>
          <Resizer width={panelWidth} min={260} max={900} onWidth={setPanelWidth} label="Resize details panel" />
          <div className="panel-stack">
            <SidePanel view={view} onView={onView} graph={graph} scope={inv.scope} theme={theme}
              extra={(n) => <><WhyOpened opened={opened.get(n.guid)} /><NodePrevalence item={prev.data?.items[n.guid]} answer={prev.data} /></>} />
            <PrevalenceTable view={view} onView={onView} graph={graph} answer={prev.data} error={prev.error} />
          </div>
        </div>
      </div>
    </div>
  );
}
