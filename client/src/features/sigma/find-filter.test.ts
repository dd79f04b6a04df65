import { describe, expect, it } from 'vitest';
import { doc, g, proc } from '../../testing/fixtures';
import { buildVisibleGraph, findMatches } from '../graph';
import { parseFind } from './find-filter';

const hit = (highest: 'low' | 'medium' | 'high' | 'critical', count = 1) => ({ count, highest, hits: [] });

describe('find: has Sigma hit', () => {
  //  1 explorer (no hits) ─ 2 cmd (low) ─ 3 powershell (high, 2 hits)
  //                       └ 4 cmd (no hits)
  const d = doc(g(1), [
    proc(g(1), null, { name: 'explorer.exe' }),
    proc(g(2), g(1), { name: 'cmd.exe', startTime: '2024-05-01T10:00:01Z', sigma: hit('low') }),
    proc(g(3), g(2), { name: 'powershell.exe', sigma: hit('high', 2) }),
    proc(g(4), g(1), { name: 'cmd.exe', startTime: '2024-05-01T10:00:02Z' }),
  ]);
  const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });

  it('has:sigma keeps every process with a hit; sigma:<level> those at that level or above', () => {
    expect(findMatches(vg, 'has:sigma').sort()).toEqual([g(2), g(3)].sort());
    expect(findMatches(vg, 'sigma:high')).toEqual([g(3)]);
    expect(findMatches(vg, 'sigma:low').sort()).toEqual([g(2), g(3)].sort());
    expect(findMatches(vg, 'sigma:critical')).toEqual([]);
  });

  it('combines with the text; plain find is unchanged', () => {
    expect(findMatches(vg, 'cmd.exe has:sigma')).toEqual([g(2)]);
    expect(findMatches(vg, 'HAS:SIGMA cmd')).toEqual([g(2)]);
    expect(findMatches(vg, 'cmd.exe').sort()).toEqual([g(2), g(4)].sort());
  });

  it('an unknown level is plain text, not a silent filter', () => {
    expect(parseFind('sigma:severe')).toEqual({ text: 'sigma:severe', sigmaAtLeast: null });
    expect(findMatches(vg, 'sigma:severe')).toEqual([]);
  });
});
