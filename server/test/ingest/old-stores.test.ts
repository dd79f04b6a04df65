/**
 * Stores written by older builds (docs/ingest.md "Event identity", "Old stores"): ingesting the same
 * files again stores nothing new. Old stores are made here from a store of this build by undoing
 * what the later schemas added — schema 2: `fields` in the order the reader met the names (here:
 * reversed, so the upgrade must rewrite every row); schema 1: that, no `sys_key` column and the old
 * key `hash(host, record_id)`. The expected count of distinct events is computed in the test from the
 * file with the reference parser (fast-xml-parser) and an identity written here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedStore } from '../../src/sources/embedded/store.js';
import { dataset, requireDatasets } from '../datasets.js';
import { referenceParse } from './fxp-reference.js';
import { tempDir } from './helpers.js';

const run = requireDatasets('re-ingest into old stores');
const FILE = run ? dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log') : '';

/** Distinct Sysmon events of the capture: host, channel, record id, EventID, system time, data. */
function distinct(file: string): number {
  const keys = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('<Event')) continue;
    const { system: s, data } = referenceParse(line.trimEnd());
    if (!/sysmon/i.test(`${s.channel ?? ''} ${s.provider ?? ''}`)) continue;
    const d = Object.keys(data).sort().map((k) => [k, /guid$/i.test(k) ? data[k]!.toLowerCase() : data[k]]);
    keys.add(JSON.stringify([s.computer?.toLowerCase(), s.channel, s.recordId, s.eventId, s.timeCreated, d]));
  }
  return keys.size;
}

async function ingest(db: string): Promise<{ events: number; duplicates: number; stored: number }> {
  const store = await EmbeddedStore.open(db);
  try {
    const r = await ingestPaths([FILE], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
    return { events: r.events, duplicates: r.duplicates, stored: (await store.counts()).events };
  } finally {
    await store.close();
  }
}

/** Turn a store of this build into one as schema `version` wrote it (see the file comment). */
async function makeOld(db: string, version: 1 | 2): Promise<void> {
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  try {
    const rows = (await conn.runAndReadAll('SELECT seq, fields FROM events')).getRowsJS();
    for (const [seq, text] of rows) {
      const reversed = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(String(text)) as Record<string, string>).reverse()));
      await conn.run('UPDATE events SET fields = $1 WHERE seq = $2', [reversed, Number(seq)]);
    }
    if (version === 1) {
      await conn.run('ALTER TABLE events DROP COLUMN sys_key');
      await conn.run('UPDATE events SET dkey = hash(host, record_id)');
    } else {
      await conn.run(`UPDATE events SET dkey = hash(host, record_id, event_id, coalesce(sys_key, ''), fields)`);
    }
    await conn.run(`UPDATE meta SET value = '${version}' WHERE key = 'schema_version'`);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe.runIf(run)('re-ingest into a store written by an older schema stores nothing twice', () => {
  it.each([1, 2] as const)('schema %i', async (version) => {
    const want = distinct(FILE);
    const db = join(tempDir(), `old-${version}.duckdb`);
    const first = await ingest(db);
    expect(first.stored).toBe(want);
    await makeOld(db, version);
    // The made-up old store really is old: its rows no longer match what this build writes.
    const check = await DuckDBInstance.create(db);
    const c = await check.connect();
    const meta = (await c.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRowsJS()[0]?.[0];
    const cols = (await c.runAndReadAll(`SELECT count(*) FROM duckdb_columns() WHERE table_name = 'events' AND column_name = 'sys_key'`)).getRowsJS()[0]?.[0];
    c.closeSync();
    check.closeSync();
    expect(meta).toBe(String(version));
    expect(Number(cols)).toBe(version === 1 ? 0 : 1);
    const again = await ingest(db);
    expect(again.stored).toBe(want);
    expect(again.events).toBe(0);
    // Opened once more (already upgraded): still nothing new.
    expect((await ingest(db)).stored).toBe(want);
  });
});
