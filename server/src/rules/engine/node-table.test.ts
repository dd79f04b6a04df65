/**
 * The compact node table (node-table.ts, guid-key.ts): GUID words round-trip exactly, other id shapes are kept
 * as text, and the open-addressing table agrees with a plain Map through inserts and removals in any
 * order (backward-shift deletion is where such tables break: a removal must not hide a later entry).
 */
import { describe, expect, it } from 'vitest';
import { formatGuid, parseGuid, words } from './guid-key.js';
import { KEY_OK, KEY_UNKNOWN, KEY_ZERO, NodeStore } from './node-table.js';

describe('GUID words', () => {
  it('parse and format round-trip the canonical spelling', () => {
    for (const g of ['{5770385f-c22a-43e0-bf4c-06f5698ffbd9}', '{00000000-0000-0000-0000-000000000001}', '{ffffffff-ffff-ffff-ffff-ffffffffffff}']) {
      expect(parseGuid(g)).toBe(true);
      expect(formatGuid(words[0]!, words[1]!, words[2]!, words[3]!)).toBe(g);
    }
  });

  it('rejects other spellings (they are keyed as text, so identity stays the exact string)', () => {
    for (const g of ['{5770385F-C22A-43E0-BF4C-06F5698FFBD9}', '5770385f-c22a-43e0-bf4c-06f5698ffbd9', '{5770385f-c22a-43e0-bf4c-06f5698ffbdg}', 'A', '', '{5770385f+c22a-43e0-bf4c-06f5698ffbd9}', '{5770385f-c22a-43e0-bf4c-06f5698ffbd\u0130}']) {
      expect(parseGuid(g), g).toBe(false);
    }
  });
});

describe('NodeStore', () => {
  it('keys by host and id: the same GUID on two hosts is two slots, the zero GUID means no parent', () => {
    const st = new NodeStore();
    const g = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
    const h1 = st.hostId('host1');
    const h2 = st.hostId('host2');
    st.prepare(h1, g, true);
    expect(st.find()).toBe(-1);
    const a = st.insert();
    st.prepare(h2, g, true);
    expect(st.find()).toBe(-1);
    const b = st.insert();
    expect(a).not.toBe(b);
    st.prepare(h1, g, false);
    expect(st.find()).toBe(a);
    expect(st.guidString(b)).toBe(g);
    expect(st.host(b)).toBe('host2');
    expect(st.prepare(h1, '{00000000-0000-0000-0000-000000000000}', true)).toBe(KEY_ZERO);
    expect(st.prepare(h1, '00000000-0000-0000-0000-000000000000', true)).toBe(KEY_ZERO);
    // …unless a record claims it as its own id.
    expect(st.prepare(h1, '{00000000-0000-0000-0000-000000000000}', true, true)).toBe(KEY_OK);
    expect(st.prepare(h1, 'never-seen', false)).toBe(KEY_UNKNOWN);
  });

  it('agrees with a Map through 60k random inserts and removals (canonical and text ids, table growth)', () => {
    const st = new NodeStore(16);
    const model = new Map<string, number>();
    let seed = 7;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const hosts = ['a', 'b', 'c'].map((h) => st.hostId(h));
    // A small id space, so the same keys are inserted, removed and inserted again.
    const idOf = (i: number) => (i % 3 === 0 ? `T${i}` : `{${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-0000-0000-0000-${i.toString(16).padStart(12, '0')}}`);
    const wrong: string[] = [];
    for (let step = 0; step < 60_000; step++) {
      const host = hosts[Math.floor(rnd() * 3)]!;
      const id = idOf(Math.floor(rnd() * 3000));
      const key = `${host}/${id}`;
      st.prepare(host, id, true);
      const s = st.find();
      if (s !== (model.get(key) ?? -1)) wrong.push(`step ${step}: ${key} found ${s}, expected ${model.get(key) ?? -1}`);
      if (s < 0) model.set(key, st.insert());
      else if (rnd() < 0.7) { st.remove(s); model.delete(key); }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(st.count).toBe(model.size);
    for (const [key, s] of model) {
      const [host, id] = [Number(key.slice(0, key.indexOf('/'))), key.slice(key.indexOf('/') + 1)];
      expect(st.prepare(host, id, false)).toBe(KEY_OK);
      expect(st.find()).toBe(s);
      expect(st.guidString(s)).toBe(id);
    }
  });

  it('tags tell a freed and reused slot from its old occupant', () => {
    const st = new NodeStore();
    const h = st.hostId('h');
    st.prepare(h, 'X', true);
    st.find();
    const s = st.insert();
    const tag = st.tag(s);
    expect(st.untag(tag)).toBe(s);
    st.remove(s);
    st.prepare(h, 'Y', true);
    st.find();
    expect(st.insert()).toBe(s);
    expect(st.untag(tag)).toBe(-1);
  });

  it('interns an image once per name seen with it', () => {
    const st = new NodeStore();
    const a = st.internImage('C:\\Windows\\System32\\CMD.EXE', 'cmd.exe');
    expect(st.internImage('C:\\Windows\\System32\\CMD.EXE', null)).toBe(a);
    expect(st.nameStr[st.imageName[a]!]).toBe('cmd.exe');
    // A source naming the same path differently gets its own entry (image-keyed caches stay exact).
    const b = st.internImage('C:\\Windows\\System32\\CMD.EXE', 'other.exe');
    expect(b).not.toBe(a);
    expect(st.imageStr[b]).toBe('C:\\Windows\\System32\\CMD.EXE');
    expect(st.nameStr[st.imageName[b]!]).toBe('other.exe');
  });
});
