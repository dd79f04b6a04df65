/**
 * JSON documents (json-document.ts): arrays and pretty-printed objects, streamed record by record.
 * Malformed elements are rejected with the line they start on and every good element is kept;
 * chunk boundaries anywhere give the same result; a real JSON-lines capture wrapped as a
 * pretty-printed array stores exactly the same rows as the original.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonDocSplitter, type SplitRecord } from '../../src/ingest/json-document.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedStore } from '../../src/sources/embedded/store.js';
import { dataset, requireDatasets } from '../datasets.js';
import { fixture, readNormalised, tempDir } from './helpers.js';

function split(text: string, chunk: number, maxChars?: number): SplitRecord[] {
  const s = new JsonDocSplitter(maxChars);
  const out: SplitRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...s.push(text.slice(i, i + chunk)));
  out.push(...s.end());
  return out;
}

describe('JsonDocSplitter', () => {
  // Braces and brackets inside strings, escaped quotes, a backslash at the end of a string, a
  // scalar and a string element, an object after the array, then an element that never closes.
  const DOC = '[\n  {"a": "x\\\\", "b": {"c": [1, "]}"]}},\n  1,\n  "s\\"}",\n  {"d": "}{\\"\\\\\\""}\n]\n{\n "e": 1\n}\n{"f": [';
  const EXPECTED: SplitRecord[] = [
    { text: '{"a": "x\\\\", "b": {"c": [1, "]}"]}}', line: 2, col: 2 },
    { text: null, line: 3, problem: 'array element is not an object' },
    { text: null, line: 4, problem: 'array element is not an object' },
    { text: '{"d": "}{\\"\\\\\\""}', line: 5, col: 2 },
    { text: '{\n "e": 1\n}', line: 7, col: 0 },
    { text: '{"f": [', line: 10, col: 0, problem: expect.stringMatching(/^unterminated JSON value/) as unknown as string },
  ];

  it('finds record boundaries and start lines, whatever the chunk size', () => {
    expect(JSON.parse(EXPECTED[0]!.text!)).toEqual({ a: 'x\\', b: { c: [1, ']}'] } });
    expect(JSON.parse(EXPECTED[3]!.text!)).toEqual({ d: '}{"\\"' });
    for (const chunk of [1, 2, 3, 5, 8, 13, DOC.length]) expect(split(DOC, chunk), `chunk ${chunk}`).toEqual(EXPECTED);
  });

  it('drops a record longer than the limit without holding it, and reads the next one', () => {
    const long = `{"x": "${'a'.repeat(100)}"}`;
    expect(split(`${long}\n{"y": 2}\n`, 7, 50)).toEqual([
      { text: null, line: 1, problem: 'JSON value longer than 50 characters' },
      { text: '{"y": 2}', line: 2, col: 0 },
    ]);
  });

  it('reports text outside any JSON value once, then reads on', () => {
    expect(split('oops\n{"y": 2}', 3)).toEqual([
      { text: null, line: 1, problem: 'unexpected text outside a JSON value: "oop"' },
      { text: '{"y": 2}', line: 2, col: 0 },
    ]);
  });
});

describe('JSON documents through parse + normalise', () => {
  it('a malformed element in the middle is rejected with its first line; every good element is kept', async () => {
    // malformed-array.json: elements start on lines 2, 28, 54 (missing comma), 77 (the number 42), 78, 98.
    for (const chunkBytes of [undefined, 7, 4099]) {
      const r = await readNormalised(fixture('malformed-array.json'), { chunkBytes });
      expect(r.rejected).toEqual([
        { line: 54, reason: expect.stringMatching(/^invalid JSON/) },
        { line: 77, reason: 'array element is not an object' },
      ]);
      expect(r.lines).toEqual([2, 28, 78, 98]);
      expect(r.events.map((e) => e.recordId)).toEqual([101, 102, 104, 105]);
      expect(r.skipped).toBe(0);
    }
  });

  it('an element missing its closing brace loses only itself: the elements it swallowed are found again', async () => {
    const dir = tempDir();
    const lines = readFileSync(fixture('array.json'), 'utf8').split('\n');
    expect(lines[52]).toBe('  },'); // the end of the second element (record 102, lines 28–53)
    lines[52] = '  ,';
    writeFileSync(join(dir, 'missing-brace.json'), lines.join('\n'));
    for (const chunkBytes of [undefined, 5]) {
      const r = await readNormalised(join(dir, 'missing-brace.json'), { chunkBytes });
      expect(r.rejected).toEqual([{ line: 28, reason: expect.stringMatching(/^invalid JSON/) }]);
      expect(r.events.map((e) => e.recordId)).toEqual([101, 103, 104, 105]);
      expect(r.lines).toEqual([2, 62, 85, 105]);
      expect(r.skipped).toBe(1); // the Security 4688 element (line 54)
    }
  });

  it('an element that never closes loses only what follows it, reported at its first line', async () => {
    const dir = tempDir();
    const text = readFileSync(fixture('array.json'), 'utf8');
    const cut = text.slice(0, text.indexOf('"EventID": 3')); // inside the 4th element (line 62)
    writeFileSync(join(dir, 'cut.json'), cut);
    const r = await readNormalised(join(dir, 'cut.json'));
    expect(r.events.map((e) => e.recordId)).toEqual([101, 102]);
    expect(r.skipped).toBe(1); // the Security 4688 element
    expect(r.rejected).toEqual([{ line: 62, reason: expect.stringMatching(/^unterminated JSON value at end of file/) }]);
  });
});

const run = requireDatasets('JSON documents on real data');

describe.runIf(run)('JSON documents on real data', () => {
  it('non-Sysmon JSON arrays (EQL test events, a PowerShell process list) are parsed and skipped, not rejected', async () => {
    for (const rel of ['eql-tests/test_data.json', 'splunk-attack_data/capattack_T1003.001_procdump/process_list.json']) {
      const elements = (JSON.parse(readFileSync(dataset(rel), 'utf8').replace(/^\uFEFF/, '')) as unknown[]).length;
      expect(elements).toBeGreaterThan(50);
      const r = await readNormalised(dataset(rel));
      expect(r, rel).toEqual({ events: [], lines: [], rejected: [], skipped: elements });
    }
  });

  it('an OTRF JSON-lines capture wrapped as a pretty-printed array stores exactly the same rows', async () => {
    const original = dataset('OTRF-Security-Datasets/psh_control_panel_execution_2020-10-2201312134.json');
    const dir = tempDir();
    const records = readFileSync(original, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
    const wrapped = join(dir, 'export.json');
    writeFileSync(wrapped, JSON.stringify(records, null, 2));

    const rowsOf = async (file: string) => {
      const store = await EmbeddedStore.open(join(dir, `${records.length}-${file === wrapped ? 'doc' : 'lines'}.duckdb`));
      try {
        const report = await ingestPaths([file], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
        const conn = await store.acquire();
        try {
          const rows = (await conn.runAndReadAll(`SELECT event_id, category, CAST(time AS VARCHAR), host, record_id, guid, target_guid, fields
            FROM events ORDER BY host, record_id, fields`)).getRowsJS();
          return { report: { ...report, rejected: report.rejected.map((x) => ({ line: x.line, reason: x.reason })) }, rows };
        } finally {
          store.release(conn);
        }
      } finally {
        await store.close();
      }
    };
    const lines = await rowsOf(original);
    const doc = await rowsOf(wrapped);
    expect(lines.rows.length).toBeGreaterThan(100);
    expect(lines.report.rejectedTotal).toBe(0);
    expect(doc.rows).toEqual(lines.rows);
    expect({ ...doc.report, rejected: [] }).toEqual({ ...lines.report, rejected: [] });
  });
});
