import { describe, expect, it } from 'vitest';
import type { Expansion, OpenedNode } from '@lineage/shared';
import { expansionSummary, openedById, whyLines } from './suspicion-model';

const o = (over: Partial<OpenedNode>): OpenedNode => ({ id: 'a', order: 1, score: 0, branch: 0, reasons: [], leadsTo: null, ...over });

describe('why a node was opened', () => {
  it('when a node has weighted reasons and leads further, then each reason shows its weight and the lead comes last', () => {
    expect(whyLines(o({ score: 35, reasons: [{ kind: 'encoded-powershell', text: 'encoded PowerShell', weight: 25 }, { kind: 'script-host', text: 'script host cmd.exe (T1059.003)', weight: 10 }], leadsTo: { guid: 'b', name: 'rundll32.exe', score: 60 } })))
      .toEqual(['encoded PowerShell (+25)', 'script host cmd.exe (T1059.003) (+10)', 'leads to rundll32.exe (score 60)']);
  });

  it('when a node has no reason, then the panel says why it is there anyway', () => {
    expect(whyLines(o({ order: 0 }))).toEqual(['the origin']);
    expect(whyLines(o({}))).toEqual(['nothing unusual: opened while budget remained']);
    expect(whyLines(o({ reasons: [{ kind: 'group', text: '100 similar probe.exe siblings, shown as one group', weight: 0 }] }))).toEqual(['100 similar probe.exe siblings, shown as one group']);
  });

  it('summarises the expansion and looks nodes up by id', () => {
    const x: Expansion = { mode: 'suspicion', auto: true, budget: 40, opened: [o({ id: 'a' }), o({ id: 'b' })], truncated: true, considered: 61, hidden: 59, rarity: false };
    expect(expansionSummary(x)).toBe('Large tree: opened 2 of 61 below the origin by suspicion (budget 40) · cut by the budget');
    expect([...openedById(x).keys()]).toEqual(['a', 'b']);
    expect(openedById(undefined).size).toBe(0);
  });
});
