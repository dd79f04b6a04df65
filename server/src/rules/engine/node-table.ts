/**
 * The engine's node table in the compact layout of docs/rules.md §3.1: nodes are 64-byte slots in one typed
 * array, keyed by (host id, GUID as 4 words) through open addressing in an Int32Array; host names, image
 * paths and image names are interned to small ints. A node is a 64-byte slot plus 8-byte table pairs at
 * ≤ 50 % load (~140 B/node measured with capacity slack) and no JS object, so adding a process-create
 * allocates nothing (placeholders aside) and the heap stays small for the GC.
 * What most nodes never need lives off the hot arrays: `cold` (placeholder knowledge, waiters, fired rules,
 * text ids) and `cols` (raw field values, kept only for nodes some predicate can read them on).
 */
import { formatGuid, hashKey, parseGuid, words } from './guid-key.js';
import { baseName } from '../language/match.js';

/** Slot flags. */
export const F_USED = 1;
/** A placeholder: a parent known only from its children's Parent* fields. */
export const F_PH = 2;
/** Queued for verification at the next drain. */
export const F_DIRTY = 4;
/** Creation time not in the canonical ISO form: the original string is in `cold`. */
export const F_TIMETEXT = 8;
/** `cold[s].fired` is set. */
export const F_FIRED = 16;
/** The node is in the `waiters` of its nearest placeholder ancestor (so re-registering is skipped). */
export const F_WAITS = 32;

/** No placeholder above (phd). */
export const PHD_NONE = 0xffff;

/** Per-slot data few nodes need. */
export interface Cold {
  /** Placeholder knowledge from the first child's Parent* fields. */
  phCmd: string;
  phUser: string;
  phPid: number | null;
  /** Candidate leaves (gen-tagged slots, see `tag`; each live one once) re-verified when this placeholder fills. */
  waiters: number[] | null;
  /** Rule indexes already fired with this node as the leaf. */
  fired: Set<number> | null;
  /** The creation time as written, when not canonical ISO (F_TIMETEXT). */
  time: string | null;
}

/** Result of `prepare`. */
export const KEY_OK = 1;
/** A text id never seen (a lookup cannot succeed). */
export const KEY_UNKNOWN = 0;
/** The all-zero GUID: "no parent". */
export const KEY_ZERO = -1;

const ZERO_TEXT = /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/;  // digits only: case does not matter

/** Node record layout: 16 int32 (64 bytes, one cache line) per slot; the two times are float64 at 12 and 14. */
export const STRIDE = 16;
const KH = 0; const K0 = 1; const K1 = 2; const K2 = 3; const K3 = 4;
/** flags (low 8 bits) | phd << 8 */
const FL = 5;
const PAR = 6; const IMG = 7; const KIDS = 8; const GEN = 9; const UP0 = 10; const UP1 = 11;
/** Float64 indexes (slot * 8 + …). */
const START = 6; const SEEN = 7;

export class NodeStore {
  cap = 0;
  /** Slots in [0, top) have been used; free ones are on `freeList`. */
  top = 0;
  count = 0;
  private freeList: number[] = [];
  /**
   * All slots, array-of-structs: a create touches one line per node it looks at instead of one per field
   * (struct-of-arrays measured slower here: random access, ~12 fields per add).
   */
  private n = new Int32Array(0);
  private f = new Float64Array(0);
  cold: (Cold | undefined)[] = [];
  /** Kept raw field values by field name, indexed by slot. */
  readonly cols = new Map<string, (string | undefined)[]>();
  /** The same columns as a list (freeing a slot clears them without a Map iterator). */
  private readonly colList: (string | undefined)[][] = [];

  /** Open addressing: pairs (slot + 1, hash); 0 = empty. */
  private table = new Int32Array(2048);
  private mask = 1023;

  private readonly hosts = new Map<string, number>();
  readonly hostNames: string[] = [];
  private lastHost = '';
  private lastHostId = -1;
  private readonly images = new Map<string, number>();
  private readonly icKey: string[] = new Array<string>(1024).fill('\u0001');
  private readonly icId = new Int32Array(1024);
  private readonly hcKey: string[] = new Array<string>(16384).fill('\u0001');
  private readonly hcId = new Int32Array(16384);
  readonly imageStr: string[] = [];
  /** Name id of each image. */
  readonly imageName: number[] = [];
  /** The source's `name` string last seen with the image (a cheap equality check instead of lowercasing). */
  private readonly imageRaw: (string | null)[] = [];
  private readonly names = new Map<string, number>();
  readonly nameStr: string[] = [];
  private readonly texts = new Map<string, number>();
  private readonly textStr: string[] = [];
  private readonly textRefs: number[] = [];
  private readonly textFree: number[] = [];
  /** Called after a new image is interned (caches indexed by image id grow). */
  onImage: ((id: number) => void) | null = null;

  // The prepared key (prepare → find → insert).
  private pkh = 0; private p0 = 0; private p1 = 0; private p2 = 0; private p3 = 0; private ph = 0; private pidx = 0;

  constructor(initialCap = 1024) { this.grow(initialCap); }

  /** Interned host id. */
  hostId(host: string): number {
    if (host === this.lastHost && this.lastHostId >= 0) return this.lastHostId;
    let id = this.hosts.get(host);
    if (id === undefined) { id = this.hostNames.length; this.hosts.set(host, id); this.hostNames.push(host); }
    this.lastHost = host;
    this.lastHostId = id;
    return id;
  }

  /**
   * Prepare the key of a record's own id and return its host id. The host goes through a cache keyed by
   * the GUID's first group, which Sysmon derives from the machine (verified by string compare, so any
   * other id shape or a shared prefix only costs the Map lookup).
   */
  prepareOwn(host: string, id: string): number {
    const canonical = parseGuid(id);
    // Multiplicative mix: machine-derived first groups differ in few bits (xor-folding them collided ~15 %).
    const k = canonical ? Math.imul(words[0]!, 0x9e3779b1) >>> 18 : host.length & 16383;
    let h: number;
    if (this.hcKey[k] === host) h = this.hcId[k]!;
    else { h = this.hostId(host); this.hcKey[k] = this.hostNames[h]!; this.hcId[k] = h; }
    if (canonical && (words[0]! | words[1]! | words[2]! | words[3]!) !== 0) {
      this.pkh = h << 1; this.p0 = words[0]!; this.p1 = words[1]!; this.p2 = words[2]!; this.p3 = words[3]!;
      this.ph = hashKey(this.pkh, this.p0, this.p1, this.p2, this.p3);
    } else this.prepare(h, id, true, true);
    return h;
  }

  /** Host id if known, else -1 (lookups that must not intern). */
  knownHost(host: string): number { return this.hosts.get(host) ?? -1; }

  /** Interned name id of a lowercase basename. */
  nameId(name: string): number {
    let id = this.names.get(name);
    if (id === undefined) { id = this.nameStr.length; this.names.set(name, id); this.nameStr.push(name); }
    return id;
  }

  /** Name id if interned, else -1. */
  knownName(name: string): number { return this.names.get(name) ?? -1; }

  /**
   * Image id of a path; `rawName` is the source's basename (null: derive it). An image seen with a name
   * that is not its lowercase basename gets its own entry, so image-keyed caches stay exact.
   */
  internImage(image: string, rawName: string | null): number {
    // Direct-mapped cache in front of the Map: a few char reads and one string compare instead of hashing
    // the whole fresh path (records from a source never share string objects).
    const len = image.length;
    const k = len < 8 ? len : (len * 31 + image.charCodeAt(len - 5) * 7 + image.charCodeAt(len - 6) * 131
      + image.charCodeAt(len - 7) * 17 + image.charCodeAt(len >> 1) * 3) & 1023;
    let id: number | undefined;
    if (this.icKey[k] === image) id = this.icId[k]!;
    else {
      id = this.images.get(image);
      if (id !== undefined) { this.icKey[k] = image; this.icId[k] = id; }
    }
    if (id !== undefined) {
      const raw = this.imageRaw[id];
      if (rawName === null || rawName === raw || rawName === '') return id;
      const lower = rawName.toLowerCase();
      if (lower === this.nameStr[this.imageName[id]!]) { this.imageRaw[id] = rawName; return id; }
      return this.internImage(`${image}\u0000${lower}`, null);
    }
    const zero = image.indexOf('\u0000');
    const path = zero >= 0 ? image.slice(0, zero) : image;
    const name = zero >= 0 ? image.slice(zero + 1) : rawName ? rawName.toLowerCase() : baseName(path);
    id = this.imageStr.length;
    this.images.set(image, id);
    this.imageStr.push(path);
    this.imageName.push(this.nameId(name));
    this.imageRaw.push(rawName || null);
    this.onImage?.(id);
    return id;
  }

  /**
   * Prepare the key (host, id) for find/insert. `create`: allocate a text id for an unseen non-canonical
   * id (the caller will insert); `zeroIsKey`: the zero GUID is an id here, not "no parent".
   * Returns KEY_OK, KEY_UNKNOWN (unseen text id, not created) or KEY_ZERO.
   */
  prepare(host: number, id: string, create: boolean, zeroIsKey = false): number {
    const canonical = parseGuid(id);
    const zero = canonical ? (words[0]! | words[1]! | words[2]! | words[3]!) === 0
      : (id.charCodeAt(0) === 48 || id.charCodeAt(1) === 48) && ZERO_TEXT.test(id);
    if (zero && !zeroIsKey) return KEY_ZERO;
    if (canonical && !zero) {
      this.pkh = host << 1; this.p0 = words[0]!; this.p1 = words[1]!; this.p2 = words[2]!; this.p3 = words[3]!;
    } else {
      // Text key (also the zero GUID when a record claims it as its own id: never confused with "no parent").
      let t = this.texts.get(id);
      if (t === undefined) {
        if (!create) return KEY_UNKNOWN;
        t = this.textFree.pop() ?? this.textStr.length;
        this.texts.set(id, t);
        this.textStr[t] = id;
        this.textRefs[t] = 0;
      }
      this.pkh = (host << 1) | 1; this.p0 = t; this.p1 = 0; this.p2 = 0; this.p3 = 0;
    }
    this.ph = hashKey(this.pkh, this.p0, this.p1, this.p2, this.p3);
    return KEY_OK;
  }

  /** True when the prepared key equals slot s's key. */
  sameKey(s: number): boolean {
    const n = this.n;
    const o = s * STRIDE;
    return n[o + K3] === this.p3 && n[o + K0] === this.p0 && n[o + K1] === this.p1 && n[o + K2] === this.p2 && n[o + KH] === this.pkh;
  }

  /** Slot of the prepared key, or -1 (then `insert` uses the probe position found). */
  find(): number {
    const t = this.table;
    const m = this.mask;
    const h = this.ph;
    let i = h & m;
    for (;;) {
      const e = t[2 * i]!;
      if (e === 0) { this.pidx = i; return -1; }
      if (t[2 * i + 1] === h && this.sameKey(e - 1)) return e - 1;
      i = (i + 1) & m;
    }
  }

  /**
   * Insert the prepared key (after a `find` that returned -1) as a fresh real node with no parent;
   * the caller sets the rest.
   */
  insert(): number {
    if ((this.count + 1) * 2 > this.mask + 1) { this.rehash((this.mask + 1) * 2); this.find(); }
    let s: number;
    if (this.freeList.length > 0) s = this.freeList.pop()!;
    else { if (this.top === this.cap) this.grow(this.cap * 2); s = this.top++; }
    const n = this.n;
    const o = s * STRIDE;
    n[o + KH] = this.pkh; n[o + K0] = this.p0; n[o + K1] = this.p1; n[o + K2] = this.p2; n[o + K3] = this.p3;
    n[o + FL] = F_USED | (PHD_NONE << 8);
    n[o + PAR] = -1;
    n[o + KIDS] = 0;
    n[o + UP0] = 0;
    n[o + UP1] = 0;
    if (this.pkh & 1) this.textRefs[this.p0]!++;
    this.count++;
    this.table[2 * this.pidx] = s + 1;
    this.table[2 * this.pidx + 1] = this.ph;
    return s;
  }

  /** Free slot s (the caller has unlinked it: no children point at it). */
  remove(s: number): void {
    const t = this.table;
    const m = this.mask;
    let i = this.slotHash(s) & m;
    while (t[2 * i] !== s + 1) i = (i + 1) & m;
    // Backward-shift deletion keeps linear probing tombstone-free.
    let j = i;
    for (;;) {
      j = (j + 1) & m;
      const e = t[2 * j]!;
      if (e === 0) break;
      const home = t[2 * j + 1]! & m;
      if (j > i ? home <= i || home > j : home <= i && home > j) { t[2 * i] = e; t[2 * i + 1] = t[2 * j + 1]!; i = j; }
    }
    t[2 * i] = 0;
    const n = this.n;
    const o = s * STRIDE;
    if (n[o + KH]! & 1) {
      const id = n[o + K0]!;
      if (--this.textRefs[id]! === 0) { this.texts.delete(this.textStr[id]!); this.textStr[id] = ''; this.textFree.push(id); }
    }
    n[o + FL] = 0;
    n[o + GEN]!++;
    this.cold[s] = undefined;
    const cols = this.colList;
    for (let i = 0; i < cols.length; i++) cols[i]![s] = undefined;
    this.count--;
    this.freeList.push(s);
  }

  private slotHash(s: number): number {
    const n = this.n;
    const o = s * STRIDE;
    return hashKey(n[o + KH]!, n[o + K0]!, n[o + K1]!, n[o + K2]!, n[o + K3]!);
  }

  // Field access (small methods: inlined by the JIT).
  flags(s: number): number { return this.n[s * STRIDE + FL]! & 0xff; }
  setFlags(s: number, f: number): void { const o = s * STRIDE + FL; this.n[o] = (this.n[o]! & ~0xff) | f; }
  isPh(s: number): boolean { return (this.n[s * STRIDE + FL]! & F_PH) !== 0; }
  /** Generations up to the nearest placeholder ancestor when linked (0 for a placeholder, PHD_NONE: none). */
  phd(s: number): number { return this.n[s * STRIDE + FL]! >>> 8; }
  setPhd(s: number, d: number): void { const o = s * STRIDE + FL; this.n[o] = (this.n[o]! & 0xff) | (d << 8); }
  /** Parent slot or -1. A node with children is never freed (`kids`), so a parent slot stays valid. */
  parent(s: number): number { return this.n[s * STRIDE + PAR]!; }
  setParent(s: number, p: number): void { this.n[s * STRIDE + PAR] = p; }
  imageId(s: number): number { return this.n[s * STRIDE + IMG]!; }
  setImage(s: number, img: number): void { this.n[s * STRIDE + IMG] = img; }
  /** Children that point at this slot (eviction frees leaves first). */
  kids(s: number): number { return this.n[s * STRIDE + KIDS]!; }
  addKid(s: number, d: number): void { const o = s * STRIDE + KIDS; this.n[o] = this.n[o]! + d; }
  /** OR of the ancestry name bits of every ancestor, as linked at add (two words: 62 names get own bits). */
  up0(s: number): number { return this.n[s * STRIDE + UP0]!; }
  up1(s: number): number { return this.n[s * STRIDE + UP1]!; }
  setUp(s: number, u0: number, u1: number): void { const o = s * STRIDE; this.n[o + UP0] = u0; this.n[o + UP1] = u1; }
  /** Creation time (NaN for placeholders) and latest activity of the node or a descendant (retention). */
  startMs(s: number): number { return this.f[s * 8 + START]!; }
  setStartMs(s: number, t: number): void { this.f[s * 8 + START] = t; }
  seen(s: number): number { return this.f[s * 8 + SEEN]!; }
  setSeen(s: number, t: number): void { this.f[s * 8 + SEEN] = t; }

  /** The id string of slot s (rebuilt from the words for canonical GUIDs). */
  guidString(s: number): string {
    const n = this.n;
    const o = s * STRIDE;
    if (n[o + KH]! & 1) return this.textStr[n[o + K0]!]!;
    return formatGuid(n[o + K0]!, n[o + K1]!, n[o + K2]!, n[o + K3]!);
  }

  host(s: number): string { return this.hostNames[this.n[s * STRIDE + KH]! >> 1]!; }
  imagePath(s: number): string { return this.imageStr[this.imageId(s)]!; }
  nameOf(s: number): string { return this.nameStr[this.imageName[this.imageId(s)]!]!; }
  /** Name id of the node's image. */
  nameIdOf(s: number): number { return this.imageName[this.imageId(s)]!; }

  /** Creation time as written ('' for placeholders). */
  timeString(s: number): string {
    const f = this.flags(s);
    if (f & F_PH) return '';
    if (f & F_TIMETEXT) return this.cold[s]!.time!;
    return new Date(this.startMs(s)).toISOString();
  }

  coldOf(s: number): Cold {
    let c = this.cold[s];
    if (c === undefined) { c = { phCmd: '', phUser: '', phPid: null, waiters: null, fired: null, time: null }; this.cold[s] = c; }
    return c;
  }

  /** A gen-tagged reference to slot s (stays distinguishable after the slot is reused). */
  tag(s: number): number { return this.n[s * STRIDE + GEN]! * 0x8000000 + s; }
  /** Slot of a tag, or -1 when its node has been freed since. */
  untag(t: number): number {
    const s = t % 0x8000000;
    return (t - s) / 0x8000000 === this.n[s * STRIDE + GEN] ? s : -1;
  }

  /** The column for a kept field (created on first use). */
  col(field: string): (string | undefined)[] {
    let c = this.cols.get(field);
    if (!c) { c = new Array<string | undefined>(this.cap).fill(undefined); this.cols.set(field, c); this.colList.push(c); }
    return c;
  }

  private grow(cap: number): void {
    const buf = new ArrayBuffer(cap * STRIDE * 4);
    const n = new Int32Array(buf);
    n.set(this.n);
    this.n = n;
    this.f = new Float64Array(buf);
    for (let i = this.cap; i < cap; i++) this.cold.push(undefined);
    for (const c of this.colList) for (let i = this.cap; i < cap; i++) c.push(undefined);
    this.cap = cap;
  }

  private rehash(size: number): void {
    const t = new Int32Array(2 * size);
    const m = size - 1;
    for (let s = 0; s < this.top; s++) {
      if (!(this.flags(s) & F_USED)) continue;
      const h = this.slotHash(s);
      let i = h & m;
      while (t[2 * i] !== 0) i = (i + 1) & m;
      t[2 * i] = s + 1;
      t[2 * i + 1] = h;
    }
    this.table = t;
    this.mask = m;
  }
}
