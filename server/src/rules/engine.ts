/**
 * The streaming lineage-rule engine (rules.md §9), leaf-triggered:
 *  - process-creates go into a per-host `guid → Node` map; a parent not seen yet becomes a placeholder
 *    built from the child's Parent* fields, filled in place when its own create arrives (any order);
 *  - only nodes whose image can match some rule's LAST step are candidates (one map lookup per event);
 *  - a candidate is verified by walking its single ancestor chain (≤ the rule's reach) and assigning
 *    steps nearest-first with backtracking; hop bounds, `via.all/none`, `max_gap`, `within`, `where`,
 *    `unless` and `then` are checked on that path;
 *  - a candidate whose answer depends on something not seen yet (a placeholder ancestor, a missing
 *    `then` event) waits on it and is re-verified when it arrives. Duplicate deliveries are ignored,
 *    and each (rule, host, leaf) fires once.
 * Cost per event is O(1) plus O(reach · steps) per candidate; memory is the retained nodes.
 */
import type { EventRecord } from '../sources/event-source.js';
import { Tri, baseName, type FieldGetter, type Predicate } from './match.js';
import { MAX_WALK, type CompiledRule, type EngineHit, type ProcessInput } from './model.js';
import { isZeroGuid } from '@lineage/shared';

/** A process in the engine: real (has `rec`) or a placeholder for a parent not seen yet. */
interface Node {
  guid: string;
  host: string;
  parent: Node | null;
  /** null while a placeholder. */
  rec: ProcessInput | null;
  /** Placeholder knowledge, from the first child's Parent* fields. */
  phImage: string;
  phCmd: string;
  phUser: string;
  phPid: number | null;
  name: string;
  /** Creation time in ms; NaN for placeholders. */
  startMs: number;
  /** Latest creation time of this node or any retained descendant (for eviction). */
  seen: number;
  /** Candidates whose verification is waiting for this placeholder to be filled. */
  waiters: Set<Node> | null;
  /** Set when the node left the map (retention), so waiter sets can drop it. */
  evicted: boolean;
  /** Rule indexes already fired with this node as the leaf. */
  fired: Set<number> | null;
  dirty: boolean;
}

export interface EngineOptions {
  /** Drop nodes not touched for this long in event time (null: keep everything — batch mode). */
  retentionMs?: number | null;
}

interface Prepared {
  rule: CompiledRule;
  /** How far above the leaf the verifier may need to look. */
  reach: number;
}

const EMPTY: readonly number[] = [];

/** Per-rule verification bookkeeping for one candidate. */
interface Verdict { hit: EngineHit | null; waitTop: boolean; waitEvents: string[] }

export class RuleEngine {
  private readonly rules: Prepared[];
  private readonly byName = new Map<string, number[]>();
  private readonly anyName: number[] = [];
  private readonly hosts = new Map<string, Map<string, Node>>();
  private lastHost = '';
  private lastShard: Map<string, Node> | null = null;
  private dirty: Node[] = [];
  private readonly events = new Map<string, EventRecord[]>();
  private readonly eventWaiters = new Map<string, Set<Node>>();
  private readonly thenIds: ReadonlySet<number> | null;
  private readonly hasThen: boolean;
  private readonly retentionMs: number | null;
  private watermark = Number.NEGATIVE_INFINITY;
  private addsSinceSweep = 0;
  private sweepEvery = 100_000;
  private nodeCount = 0;
  /** Counters for reports and benchmarks. */
  readonly counters = { processes: 0, duplicates: 0, placeholders: 0, candidates: 0, verifications: 0, hits: 0, evicted: 0 };

  constructor(rules: CompiledRule[], opts: EngineOptions = {}) {
    this.retentionMs = opts.retentionMs ?? null;
    this.rules = rules.map((rule) => {
      let reach = 0;
      for (const s of rule.steps) reach += s.hi;
      let extra = 0;
      for (const u of rule.unless) if (u.kind === 'ancestor') extra = Math.max(extra, u.hi);
      return { rule, reach: Math.min(MAX_WALK, reach + extra) };
    });
    this.rules.forEach((p, i) => {
      const names = p.rule.steps[p.rule.steps.length - 1]!.pred.names;
      if (!names) { this.anyName.push(i); return; }
      for (const n of names) {
        const list = this.byName.get(n);
        if (list) list.push(i); else this.byName.set(n, [i]);
      }
    });
    const thens = rules.flatMap((r) => r.then);
    this.hasThen = thens.length > 0;
    this.thenIds = thens.some((t) => t.eventIds === null) ? null : new Set(thens.flatMap((t) => [...t.eventIds!]));
  }

  /** Lowercase image basenames that can be a leaf of some rule, or null when any process can. */
  leafNames(): string[] | null {
    return this.anyName.length > 0 ? null : [...this.byName.keys()];
  }

  /** True when this record's image can complete some rule (so its ancestors are worth fetching). */
  isCandidate(name: string): boolean {
    return this.anyName.length > 0 || this.byName.has(name);
  }

  /** Largest reach of any rule (ancestor generations the verifier may look at). */
  maxReach(): number {
    let m = 0;
    for (const p of this.rules) m = Math.max(m, p.reach);
    return m;
  }

  /** Whether a process (host, guid) has been seen as a real create. */
  hasProcess(host: string, guid: string): boolean {
    const n = this.hosts.get(host)?.get(guid);
    return n !== undefined && n.rec !== null;
  }

  /** Processes (host, guid) whose `then:` events a candidate is waiting for. */
  waitingForEvents(): { host: string; guid: string }[] {
    return [...this.eventWaiters.keys()].map((k) => {
      const i = k.indexOf('\u0000');
      return { host: k.slice(0, i), guid: k.slice(i + 1) };
    });
  }

  /** Nodes currently retained (real and placeholders). */
  size(): number { return this.nodeCount; }

  private shard(host: string): Map<string, Node> {
    if (host === this.lastHost && this.lastShard) return this.lastShard;
    let s = this.hosts.get(host);
    if (!s) { s = new Map(); this.hosts.set(host, s); }
    this.lastHost = host;
    this.lastShard = s;
    return s;
  }

  private markDirty(n: Node): void {
    if (!n.dirty) { n.dirty = true; this.dirty.push(n); }
  }

  /** Add one process-create. Idempotent: a second delivery of the same (host, guid) is ignored. */
  addProcess(r: ProcessInput): void {
    this.counters.processes++;
    const shard = this.shard(r.host);
    let node = shard.get(r.guid);
    const startMs = Date.parse(r.startTime);
    if (node !== undefined) {
      if (node.rec !== null) { this.counters.duplicates++; return; }
      // A placeholder's own create arrived: fill it in place so children's parent pointers stay valid.
      node.rec = r;
      node.name = r.name || baseName(r.image);
      node.startMs = startMs;
      if (startMs > node.seen) node.seen = startMs;
      if (node.waiters) { for (const w of node.waiters) this.markDirty(w); node.waiters = null; }
    } else {
      node = {
        guid: r.guid, host: r.host, parent: null, rec: r, phImage: '', phCmd: '', phUser: '', phPid: null,
        name: r.name || baseName(r.image), startMs, seen: startMs, waiters: null, fired: null, dirty: false, evicted: false,
      };
      shard.set(r.guid, node);
      this.nodeCount++;
    }
    const pg = r.parentGuid;
    if (pg && pg !== r.guid && !isZeroGuid(pg)) {
      let parent = shard.get(pg);
      if (parent === undefined) {
        parent = {
          guid: pg, host: r.host, parent: null, rec: null, phImage: r.parentImage, phCmd: r.parentCommandLine,
          phUser: r.parentUser, phPid: r.parentPid, name: baseName(r.parentImage), startMs: Number.NaN,
          seen: startMs, waiters: null, fired: null, dirty: false, evicted: false,
        };
        shard.set(pg, parent);
        this.nodeCount++;
        this.counters.placeholders++;
      }
      node.parent = parent;
      this.touch(parent, startMs);
    }
    if (startMs > this.watermark) this.watermark = startMs;
    if (this.byName.has(node.name) || this.anyName.length > 0) { this.counters.candidates++; this.markDirty(node); }
    // Sweep after as many adds as nodes were retained at the last sweep: amortised O(1) per add.
    if (this.retentionMs !== null && ++this.addsSinceSweep > this.sweepEvery) this.sweep();
  }

  /** Keep ancestors of recent activity retained (long-lived services, shells); stops at fresh ones. */
  private touch(n: Node | null, t: number): void {
    if (this.retentionMs === null) return;
    // A node touched recently had its ancestors touched then too: stop there (amortised O(1)).
    const slack = this.retentionMs / 32;
    for (let i = 0; n !== null && i < MAX_WALK; i++, n = n.parent) {
      if (n.seen >= t - slack) { if (n.seen < t) n.seen = t; return; }
      n.seen = t;
    }
  }

  /** Evict nodes untouched for `retentionMs` of event time. */
  private sweep(): void {
    this.addsSinceSweep = 0;
    if (this.retentionMs === null) return;
    const cut = this.watermark - this.retentionMs;
    for (const [host, shard] of this.hosts) {
      for (const [guid, n] of shard) {
        if (n.seen < cut && !n.dirty) { shard.delete(guid); n.evicted = true; this.nodeCount--; this.counters.evicted++; }
      }
      // Long-lived placeholders (services.exe started before the data) collect waiters: drop evicted ones.
      for (const n of shard.values()) {
        if (n.waiters) { for (const w of n.waiters) if (w.evicted) n.waiters.delete(w); if (n.waiters.size === 0) n.waiters = null; }
      }
      if (shard.size === 0) { this.hosts.delete(host); if (this.lastHost === host) this.lastShard = null; }
    }
    for (const [key, ws] of this.eventWaiters) {
      for (const w of ws) if (w.evicted) ws.delete(w);
      if (ws.size === 0) this.eventWaiters.delete(key);
    }
    for (const [key, evs] of this.events) {
      const kept = evs.filter((e) => Date.parse(e.time) >= cut);
      if (kept.length === 0) this.events.delete(key); else if (kept.length < evs.length) this.events.set(key, kept);
    }
    this.sweepEvery = Math.max(100_000, this.nodeCount);
  }

  /**
   * Add a non-process event (for `then:`). Only events some rule's `then` could match are kept.
   * Re-delivery is ignored (same host, guid, EventID, time and record id).
   */
  addEvent(e: EventRecord): void {
    if (!this.hasThen) return;
    if (this.thenIds !== null && !this.thenIds.has(e.eventId)) return;
    const key = `${e.host}\u0000${e.guid}`;
    const list = this.events.get(key);
    if (list) {
      if (list.some((x) => x.eventId === e.eventId && x.time === e.time && x.recordId === e.recordId)) return;
      list.push(e);
    } else this.events.set(key, [e]);
    const waiting = this.eventWaiters.get(key);
    if (waiting) { for (const w of waiting) this.markDirty(w); this.eventWaiters.delete(key); }
  }

  /** Verify every candidate touched since the last drain; returns new hits (each rule/leaf once). */
  drain(): EngineHit[] {
    const out: EngineHit[] = [];
    const work = this.dirty;
    this.dirty = [];
    for (const node of work) {
      node.dirty = false;
      const list = this.byName.get(node.name) ?? EMPTY;
      for (const i of list) this.check(i, node, out);
      for (const i of this.anyName) this.check(i, node, out);
    }
    return out;
  }

  private check(i: number, node: Node, out: EngineHit[]): void {
    if (node.fired?.has(i)) return;
    this.counters.verifications++;
    const v = this.verify(this.rules[i]!, node);
    if (v.hit) {
      (node.fired ??= new Set()).add(i);
      this.counters.hits++;
      out.push(v.hit);
      return;
    }
    if (v.waitTop) {
      // Wait on the topmost placeholder above the leaf: when it fills, the walk can go further.
      let top: Node = node;
      for (let d = 0; top.parent !== null && d < MAX_WALK; d++) top = top.parent;
      if (top.rec === null) (top.waiters ??= new Set()).add(node);
    }
    for (const key of v.waitEvents) {
      const ws = this.eventWaiters.get(key);
      if (!ws) this.eventWaiters.set(key, new Set([node])); else ws.add(node);
    }
  }

  /** The full verification of one rule at one candidate leaf. */
  private verify(p: Prepared, leaf: Node): Verdict {
    const rule = p.rule;
    const steps = rule.steps;
    const k = steps.length;
    const verdict: Verdict = { hit: null, waitTop: false, waitEvents: [] };
    const unknownIsMatch = rule.unknown === 'match';
    const tri = (pred: Predicate, n: Node): boolean => {
      const r = pred.test(getter(n));
      if (r === Tri.Unknown) { if (n.rec === null) verdict.waitTop = true; return unknownIsMatch; }
      return r === Tri.Yes;
    };
    if (!tri(steps[k - 1]!.pred, leaf)) return verdict;
    const path: Node[] = [leaf];
    let n: Node = leaf;
    while (path.length <= p.reach && n.parent !== null) { n = n.parent; path.push(n); }
    const cut = path.length <= p.reach && n.rec === null;
    const roles = new Array<number>(k).fill(0);
    let thenEvents: EventRecord[] = [];

    const timeOk = (older: Node, newer: Node, limit: number | null): boolean => {
      if (limit === null) return true;
      const gap = newer.startMs - older.startMs;
      if (Number.isNaN(gap)) { verdict.waitTop = true; return unknownIsMatch; }
      return gap <= limit;
    };

    const finish = (): boolean => {
      const root = path[roles[0]!]!;
      if (!timeOk(root, leaf, rule.withinMs)) return false;
      for (const w of rule.where) {
        const r = w.test((s) => getter(path[roles[s]!]!));
        if (r === Tri.Unknown) { verdict.waitTop = verdict.waitTop || path.some((x) => x.rec === null); if (!unknownIsMatch) return false; }
        else if (r === Tri.No) return false;
      }
      for (const u of rule.unless) {
        if (u.kind === 'ancestor') {
          const base = roles[u.of]!;
          let unknown = false;
          for (let d = u.lo; d <= u.hi; d++) {
            const q = base + d;
            if (q >= path.length) { if (cut) unknown = true; break; }
            const r = u.pred.test(getter(path[q]!));
            if (r === Tri.Yes) return false;
            // A real node lacking the field does not match; a placeholder might once its create arrives.
            if (r === Tri.Unknown && path[q]!.rec === null) unknown = true;
          }
          if (unknown && rule.unknownAncestry === 'suppress') { verdict.waitTop = true; return false; }
        } else {
          const chainAt = new Set(roles);
          for (let q = 1; q < roles[0]!; q++) {
            if (chainAt.has(q)) continue;
            const r = u.pred.test(getter(path[q]!));
            if (r === Tri.Yes) return false;
            if (r === Tri.Unknown && path[q]!.rec === null && rule.unknownAncestry === 'suppress') { verdict.waitTop = true; return false; }
          }
        }
      }
      thenEvents = [];
      for (const t of rule.then) {
        const node = path[roles[t.of]!]!;
        const key = `${node.host}\u0000${node.guid}`;
        const evs = this.events.get(key) ?? [];
        const found = evs.find((e) => {
          const g = eventGetter(e);
          if (t.pred.test(g) !== Tri.Yes) return false;
          if (t.not && t.not.test(g) === Tri.Yes) return false;
          if (t.withinMs !== null) {
            const dt = Date.parse(e.time) - node.startMs;
            if (!(dt >= 0 && dt <= t.withinMs)) return false;
          }
          return true;
        });
        if (!found) { if (!verdict.waitEvents.includes(key)) verdict.waitEvents.push(key); return false; }
        thenEvents.push(found);
      }
      return true;
    };

    // Place step j-1 above step j (at path[pos]); nearest first, backtracking on later failures.
    const place = (j: number, pos: number): boolean => {
      if (j === 0) return finish();
      const s = steps[j]!;
      const prev = steps[j - 1]!;
      for (let d = 1; d <= s.hi; d++) {
        const q = pos + d;
        if (q >= path.length) { if (cut) verdict.waitTop = true; break; }
        if (d > 1) {
          // path[q-1] becomes an intermediate between the two steps.
          const mid = path[q - 1]!;
          if (s.all && !tri(s.all, mid)) break;
          if (s.none && s.none.test(getter(mid)) !== Tri.No) break;
        }
        if (d < s.lo) continue;
        if (!tri(prev.pred, path[q]!)) continue;
        if (!timeOk(path[q]!, path[pos]!, rule.maxGapMs)) continue;
        roles[j - 1] = q;
        if (place(j - 1, q)) return true;
      }
      return false;
    };

    if (!place(k - 1, 0)) return verdict;
    const top = roles[0]!;
    const chain: string[] = [];
    const images: string[] = [];
    const stepAt: (number | null)[] = [];
    // Truncated: the chain itself reaches a placeholder, or a negation had to look into unknown ancestry.
    let truncated = cut && rule.unless.some((u) => u.kind === 'ancestor');
    for (let q = top; q >= 0; q--) {
      const x = path[q]!;
      chain.push(x.guid);
      images.push(x.rec ? x.rec.image : x.phImage);
      const si = roles.indexOf(q);
      stepAt.push(si >= 0 ? si : null);
      if (x.rec === null) truncated = true;
    }
    verdict.hit = {
      rule, host: leaf.host, chain, images, steps: stepAt, truncated, time: leaf.rec!.startTime,
      events: thenEvents.map((e) => ({ guid: e.guid, eventId: e.eventId, time: e.time })),
    };
    verdict.waitTop = false;
    return verdict;
  }
}

/** Field access for a node, raw Sysmon names; '' counts as absent (sources use '' for unknown). */
function getter(n: Node): FieldGetter {
  const r = n.rec;
  if (r === null) {
    return (f) => {
      switch (f) {
        case 'Image': return n.phImage || undefined;
        case 'Name': return n.name || undefined;
        case 'CommandLine': return n.phCmd || undefined;
        case 'User': return n.phUser || undefined;
        case 'ProcessId': return n.phPid === null ? undefined : String(n.phPid);
        case 'ProcessGuid': return n.guid;
        case 'Computer': return n.host;
        default: return undefined;
      }
    };
  }
  return (f) => {
    let v: string | null | undefined;
    switch (f) {
      case 'Image': v = r.image; break;
      case 'Name': v = n.name; break;
      case 'CommandLine': v = r.commandLine; break;
      case 'User': v = r.user; break;
      case 'IntegrityLevel': v = r.integrityLevel; break;
      case 'Hashes': v = r.hashes; break;
      case 'CurrentDirectory': v = r.currentDirectory; break;
      case 'LogonGuid': v = r.logonGuid; break;
      case 'ParentImage': v = r.parentImage; break;
      case 'ParentCommandLine': v = r.parentCommandLine; break;
      case 'ParentUser': v = r.parentUser; break;
      case 'ProcessId': v = r.pid === null ? null : String(r.pid); break;
      case 'ParentProcessId': v = r.parentPid === null ? null : String(r.parentPid); break;
      case 'ProcessGuid': v = r.guid; break;
      case 'ParentProcessGuid': v = r.parentGuid; break;
      case 'Computer': v = r.host; break;
      case 'UtcTime': v = r.startTime; break;
      case 'EventID': v = '1'; break;
      default: v = r.fields?.[f];
    }
    return v === null || v === undefined || v === '' ? undefined : v;
  };
}

function eventGetter(e: EventRecord): FieldGetter {
  return (f) => {
    if (f === 'EventID') return String(e.eventId);
    if (f === 'Computer') return e.host;
    const v = e.fields[f];
    return v === '' ? undefined : v;
  };
}
