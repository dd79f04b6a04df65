/**
 * The store's field index only narrows scans: every search answers exactly as a full scan does
 * (mixed-case values, IN lists, multivalue fields, absent fields, edits after the index was built).
 */
import { describe, expect, it } from 'vitest';
import { compileSearch, runSearch, type EventStore } from './spl/execute.js';
import { SplunkStore } from './store.js';
import type { Row } from './spl/values.js';

function rows(): Row[] {
  return Array.from({ length: 300 }, (_, i) => ({
    _time: String(1_700_000_000 + (i % 97)), index: i % 10 === 0 ? 'main' : 'sysmon', _raw: `e${i}`,
    host: i % 3 === 0 ? 'WKS-A' : i % 3 === 1 ? 'wks-a' : 'wks-b',
    EventCode: String(i % 4),
    ...(i % 5 === 0 ? {} : { ProcessGuid: `{AAAA0000-0000-0000-0000-${String(i % 20).padStart(12, '0')}}` }),
    ...(i % 7 === 0 ? { tag: ['Red', 'blue'] } : { tag: 'green' }),
  }));
}

const SEARCHES = [
  'search index=sysmon host=wks-a',
  'search index=sysmon host="WKS-A" EventCode=1',
  'search index=* tag=RED',
  'search index=* tag IN (blue, green) EventCode IN (0, 3) | stats count by host tag',
  'search index=sysmon ProcessGuid IN ("{aaaa0000-0000-0000-0000-000000000003}", "{AAAA0000-0000-0000-0000-000000000011}") | sort 0 _raw',
  'search index=sysmon ProcessGuid="{aaaa0000-0000-0000-0000-000000000003}" OR host=wks-b | stats count',
  'search index=sysmon nosuchfield=x',
  'search host=wks-b',
  'search index=sysmon host=wks* EventCode=2 | head 5',
];

describe('SplunkStore field index', () => {
  it('gives the same answers as a full scan, also after more events arrive', () => {
    const store = new SplunkStore();
    store.addRows(rows());
    const scan: EventStore = { events: () => store.events(), datamodel: (n) => store.datamodel(n) };
    const opts = { nowSec: 1_800_000_000, defaultIndexes: ['main'] };
    const check = () => {
      for (const spl of SEARCHES) {
        const c = compileSearch(spl);
        expect(runSearch(c, store, opts).results, spl).toEqual(runSearch(c, scan, opts).results);
      }
    };
    check();
    expect(runSearch(compileSearch('search index=sysmon host=WKS-A'), store, opts).results.length).toBeGreaterThan(100);
    store.addRows([{ _time: '1700000500', index: 'sysmon', _raw: 'late', host: 'wks-a', EventCode: '1', tag: 'RED' }]);
    check();
    expect(runSearch(compileSearch('search index=sysmon host=wks-a | head 1'), store, opts).results[0]!._raw).toBe('late');
  });
});
