/**
 * The timeline strip under the graph: every visible process as a bar from start to end
 * (a tick when the end is unknown), packed into lanes, and the selected process's loaded events as
 * marks, on one UTC axis. Dragging brushes a range (the graph dims what falls outside); hovering a
 * mark highlights its node and hovering a node highlights its mark.
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { GraphEvent } from '@lineage/shared';
import { formatClock, formatUtc } from '../../lib/format';
import type { VisibleGraph } from '../graph';
import { barsOf, packLanes, timelineBounds } from './timeline-model';

interface Props {
  graph: VisibleGraph | null;
  events: GraphEvent[];
  selected: string | null;
  hover: string | null;
  onHover(id: string | null): void;
  brush: [number, number] | null;
  onBrush(b: [number, number] | null): void;
}

const LANE_H = 8;
const AXIS_H = 16;
const EVENT_ROW = 13;
const PAD = 8;

export function Timeline(props: Props) {
  // The strip is secondary to the graph: render it after the graph has been drawn, not before.
  const graph = useDeferredValue(props.graph);
  const p = { ...props, graph };
  const host = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const model = useMemo(() => {
    if (!p.graph) return null;
    const bars = barsOf(p.graph.nodes.values());
    const evTimes = p.events.map((e) => Date.parse(e.time)).filter(Number.isFinite);
    const bounds = timelineBounds(bars, evTimes);
    return bounds ? { bars, bounds, lanes: packLanes(bars, bounds, width - 2 * PAD) } : null;
  }, [p.graph, p.events, width]);

  if (!model) return <div className="timeline empty" ref={host} aria-label="Timeline">No process start times to place on a timeline.</div>;
  const { bounds, lanes } = model;
  const hovered = p.hover ? model.bars.find((b) => b.id === p.hover) : undefined;
  const span = Math.max(1, bounds[1] - bounds[0]);
  const x = (t: number) => PAD + ((t - bounds[0]) / span) * (width - 2 * PAD);
  const t = (px: number) => bounds[0] + ((px - PAD) / (width - 2 * PAD)) * span;
  const laneCount = Math.max(1, ...lanes.map((l) => l.lane + 1));
  // The selected process's events: one labelled row per category.
  const cats: string[] = [...new Set(p.events.map((e) => e.category))].sort();
  const rowY = (cat: string) => AXIS_H + laneCount * LANE_H + 4 + cats.indexOf(cat) * EVENT_ROW;
  const height = AXIS_H + laneCount * LANE_H + Math.max(1, cats.length) * EVENT_ROW + 6;
  const ticks = Array.from({ length: 6 }, (_, i) => bounds[0] + (span * i) / 5);
  const localX = (e: PointerEvent<SVGSVGElement>) => e.clientX - e.currentTarget.getBoundingClientRect().left;
  const shown = drag ?? (p.brush ? [x(p.brush[0]), x(p.brush[1])] as [number, number] : null);

  return (
    <div className="timeline" ref={host}>
      <svg
        width={width} height={height} role="img" data-testid="timeline"
        aria-label={`Timeline of ${model.bars.length} processes from ${formatUtc(new Date(bounds[0]).toISOString())} to ${formatUtc(new Date(bounds[1]).toISOString())}; drag to brush a time range`}
        onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); const a = localX(e); setDrag([a, a]); }}
        onPointerMove={(e) => { if (drag) setDrag([drag[0], localX(e)]); }}
        onPointerUp={() => {
          if (drag) {
            const [a, b] = [Math.min(...drag), Math.max(...drag)];
            p.onBrush(b - a > 4 ? [t(a), t(b)] : null);
          }
          setDrag(null);
        }}
      >
        {ticks.map((tk) => (
          <g key={tk}>
            <line x1={x(tk)} x2={x(tk)} y1={AXIS_H - 4} y2={height} className="tick" />
            <text x={Math.min(width - 60, Math.max(2, x(tk) - 28))} y={10} className="tick-label">{formatClock(new Date(tk).toISOString()).slice(0, 8)}</text>
          </g>
        ))}
        {shown && <rect className="brush" x={Math.min(...shown)} width={Math.abs(shown[1] - shown[0])} y={AXIS_H - 4} height={height - AXIS_H + 4} />}
        {lanes.map(({ bar, lane }) => {
          const x0 = x(bar.start);
          const w = bar.end != null ? Math.max(3, x(bar.end) - x0) : 3;
          const cls = ['bar', bar.id === p.hover ? 'hover' : '', bar.id === p.selected ? 'selected' : '', bar.end == null ? 'open' : ''].join(' ');
          return (
            <rect
              key={bar.id} x={x0} y={AXIS_H + lane * LANE_H} width={w} height={LANE_H - 2} className={cls} data-id={bar.id}
              onPointerEnter={() => p.onHover(bar.id)} onPointerLeave={() => p.onHover(null)}
            />
          );
        })}
        {cats.map((c) => <text key={c} x={2} y={rowY(c) + EVENT_ROW - 3} className="row-label" data-category={c}>{c}</text>)}
        {p.events.map((ev, i) => {
          const tt = Date.parse(ev.time);
          if (!Number.isFinite(tt)) return null;
          return (
            <rect
              key={i} x={x(tt) - 1} y={rowY(ev.category)} width={2} height={EVENT_ROW - 2} className={`ev ev-${ev.category}`}
              onPointerEnter={() => p.onHover(ev.guid)} onPointerLeave={() => p.onHover(null)}
            >
              <title>{`${ev.category} (EventID ${ev.eventId}) ${formatUtc(ev.time)}`}</title>
            </rect>
          );
        })}
      </svg>
      {hovered && (
        <div className="timeline-hover" aria-live="polite">
          {hovered.name} · {formatUtc(new Date(hovered.start).toISOString())}{hovered.end != null ? ` → ${formatClock(new Date(hovered.end).toISOString())}` : ' (no end in window)'}
        </div>
      )}
      {p.brush && (
        <button type="button" className="clear-brush" onClick={() => p.onBrush(null)} aria-label="Clear time brush">
          ✕ {formatClock(new Date(p.brush[0]).toISOString())} – {formatClock(new Date(p.brush[1]).toISOString())}
        </button>
      )}
    </div>
  );
}
