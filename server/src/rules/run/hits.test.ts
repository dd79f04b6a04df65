/**
 * A rule hit's link opens a window that holds the whole chain: from the earliest known chain start − 1 h
 * to the leaf's start + 24 h (the graph's default window, stretched back). Times below are hand-picked:
 *
 *   [explorer]            placeholder (only its child's Parent* fields): start unknown
 *   └─ cmd.exe       A    2024-01-01T00:00:00Z   (t = 0)
 *      └─ powershell  B   2024-01-01T02:00:00Z   (t = 7200)
 *         └─ winword  C   2024-01-01T02:00:30Z   (t = 7230)   ← leaf
 */
import { describe, expect, it } from 'vitest';
import { parseRulesOrThrow } from '../language/parse.js';
import { hitUrl, hitWindow, toRuleHit } from './hits.js';
import { runItems, vectorItems } from '../vectors.js';

const RULE = 'explorer.exe -[1..3]-> powershell.exe -[1..3]-> winword.exe';
const A = '{aaaaaaaa-0000-0000-0000-00000000000a}';
const B = '{aaaaaaaa-0000-0000-0000-00000000000b}';
const C = '{aaaaaaaa-0000-0000-0000-00000000000c}';
const X = '{aaaaaaaa-0000-0000-0000-0000000000ee}';

function hits() {
  return runItems(parseRulesOrThrow(RULE), vectorItems([
    { g: A, p: X, img: 'C:\\Windows\\System32\\cmd.exe', pimg: 'C:\\Windows\\explorer.exe', t: 0, host: 'WS9' },
    { g: B, p: A, img: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', t: 7200, host: 'WS9' },
    { g: C, p: B, img: 'C:\\Office\\WINWORD.EXE', t: 7230, host: 'WS9' },
  ]));
}

describe('hit window and link', () => {
  it('the engine reports each chain node\'s start, null for the placeholder', () => {
    const [h, ...rest] = hits();
    expect(rest).toEqual([]);
    expect(h!.chain).toEqual([X, A, B, C]);
    expect(h!.starts).toEqual([null, Date.parse('2024-01-01T00:00:00Z'), Date.parse('2024-01-01T02:00:00Z'), Date.parse('2024-01-01T02:00:30Z')]);
    expect(h!.time).toBe('2024-01-01T02:00:30.000Z');
  });

  it('window: earliest known start (cmd, 00:00) − 1 h … leaf (02:00:30) + 24 h, carried on the wire hit and in its url', () => {
    const hit = toRuleHit(hits()[0]!);
    expect(hit.from).toBe('2023-12-31T23:00:00.000Z');
    expect(hit.to).toBe('2024-01-02T02:00:30.000Z');
    const q = new URLSearchParams(hit.url.replace(/^\/\?/, ''));
    expect(Object.fromEntries(q)).toEqual({
      guid: C, host: 'ws9', from: '2023-12-31T23:00:00.000Z', to: '2024-01-02T02:00:30.000Z', sel: C, highlight: [X, A, B, C].join(','),
    });
    // Readable, as the client writes its URLs (braces, commas and colons unescaped).
    expect(hit.url).toContain(`from=2023-12-31T23:00:00.000Z&to=2024-01-02T02:00:30.000Z&sel=${C}`);
  });

  it('without the chain, the window is the graph default around the leaf; unreadable times are skipped or give no window', () => {
    const ms = (t: string) => Date.parse(t);
    expect(hitWindow([ms('2024-01-01T02:00:30Z')])).toEqual({ from: '2024-01-01T01:00:30.000Z', to: '2024-01-02T02:00:30.000Z' });
    expect(hitWindow([null, Number.NaN, ms('2024-01-01T01:00:00Z'), ms('2024-01-01T02:00:30Z')]))
      .toEqual({ from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T02:00:30.000Z' });
    expect(hitWindow([ms('2024-01-01T01:00:00Z'), Number.NaN])).toBeNull();
    expect(hitWindow([])).toBeNull();
    // No window: the link leaves it to the server (as before), nothing else changes.
    expect(hitUrl('ws9', [A, C])).toBe(`/?guid=${C}&host=ws9&sel=${C}&highlight=${A},${C}`);
  });
});
