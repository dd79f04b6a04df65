/**
 * The rule set over events: rules indexed by (channel, EventID), plus a literal prefilter. Each rule
 * has clauses, all necessary (see `CompiledRule.clauses`): a clause holds when one of its literals
 * occurs in its field. Every bucket indexes all its rules' literals per field by one 4-character gram;
 * per event each indexed field's lower-cased value is scanned once, a literal found marks its clauses,
 * each marked clause counts for its rules, and only rules whose every indexed clause holds are
 * evaluated. Per-event state lives in typed arrays stamped with an event number (nothing to reset, no
 * allocation per event beyond the hit list).
 */
import { EventView, type SigmaEvent } from './event.js';
import { needleCost, type CompiledRule, type Needles } from './rule.js';

export interface SigmaHit {
  rule: CompiledRule;
  /** Detection identifiers that matched (e.g. ["selection_img", "selection_cli"]). */
  selections: string[];
}

const GRAM = 4;
const MASK = 0x0fffffff;
/**
 * A small-integer key of the 4 characters at i (exact for ASCII; other text may collide, checked
 * after): 7 bits per character, so the scan can roll it — one `charCodeAt` per position.
 */
const gramKey = (s: string, i: number): number =>
  ((((((s.charCodeAt(i) << 7) ^ s.charCodeAt(i + 1)) << 7) ^ s.charCodeAt(i + 2)) << 7) ^ s.charCodeAt(i + 3)) & MASK;
/** Slot in a field's 64 Ki presence bitmap: most positions are ruled out without a Map lookup. */
const slot = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 16;

/** Key of the n (< 4) characters at i: exact for ASCII (verified with `startsWith` otherwise). */
const shortKey = (s: string, i: number, n: number): number => {
  let k = n;
  for (let j = 0; j < n; j++) k = (k << 8) | (s.charCodeAt(i + j) & 0xff);
  return k;
};

/**
 * Per field: gram → ids of the literals keyed by it (confirmed with `includes`); literals shorter than
 * a gram are keyed by their whole text, looked up at every position (1–3 characters). One presence
 * bitmap serves both (most positions are ruled out without a Map lookup).
 */
interface FieldIndex { field: string; present: Uint8Array; lists: Map<number, number[]>; shortLens: number[]; short: Map<number, number[]> }

/** Which clauses of a rule the index uses: those with only gram-long, not ubiquitous literals; else its cheapest. */
export function indexedClauses(r: CompiledRule): Needles[] {
  const good = r.clauses.filter((c) => needleCost(c) < 1000 && c.every((n) => n.literal.length >= GRAM));
  if (good.length > 0) return good;
  const best = r.clauses.reduce<Needles | null>((b, c) => (b && needleCost(b) <= needleCost(c) ? b : c), null);
  return best ? [best] : [];
}

class Bucket {
  /** Rules tried on every event of the bucket (no clause). */
  readonly always: CompiledRule[] = [];
  readonly indexed: CompiledRule[] = [];
  private need: number[] = [];
  private lits: string[] = [];
  private litIds = new Map<string, number>();
  private litClauses: number[][] = [];
  private clauseRules: number[][] = [];
  readonly fields: FieldIndex[] = [];
  private stampLit = new Uint32Array(0);
  private stampClause = new Uint32Array(0);
  private stampRule = new Uint32Array(0);
  private count = new Uint16Array(0);
  private cand = new Int32Array(0);
  private nCand = 0;
  private epoch = 0;

  add(r: CompiledRule, freq: Map<number, number>): void {
    const clauses = indexedClauses(r);
    if (clauses.length === 0) { this.always.push(r); return; }
    const ri = this.indexed.push(r) - 1;
    this.need.push(clauses.length);
    for (const c of clauses) {
      const ci = this.clauseRules.push([ri]) - 1;
      for (const lid of new Set(c.map((n) => this.literal(n.field, n.literal, freq)))) this.litClauses[lid]!.push(ci);
    }
  }

  private literal(field: string, lit: string, freq: Map<number, number>): number {
    const key = `${field}\0${lit}`;
    const known = this.litIds.get(key);
    if (known !== undefined) return known;
    const id = this.lits.push(lit) - 1;
    this.litIds.set(key, id);
    this.litClauses.push([]);
    let fi = this.fields.find((f) => f.field === field);
    if (!fi) this.fields.push((fi = { field, present: new Uint8Array(65536), lists: new Map(), shortLens: [], short: new Map() }));
    if (lit.length < GRAM) {
      const k = shortKey(lit, 0, lit.length);
      const list = fi.short.get(k);
      if (list) list.push(id); else fi.short.set(k, [id]);
      if (!fi.shortLens.includes(lit.length)) fi.shortLens.push(lit.length);
      fi.present[slot(k)] = 1;
      return id;
    }
    // The literal's rarest gram keys it.
    let best = 0; let bestF = Infinity;
    for (let i = 0; i + GRAM <= lit.length; i++) { const f = freq.get(gramKey(lit, i)) ?? 0; if (f < bestF) { bestF = f; best = i; } }
    const k = gramKey(lit, best);
    fi.present[slot(k)] = 1;
    const list = fi.lists.get(k);
    if (list) list.push(id); else fi.lists.set(k, [id]);
    return id;
  }

  /** Keyword literals (field ''): one case-insensitive literal alternation over the raw values, no lower-casing. */
  private keywords: { re: RegExp; ids: number[] } | null = null;

  seal(): void {
    const kw = this.fields.findIndex((f) => f.field === '');
    if (kw >= 0) {
      const ids = [...this.litIds].filter(([k]) => k.startsWith('\0')).map(([, id]) => id);
      const alt = ids.map((id) => this.lits[id]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
      this.keywords = { re: new RegExp(alt, 'i'), ids };
      this.fields.splice(kw, 1);
    }
    this.stampLit = new Uint32Array(this.lits.length);
    this.stampClause = new Uint32Array(this.clauseRules.length);
    this.stampRule = new Uint32Array(this.indexed.length);
    this.count = new Uint16Array(this.indexed.length);
    this.cand = new Int32Array(this.indexed.length);
    this.litIds.clear();
  }

  private found(lid: number): void {
    const e = this.epoch;
    for (const ci of this.litClauses[lid]!) {
      if (this.stampClause[ci] === e) continue;
      this.stampClause[ci] = e;
      for (const ri of this.clauseRules[ci]!) {
        if (this.stampRule[ri] !== e) { this.stampRule[ri] = e; this.count[ri] = 0; }
        if (++this.count[ri]! === this.need[ri]) this.cand[this.nCand++] = ri;
      }
    }
  }

  match(view: EventView, hits: SigmaHit[]): void {
    for (const r of this.always) { const s = r.evaluate(view); if (s) hits.push({ rule: r, selections: s }); }
    if (this.indexed.length === 0) return;
    const e = ++this.epoch;
    if (e === 0xffffffff) { this.epoch = 0; this.stampLit.fill(0); this.stampClause.fill(0); this.stampRule.fill(0); }
    this.nCand = 0;
    const { stampLit, lits } = this;
    const kw = this.keywords;
    if (kw) {
      for (const raw of view.values()) {
        if (!kw.re.test(raw)) continue;
        const v = raw.toLowerCase();
        for (const lid of kw.ids) if (stampLit[lid] !== e && v.includes(lits[lid]!)) { stampLit[lid] = e; this.found(lid); }
      }
    }
    for (const fi of this.fields) {
      const v = view.lower(fi.field);
      if (v === undefined) continue;
      const { present, lists } = fi;
      if (lists.size > 0 && v.length >= GRAM) {
        let k = 0;
        for (let i = 0; i < v.length; i++) {
          k = ((k << 7) ^ v.charCodeAt(i)) & MASK;
          if (i < GRAM - 1 || present[slot(k)] === 0) continue;
          const list = lists.get(k);
          if (list === undefined) continue;
          for (const lid of list) if (stampLit[lid] !== e) { stampLit[lid] = e; if (v.includes(lits[lid]!)) this.found(lid); }
        }
      }
      for (const n of fi.shortLens) {
        for (let i = 0; i + n <= v.length; i++) {
          const k = shortKey(v, i, n);
          if (present[slot(k)] === 0) continue;
          const list = fi.short.get(k);
          if (list !== undefined) for (const lid of list) if (stampLit[lid] !== e && v.startsWith(lits[lid]!, i)) { stampLit[lid] = e; this.found(lid); }
        }
      }
    }
    if (this.nCand === 0) return;
    const cand = this.cand.subarray(0, this.nCand).sort();
    for (const ri of cand) {
      const r = this.indexed[ri]!;
      const s = r.evaluate(view);
      if (s) hits.push({ rule: r, selections: s });
    }
  }
}

export class SigmaEngine {
  /** channel → EventID → bucket; channel → the bucket of rules on any EventID. */
  private buckets = new Map<string, Map<number, Bucket>>();
  private anyId = new Map<string, Bucket>();
  private view = new EventView({ eventId: null, channel: null, provider: null, computer: null, fields: {} });

  constructor(readonly rules: CompiledRule[]) {
    const freq = new Map<number, number>();
    for (const r of rules) for (const c of indexedClauses(r)) for (const { literal: l } of c) {
      for (let i = 0; i + GRAM <= l.length; i++) { const k = gramKey(l, i); freq.set(k, (freq.get(k) ?? 0) + 1); }
    }
    for (const r of rules) {
      const targets = r.applies.eventIds === null
        ? [this.bucket(this.anyId, r.applies.channel)]
        : r.applies.eventIds.map((id) => {
          let ids = this.buckets.get(r.applies.channel);
          if (!ids) this.buckets.set(r.applies.channel, (ids = new Map()));
          return this.bucket(ids, id);
        });
      for (const b of targets) b.add(r, freq);
    }
    for (const ids of this.buckets.values()) for (const b of ids.values()) b.seal();
    for (const b of this.anyId.values()) b.seal();
  }

  private bucket<K>(m: Map<K, Bucket>, key: K): Bucket {
    let b = m.get(key);
    if (!b) { b = new Bucket(); m.set(key, b); }
    return b;
  }

  /** Every rule hit on one event, in rule order within the prefiltered and unfiltered sets. */
  match(event: SigmaEvent): SigmaHit[] {
    const channel = event.channel ?? 'Microsoft-Windows-Sysmon/Operational';
    const hits: SigmaHit[] = [];
    const view = this.view.reset(event);
    const b = event.eventId == null ? undefined : this.buckets.get(channel)?.get(event.eventId);
    if (b) b.match(view, hits);
    const any = this.anyId.get(channel);
    if (any) any.match(view, hits);
    return hits;
  }
}
