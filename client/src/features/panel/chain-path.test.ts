import { describe, expect, it } from 'vitest';
import type { ProcessNode } from '@lineage/shared';
import { g, proc } from '../../testing/fixtures';
import { chainImages } from './chain-path';

/*
 *  explorer (placeholder, not logged)
 *  └─ outlook (1, placeholder: created before the window)
 *     └─ winword (2)
 *        ├─ cmd (3)
 *        │  └─ powershell (4)
 *        └─ ×6 conhost (group 5)
 */
const nodes: ProcessNode[] = [
  proc(g(9), null, { name: 'explorer.exe', placeholder: true, placeholderReason: 'not-logged' }),
  proc(g(1), g(9), { name: 'OUTLOOK.EXE', placeholder: true, placeholderReason: 'not-in-range' }),
  proc(g(2), g(1), { name: 'WINWORD.EXE' }),
  proc(g(3), g(2), { name: 'cmd.exe' }),
  proc(g(4), g(3), { name: 'powershell.exe' }),
  proc(g(5), g(2), { name: 'conhost.exe', kind: 'group' }),
];
const known = new Map(nodes.map((n) => [n.guid, n]));
const names = (imgs: string[]) => imgs.map((i) => i.split('\\').pop());

describe('chainImages', () => {
  it('walks from the selection to the topmost logged process, oldest first, stopping at a not-logged placeholder', () => {
    expect(names(chainImages(g(4), known))).toEqual(['OUTLOOK.EXE', 'WINWORD.EXE', 'cmd.exe', 'powershell.exe']);
    expect(names(chainImages(g(1), known))).toEqual(['OUTLOOK.EXE']);
  });

  it('uses the highlighted rule-hit chain up to the selection when the selection is on it', () => {
    expect(names(chainImages(g(3), known, [g(2), g(3), g(4)]))).toEqual(['WINWORD.EXE', 'cmd.exe']);
    // Selection off the highlight: the path to the root instead.
    expect(names(chainImages(g(3), known, [g(1), g(2)]))).toEqual(['OUTLOOK.EXE', 'WINWORD.EXE', 'cmd.exe']);
  });

  it('gives nothing for a group, a placeholder or an unknown id', () => {
    expect(chainImages(g(5), known)).toEqual([]);
    expect(chainImages(g(9), known)).toEqual([]);
    expect(chainImages(g(7), known)).toEqual([]);
  });

  it('survives a parent cycle in bad data', () => {
    const cyc = new Map([[g(1), proc(g(1), g(2), { name: 'a.exe' })], [g(2), proc(g(2), g(1), { name: 'b.exe' })]]);
    expect(names(chainImages(g(1), cyc))).toEqual(['b.exe', 'a.exe']);
  });
});
