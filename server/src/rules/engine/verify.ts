/**
 * Exact verification of one rule at one candidate leaf (docs/rules.md §3.2): walk the
 * leaf's single ancestor chain (≤ the rule's reach), assign steps nearest-first with backtracking, and
 * check hop bounds, `via.all/none`, `max_gap`, `within`, `where`, `unless` and `then` on that path.
 * The outcome also says what an unknown answer waits for (a placeholder above, or `then` events).
 * One Verifier is reused for every verification: the path and step roles are typed scratch arrays and
 * nothing is allocated unless a hit is built.
 */
import type { EventRecord } from '../../sources/event-source.js';
import { Tri } from '../language/match.js';
import { MAX_WALK, type CompiledRule, type EngineHit } from '../model.js';
import { eventGetter, getter, type PredInfo, type PredTable } from './node.js';
import type { NodeStore } from './node-table.js';
import { isoMs } from '../language/units.js';

/** A chain step with its predicates registered in the engine's PredTable. */
export interface PStep { pred: PredInfo; all: PredInfo | null; none: PredInfo | null; lo: number; hi: number }
/** An `unless:` with its predicate registered. */
export type PUnless = { kind: 'ancestor'; of: number; lo: number; hi: number; pred: PredInfo } | { kind: 'path'; pred: PredInfo };

/** A rule ready for the engine: registered predicates and how far above the leaf the verifier may look. */
export interface Prepared { rule: CompiledRule; reach: number; steps: PStep[]; unless: PUnless[] }

export class Verifier {
  private p!: Prepared;
  private leaf = 0;
  private readonly path = new Int32Array(MAX_WALK + 2);
  private len = 0;
  private roles = new Int32Array(16);
  private cut = false;
  private unknownIsMatch = false;
  private thenEvents: EventRecord[] = [];
  /** After `verify`: the answer may change when a placeholder above the leaf is filled. */
  waitTop = false;
  /** After `verify`: `host\0guid` keys of processes whose `then:` events the answer waits for. */
  waitEvents: string[] = [];

  /** `events`: stored `then:` candidates by `host\0guid`. */
  constructor(
    private readonly st: NodeStore,
    private readonly preds: PredTable,
    private readonly events: ReadonlyMap<string, EventRecord[]>,
  ) {}

  /** The hit when rule `p` matches with node `leaf` as its last step, else null (see waitTop/waitEvents). */
  verify(p: Prepared, leaf: number): EngineHit | null {
    const k = p.steps.length;
    this.p = p;
    this.leaf = leaf;
    this.waitTop = false;
    if (this.waitEvents.length > 0) this.waitEvents = [];
    this.unknownIsMatch = p.rule.unknown === 'match';
    if (!this.tri(p.steps[k - 1]!.pred, leaf)) return null;
    const st = this.st;
    const path = this.path;
    const reach = p.reach;
    path[0] = leaf;
    let len = 1;
    let n = leaf;
    while (len <= reach) {
      const up = st.parent(n);
      if (up < 0) break;
      n = up;
      path[len++] = n;
    }
    this.len = len;
    this.cut = len <= reach && st.isPh(n);
    if (this.roles.length < k) this.roles = new Int32Array(k);
    this.roles.fill(0);
    if (!this.place(k - 1, 0)) return null;
    this.waitTop = false;
    return this.hit();
  }

  private isPh(s: number): boolean { return this.st.isPh(s); }

  /** A step predicate, with `unknown:` policy; an unknown on a placeholder means "wait for it". */
  private tri(pi: PredInfo, s: number): boolean {
    const r = this.preds.test(pi, s);
    if (r === Tri.Unknown) { if (this.isPh(s)) this.waitTop = true; return this.unknownIsMatch; }
    return r === Tri.Yes;
  }

  private timeOk(older: number, newer: number, limit: number | null): boolean {
    if (limit === null) return true;
    const gap = this.st.startMs(newer) - this.st.startMs(older);
    if (Number.isNaN(gap)) { this.waitTop = true; return this.unknownIsMatch; }
    return gap <= limit;
  }

  /** Place step j-1 above step j (at path[pos]); nearest first, backtracking on later failures. */
  private place(j: number, pos: number): boolean {
    if (j === 0) return this.finish();
    const path = this.path;
    const s = this.p.steps[j]!;
    const prev = this.p.steps[j - 1]!;
    for (let d = 1; d <= s.hi; d++) {
      const q = pos + d;
      if (q >= this.len) { if (this.cut) this.waitTop = true; break; }
      if (d > 1) {
        // path[q-1] becomes an intermediate between the two steps.
        const mid = path[q - 1]!;
        if (s.all && !this.tri(s.all, mid)) break;
        if (s.none && this.preds.test(s.none, mid) !== Tri.No) break;
      }
      if (d < s.lo) continue;
      if (!this.tri(prev.pred, path[q]!)) continue;
      if (!this.timeOk(path[q]!, path[pos]!, this.p.rule.maxGapMs)) continue;
      this.roles[j - 1] = q;
      if (this.place(j - 1, q)) return true;
    }
    return false;
  }

  private hasRole(q: number): number {
    const k = this.p.steps.length;
    for (let i = 0; i < k; i++) if (this.roles[i] === q) return i;
    return -1;
  }

  /** Whole-chain checks once every step has a node: within, where, unless, then. */
  private finish(): boolean {
    const { path, roles, st } = this;
    const rule = this.p.rule;
    if (!this.timeOk(path[roles[0]!]!, this.leaf, rule.withinMs)) return false;
    for (const w of rule.where) {
      const r = w.test((s) => getter(st, path[roles[s]!]!));
      if (r === Tri.Unknown) {
        for (let q = 0; q < this.len; q++) if (this.isPh(path[q]!)) { this.waitTop = true; break; }
        if (!this.unknownIsMatch) return false;
      } else if (r === Tri.No) return false;
    }
    for (const u of this.p.unless) {
      if (u.kind === 'ancestor') {
        const base = roles[u.of]!;
        let unknown = false;
        for (let d = u.lo; d <= u.hi; d++) {
          const q = base + d;
          if (q >= this.len) { if (this.cut) unknown = true; break; }
          const r = this.preds.test(u.pred, path[q]!);
          if (r === Tri.Yes) return false;
          // A real node lacking the field does not match; a placeholder might once its create arrives.
          if (r === Tri.Unknown && this.isPh(path[q]!)) unknown = true;
        }
        if (unknown && rule.unknownAncestry === 'suppress') { this.waitTop = true; return false; }
      } else {
        for (let q = 1; q < roles[0]!; q++) {
          if (this.hasRole(q) >= 0) continue;
          const r = this.preds.test(u.pred, path[q]!);
          if (r === Tri.Yes) return false;
          if (r === Tri.Unknown && this.isPh(path[q]!) && rule.unknownAncestry === 'suppress') { this.waitTop = true; return false; }
        }
      }
    }
    if (rule.then.length === 0) return true;
    this.thenEvents = [];
    for (const t of rule.then) {
      const node = path[roles[t.of]!]!;
      const key = `${st.host(node)}\u0000${st.guidString(node)}`;
      const born = st.startMs(node);
      const found = (this.events.get(key) ?? []).find((e) => {
        const g = eventGetter(e);
        if (t.pred.test(g) !== Tri.Yes) return false;
        if (t.not && t.not.test(g) === Tri.Yes) return false;
        if (t.withinMs !== null) {
          const dt = isoMs(e.time) - born;
          if (!(dt >= 0 && dt <= t.withinMs)) return false;
        }
        return true;
      });
      if (!found) { if (!this.waitEvents.includes(key)) this.waitEvents.push(key); return false; }
      this.thenEvents.push(found);
    }
    return true;
  }

  private hit(): EngineHit {
    const { path, roles, leaf, st } = this;
    const rule = this.p.rule;
    const chain: string[] = [];
    const images: string[] = [];
    const stepAt: (number | null)[] = [];
    const starts: (number | null)[] = [];
    // Truncated: the chain itself reaches a placeholder, or a negation had to look into unknown ancestry.
    let truncated = this.cut && rule.unless.some((u) => u.kind === 'ancestor');
    for (let q = roles[0]!; q >= 0; q--) {
      const x = path[q]!;
      chain.push(st.guidString(x));
      images.push(st.imagePath(x));
      const si = this.hasRole(q);
      stepAt.push(si >= 0 ? si : null);
      if (this.isPh(x)) { truncated = true; starts.push(null); } else starts.push(st.startMs(x));
    }
    return {
      rule, host: st.host(leaf), chain, images, steps: stepAt, truncated, time: st.timeString(leaf), starts,
      events: rule.then.length === 0 ? [] : this.thenEvents.map((e) => ({ guid: e.guid, eventId: e.eventId, time: e.time })),
    };
  }
}
