/**
 * ES notables input (§6, §8.33): JSON array or JSON-lines files, ES default review fields, and
 * clear errors for input the emulator cannot index.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNotablesFile } from './index.js';
import { compileSearch, runSearch } from './spl/execute.js';
import { SplunkStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'notables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('notables', () => {
  it('reads a JSON array and JSON lines alike', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.jsonl');
    writeFileSync(a, JSON.stringify([{ rule_name: 'R1', dest: 'h1' }, { rule_name: 'R2' }]));
    writeFileSync(b, '{"rule_name":"R1","dest":"h1"}\n\n{"rule_name":"R2"}\n');
    expect(await readNotablesFile(a)).toEqual(await readNotablesFile(b));
  });

  it('names the line of a broken JSON-lines file', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"rule_name":"ok"}\n{"rule_name": nope}\n');
    await expect(readNotablesFile(bad)).rejects.toThrow(/bad\.jsonl:2: not JSON/);
  });

  it('stores raw notables without event_id/status/owner; review fields go to the incident-review collection', () => {
    const store = new SplunkStore();
    const [row] = store.addNotables([{ _time: 1_700_000_000, rule_name: 'R', severity: 'low', user: ['a', 'b'], risk_score: 40, status: 'Pending', owner: 'bob' }]);
    expect(row).toMatchObject({
      _time: '1700000000.000', index: 'notable', sourcetype: 'stash', rule_title: 'R', severity: 'low', user: ['a', 'b'], risk_score: '40',
      event_id: expect.stringMatching(/^[0-9A-F-]{36}@@notable@@[0-9a-f]{32}$/),
    });
    const raw = store.events()[0]!;
    for (const f of ['event_id', 'status', 'owner', 'status_label', 'urgency']) expect(raw[f], f).toBeUndefined();
    expect(() => store.addNotables([{ rule_name: 'fine' }, { rule_name: 'R', nested: { a: 1 } }])).toThrow(/notable field 'nested' is an object/);
    expect(() => store.addNotables([{ rule_name: 'R', _time: 'yesterday' }])).toThrow(/neither epoch seconds/);
    expect(() => store.addNotables([{ rule_name: 'R', status: 'Escalated' }])).toThrow(/unknown notable status 'Escalated'/);
    expect(store.size).toBe(1);
  });

  it('the `notable` macro adds event_id and review state (New/In Progress/Pending/Resolved/Closed, status_end)', () => {
    const store = new SplunkStore();
    const now = Date.now() / 1000;
    const added = store.addNotables([{ rule_name: 'A', _time: '-2h' }, { rule_name: 'B', status: '5', owner: 'alice' }, { rule_name: 'C', severity: 'high' }]);
    expect(Number(added[0]!._time)).toBeCloseTo(now - 7200, -1);
    store.review(added[2]!.event_id, { status: 'In Progress', owner: 'carol' });
    const out = runSearch(compileSearch('search `notable` | sort 0 rule_name'), store, { nowSec: now, defaultIndexes: ['main'] }).results;
    expect(out.map((r) => [r.rule_name, r.event_id, r.status, r.status_label, r.status_end, r.owner, r.urgency])).toEqual([
      ['A', added[0]!.event_id, '1', 'New', 'false', 'unassigned', 'medium'],
      ['B', added[1]!.event_id, '5', 'Closed', 'true', 'alice', 'medium'],
      ['C', added[2]!.event_id, '2', 'In Progress', 'false', 'carol', 'high'],
    ]);
    // A client cannot call the macro's internal stage by name.
    expect(() => compileSearch('search index=notable | _lineage_es_incident_review')).toThrow(/Unknown search command/);
  });
});
