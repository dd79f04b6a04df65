/**
 * SVG export of the whole graph, drawn from the same element definitions and layout positions the
 * canvas uses (no Cytoscape extension needed): node boxes with their labels, spawn edges as the
 * orthogonal bus, cross edges as dashed curves with their labels.
 */
import { EDGE_COLOURS, KIND_COLOURS, type Theme, type ProcessKind, type ElementDef, NODE_H, NODE_W } from '../graph';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const BUS = 36;
const PAD = 40;

export function toSvg(defs: ElementDef[], theme: Theme): string {
  const fill = theme === 'dark' ? '#22272e' : '#ffffff', text = theme === 'dark' ? '#e6edf3' : '#1f2328', bg = theme === 'dark' ? '#0d1117' : '#ffffff';
  const ec = EDGE_COLOURS[theme];
  const pos = new Map<string, { x: number; y: number }>();
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const d of defs) if (d.group === 'nodes' && d.position) {
    pos.set(d.data.id, d.position);
    x1 = Math.min(x1, d.position.x - NODE_W / 2); x2 = Math.max(x2, d.position.x + NODE_W / 2);
    y1 = Math.min(y1, d.position.y - NODE_H / 2); y2 = Math.max(y2, d.position.y + NODE_H / 2);
  }
  if (!Number.isFinite(x1)) { x1 = y1 = 0; x2 = y2 = 1; }
  const parts: string[] = [];
  for (const d of defs) {
    if (d.group !== 'edges') continue;
    const s = pos.get(String(d.data.source)), t = pos.get(String(d.data.target));
    if (!s || !t) continue;
    const label = esc(String(d.data.label ?? ''));
    if (d.classes.startsWith('spawn')) {
      const sx = s.x + NODE_W / 2, tx = t.x - NODE_W / 2, bx = sx + BUS;
      parts.push(`<path class="edge spawn" d="M${sx},${s.y} H${bx} V${t.y} H${tx}" fill="none" stroke="${ec.spawn}" stroke-width="1.6"/>`);
      if (label) parts.push(`<text x="${(bx + tx) / 2}" y="${t.y - 4}" font-size="10" text-anchor="middle" fill="${text}">${label}</text>`);
    } else {
      const colour = d.classes.includes('remote-thread') ? ec.remoteThread : ec.access;
      const bend = Number(d.data.bend) || 80;
      const mx = (s.x + t.x) / 2, my = (s.y + t.y) / 2, len = Math.hypot(t.x - s.x, t.y - s.y) || 1;
      // Control point `bend` px to the left of source→target (Cytoscape's control-point-distances sign).
      const cx = mx + (-(t.y - s.y) / len) * bend * 2, cy = my + ((t.x - s.x) / len) * bend * 2;
      parts.push(`<path class="edge cross" d="M${s.x},${s.y} Q${cx},${cy} ${t.x},${t.y}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`);
      parts.push(`<text x="${(mx + cx) / 2}" y="${(my + cy) / 2}" font-size="9" text-anchor="middle" fill="${colour}">${label}</text>`);
    }
  }
  for (const d of defs) {
    if (d.group !== 'nodes' || !d.position) continue;
    const { x, y } = d.position;
    const kind = /\bk-(\w+)/.exec(d.classes)?.[1] as ProcessKind | undefined;
    const stroke = kind ? KIND_COLOURS[theme][kind] : ec.path;
    const dashed = /\b(placeholder|more)\b/.test(d.classes) ? ' stroke-dasharray="5 3"' : '';
    const lines = String(d.data.label ?? '').split('\n');
    parts.push(`<g class="node" data-id="${esc(d.data.id)}"><rect x="${x - NODE_W / 2}" y="${y - NODE_H / 2}" width="${NODE_W}" height="${NODE_H}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${d.classes.includes('origin') ? 4 : 2}"${dashed}/>`);
    const top = y - ((lines.length - 1) * 13.75) / 2 + 4;
    lines.forEach((l, i) => parts.push(`<text x="${x}" y="${top + i * 13.75}" font-size="11" text-anchor="middle" fill="${text}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(l)}</text>`));
    parts.push('</g>');
  }
  const w = x2 - x1 + 2 * PAD, h = y2 - y1 + 2 * PAD;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${x1 - PAD} ${y1 - PAD} ${w} ${h}" font-family="DejaVu Sans, Segoe UI, sans-serif">\n<rect x="${x1 - PAD}" y="${y1 - PAD}" width="${w}" height="${h}" fill="${bg}"/>\n${parts.join('\n')}\n</svg>\n`;
}
