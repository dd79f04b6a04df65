/**
 * Malformed input (issue 13 §3, docs/ingest.md "Malformed input"): every bad line reported, every
 * good line kept. Each file is built here from a good fixture plus one kind of damage; the expected
 * counts come from how the file was built (good records put in, bad ones put in).
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ingestPaths, type IngestReport } from '../../src/ingest/pipeline.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { fixture, tempDir } from './helpers.js';

/** Ingest one file into a collecting sink. */
async function ingest(file: string): Promise<IngestReport & { got: SysmonEvent[] }> {
  const got: SysmonEvent[] = [];
  const r = await ingestPaths([file], { write: async (b) => { got.push(...b); return { inserted: b.length, duplicates: 0 }; } });
  return { ...r, got };
}
const lines = (name: string): string[] => readFileSync(fixture(name), 'utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
const recordIds = (events: SysmonEvent[]): number[] => events.map((e) => e.recordId!).sort((a, b) => a - b);
const idOf = (jsonLine: string): number => (JSON.parse(jsonLine) as { RecordNumber: number }).RecordNumber;

describe('malformed input: reported, and nothing good lost', () => {
  it('a line of NUL bytes in JSON lines is reported with its line; the lines around it are kept', async () => {
    const good = lines('flat.jsonl');
    const file = join(tempDir(), 'nul.jsonl');
    writeFileSync(file, [good[0], '\0'.repeat(512), ...good.slice(1)].join('\n') + '\n');
    const r = await ingest(file);
    expect(recordIds(r.got)).toEqual(good.map(idOf).sort((a, b) => a - b));
    expect(r.rejected).toEqual([{ file, line: 2, reason: expect.stringMatching(/512 NUL bytes/) }]);
  });

  it('NUL bytes between the elements of a JSON array are reported too', async () => {
    const good = lines('flat.jsonl');
    const file = join(tempDir(), 'nul-array.json');
    writeFileSync(file, `[\n${good[0]},\n${'\0'.repeat(64)}\n${good.slice(1).join(',\n')}\n]\n`);
    const r = await ingest(file);
    expect(r.got).toHaveLength(good.length);
    expect(r.rejected).toEqual([{ file, line: 3, reason: expect.stringMatching(/64 NUL bytes/) }]);
  });

  it('a compact one-line JSON array with one unclosed element keeps every good element', async () => {
    const good = lines('flat.jsonl');
    // Element 2 loses its closing brace; one good element holds ",{" inside a string value.
    const tricky = JSON.stringify({ ...JSON.parse(good[3]!) as object, CommandLine: 'cmd /c echo a,{b},c' });
    const elements = [good[0], good[1]!.replace(/\}\s*$/, ''), good[2], tricky, good[4]];
    const file = join(tempDir(), 'compact.json');
    writeFileSync(file, `[${elements.join(',')}]`);
    const r = await ingest(file);
    expect(recordIds(r.got)).toEqual([good[0], good[2], good[3], good[4]].map((l) => idOf(l!)).sort((a, b) => a - b));
    expect(r.got.find((e) => e.recordId === idOf(good[3]!))?.fields.CommandLine).toBe('cmd /c echo a,{b},c');
    expect(r.rejected).toEqual([{ file, line: 1, reason: expect.stringMatching(/invalid JSON/) }]);
  });

  it('a CSV cell whose quote never closes is reported at its row; the rows after it are kept', async () => {
    const csv = readFileSync(fixture('raw.csv'), 'utf8').split('\n');
    const rows = csv.slice(1).filter((l) => l.trim() !== '');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    // Row 2 (file line 3): its CommandLine-ish last cell opens a quote that never closes.
    const bad = [...csv];
    bad[2] = `${bad[2]!.replace(/\r$/, '')},"unclosed`.replace(/,[^,]*,"unclosed$/, ',"unclosed');
    const file = join(tempDir(), 'quote.csv');
    writeFileSync(file, bad.join('\n'));
    const r = await ingest(file);
    expect(r.rejected).toEqual([{ file, line: 3, reason: expect.stringMatching(/unterminated quoted cell/) }]);
    expect(r.got).toHaveLength(rows.length - 1);
  });

  it('a 100 MB XML event is rejected once, with a clear reason; the events around it are kept', async () => {
    const good = lines('xmlwineventlog.log');
    const file = join(tempDir(), 'huge.log');
    const out = createWriteStream(file);
    out.write(`${good[0]}\n`);
    out.write(good[1]!.replace(/<\/EventData>.*$/, "<Data Name='CommandLine'>"));
    const mb = 'A'.repeat(1 << 20);
    for (let i = 0; i < 100; i++) if (!out.write(mb)) await once(out, 'drain');
    out.write("</Data></EventData></Event>\n");
    out.write(`${good.slice(2).join('\n')}\n`);
    out.end();
    await once(out, 'finish');
    const r = await ingest(file);
    expect(r.rejected).toEqual([{ file, line: 2, reason: expect.stringMatching(/XML event longer than \d+ characters/) }]);
    expect(r.got.length + r.skipped).toBe(good.length - 1); // the fixture holds one non-Sysmon event (skipped)
  });

  it('a 100 MB line of non-XML text between XML events is rejected once; the events after it are kept', async () => {
    const good = lines('xmlwineventlog.log');
    const file = join(tempDir(), 'junk.log');
    writeFileSync(file, `${good[0]}\n${'A'.repeat(100 << 20)}\n${good.slice(1).join('\n')}\n`);
    const r = await ingest(file);
    expect(r.rejected).toEqual([{ file, line: 2, reason: expect.stringMatching(/line longer than \d+ characters/) }]);
    expect(r.got.length + r.skipped).toBe(good.length);
  });

  it('invalid UTF-8 is read as U+FFFD and warned about, with the byte offset', async () => {
    const good = lines('xmlwineventlog.log');
    const first = Buffer.from(`${good[0]}\n`);
    const at = first.indexOf('Microsoft-Windows-Sysmon/Operational');
    const damaged = Buffer.from(first);
    damaged[at + 9] = 0xff; // "Microsoft\xff…" in the first line
    const file = join(tempDir(), 'bad-utf8.log');
    writeFileSync(file, Buffer.concat([damaged, Buffer.from(`${good.slice(1).join('\n')}\n`)]));
    const r = await ingest(file);
    expect(r.warnings).toEqual([{ file, offset: at + 9, reason: expect.stringMatching(/invalid UTF-8: 1 byte sequence/) }]);
    // Nothing lost: every event is there.
    expect(r.got.length + r.skipped).toBe(good.length);
    // A valid file warns about nothing (multi-byte characters across read chunks included).
    const ok = join(tempDir(), 'ok-utf8.log');
    writeFileSync(ok, good.map((l) => l.replace('</EventData>', "<Data Name='Description'>é€𝄞 ünïcödé</Data></EventData>")).join('\n') + '\n');
    expect((await ingestPaths([ok], { write: async (b) => ({ inserted: b.length, duplicates: 0 }) }, { chunkBytes: 7 })).warnings).toEqual([]);
  });
});
