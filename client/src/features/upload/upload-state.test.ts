/**
 * The upload queue and the NDJSON reading, without a browser: a two-file run where one file is too
 * large, progress from the server's lines, and the summary the analyst reads at the end.
 */
import { describe, expect, it } from 'vitest';
import type { UploadReport } from '@lineage/shared';
import { errorMessageOf, LineSplitter, parseUploadLine } from './upload-client';
import { initialUploadState, nextToUpload, summarise, uploadReducer, type UploadAction, type UploadState } from './upload-state';

const report = (over: Partial<UploadReport>): UploadReport => ({
  file: 'a.evtx', bytes: 1000, events: 0, duplicates: 0, skipped: 0, rejected: [], rejectedTotal: 0, ...over,
});

const run = (actions: UploadAction[]): UploadState => actions.reduce(uploadReducer, initialUploadState);

describe('upload queue', () => {
  it('refuses a file over the limit before sending, uploads the rest one at a time, and sums up', () => {
    let s = run([{ type: 'add', maxBytes: 5000, files: [
      { id: 1, path: 'logs/a.evtx', size: 1000 }, { id: 2, path: 'logs/huge.evtx', size: 9000 }, { id: 3, path: 'logs/b.xml', size: 300 },
    ] }]);
    expect(s.items.map((i) => i.status)).toEqual(['queued', 'refused', 'queued']);
    expect(s.items[1]!.error).toMatch(/larger than the upload limit of 5000 bytes/);
    expect(nextToUpload(s)?.id).toBe(1);

    s = uploadReducer(uploadReducer(s, { type: 'start', id: 1 }), { type: 'sent', id: 1, sent: 400 });
    expect(s.items[0]).toMatchObject({ status: 'uploading', sent: 400 });
    expect(nextToUpload(s)).toBeNull(); // one in flight
    expect(summarise(s)).toBeNull();

    s = [
      { type: 'message', id: 1, message: { type: 'received', bytes: 1000 } },
      { type: 'message', id: 1, message: { type: 'progress', events: 250, duplicates: 3 } },
    ].reduce<UploadState>((acc, a) => uploadReducer(acc, a as UploadAction), s);
    expect(s.items[0]).toMatchObject({ status: 'ingesting', sent: 1000, events: 250, duplicates: 3 });

    s = uploadReducer(s, { type: 'done', id: 1, report: report({ events: 400, duplicates: 3, skipped: 6, rejectedTotal: 1, rejected: [{ line: 77, reason: 'record 77 at 0x3000: bad' }], warnings: [{ reason: 'chunk 3 at 0x31000: records checksum mismatch', offset: 0x31000, chunk: 3 }], warningsTotal: 1 }) });
    expect(nextToUpload(s)?.id).toBe(3);
    s = uploadReducer(uploadReducer(s, { type: 'start', id: 3 }), { type: 'failed', id: 3, error: 'server unreachable' });
    expect(summarise(s)).toEqual({
      files: 3, failed: 2, events: 400, duplicates: 3, skipped: 6, rejected: 1,
      reasons: [{ path: 'logs/a.evtx', line: 77, reason: 'record 77 at 0x3000: bad' }],
      warningsTotal: 1, warnings: [{ path: 'logs/a.evtx', offset: 0x31000, reason: 'chunk 3 at 0x31000: records checksum mismatch' }],
    });
    expect(uploadReducer(s, { type: 'clear' }).items).toEqual([]);
  });
});

describe('reading the NDJSON answer', () => {
  it('yields only complete lines as the text grows, then the unterminated tail', () => {
    const split = new LineSplitter();
    expect(split.push('{"type":"received","bytes":5}\n{"type":"progr')).toEqual(['{"type":"received","bytes":5}']);
    expect(split.push('{"type":"received","bytes":5}\n{"type":"progress","events":1,"duplicates":0}\n')).toEqual(['{"type":"progress","events":1,"duplicates":0}']);
    const text = '{"type":"received","bytes":5}\n{"type":"progress","events":1,"duplicates":0}\n{"type":"error","message":"x"}';
    expect(split.push(text)).toEqual([]);
    expect(split.rest(text)).toEqual(['{"type":"error","message":"x"}']);
  });

  it('turns bad lines and error bodies into readable messages', () => {
    expect(parseUploadLine('{"type":"done"}')).toMatchObject({ type: 'error', message: expect.stringMatching(/unexpected answer/) });
    expect(parseUploadLine('{"type":"progress","events":2,"duplicates":1}')).toEqual({ type: 'progress', events: 2, duplicates: 1 });
    expect(errorMessageOf(413, '{"error":{"code":"too_large","message":"big.evtx is larger than the upload limit of 2 GiB"}}'))
      .toBe('big.evtx is larger than the upload limit of 2 GiB');
    expect(errorMessageOf(413, '<html>')).toBe('the file is larger than the server accepts');
    expect(errorMessageOf(0, '')).toBe('server unreachable');
  });

  it('a cancel during the ingest says how many events were stored and that they stay; before any batch, just "cancelled"', () => {
    const add: UploadAction = { type: 'add', maxBytes: null, files: [{ id: 1, path: 'a.xml', size: 10 }, { id: 2, path: 'b.xml', size: 10 }] };
    const s = run([add, { type: 'start', id: 1 }, { type: 'message', id: 1, message: { type: 'received', bytes: 10 } },
      { type: 'message', id: 1, message: { type: 'progress', events: 5000, duplicates: 0 } }, { type: 'failed', id: 1, error: 'cancelled' },
      { type: 'start', id: 2 }, { type: 'failed', id: 2, error: 'cancelled' }]);
    expect(s.items[0]!.error).toMatch(/^cancelled after 5000 events were stored; they stay in the store/);
    expect(s.items[1]!.error).toBe('cancelled');
  });
});
