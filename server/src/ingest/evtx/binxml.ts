/**
 * Binary XML (MS-EVEN6 "BinXml") as stored in EVTX chunks: a token stream of elements, attributes,
 * literal values, substitutions and template instances. Templates are parsed once per chunk into a
 * small node tree (cached by their chunk offset) and instantiated per record with that record's
 * substitution values, which stay as (type, offset, size) references into the chunk until rendered.
 *
 * Every read is bounds-checked against the region being parsed and every loop consumes input, so a
 * damaged record throws an EvtxFormatError (the record is rejected) instead of hanging or crashing.
 */
import { EvtxFormatError } from './values.js';

/** Node kinds of the parsed tree. */
export const K_ELEMENT = 0;
export const K_TEXT = 1;
export const K_SUB = 2;
export const K_INSTANCE = 3;

/** An element: name, attributes (each a list of value parts) and content. */
export interface ElementNode { k: typeof K_ELEMENT; name: string; attrs: AttrNode[]; content: BxNode[] }
/** An attribute; its value is text and/or substitution parts. */
export interface AttrNode { name: string; value: BxNode[] }
/** Literal text (Value, CDATA, character or entity reference). */
export interface TextNode { k: typeof K_TEXT; text: string }
/** A placeholder for substitution value `index` of the enclosing template instance. */
export interface SubNode { k: typeof K_SUB; index: number; optional: boolean }
/** A template applied to its substitution values. */
export interface InstanceNode { k: typeof K_INSTANCE; template: Template; values: SubValues }
export type BxNode = ElementNode | TextNode | SubNode | InstanceNode;

/** A template definition: its id (first GUID dword) and parsed body. */
export interface Template { id: number; nodes: BxNode[] }

/** Substitution values of one template instance: parallel arrays of type, chunk offset and size. */
export interface SubValues { types: number[]; offsets: number[]; sizes: number[] }

/** Template-instance nesting and element depth beyond which input is treated as corrupt. */
const MAX_DEPTH = 48;

const NO_VALUES: SubValues = { types: [], offsets: [], sizes: [] };
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parser over one chunk buffer (offsets in Binary XML are chunk-relative, so `buf` must start at
 * the chunk). Names and templates are cached for the chunk's lifetime; create one per chunk.
 */
export class ChunkBinXml {
  private pos = 0;
  private end = 0;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template>();
  private readonly inProgress = new Set<number>();

  constructor(readonly buf: Buffer) {}

  /** Parse a Binary XML fragment occupying [start, start + size) of the chunk. */
  fragment(start: number, size: number, depth = 0): BxNode[] {
    const savedPos = this.pos;
    const savedEnd = this.end;
    this.pos = start;
    this.end = Math.min(start + size, this.buf.length);
    try {
      return this.content(depth, false);
    } finally {
      this.pos = savedPos;
      this.end = savedEnd;
    }
  }

  private fail(what: string): never {
    throw new EvtxFormatError(`${what} at chunk offset 0x${this.pos.toString(16)}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated Binary XML (need ${n} bytes)`);
  }

  private u8(): number { this.need(1); return this.buf[this.pos++]!; }
  private u16(): number { this.need(2); const v = this.buf.readUInt16LE(this.pos); this.pos += 2; return v; }
  private u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.pos); this.pos += 4; return v; }

  /** Content tokens until EOF (fragment) or EndElement (element content). */
  private content(depth: number, inElement: boolean): BxNode[] {
    if (depth > MAX_DEPTH) this.fail('Binary XML nested too deeply');
    const out: BxNode[] = [];
    while (this.pos < this.end) {
      const tok = this.buf[this.pos]!;
      switch (tok) {
        case 0x00:
          if (inElement) this.fail('end of stream inside an element');
          this.pos++;
          return out;
        case 0x0f: this.need(4); this.pos += 4; break; // fragment header: token, major, minor, flags
        case 0x01: case 0x41: out.push(this.element(depth + 1)); break;
        case 0x04:
          if (!inElement) this.fail('end element outside an element');
          this.pos++;
          return out;
        case 0x05: case 0x45: case 0x07: case 0x47: case 0x08: case 0x48: case 0x09: case 0x49:
        case 0x0d: case 0x0e:
          out.push(this.valueToken()); break;
        case 0x0a: this.pos++; this.name(); break; // processing-instruction target: ignored
        case 0x0b: { this.pos++; const n = this.u16(); this.need(2 * n); this.pos += 2 * n; break; }
        case 0x0c: out.push(this.instance(depth + 1)); break;
        default: this.fail(`unknown Binary XML token 0x${tok.toString(16)}`);
      }
    }
    if (inElement) this.fail('element not closed');
    return out;
  }

  private element(depth: number): ElementNode {
    if (depth > MAX_DEPTH) this.fail('Binary XML nested too deeply');
    const start = this.pos;
    const tok = this.u8();
    this.u16(); // dependency identifier
    this.u32(); // data size
    if (this.pos + 4 <= this.end && !plausibleNameOffset(this.buf.readUInt32LE(this.pos), this.buf.length)
      && plausibleNameOffset(this.buf.readUInt32LE(start + 1 + 4), this.buf.length)) {
      // Some writers omit the dependency identifier inside BinXml values (the Rust `evtx` crate
      // handles the same quirk): the name offset then reads as garbage. Re-read without it.
      this.pos = start + 1 + 4;
    }
    const name = this.name();
    if (tok & 0x40) this.u32(); // attribute list size
    const attrs: AttrNode[] = [];
    for (;;) {
      this.need(1);
      const t = this.buf[this.pos]!;
      if (t !== 0x06 && t !== 0x46) break;
      this.pos++;
      const attrName = this.name();
      const value: BxNode[] = [];
      for (;;) {
        this.need(1);
        const v = this.buf[this.pos]!;
        if (!isValueToken(v)) break;
        value.push(this.valueToken());
      }
      attrs.push({ name: attrName, value });
    }
    const close = this.u8();
    if (close === 0x03) return { k: K_ELEMENT, name, attrs, content: [] };
    if (close !== 0x02) { this.pos--; this.fail(`expected close of <${printable(name)}>, got token 0x${close.toString(16)}`); }
    return { k: K_ELEMENT, name, attrs, content: this.content(depth, true) };
  }

  /** A value-like token: literal text, CDATA, char/entity reference or substitution. */
  private valueToken(): TextNode | SubNode {
    const tok = this.u8();
    switch (tok) {
      case 0x05: case 0x45: {
        const type = this.u8();
        if (type !== 0x01) this.fail(`literal value of type 0x${type.toString(16)}`);
        return { k: K_TEXT, text: this.utf16Counted() };
      }
      case 0x07: case 0x47: return { k: K_TEXT, text: this.utf16Counted() };
      case 0x08: case 0x48: return { k: K_TEXT, text: String.fromCharCode(this.u16()) };
      case 0x09: case 0x49: { const n = this.name(); return { k: K_TEXT, text: ENTITIES[n] ?? `&${n};` }; }
      case 0x0d: case 0x0e: {
        const index = this.u16();
        this.u8(); // declared type; the value descriptor's type is authoritative
        return { k: K_SUB, index, optional: tok === 0x0e };
      }
      default: this.pos--; return this.fail(`expected a value token, got 0x${tok.toString(16)}`);
    }
  }

  private utf16Counted(): string {
    const n = this.u16();
    this.need(2 * n);
    const s = this.buf.toString('utf16le', this.pos, this.pos + 2 * n);
    this.pos += 2 * n;
    return s;
  }

  /** A name reference: chunk offset of a name entry, which follows inline when it points here. */
  private name(): string {
    const off = this.u32();
    let name = this.names.get(off);
    if (name === undefined) name = this.readName(off);
    if (off === this.pos) {
      // Inline definition: next-offset(4) hash(2) count(2) UTF-16 chars, NUL.
      const count = this.buf.readUInt16LE(off + 6);
      this.need(8 + 2 * count + 2);
      this.pos += 8 + 2 * count + 2;
    }
    return name;
  }

  private readName(off: number): string {
    if (off + 8 > this.buf.length) this.fail(`name offset 0x${off.toString(16)} outside the chunk`);
    const count = this.buf.readUInt16LE(off + 6);
    if (off + 8 + 2 * count > this.buf.length) this.fail(`name at 0x${off.toString(16)} runs past the chunk`);
    const name = this.buf.toString('utf16le', off + 8, off + 8 + 2 * count);
    this.names.set(off, name);
    return name;
  }

  private instance(depth: number): InstanceNode {
    if (depth > MAX_DEPTH) this.fail('template instances nested too deeply');
    this.u8(); // token
    this.u8(); // unknown (1)
    this.u32(); // template id (repeated in the definition)
    const defOff = this.u32();
    let template: Template;
    if (defOff === this.pos) {
      // Resident definition: next-offset(4) GUID(16) data size(4), then the body.
      this.need(24);
      const size = this.buf.readUInt32LE(defOff + 20);
      this.need(24 + size);
      template = this.template(defOff, depth);
      this.pos = defOff + 24 + size;
    } else {
      template = this.template(defOff, depth);
    }
    return { k: K_INSTANCE, template, values: this.subValues() };
  }

  private template(off: number, depth: number): Template {
    const cached = this.templates.get(off);
    if (cached) return cached;
    if (this.inProgress.has(off)) this.fail(`template at 0x${off.toString(16)} refers to itself`);
    if (off < 0 || off + 24 > this.buf.length) this.fail(`template offset 0x${off.toString(16)} outside the chunk`);
    const size = this.buf.readUInt32LE(off + 20);
    if (off + 24 + size > this.buf.length) this.fail(`template at 0x${off.toString(16)} runs past the chunk`);
    this.inProgress.add(off);
    try {
      const nodes = this.fragment(off + 24, size, depth);
      const template: Template = { id: this.buf.readUInt32LE(off + 4), nodes };
      this.templates.set(off, template);
      return template;
    } finally {
      this.inProgress.delete(off);
    }
  }

  private subValues(): SubValues {
    const count = this.u32();
    if (count === 0) return NO_VALUES;
    this.need(4 * count);
    const types: number[] = new Array<number>(count);
    const offsets: number[] = new Array<number>(count);
    const sizes: number[] = new Array<number>(count);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const p = this.pos + 4 * i;
      const size = this.buf.readUInt16LE(p);
      sizes[i] = size;
      types[i] = this.buf[p + 2]!;
      total += size;
    }
    this.pos += 4 * count;
    this.need(total);
    let p = this.pos;
    for (let i = 0; i < count; i++) { offsets[i] = p; p += sizes[i]!; }
    this.pos = p;
    return { types, offsets, sizes };
  }
}

/** Names live in the records area of the chunk (after its 512-byte header). */
function plausibleNameOffset(off: number, chunkLength: number): boolean {
  return off >= 512 && off + 8 <= chunkLength;
}

function isValueToken(t: number): boolean {
  switch (t) {
    case 0x05: case 0x45: case 0x07: case 0x47: case 0x08: case 0x48: case 0x09: case 0x49:
    case 0x0d: case 0x0e:
      return true;
    default:
      return false;
  }
}

/** A name from damaged input, safe and short enough for an error message. */
function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
