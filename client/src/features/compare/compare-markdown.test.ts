import { describe, expect, it } from 'vitest';
import type { CompareAnswer } from '@lineage/shared';
import { compareMarkdown } from './compare-markdown';
import { parseCompareUrl, compareUrl } from './compare-url';

const side = (host: string) => ({ guid: `{${host}}`, host, name: 'cmd.exe', commandLine: 'cmd /c x', startTime: '2026-03-02T03:15:00.000Z', processes: 4, complete: true });
const answer: CompareAnswer = {
  a: side('ws-a'), b: { ...side('ws-b'), complete: false },
  rows: [
    { path: [], name: 'cmd.exe', commandLine: 'cmd /c x', depth: 0, a: ['1'], b: ['2'], status: 'both', eventsA: {}, eventsB: {}, eventDiff: {} },
    { path: ['k'], name: 'cscript.exe', commandLine: 'cscript a|b', depth: 1, a: ['3'], b: ['4'], status: 'both', eventsA: { network: 1 }, eventsB: { network: 2 }, eventDiff: { network: 1 } },
    { path: ['n'], name: 'net.exe', commandLine: 'net user x /add', depth: 1, a: [], b: ['5'], status: 'only-b', eventsA: {}, eventsB: {}, eventDiff: {} },
  ],
  summary: { onlyA: 0, onlyB: 1, countDiffers: 0, eventsDiffer: 1, same: 2 },
  stats: { searches: 4, rows: 0, ms: 1 },
};

describe('compare export and URL', () => {
  it('lists only differing positions, escapes pipes, says a cut side is partial', () => {
    const md = compareMarkdown(answer);
    expect(md).toContain('| position | status | A | B | events B − A |');
    expect(md).toContain('|   cscript.exe `cscript a\\|b` | both | 1 | 1 | network +1 |');
    expect(md).toContain('|   net.exe `net user x /add` | only-b | 0 | 1 |  |');
    expect(md).not.toContain('| cmd.exe');
    expect(md).toContain('(cut: partial)');
  });

  it('round-trips through the URL and names a bad parameter', () => {
    const g = '{11111111-2222-3333-4444-555555555555}';
    const url = compareUrl({ a: g, aHost: 'ws-a', b: g, bHost: null });
    expect(parseCompareUrl(url.split('?')[1]!)).toEqual({ request: { a: g, aHost: 'ws-a', b: g } });
    expect(parseCompareUrl('a=nope')).toMatchObject({ error: expect.stringContaining('a:') });
  });
});
