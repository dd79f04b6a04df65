/**
 * Inline rule test vectors (`tests:` in a rule). Compact events:
 *   g = ProcessGuid, p = ParentProcessGuid, img = Image, cmd = CommandLine, user = User,
 *   il = IntegrityLevel, pimg/pcmd/puser = Parent*, host = Computer (default `host1`),
 *   t = seconds after 2024-01-01T00:00:00Z or an ISO time (default: the event's index),
 *   eid = EventID (default 1; other ids are `then:` events of process g); any other key is a raw
 *   Sysmon field (OriginalFileName, DestinationIp, …). Short ids stand in for GUIDs.
 * Expectations list hits by leaf and, optionally, the path leaf first (docs/rules.md §1.1 `tests`).
 */
import { categoryOf } from '@lineage/shared';
import type { EventRecord } from '../sources/event-source.js';
import { RuleEngine } from './engine/engine.js';
import { baseName } from './language/match.js';
import type { CompiledRule, EngineHit, ProcessInput, RuleTest, VectorEvent } from './model.js';

const BASE_MS = Date.parse('2024-01-01T00:00:00Z');
const SHORT: Record<string, string> = {
  g: 'ProcessGuid', p: 'ParentProcessGuid', img: 'Image', cmd: 'CommandLine', user: 'User',
  il: 'IntegrityLevel', pimg: 'ParentImage', pcmd: 'ParentCommandLine', puser: 'ParentUser', host: 'Computer',
};

/** A vector event turned into engine input. */
export type VectorItem = { kind: 'process'; rec: ProcessInput } | { kind: 'event'; ev: EventRecord };

function timeOf(v: VectorEvent, index: number): string {
  const t = v.t;
  if (t === undefined) return new Date(BASE_MS + index * 1000).toISOString();
  if (typeof t === 'number') return new Date(BASE_MS + t * 1000).toISOString();
  const ms = Date.parse(String(t));
  if (!Number.isFinite(ms)) throw new Error(`vector event ${index}: cannot read time "${String(t)}"`);
  return new Date(ms).toISOString();
}

/** Expand compact vector events into process-creates and other events. */
export function vectorItems(events: VectorEvent[]): VectorItem[] {
  return events.map((v, index) => {
    const f: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (k === 't' || k === 'eid') continue;
      f[SHORT[k] ?? k] = String(val);
    }
    const host = (f.Computer ?? 'host1').toLowerCase();
    const time = timeOf(v, index);
    const eid = v.eid === undefined ? 1 : Number(v.eid);
    const guid = f.ProcessGuid;
    if (!guid) throw new Error(`vector event ${index}: needs g (ProcessGuid)`);
    if (eid !== 1) {
      return { kind: 'event', ev: { guid, host, eventId: eid, category: categoryOf(eid), time, recordId: index, targetGuid: null, fields: f } };
    }
    const image = f.Image ?? '';
    const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
    const rec: ProcessInput = {
      guid, parentGuid: f.ParentProcessGuid ?? null, host, pid: num(f.ProcessId), parentPid: num(f.ParentProcessId),
      image, name: baseName(image), commandLine: f.CommandLine ?? '', parentImage: f.ParentImage ?? '',
      parentCommandLine: f.ParentCommandLine ?? '', parentUser: f.ParentUser ?? '', user: f.User ?? '',
      integrityLevel: f.IntegrityLevel ?? '', hashes: f.Hashes ?? '', currentDirectory: f.CurrentDirectory ?? '',
      logonGuid: f.LogonGuid ?? '', startTime: time, endTime: null, fields: f,
    };
    return { kind: 'process', rec };
  });
}

/** Run rules over items in the given order (one batch), returning every hit. */
export function runItems(rules: CompiledRule[], items: VectorItem[]): EngineHit[] {
  const engine = new RuleEngine(rules);
  for (const it of items) {
    if (it.kind === 'process') engine.addProcess(it.rec); else engine.addEvent(it.ev);
  }
  return engine.drain();
}

/** Run items one at a time, draining after each (streaming), collecting every hit. */
export function runItemsStreaming(rules: CompiledRule[], items: VectorItem[]): EngineHit[] {
  const engine = new RuleEngine(rules);
  const out: EngineHit[] = [];
  for (const it of items) {
    if (it.kind === 'process') engine.addProcess(it.rec); else engine.addEvent(it.ev);
    out.push(...engine.drain());
  }
  return out;
}

/** Outcome of one vector: `problems` is empty when it passed. */
export interface VectorResult { rule: string; test: string; problems: string[]; hits: EngineHit[] }

/** Compare hits with a vector's expectations (leaf set exact; path when given). */
export function checkHits(rule: CompiledRule, test: RuleTest, hits: EngineHit[]): string[] {
  const problems: string[] = [];
  const key = (host: string, leaf: string) => `${host}/${leaf}`;
  const got = new Map(hits.map((h) => [key(h.host, h.chain[h.chain.length - 1]!), h]));
  const want = new Set<string>();
  for (const e of test.expect) {
    const k = key((e.host ?? 'host1').toLowerCase(), e.leaf);
    want.add(k);
    const h = got.get(k);
    if (!h) { problems.push(`expected a hit with leaf ${e.leaf}, got none`); continue; }
    if (e.path) {
      const path = [...h.chain].reverse();
      if (path.join(',') !== e.path.join(',')) problems.push(`leaf ${e.leaf}: path ${path.join(',')} (expected ${e.path.join(',')})`);
    }
  }
  for (const [k, h] of got) if (!want.has(k)) problems.push(`unexpected hit with leaf ${k} (path ${[...h.chain].reverse().join(',')})`);
  return problems;
}

/** Run every inline test of a rule, in the given order. */
export function runRuleTests(rule: CompiledRule): VectorResult[] {
  return rule.tests.map((t) => {
    const hits = runItems([rule], vectorItems(t.events));
    return { rule: rule.id, test: t.name, problems: checkHits(rule, t, hits), hits };
  });
}
