/**
 * Binary XML built by hand, token by token, so the format rules are written down and checked
 * without a dataset: inline names, a resident template with substitutions, a second record reusing
 * the template by offset, an EventData template carried as a BinXml value (with and without the
 * elements' dependency identifier), and a template that refers to itself.
 */
import { describe, expect, it } from 'vitest';
import { ChunkBinXml } from './binxml.js';
import { EventExtractor } from './extract.js';
import { VT } from './values.js';

/** Writes tokens into a 64 KiB chunk buffer; names are defined inline at first use. */
class Writer {
  readonly buf = Buffer.alloc(65536);
  pos = 512;
  private names = new Map<string, number>();
  constructor(private readonly depId = true) {}

  u8(v: number): this { this.buf[this.pos++] = v; return this; }
  u16(v: number): this { this.buf.writeUInt16LE(v, this.pos); this.pos += 2; return this; }
  u32(v: number): this { this.buf.writeUInt32LE(v, this.pos); this.pos += 4; return this; }
  fragmentHeader(): this { return this.u8(0x0f).u8(1).u8(1).u8(0); }

  name(n: string): this {
    const known = this.names.get(n);
    if (known !== undefined) return this.u32(known);
    const at = this.pos + 4;
    this.names.set(n, at);
    this.u32(at).u32(0).u16(0).u16(n.length);
    this.buf.write(n, this.pos, 'utf16le');
    this.pos += 2 * n.length;
    return this.u16(0);
  }

  open(n: string, attrs: [string, string][] = []): this {
    this.u8(attrs.length ? 0x41 : 0x01);
    if (this.depId) this.u16(0xffff);
    this.u32(0).name(n);
    if (attrs.length) this.u32(0);
    attrs.forEach(([k, v], i) => { this.u8(i < attrs.length - 1 ? 0x46 : 0x06).name(k).literal(v); });
    return this.u8(0x02);
  }

  literal(text: string): this {
    this.u8(0x05).u8(0x01).u16(text.length);
    this.buf.write(text, this.pos, 'utf16le');
    this.pos += 2 * text.length;
    return this;
  }

  sub(index: number, type: number, optional = false): this { return this.u8(optional ? 0x0e : 0x0d).u16(index).u8(type); }
  close(): this { return this.u8(0x04); }
  eof(): this { return this.u8(0x00); }

  /** A template instance; `body` writes the definition when `resident`, else `defOff` is referenced. */
  instance(id: number, body: ((w: Writer) => void) | null, defOff?: number): number {
    this.u8(0x0c).u8(1).u32(id);
    if (body) {
      const def = this.pos + 4;
      this.u32(def).u32(0).u32(id);
      this.pos += 12; // rest of the GUID
      const sizeAt = this.pos;
      this.u32(0);
      const start = this.pos;
      body(this);
      this.buf.writeUInt32LE(this.pos - start, sizeAt);
      return def;
    }
    this.u32(defOff!);
    return defOff!;
  }

  values(vals: [number, Buffer][]): this {
    this.u32(vals.length);
    for (const [type, b] of vals) this.u16(b.length).u8(type).u8(0);
    for (const [, b] of vals) { b.copy(this.buf, this.pos); this.pos += b.length; }
    return this;
  }
}

const str = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf16le');
const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };

/** <Event><System><EventID>%0</EventID><Computer>%1</Computer></System>%2</Event> */
function systemTemplate(w: Writer): void {
  w.fragmentHeader().open('Event', [['xmlns', 'http://schemas.microsoft.com/win/2004/08/events/event']])
    .open('System').open('Provider', [['Name', 'Microsoft-Windows-Sysmon']]).close()
    .open('EventID').sub(0, VT.UInt16).close()
    .open('Computer').sub(1, VT.String).close()
    .close()
    .sub(2, VT.BinXml)
    .close().eof();
}

/** A BinXml value written in place: <EventData><Data Name="Image">%0</Data><Data Name="RuleName">%1?</Data></EventData> */
function eventData(w: Writer, image: string): void {
  w.fragmentHeader();
  w.instance(7, (t) => {
    t.fragmentHeader().open('EventData')
      .open('Data', [['Name', 'Image']]).sub(0, VT.String).close()
      .open('Data', [['Name', 'RuleName']]).sub(1, VT.String, true).close()
      .close().eof();
  });
  w.values([[VT.String, str(image)], [VT.Null, Buffer.alloc(0)]]).eof();
}

/**
 * A record: the outer System template (resident, or by offset when `outerDef` is given) and its
 * three values, the last a BinXml fragment with the provider's EventData template. Template offsets
 * are absolute within the chunk, so the nested fragment is written where it will be read.
 */
function record(w: Writer, host: string, image: string, outerDef?: number): { start: number; size: number; def: number } {
  const start = w.pos;
  w.fragmentHeader();
  const def = w.instance(1, outerDef === undefined ? systemTemplate : null, outerDef);
  const hostBytes = str(host);
  w.u32(3);
  const descriptors = w.pos;
  w.u16(2).u8(VT.UInt16).u8(0).u16(hostBytes.length).u8(VT.String).u8(0).u16(0).u8(VT.BinXml).u8(0);
  u16(1).copy(w.buf, w.pos); w.pos += 2;
  hostBytes.copy(w.buf, w.pos); w.pos += hostBytes.length;
  const nested = w.pos;
  eventData(w, image);
  w.buf.writeUInt16LE(w.pos - nested, descriptors + 8);
  w.eof();
  return { start, size: w.pos - start, def };
}

describe('Binary XML', () => {
  for (const depId of [true, false]) {
    it(`instantiates templates: resident, then by offset, with a nested EventData value${depId ? '' : ' (no dependency ids)'}`, () => {
      const w = new Writer(depId);
      const r1 = record(w, 'WS-1', 'C:\\Windows\\System32\\cmd.exe');
      const r2 = record(w, 'WS-2', 'C:\\Tools\\procdump64.exe', r1.def);
      const x = new EventExtractor(new ChunkBinXml(w.buf));
      expect(x.extract(r1.start, r1.size)).toEqual({
        system: { eventId: 1, computer: 'WS-1', recordId: null, channel: null, provider: 'Microsoft-Windows-Sysmon', timeCreated: null },
        data: { Image: 'C:\\Windows\\System32\\cmd.exe', RuleName: '' },
      });
      expect(x.extract(r2.start, r2.size)).toMatchObject({
        system: { eventId: 1, computer: 'WS-2' }, data: { Image: 'C:\\Tools\\procdump64.exe', RuleName: '' },
      });
    });
  }

  it('a template that refers to itself is rejected, not followed forever', () => {
    const w = new Writer();
    const start = w.pos;
    w.fragmentHeader();
    // The template body instantiates the template being defined.
    const selfOff = w.pos + 1 + 1 + 4 + 4;
    w.instance(9, (t) => { t.fragmentHeader(); t.instance(9, null, selfOff); t.values([]).eof(); });
    w.values([]).eof();
    const x = new EventExtractor(new ChunkBinXml(w.buf));
    expect(() => x.extract(start, w.pos - start)).toThrow(/refers to itself/);
  });

  it('a record without an <Event> element is rejected', () => {
    const w = new Writer();
    const start = w.pos;
    w.fragmentHeader().open('Other').close().eof();
    expect(() => new EventExtractor(new ChunkBinXml(w.buf)).extract(start, w.pos - start)).toThrow(/no <Event>/);
  });
});
