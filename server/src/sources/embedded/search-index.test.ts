/**
 * The search index (search-index.ts) gives the same seeds as a plain scan. The expected answer is
 * computed here by a JS loop over the generated creates (substring of the lowercased text, earliest
 * create per host + GUID, ordered by start, GUID, host) — no SQL of the code under test.
 * Text is ASCII plus a few Latin letters whose lowercase JS and DuckDB agree on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { newContext, type SeedQuery } from '../event-source.js';
import { planSearch } from './search-index.js';
import { SearchVocabulary } from './search-vocabulary.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore } from './store.js';

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['ws-1', 'ws-2', 'srv-3'];
const IMAGES = ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'C:\\Program Files\\Tools\\Rare_Tool-9.exe', 'C:\\Users\\Désirée\\AppData\\Évil\\x.EXE', 'C:\\Windows\\notepad.exe'];
const WORDS = ['/c', 'echo', 'whoami', '-enc', 'SQBFAFgA', 'net', 'user', 'Admin$', 'C:\\Temp\\a b.txt', '--flag=Value',
  '"quoted arg"', '%APPDATA%\\x', '12345', 'a.b.c', '&&', '|'];
/** Each in about 1 % of the command lines (the index is used for pieces this rare). */
const RARE = ['mimikatz', 'sekurlsa::logonpasswords', 'Café', 'über', 'ÉTÉ'];

interface Create { host: string; guid: string; image: string; commandLine: string; time: string; record: number }

let record = 1;
function create(r: () => number, host: string, n: number, timeMs: number, extra = ''): Create {
  const words = Array.from({ length: 1 + Math.floor(r() * 6) }, () => WORDS[Math.floor(r() * WORDS.length)]!);
  if (r() < 0.3) words.push(`tok${Math.floor(r() * 5000)}x`);
  if (r() < 0.05) words.push(RARE[Math.floor(r() * RARE.length)]!);
  if (extra) words.push(extra);
  const image = IMAGES[Math.floor(r() * IMAGES.length)]!;
  const guid = `{cafe0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}}`;
  return { host, guid, image, commandLine: `${image.split('\\').pop()} ${words.join(' ')}`, time: new Date(timeMs).toISOString(), record: record++ };
}

const toEvent = (c: Create): SysmonEvent => ({
  eventId: 1, category: 'process', host: c.host, recordId: c.record, time: c.time, guid: c.guid, targetGuid: null,
  fields: { ProcessGuid: c.guid, Image: c.image, CommandLine: c.commandLine, ProcessId: String(c.record) },
});

/** The scan's answer, by hand: case-insensitive substrings, earliest create per (host, guid). */
function expected(all: Create[], q: SeedQuery, o: { limit: number; range?: { from: string; to: string } }): string[] {
  const first = new Map<string, Create>();
  for (const c of all) {
    const k = `${c.host}\n${c.guid}`;
    const had = first.get(k);
    if (!had || c.time < had.time) first.set(k, c);
  }
  const hit = [...first.values()].filter((c) => (!q.host || c.host === q.host.toLowerCase())
    && (!q.image || c.image.toLowerCase().includes(q.image.toLowerCase()))
    && (!q.text || c.commandLine.toLowerCase().includes(q.text.toLowerCase()))
    && (!o.range || (c.time >= o.range.from && c.time <= o.range.to)));
  hit.sort((a, b) => (a.time !== b.time ? (a.time < b.time ? -1 : 1) : a.guid !== b.guid ? (a.guid < b.guid ? -1 : 1) : a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return hit.slice(0, o.limit).map((c) => `${c.host} ${c.guid}`);
}

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
let dir: string;
let db: string;
const all: Create[] = [];

/** Queries taken from the data: whole and partial tokens, across separators, other case, rare and common. */
function queries(r: () => number): { q: SeedQuery; o: { limit: number; range?: { from: string; to: string } } }[] {
  const out: { q: SeedQuery; o: { limit: number; range?: { from: string; to: string } } }[] = [];
  const fixed: SeedQuery[] = [{ text: 'mimikatz' }, { text: 'MIMIKATZ' }, { text: 'katz sek' }, { text: 'sekurlsa::logon' }, { text: 'tok17' },
    { text: 'ok123x' }, { text: 'café' }, { text: 'CAFÉ' }, { text: 'über' }, { text: 'été' }, { text: '::' }, { text: ' ' }, { text: 'nosuchtoken' },
    { text: 'a b.t' }, { text: '$ ' }, { image: 'rare_tool' }, { image: 'désirée' }, { image: 'exe' }, { image: 'tool-9', text: 'echo' },
    { host: 'ws-2', text: 'whoami' }, { host: 'ws-1', text: 'mimikatz' }, { host: 'WS-3', text: 'Café' }, { host: 'srv-3', text: 'tok17' }, { host: 'SRV-3', image: 'notepad', text: 'tok4' }, { text: 'Value' }, { text: 'VALUE' }];
  for (const q of fixed) out.push({ q, o: { limit: 50 } }, { q, o: { limit: 5000 } });
  for (let i = 0; i < 40; i++) {
    const c = all[Math.floor(r() * all.length)]!;
    const s = Math.floor(r() * c.commandLine.length);
    const text = c.commandLine.slice(s, s + 2 + Math.floor(r() * 12));
    const range = r() < 0.3 ? { from: new Date(T0 + 3_600_000).toISOString(), to: new Date(T0 + 5 * 3_600_000).toISOString() } : undefined;
    out.push({ q: { text: r() < 0.5 ? text.toUpperCase() : text }, o: { limit: 1 + Math.floor(r() * 200), ...(range ? { range } : {}) } });
  }
  return out;
}

async function sameAsScan(src: EmbeddedSource, label: string): Promise<void> {
  for (const { q, o } of queries(rng(7))) {
    const rows = await src.findSeeds(q, { ctx: newContext(), ...o, ...(q.host ? { host: q.host } : {}) });
    expect(rows.map((p) => `${p.host} ${p.guid}`), `${label}: ${JSON.stringify(q)} ${JSON.stringify(o)}`).toEqual(expected(all, q, o));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-search-'));
  db = join(dir, 'search.duckdb');
  const r = rng(42);
  for (let n = 0; n < 3000; n++) all.push(create(r, HOSTS[n % HOSTS.length]!, n, T0 + Math.floor(r() * 8 * 3_600_000)));
  // Several creates in one millisecond (ties broken by GUID, then host).
  for (let n = 3000; n < 3010; n++) all.push(create(r, HOSTS[n % HOSTS.length]!, n, T0 + 7_200_000, 'sametime'));
  const store = await EmbeddedStore.open(db);
  await store.writeEvents(all.map(toEvent));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('search index', () => {
  it('when a store made without the index is served, then it is built in place and every search equals the scan', async () => {
    const store = await EmbeddedStore.open(db);
    const plain = new EmbeddedSource(store);
    await sameAsScan(plain, 'no index yet');
    const src = new EmbeddedSource(store, { searchIndex: true });
    await src.searchIndexIdle();
    const ctx = newContext();
    const plan = await planSearch(store, ctx, { text: 'MimiKatz' });
    expect(plan?.upto).toBeGreaterThan(0);
    expect(plan!.candidates).toBe(all.filter((c) => c.commandLine.toLowerCase().includes('mimikatz')).length);
    // A word in no command line: no candidate at all.
    expect((await planSearch(store, ctx, { text: 'nosuchtoken' }))?.candidates).toBe(0);
    // Only separators, or a piece in every row: the index cannot narrow it.
    expect(await planSearch(store, ctx, { text: '::' })).toBeNull();
    expect(await planSearch(store, ctx, { image: 'exe' })).toBeNull();
    await sameAsScan(src, 'indexed');
    // Letter-only ASCII queries were planned from the vocabulary in memory, the others in SQL.
    expect(src.vocabulary.stats.memory).toBeGreaterThan(20);
    expect(src.vocabulary.stats.sql).toBeGreaterThan(5);
    // Searches within one (small) host scanned it instead — still the scan's answer.
    expect(src.vocabulary.stats.hostScan).toBeGreaterThan(4);
    await src.close();
  });

  it('when events are ingested after the index was built, then searches equal the scan before and after the catch-up', async () => {
    const store = await EmbeddedStore.open(db);
    const src = new EmbeddedSource(store, { searchIndex: true });
    await src.searchIndexIdle();
    // The word vocabulary is loaded into memory before the write, so the searches below plan from a
    // snapshot older than the new rows (they must be found by the untokenised branch).
    await src.findSeeds({ text: 'mimikatz' }, { ctx: newContext(), limit: 1 });
    expect(src.vocabulary.stats.memory).toBe(1);
    const r = rng(99);
    const more: Create[] = [];
    for (let n = 5000; n < 5400; n++) more.push(create(r, HOSTS[n % HOSTS.length]!, n, T0 + Math.floor(r() * 8 * 3_600_000), r() < 0.1 ? 'mimikatz' : 'newword'));
    // An earlier create of a stored process arrives late: it replaces the stored row (earliest wins).
    const old = all[10]!;
    const earlier: Create = { ...old, commandLine: 'cmd.exe replacedline mimikatz', time: new Date(Date.parse(old.time) - 1000).toISOString(), record: record++ };
    more.push(earlier);
    all.push(...more);
    await store.writeEvents(more.map(toEvent));
    // Before the catch-up: the new rows are not tokenised yet, and are scanned.
    const before = await planSearch(store, newContext(), { text: 'replacedline' });
    expect(before?.candidates).toBe(0);
    await sameAsScan(src, 'tail not tokenised');
    expect((await src.findSeeds({ text: 'replacedline' }, { ctx: newContext(), limit: 10 })).map((p) => p.guid)).toEqual([old.guid]);
    await new Promise((res) => setTimeout(res, 1300));
    await src.searchIndexIdle();
    expect((await planSearch(store, newContext(), { text: 'replacedline' }))?.candidates).toBe(1);
    await sameAsScan(src, 'after catch-up');
    await src.close();
  });

  it('when a query has pieces with letters, then the plan from the vocabulary in memory equals the SQL plan', async () => {
    const store = await EmbeddedStore.open(db, { readOnly: true });
    const vocabulary = new SearchVocabulary(store);
    let compared = 0;
    for (const { q } of queries(rng(11))) {
      const c = { text: q.text, image: q.image };
      const got = await vocabulary.plan(c, 0);
      if (got === undefined) continue;
      const want = await planSearch(store, newContext(), c);
      // Equal candidates and snapshot; the token ids too when the query has one piece (several may tie,
      // and then either is a right plan).
      expect(got?.candidates, JSON.stringify(c)).toBe(want?.candidates);
      if (got && want) {
        expect(got.upto).toBe(want.upto);
        const pieces = [c.text, c.image].flatMap((s) => (s ?? '').toLowerCase().split(/[^a-z0-9]+/)).filter((x) => x !== '');
        if (pieces.length === 1) expect(got.tids, JSON.stringify(c)).toEqual(want.tids);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    await store.close();
  });

  it('when the hash probe no longer matches, then the index is rebuilt and still equals the scan', async () => {
    const store = await EmbeddedStore.open(db);
    const conn = await store.acquire();
    await conn.run(`UPDATE meta SET value = 'other' WHERE key = 'search_hash'`);
    await conn.run(`UPDATE search_postings SET gkey = gkey + 1`);
    store.release(conn);
    const src = new EmbeddedSource(store, { searchIndex: true });
    await src.searchIndexIdle();
    await sameAsScan(src, 'rebuilt');
    await src.close();
  });

  it('when the store is opened read-only, then its index is used as it is', async () => {
    const store = await EmbeddedStore.open(db, { readOnly: true });
    const src = new EmbeddedSource(store, { searchIndex: true });
    await src.searchIndexIdle();
    expect(await planSearch(store, newContext(), { text: 'mimikatz' })).not.toBeNull();
    await sameAsScan(src, 'read-only');
    await src.close();
  });
});
