/**
 * SVG export of the whole graph, drawn from the same element definitions and layout positions the
 * canvas uses (no Cytoscape extension needed): node boxes with their labels, spawn edges routed as on
 * screen (the layout's routing classes, graph-styles.ts `SPAWN_TURN`), cross edges as dashed curves with
 * their labels.
 */
import { EDGE_COLOURS, KIND_COLOURS, SPAWN_TURN, nodeBoxes, type Theme, type ProcessKind, type ElementDef } from '../graph';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const PAD = 40;

interface Box { x: number; y: number; w: number; h: number }

/**
 * A spawn edge's path and where its `+Δt` label goes, as Cytoscape routes it (graph-styles.ts): left to right,
 * right from the parent, along the bus `SPAWN_TURN.lr` px out, into the child's left side; top down
 * (class `td`), down from the parent, across `SPAWN_TURN.td` px below it, down into the child's top; to a
 * stacked leaf (`td stack`), down the parent's trunk to the leaf's middle, then right into it.
 */
function spawnRoute(classes: string, s: Box, t: Box): { d: string; label: { x: number; y: number } } {
  if (/\btd\b/.test(classes)) {
    const sy = s.y + s.h / 2;
    if (/\bstack\b/.test(classes)) {
      const tx = t.x - t.w / 2;
      return { d: `M${s.x},${sy} V${t.y} H${tx}`, label: { x: (s.x + tx) / 2, y: t.y - 4 } };
    }
    const ty = t.y - t.h / 2, turn = sy + SPAWN_TURN.td;
    return { d: `M${s.x},${sy} V${turn} H${t.x} V${ty}`, label: { x: t.x, y: (turn + ty) / 2 + 3 } };
  }
  const sx = s.x + s.w / 2, tx = t.x - t.w / 2, bx = sx + SPAWN_TURN.lr;
  return { d: `M${sx},${s.y} H${bx} V${t.y} H${tx}`, label: { x: (bx + tx) / 2, y: t.y - 4 } };
}

export function toSvg(defs: ElementDef[], theme: Theme): string {
  const fill = theme === 'dark' ? '#22272e' : '#ffffff', text = theme === 'dark' ? '#e6edf3' : '#1f2328', bg = theme === 'dark' ? '#0d1117' : '#ffffff';
  const ec = EDGE_COLOURS[theme];
  // The same boxes the canvas's cross-edge placement measures ("N more" boxes are smaller).
  const pos: ReadonlyMap<string, Box> = nodeBoxes(defs);
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const { x, y, w, h } of pos.values()) {
    x1 = Math.min(x1, x - w / 2); x2 = Math.max(x2, x + w / 2);
    y1 = Math.min(y1, y - h / 2); y2 = Math.max(y2, y + h / 2);
  }
  if (!Number.isFinite(x1)) { x1 = y1 = 0; x2 = y2 = 1; }
  const parts: string[] = [];
  for (const d of defs) {
    if (d.group !== 'edges') continue;
    const s = pos.get(String(d.data.source)), t = pos.get(String(d.data.target));
    if (!s || !t) continue;
    const label = esc(String(d.data.label ?? ''));
    if (d.classes.startsWith('spawn')) {
      const r = spawnRoute(d.classes, s, t);
      parts.push(`<path class="edge spawn" data-source="${esc(String(d.data.source))}" data-target="${esc(String(d.data.target))}" d="${r.d}" fill="none" stroke="${ec.spawn}" stroke-width="1.6"${d.classes.includes('to-more') ? ' stroke-dasharray="5 3"' : ''}/>`);
      if (label && !d.classes.includes('to-more')) parts.push(`<text x="${r.label.x}" y="${r.label.y}" font-size="10" text-anchor="middle" fill="${text}">${label}</text>`);
    } else {
      const colour = d.classes.includes('remote-thread') ? ec.remoteThread : ec.access;
      const bend = Number(d.data.bend) || 80;
      const mx = (s.x + t.x) / 2, my = (s.y + t.y) / 2, len = Math.hypot(t.x - s.x, t.y - s.y) || 1;
      // As Cytoscape draws it: the control point `bend` px along the left normal of source→target, the
      // label where the curve passes, half as far (model/cross-bends.ts).
      const nx = -(t.y - s.y) / len, ny = (t.x - s.x) / len;
      const cx = mx + nx * bend, cy = my + ny * bend;
      parts.push(`<path class="edge cross" d="M${s.x},${s.y} Q${cx},${cy} ${t.x},${t.y}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`);
      parts.push(`<text x="${mx + nx * bend / 2}" y="${my + ny * bend / 2 + 3}" font-size="9" text-anchor="middle" fill="${colour}">${label}</text>`);
    }
  }
  for (const d of defs) {
    const b = d.group === 'nodes' ? pos.get(d.data.id) : undefined;
    if (!b) continue;
    const { x, y, w, h } = b;
    const kind = /\bk-(\w+)/.exec(d.classes)?.[1] as ProcessKind | undefined;
    const stroke = kind ? KIND_COLOURS[theme][kind] : ec.path;
    const dashed = /\b(placeholder|more)\b/.test(d.classes) ? ' stroke-dasharray="5 3"' : '';
    const lines = String(d.data.label ?? '').split('\n');
    parts.push(`<g class="node" data-id="${esc(d.data.id)}"><rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${d.classes.includes('origin') ? 4 : 2}"${dashed}/>`);
    const top = y - ((lines.length - 1) * 13.75) / 2 + 4;
    lines.forEach((l, i) => parts.push(`<text x="${x}" y="${top + i * 13.75}" font-size="11" text-anchor="middle" fill="${text}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(l)}</text>`));
    parts.push('</g>');
  }
  const w = x2 - x1 + 2 * PAD, h = y2 - y1 + 2 * PAD;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${x1 - PAD} ${y1 - PAD} ${w} ${h}" font-family="DejaVu Sans, Segoe UI, sans-serif">\n<rect x="${x1 - PAD}" y="${y1 - PAD}" width="${w}" height="${h}" fill="${bg}"/>\n${parts.join('\n')}\n</svg>\n`;
}
