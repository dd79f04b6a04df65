/**
 * The embedded store's rule scan returns the create's PE fields (OriginalFileName, Description, Product,
 * Company, FileVersion) like the Splunk scan does, so Sigma steps on them fire on both sources
 * (docs/sigma.md "Create fields of a rule scan"). SigmaHQ's regression captures of renamed binaries plus a
 * larger capture are ingested; the expected hits and field values come from the captures' XML
 * (../renamed-binaries.ts, no product code). Also for a store of schema 3 (made here by dropping the
 * columns): open read-only, its scan reads the fields from the create events; open writable, it is
 * upgraded to schema 4 with the columns filled.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireDatasets, requireSigmaHQ } from '../datasets.js';
import { tempDir } from '../ingest/helpers.js';
import { RENAMED_RULE_FILES, RENAMED_RULES, expectedHits, hitSet, renamedCaptures, xmlCreates } from '../renamed-binaries.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { loadRules as loadSigma, sigmaLibrary } from '../../src/sigma/load.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { newContext, type CreateExtraField, type ProcessRecord } from '../../src/sources/event-source.js';
import { parseRulesOrThrow } from '../../src/rules/language/parse.js';
import { runRules } from '../../src/rules/run/run.js';

const PE = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'];

/** Every scanned create as `host|guid` → its `fields` (absent: {}); `fields` as the scan asks for them. */
async function scanned(source: EmbeddedSource, fields?: readonly CreateExtraField[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for await (const batch of source.scanProcesses({ ctx: newContext(), ...(fields ? { fields } : {}) })) {
    for (const r of batch as ProcessRecord[]) out.set(`${r.host}|${r.guid.replace(/[{}]/g, '').toLowerCase()}`, r.fields ?? {});
  }
  return out;
}

/** The PE fields of each create as the XML has them (non-empty only), keyed as `scanned`. */
function xmlFields(files: string[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const c of xmlCreates(files)) {
    const key = `${c.host}|${c.guid}`;
    if (out.has(key)) continue; // the earliest create of a GUID is the process row (none repeat here)
    out.set(key, Object.fromEntries(PE.filter((k) => (c.f[k] ?? '') !== '').map((k) => [k, c.f[k]!])));
  }
  return out;
}

/** Undo schema 4 on a closed store file: drop the PE columns, version back to 3. */
async function makeSchema3(db: string): Promise<void> {
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  try {
    for (const c of ['original_file_name', 'description', 'product', 'company', 'file_version']) await conn.run(`ALTER TABLE processes DROP COLUMN ${c}`);
    await conn.run(`UPDATE meta SET value = '3' WHERE key = 'schema_version'`);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const present = requireDatasets('embedded rule scan: PE fields') && requireSigmaHQ('embedded rule scan: PE fields');
describe.runIf(present)('embedded rule scan: the create\'s PE fields, as on Splunk', () => {
  let db = '';
  let files: string[] = [];
  let expected: string[] = [];
  let want = new Map<string, Record<string, string>>();
  const rules = () => parseRulesOrThrow(RENAMED_RULES, null, { sigma: sigmaLibrary(loadSigma(RENAMED_RULE_FILES).rules, 'test library') });

  beforeAll(async () => {
    files = renamedCaptures();
    expected = expectedHits(files);
    want = xmlFields(files);
    db = join(tempDir(), 'pe.duckdb');
    const store = await EmbeddedStore.open(db);
    try { await ingestPaths(files, { write: (b) => store.writeEvents(b) }); } finally { await store.close(); }
  });

  async function check(readOnly: boolean, extras: boolean): Promise<void> {
    const store = await EmbeddedStore.open(db, { readOnly });
    const source = new EmbeddedSource(store);
    try {
      expect(store.createExtras).toBe(extras);
      // Each scanned record carries exactly the PE fields its create has in the XML.
      const got = await scanned(source);
      expect(got.size).toBe(want.size);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
      // Asked for fewer (the fields the rules read): only those; none asked, none returned.
      const only = (m: Map<string, Record<string, string>>, keep: string[]) => Object.fromEntries([...m].map(([k, f]) => [k, Object.fromEntries(Object.entries(f).filter(([n]) => keep.includes(n)))]));
      expect(Object.fromEntries(await scanned(source, ['OriginalFileName', 'Company']))).toEqual(only(want, ['OriginalFileName', 'Company']));
      expect(Object.fromEntries(await scanned(source, []))).toEqual(only(want, []));
      const r = await runRules(source, rules(), { ctx: newContext() });
      expect(hitSet(r.hits)).toEqual(expected);
    } finally {
      await source.close();
    }
  }

  it('a store of this build: scanned records carry the PE fields, and rules on them find the hits the XML decides', async () => {
    // The data decides: the renamed msdt, curl and ftp by their SigmaHQ rules, curl by either form, netsh by its description.
    expect(expected.filter((h) => h.startsWith('ofn-sigmahq ')).length).toBeGreaterThanOrEqual(3);
    expect(expected.filter((h) => h.startsWith('ofn-either ')).length).toBeGreaterThanOrEqual(1);
    expect(expected.filter((h) => h.startsWith('ofn-description ')).length).toBeGreaterThanOrEqual(1);
    // Each regression capture's create carries the PE fields (Sysmon ≥ 8); the larger capture's (older Sysmon) none.
    expect([...want.values()].filter((f) => f.OriginalFileName && f.Description && f.Company).length).toBeGreaterThanOrEqual(4);
    await check(false, true);
  });

  it('a schema-3 store: read-only, the scan reads the fields from the create events; writable, it is upgraded with them', async () => {
    await makeSchema3(db);
    await check(true, false);
    await check(false, true);
    await check(true, true);
  });
});
