/**
 * UploadPanel (embedded mode): drop Sysmon files or folders anywhere on the page while it is open, or
 * pick them; each file streams to POST /api/upload with its own progress (bytes sent, then events
 * stored), one file at a time. At the end a summary (events stored, duplicates, skipped, rejected with
 * reasons) and the notables, searches, hosts and process data are refreshed.
 * Self-contained: React + React Query only; colours from the theme's CSS variables.
 */
import { useCallback, useEffect, useReducer, useRef, useState, type DragEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { UploadLimitsSchema } from '@lineage/shared';
import { lineageKeys } from '../../api/queries';
import { apiGet } from '../../lib/api-client';
import { filesFromDrop, filesFromList, type PickedFile } from './collect-files';
import { uploadFile } from './upload-client';
import { initialUploadState, nextToUpload, summarise, uploadReducer, type UploadItem } from './upload-state';
import './upload.css';

const nf = new Intl.NumberFormat();

function formatSize(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

const hasFiles = (e: { dataTransfer: DataTransfer | null }): boolean => Boolean(e.dataTransfer?.types.includes('Files'));

function statusText(i: UploadItem): string {
  switch (i.status) {
    case 'queued': return 'waiting';
    case 'uploading': return `sending ${formatSize(i.sent)} of ${formatSize(i.size)}`;
    case 'ingesting': return `${nf.format(i.events)} events stored so far`;
    case 'done': {
      const r = i.report!;
      const parts = [`${nf.format(r.events)} events stored`];
      if (r.duplicates) parts.push(`${nf.format(r.duplicates)} duplicates`);
      if (r.skipped) parts.push(`${nf.format(r.skipped)} skipped`);
      if (r.rejectedTotal) parts.push(`${nf.format(r.rejectedTotal)} rejected`);
      const warnings = r.warningsTotal ?? r.warnings?.length ?? 0;
      if (warnings) parts.push(`${nf.format(warnings)} warning${warnings === 1 ? '' : 's'}`);
      return parts.join(' · ');
    }
    case 'failed': return `failed: ${i.error ?? 'unknown error'}`;
    case 'refused': return `not sent: ${i.error ?? ''}`;
    default: return '';
  }
}

function FileRow({ item }: { item: UploadItem }) {
  const active = item.status === 'uploading' || item.status === 'ingesting';
  return (
    <li className={`upload-row upload-${item.status}`}>
      <div className="upload-row-head">
        <span className="upload-name" title={item.path}>{item.path}</span>
        <span className="upload-size">{formatSize(item.size)}</span>
      </div>
      <progress
        className="upload-bar"
        aria-label={`${item.path} upload progress`}
        max={item.size || 1}
        value={item.status === 'done' ? item.size || 1 : item.sent}
      />
      <div className="upload-status" aria-live={active ? 'polite' : 'off'} data-status={item.status}>{statusText(item)}</div>
    </li>
  );
}

/** The upload panel; mount it only in embedded mode. */
export function UploadPanel() {
  const qc = useQueryClient();
  const limits = useQuery({
    queryKey: [...lineageKeys.all, 'upload-limits'],
    queryFn: ({ signal }) => apiGet('/api/upload/limits', {}, UploadLimitsSchema, signal),
    staleTime: Infinity,
  });
  const [state, dispatch] = useReducer(uploadReducer, initialUploadState);
  const files = useRef(new Map<number, File>());
  const abort = useRef<AbortController | null>(null);
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const refreshedAt = useRef(0);

  const ids = useRef(1);
  const maxBytes = limits.data?.maxBytes ?? null;
  const add = useCallback((picked: PickedFile[]) => {
    if (picked.length === 0) return;
    const rows = picked.map((p) => {
      const id = ids.current++;
      files.current.set(id, p.file);
      return { id, path: p.path, size: p.file.size };
    });
    dispatch({ type: 'add', files: rows, maxBytes });
  }, [maxBytes]);

  // One file at a time: the store has one writer, and progress stays readable.
  const next = nextToUpload(state);
  // Keyed on the file's id and path alone: the upload must not restart when other state changes.
  const nextId = next?.id ?? null;
  const nextPath = next?.path ?? '';
  useEffect(() => {
    if (nextId === null) return;
    const file = files.current.get(nextId);
    if (!file) { dispatch({ type: 'failed', id: nextId, error: 'file no longer available' }); return; }
    const ac = new AbortController();
    abort.current = ac;
    dispatch({ type: 'start', id: nextId });
    uploadFile(file, nextPath, {
      onSent: (sent) => dispatch({ type: 'sent', id: nextId, sent }),
      onMessage: (message) => dispatch({ type: 'message', id: nextId, message }),
    }, ac.signal).then(
      (report) => dispatch({ type: 'done', id: nextId, report }),
      (err: Error) => dispatch({ type: 'failed', id: nextId, error: err.name === 'AbortError' ? 'cancelled' : err.message }),
    ).finally(() => { files.current.delete(nextId); });
  }, [nextId, nextPath]);

  useEffect(() => () => abort.current?.abort(), []);

  const summary = summarise(state);
  // Refresh what the new data changes, once per finished run.
  useEffect(() => {
    const runId = state.items.length ? state.items[state.items.length - 1]!.id : 0;
    if (!summary || refreshedAt.current === runId) return;
    refreshedAt.current = runId;
    if (summary.events === 0) return;
    void qc.invalidateQueries({ queryKey: lineageKeys.notables() });
    void qc.invalidateQueries({ queryKey: lineageKeys.searches() });
    void qc.invalidateQueries({ queryKey: lineageKeys.processData() });
    void qc.invalidateQueries({ predicate: (q) => q.queryKey.some((k) => typeof k === 'string' && /hosts?/.test(k)) });
  }, [summary, state.items, qc]);

  // Drops anywhere on the page while the panel is open.
  useEffect(() => {
    const onDragOver = (e: globalThis.DragEvent) => { if (hasFiles(e)) { e.preventDefault(); setOver(true); } };
    const onDragLeave = (e: globalThis.DragEvent) => { if (e.relatedTarget === null) setOver(false); };
    const onDrop = (e: globalThis.DragEvent) => {
      if (!hasFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      setOver(false);
      void filesFromDrop(e.dataTransfer).then(add);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [add]);

  const busy = state.items.some((i) => i.status === 'uploading' || i.status === 'ingesting' || i.status === 'queued');
  const onZoneDrag = (e: DragEvent) => { if (hasFiles(e)) { e.preventDefault(); setOver(true); } };

  return (
    <div className="upload-panel">
      <div
        className={`upload-zone${over ? ' upload-zone-over' : ''}`}
        role="region"
        aria-label="Drop zone for Sysmon files"
        data-testid="upload-drop-zone"
        onDragOver={onZoneDrag}
      >
        <p>
          Drop Sysmon files or folders anywhere on the page: <code>.evtx</code>, Splunk/wevtutil XML, JSON (lines, arrays, Splunk/Elastic exports) or CSV.
          {limits.data && <> Up to {formatSize(limits.data.maxBytes)} per file.</>}
        </p>
        <div className="upload-actions">
          <button type="button" onClick={() => fileInput.current?.click()}>Choose files…</button>
          <button type="button" onClick={() => folderInput.current?.click()}>Choose folder…</button>
          {busy && <button type="button" className="link" onClick={() => abort.current?.abort()}>Cancel current file</button>}
          {!busy && state.items.length > 0 && <button type="button" className="link" onClick={() => dispatch({ type: 'clear' })}>Clear list</button>}
        </div>
        <input
          ref={fileInput} type="file" multiple hidden aria-label="Choose Sysmon files to upload"
          onChange={(e) => { if (e.target.files) add(filesFromList(e.target.files)); e.target.value = ''; }}
        />
        <input
          ref={(el) => { folderInput.current = el; el?.setAttribute('webkitdirectory', ''); }}
          type="file" multiple hidden aria-label="Choose a folder of Sysmon files to upload"
          onChange={(e) => { if (e.target.files) add(filesFromList(e.target.files)); e.target.value = ''; }}
        />
      </div>

      {state.items.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {state.items.map((i) => <FileRow key={i.id} item={i} />)}
        </ul>
      )}

      {summary && (
        <section className="upload-summary" role="status" aria-label="Upload summary">
          <strong>
            {nf.format(summary.events)} events stored from {summary.files - summary.failed} of {summary.files} file{summary.files === 1 ? '' : 's'}
          </strong>
          {' · '}{nf.format(summary.duplicates)} duplicates · {nf.format(summary.skipped)} skipped (not Sysmon) · {nf.format(summary.rejected)} rejected
          {summary.failed > 0 && <> · <span className="upload-error">{summary.failed} failed</span></>}
          {summary.warningsTotal > 0 && <> · <span className="upload-warning">{nf.format(summary.warningsTotal)} warning{summary.warningsTotal === 1 ? '' : 's'}</span></>}
          {summary.warnings.length > 0 && (
            <details>
              <summary>Warnings — every record was still read ({nf.format(summary.warningsTotal)})</summary>
              <ul className="upload-warnings">
                {summary.warnings.slice(0, 200).map((w, k) => (
                  <li key={k}><code>{w.path}</code>{w.offset !== undefined ? ` @0x${w.offset.toString(16)}` : ''}: {w.reason}</li>
                ))}
              </ul>
            </details>
          )}
          {summary.reasons.length > 0 && (
            <details>
              <summary>Rejected records ({nf.format(summary.rejected)})</summary>
              <ul className="upload-reasons">
                {summary.reasons.slice(0, 200).map((r, k) => (
                  <li key={k}><code>{r.path}</code>{r.line ? ` #${r.line}` : ''}: {r.reason}</li>
                ))}
              </ul>
            </details>
          )}
        </section>
      )}
    </div>
  );
}

