/**
 * The Splunk EventSource against the Splunk-protocol test server gives the same answers as the
 * embedded source on the same real captures: every EventSource method, and whole graph documents
 * (investigate) for every process in the captures. Only provenance (Splunk's SPL + job id) and the
 * cost figures may differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@lineage/shared';
import { investigate } from '../../src/graph/investigate.js';
import { newContext, type EventRecord, type ProcessRecord } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';
import { loginSource, openPair, type Pair } from './fixture.js';

const FILES = [
  // powershell → cmd → pcalua → calc; 16 EID 10 cross edges; upper-case GUIDs; newest-first order.
  'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log',
  // svchost → wscript → cscript → powershell; EID 3/11/13 events; lower-case GUIDs.
  'splunk-attack_data/xmlwineventlog/malware_gootloader_partial_ttps__i_am_goot.log',
  // EID 1/3/11 whose parents (cmd.exe) have no create of their own.
  'splunk-attack_data/xmlwineventlog/T1649_certify_abuse__certify_esc1_abuse_sysmon.log',
  // sbousseaden: python → rundll32 → cmd → rundll32 → mshta → calc (XML export).
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution/exec_sysmon_1_11_lolbin_rundll32_openurl_FileProtocolHandler.xml.log',
];

const run = requireDatasets('Splunk adapter vs embedded');

/** A process record without Splunk provenance. */
function plain(r: ProcessRecord): ProcessRecord {
  const { query: _q, jobId: _j, url: _u, ...rest } = r;
  return rest;
}
const plains = (rs: ProcessRecord[]) => rs.map(plain);
const sortP = (a: ProcessRecord, b: ProcessRecord) => (a.host + a.guid < b.host + b.guid ? -1 : 1);
const plainEvents = (es: EventRecord[]) => es.map((e) => ({ ...e, fields: { ...e.fields } }));

/** A graph document minus what legitimately differs: provenance and cost. */
function comparable(doc: GraphDocument) {
  return { ...doc, stats: null, nodes: doc.nodes.map((n) => ({ ...n, provenance: null })) };
}

describe.runIf(run)('Splunk source = embedded source on real captures', () => {
  let pair: Pair;
  let creates: ProcessRecord[];

  beforeAll(async () => {
    pair = await openPair(FILES.map(dataset));
    const all: ProcessRecord[] = [];
    for await (const batch of pair.embedded.scanProcesses({ ctx: newContext() })) all.push(...batch);
    creates = all;
  });
  afterAll(async () => { await pair?.close(); });

  it('finds the same processes (scanProcesses, with and without a name filter)', async () => {
    expect(creates.length).toBeGreaterThan(25);
    const ctx = newContext();
    const got: ProcessRecord[] = [];
    for await (const b of pair.splunk.scanProcesses({ ctx, batchSize: 7 })) got.push(...b);
    // Terminations are not read by the scan (rules do not need them). The Splunk rule scan also returns
    // the creates' PE fields (docs/sigma.md "On Splunk"), in `fields`; the embedded scan carries none.
    const pe = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'];
    const extra = got.map((r) => (r as ProcessRecord & { fields?: Record<string, string> }).fields ?? {});
    expect(extra.flatMap((f) => Object.keys(f)).filter((k) => !pe.includes(k))).toEqual([]);
    expect(extra.filter((f) => f.OriginalFileName).length).toBeGreaterThan(10);
    const bare = (r: ProcessRecord) => { const { fields: _f, ...rest } = plain(r) as ProcessRecord & { fields?: unknown }; return { ...rest, endTime: null }; };
    expect(got.map(bare)).toEqual(creates.map(bare));
    expect(ctx.stats.searches).toBe(1);
    const cmd: ProcessRecord[] = [];
    for await (const b of pair.splunk.scanProcesses({ ctx: newContext(), names: ['cmd.exe', 'CALC.EXE'] })) cmd.push(...b);
    expect(cmd.map((r) => r.guid)).toEqual(creates.filter((r) => r.name === 'cmd.exe' || r.name === 'calc.exe').map((r) => r.guid));
    expect(cmd.length).toBeGreaterThan(3);
  });

  it('getProcesses, getAncestors and getChildren agree for every process', async () => {
    const guids = creates.map((r) => r.guid);
    const ctx = newContext();
    const sp = await pair.splunk.getProcesses(guids, { ctx });
    const ep = await pair.embedded.getProcesses(guids, { ctx: newContext() });
    expect(sp.map(plain).sort(sortP)).toEqual(plains(ep).sort(sortP));
    expect(ctx.stats.searches).toBe(1);
    // Provenance: every record names the SPL and the job that produced it.
    const job = pair.splunkd.received.find((r) => r.sid === sp[0]!.jobId);
    expect(job?.spl).toBe(sp[0]!.query);
    for (const r of creates) {
      const a = await pair.splunk.getAncestors(r.guid, { ctx: newContext(), maxDepth: 10, host: r.host });
      const b = await pair.embedded.getAncestors(r.guid, { ctx: newContext(), maxDepth: 10, host: r.host });
      expect(a.map(plain), `ancestors of ${r.name} ${r.guid}`).toEqual(plains(b));
    }
    const parents = [...new Set(creates.map((r) => r.parentGuid!).filter(Boolean))];
    for (const p of parents) {
      const a = await pair.splunk.getChildren([p], { ctx: newContext(), limit: 2 });
      const b = await pair.embedded.getChildren([p], { ctx: newContext(), limit: 2 });
      expect(a.items.map(plain), `children of ${p}`).toEqual(plains(b.items));
      expect(a.nextCursor === null).toBe(b.nextCursor === null);
      if (a.nextCursor && b.nextCursor) {
        const a2 = await pair.splunk.getChildren([p], { ctx: newContext(), limit: 100, cursor: a.nextCursor });
        const b2 = await pair.embedded.getChildren([p], { ctx: newContext(), limit: 100, cursor: b.nextCursor });
        expect(a2.items.map(plain)).toEqual(plains(b2.items));
      }
    }
  });

  it('getTree returns the same rows in 1 search, and counts come with it: 2 searches in all', async () => {
    for (const r of creates) {
      const ctx = newContext();
      const o = { up: true, down: Infinity, nodeBudget: 10_000, host: r.host };
      const a = await pair.splunk.getTree(r.guid, { ctx, ...o });
      const b = await pair.embedded.getTree(r.guid, { ctx: newContext(), ...o });
      expect(a.processes.map(plain).sort(sortP), `tree of ${r.name} ${r.guid}`).toEqual(plains(b.processes).sort(sortP));
      const guids = a.processes.map((p) => p.guid);
      const ca = await pair.splunk.countEvents(guids, { ctx, host: r.host });
      const cb = await pair.embedded.countEvents(guids, { ctx: newContext(), host: r.host });
      expect(Object.fromEntries(ca), `counts for the tree of ${r.guid}`).toEqual(Object.fromEntries(cb));
      expect(ctx.stats.searches).toBe(2);
    }
  });

  it('countEvents by GUID list, getEvents (paged, by category) and getCrossEvents agree', async () => {
    const guids = creates.map((r) => r.guid);
    const ca = await pair.splunk.countEvents(guids, { ctx: newContext() });
    const cb = await pair.embedded.countEvents(guids, { ctx: newContext() });
    expect(Object.fromEntries(ca)).toEqual(Object.fromEntries(cb));
    expect([...ca.values()].some((c) => (c.network ?? 0) > 0 || (c.file ?? 0) > 0)).toBe(true);
    for (const r of creates) {
      const a = await pair.splunk.getEvents([r.guid], { ctx: newContext(), limit: 3, host: r.host });
      const b = await pair.embedded.getEvents([r.guid], { ctx: newContext(), limit: 3, host: r.host });
      expect(plainEvents(a.items), `events of ${r.guid}`).toEqual(plainEvents(b.items));
      expect(a.nextCursor === null).toBe(b.nextCursor === null);
      if (a.nextCursor && b.nextCursor) {
        const a2 = await pair.splunk.getEvents([r.guid], { ctx: newContext(), limit: 1000, cursor: a.nextCursor, host: r.host });
        const b2 = await pair.embedded.getEvents([r.guid], { ctx: newContext(), limit: 1000, cursor: b.nextCursor, host: r.host });
        expect(plainEvents(a2.items)).toEqual(plainEvents(b2.items));
      }
      const fa = await pair.splunk.getEvents([r.guid], { ctx: newContext(), limit: 100, category: 'file' });
      const fb = await pair.embedded.getEvents([r.guid], { ctx: newContext(), limit: 100, category: 'file' });
      expect(plainEvents(fa.items)).toEqual(plainEvents(fb.items));
    }
    const xa = await pair.splunk.getCrossEvents(guids, { ctx: newContext() });
    const xb = await pair.embedded.getCrossEvents(guids, { ctx: newContext() });
    expect(plainEvents(xa)).toEqual(plainEvents(xb));
    // T1202: cmd and both pcalua processes open other processes (EventID 10) — 6 records from logged creates.
    expect(xa.filter((e) => e.eventId === 10)).toHaveLength(6);
  });

  it('findSeeds by image and by command-line text agree', async () => {
    for (const q of [{ image: 'calc' }, { text: 'pcalua' }, { image: 'rundll32', text: 'url.dll' }]) {
      const a = await pair.splunk.findSeeds(q, { ctx: newContext(), limit: 50 });
      const b = await pair.embedded.findSeeds(q, { ctx: newContext(), limit: 50 });
      expect(a.map(plain), JSON.stringify(q)).toEqual(plains(b));
      expect(a.length).toBeGreaterThan(0);
    }
  });

  it('investigate() builds the same graph document for every process, up and all the way down', async () => {
    for (const r of creates) {
      const req = { guid: r.guid, host: r.host, up: true, down: Infinity, events: true };
      const ctx = newContext();
      const a = await investigate(pair.splunk, req, ctx);
      const b = await investigate(pair.embedded, req, newContext());
      expect(comparable(a), `graph of ${r.name} ${r.guid}`).toEqual(comparable(b));
      for (const n of a.nodes.filter((x) => !x.placeholder && x.kind === 'process')) {
        expect(n.provenance?.source).toBe('splunk');
        expect(n.provenance?.jobId).toMatch(/\S/);
      }
    }
  });
});

/**
 * Nodes the graph could only get from a lookup outside the host-window tree: placeholders for a
 * parent / cross target with a GUID (a zero-GUID parent needs no lookup), and processes reached only
 * through a cross edge (no spawn edge touches them).
 */
/**
 * Issue 15 (ancestors' other children): counted from the tree search's host-window rows when every drawn
 * ancestor started inside the window; one counting search more, for all of them together, when one started
 * before it (docs/splunk.md "Ancestors' other children").
 */
function ancestorCount(doc: GraphDocument): number {
  return doc.nodes.some((n) => n.depth < 0 && n.kind === 'process' && !n.placeholder && n.startTime !== null && n.startTime < doc.range.from) ? 1 : 0;
}

function needsLookup(doc: GraphDocument): boolean {
  const spawned = new Set(doc.edges.filter((e) => e.kind === 'spawn').flatMap((e) => [e.source, e.target]));
  return doc.nodes.some((n) => (n.placeholder && n.placeholderReason !== 'zero-guid')
    || (n.guid !== doc.origin && n.kind === 'process' && !spawned.has(n.guid)));
}

/**
 * A process drawn from the tree's window lives on past the window's end (no termination in it, or a
 * later one) while the window ended before now: its events after the window cost one search more
 * (docs/splunk.md "Lifetime events"). Ancestors walked above the window are counted by their own search.
 */
function outlivesWindow(doc: GraphDocument): boolean {
  const end = doc.range.to;
  if (Date.parse(end) >= Date.now()) return false;
  return doc.nodes.some((n) => n.kind === 'process' && !n.placeholder && n.startTime !== null && n.startTime >= doc.range.from
    && (n.endTime === null || n.endTime > end));
}

describe.runIf(run)('Splunk search cost of a whole graph', () => {
  let pair: Pair;
  let creates: ProcessRecord[];
  beforeAll(async () => {
    pair = await openPair(FILES.map(dataset));
    creates = [];
    for await (const batch of pair.embedded.scanProcesses({ ctx: newContext() })) creates.push(...batch);
  });
  afterAll(async () => { await pair?.close(); });

  it('host + window given: root, ancestors, full subtree, counts and cross edges in 2 searches (+1 only for a lookup outside the window)', async () => {
    const range = { from: '2000-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' };
    let two = 0;
    let crossEdges = 0;
    // These captures start mid-session: every root's parent is unlogged, so with `up` the placeholder
    // lookup is the third search; without `up` (a subtree) the graph needs none.
    for (const [r, up] of creates.flatMap((c) => [[c, true], [c, false]] as const)) {
      const req = { guid: r.guid, host: r.host, up, down: Infinity, range };
      const ctx = newContext();
      const before = pair.splunkd.received.length;
      const a = await investigate(pair.splunk, req, ctx);
      const b = await investigate(pair.embedded, req, newContext());
      expect(comparable(a), `graph of ${r.name} ${r.guid}`).toEqual(comparable(b));
      const expected = 2 + (needsLookup(b) ? 1 : 0) + ancestorCount(b);
      expect(ctx.stats.searches, `searches for ${r.name} ${r.guid}`).toBe(expected);
      // Honest: the count is what splunkd actually received.
      expect(pair.splunkd.received.length - before).toBe(expected);
      if (expected === 2 + ancestorCount(b)) two++;
      crossEdges += a.edges.filter((e) => e.kind !== 'spawn').reduce((s, e) => s + e.count, 0);
    }
    expect(two).toBeGreaterThan(10);
    // T1202's cross edges (EventID 10 from cmd and pcalua) come out of the counts search, counted.
    expect(crossEdges).toBeGreaterThan(0);
  });

  it('without a window the GUID\'s own start time bounds it: no origin lookup, same graph', async () => {
    // Changed by issue 12: the window now comes from the time embedded in the ProcessGuid (verified on
    // every capture in guid-time.test.ts) instead of an all-time origin lookup (which cost one search more).
    // Changed by issue 13: counts cover each process's lifetime, so a process outliving the 24 h window
    // costs one search for the events after it (and the graph still equals the embedded one).
    const r = creates.find((c) => c.host === 'iewin7' && c.name === 'mshta.exe')!;
    const ctx = newContext();
    const a = await investigate(pair.splunk, { guid: r.guid, host: r.host, up: true, down: Infinity }, ctx);
    const b = await investigate(pair.embedded, { guid: r.guid, host: r.host, up: true, down: Infinity }, newContext());
    expect(comparable(a)).toEqual(comparable(b));
    expect(outlivesWindow(b)).toBe(true);
    // Issue 15: the tree was read over the window from the GUID's time (whole seconds), which ends up to a
    // second before the graph's window, so it does not cover the ancestors' span: one counting search.
    const anyAncestor = b.nodes.some((n) => n.depth < 0 && n.kind === 'process' && !n.placeholder) ? 1 : 0;
    expect(ctx.stats.searches).toBe(2 + (needsLookup(b) ? 1 : 0) + 1 + anyAncestor);
  });
});

describe.runIf(run)('Splunk source options: CIM field names, tstats', () => {
  let pair: Pair;
  let creates: ProcessRecord[];
  beforeAll(async () => {
    pair = await openPair(FILES.map(dataset));
    creates = [];
    for await (const batch of pair.embedded.scanProcesses({ ctx: newContext() })) creates.push(...batch);
  });
  afterAll(async () => { await pair?.close(); });

  it('provenance: every record names its SPL and job, and links to Splunk Web re-running that SPL over the same window', async () => {
    const withWeb = await loginSource(pair.splunkd, { web: 'https://splunk.example:8000' });
    const r = creates[0]!;
    const range = { from: '2000-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' };
    const [rec] = await withWeb.getProcesses([r.guid], { ctx: newContext(), host: r.host, range });
    const url = new URL(rec!.url!);
    expect(url.origin + url.pathname).toBe('https://splunk.example:8000/app/search/search');
    expect(url.searchParams.get('q')).toBe(rec!.query);
    expect(url.searchParams.get('earliest')).toBe('946684800.000');
    expect(url.searchParams.get('latest')).toBe('1893456000.001');
    const job = pair.splunkd.received.find((x) => x.sid === rec!.jobId);
    expect(job?.spl).toBe(rec!.query);
    expect(job?.params.earliest_time).toBe('946684800.000');
    // A lookup without a window is bounded below by the GUID's start second (docs/splunk.md "Time from
    // the GUID": {MMMMMMMM-LLLL-HHHH-…}, HHHHLLLL = Unix seconds) minus 2 s, and links to that range,
    // not to Splunk Web's default picker range.
    const [any] = await withWeb.getProcesses([r.guid], { ctx: newContext(), host: r.host });
    const sec = parseInt(r.guid.slice(15, 19) + r.guid.slice(10, 14), 16);
    const bounded = new URL(any!.url!);
    expect(bounded.searchParams.get('q')).toBe(any!.query);
    expect(bounded.searchParams.get('earliest')).toBe((sec - 2).toFixed(3));
    expect(Number(bounded.searchParams.get('latest'))).toBeGreaterThan(sec);
    expect(Date.parse(r.startTime) / 1000).toBeGreaterThanOrEqual(sec - 1);
  });

  it('busy hosts (more processes in the window than the tree budget) fall back to one search per generation, same rows', async () => {
    const small = await loginSource(pair.splunkd, { treeBudget: 3 });
    for (const r of creates) {
      const o = { up: true, down: Infinity, nodeBudget: 10_000, host: r.host };
      const ctx = newContext();
      const a = await small.getTree(r.guid, { ctx, ...o });
      const b = await pair.embedded.getTree(r.guid, { ctx: newContext(), ...o });
      expect(a.processes.map(plain).sort(sortP), `tree of ${r.guid}`).toEqual(plains(b.processes).sort(sortP));
      expect(a.complete).toBe(true);
      // iewin7 (sbousseaden) holds 7 processes: over the budget, so host-window probe + origin +
      // one search per generation (python → rundll32 → cmd → rundll32 → mshta → calc) + terminations.
      if (r.host === 'iewin7' && r.name === 'python.exe') expect(ctx.stats.searches).toBeGreaterThanOrEqual(8);
    }
    // The node budget still cuts the walk and says so.
    const root = creates.find((c) => c.name === 'python.exe')!;
    const cut = await small.getTree(root.guid, { ctx: newContext(), up: false, down: Infinity, nodeBudget: 2, host: root.host });
    expect(cut.complete).toBe(false);
    expect(cut.processes).toHaveLength(3);
  });

  it('CIM field style: trees, children, counts and events agree with the embedded source', async () => {
    const cim = await loginSource(pair.splunkd, { fieldStyle: 'cim' });
    for (const r of creates) {
      const o = { up: true, down: Infinity, nodeBudget: 10_000, host: r.host };
      const ctx = newContext();
      const a = await cim.getTree(r.guid, { ctx, ...o });
      const b = await pair.embedded.getTree(r.guid, { ctx: newContext(), ...o });
      expect(a.processes.map(plain).sort(sortP), `tree of ${r.guid}`).toEqual(plains(b.processes).sort(sortP));
      const ca = await cim.countEvents(a.processes.map((p) => p.guid), { ctx, host: r.host });
      const cb = await pair.embedded.countEvents(a.processes.map((p) => p.guid), { ctx: newContext(), host: r.host });
      expect(Object.fromEntries(ca)).toEqual(Object.fromEntries(cb));
      const ea = await cim.getEvents([r.guid], { ctx: newContext(), limit: 50 });
      const eb = await pair.embedded.getEvents([r.guid], { ctx: newContext(), limit: 50 });
      expect(plainEvents(ea.items)).toEqual(plainEvents(eb.items));
    }
    expect(pair.splunkd.received.filter((x) => x.spl.includes('process_guid')).length).toBeGreaterThan(0);
  });

  it('tstats on Endpoint.Processes: the same tree (without termination times and logon GUIDs, which the data model lacks; start to ±10 s)', async () => {
    const ts = await loginSource(pair.splunkd, { tstats: true });
    // The data model has no UtcTime: the start is the event's _time (TimeCreated on a real deployment),
    // a few hundred milliseconds after Sysmon's UtcTime, so start times agree to the second.
    const noEnd = (p: ProcessRecord) => ({ ...plain(p), endTime: null, logonGuid: '', startTime: p.startTime.slice(0, 18) });
    for (const r of creates) {
      const o = { up: true, down: Infinity, nodeBudget: 10_000, host: r.host };
      const a = await ts.getTree(r.guid, { ctx: newContext(), ...o });
      const b = await pair.embedded.getTree(r.guid, { ctx: newContext(), ...o });
      expect(a.processes.map(noEnd).sort(sortP), `tree of ${r.guid}`).toEqual(b.processes.map(noEnd).sort(sortP));
    }
    expect(pair.splunkd.received.some((x) => x.spl.startsWith('| tstats') && x.error === null)).toBe(true);
  });
});
