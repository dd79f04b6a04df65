/**
 * The streaming lineage-rule engine (docs/rules.md §3), leaf-triggered, on the compact node table (node-table.ts):
 *  - process-creates go into a (host, GUID) → slot table; a parent not seen yet becomes a placeholder
 *    built from the child's Parent* fields, filled in place when its own create arrives (any order);
 *  - only nodes whose image can match some rule's LAST step are candidates (one array read per event);
 *  - a candidate is verified by walking its single ancestor chain (≤ the rule's reach) and assigning
 *    steps nearest-first with backtracking; hop bounds, `via.all/none`, `max_gap`, `within`, `where`,
 *    `unless` and `then` are checked on that path (verify.ts);
 *  - a candidate whose answer depends on something not seen yet (a placeholder ancestor, a missing
 *    `then` event) waits on it and is re-verified when it arrives. Duplicate deliveries are ignored,
 *    and each (rule, host, leaf) fires once.
 * Cost per event is O(1) plus O(reach · steps) per candidate; memory is the retained nodes (~70 B each
 * plus the raw fields some rule can read on them). In batch mode everything is kept; with `retentionMs`,
 * nodes untouched for that long are evicted leaves-first, so an ancestor of a retained node stays.
 */
import type { EventRecord } from '../../sources/event-source.js';
import { Tri } from '../language/match.js';
import { MAX_WALK, type CompiledRule, type EngineHit, type ProcessInput } from '../model.js';
import { PredTable, recordField, type PredInfo } from './node.js';
import { F_DIRTY, F_FIRED, F_PH, F_TIMETEXT, F_USED, F_WAITS, KEY_OK, NodeStore, PHD_NONE } from './node-table.js';
import { isoMs } from '../language/units.js';
import { Verifier, type Prepared } from './verify.js';
import { indexRules, type FieldNeed } from './rule-index.js';
import { evictIdle } from './retention.js';

/** Engine settings. */
export interface EngineOptions {
  /** Drop nodes not touched for this long in event time (null: keep everything — batch mode). */
  retentionMs?: number | null;
}

/** How many generations a new child keeps alive (retention) above itself. */
const TOUCH_DEPTH = 64;
/** A kept raw field and its column in the store. */
interface KeptField { field: string; col: (string | undefined)[] }

/**
 * Streaming rule evaluation: `addProcess` / `addEvent` in any order (idempotent), `drain()` for the hits
 * completed since the last drain. Batch use is the same with one drain at the end.
 */
export class RuleEngine {
  private readonly st = new NodeStore();
  private readonly preds = new PredTable(this.st);
  private readonly rules: Prepared[];
  /** Leaf names (lowercase basenames) → rules whose last step they can match. */
  private readonly byName: Map<string, number[]>;
  /** The same by name id (ids of rule names are interned first, so this array is small). */
  private readonly leafRules: (number[] | undefined)[];
  private readonly anyName: number[];
  /** Leaf predicates of the any-name rules, pre-tested at add so non-matching leaves are not queued. */
  private readonly anyLeaf: PredInfo[];
  /**
   * Ancestry pre-filter: names pinned by a non-leaf step get a bit (62 bits in two words, shared modulo 62
   * beyond that); each node carries the OR of its ancestors' bits (`up0/up1`). A rule whose earlier pinned
   * step has no bit in a complete `up` cannot match there, so it is not verified (most candidates).
   */
  private readonly bit0: number[];
  private readonly bit1: number[];
  /** Per rule: [word0, word1] masks, one pair per pinned non-leaf step; each must intersect `up`. */
  private readonly needs: Int32Array[];
  private readonly fieldNeeds: FieldNeed[];
  /** Per image id: the raw fields kept for real nodes with that image. */
  private readonly imageFields: (KeptField[] | undefined)[] = [];
  private readonly kept = new Map<string, KeptField>();
  private dirty: number[] = [];
  /** Gen-tagged placeholder slots that have (or had) a waiters list: what the sweep cleans. */
  private waitingPh: number[] = [];
  private readonly events = new Map<string, EventRecord[]>();
  private readonly eventWaiters = new Map<string, Set<number>>();
  private readonly thenIds: ReadonlySet<number> | null;
  private readonly verifier: Verifier;
  private readonly hasThen: boolean;
  private readonly retentionMs: number | null;
  private watermark = Number.NEGATIVE_INFINITY;
  private addsSinceSweep = 0;
  private sweepEvery = 100_000;
  /** Counters for reports and benchmarks. */
  readonly counters = { processes: 0, duplicates: 0, placeholders: 0, candidates: 0, verifications: 0, hits: 0, evicted: 0 };

  constructor(rules: CompiledRule[], opts: EngineOptions = {}) {
    this.retentionMs = opts.retentionMs ?? null;
    const st = this.st;
    st.onImage = (id) => this.preds.onImage(id);
    const ix = indexRules(rules, st, this.preds);
    this.rules = ix.rules;
    this.byName = ix.byName;
    this.leafRules = ix.leafRules;
    this.anyName = ix.anyName;
    this.anyLeaf = ix.anyLeaf;
    this.bit0 = ix.bit0;
    this.bit1 = ix.bit1;
    this.needs = ix.needs;
    this.fieldNeeds = ix.fieldNeeds;
    this.hasThen = ix.hasThen;
    this.thenIds = ix.thenIds;
    this.verifier = new Verifier(st, this.preds, this.events);
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
    const h = this.st.knownHost(host);
    if (h < 0 || this.st.prepare(h, guid, false, true) !== KEY_OK) return false;
    const s = this.st.find();
    return s >= 0 && !this.st.isPh(s);
  }

  /** Processes (host, guid) whose `then:` events a candidate is waiting for. */
  waitingForEvents(): { host: string; guid: string }[] {
    return [...this.eventWaiters.keys()].map((k) => {
      const i = k.indexOf('\u0000');
      return { host: k.slice(0, i), guid: k.slice(i + 1) };
    });
  }

  /** Nodes currently retained (real and placeholders). */
  size(): number { return this.st.count; }

  private markDirty(s: number): void {
    const f = this.st.flags(s);
    if (!(f & F_DIRTY)) { this.st.setFlags(s, f | F_DIRTY); this.dirty.push(s); }
  }

  /** Add one process-create. Idempotent: a second delivery of the same (host, guid) is ignored. */
  addProcess(r: ProcessInput): void {
    this.counters.processes++;
    const st = this.st;
    const host = st.prepareOwn(r.host, r.guid);
    const startMs = isoMs(r.startTime);
    let s = st.find();
    if (s >= 0) {
      const f = st.flags(s);
      if (!(f & F_PH)) { this.counters.duplicates++; return; }
      // A placeholder's own create arrived: fill it in place so children's parent links stay valid.
      st.setFlags(s, f & ~F_PH);
      this.setReal(s, r, startMs);
      if (startMs > st.seen(s)) st.setSeen(s, startMs);
      const c = st.cold[s];
      if (c?.waiters) {
        for (const t of c.waiters) {
          const w = st.untag(t);
          if (w >= 0) { st.setFlags(w, st.flags(w) & ~F_WAITS); this.markDirty(w); }
        }
        c.waiters = null;
      }
    } else {
      s = st.insert();
      st.setSeen(s, startMs);
      this.setReal(s, r, startMs);
    }
    let p = -1;
    const pg = r.parentGuid;
    if (pg && st.prepare(host, pg, true) === KEY_OK && !st.sameKey(s)) {
      p = st.find();
      if (p < 0) {
        p = st.insert();
        st.setFlags(p, F_USED | F_PH);
        st.setPhd(p, 0);
        st.setImage(p, st.internImage(r.parentImage, null));
        st.setStartMs(p, Number.NaN);
        st.setSeen(p, startMs);
        const c = st.coldOf(p);
        c.phCmd = r.parentCommandLine;
        c.phUser = r.parentUser;
        c.phPid = r.parentPid;
        this.counters.placeholders++;
      }
    }
    if (p >= 0) {
      st.setParent(s, p);
      st.addKid(p, 1);
      const pn = st.nameIdOf(p);
      st.setUp(s, st.up0(p) | (this.bit0[pn] ?? 0), st.up1(p) | (this.bit1[pn] ?? 0));
      const pd = st.phd(p);
      st.setPhd(s, st.isPh(p) ? 1 : pd >= PHD_NONE - 1 ? pd : pd + 1);
      this.touch(p, startMs);
    } else {
      st.setParent(s, -1);
      st.setUp(s, 0, 0);
      st.setPhd(s, PHD_NONE);
    }
    if (startMs > this.watermark) this.watermark = startMs;
    const nm = st.nameIdOf(s);
    if ((nm < this.leafRules.length && this.leafRules[nm] !== undefined) || (this.anyLeaf.length > 0 && this.anyLeafMay(s))) {
      this.counters.candidates++;
      this.markDirty(s);
    }
    // Sweep after as many adds as nodes were retained at the last sweep: amortised O(1) per add.
    if (this.retentionMs !== null && ++this.addsSinceSweep > this.sweepEvery) this.sweep();
  }

  /** Image, time and the kept raw fields of a real node. */
  private setReal(s: number, r: ProcessInput, startMs: number): void {
    const st = this.st;
    const img = st.internImage(r.image, r.name);
    st.setImage(s, img);
    st.setStartMs(s, startMs);
    const t = r.startTime;
    // Canonical ISO times are rebuilt from startMs for hits; any other spelling is kept as written.
    if (!(t.length === 24 && t.charCodeAt(10) === 84 /* T */ && t.charCodeAt(19) === 46 /* . */ && t.charCodeAt(23) === 90 /* Z */
      && startMs === startMs)) {
      st.setFlags(s, st.flags(s) | F_TIMETEXT);
      st.coldOf(s).time = t;
    }
    const kf = this.imageFields[img] ?? this.keptFields(img);
    // The record's own strings are kept, not the record. (Not interned: a fresh string would have to be
    // hashed per create to save ~40 B per node.)
    for (let i = 0; i < kf.length; i++) { const k = kf[i]!; k.col[s] = recordField(r, k.field); }
  }

  /** The raw fields real nodes with this image keep (computed once per image). */
  private keptFields(img: number): KeptField[] {
    const name = this.st.nameStr[this.st.imageName[img]!]!;
    const fields = new Set<string>();
    for (const n of this.fieldNeeds) if (n.names === null || n.names.has(name)) for (const f of n.fields) fields.add(f);
    const out = [...fields].map((f) => {
      let k = this.kept.get(f);
      if (!k) { k = { field: f, col: this.st.col(f) }; this.kept.set(f, k); }
      return k;
    });
    this.imageFields[img] = out;
    return out;
  }

  /** Whether some any-name rule's leaf step may match this node (a real node's fields never change). */
  private anyLeafMay(s: number): boolean {
    for (const p of this.anyLeaf) if (this.preds.test(p, s) !== Tri.No) return true;
    return false;
  }

  /** Keep ancestors of recent activity retained (long-lived services, shells); stops at fresh ones. */
  private touch(n: number, t: number): void {
    if (this.retentionMs === null) return;
    const st = this.st;
    // A node touched recently had its ancestors touched then too: stop there (amortised O(1)).
    const slack = this.retentionMs / 32;
    // Capped: real trees are shallow; a pathological deep chain must not make every add O(depth).
    for (let i = 0; n >= 0 && i < TOUCH_DEPTH; i++, n = st.parent(n)) {
      const seen = st.seen(n);
      if (seen >= t - slack) { if (seen < t) st.setSeen(n, t); return; }
      st.setSeen(n, t);
    }
  }

  /** Evict nodes untouched for `retentionMs` of event time (retention.ts). */
  private sweep(): void {
    this.addsSinceSweep = 0;
    if (this.retentionMs === null) return;
    const st = this.st;
    this.counters.evicted += evictIdle(st, this.watermark - this.retentionMs, this.waitingPh, this.eventWaiters, this.events);
    this.sweepEvery = Math.max(100_000, st.count);
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
    if (waiting) {
      for (const t of waiting) { const w = this.st.untag(t); if (w >= 0) this.markDirty(w); }
      this.eventWaiters.delete(key);
    }
  }

  /** Verify every candidate touched since the last drain; returns new hits (each rule/leaf once). */
  drain(): EngineHit[] {
    const out: EngineHit[] = [];
    const work = this.dirty;
    this.dirty = [];
    const st = this.st;
    for (let w = 0; w < work.length; w++) {
      const s = work[w]!;
      st.setFlags(s, st.flags(s) & ~F_DIRTY);
      const nm = st.nameIdOf(s);
      const list = nm < this.leafRules.length ? this.leafRules[nm] : undefined;
      if (list !== undefined) for (let i = 0; i < list.length; i++) this.check(list[i]!, s, out);
      for (let i = 0; i < this.anyName.length; i++) this.check(this.anyName[i]!, s, out);
    }
    return out;
  }

  /**
   * Re-verify leaf s when placeholder `ph` (its nearest placeholder ancestor) is filled. A node only ever
   * waits on that one placeholder until it fills (a placeholder has no parent, so every walk up from s
   * stops there), so F_WAITS makes the repeats (one per rule, per drain) a flag test.
   */
  private wait(ph: number, s: number): void {
    const st = this.st;
    const f = st.flags(s);
    if (f & F_WAITS) return;
    st.setFlags(s, f | F_WAITS);
    const c = st.coldOf(ph);
    // F_WAITS keeps each live node in the list at most once, so a plain array does (in insertion order).
    if (c.waiters === null) { c.waiters = []; this.waitingPh.push(st.tag(ph)); }
    c.waiters.push(st.tag(s));
  }

  private check(i: number, s: number, out: EngineHit[]): void {
    const st = this.st;
    if (st.flags(s) & F_FIRED && st.cold[s]!.fired!.has(i)) return;
    const p = this.rules[i]!;
    // Cheap pre-check of the leaf step (a real node's fields never change: No is final).
    if (this.preds.test(p.steps[p.steps.length - 1]!.pred, s) === Tri.No) return;
    // Ancestry pre-filter: an earlier pinned step whose names are in no known ancestor cannot be placed.
    const m = this.needs[i]!;
    if (m.length > 0) {
      const u0 = st.up0(s);
      const u1 = st.up1(s);
      let missing = false;
      for (let j = 0; j < m.length; j += 2) if ((u0 & m[j]!) === 0 && (u1 & m[j + 1]!) === 0) { missing = true; break; }
      if (missing) {
        // Ancestry complete within the rule's reach when linked: no match here, nothing to wait for.
        if (st.phd(s) > p.reach) return;
        // A placeholder was within reach when this node was linked; it may have been filled since (then
        // `up` is stale). Walk the reach once, gathering the bits as they are now.
        let top = s;
        let w0 = 0;
        let w1 = 0;
        for (let d = 0; d < p.reach && st.parent(top) >= 0; d++) {
          top = st.parent(top);
          const nm = st.nameIdOf(top);
          w0 |= this.bit0[nm] ?? 0;
          w1 |= this.bit1[nm] ?? 0;
        }
        missing = false;
        for (let j = 0; j < m.length; j += 2) if ((w0 & m[j]!) === 0 && (w1 & m[j + 1]!) === 0) { missing = true; break; }
        if (missing) {
          // Still missing: wait for the placeholder at the top (its ancestors may bring the name), if any.
          if (st.isPh(top)) this.wait(top, s);
          return;
        }
      }
    }
    this.counters.verifications++;
    const v = this.verifier;
    const hit = v.verify(p, s);
    if (hit) {
      const c = st.coldOf(s);
      (c.fired ??= new Set()).add(i);
      st.setFlags(s, st.flags(s) | F_FIRED);
      this.counters.hits++;
      out.push(hit);
      return;
    }
    if (v.waitTop) {
      // Wait on the topmost placeholder above the leaf: when it fills, the walk can go further.
      let top = s;
      for (let d = 0; st.parent(top) >= 0 && d < MAX_WALK; d++) top = st.parent(top);
      if (st.isPh(top)) this.wait(top, s);
    }
    for (const key of v.waitEvents) {
      const ws = this.eventWaiters.get(key);
      if (!ws) this.eventWaiters.set(key, new Set([st.tag(s)])); else ws.add(st.tag(s));
    }
  }
}
