import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { lineageKeys, lineageQueries, type Scope } from './queries';

const G = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const scope: Scope = { host: null, from: null, to: null };

describe('query keys', () => {
  it('when keys are built, then every one starts with the family prefix so a prefix invalidates the family', () => {
    const keys = [
      lineageKeys.graph(G, scope, 1), lineageKeys.ancestors(G, scope), lineageKeys.childrenPage(G, scope, null),
      lineageKeys.process(G, null), lineageKeys.events(G, scope, 'network'),
    ];
    for (const k of keys) expect(k.slice(0, 2)).toEqual([...lineageKeys.processData()]);
    expect(lineageKeys.notableList({ from: null, to: null }).slice(0, 2)).toEqual([...lineageKeys.notables()]);
  });

  it('when anything the fetcher reads differs, then the key differs', () => {
    const base = JSON.stringify(lineageKeys.graph(G, scope, 1));
    expect(JSON.stringify(lineageKeys.graph(G, { ...scope, host: 'WS1' }, 1))).not.toBe(base);
    expect(JSON.stringify(lineageKeys.graph(G, { ...scope, from: '2024-01-01T00:00:00Z' }, 1))).not.toBe(base);
    expect(JSON.stringify(lineageKeys.graph(G, scope, 2))).not.toBe(base);
    expect(JSON.stringify(lineageKeys.childrenPage(G, scope, 'c1'))).not.toBe(JSON.stringify(lineageKeys.childrenPage(G, scope, null)));
    expect(JSON.stringify(lineageKeys.events(G, scope, 'dns'))).not.toBe(JSON.stringify(lineageKeys.events(G, scope, null)));
    expect(JSON.stringify(lineageKeys.events(G, scope, null, true))).not.toBe(JSON.stringify(lineageKeys.events(G, scope, null)));
  });

  it('when process data is invalidated after an upload, then graph queries go stale and notables do not', async () => {
    const qc = new QueryClient();
    qc.setQueryData(lineageKeys.graph(G, scope, 1), { marker: 1 } as never);
    qc.setQueryData(lineageKeys.notableList({ from: null, to: null }), [] as never);
    await qc.invalidateQueries({ queryKey: lineageKeys.processData() });
    const cache = qc.getQueryCache();
    expect(cache.find({ queryKey: lineageKeys.graph(G, scope, 1) })!.state.isInvalidated).toBe(true);
    expect(cache.find({ queryKey: lineageKeys.notableList({ from: null, to: null }) })!.state.isInvalidated).toBe(false);
    await qc.invalidateQueries({ queryKey: lineageKeys.all });
    expect(cache.find({ queryKey: lineageKeys.notableList({ from: null, to: null }) })!.state.isInvalidated).toBe(true);
  });

  it('when a query options builder is used, then its key is the factory key', () => {
    expect(lineageQueries.childrenPage(G, scope, 'abc').queryKey).toEqual(lineageKeys.childrenPage(G, scope, 'abc'));
    expect(lineageQueries.events(G, scope, null).queryKey).toEqual(lineageKeys.events(G, scope, null));
    expect(lineageQueries.graph(G, scope, 1).queryKey).toEqual(lineageKeys.graph(G, scope, 1));
  });
});
