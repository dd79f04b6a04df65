/**
 * The lineage summary written on a notable. Tree (g(n) GUIDs), with a sibling that is not on the path:
 *
 *   explorer g(1) (placeholder, no create) ── cmd g(2) ──┬── pcalua g(3) ── calc g(4)   ← leaf
 *                                                        └── notepad g(5)
 */
import { describe, expect, it } from 'vitest';
import type { ProcessNode } from '@lineage/shared';
import { g, proc } from '../../testing/fixtures';
import { lineageSummary } from './lineage-summary';

const H = 'ws1.corp.example';
const nodes = [
  proc(g(1), null, { name: 'explorer.exe', pid: null, startTime: null, placeholder: true, placeholderReason: 'not-logged', host: H }),
  proc(g(2), g(1), { name: 'cmd.exe', pid: 2112, startTime: '2022-03-25T17:46:37.125Z', host: H }),
  proc(g(3), g(2), { name: 'pcalua.exe', pid: 3000, startTime: '2022-03-25T17:46:38.000Z', host: H }),
  proc(g(4), g(3), { name: 'ca`lc.exe', pid: 4000, startTime: '2022-03-25T17:46:39.000Z', host: H }),
  proc(g(5), g(2), { name: 'notepad.exe', pid: 5000, host: H }),
];
const known = new Map<string, ProcessNode>(nodes.map((n) => [n.guid, n]));

describe('lineageSummary', () => {
  it('walks root → leaf with times, pids, host, placeholders and hits; other branches and stray hits apart', () => {
    const s = lineageSummary(g(4), known, [{ guid: g(3), title: 'Indirect command execution via pcalua' }, { guid: g(5), title: 'Notepad rule' }]);
    expect(s).toBe([
      `**Lineage** (4 processes, root → leaf on ${H}): \`explorer.exe\` → \`cmd.exe\` → \`pcalua.exe\` → \`calc.exe\``,
      `- time unknown \`explorer.exe\` on ${H} (no process-create logged)`,
      `- 2022-03-25 17:46:37Z \`cmd.exe\` pid 2112 on ${H}`,
      `- 2022-03-25 17:46:38Z \`pcalua.exe\` pid 3000 on ${H} — hit: Indirect command execution via pcalua`,
      `- 2022-03-25 17:46:39Z \`calc.exe\` pid 4000 on ${H}`,
      'Hits elsewhere in the graph: Notepad rule',
    ].join('\n'));
  });

  it('cuts a long chain in the middle and says how many processes were left out', () => {
    const long = new Map<string, ProcessNode>();
    for (let i = 1; i <= 30; i++) long.set(g(i), proc(g(i), i > 1 ? g(i - 1) : null, { name: `p${i}.exe`, host: H }));
    const lines = lineageSummary(g(30), long, [], 12).split('\n');
    expect(lines[0]).toContain('(30 processes, root → leaf');
    expect(lines[0]).toContain('`p1.exe` → `p2.exe` → … → `p29.exe` → `p30.exe`');
    expect(lines).toHaveLength(1 + 12 + 1);
    expect(lines[3]).toBe('- … 18 processes between left out …');
    expect(lines.filter((l) => /`p\d+\.exe`/.test(l) && l.startsWith('- ')).map((l) => /`(p\d+)\.exe`/.exec(l)![1]))
      .toEqual(['p1', 'p2', ...Array.from({ length: 10 }, (_, i) => `p${21 + i}`)]);
  });

  it('is empty for an unknown leaf and stops on a parent cycle', () => {
    expect(lineageSummary(g(99), known)).toBe('');
    const cyc = new Map<string, ProcessNode>([[g(1), proc(g(1), g(2))], [g(2), proc(g(2), g(1))]]);
    expect(lineageSummary(g(1), cyc).split('\n')).toHaveLength(3);
  });
});
