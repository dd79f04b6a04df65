/**
 * The upload queue as pure state: one row per file (bytes sent, events stored, outcome) and the
 * end-of-run summary. The panel drives it with `uploadReducer`; tests drive it directly.
 */
import type { UploadMessage, UploadReport } from '@lineage/shared';

export type UploadStatus = 'queued' | 'uploading' | 'ingesting' | 'done' | 'failed' | 'refused';

/** One file's row. */
export interface UploadItem {
  id: number;
  path: string;
  size: number;
  status: UploadStatus;
  sent: number;
  events: number;
  duplicates: number;
  report: UploadReport | null;
  error: string | null;
}

export type UploadAction =
  | { type: 'add'; files: { id: number; path: string; size: number }[]; maxBytes: number | null }
  | { type: 'start'; id: number }
  | { type: 'sent'; id: number; sent: number }
  | { type: 'message'; id: number; message: UploadMessage }
  | { type: 'done'; id: number; report: UploadReport }
  | { type: 'failed'; id: number; error: string }
  | { type: 'clear' };

export interface UploadState { items: UploadItem[] }

export const initialUploadState: UploadState = { items: [] };

function formatLimit(n: number): string {
  return n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${+(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

const patch = (s: UploadState, id: number, f: (i: UploadItem) => Partial<UploadItem>): UploadState => ({
  ...s, items: s.items.map((i) => (i.id === id ? { ...i, ...f(i) } : i)),
});

export function uploadReducer(s: UploadState, a: UploadAction): UploadState {
  switch (a.type) {
    case 'add': {
      const added = a.files.map((f): UploadItem => {
        const over = a.maxBytes !== null && f.size > a.maxBytes;
        return {
          id: f.id, path: f.path, size: f.size, status: over ? 'refused' : 'queued', sent: 0, events: 0, duplicates: 0, report: null,
          error: over ? `larger than the upload limit of ${formatLimit(a.maxBytes!)}; ingest it on the server with \`lineage ingest\`` : null,
        };
      });
      return { items: [...s.items, ...added] };
    }
    case 'start': return patch(s, a.id, () => ({ status: 'uploading' }));
    case 'sent': return patch(s, a.id, (i) => ({ sent: a.sent, status: a.sent >= i.size && i.status === 'uploading' ? 'ingesting' : i.status }));
    case 'message': {
      const m = a.message;
      if (m.type === 'received') return patch(s, a.id, () => ({ sent: m.bytes, status: 'ingesting' }));
      if (m.type === 'progress') return patch(s, a.id, () => ({ events: m.events, duplicates: m.duplicates }));
      return s;
    }
    case 'done': return patch(s, a.id, (i) => ({ status: 'done', sent: i.size, report: a.report, events: a.report.events, duplicates: a.report.duplicates }));
    case 'failed': return patch(s, a.id, (i) => ({
      status: 'failed',
      // A cancel during the ingest keeps the batches already stored (docs/security.md "Uploads"): say so.
      error: a.error === 'cancelled' && i.events > 0
        ? `cancelled after ${i.events} events were stored; they stay in the store (as may a batch that was being stored at that moment)`
        : a.error,
    }));
    case 'clear': return { ...s, items: s.items.filter((i) => i.status === 'queued' || i.status === 'uploading' || i.status === 'ingesting') };
    default: return s;
  }
}

/** The next queued file, if no file is in flight. */
export function nextToUpload(s: UploadState): UploadItem | null {
  if (s.items.some((i) => i.status === 'uploading' || i.status === 'ingesting')) return null;
  return s.items.find((i) => i.status === 'queued') ?? null;
}

/** End-of-run totals over every finished row. */
export interface UploadSummary {
  files: number;
  failed: number;
  events: number;
  duplicates: number;
  skipped: number;
  rejected: number;
  /** Rejection reasons with the file and line they came from (as listed by the server). */
  reasons: { path: string; line: number; reason: string }[];
  /** Reader warnings (nothing lost: e.g. an .evtx chunk checksum mismatch), all files. */
  warningsTotal: number;
  /** Warnings with the file and byte offset they concern (as listed by the server). */
  warnings: { path: string; offset?: number; reason: string }[];
}

/** Totals once nothing is queued or in flight; null while work remains or nothing was added. */
export function summarise(s: UploadState): UploadSummary | null {
  if (s.items.length === 0 || s.items.some((i) => i.status === 'queued' || i.status === 'uploading' || i.status === 'ingesting')) return null;
  const sum: UploadSummary = { files: s.items.length, failed: 0, events: 0, duplicates: 0, skipped: 0, rejected: 0, reasons: [], warningsTotal: 0, warnings: [] };
  for (const i of s.items) {
    if (!i.report) { sum.failed++; continue; }
    sum.events += i.report.events;
    sum.duplicates += i.report.duplicates;
    sum.skipped += i.report.skipped;
    sum.rejected += i.report.rejectedTotal;
    for (const r of i.report.rejected) sum.reasons.push({ path: i.path, line: r.line, reason: r.reason });
    sum.warningsTotal += i.report.warningsTotal ?? i.report.warnings?.length ?? 0;
    for (const w of i.report.warnings ?? []) sum.warnings.push({ path: i.path, offset: w.offset, reason: w.reason });
  }
  return sum;
}
