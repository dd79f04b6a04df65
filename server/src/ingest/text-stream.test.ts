import { describe, expect, it } from 'vitest';
import { readJsonLines } from './json-reader.js';
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
