/**
 * Rule results remembered by the values they depend on (the engine's, ./engine.ts). A rule's
 * evaluation is a deterministic walk that reads some fields and returns a result: it depends only on
 * the values of the fields that walk read (`EventView.track`) — for `img and cli`, a create whose image
 * does not match reads the image alone. The engine's field index already remembers recent values of
 * each field, one row each (./field-index.ts, `EventView.row`), so a result is remembered under the
 * number made of the rows of the fields its evaluation read (at most four), with that set of fields (a
 * *mask*; up to two per rule). Any later event with the same values in those fields walks the same way
 * to the same result: one Map lookup instead of an evaluation — the same image, parent, original file
 * name… whatever the command line, when the rule stops before reading it. A rule whose lookups mostly
 * miss sits out for a while, as the value memo does. A row names a value until that field's memo is
 * cleared (`EventView.rowGeneration` counts the clears): a mask whose field memo was cleared forgets
 * what it remembered. A field read without a row in this event (its memo sitting out on
 * high-cardinality values) means the result is not remembered.
 */
import type { EventView } from './event.js';
import type { CompiledRule } from './rule.js';

/** Results remembered per mask (cleared when full); also the window, in lookups, over which a rule's hit rate is judged. */
const PER_RULE = 512;
/** Rows are below 2^12 (the field memo's size), so four of them make an exact number below 2^48. */
const MAX_FIELDS = 4;
const ROW_BASE = 4096;
/** Masks (sets of fields read) remembered per rule: the walk that fails early, the one that reads on. */
const MASKS = 2;

/** The fields one evaluation read (slots, in the order read), their memo generations, and results by row number. */
interface Mask { slots: Int32Array; gens: Float64Array; results: Map<number, string[] | null>; hits: number }

export class RuleCache {
  /** Per rule number: its masks; null when the rule is not remembered (a keyword search, more than four fields). */
  private masks: Array<Mask[] | null> = [];
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
      this.masks.push(ok ? [] : null);
    }
    this.fields = [...read];
    this.lookups = new Uint16Array(rules.length);
    this.hits = new Uint16Array(rules.length);
    this.pause = new Uint32Array(rules.length);
  }

  /** Rule number `i` on the view: remembered, or evaluated (and remembered when every field it read has a row). */
  evaluate(i: number, r: CompiledRule, view: EventView): string[] | null {
    const masks = this.masks[i];
    if (masks === null || masks === undefined) return r.evaluate(view);
    if (this.pause[i]! > 0) { this.pause[i]!--; return r.evaluate(view); }
    if (++this.lookups[i]! === PER_RULE) {
      if (this.hits[i]! * 2 < PER_RULE) this.pause[i] = PER_RULE * 16;
      this.lookups[i] = 0; this.hits[i] = 0;
    }
    for (const m of masks) {
      const key = keyOf(m, view);
      if (key < 0) continue;
      const out = m.results.get(key);
      if (out !== undefined) { this.hits[i]!++; m.hits++; return out === null ? null : out.slice(); }
    }
    view.track();
    const out = r.evaluate(view);
    const read = view.untracked();
    if (read !== null && read.length <= MAX_FIELDS) this.remember(masks, read, view, out);
    return out === null ? null : out.slice();
  }

  /**
   * Stores `out` under the rows of the fields read, in the mask of those fields in that order (the same
   * walk reads them in the same order; added, or replacing the least used). Nothing when a field read
   * has no row in this event: such a walk cannot be remembered, and must not push out a mask that can.
   */
  private remember(masks: Mask[], read: readonly number[], view: EventView, out: string[] | null): void {
    for (const s of read) if (view.row(s) < 0) return;
    let m: Mask | undefined;
    for (const x of masks) if (sameSlots(x.slots, read)) { m = x; break; }
    if (m === undefined) {
      m = { slots: Int32Array.from(read), gens: new Float64Array(read.length).fill(-1), results: new Map(), hits: 0 };
      if (masks.length < MASKS) masks.push(m);
      else {
        let least = 0;
        for (let k = 1; k < masks.length; k++) if (masks[k]!.hits < masks[least]!.hits) least = k;
        masks[least] = m;
      }
    }
    const key = keyOf(m, view);
    if (m.results.size >= PER_RULE) m.results.clear();
    m.results.set(key, out);
  }
}

function sameSlots(a: Int32Array, b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The number made of the view's rows of the mask's fields; -1 when one has no row in this event. A
 * field whose memo was cleared since the mask last saw it empties the mask (its rows name other values now).
 */
function keyOf(m: Mask, view: EventView): number {
  let key = 0;
  const { slots, gens } = m;
  for (let k = 0; k < slots.length; k++) {
    const s = slots[k]!;
    const row = view.row(s);
    if (row < 0) return -1;
    const g = view.rowGeneration(s);
    if (g !== gens[k]) { gens[k] = g; m.results.clear(); }
    key = key * ROW_BASE + row;
  }
  return key;
}
