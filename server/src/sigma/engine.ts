/**
 * The rule set over events: rules indexed by (channel, EventID), plus a literal prefilter — each rule
 * that has one names literals of which at least one must occur in a field; per event, every indexed
 * field's lower-cased value is scanned once for 4-character grams, and only rules whose literal is
 * really there (or which have no prefilter) are evaluated.
 */
import { EventView, type SigmaEvent } from './event.js';
import type { CompiledRule } from './rule.js';

export interface SigmaHit {
  rule: CompiledRule;
  /** Detection identifiers that matched (e.g. ["selection_img", "selection_cli"]). */
  selections: string[];
}

const GRAM = 4;
/** A small-integer key of the 4 characters at i (exact for ASCII; other text may collide, checked after). */
const gramKey = (s: string, i: number): number =>
  ((s.charCodeAt(i) << 21) ^ (s.charCodeAt(i + 1) << 14) ^ (s.charCodeAt(i + 2) << 7) ^ s.charCodeAt(i + 3)) & 0x3fffffff;
/** Slot in a field's 64 Ki presence bitmap: most positions are ruled out without a Map lookup. */
const slot = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 16;

interface GramIndex { present: Uint8Array; lists: Map<number, Array<[number, string]>> }

interface Bucket {
  /** Rules tried on every event of the bucket. */
  always: CompiledRule[];
  /** field → gram → [rule index, literal]. */
  grams: Map<string, GramIndex>;
  /** field → short literals (< 4 chars) checked with `includes`. */
  short: Map<string, Array<[number, string]>>;
  indexed: CompiledRule[];
  /** Candidate marks per indexed rule (reset after each event). */
  mark: Uint8Array;
}

function newBucket(): Bucket { return { always: [], grams: new Map(), short: new Map(), indexed: [], mark: new Uint8Array(0) }; }

export class SigmaEngine {
  private buckets = new Map<string, Bucket>();
  private anyId = new Map<string, Bucket>();

  constructor(readonly rules: CompiledRule[]) {
    const gramFreq = new Map<number, number>();
    for (const r of rules) for (const n of r.needles ?? []) {
      for (let i = 0; i + GRAM <= n.literal.length; i++) { const k = gramKey(n.literal, i); gramFreq.set(k, (gramFreq.get(k) ?? 0) + 1); }
    }
    for (const r of rules) {
      const targets = r.applies.eventIds === null
        ? [this.bucket(this.anyId, r.applies.channel)]
        : r.applies.eventIds.map((id) => this.bucket(this.buckets, `${r.applies.channel}\0${id}`));
      for (const b of targets) this.add(b, r, gramFreq);
    }
    for (const b of [...this.buckets.values(), ...this.anyId.values()]) b.mark = new Uint8Array(b.indexed.length);
  }

  private bucket(m: Map<string, Bucket>, key: string): Bucket {
    let b = m.get(key);
    if (!b) { b = newBucket(); m.set(key, b); }
    return b;
  }

  private add(b: Bucket, r: CompiledRule, freq: Map<number, number>): void {
    if (!r.needles) { b.always.push(r); return; }
    const idx = b.indexed.push(r) - 1;
    for (const { field, literal } of r.needles) {
      if (literal.length < GRAM) {
        let s = b.short.get(field);
        if (!s) b.short.set(field, (s = []));
        s.push([idx, literal]);
        continue;
      }
      // The literal's rarest gram keys it.
      let best = 0; let bestF = Infinity;
      for (let i = 0; i + GRAM <= literal.length; i++) { const f = freq.get(gramKey(literal, i)) ?? 0; if (f < bestF) { bestF = f; best = i; } }
      let g = b.grams.get(field);
      if (!g) b.grams.set(field, (g = { present: new Uint8Array(65536), lists: new Map() }));
      const k = gramKey(literal, best);
      g.present[slot(k)] = 1;
      let list = g.lists.get(k);
      if (!list) g.lists.set(k, (list = []));
      list.push([idx, literal]);
    }
  }

  /** Every rule hit on one event, in rule order within the prefiltered and unfiltered sets. */
  match(event: SigmaEvent): SigmaHit[] {
    const channel = event.channel ?? 'Microsoft-Windows-Sysmon/Operational';
    const hits: SigmaHit[] = [];
    const view = new EventView(event);
    const b = event.eventId == null ? undefined : this.buckets.get(`${channel}\0${event.eventId}`);
    if (b) this.matchBucket(b, view, hits);
    const any = this.anyId.get(channel);
    if (any) this.matchBucket(any, view, hits);
    return hits;
  }

  private matchBucket(b: Bucket, view: EventView, hits: SigmaHit[]): void {
    for (const r of b.always) { const s = r.evaluate(view); if (s) hits.push({ rule: r, selections: s }); }
    if (b.indexed.length === 0) return;
    const mark = b.mark;
    const cand: number[] = [];
    for (const [field, g] of b.grams) {
      const v = view.lower(field);
      if (v === undefined || v.length < GRAM) continue;
      const { present, lists } = g;
      for (let i = 0; i + GRAM <= v.length; i++) {
        const k = gramKey(v, i);
        if (present[slot(k)] === 0) continue;
        const list = lists.get(k);
        if (list) for (const [idx, lit] of list) if (mark[idx] === 0 && v.includes(lit)) { mark[idx] = 1; cand.push(idx); }
      }
    }
    for (const [field, list] of b.short) {
      const v = view.lower(field);
      if (v !== undefined) for (const [idx, lit] of list) if (mark[idx] === 0 && v.includes(lit)) { mark[idx] = 1; cand.push(idx); }
    }
    cand.sort((x, y) => x - y);
    for (const idx of cand) {
      mark[idx] = 0;
      const r = b.indexed[idx]!;
      const s = r.evaluate(view);
      if (s) hits.push({ rule: r, selections: s });
    }
  }
}
