/**
 * Worker-thread entry of `ingestInWorker` (./worker-ingest.ts): for each `job` message it reads and
 * normalises the files with the same code as `ingestPaths` (`readFileInto`) and posts the events in
 * batches, then `done` with the report (files, skipped, rejected, warnings; the stored/duplicate
 * counts are the caller's) — or `failed` on an unexpected error. It then waits for the next job (the
 * worker is kept, so its compiled code stays warm). A batch is posted only when the caller has
 * granted one (`next`): at most one parsed batch waits while another is written, whatever the file size.
 */
import { parentPort } from 'node:worker_threads';
import { emptyReport, listFiles, readFileInto, rejectInto } from './pipeline.js';
import type { SysmonEvent } from './record.js';
import type { FromWorker, ToWorker, WorkerJob } from './worker-ingest.js';

const port = parentPort!;
let credit = 0; // batches the caller accepts now
let granted: (() => void) | null = null;
const post = (m: FromWorker): void => port.postMessage(m);

async function run(job: WorkerJob): Promise<void> {
  const report = emptyReport();
  const files = await listFiles(job.paths, (p, reason) => rejectInto(report, job.maxRejected, p, 0, reason));
  let batch: SysmonEvent[] = [];
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    while (credit === 0) await new Promise<void>((r) => { granted = r; });
    credit -= 1;
    post({ type: 'batch', events: batch });
    batch = [];
  };
  for (const file of files) {
    await readFileInto(file, report, { chunkBytes: job.chunkBytes, maxRejected: job.maxRejected }, (e) => {
      batch.push(e);
      return batch.length >= job.batchSize ? send() : undefined;
    });
  }
  await send();
  post({ type: 'done', report });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'next') {
    credit += 1;
    granted?.();
    granted = null;
    return;
  }
  credit = 1; // a new job: its first batch may be posted at once
  run(m.job).catch((err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
});
