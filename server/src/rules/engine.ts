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
 * Cost per event is O(1) plus O(reach · steps) per candidate (verify.ts); memory is the retained nodes
 * (all of them in batch mode; with `retentionMs`, those touched recently, long-lived ancestors included).
 */
import type { EventRecord } from '../sources/event-source.js';
import { isZeroGuid } from '@lineage/shared';
import { Tri, baseName, type Predicate } from './match.js';
import { MAX_WALK, type CompiledRule, type EngineHit, type ProcessInput } from './model.js';
import { testOn, type Node } from './node.js';
import { isoMs } from './units.js';
import { Verifier, type Prepared } from './verify.js';

/** Engine settings. */
export interface EngineOptions {
  /** Drop nodes not touched for this long in event time (null: keep everything — batch mode). */
  retentionMs?: number | null;
}

const EMPTY: readonly number[] = [];
/** Fields a node answers without its record (see node.ts fieldOf). */
const CORE_FIELDS: ReadonlySet<string> = new Set(['Image', 'Name', 'ProcessGuid', 'ParentProcessGuid', 'Computer', 'UtcTime', 'EventID']);
/** How many generations a new child keeps alive (retention) above itself. */
const TOUCH_DEPTH = 64;

/**
 * Streaming rule evaluation: `addProcess` / `addEvent` in any order (idempotent), `drain()` for the hits
 * completed since the last drain. Batch use is the same with one drain at the end.
 */
export class RuleEngine {
  private readonly rules: Prepared[];
  private readonly byName = new Map<string, number[]>();
  private readonly anyName: number[] = [];
  /**
   * Ancestry pre-filter: names pinned by a non-leaf step get a bit (shared modulo 31 when there are more);
   * each node carries the OR of its ancestors' bits (`up`). A rule whose earlier pinned step has no bit in
   * a complete `up` cannot match there, so it is not verified (most candidates of broad rules).
   */
  private readonly nameBit = new Map<string, number>();
  /** Per rule: one mask per pinned non-leaf step; all must intersect the leaf's `up`. */
  private readonly needs: number[][];
  /** Rules (indexes) whose leaf matches any name, pre-tested at add so non-matching leaves are not queued. */
  private readonly anyLeaf: Predicate[];
  private readonly hosts = new Map<string, Map<string, Node>>();
  private lastHost = '';
  private lastShard: Map<string, Node> | null = null;
  private dirty: Node[] = [];
  private readonly events = new Map<string, EventRecord[]>();
  private readonly eventWaiters = new Map<string, Set<Node>>();
  private readonly thenIds: ReadonlySet<number> | null;
  private readonly verifier = new Verifier(this.events);
  private readonly hasThen: boolean;
  private readonly retentionMs: number | null;
  /** Whether any rule reads a field beyond the core ones (else records are not retained: memory). */
  private readonly keepRecords: boolean;
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
    this.needs = rules.map((r) => {
      const masks: number[] = [];
      for (let j = 0; j < r.steps.length - 1; j++) {
        const names = r.steps[j]!.pred.names;
        if (names === null) continue;
        let m = 0;
        for (const n of names) {
          let b = this.nameBit.get(n);
          if (b === undefined) { b = 1 << (this.nameBit.size % 31); this.nameBit.set(n, b); }
          m |= b;
        }
        masks.push(m);
      }
      return masks;
    });
    this.anyLeaf = this.anyName.map((i) => this.rules[i]!.rule.steps[this.rules[i]!.rule.steps.length - 1]!.pred);
    const fields = new Set<string>();
    for (const r of rules) {
      for (const s of r.steps) for (const p of [s.pred, s.all, s.none]) if (p) for (const f of p.fields) fields.add(f);
      for (const u of r.unless) for (const f of u.pred.fields) fields.add(f);
      for (const w of r.where) for (const f of w.fields) fields.add(f);
    }
    this.keepRecords = [...fields].some((f) => !CORE_FIELDS.has(f));
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
    return n !== undefined && !n.ph;
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
    const startMs = isoMs(r.startTime);
    if (node !== undefined) {
      if (!node.ph) { this.counters.duplicates++; return; }
      // A placeholder's own create arrived: fill it in place so children's parent pointers stay valid.
      node.ph = false;
      node.rec = this.keepRecords ? r : null;
      node.image = r.image;
      node.time = r.startTime;
      node.name = r.name ? r.name.toLowerCase() : baseName(r.image);
      node.startMs = startMs;
      if (startMs > node.seen) node.seen = startMs;
      if (node.waiters) { for (const w of node.waiters) this.markDirty(w); node.waiters = null; }
    } else {
      node = {
        guid: r.guid, host: r.host, parent: null, ph: false, rec: this.keepRecords ? r : null, image: r.image, time: r.startTime,
        phCmd: '', phUser: '', phPid: null,
        name: r.name ? r.name.toLowerCase() : baseName(r.image), startMs, seen: startMs, waiters: null, fired: null, dirty: false, evicted: false,
        up: 0, phd: Number.POSITIVE_INFINITY,
      };
      shard.set(r.guid, node);
      this.nodeCount++;
    }
    const pg = r.parentGuid;
    // The zero GUID ("no parent") starts with '{0' or '0'; only then is the full check worth its cost.
    if (pg && pg !== r.guid && !(isZeroStart(pg) && isZeroGuid(pg))) {
      let parent = shard.get(pg);
      if (parent === undefined) {
        parent = {
          guid: pg, host: r.host, parent: null, ph: true, rec: null, image: r.parentImage, time: '', phCmd: r.parentCommandLine,
          phUser: r.parentUser, phPid: r.parentPid, name: baseName(r.parentImage), startMs: Number.NaN,
          seen: startMs, waiters: null, fired: null, dirty: false, evicted: false, up: 0, phd: 0,
        };
        shard.set(pg, parent);
        this.nodeCount++;
        this.counters.placeholders++;
      }
      node.parent = parent;
      node.up = parent.up | this.bitOf(parent.name);
      node.phd = parent.ph ? 1 : parent.phd + 1;
      this.touch(parent, startMs);
    } else {
      node.up = 0;
      node.phd = Number.POSITIVE_INFINITY;
    }
    if (startMs > this.watermark) this.watermark = startMs;
    if (this.byName.has(node.name) || this.anyLeafMay(node)) { this.counters.candidates++; this.markDirty(node); }
    // Sweep after as many adds as nodes were retained at the last sweep: amortised O(1) per add.
    if (this.retentionMs !== null && ++this.addsSinceSweep > this.sweepEvery) this.sweep();
  }

  /** The name's ancestry bit; an empty name may match anything under `unknown: match`, so all bits. */
  private bitOf(name: string): number {
    if (name === '') return 0x7fffffff;
    return this.nameBit.get(name) ?? 0;
  }

  /** Whether some any-name rule's leaf step may match this node (a real node's fields never change). */
  private anyLeafMay(node: Node): boolean {
    for (const p of this.anyLeaf) if (testOn(p, node) !== Tri.No) return true;
    return false;
  }

  /** Keep ancestors of recent activity retained (long-lived services, shells); stops at fresh ones. */
  private touch(n: Node | null, t: number): void {
    if (this.retentionMs === null) return;
    // A node touched recently had its ancestors touched then too: stop there (amortised O(1)).
    const slack = this.retentionMs / 32;
    // Capped: real trees are shallow; a pathological deep chain must not make every add O(depth).
    for (let i = 0; n !== null && i < TOUCH_DEPTH; i++, n = n.parent) {
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
    const p = this.rules[i]!;
    // Ancestry known as far as the rule reaches, lacking an earlier step's names: no match possible here,
    // nothing to wait for. (A placeholder filled later only makes the known part longer.)
    if (node.phd > p.reach) for (const m of this.needs[i]!) if ((node.up & m) === 0) return;
    // Cheap pre-check of the leaf step (most candidates of broad rules fail here).
    if (testOn(p.rule.steps[p.rule.steps.length - 1]!.pred, node) === Tri.No) return;
    this.counters.verifications++;
    const v = this.verifier.verify(p, node);
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
      if (top.ph) (top.waiters ??= new Set()).add(node);
    }
    for (const key of v.waitEvents) {
      const ws = this.eventWaiters.get(key);
      if (!ws) this.eventWaiters.set(key, new Set([node])); else ws.add(node);
    }
  }
}

function isZeroStart(g: string): boolean {
  const c = g.charCodeAt(0) === 123 /* { */ ? g.charCodeAt(1) : g.charCodeAt(0);
  return c === 48; /* 0 */
}
