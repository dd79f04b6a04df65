/**
 * The side panel's Sigma section (SigmaHits): every hit with its rule title, level, ATT&CK technique ids
 * (from `attack.tNNNN[.NNN]` tags only), the matched event (EventID, time, record) and the detection
 * selections that matched; nothing for a process without hits.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { NodeSigma, SigmaHit } from '@lineage/shared';
import { AttackIds, SigmaHits } from './SigmaHits';

const hit = (over: Partial<SigmaHit>): SigmaHit => ({
  ruleId: 'r', title: 't', level: 'low', tags: [], selections: ['selection'], host: 'h', guid: null, eventId: 1,
  time: '2024-05-01T10:00:00.000Z', recordId: null, ...over,
});
const html = (sigma: NodeSigma | undefined) => renderToStaticMarkup(createElement(SigmaHits, { sigma }));

describe('Sigma hits in the side panel', () => {
  it('lists each hit: title, level, technique ids, event, matched selections', () => {
    const out = html({ count: 2, highest: 'high', hits: [
      hit({ title: 'Encoded PowerShell', level: 'high', tags: ['attack.execution', 'attack.t1059.001', 'attack.t1027'], selections: ['selection_img', 'selection_cli'], recordId: 4242 }),
      hit({ title: 'Whoami Execution', level: 'medium', tags: ['attack.discovery'], eventId: 1, time: '2024-05-01T10:00:02.500Z' }),
    ] });
    expect(out).toContain('data-testid="sigma-hits"');
    expect(out).toMatch(/Sigma hits <span class="count">2<\/span>/);
    expect(out).toContain('<li class="sigma-level-high"><strong>Encoded PowerShell</strong> <span class="sigma-level">high</span>');
    expect(out).toContain('<span class="sigma-attack"> T1059.001 T1027</span>');
    expect(out).toContain('EventID 1 · 2024-05-01 10:00:00.000Z · record 4242 · matched selection_img, selection_cli');
    // A hit with only tactic tags shows no technique list; no record id, no "record".
    expect(out).toContain('<li class="sigma-level-medium"><strong>Whoami Execution</strong> <span class="sigma-level">medium</span><div');
    expect(out).toContain('EventID 1 · 2024-05-01 10:00:02.500Z · matched selection');
    expect(out.match(/<li /g)).toHaveLength(2);
  });

  it('renders nothing for a process without hits', () => {
    expect(html(undefined)).toBe('');
  });

  it('lineage rule hits and notables show their ATT&CK technique ids (AttackIds)', () => {
    const ids = (tags: string[] | undefined) => renderToStaticMarkup(createElement(AttackIds, { tags }));
    expect(ids(['attack.lateral-movement', 'attack.t1021.006', 'attack.T1059'])).toBe('<span class="attack-ids" title="ATT&amp;CK techniques"> T1021.006 T1059</span>');
    expect(ids(['attack.execution'])).toBe('');
    expect(ids(undefined)).toBe('');
  });
});
