/**
 * The rule set over events: rules indexed by (channel, EventID), plus a literal prefilter. Each rule
 * has clauses, all necessary (see `CompiledRule.clauses`): a clause holds when one of its literals
 * occurs in its field. Every bucket indexes all its rules' literals per field (./field-index.ts: one
 * pass over each field's value, a memo of recent values); a literal found marks its clauses, each
 * marked clause counts for its rule, and only rules whose every indexed clause holds are evaluated.
 * Per-event state lives in typed arrays stamped with an event number (nothing to reset, no
 * allocation per event beyond the hit list).
 */
import { EventView, type SigmaEvent } from './event.js';
import { FieldIndex, GRAM, gramKey, type LiteralSink, type MemoEntry } from './field-index.js';
import { lowerContainsAny } from './pattern.js';
import { needleCost, type CompiledRule, type Needles } from './rule.js';
import { RuleCache } from './rule-cache.js';

export interface SigmaHit {
  rule: CompiledRule;
  /** Detection identifiers that matched (e.g. ["selection_img", "selection_cli"]). */
  selections: string[];
}

/**
 * First characters common in Windows paths and command lines: letters, digits, space, `- / \\ . : _ " '`.
 * A literal shorter than a gram is found by its first character (./field-index.ts), so one starting
 * with one of these is tried at most positions of most values.
 */
const COMMON_FIRST = /^[a-z0-9 \-/\\.:_"']/;

/** Whether the index keys a literal cheaply: a gram long, or starting with a rare character (`#`, `` ` ``, `^`, `%`, an emoji…). */
const cheapLiteral = (l: string): boolean => l.length >= GRAM || !COMMON_FIRST.test(l);

/**
 * Which clauses of a rule the index uses: those of cheaply keyed, not ubiquitous literals (the more
 * necessary clauses, the fewer candidates: `CommandLine|contains: '#'` beside the parent image); else
 * its cheapest clause (or none: tried on every event).
 */
export function indexedClauses(r: CompiledRule): Needles[] {
  const good = r.clauses.filter((c) => needleCost(c) < 1000 && c.every((n) => cheapLiteral(n.literal)));
  if (good.length > 0) return good;
  const best = r.clauses.reduce<Needles | null>((b, c) => (b && needleCost(b) <= needleCost(c) ? b : c), null);
  return best ? [best] : [];
}

/** The field the others' value-memo entries are guessed from: a process's image (same binary, same PE fields). */
const ANCHOR = 'Image';

class Bucket implements LiteralSink {
  /** Rules tried on every event of the bucket (no clause). */
  readonly always: CompiledRule[] = [];
  readonly indexed: CompiledRule[] = [];
  private need: number[] = [];
  readonly lits: string[] = [];
  private litField: string[] = [];
  private litIds = new Map<string, number>();
  private litClauses: number[][] = [];
  /** The rule of each clause. */
  private clauseRule: number[] = [];
  fields: FieldIndex[] = [];
  /** Whether `fields[0]` is the anchor field (with a memo). */
  private anchored = false;
  stampLit = new Uint32Array(0);
  private stampClause = new Uint32Array(0);
  private stampRule = new Uint32Array(0);
  private count = new Uint16Array(0);
  private cand = new Int32Array(0);
  private nCand = 0;
  epoch = 0;
  private view: EventView | null = null;
  private slot = 0;
  /** The current field's value lower-cased (cached by the view). */
  private readonly lower = (): string => this.view!.lowerAt(this.slot)!;

  constructor(private readonly memo: boolean) {}

  add(r: CompiledRule): void {
    const clauses = indexedClauses(r);
    if (clauses.length === 0) { this.always.push(r); return; }
    const ri = this.indexed.push(r) - 1;
    this.need.push(clauses.length);
    for (const c of clauses) {
      const ci = this.clauseRule.push(ri) - 1;
      for (const lid of new Set(c.map((n) => this.literal(n.field, n.literal)))) this.litClauses[lid]!.push(ci);
    }
  }

  private literal(field: string, lit: string): number {
    const key = `${field}\0${lit}`;
    const known = this.litIds.get(key);
    if (known !== undefined) return known;
    const id = this.lits.push(lit) - 1;
    this.litField.push(field);
    this.litIds.set(key, id);
    this.litClauses.push([]);
    return id;
  }

  /** Keyword literals (field ''): each value searched as written (`lowerContainsAny`), then the ones found. */
  private keywords: { any: (v: string) => boolean; ids: number[] } | null = null;

  /** Rule results by their fields' value rows (./rule-cache.ts); null when the memo is off. */
  private results: RuleCache | null = null;

  seal(freq: ReadonlyMap<number, number>): void {
    const byField = new Map<string, number[]>();
    this.litField.forEach((f, id) => { const l = byField.get(f); if (l) l.push(id); else byField.set(f, [id]); });
    if (this.memo) {
      this.results = new RuleCache([...this.always, ...this.indexed]);
      // Every field the cache keys on gets a value memo, with or without literals to find in it.
      for (const f of this.results.fields) if (!byField.has(f)) byField.set(f, []);
    }
    const kw = byField.get('');
    if (kw) {
      this.keywords = { any: lowerContainsAny(kw.map((id) => this.lits[id]!)), ids: kw };
      byField.delete('');
    }
    this.fields = [...byField].map(([f, ids]) => new FieldIndex(f, ids, this.lits, freq, this.memo));
    // The image first: the anchor the other fields' memo entries are guessed from.
    const img = this.fields.findIndex((f) => f.field === ANCHOR);
    this.anchored = this.memo && img >= 0;
    if (img > 0) this.fields.unshift(...this.fields.splice(img, 1));
    this.stampLit = new Uint32Array(this.lits.length);
    this.stampClause = new Uint32Array(this.clauseRule.length);
    this.stampRule = new Uint32Array(this.indexed.length);
    this.count = new Uint16Array(this.indexed.length);
    this.cand = new Int32Array(this.indexed.length);
    this.litIds.clear();
  }

  found(lid: number): void {
    const e = this.epoch;
    const { stampClause, stampRule, count, need, clauseRule } = this;
    for (const ci of this.litClauses[lid]!) {
      if (stampClause[ci] === e) continue;
      stampClause[ci] = e;
      const ri = clauseRule[ci]!;
      if (stampRule[ri] !== e) { stampRule[ri] = e; count[ri] = 0; }
      if (++count[ri]! === need[ri]) this.cand[this.nCand++] = ri;
    }
  }

  /** Keyword literals in one value (every value of the event is offered; returns false to go on). */
  private readonly keywordValue = (raw: string): boolean => {
    const kw = this.keywords!;
    if (!kw.any(raw)) return false;
    const v = raw.toLowerCase();
    const { stampLit, lits, epoch } = this;
    for (const lid of kw.ids) if (stampLit[lid] !== epoch && v.includes(lits[lid]!)) { stampLit[lid] = epoch; this.found(lid); }
    return false;
  };

  match(view: EventView, hits: SigmaHit[]): void {
    const e = ++this.epoch;
    if (e === 0xffffffff) { this.epoch = 0; this.stampLit.fill(0); this.stampClause.fill(0); this.stampRule.fill(0); }
    this.nCand = 0;
    if (this.keywords) view.someValue(this.keywordValue);
    this.view = view;
    // The anchor (the image, first when the bucket has it): each other field's entry is guessed from
    // the one it had beside this image last time (`FieldIndex.scan`).
    const fields = this.fields;
    let anchor: MemoEntry | null = null;
    for (let i = 0; i < fields.length; i++) {
      const fi = fields[i]!;
      const raw = view.getAt(fi.slot);
      if (raw === undefined) continue;
      this.slot = fi.slot;
      if (i === 0 && this.anchored) { anchor = fi.scan(raw, this.lower, this, view); continue; }
      if (anchor === null) { fi.scan(raw, this.lower, this, view); continue; }
      const next = (anchor.next ??= new Array<MemoEntry | null>(fields.length).fill(null));
      const guess = next[i];
      const got = fi.scan(raw, this.lower, this, view, guess);
      if (got !== guess) next[i] = got;
    }
    // After the scan: the rows of the event's values are on the view (for the rule cache).
    const results = this.results;
    const always = this.always;
    for (let i = 0; i < always.length; i++) {
      const r = always[i]!;
      const s = results !== null ? results.evaluate(i, r, view) : r.evaluate(view);
      if (s) hits.push({ rule: r, selections: s });
    }
    if (this.nCand === 0) return;
    const cand = this.cand;
    const n = this.nCand;
    // Rule order (a few candidates: insertion sort, no allocation).
    for (let i = 1; i < n; i++) { const x = cand[i]!; let j = i - 1; while (j >= 0 && cand[j]! > x) { cand[j + 1] = cand[j]!; j--; } cand[j + 1] = x; }
    for (let i = 0; i < n; i++) {
      const r = this.indexed[cand[i]!]!;
      const s = results !== null ? results.evaluate(always.length + cand[i]!, r, view) : r.evaluate(view);
      if (s) hits.push({ rule: r, selections: s });
    }
  }
}

export class SigmaEngine {
  /** channel → EventID → bucket; channel → the bucket of rules on any EventID. */
  private buckets = new Map<string, Map<number, Bucket>>();
  private anyId = new Map<string, Bucket>();
  private view = new EventView({ eventId: null, channel: null, provider: null, computer: null, fields: {} });

  private readonly memo: boolean;

  /**
   * `memo: false`: no memo of recent field values (./memo.ts) — every value scanned (what the prefilter
   * costs when no value repeats).
   */
  constructor(readonly rules: CompiledRule[], opts: { memo?: boolean } = {}) {
    this.memo = opts.memo ?? true;
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
      for (const b of targets) b.add(r);
    }
    for (const ids of this.buckets.values()) for (const b of ids.values()) b.seal(freq);
    for (const b of this.anyId.values()) b.seal(freq);
  }

  private bucket<K>(m: Map<K, Bucket>, key: K): Bucket {
    let b = m.get(key);
    if (!b) { b = new Bucket(this.memo); m.set(key, b); }
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
