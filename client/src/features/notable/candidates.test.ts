/** Which notables "Add to notable" offers, and in which order. */
import { describe, expect, it } from 'vitest';
import type { Notable } from '@lineage/shared';
import { g } from '../../testing/fixtures';
import { notableCandidates } from './candidates';

const n = (id: string, over: Partial<Notable>): Notable => ({
  id, title: id, host: 'ws1.corp.example', time: '2022-03-25T17:46:40.000Z', severity: 'high', guid: null, image: null, source: 'splunk-es', ...over,
});

describe('notableCandidates', () => {
  const notables = [
    n('old-on-host', { time: '2022-03-25T10:00:00.000Z' }),
    n('on-origin', { guid: g(1), time: '2022-03-25T09:00:00.000Z' }),
    n('on-child', { guid: g(2), host: 'other.corp.example' }),
    n('elsewhere', { guid: g(9), host: 'other.corp.example' }),
    n('rule-hit', { guid: g(2), source: 'rule' }),
    n('new-on-host', { host: 'WS1.corp.example', time: '2022-03-25T18:00:00.000Z' }),
  ];
  it('keeps ES notables on a known process or the origin host, origin first, then newest first', () => {
    const got = notableCandidates(notables, new Set([g(1), g(2)]), 'ws1.corp.example', g(1)).map((x) => x.id);
    expect(got).toEqual(['on-origin', 'new-on-host', 'on-child', 'old-on-host']);
  });
  it('offers nothing when no notable touches the graph', () => {
    expect(notableCandidates(notables, new Set([g(5)]), 'nowhere', g(5))).toEqual([]);
  });
});
