/**
 * The field literal index against a naive matcher written here: a literal is found exactly when the
 * lower-cased value contains it (`toLowerCase().includes`), for every mode the index has — probed at
 * every position (each literal keyed by its rarest gram, confirmed where the key puts it), sampled every m − 3 positions (all literals ≥ 16 characters), short
 * literals by first character — on ASCII and non-ASCII values (characters that change length or
 * lower-case to ASCII, such as `İ` and the Kelvin sign) — with and without the per-value memo, values
 * repeated so that the memo answers some.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../demo/prng.js';
import { EventView } from './event.js';
import { FieldIndex, GRAM, gramKey, type LiteralSink, type MemoEntry } from './field-index.js';

const ALPHABET = ['a', 'b', 'c', 'x', 'E', '.', '\\', ' ', '-', '/', 'İ', 'K', 'é', 'Ω', '😀', '0', '1', 'f'];

function collect(lits: string[]): LiteralSink & { got: Set<number>; next(): void } {
  const sink = {
    lits, stampLit: new Uint32Array(lits.length), epoch: 0, got: new Set<number>(),
    found(lid: number) { if (sink.got.has(lid)) throw new Error(`literal ${lid} reported twice`); sink.got.add(lid); },
    next() { sink.epoch++; sink.got = new Set(); },
  };
  return sink;
}

const view = new EventView({ eventId: 1, channel: null, provider: null, computer: null, fields: {} });
/** Per index: (memo generation, row) → the value it named (a row names one value until the memo is cleared). */
const rowValues = new WeakMap<FieldIndex, Map<string, string>>();

/** Every literal the index reports for `raw`, as the naive matcher would list them. */
function scanned(index: FieldIndex, lits: string[], sink: ReturnType<typeof collect>, raw: string): string[] {
  sink.next();
  view.reset({ eventId: 1, channel: null, provider: null, computer: null, fields: { F: raw } });
  index.scan(raw, () => raw.toLowerCase(), sink, view);
  const row = view.row(index.slot);
  if (row >= 0) {
    const key = `${view.rowGeneration(index.slot)} ${row}`;
    let named = rowValues.get(index);
    if (!named) rowValues.set(index, (named = new Map()));
    const before = named.get(key);
    if (before === undefined) named.set(key, raw);
    else expect(before, 'a remembered row names one value').toBe(raw);
  }
  return [...sink.got].map((id) => lits[id]!).sort();
}

const naive = (lits: string[], raw: string): string[] => lits.filter((l) => raw.toLowerCase().includes(l)).sort();

function randomCase(rnd: () => number, s: string): string {
  return [...s].map((c) => (rnd() < 0.5 ? c.toUpperCase() : c)).join('');
}

function check(lengths: [number, number], seed: number, memo = true): { stride: number; hits: number } {
  const rnd = mulberry32(seed);
  const word = (n: number): string => Array.from({ length: n }, () => ALPHABET[Math.floor(rnd() * ALPHABET.length)]!).join('');
  const lits = [...new Set(Array.from({ length: 60 }, () => word(lengths[0] + Math.floor(rnd() * (lengths[1] - lengths[0] + 1))).toLowerCase()))];
  // Gram counts over the literals, as the engine passes them: each literal is keyed by its rarest gram,
  // often not its first (the index then confirms a literal that starts before the key hit).
  const freq = new Map<number, number>();
  for (const l of lits) for (let i = 0; i + GRAM <= l.length; i++) freq.set(gramKey(l, i), (freq.get(gramKey(l, i)) ?? 0) + 1);
  const index = new FieldIndex('F', lits.map((_l, i) => i), lits, freq, memo);
  const sink = collect(lits);
  let hits = 0;
  const seen: string[] = [];
  for (let n = 0; n < 400; n++) {
    // Values built from literal pieces (in random case, at random offsets) and random filler.
    const parts: string[] = [];
    for (let k = Math.floor(rnd() * 5); k >= 0; k--) parts.push(rnd() < 0.5 ? randomCase(rnd, lits[Math.floor(rnd() * lits.length)]!) : word(Math.floor(rnd() * 12)));
    // Some values again (the per-value memo answers those), some ASCII only (scanned as written).
    const raw = seen.length > 0 && rnd() < 0.3 ? seen[Math.floor(rnd() * seen.length)]!
      : rnd() < 0.3 ? parts.join('').replace(/[^\x00-\x7f]/gu, 'q') : parts.join('');
    seen.push(raw);
    const want = naive(lits, raw);
    hits += want.length;
    expect(scanned(index, lits, sink, raw), JSON.stringify(raw)).toEqual(want);
  }
  return { stride: index.stride, hits };
}

describe('FieldIndex', () => {
  it('finds exactly the literals the lower-cased value contains: short and gram literals, every position', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = check([1, 9], seed, seed % 2 === 0);
      expect(r.stride).toBe(1);
      expect(r.hits).toBeGreaterThan(100);
    }
  });

  it('finds exactly the literals the lower-cased value contains: long literals, sampled positions', () => {
    for (let seed = 11; seed <= 15; seed++) {
      const r = check([16, 40], seed, seed % 2 === 0);
      expect(r.stride).toBeGreaterThan(1);
      expect(r.hits).toBeGreaterThan(100);
    }
  });

  it('finds a literal the value holds only once lower-cased (Kelvin sign → k, İ → i + dot)', () => {
    const lits = ['kelvin', 'xi\u0307y', 'k', 'abcdefghijklmnopqrstuvwxyz'];
    const index = new FieldIndex('F', [0, 1, 2, 3], lits, new Map());
    const sink = collect(lits);
    expect(scanned(index, lits, sink, '\u212Aelvin')).toEqual(['k', 'kelvin']);
    expect(scanned(index, lits, sink, 'XİY')).toEqual(['xi\u0307y']);
    const long = ['abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjih'];
    const sampled = new FieldIndex('F', [0, 1], long, new Map());
    expect(sampled.stride).toBe(16);
    const sink2 = collect(long);
    for (let pad = 0; pad < 40; pad++) {
      const raw = `${'é'.repeat(pad % 3)}${'-'.repeat(pad)}ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212A`;
      expect(scanned(sampled, long, sink2, raw)).toEqual(naive(long, raw));
    }
  });
});

describe('FieldIndex entry guesses (the engine guesses a field\'s entry from the image\'s)', () => {
  it('uses a guess only for the same value in the same memo generation; a stale or wrong guess is looked up', () => {
    const lits = ['evil', 'cmd.exe'];
    const index = new FieldIndex('F', [0, 1], lits, new Map());
    const sink = collect(lits);
    const scanWith = (raw: string, guess: MemoEntry | null = null): { entry: MemoEntry | null; found: string[]; row: number; gen: number } => {
      sink.next();
      view.reset({ eventId: 1, channel: null, provider: null, computer: null, fields: { F: raw } });
      const entry = index.scan(raw, () => raw.toLowerCase(), sink, view, guess);
      return { entry, found: [...sink.got].map((id) => lits[id]!).sort(), row: view.row(index.slot), gen: view.rowGeneration(index.slot) };
    };
    const v = scanWith('C:\\x\\CMD.EXE /c evil');
    expect(v.found).toEqual(['cmd.exe', 'evil']);
    expect(v.row).toBe(0);
    // A guess for another value is not used: that value's own literals and row.
    const other = scanWith('notepad.exe', v.entry!);
    expect(other.found).toEqual([]);
    expect(other.entry).not.toBe(v.entry);
    expect(other.row).toBe(1);
    // The right guess is used as it is.
    const again = scanWith('C:\\x\\CMD.EXE /c evil', v.entry!);
    expect(again.entry).toBe(v.entry);
    expect(again.row).toBe(0);
    // Fill the memo until it clears; the first new value after the clear takes row 0.
    for (let i = 0; scanWith(`value ${i}`).gen === v.gen; i++);
    const w = scanWith('w.exe');
    expect(w.row).toBeGreaterThan(0);
    const taken = w.row;
    // The old entry's value comes back with the old entry as the guess: it is stale (its row now names
    // another value), so the value is looked up and remembered anew.
    const back = scanWith('C:\\x\\CMD.EXE /c evil', v.entry!);
    expect(back.found).toEqual(['cmd.exe', 'evil']);
    expect(back.entry).not.toBe(v.entry);
    expect(back.row).not.toBe(0);
    expect(back.row).not.toBe(taken);
  });
});
