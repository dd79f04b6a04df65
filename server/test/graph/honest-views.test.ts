/**
 * Honest views (issue 13 §2, docs/ingest.md "Honest views") on real captures: every process of a
 * capture is opened with `up` and its graph checked against what the raw file says, read here with
 * fast-xml-parser (fxp-reference.ts) — never with our reader:
 *   - `up` reaches the root or a parent that was never logged: every ancestor the data has (EventID 1
 *     ProcessGuid → ParentProcessGuid, walked here) is a drawn process, and no placeholder stands for
 *     a create that exists (`not-in-range`);
 *   - a process's event counts cover its whole lifetime: they equal its events in the file;
 *   - a drawn process whose parent is drawn has its spawn edge (also when drawn as a cross target).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@lineage/shared';
import { investigate } from '../../src/graph/investigate.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { newContext } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';
import { referenceParse } from '../ingest/fxp-reference.js';

const run = requireDatasets('honest views on real captures');

const CAPTURES = [
  'splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.xml.log',
  'splunk-attack_data/xmlwineventlog/T1649_certify_abuse__certify_esc1_abuse_sysmon.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/panache_sysmon_vs_EDRTestingScript.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_sysmon_psexec_smb_meterpreter.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Persistence/persistence_sysmon_11_13_1_shime_appfix.xml.log',
];

/** What the raw file says: creates (guid → parent guid) and events per acting GUID (creates apart). */
interface Truth { parentOf: Map<string, string | null>; events: Map<string, number> }

function truthOf(file: string): Truth {
  const parentOf = new Map<string, string | null>();
  const events = new Map<string, number>();
  const seen = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('<Event')) continue;
    const { system: s, data } = referenceParse(line.trimEnd());
    if (!/sysmon/i.test(`${s.channel ?? ''}`)) continue;
    const id = `${s.recordId}|${s.eventId}|${s.timeCreated}|${JSON.stringify(data)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const acting = (s.eventId === 8 || s.eventId === 10 ? data.SourceProcessGuid ?? data.SourceProcessGUID : data.ProcessGuid)?.toLowerCase();
    // eventCounts count a process's events besides its own create.
    if (acting && s.eventId !== 1) events.set(acting, (events.get(acting) ?? 0) + 1);
    if (s.eventId === 1 && acting && !parentOf.has(acting)) parentOf.set(acting, data.ParentProcessGuid?.toLowerCase() ?? null);
  }
  return { parentOf, events };
}

/** Ancestors of `guid` in the data, nearest first, and the first parent GUID with no create (or null). */
function ancestors(t: Truth, guid: string): { chain: string[]; unlogged: string | null } {
  const chain: string[] = [];
  let p = t.parentOf.get(guid) ?? null;
  while (p && !/^\{0{8}-/.test(p) && !chain.includes(p)) {
    if (!t.parentOf.has(p)) return { chain, unlogged: p };
    chain.push(p);
    p = t.parentOf.get(p) ?? null;
  }
  return { chain, unlogged: null };
}

describe.runIf(run).each(CAPTURES)('%s', (rel) => {
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  let truth: Truth;
  const docs = new Map<string, GraphDocument>();
  beforeAll(async () => {
    store = await EmbeddedStore.open(':memory:');
    await ingestPaths([dataset(rel)], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
    source = new EmbeddedSource(store);
    truth = truthOf(dataset(rel));
    for (const guid of [...truth.parentOf.keys()].sort()) docs.set(guid, await investigate(source, { guid, up: true, down: 1 }, newContext()));
  }, 120_000);
  afterAll(async () => { await store?.close(); });

  it('`up` reaches the root or a parent never logged; no placeholder stands for a create that exists', () => {
    expect(docs.size).toBeGreaterThan(0);
    for (const [guid, d] of docs) {
      const want = ancestors(truth, guid);
      const byGuid = new Map(d.nodes.map((n) => [n.guid, n]));
      for (const a of want.chain) expect(byGuid.get(a), `${guid}: ancestor ${a}`).toMatchObject({ placeholder: false });
      if (want.unlogged) expect(byGuid.get(want.unlogged), `${guid}: unlogged parent`).toMatchObject({ placeholder: true, placeholderReason: 'not-logged' });
      const stale = d.nodes.filter((n) => n.placeholderReason === 'not-in-range' && truth.parentOf.has(n.guid) && Object.keys(d.truncated).every((k) => !k.startsWith('ancestors:')));
      expect(stale.map((n) => n.guid), guid).toEqual([]);
    }
  });

  it('event counts cover each process\'s whole lifetime (equal to its events in the file)', () => {
    for (const [guid, d] of docs) {
      const n = d.nodes.find((x) => x.guid === guid)!;
      const total = Object.values(n.eventCounts).reduce((s, v) => s + v, 0);
      expect(total, guid).toBe(truth.events.get(guid) ?? 0);
    }
  });

  it('a drawn process whose parent is drawn has its spawn edge', () => {
    for (const [guid, d] of docs) {
      const drawn = new Set(d.nodes.filter((n) => n.kind === 'process').map((n) => n.guid));
      const spawns = new Set(d.edges.filter((e) => e.kind === 'spawn').map((e) => `${e.source}>${e.target}`));
      for (const n of d.nodes) {
        const parent = truth.parentOf.get(n.guid);
        if (n.kind === 'process' && !n.placeholder && parent && drawn.has(parent)) expect(spawns.has(`${parent}>${n.guid}`), `${guid}: ${parent}>${n.guid}`).toBe(true);
      }
    }
  });
});

describe.runIf(run)('a process\'s events come from its whole lifetime, not origin + 24 h', () => {
  it('T1202 with one of its process-access events re-dated 3 days later (a long-lived process): counted and listed', async () => {
    const src = dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log');
    const lines = readFileSync(src, 'utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l.startsWith('<Event'));
    const t0 = truthOf(src);
    // The process with a create and the most events; one of its EventID 10 lines, moved 72 h on.
    const [guid] = [...t0.events].filter(([g]) => t0.parentOf.has(g)).sort((a, b) => b[1] - a[1])[0]!;
    const line = lines.find((l) => l.includes('<EventID>10<') && l.toLowerCase().includes(guid))!;
    const ev = referenceParse(line);
    const later = (t: string) => new Date(Date.parse(t.replace(' ', 'T') + (t.endsWith('Z') ? '' : 'Z')) + 72 * 3_600_000).toISOString();
    const moved = line
      .replace(/<EventRecordID>\d+</, `<EventRecordID>${ev.system.recordId! + 1_000_000}<`)
      .replace(/SystemTime='[^']*'/, `SystemTime='${later(ev.system.timeCreated!)}'`)
      .replace(/<Data Name='UtcTime'>[^<]*</, `<Data Name='UtcTime'>${later(ev.data.UtcTime!).replace('T', ' ').replace('Z', '')}<`);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'lineage-life-')), 'long-lived.log');
    writeFileSync(file, `${[...lines, moved].join('\n')}\n`);
    const truth = truthOf(file);
    expect(truth.events.get(guid)).toBe((t0.events.get(guid) ?? 0) + 1);
    const store = await EmbeddedStore.open(':memory:');
    try {
      await ingestPaths([file], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
      const d = await investigate(new EmbeddedSource(store), { guid, up: false, down: 0, events: true }, newContext());
      const n = d.nodes.find((x) => x.guid === guid)!;
      expect(Object.values(n.eventCounts).reduce((s, v) => s + v, 0)).toBe(truth.events.get(guid));
      expect(d.events!.filter((e) => e.guid === guid && e.eventId !== 1)).toHaveLength(truth.events.get(guid)!);
      expect(Object.keys(d.truncated).filter((k) => k.startsWith('events:'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(run)('a process without its create is anchored on its earliest child or event', () => {
  it('exec_persist_rundll32 with the create of {365abb72-1a29-…} removed: its events 8.6 h before its first child still count', async () => {
    const src = dataset('sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.xml.log');
    const guid = '{365abb72-1a29-5ce4-0000-001079f92101}';
    const lines = readFileSync(src, 'utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l.startsWith('<Event'));
    const isCreate = (l: string): boolean => { const e = referenceParse(l); return e.system.eventId === 1 && e.data.ProcessGuid?.toLowerCase() === guid; };
    expect(lines.filter(isCreate)).toHaveLength(1);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'lineage-standin-')), 'no-create.log');
    writeFileSync(file, `${lines.filter((l) => !isCreate(l)).join('\n')}\n`);
    const truth = truthOf(file);
    expect(truth.parentOf.has(guid)).toBe(false);
    // From the data: its own events, and the earliest of them is hours before its first child.
    const own = lines.map((l) => referenceParse(l)).filter((e) => e.system.eventId !== 1 && e.data.ProcessGuid?.toLowerCase() === guid);
    const kids = lines.map((l) => referenceParse(l)).filter((e) => e.system.eventId === 1 && e.data.ParentProcessGuid?.toLowerCase() === guid);
    const ms = (u: string): number => Date.parse(`${u.replace(' ', 'T')}Z`);
    expect(Math.min(...kids.map((k) => ms(k.data.UtcTime!))) - Math.min(...own.map((e) => ms(e.data.UtcTime!)))).toBeGreaterThan(3_600_000);
    const store = await EmbeddedStore.open(':memory:');
    try {
      await ingestPaths([file], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
      const d = await investigate(new EmbeddedSource(store), { guid, up: false, down: 1 }, newContext());
      const n = d.nodes.find((x) => x.guid === guid)!;
      expect(n).toMatchObject({ placeholder: true, placeholderReason: 'not-logged' });
      expect(Object.values(n.eventCounts).reduce((s, v) => s + v, 0)).toBe(truth.events.get(guid));
      expect(truth.events.get(guid)).toBe(own.length);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(run)('EventID 3 reported late (UtcTime far older than the record\'s system time)', () => {
  it('exec_persist_rundll32: the network events reported 8.6 h late attach to their process by GUID, listed and counted', async () => {
    const src = dataset('sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.xml.log');
    const parsed = readFileSync(src, 'utf8').split('\n').filter((l) => l.startsWith('<Event')).map((l) => referenceParse(l.trimEnd()));
    const ms = (t: string): number => Date.parse(/Z$/.test(t) ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`);
    // From the data: EventID 3 records whose UtcTime lies over an hour before their SystemTime.
    const late = parsed.filter((e) => e.system.eventId === 3 && ms(e.system.timeCreated!) - ms(e.data.UtcTime!) > 3_600_000);
    expect(late.length).toBeGreaterThan(0);
    const guid = late[0]!.data.ProcessGuid!.toLowerCase();
    const network = parsed.filter((e) => e.system.eventId === 3 && e.data.ProcessGuid?.toLowerCase() === guid);
    const truth = truthOf(src);
    expect(truth.parentOf.has(guid)).toBe(true); // its create is in the file
    const store = await EmbeddedStore.open(':memory:');
    try {
      await ingestPaths([src], { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
      for (const view of [{ guid, up: false, down: 0 }, { guid, up: true, down: 1 }]) {
        const d = await investigate(new EmbeddedSource(store), { ...view, events: true }, newContext());
        const n = d.nodes.find((x) => x.guid === guid)!;
        expect(n.placeholder ?? false).toBe(false);
        expect(n.eventCounts.network).toBe(network.length);
        expect(Object.values(n.eventCounts).reduce((s, v) => s + v, 0)).toBe(truth.events.get(guid));
        const listed = d.events!.filter((e) => e.guid === guid && e.eventId === 3).map((e) => e.recordId).sort();
        expect(listed).toEqual(network.map((e) => e.system.recordId).sort());
        for (const e of late.filter((x) => x.data.ProcessGuid?.toLowerCase() === guid)) expect(listed).toContain(e.system.recordId);
        expect(Object.keys(d.truncated).filter((k) => k.startsWith('events:'))).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });
});
