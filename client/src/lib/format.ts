/** Display helpers shared by the graph, the side panel and the timeline. */

/** `+2.3s`, `+450ms`, `+3m12s`, `+2h05m`, `+3d`; '' when unknown. Negative deltas keep their sign. */
export function formatDelta(ms: number | null): string {
  if (ms == null || !Number.isFinite(ms)) return '';
  const sign = ms < 0 ? '−' : '+';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 1 : 0)}s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)}m${String(Math.floor((a % 60_000) / 1000)).padStart(2, '0')}s`;
  if (a < 86_400_000) return `${sign}${Math.floor(a / 3_600_000)}h${String(Math.floor((a % 3_600_000) / 60_000)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(a / 86_400_000)}d`;
}

/** `2024-05-01 13:45:07.123Z` (UTC, as analysts read Sysmon's UtcTime). */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ');
}

/** `13:45:07.123` UTC, for compact node labels. */
export function formatClock(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 23);
}

/** Local time, for the hover title next to a UTC timestamp. */
export function formatLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `Local: ${d.toLocaleString()}`;
}

/** Cuts `s` to `max` characters with an ellipsis. */
export function ellipsis(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}
