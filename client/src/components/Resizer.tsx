/**
 * A vertical splitter on the left edge of a right-hand pane: drag it, or focus it and press ←/→
 * (Shift for bigger steps), to set the pane's width. Width is clamped to [min, max].
 */
import type { KeyboardEvent, PointerEvent } from 'react';

interface Props { width: number; min: number; max: number; onWidth(w: number): void; label: string }

export function Resizer({ width, min, max, onWidth, label }: Props) {
  const clamp = (w: number) => Math.round(Math.min(max, Math.max(min, w)));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const x0 = e.clientX, w0 = width;
    const move = (ev: globalThis.PointerEvent) => onWidth(clamp(w0 + (x0 - ev.clientX)));
    const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 80 : 20;
    if (e.key === 'ArrowLeft') { e.preventDefault(); onWidth(clamp(width + step)); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); onWidth(clamp(width - step)); }
  };
  return (
    <div
      className="resizer" role="separator" aria-orientation="vertical" aria-label={label} tabIndex={0}
      aria-valuenow={width} aria-valuemin={min} aria-valuemax={max} onPointerDown={onPointerDown} onKeyDown={onKeyDown}
    />
  );
}
