/**
 * Rule results remembered by the values they depend on (the engine's, ./engine.ts). A rule's result is
 * a function of the values of the fields it reads (`CompiledRule.fields`: its items' fields and
 * `fieldref` targets), and the engine's field index already remembers recent values of each field, one
 * row each (./field-index.ts, `EventView.row`): so a rule reading up to four fields is remembered per
 * rule under the number made of its fields' rows. The same image, parent image, original file name,
 * command line… then costs one Map lookup instead of an evaluation; a rule whose lookups mostly miss
 * (its fields' value combinations rarely repeat) sits out for a while, as the value memo does. A row
 * names a value until that field's memo is cleared (`EventView.rowGeneration` counts the clears): a rule whose field memo was
 * cleared forgets what it remembered. A field without a row in this event (its memo sitting out on
 * high-cardinality values) means plain evaluation.
 */
import type { EventView } from './event.js';
import { fieldSlot } from './event.js';
import type { CompiledRule } from './rule.js';

/** Results remembered per rule (cleared when full; also the window over which its hit rate is judged). */
const PER_RULE = 512;
/** Rows are below 2^12 (the field memo's size), so four of them make an exact number below 2^48. */
const MAX_FIELDS = 4;
const ROW_BASE = 4096;

export class RuleCache {
  /** Per rule number: its fields' slots (null: not remembered — a keyword search, or more than four fields). */
  private slots: Array<Int32Array | null> = [];
  private gens: Array<Float64Array | null> = [];
  private results: Array<Map<number, string[] | null> | null> = [];
  /** Per rule: lookups and hits in the current window, and evaluations left to sit out (hit rate under ½). */
  private lookups: Uint16Array;
  private hits: Uint16Array;
  private pause: Uint32Array;

  /** The fields whose rows the cache reads (the engine keeps a value memo for each). */
  readonly fields: string[];

  /** `rules`: by number, as `evaluate` is called. */
  constructor(rules: CompiledRule[]) {
    const read = new Set<string>();
    for (const r of rules) {
      const fields = r.fields === null ? [] : [...new Set(r.fields)];
      const ok = fields.length > 0 && fields.length <= MAX_FIELDS;
      if (ok) for (const f of fields) read.add(f);
      this.slots.push(ok ? Int32Array.from(fields, fieldSlot) : null);
      this.gens.push(ok ? new Float64Array(fields.length).fill(-1) : null);
      this.results.push(ok ? new Map() : null);
    }
    this.fields = [...read];
    this.lookups = new Uint16Array(rules.length);
    this.hits = new Uint16Array(rules.length);
    this.pause = new Uint32Array(rules.length);
  }

  /** Rule number `i` on the view: remembered, or evaluated (and remembered when every field has a row). */
  evaluate(i: number, r: CompiledRule, view: EventView): string[] | null {
    const slots = this.slots[i];
    if (slots === null || slots === undefined) return r.evaluate(view);
    if (this.pause[i]! > 0) { this.pause[i]!--; return r.evaluate(view); }
    if (++this.lookups[i]! === PER_RULE) {
      if (this.hits[i]! * 2 < PER_RULE) this.pause[i] = PER_RULE * 16;
      this.lookups[i] = 0; this.hits[i] = 0;
    }
    const gens = this.gens[i]!;
    let key = 0;
    let stale = false;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      const row = view.row(s);
      if (row < 0) return r.evaluate(view);
      const g = view.rowGeneration(s);
      if (g !== gens[k]) { gens[k] = g; stale = true; }
      key = key * ROW_BASE + row;
    }
    const m = this.results[i]!;
    if (stale) m.clear();
    let out = m.get(key);
    if (out !== undefined) this.hits[i]!++;
    else {
      out = r.evaluate(view);
      if (m.size >= PER_RULE) m.clear();
      m.set(key, out);
    }
    return out === null ? null : out.slice();
  }
}
