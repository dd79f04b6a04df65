/**
 * Value rendering for the types the dataset files do not all carry (arrays, SYSTEMTIME, SizeT,
 * signed ints, far-future FILETIME), with byte layouts written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { EvtxFormatError, renderValue, VT } from './values.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const render = (type: number, bytes: Buffer): string => renderValue(bytes, type, 0, bytes.length);

describe('EVTX value rendering', () => {
  it('GUID: mixed-endian bytes → braced upper-case', () => {
    // {C2494F38-B411-630F-636B-000000006A02} as stored.
    expect(render(VT.Guid, hex('384f49c2 11b4 0f63 636b 000000006a02'))).toBe('{C2494F38-B411-630F-636B-000000006A02}');
  });

  it('FILETIME: nine fraction digits like the XML, before and beyond the fast path', () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(0x1d8bd6e7b643ff2n); // 2022-08-31 19:18:42 + 1649394 ticks
    expect(render(VT.FileTime, b)).toBe('2022-08-31T19:18:42.164939400Z');
    b.writeBigUInt64LE(0n);
    expect(render(VT.FileTime, b)).toBe('1601-01-01T00:00:00.000000000Z');
    b.writeBigUInt64LE(0x4000000000000000n + 5n); // high dword ≥ 2^30: the BigInt path
    expect(render(VT.FileTime, b)).toBe('+016214-11-08T13:24:02.738790900Z');
    // Both sides of the fast path's bound agree with plain BigInt arithmetic.
    for (const ticks of [0x3fffffffffffffffn, 0x4000000000000000n, 0x01d0000012345678n]) {
      b.writeBigUInt64LE(ticks);
      const unix = ticks - 116444736000000000n;
      const iso = new Date(Number(unix / 10000000n) * 1000).toISOString();
      expect(render(VT.FileTime, b)).toBe(`${iso.slice(0, iso.lastIndexOf('.'))}.${String(unix % 10000000n).padStart(7, '0')}00Z`);
    }
  });

  it('SID, HexInt32/64, SizeT, Bool, signed and unsigned integers, binary', () => {
    expect(render(VT.Sid, hex('01 05 000000000005 15000000 62b7be03 99defa18 524dcec1 f4010000'))).toBe('S-1-5-21-62830434-419094169-3251522898-500');
    expect(render(VT.Sid, hex('01 01 000000000005 12000000'))).toBe('S-1-5-18');
    expect(render(VT.HexInt64, hex('b112080000000000'))).toBe('0x00000000000812b1');
    expect(render(VT.HexInt32, hex('ff3f1f00'))).toBe('0x001f3fff');
    expect(render(VT.SizeT, hex('10000000'))).toBe('0x00000010');
    expect(render(VT.Bool, hex('01000000'))).toBe('true');
    expect(render(VT.Bool, hex('00000000'))).toBe('false');
    expect(render(VT.Int32, hex('feffffff'))).toBe('-2');
    expect(render(VT.UInt64, hex('ffffffffffffffff'))).toBe('18446744073709551615');
    expect(render(VT.Binary, hex('00ab10'))).toBe('00AB10');
  });

  it('strings stop at the first NUL; ANSI strings too', () => {
    expect(render(VT.String, Buffer.from('cmd.exe\0junk', 'utf16le'))).toBe('cmd.exe');
    expect(render(VT.AnsiString, Buffer.from('abc\0d', 'latin1'))).toBe('abc');
  });

  it('SYSTEMTIME and arrays', () => {
    const st = Buffer.alloc(16);
    [2021, 3, 2, 9, 14, 5, 7, 42].forEach((v, i) => st.writeUInt16LE(v, 2 * i));
    expect(render(VT.SysTime, st)).toBe('2021-03-09T14:05:07.042000000Z');
    expect(render(VT.String | 0x80, Buffer.from('a\0bc\0', 'utf16le'))).toBe('a, bc');
    expect(render(VT.UInt16 | 0x80, hex('0100 0200 ffff'))).toBe('1, 2, 65535');
  });

  it('a value too short for its type, or of an unknown type, is a format error (the record is rejected)', () => {
    expect(() => render(VT.Guid, hex('0102'))).toThrow(EvtxFormatError);
    expect(() => render(0x1f, hex('0102'))).toThrow(/unknown value type 0x1f/);
    expect(() => render(VT.Sid, hex('01 09 000000000005 12000000'))).toThrow(/sub-authorities/);
  });
});
