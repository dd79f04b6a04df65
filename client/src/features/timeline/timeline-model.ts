/** Pure helpers of the timeline strip: axis bounds, lane packing, and which nodes a brush leaves out. */

/** One process on the timeline (epoch ms; `end` null when the process did not end in the window). */
export interface Bar { id: string; start: number; end: number | null; name: string }

/** [min, max] over starts, ends and event times; null when there is nothing to place. */
export function timelineBounds(bars: Bar[], eventTimes: number[]): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (const b of bars) { lo = Math.min(lo, b.start); hi = Math.max(hi, b.end ?? b.start); }
  for (const t of eventTimes) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
  if (!Number.isFinite(lo)) return null;
  if (hi === lo) { lo -= 500; hi += 500; }
  return [lo, hi];
}

export const MAX_LANES = 10;

/**
 * Greedy interval packing by start time: each bar takes the first lane whose last bar ends before it
 * starts (with a 4 px gap at `widthPx`), so overlapping lifetimes stack. Beyond MAX_LANES bars share lanes.
 */
export function packLanes(bars: Bar[], bounds: [number, number], widthPx: number): Array<{ bar: Bar; lane: number }> {
  const msPerPx = (bounds[1] - bounds[0]) / Math.max(1, widthPx);
  const gap = 4 * msPerPx;
  const laneEnd: number[] = [];
  const out: Array<{ bar: Bar; lane: number }> = [];
  const sorted = [...bars].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  sorted.forEach((bar, i) => {
    const end = Math.max(bar.end ?? bar.start, bar.start + 3 * msPerPx);
    let lane = laneEnd.findIndex((e) => e + gap <= bar.start);
    if (lane === -1) lane = laneEnd.length < MAX_LANES ? laneEnd.length : i % MAX_LANES;
    laneEnd[lane] = Math.max(laneEnd[lane] ?? -Infinity, end);
    out.push({ bar, lane });
  });
  return out;
}

/**
 * Node ids whose lifetime lies wholly outside the brush [from, to]. A process with no end counts as
 * alive until `openEnd` (the end of the axis); nodes without a start time are never dimmed.
 */
export function outsideBrush(bars: Bar[], brush: [number, number], openEnd: number): Set<string> {
  const out = new Set<string>();
  for (const b of bars) {
    const end = b.end ?? openEnd;
    if (end < brush[0] || b.start > brush[1]) out.add(b.id);
  }
  return out;
}

/** Bars for every visible process with an observed start time (placeholders have none of their own). */
export function barsOf(nodes: Iterable<{ id: string; node: { name: string; startTime: string | null; endTime: string | null; placeholder: boolean } | null }>): Bar[] {
  const bars: Bar[] = [];
  for (const v of nodes) {
    const n = v.node;
    if (!n?.startTime || n.placeholder) continue;
    const s = Date.parse(n.startTime);
    const e = n.endTime ? Date.parse(n.endTime) : NaN;
    if (Number.isFinite(s)) bars.push({ id: v.id, start: s, end: Number.isFinite(e) ? e : null, name: n.name });
  }
  return bars;
}
