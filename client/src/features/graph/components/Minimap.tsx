/**
 * Minimap under the graph canvas (never over it: GraphView gives it a strip of its own, docs/ui.md
 * "Minimap"): every node as a dot at its layout position, the current view as a rectangle; clicking or
 * dragging on it moves the camera there. Subscribes to the canvas's viewport directly (no React state per
 * pan), redrawing at most once per frame.
 */
import { useEffect, useRef, type PointerEvent } from 'react';
import type { ElementDef } from '../model/to-elements';
import type { CanvasHandle } from './CytoscapeCanvas';

const PAD = 6;
/**
 * Size in CSS px, in a 100 px strip under the canvas (styles.css `.map-below`). Under it rather than beside
 * it: a column right of the canvas took 136 px of the graph's ~720 px at 1,600 × 1,000; the strip takes
 * height, which tall graphs are scrolled through anyway.
 */
const W = 300, H = 84;

export function Minimap({ elements, canvas }: { elements: ElementDef[]; canvas: CanvasHandle | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = useRef({ s: 1, ox: 0, oy: 0 });

  useEffect(() => {
    const el = ref.current;
    if (!el || !canvas) return;
    const pts: Array<[number, number, boolean]> = [];
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const d of elements) if (d.group === 'nodes' && d.position) {
      const { x, y } = d.position;
      pts.push([x, y, d.classes.includes('origin')]);
      x1 = Math.min(x1, x); x2 = Math.max(x2, x); y1 = Math.min(y1, y); y2 = Math.max(y2, y);
    }
    if (!pts.length) return;
    x1 -= 150; x2 += 150; y1 -= 80; y2 += 80;
    const s = Math.min((W - 2 * PAD) / (x2 - x1), (H - 2 * PAD) / (y2 - y1));
    scale.current = { s, ox: PAD - x1 * s + ((W - 2 * PAD) - (x2 - x1) * s) / 2, oy: PAD - y1 * s + ((H - 2 * PAD) - (y2 - y1) * s) / 2 };
    const ctx = el.getContext('2d');
    if (!ctx) return;
    let frame = 0;
    const draw = () => {
      frame = 0;
      const { s: k, ox, oy } = scale.current;
      const style = getComputedStyle(el);
      ctx.clearRect(0, 0, W, H);
      ctx.fillStyle = style.getPropertyValue('--muted') || '#8b949e';
      for (const [x, y, o] of pts) if (!o) ctx.fillRect(x * k + ox - 1, y * k + oy - 1, 2.5, 2.5);
      ctx.fillStyle = '#58a6ff';
      for (const [x, y, o] of pts) if (o) ctx.fillRect(x * k + ox - 2.5, y * k + oy - 2.5, 5, 5);
      const v = canvas.extent();
      if (v) {
        ctx.strokeStyle = '#e3b341';
        ctx.lineWidth = 1.5;
        ctx.strokeRect(v.x1 * k + ox, v.y1 * k + oy, Math.max(2, (v.x2 - v.x1) * k), Math.max(2, (v.y2 - v.y1) * k));
      }
    };
    draw();
    const off = canvas.onViewport(() => { if (!frame) frame = requestAnimationFrame(draw); });
    return () => { off(); if (frame) cancelAnimationFrame(frame); };
  }, [elements, canvas]);

  const moveTo = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const { s, ox, oy } = scale.current;
    canvas?.centerAt({ x: (e.clientX - r.left - ox) / s, y: (e.clientY - r.top - oy) / s });
  };
  return (
    <canvas
      ref={ref} width={W} height={H} className="minimap" data-testid="minimap" role="img"
      aria-label="Minimap: the whole graph with the current view outlined; click to move there"
      onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); moveTo(e); }}
      onPointerMove={(e) => { if (e.buttons) moveTo(e); }}
    />
  );
}
