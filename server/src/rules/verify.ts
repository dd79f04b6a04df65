/**
 * Exact verification of one rule at one candidate leaf (rules.md §9.2 "exact verification"): walk the
 * leaf's single ancestor chain (≤ the rule's reach), assign steps nearest-first with backtracking, and
 * check hop bounds, `via.all/none`, `max_gap`, `within`, `where`, `unless` and `then` on that path.
 * The outcome also says what an unknown answer waits for (a placeholder above, or `then` events).
 * One Verifier is reused for every verification (no per-call closures on the hot path).
 */
import type { EventRecord } from '../sources/event-source.js';
import { Tri, type Predicate } from './match.js';
import type { CompiledRule, EngineHit } from './model.js';
import { eventGetter, getter, testOn, type Node } from './node.js';
import { isoMs } from './units.js';

/** A rule with how far above the leaf the verifier may look. */
export interface Prepared { rule: CompiledRule; reach: number }

/** The result of one verification, and what an undecided one waits for. */
export interface Verdict { hit: EngineHit | null; waitTop: boolean; waitEvents: string[] }

export class Verifier {
  private rule!: CompiledRule;
  private leaf!: Node;
  private path: Node[] = [];
  private roles: number[] = [];
  private cut = false;
  private unknownIsMatch = false;
  private thenEvents: EventRecord[] = [];
  private verdict: Verdict = { hit: null, waitTop: false, waitEvents: [] };

  /** `events`: stored `then:` candidates by `host\0guid`. */
  constructor(private readonly events: ReadonlyMap<string, EventRecord[]>) {}

  verify(p: Prepared, leaf: Node): Verdict {
    const rule = p.rule;
    const k = rule.steps.length;
    this.rule = rule;
    this.leaf = leaf;
    this.verdict = { hit: null, waitTop: false, waitEvents: [] };
    this.unknownIsMatch = rule.unknown === 'match';
    if (!this.tri(rule.steps[k - 1]!.pred, leaf)) return this.verdict;
    const path = (this.path = [leaf]);
    let n: Node = leaf;
    while (path.length <= p.reach && n.parent !== null) { n = n.parent; path.push(n); }
    this.cut = path.length <= p.reach && n.ph;
    this.roles = new Array<number>(k).fill(0);
    this.thenEvents = [];
    if (!this.place(k - 1, 0)) return this.verdict;
    this.verdict.hit = this.hit();
    this.verdict.waitTop = false;
    return this.verdict;
  }

  /** A step predicate, with `unknown:` policy; an unknown on a placeholder means "wait for it". */
  private tri(pred: Predicate, n: Node): boolean {
    const r = testOn(pred, n);
    if (r === Tri.Unknown) { if (n.ph) this.verdict.waitTop = true; return this.unknownIsMatch; }
    return r === Tri.Yes;
  }

  private timeOk(older: Node, newer: Node, limit: number | null): boolean {
    if (limit === null) return true;
    const gap = newer.startMs - older.startMs;
    if (Number.isNaN(gap)) { this.verdict.waitTop = true; return this.unknownIsMatch; }
    return gap <= limit;
  }

  /** Place step j-1 above step j (at path[pos]); nearest first, backtracking on later failures. */
  private place(j: number, pos: number): boolean {
    if (j === 0) return this.finish();
    const path = this.path;
    const s = this.rule.steps[j]!;
    const prev = this.rule.steps[j - 1]!;
    for (let d = 1; d <= s.hi; d++) {
      const q = pos + d;
      if (q >= path.length) { if (this.cut) this.verdict.waitTop = true; break; }
      if (d > 1) {
        // path[q-1] becomes an intermediate between the two steps.
        const mid = path[q - 1]!;
        if (s.all && !this.tri(s.all, mid)) break;
        if (s.none && testOn(s.none, mid) !== Tri.No) break;
      }
      if (d < s.lo) continue;
      if (!this.tri(prev.pred, path[q]!)) continue;
      if (!this.timeOk(path[q]!, path[pos]!, this.rule.maxGapMs)) continue;
      this.roles[j - 1] = q;
      if (this.place(j - 1, q)) return true;
    }
    return false;
  }

  /** Whole-chain checks once every step has a node: within, where, unless, then. */
  private finish(): boolean {
    const { rule, path, roles } = this;
    if (!this.timeOk(path[roles[0]!]!, this.leaf, rule.withinMs)) return false;
    for (const w of rule.where) {
      const r = w.test((s) => getter(path[roles[s]!]!));
      if (r === Tri.Unknown) {
        if (path.some((x) => x.ph)) this.verdict.waitTop = true;
        if (!this.unknownIsMatch) return false;
      } else if (r === Tri.No) return false;
    }
    for (const u of rule.unless) {
      if (u.kind === 'ancestor') {
        const base = roles[u.of]!;
        let unknown = false;
        for (let d = u.lo; d <= u.hi; d++) {
          const q = base + d;
          if (q >= path.length) { if (this.cut) unknown = true; break; }
          const r = testOn(u.pred, path[q]!);
          if (r === Tri.Yes) return false;
          // A real node lacking the field does not match; a placeholder might once its create arrives.
          if (r === Tri.Unknown && path[q]!.ph) unknown = true;
        }
        if (unknown && rule.unknownAncestry === 'suppress') { this.verdict.waitTop = true; return false; }
      } else {
        for (let q = 1; q < roles[0]!; q++) {
          if (roles.includes(q)) continue;
          const r = testOn(u.pred, path[q]!);
          if (r === Tri.Yes) return false;
          if (r === Tri.Unknown && path[q]!.ph && rule.unknownAncestry === 'suppress') { this.verdict.waitTop = true; return false; }
        }
      }
    }
    this.thenEvents = [];
    for (const t of rule.then) {
      const node = path[roles[t.of]!]!;
      const key = `${node.host}\u0000${node.guid}`;
      const found = (this.events.get(key) ?? []).find((e) => {
        const g = eventGetter(e);
        if (t.pred.test(g) !== Tri.Yes) return false;
        if (t.not && t.not.test(g) === Tri.Yes) return false;
        if (t.withinMs !== null) {
          const dt = isoMs(e.time) - node.startMs;
          if (!(dt >= 0 && dt <= t.withinMs)) return false;
        }
        return true;
      });
      if (!found) { if (!this.verdict.waitEvents.includes(key)) this.verdict.waitEvents.push(key); return false; }
      this.thenEvents.push(found);
    }
    return true;
  }

  private hit(): EngineHit {
    const { rule, path, roles, leaf } = this;
    const chain: string[] = [];
    const images: string[] = [];
    const stepAt: (number | null)[] = [];
    // Truncated: the chain itself reaches a placeholder, or a negation had to look into unknown ancestry.
    let truncated = this.cut && rule.unless.some((u) => u.kind === 'ancestor');
    for (let q = roles[0]!; q >= 0; q--) {
      const x = path[q]!;
      chain.push(x.guid);
      images.push(x.image);
      const si = roles.indexOf(q);
      stepAt.push(si >= 0 ? si : null);
      if (x.ph) truncated = true;
    }
    return {
      rule, host: leaf.host, chain, images, steps: stepAt, truncated, time: leaf.time,
      events: this.thenEvents.map((e) => ({ guid: e.guid, eventId: e.eventId, time: e.time })),
    };
  }
}
