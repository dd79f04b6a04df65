/**
 * Sending one file to POST /api/upload with XMLHttpRequest — the one browser API that reports upload
 * progress — and reading the NDJSON answer as it streams (bytes received, events stored, report).
 * The File is handed to `send` as is, so the browser streams it from disk: nothing is read into memory.
 */
import { ErrorBodySchema, UploadMessageSchema, type UploadMessage, type UploadReport } from '@lineage/shared';
import { sameOriginHeaders } from '../../lib/api-client';

/** Splits a growing text into complete lines; the unfinished tail waits for more text. */
export class LineSplitter {
  private consumed = 0;

  /** New complete lines in `text` (the whole response so far). */
  push(text: string): string[] {
    const end = text.lastIndexOf('\n');
    if (end < this.consumed) return [];
    const lines = text.slice(this.consumed, end).split('\n').filter((l) => l.trim() !== '');
    this.consumed = end + 1;
    return lines;
  }

  /** Whatever followed the last newline (a final line without one). */
  rest(text: string): string[] {
    const tail = text.slice(this.consumed).trim();
    this.consumed = text.length;
    return tail ? [tail] : [];
  }
}

/** Parse one NDJSON line of the upload answer; unknown or broken lines become an `error` message. */
export function parseUploadLine(line: string): UploadMessage {
  try {
    const parsed = UploadMessageSchema.safeParse(JSON.parse(line));
    if (parsed.success) return parsed.data;
  } catch { /* reported below */ }
  return { type: 'error', message: `unexpected answer from the server: ${line.slice(0, 120)}` };
}

/** The error message of a non-200 answer (the API's `{ error: { message } }`, else the status). */
export function errorMessageOf(status: number, body: string): string {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) return parsed.data.error.message;
  } catch { /* not JSON */ }
  if (status === 413) return 'the file is larger than the server accepts';
  return status === 0 ? 'server unreachable' : `upload failed (HTTP ${status})`;
}

/** Callbacks of one upload. */
export interface UploadCallbacks {
  /** Bytes sent so far (from XHR upload progress). */
  onSent(sent: number, total: number): void;
  /** Each NDJSON message as it arrives. */
  onMessage(m: UploadMessage): void;
}

/**
 * Upload `file` (named `name` in the report); resolves with the server's ingest report, rejects with
 * an Error whose message is fit to show (413 limit, ingest failure, network), or an AbortError.
 */
export function uploadFile(file: Blob, name: string, cb: UploadCallbacks, signal?: AbortSignal): Promise<UploadReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const lines = new LineSplitter();
    let report: UploadReport | null = null;
    let failure: string | null = null;
    const handle = (line: string): void => {
      const m = parseUploadLine(line);
      if (m.type === 'done') report = m.report;
      if (m.type === 'error') failure = m.message;
      cb.onMessage(m);
    };
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/x-ndjson');
    for (const [k, v] of Object.entries(sameOriginHeaders)) xhr.setRequestHeader(k, v); // same-origin proof (docs/security.md)
    xhr.upload.onprogress = (e) => cb.onSent(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onprogress = () => { if (xhr.status === 200) for (const l of lines.push(xhr.responseText)) handle(l); };
    xhr.onload = () => {
      if (xhr.status !== 200) { reject(new Error(errorMessageOf(xhr.status, xhr.responseText))); return; }
      for (const l of [...lines.push(xhr.responseText), ...lines.rest(xhr.responseText)]) handle(l);
      if (failure) reject(new Error(failure));
      else if (report) resolve(report);
      else reject(new Error('the server closed the upload without a report'));
    };
    xhr.onerror = () => reject(new Error('upload failed: server unreachable or connection lost'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    if (signal) {
      if (signal.aborted) { reject(new DOMException('upload cancelled', 'AbortError')); return; }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(file);
  });
}
