/**
 * ATT&CK tags: every rule of the shipped pack carries at least one technique id (`attack.tNNNN[.NNN]`,
 * the Sigma tag form), and a rule's tags reach its hits and the notables made from them.
 */
import { describe, expect, it } from 'vitest';
import { NotableSchema, RuleHitSchema } from '@lineage/shared';
import { hitNotable } from '../services/rule-notables.js';
import type { EngineHit } from './model.js';
import { loadPack } from './pack.js';
import { parseRulesOrThrow } from './language/parse.js';
import { toRuleHit } from './run/hits.js';

const TECHNIQUE = /^attack\.t\d{4}(\.\d{3})?$/;

describe('ATT&CK tags', () => {
  it('every shipped rule has a technique tag; every tag is lower-case Sigma form', () => {
    const pack = loadPack();
    expect(pack.length).toBeGreaterThan(15);
    for (const r of pack) {
      expect(r.tags.some((t) => TECHNIQUE.test(t)), r.id).toBe(true);
      for (const t of r.tags) expect(t, r.id).toMatch(/^attack\.[a-z0-9.-]+$/);
    }
  });

  it('tags reach the hit and the notable; a rule without tags adds none', () => {
    const [rule] = parseRulesOrThrow('title: t\nid: x\ntags: [attack.execution, attack.t1059.001]\nchain:\n  - match: {Image|endswith: \'\\cmd.exe\'}\n');
    const g = '{00000000-0000-0000-0000-000000000001}';
    const hit = (r: typeof rule): EngineHit => ({ rule: r!, host: 'h', chain: [g], images: ['C:\\cmd.exe'], steps: [0], truncated: false, time: '2024-01-01T00:00:00.000Z', starts: [Date.parse('2024-01-01T00:00:00.000Z')] } as unknown as EngineHit);
    const wire = RuleHitSchema.parse(toRuleHit(hit(rule)));
    expect(wire.tags).toEqual(['attack.execution', 'attack.t1059.001']);
    expect(NotableSchema.parse(hitNotable(wire, 't')).tags).toEqual(['attack.execution', 'attack.t1059.001']);
    const [bare] = parseRulesOrThrow('cmd.exe -> powershell.exe');
    expect(toRuleHit(hit(bare)).tags).toBeUndefined();
  });
});
