/**
 * A node with Sigma hits: its label carries "⚑ Sigma <count> · <highest level>" and its classes
 * `sigma sigma-<level>` (the Cytoscape style tints it); nodes without hits carry neither.
 *
 *   cmd(1)            ← origin, 2 hits (medium, high)
 *     └ powershell(2) (no hits)
 */
import { describe, expect, it } from 'vitest';
import type { SigmaHit } from '@lineage/shared';
import { doc, g, proc } from '../../testing/fixtures';
import { toElements, buildVisibleGraph } from '../graph';
import { techniques } from './SigmaHits';

const hit = (level: SigmaHit['level'], tags: string[]): SigmaHit => ({
  ruleId: `r-${level}`, title: `rule ${level}`, level, tags, selections: ['selection'], host: 'h', guid: g(1), eventId: 1, time: '2024-05-01T10:00:00.000Z', recordId: 7,
});

describe('Sigma badge on graph nodes', () => {
  const d = doc(g(1), [
    proc(g(1), null, { name: 'cmd.exe', sigma: { count: 2, highest: 'high', hits: [hit('medium', ['attack.execution']), hit('high', ['attack.t1059.001'])] } }),
    proc(g(2), g(1), { name: 'powershell.exe' }),
  ]);
  const els = toElements(buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() }), new Map());
  const node = (id: string) => els.find((e) => e.data.id === id)!;

  it('shows count and highest level on the node with hits, and nothing on the other', () => {
    expect(String(node(g(1)).data.label).split('\n')).toContain('⚑ Sigma 2 · high');
    expect(node(g(1)).classes.split(' ')).toEqual(expect.arrayContaining(['sigma', 'sigma-high']));
    expect(String(node(g(2)).data.label)).not.toMatch(/Sigma/);
    expect(node(g(2)).classes).not.toMatch(/sigma/);
  });

  it('technique ids come from attack.tNNNN[.NNN] tags only', () => {
    expect(techniques(['attack.execution', 'attack.t1059.001', 'attack.T1027', 'cve.2021-1'])).toEqual(['T1059.001', 'T1027']);
  });
});
