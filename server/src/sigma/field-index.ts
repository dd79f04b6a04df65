/**
 * The literal index of one event field (the engine's prefilter, ./engine.ts): every lower-case literal
 * the rules' clauses look for in this field, found in one pass over the field's value.
 *
 * - Literals of 4+ characters are keyed by a 4-character gram (a small integer, 7 bits a character,
 *   rolled with one `charCodeAt` per position) behind a 64 Ki presence bitmap; each key records the
 *   gram's offset in its literal, so a key hit is confirmed where the literal must stand.
 * - When every literal of the field has m ≥ 16 characters, the value is probed only every s = m − 3
 *   positions, each literal indexed by s consecutive grams (its rarest such window): any occurrence
 *   spans s consecutive gram ends, so one probe lands on one of them — e.g. `Hashes`, whose literals
 *   are whole hashes (confirmed with `includes`). Otherwise every position is probed and each literal
 *   is keyed by its rarest gram among all rules' literals.
 * - Literals of 1–3 characters are looked up by their first character (a bitmap by character code).
 *
 * Probed at every position, an ASCII value is scanned and compared as written, folded per character
 * (no lower-cased copy); a value with another character is lower-cased first (its length may change).
 * Sampled fields are always read lower-cased.
 *
 * The literals found in a value are remembered for the next 4,096 distinct values (./memo.ts): a
 * repeated value — the same image, parent, hash, command line — costs one Map lookup, or none when the
 * engine's guess from the image's entry is right (`scan`'s `guess`).
 */
import { fieldSlot, type EventView } from './event.js';
import { ValueMemo } from './memo.js';

export const GRAM = 4;
const MASK = 0x0fffffff;
/** Fields whose literals all have at least this many characters are probed every (min − 3) positions. */
const SAMPLED_MIN = 16;
/** Values remembered per field. */
const MEMO_SIZE = 4096;

/** A small-integer key of the 4 characters at i (exact for ASCII; other text may collide, checked after). */
export const gramKey = (s: string, i: number): number =>
  ((((((s.charCodeAt(i) << 7) ^ s.charCodeAt(i + 1)) << 7) ^ s.charCodeAt(i + 2)) << 7) ^ s.charCodeAt(i + 3)) & MASK;

/** Slot in the 64 Ki presence bitmap: most positions are ruled out without a Map lookup. */
const slot = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 16;

/** ASCII letter folding of one character code; -1 for a non-ASCII character. */
const fold = (c: number): number => (c >= 0x80 ? -1 : c >= 65 && c <= 90 ? c + 32 : c);

/**
 * A remembered value of a field: the literals found in it, its row in the memo (valid while the memo's
 * clear count is `gen`), the value itself, and — on the engine's anchor field (the image) — the entry
 * each other field had beside it last time (`next`, by the bucket's field number).
 */
export interface MemoEntry { ids: number[]; row: number; value: string; gen: number; next: Array<MemoEntry | null> | null }

/** What a scan reports to: literal texts by id, a per-event stamp per literal, and the found callback. */
export interface LiteralSink {
  readonly lits: string[];
  readonly stampLit: Uint32Array;
  readonly epoch: number;
  found(lid: number): void;
}

export class FieldIndex {
  private present = new Uint8Array(65536);
  private grams = new Map<number, number[]>();
  private firsts: Uint8Array | null = null;
  private short = new Map<number, number[]>();
  /** Probe every `stride` positions (1: every position). */
  readonly stride: number;
  /** The field's slot in event views (`fieldSlot`). */
  readonly slot: number;
  /** Recent values → the literals found in them, and the value's row in the memo (./memo.ts); null when off. */
  private memo: ValueMemo<MemoEntry> | null;
  private recorder = new Recorder();
  /** No literal: the index only remembers values (their rows, for the rule results). */
  private readonly empty: boolean;

  /** `ids`: the field's literal ids (texts in `lits`); `freq`: gram → how many literals of all rules have it. */
  constructor(readonly field: string, ids: number[], lits: string[], freq: ReadonlyMap<number, number>, memo = true) {
    this.memo = memo ? new ValueMemo(MEMO_SIZE) : null;
    this.slot = fieldSlot(field);
    this.empty = ids.length === 0;
    const min = Math.min(...ids.map((id) => lits[id]!.length));
    this.stride = !this.empty && min >= SAMPLED_MIN ? min - GRAM + 1 : 1;
    for (const id of ids) {
      const lit = lits[id]!;
      if (lit.length < GRAM) {
        const c = lit.charCodeAt(0);
        push(this.short, c, id);
        (this.firsts ??= new Uint8Array(65536))[c] = 1;
      } else if (this.stride > 1) {
        // Any `stride` consecutive gram offsets catch every occurrence: the window of the rarest grams.
        let best = 0; let bestF = Infinity;
        for (let at = 0; at + this.stride + GRAM - 1 <= lit.length; at++) {
          let f = 0;
          for (let i = at; i < at + this.stride; i++) f += freq.get(gramKey(lit, i)) ?? 0;
          if (f < bestF) { bestF = f; best = at; }
        }
        for (let i = best; i < best + this.stride; i++) this.key(gramKey(lit, i), id, i);
      } else {
        let best = 0; let bestF = Infinity;
        for (let i = 0; i + GRAM <= lit.length; i++) { const f = freq.get(gramKey(lit, i)) ?? 0; if (f < bestF) { bestF = f; best = i; } }
        this.key(gramKey(lit, best), id, best);
      }
    }
  }

  /** Keys literal `id` by the gram at offset `at` in it: `grams` lists (literal, offset) pairs, flat. */
  private key(k: number, id: number, at: number): void {
    const list = this.grams.get(k);
    if (list === undefined) this.grams.set(k, [id, at]);
    else {
      for (let j = 0; j < list.length; j += 2) if (list[j] === id && list[j + 1] === at) return;
      list.push(id, at);
    }
    this.present[slot(k)] = 1;
  }

  /**
   * Reports every literal of this field that occurs in `raw` (the value as written); `lower` gives the
   * lower-cased value (cached by the caller). A remembered value's row is set on the view
   * (`EventView.setRow`: the engine's rule results are remembered by rows, ./rule-cache.ts).
   *
   * `guess`: the entry this field had the last time the engine saw the event's image (./engine.ts) —
   * the same binary brings the same original file name, description, hashes…; when it is still this
   * memo's (same generation) and its value equals `raw`, it is used without hashing `raw` for a Map
   * lookup. Returns the entry used (null: the memo is off or sitting out).
   */
  scan(raw: string, lower: () => string, sink: LiteralSink, view: EventView, guess: MemoEntry | null = null): MemoEntry | null {
    const memo = this.memo;
    if (memo === null || !memo.active()) { this.search(raw, lower, sink); return null; }
    let known: MemoEntry | undefined;
    if (guess !== null && guess.gen === memo.clears && guess.value === raw) { known = guess; memo.hit(); }
    else known = memo.get(raw);
    if (known !== undefined) {
      // This field's literals are stamped by this field alone: none is stamped yet in this event.
      for (const lid of known.ids) { sink.stampLit[lid] = sink.epoch; sink.found(lid); }
    } else {
      const rec = this.recorder.start(sink);
      this.search(raw, lower, rec);
      known = { ids: rec.ids.slice(), row: 0, value: raw, gen: 0, next: null };
      memo.set(raw, known);
      known.row = memo.held - 1;
      known.gen = memo.clears;
    }
    view.setRow(this.slot, known.row, memo.clears);
    return known;
  }

  private search(raw: string, lower: () => string, sink: LiteralSink): void {
    if (this.empty) return;
    if (this.stride > 1) this.sampled(lower(), sink);
    else if (!this.every(raw, true, sink)) this.every(lower(), false, sink);
  }

  /** A key hit (sampled): its literals not yet tried this event are confirmed on the lower-cased value. */
  private hit(list: number[], low: string, sink: LiteralSink): void {
    const { stampLit, lits, epoch } = sink;
    for (let j = 0; j < list.length; j += 2) {
      const lid = list[j]!;
      if (stampLit[lid] !== epoch) { stampLit[lid] = epoch; if (low.includes(lits[lid]!)) sink.found(lid); }
    }
  }

  /**
   * Every position (false: stopped at a non-ASCII character of a raw value). A key hit is confirmed
   * where it stands: the literal is compared at the position its keyed gram puts it (folding each
   * character of a raw value) — no lower-cased copy, no search of the whole value. A literal is
   * stamped once found; one that is not there is tried again at its next key hit.
   */
  private every(v: string, ascii: boolean, sink: LiteralSink): boolean {
    const { present, grams, firsts } = this;
    const hasGrams = grams.size > 0;
    const { stampLit, lits } = sink;
    const epoch = sink.epoch;
    let k = 0;
    for (let i = 0; i < v.length; i++) {
      let c = v.charCodeAt(i);
      if (ascii) { c = fold(c); if (c < 0) return false; }
      if (firsts !== null && firsts[c] === 1) {
        for (const lid of this.short.get(c)!) if (stampLit[lid] !== epoch && at(v, i, lits[lid]!, ascii)) { stampLit[lid] = epoch; sink.found(lid); }
      }
      k = ((k << 7) ^ c) & MASK;
      if (!hasGrams || i < GRAM - 1 || present[slot(k)] === 0) continue;
      const list = grams.get(k);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j += 2) {
        const lid = list[j]!;
        const p = i - (GRAM - 1) - list[j + 1]!;
        if (p >= 0 && stampLit[lid] !== epoch && at(v, p, lits[lid]!, ascii)) { stampLit[lid] = epoch; sink.found(lid); }
      }
    }
    return true;
  }

  /**
   * Every `stride`-th gram end of the lower-cased value (not the raw one: a non-ASCII character
   * anywhere may lower-case to ASCII, e.g. the Kelvin sign, and only probed positions are read).
   */
  private sampled(low: string, sink: LiteralSink): void {
    const { present, grams, stride } = this;
    for (let i = GRAM - 1; i < low.length; i += stride) {
      const k = gramKey(low, i - GRAM + 1);
      if (present[slot(k)] === 0) continue;
      const list = grams.get(k);
      if (list !== undefined) this.hit(list, low, sink);
    }
  }
}

/** A sink that passes literals on and records their ids (what the memo keeps for a value). */
class Recorder implements LiteralSink {
  lits: string[] = [];
  stampLit: Uint32Array = new Uint32Array(0);
  epoch = 0;
  readonly ids: number[] = [];
  private sink: LiteralSink | null = null;
  start(sink: LiteralSink): this {
    this.sink = sink; this.lits = sink.lits; this.stampLit = sink.stampLit; this.epoch = sink.epoch;
    this.ids.length = 0;
    return this;
  }

  found(lid: number): void { this.ids.push(lid); this.sink!.found(lid); }
}

/**
 * Whether the lower-case literal `lit` stands at `p` in `v`: a raw value folded character by character
 * (`ascii`: a non-ASCII character there does not match — the caller rescans the value lower-cased), or
 * an already lower-cased value as it is.
 */
function at(v: string, p: number, lit: string, ascii: boolean): boolean {
  if (p + lit.length > v.length) return false;
  if (!ascii) return v.startsWith(lit, p);
  for (let j = 0; j < lit.length; j++) if (fold(v.charCodeAt(p + j)) !== lit.charCodeAt(j)) return false;
  return true;
}

function push(m: Map<number, number[]>, k: number, id: number): void {
  const list = m.get(k);
  if (list) list.push(id); else m.set(k, [id]);
}
