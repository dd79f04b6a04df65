/**
 * Lifetime events on the Splunk source (issue 13, docs/splunk.md "Lifetime events"): a process's
 * event counts, cross edges and events come from its whole lifetime (start → termination, or → now),
 * not from the 24 h window after the graph's origin. Data: the real T1202 capture with one of a
 * process's EventID 10 lines moved 72 h later (a long-lived process), and a termination added for
 * another process one minute after its create. Expected values are read from that file here with
 * fast-xml-parser (fxp-reference.ts), never with our reader; the search counts are checked against
 * what the Splunk-protocol test server received.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@lineage/shared';
import { investigate } from '../../src/graph/investigate.js';
import { newContext } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';
import { referenceParse } from '../ingest/fxp-reference.js';
import { openPair, type Pair } from './fixture.js';

const run = requireDatasets('Splunk lifetime events');

/** What the file says: per acting GUID, its events (creates apart) and its 8/10 events per target. */
interface Truth { host: Map<string, string>; events: Map<string, number>; cross: Map<string, number>; creates: Set<string>; recordIds: Map<string, number[]> }

function truthOf(file: string): Truth {
  const t: Truth = { host: new Map(), events: new Map(), cross: new Map(), creates: new Set(), recordIds: new Map() };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('<Event')) continue;
    const { system: s, data } = referenceParse(line.trimEnd());
    const cross = s.eventId === 8 || s.eventId === 10;
    const acting = (cross ? data.SourceProcessGuid ?? data.SourceProcessGUID : data.ProcessGuid)?.toLowerCase();
    if (!acting) continue;
    t.host.set(acting, String(s.computer).toLowerCase());
    if (s.eventId === 1) { t.creates.add(acting); continue; }
    t.events.set(acting, (t.events.get(acting) ?? 0) + 1);
    t.recordIds.set(acting, [...(t.recordIds.get(acting) ?? []), s.recordId!]);
    if (cross) {
      const key = `${acting}>${(data.TargetProcessGuid ?? data.TargetProcessGUID)!.toLowerCase()}`;
      t.cross.set(key, (t.cross.get(key) ?? 0) + 1);
    }
  }
  return t;
}

const total = (c: Record<string, number>) => Object.values(c).reduce((s, v) => s + v, 0);
const shift = (t: string, ms: number) => new Date(Date.parse(t.replace(' ', 'T') + (t.endsWith('Z') ? '' : 'Z')) + ms).toISOString();

describe.runIf(run)('Splunk: a process\'s events come from its whole lifetime', () => {
  let dir: string;
  let pair: Pair;
  let truth: Truth;
  let longLived: string; // has an EventID 10 moved 72 h after its create
  let movedRecord: number;
  let movedTime: string;
  let ended: string; // terminated one minute after its create

  beforeAll(async () => {
    const src = dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log');
    const lines = readFileSync(src, 'utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l.startsWith('<Event'));
    const t0 = truthOf(src);
    // The process with a create and the most EventID 10 events: one of them moved 72 h on.
    const bySources = [...t0.events].filter(([g]) => t0.creates.has(g)).sort((a, b) => b[1] - a[1]);
    longLived = bySources[0]![0];
    const line = lines.find((l) => l.includes('<EventID>10<') && l.toLowerCase().includes(`'sourceprocessguid'>${longLived}`))!;
    const ev = referenceParse(line);
    const maxId = Math.max(...lines.map((l) => referenceParse(l).system.recordId!));
    movedRecord = maxId + 1;
    movedTime = shift(ev.system.timeCreated!, 72 * 3_600_000);
    const moved = line
      .replace(/<EventRecordID>\d+</, `<EventRecordID>${movedRecord}<`)
      .replace(/SystemTime='[^']*'/, `SystemTime='${movedTime}'`)
      .replace(/<Data Name='UtcTime'>[^<]*</, `<Data Name='UtcTime'>${shift(ev.data.UtcTime!, 72 * 3_600_000).replace('T', ' ').replace('Z', '')}<`);
    // Another created process, terminated one minute after its create (an EventID 5 built from the create).
    ended = [...t0.creates].find((g) => g !== longLived)!;
    const create = lines.find((l) => l.includes('<EventID>1<') && l.toLowerCase().includes(`'processguid'>${ended}`))!;
    const c = referenceParse(create);
    const keep = ['UtcTime', 'ProcessGuid', 'ProcessId', 'Image'];
    const end = create
      .replace('<EventID>1<', '<EventID>5<')
      .replace(/<EventRecordID>\d+</, `<EventRecordID>${maxId + 2}<`)
      .replace(/SystemTime='[^']*'/, `SystemTime='${shift(c.system.timeCreated!, 60_000)}'`)
      .replace(/<EventData>.*<\/EventData>/, `<EventData>${keep.map((k) => `<Data Name='${k}'>${k === 'UtcTime' ? shift(c.data.UtcTime!, 60_000).replace('T', ' ').replace('Z', '') : c.data[k]}</Data>`).join('')}</EventData>`);
    dir = mkdtempSync(join(tmpdir(), 'lineage-splunk-life-'));
    const file = join(dir, 'long-lived.log');
    writeFileSync(file, `${[...lines, moved, end].join('\n')}\n`);
    truth = truthOf(file);
    expect(truth.events.get(longLived)).toBe(t0.events.get(longLived)! + 1);
    expect(truth.events.get(ended)).toBe((t0.events.get(ended) ?? 0) + 1);
    pair = await openPair([file]);
  });
  afterAll(async () => {
    await pair?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Investigate on Splunk, with the searches the source counted and the server received. */
  async function graph(guid: string, range?: { from: string; to: string }) {
    const ctx = newContext();
    const before = pair.splunkd.received.length;
    const doc = await investigate(pair.splunk, { guid, host: truth.host.get(guid)!, up: false, down: 0, events: true, ...(range ? { range } : {}) }, ctx);
    return { doc, searches: ctx.stats.searches, received: pair.splunkd.received.length - before };
  }
  const node = (d: GraphDocument, g: string) => d.nodes.find((n) => n.guid === g && n.kind === 'process')!;

  it('an event 72 h after the create (past the 24 h window) is counted, drawn as a cross edge and listed: one search more', async () => {
    const a = await graph(longLived);
    expect(Date.parse(a.doc.range.to)).toBeLessThan(Date.parse(movedTime));
    expect(total(node(a.doc, longLived).eventCounts)).toBe(truth.events.get(longLived));
    // Cross edges from the process: per target, as many process accesses as the file holds.
    for (const [key, n] of truth.cross) {
      const [s, t] = key.split('>');
      if (s !== longLived) continue;
      const edge = a.doc.edges.find((e) => e.kind === 'process-access' && e.source === s && e.target === t);
      expect(edge?.count, key).toBe(n);
    }
    const listed = a.doc.events!.filter((e) => e.guid === longLived && e.eventId !== 1).map((e) => e.recordId).sort((x, y) => x! - y!);
    expect(listed).toEqual([...truth.recordIds.get(longLived)!].sort((x, y) => x - y));
    expect(listed).toContain(movedRecord);
    expect(Object.keys(a.doc.truncated).filter((k) => k.startsWith('events:'))).toEqual([]);
    // The same graph over a window reaching past now (nothing after it to search): one search fewer.
    const wide = await graph(longLived, { from: a.doc.range.from, to: new Date(Date.now() + 86_400_000).toISOString() });
    expect(wide.doc.nodes.map((n) => [n.guid, n.eventCounts])).toEqual(a.doc.nodes.map((n) => [n.guid, n.eventCounts]));
    expect(a.searches).toBe(wide.searches + 1);
    expect(a.received).toBe(a.searches);
    expect(wide.received).toBe(wide.searches);
    // And the embedded source over the same file says the same.
    const e = await investigate(pair.embedded, { guid: longLived, host: truth.host.get(longLived)!, up: false, down: 0 }, newContext());
    expect(node(e, longLived).eventCounts).toEqual(node(a.doc, longLived).eventCounts);
  });

  it('a process that terminated inside the window costs no search more', async () => {
    const a = await graph(ended);
    expect(node(a.doc, ended).endTime).not.toBeNull();
    expect(total(node(a.doc, ended).eventCounts)).toBe(truth.events.get(ended));
    const wide = await graph(ended, { from: a.doc.range.from, to: new Date(Date.now() + 86_400_000).toISOString() });
    expect(a.searches).toBe(wide.searches);
    expect(a.received).toBe(a.searches);
  });
});
