import { describe, expect, it } from 'vitest';
import type { ProcessPrevalence } from '@lineage/shared';
import { g, proc } from '../../testing/fixtures';
import { filterRows, isRare, notComputed, pairText, prevalenceRows, rareMarks, sortRows } from './prevalence-model';

const item = (hosts: number | null, count = 1): ProcessPrevalence => ({
  pair: hosts == null ? null : { parentImage: 'winword.exe', image: 'cmd.exe', hosts, count },
  chain: null, commandLine: { key: 'cmd.exe|x', hosts: 7, count: 9 }, image: { hash: null, hosts: 20, count: 400, firstSeen: '2026-02-01T00:00:00.000Z' },
});

describe('prevalence on the client', () => {
  const items: Record<string, ProcessPrevalence> = { [g(1)]: item(0), [g(2)]: item(2, 3), [g(3)]: item(3, 40), [g(4)]: item(null) };
  const nodes = [proc(g(1), null, { name: 'a.exe' }), proc(g(2), g(1), { name: 'b.exe' }), proc(g(3), g(1), { name: 'c.exe' }), proc(g(4), null, { name: 'd.exe' }), proc(g(5), g(1), { name: 'e.exe' })];

  it('when a pair was seen on fewer than 3 hosts, then it is rare; 3 or more, or no pair, is not', () => {
    expect([g(1), g(2), g(3), g(4)].map((id) => isRare(items[id]))).toEqual([true, true, false, false]);
    expect(isRare(items[g(3)], 4)).toBe(true);
  });

  it('when figures are drawn, then a pair never seen is "new", others give hosts and times', () => {
    expect(pairText(items[g(1)])).toBe('new pair');
    expect(pairText(items[g(2)])).toBe('2 hosts · 3×');
    expect(pairText(item(1, 1))).toBe('1 host · 1×');
    expect([...rareMarks(items)]).toEqual([[g(1), 'rare: new pair'], [g(2), 'rare: 2 hosts · 3×']]);
  });

  it('when rows are filtered to pairs seen on < 3 hosts and sorted, then only those remain in order', () => {
    const rows = prevalenceRows(nodes, items);
    expect(rows.map((r) => r.id)).toEqual([g(1), g(2), g(3), g(4)]); // g(5) has no item
    expect(filterRows(rows, 3).map((r) => r.name)).toEqual(['a.exe', 'b.exe']);
    expect(filterRows(rows, null)).toHaveLength(4);
    expect(sortRows(rows, { key: 'pairHosts', dir: 'desc' }).map((r) => r.name)).toEqual(['c.exe', 'b.exe', 'a.exe', 'd.exe']);
    expect(sortRows(rows, { key: 'pairCount', dir: 'asc' }).map((r) => r.name)).toEqual(['a.exe', 'b.exe', 'c.exe', 'd.exe']);
    expect(sortRows(rows, { key: 'name', dir: 'desc' }).map((r) => r.name)).toEqual(['d.exe', 'c.exe', 'b.exe', 'a.exe']);
  });

  it('when the source does not compute a figure, then it says so with the reason; a computed null figure stays "—"', () => {
    const reason = 'not available on Splunk: a chain needs every baseline process\'s ancestry';
    expect(notComputed({ source: 'splunk', notComputed: { chain: reason } }, 'chain')).toEqual({ text: 'not available on Splunk', reason });
    expect(notComputed({ source: 'splunk', notComputed: { chain: reason } }, 'commandLine')).toBeNull();
    expect(notComputed({ source: 'embedded' }, 'chain')).toBeNull();
    expect(notComputed(undefined, 'chain')).toBeNull();
  });
});
