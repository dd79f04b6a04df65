/**
 * ES notables input (§6, §8.33): JSON array or JSON-lines files, ES default review fields, and
 * clear errors for input the emulator cannot index.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNotablesFile } from './index.js';
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

  it('fills ES defaults, keeps given values, and refuses object-valued fields and bad times', () => {
    const store = new SplunkStore();
    const [row] = store.addNotables([{ _time: 1_700_000_000, rule_name: 'R', severity: 'low', user: ['a', 'b'], risk_score: 40 }]);
    expect(row).toMatchObject({
      _time: '1700000000.000', index: 'notable', sourcetype: 'stash', source: 'R - Rule', rule_title: 'R', severity: 'low',
      urgency: 'low', status: '1', status_label: 'New', owner: 'unassigned', user: ['a', 'b'], risk_score: '40',
      event_id: expect.stringMatching(/^[0-9A-F]{8}@@notable@@[0-9a-f]{32}$/),
    });
    expect(() => store.addNotables([{ rule_name: 'fine' }, { rule_name: 'R', nested: { a: 1 } }])).toThrow(/notable field 'nested' is an object/);
    expect(() => store.addNotables([{ rule_name: 'R', _time: 'yesterday' }])).toThrow(/neither epoch seconds nor ISO 8601/);
    expect(store.size).toBe(1);
  });
});
