/**
 * `ingestInWorker` (upload parsing on a worker thread): what reaches the sink, in order, and the
 * report are exactly what each file gives when read here with the readers and the normaliser
 * (helpers.ts `readNormalised`, no pipeline code); parsing overlaps writing but never runs more than
 * one batch ahead; an abort or a failing sink stops it with nothing further written.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IngestSink } from '../../src/ingest/pipeline.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { ingestInWorker } from '../../src/ingest/worker-ingest.js';
import { dataset, datasetsPresent } from '../datasets.js';
import { FIXTURES, readNormalised, tempDir } from './helpers.js';

/** A sink that keeps every batch and stores each event once (key: its JSON). */
function recordingSink(): IngestSink & { batches: SysmonEvent[][] } {
  const seen = new Set<string>();
  const batches: SysmonEvent[][] = [];
  return {
    batches,
    async write(batch) {
      batches.push(batch);
      let inserted = 0;
      for (const e of batch) { const k = JSON.stringify(e); if (!seen.has(k)) { seen.add(k); inserted++; } }
      return { inserted, duplicates: batch.length - inserted };
    },
  };
}

/** A generated XML file of `n` process creates on one host (one line each). */
function xmlFile(dir: string, n: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
      + `<EventRecordID>${i}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>w-host</Computer></System><EventData>`
      + `<Data Name='UtcTime'>2024-05-01 10:00:00.000</Data><Data Name='ProcessGuid'>{5770385f-c22a-43e0-bf4c-${String(i).padStart(12, '0')}}</Data>`
      + `<Data Name='ProcessId'>${i}</Data><Data Name='Image'>C:\\x.exe</Data><Data Name='CommandLine'>x ${i}</Data></EventData></Event>`);
  }
  const file = join(dir, `gen-${n}.xml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('ingestInWorker', () => {
  it('gives the sink every event of every fixture format, in file order, and the same counts as reading each file here', async () => {
    const files = readdirSync(FIXTURES).sort().map((n) => join(FIXTURES, n));
    const extra = datasetsPresent
      ? [dataset('splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx')]
      : (console.warn('*** worker-ingest: datasets absent, fixtures only ***'), []);
    const expected = { events: [] as SysmonEvent[], rejected: [] as { file: string; line: number; reason: string }[], skipped: 0 };
    for (const f of [...files, ...extra]) {
      const r = await readNormalised(f);
      expected.events.push(...r.events);
      expected.rejected.push(...r.rejected.map((x) => ({ file: f, ...x })));
      expected.skipped += r.skipped;
    }
    expect(expected.events.length).toBeGreaterThan(500);
    const sink = recordingSink();
    const report = await ingestInWorker([FIXTURES, ...extra], sink, { batchSize: 7 });
    const got = sink.batches.flat();
    expect(got).toEqual(expected.events);
    expect(sink.batches.slice(0, -1).every((b) => b.length === 7)).toBe(true);
    const unique = new Set(expected.events.map((e) => JSON.stringify(e))).size;
    expect(report).toMatchObject({
      files: files.length + extra.length, events: unique, duplicates: expected.events.length - unique,
      skipped: expected.skipped, rejectedTotal: expected.rejected.length,
    });
    // Rejections: same records (file order is the walk's name order within the fixture folder).
    const key = (r: { file: string; line: number; reason: string }) => `${r.file}|${r.line}|${r.reason}`;
    expect(report.rejected.map(key).sort()).toEqual(expected.rejected.map(key).sort());
  });

  it('parses the next batch while one is written, and never more than one batch ahead of the writer', async () => {
    const dir = tempDir();
    const file = xmlFile(dir, 1000);
    const parsed: number[] = [];
    let release: () => void = () => undefined;
    const firstWriteMayEnd = new Promise<void>((r) => { release = r; });
    let sawSecondDuringFirst = false;
    const written: number[] = [];
    const sink: IngestSink = {
      async write(batch) {
        if (written.length === 0) {
          // The worker must deliver batch 2 while batch 1 is still being written…
          while (parsed.length < 2) await new Promise((r) => setTimeout(r, 10));
          sawSecondDuringFirst = true;
          // …and nothing more until a write ends (give it time to overrun, if it would).
          await new Promise((r) => setTimeout(r, 300));
          expect(parsed.length).toBe(2);
          release();
        }
        written.push(batch.length);
        return { inserted: batch.length, duplicates: 0 };
      },
    };
    const report = await ingestInWorker([file], sink, { batchSize: 100, onParsed: (n) => parsed.push(n) });
    await firstWriteMayEnd;
    expect(sawSecondDuringFirst).toBe(true);
    expect(written).toEqual(Array(10).fill(100));
    expect(report.events).toBe(1000);
  });

  it('an abort stops the worker: the promise rejects with the reason and no further batch is written', async () => {
    const file = xmlFile(tempDir(), 2000);
    const ac = new AbortController();
    const written: number[] = [];
    const sink: IngestSink = {
      async write(batch) {
        written.push(batch.length);
        if (written.length === 2) ac.abort(new Error('client went away'));
        return { inserted: batch.length, duplicates: 0 };
      },
    };
    await expect(ingestInWorker([file], sink, { batchSize: 100, signal: ac.signal })).rejects.toThrow('client went away');
    await new Promise((r) => setTimeout(r, 300));
    expect(written).toEqual([100, 100]);
  });

  it("a sink that fails ends the run with the sink's error; nothing is written after it", async () => {
    const file = xmlFile(tempDir(), 1000);
    let calls = 0;
    const sink: IngestSink = {
      async write() {
        calls += 1;
        if (calls === 3) throw new Error('disk full');
        return { inserted: 100, duplicates: 0 };
      },
    };
    await expect(ingestInWorker([file], sink, { batchSize: 100 })).rejects.toThrow('disk full');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(3);
  });

  it('a missing path is a rejection in the report, not an error', async () => {
    const report = await ingestInWorker([join(tempDir(), 'nope.xml')], recordingSink());
    expect([report.files, report.events, report.rejectedTotal]).toEqual([0, 0, 1]);
    expect(report.rejected[0]!.reason).toMatch(/ENOENT/);
  });

  it('a kept worker serves upload after upload with the same result and no listener build-up', async () => {
    const file = xmlFile(tempDir(), 300);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`); };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 15; i++) {
        const sink = recordingSink();
        const report = await ingestInWorker([file], sink, { batchSize: 100 });
        expect([report.events, sink.batches.length]).toEqual([300, 3]);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
