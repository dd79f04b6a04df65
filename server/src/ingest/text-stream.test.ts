import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonLines } from './json-reader.js';
import { readEventsFromFile } from './read-file.js';
import { readLineBatches } from './text-stream.js';

async function* from(...chunks: string[]): AsyncGenerator<string> { for (const c of chunks) yield c; }

async function lines(chunks: string[], max?: number) {
  const out: [number, string][] = [];
  const overlong: number[] = [];
  for await (const b of readLineBatches(from(...chunks), max)) {
    b.lines.forEach((l, i) => out.push([b.firstLine + i, l]));
    overlong.push(...(b.overlong ?? []));
  }
  return { out, overlong };
}

describe('readLineBatches', () => {
  it('numbers lines across chunks, strips CR of CRLF, keeps a last line without newline', async () => {
    const r = await lines(['a\r\nb', 'b\nc\r', '\n\nd']);
    expect(r.out).toEqual([[1, 'a'], [2, 'bb'], [3, 'c'], [4, ''], [5, 'd']]);
  });

  it('drops a line longer than the limit, reports its number, and carries on', async () => {
    const r = await lines(['ok\nxxxxx', 'xxxxx', 'xxxx\nafter\n'], 8);
    expect(r.out).toEqual([[1, 'ok'], [3, 'after']]);
    expect(r.overlong).toEqual([2]);
  });
});

describe('readJsonLines', () => {
  it('reports an overlong line as rejected with its line number', async () => {
    const items = [];
    for await (const b of readJsonLines(from('{"a":1}\n{"b":"', 'yyyyyyyyyyyyyyyy', '"}\n{"c":3}\n'), 10)) items.push(...b);
    expect(items.map((i) => [i.kind, i.line])).toEqual([['event', 1], ['rejected', 2], ['event', 3]]);
  });
});

describe('JSON lines read as latin1 (UTF-8 decoded only where needed)', () => {
  it('when values hold multi-byte UTF-8 split across chunks and \\u escapes, then they equal a UTF-8 decode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-json-latin1-'));
    try {
      // Line 2 mixes raw non-ASCII with an escaped é (U+00E9 lies in latin1's range: it must not be
      // re-decoded as a UTF-8 byte); line 3 is ASCII only; line 4 is broken JSON.
      const rows = [
        { EventID: 1, Computer: 'ws-ü', CommandLine: 'caf\u00e9 \u4e2d\u6587 \u{1F600} Microsoft\u00ae' },
        { EventID: 3, Computer: 'ws-2', CommandLine: 'raw \u00e9 + escaped' },
        { EventID: 5, Computer: 'ws-3', CommandLine: 'plain' },
      ];
      const text = `${JSON.stringify(rows[0])}\n${JSON.stringify(rows[1]).replace('escaped', 'escaped \\u00e9 \\ud83d\\ude00')}\n${JSON.stringify(rows[2])}\n{"EventID": 1, "Computer": "caf\u00e9\n`;
      const file = join(dir, 'x.jsonl');
      writeFileSync(file, text, 'utf8');
      const expected = text.split('\n').filter((l) => l).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } });
      for (const chunkBytes of [7, 13, 1 << 20]) {
        const items = [];
        for await (const it of readEventsFromFile(file, { chunkBytes })) items.push(it);
        expect(items.map((i) => [i.kind, i.line])).toEqual([['event', 1], ['event', 2], ['event', 3], ['rejected', 4]]);
        for (let i = 0; i < 3; i++) {
          const it = items[i]!;
          if (it.kind !== 'event') throw new Error('not an event');
          expect(it.event.system.computer).toBe(expected[i]!.Computer);
          expect(it.event.data.CommandLine).toBe(expected[i]!.CommandLine);
        }
      }
      const second = expected[1]!.CommandLine as string;
      expect(second).toBe('raw \u00e9 + escaped \u00e9 \u{1F600}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('XML read as bytes (UTF-8 decoded only where needed)', () => {
  it('when multi-byte UTF-8, entities and a cut-short record fall on chunk boundaries, then every chunk size — and the same file as UTF-16 LE/BE — reads the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-xml-bytes-'));
    try {
      const sys = (id: number, host: string) => `<System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>${id}</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${host}</Computer></System>`;
      const ev = (id: number, host: string, cmd: string) => `<Event xmlns='x'>${sys(id, host)}<EventData><Data Name='CommandLine'>${cmd}</Data></EventData></Event>`;
      const text = [
        ev(1, 'ws-ü', 'caf\u00e9 \u4e2d\u6587 \u{1F600} Microsoft\u00ae'),
        ev(3, 'ws-2', 'a &amp; b &#233;'),
        `<Event xmlns='x'>${sys(5, 'ws-3')}<EventData><Data Name='CommandLine'>cut`,
        ev(5, 'ws-4', 'plain'),
      ].join('\n');
      const file = join(dir, 'x.xml.log');
      writeFileSync(file, `\ufeff${text}\n`, 'utf8');
      const expected = [
        ['event', 1, 'ws-ü', 'caf\u00e9 \u4e2d\u6587 \u{1F600} Microsoft\u00ae'],
        ['event', 2, 'ws-2', 'a & b \u00e9'],
        ['rejected', 3],
        ['event', 4, 'ws-4', 'plain'],
      ];
      // The same events saved as UTF-16 (PowerShell's `wevtutil qe … /f:xml > file` writes UTF-16LE with
      // a BOM): decoded text, the other reader path, must give the same items.
      const le = join(dir, 'x-utf16le.xml');
      writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${text}\n`, 'utf16le')]));
      const be = join(dir, 'x-utf16be.xml');
      writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`${text}\n`, 'utf16le').swap16()]));
      for (const [path, chunkBytes] of [[file, 1], [file, 5], [file, 13], [file, 64], [file, 1 << 20], [le, 7], [le, 1 << 20], [be, 7], [be, 1 << 20]] as const) {
        const got = [];
        for await (const it of readEventsFromFile(path, { chunkBytes })) {
          got.push(it.kind === 'event' ? [it.kind, it.line, it.event.system.computer, it.event.data.CommandLine] : [it.kind, it.line]);
        }
        expect(got, `${path}, chunkBytes ${chunkBytes}`).toEqual(expected);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
