/**
 * The typed request builders produce the query strings written out below by hand, and the server's
 * schemas read them back as the values given (the contract both sides share).
 */
import { describe, expect, it } from 'vitest';
import { ChildrenQuery, EventsQuery, GraphQuery, NotablesQuery, RulesRunBody, SearchQuery, apiPaths } from './requests.js';
import { investigationUrl } from './investigation-url.js';

const G = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const query = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams);

describe('request builders', () => {
  it('write the documented query strings', () => {
    expect(apiPaths.graph({ guid: G, host: 'ws1', up: true, down: 2, from: '2024-05-01T00:00:00.000Z', to: null }))
      .toBe('/api/graph?guid=%7B5770385f-c22a-43e0-bf4c-06f5698ffbd9%7D&host=ws1&up=1&down=2&from=2024-05-01T00%3A00%3A00.000Z');
    expect(apiPaths.process(G)).toBe('/api/processes/%7B5770385f-c22a-43e0-bf4c-06f5698ffbd9%7D');
    expect(apiPaths.children(G, { limit: 50, cursor: 'abc' })).toBe('/api/processes/%7B5770385f-c22a-43e0-bf4c-06f5698ffbd9%7D/children?cursor=abc&limit=50');
    expect(apiPaths.events(G, { category: 'network' })).toBe('/api/processes/%7B5770385f-c22a-43e0-bf4c-06f5698ffbd9%7D/events?category=network');
    expect(apiPaths.search({ q: 'a b&c' })).toBe('/api/search?q=a+b%26c');
    expect(apiPaths.notables()).toBe('/api/notables');
  });

  it('what they write, the server schemas read back', () => {
    expect(GraphQuery.parse(query(apiPaths.graph({ guid: G.toUpperCase(), up: false, down: 'all', events: true, budget: 10, group: 3 }))))
      .toEqual({ guid: G, up: false, down: Infinity, events: true, budget: 10, group: 3 });
    expect(GraphQuery.parse(query(apiPaths.graph({ guid: G, expand: 'suspicion', budget: 40 })))).toEqual({ guid: G, up: false, down: Infinity, events: false, group: 5, budget: 40, expand: 'suspicion' });
    expect(GraphQuery.safeParse({ guid: G, expand: 'everything' }).success).toBe(false);
    expect(ChildrenQuery.parse(query(apiPaths.children(G, { host: 'WS1', limit: 7 })))).toEqual({ host: 'ws1', limit: 7 });
    expect(EventsQuery.parse(query(apiPaths.events(G, { category: 'dns', from: '2024-05-01', to: '2024-05-02' }))))
      .toEqual({ category: 'dns', limit: 100, from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' });
    expect(SearchQuery.parse(query(apiPaths.search({ image: 'cmd.exe', limit: 5 })))).toEqual({ image: 'cmd.exe', limit: 5 });
    expect(NotablesQuery.parse(query(apiPaths.notables({ host: 'H' })))).toEqual({ host: 'h', limit: 200, status: 'open' });
    expect(NotablesQuery.parse(query(apiPaths.notables({ status: 'all' })))).toEqual({ limit: 200, status: 'all' });
  });

  it('schemas refuse unknown parameters and bad values', () => {
    expect(GraphQuery.safeParse({ guid: G, dwon: '2' }).success).toBe(false);
    expect(GraphQuery.safeParse({ guid: 'nope' }).success).toBe(false);
    expect(ChildrenQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(RulesRunBody.safeParse({ rules: '' }).success).toBe(false);
    expect(RulesRunBody.safeParse({ rules: 'x', from: 'yesterday' }).success).toBe(false);
  });
});

describe('investigation URL', () => {
  it('fixed order, readable GUID punctuation, window only when both ends are known', () => {
    expect(investigationUrl({ guid: G, host: 'ws1', from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z', sel: G, highlight: ['{a}', G] }))
      .toBe(`/?guid=${G}&host=ws1&from=2024-01-01T00:00:00.000Z&to=2024-01-02T00:00:00.000Z&sel=${G}&highlight={a},${G}`);
    expect(investigationUrl({ src: 'splunk', guid: G, from: '2024-01-01T00:00:00.000Z' })).toBe(`/?src=splunk&guid=${G}`);
    expect(investigationUrl({ guid: G, host: 'a&b' })).toBe(`/?guid=${G}&host=a%26b`);
  });
});
