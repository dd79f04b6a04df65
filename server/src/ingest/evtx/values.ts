/**
 * EVTX substitution value types and their text rendering. Values are rendered the way the Windows
 * XML rendering (and libevtx's `evtxexport -f xml`) shows them, so an .evtx read here yields the same
 * strings as the XML exports of the same log: GUIDs braced upper-case, HexInt as zero-padded `0x…`,
 * FILETIME as ISO 8601 with nine fraction digits, booleans `true`/`false`, binary as upper-case hex.
 */

/** Binary XML value type codes (MS-EVEN6 / libevtx "value types"); `| ARRAY` marks an array. */
export const VT = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
} as const;

export const ARRAY_FLAG = 0x80;

/** Thrown for a value that cannot be what its type says (wrong size, bad date). The record is rejected. */
export class EvtxFormatError extends Error {
  override name = 'EvtxFormatError';
}

const HEX_UPPER: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** UTF-16LE text up to the first NUL (Windows renders string values as C strings). */
export function utf16(buf: Buffer, start: number, byteLength: number): string {
  if (byteLength < 2) return '';
  const s = buf.toString('utf16le', start, start + (byteLength & ~1));
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` from the 16-byte mixed-endian Windows GUID layout. */
export function renderGuid(buf: Buffer, off: number): string {
  const H = HEX_UPPER;
  return '{' + H[buf[off + 3]!]! + H[buf[off + 2]!]! + H[buf[off + 1]!]! + H[buf[off]!]! + '-'
    + H[buf[off + 5]!]! + H[buf[off + 4]!]! + '-' + H[buf[off + 7]!]! + H[buf[off + 6]!]! + '-'
    + H[buf[off + 8]!]! + H[buf[off + 9]!]! + '-' + H[buf[off + 10]!]! + H[buf[off + 11]!]! + H[buf[off + 12]!]!
    + H[buf[off + 13]!]! + H[buf[off + 14]!]! + H[buf[off + 15]!]! + '}';
}

/** `S-1-5-21-…` from a binary SID (revision, sub-authority count, 48-bit big-endian authority). */
export function renderSid(buf: Buffer, off: number, size: number): string {
  if (size < 8) throw new EvtxFormatError(`SID of ${size} bytes`);
  const rev = buf[off]!;
  const count = buf[off + 1]!;
  if (8 + 4 * count > size) throw new EvtxFormatError(`SID with ${count} sub-authorities in ${size} bytes`);
  const authHigh = buf.readUInt16BE(off + 2);
  const authLow = buf.readUInt32BE(off + 4);
  // Windows prints the authority in hex when it does not fit in 32 bits.
  const authority = authHigh === 0 ? String(authLow) : `0x${authHigh.toString(16).padStart(4, '0')}${authLow.toString(16).padStart(8, '0')}`;
  let s = `S-${rev}-${authority}`;
  for (let i = 0; i < count; i++) s += `-${buf.readUInt32LE(off + 8 + 4 * i)}`;
  return s;
}

const FILETIME_UNIX_EPOCH = 116444736000000000n;
/** Seconds between 1601-01-01 and 1970-01-01. */
const EPOCH_DELTA_S = 11644473600;
// Records of one chunk share most of their timestamp; the date-time text of the last second is reused.
let lastSecond = NaN;
let lastPrefix = '';

/** FILETIME (100 ns ticks since 1601) → `YYYY-MM-DDTHH:MM:SS.fffffffffZ` as the XML rendering shows it. */
export function renderFileTime(buf: Buffer, off: number): string {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  let second: number;
  let frac: number;
  if (hi < 0x40000000) {
    // ticks = hi·2^32 + lo = 10^7·(429·hi) + (4967296·hi + lo); the second term stays below 2^53.
    const rest = 4967296 * hi + lo;
    second = 429 * hi + Math.floor(rest / 10000000) - EPOCH_DELTA_S;
    frac = rest % 10000000;
  } else {
    const sinceUnix = buf.readBigUInt64LE(off) - FILETIME_UNIX_EPOCH;
    const s = sinceUnix / 10000000n;
    second = Number(s);
    frac = Number(sinceUnix - s * 10000000n);
  }
  if (second !== lastSecond) {
    const ms = second * 1000;
    if (!(Math.abs(ms) <= 8.64e15)) throw new EvtxFormatError('FILETIME out of range');
    const iso = new Date(ms).toISOString(); // years past 9999 come as +YYYYYY-…
    lastPrefix = iso.slice(0, iso.lastIndexOf('.'));
    lastSecond = second;
  }
  const f = String(frac);
  return `${lastPrefix}.${f.length === 7 ? f : f.padStart(7, '0')}00Z`;
}

/** SYSTEMTIME (eight little-endian u16: year, month, weekday, day, h, m, s, ms) → ISO 8601. */
export function renderSysTime(buf: Buffer, off: number): string {
  const year = buf.readUInt16LE(off);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const month = buf.readUInt16LE(off + 2);
  const day = buf.readUInt16LE(off + 6);
  const hour = buf.readUInt16LE(off + 8);
  const minute = buf.readUInt16LE(off + 10);
  const second = buf.readUInt16LE(off + 12);
  const ms = buf.readUInt16LE(off + 14);
  return `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}T${p2(hour)}:${p2(minute)}:${p2(second)}.${String(ms).padStart(3, '0')}000000Z`;
}

/** Fixed element size of a type (for arrays and size checks); 0 when variable. */
function fixedSize(type: number, size: number): number {
  switch (type) {
    case VT.Int8: case VT.UInt8: return 1;
    case VT.Int16: case VT.UInt16: return 2;
    case VT.Int32: case VT.UInt32: case VT.Real32: case VT.Bool: case VT.HexInt32: return 4;
    case VT.Int64: case VT.UInt64: case VT.Real64: case VT.FileTime: case VT.HexInt64: return 8;
    case VT.Guid: case VT.SysTime: return 16;
    case VT.SizeT: return size === 4 ? 4 : 8;
    default: return 0;
  }
}

/** One scalar value of a fixed-size type at `off` (size already checked). */
function renderFixed(buf: Buffer, type: number, off: number, size: number): string {
  switch (type) {
    case VT.Int8: return String(buf.readInt8(off));
    case VT.UInt8: return String(buf[off]!);
    case VT.Int16: return String(buf.readInt16LE(off));
    case VT.UInt16: return String(buf.readUInt16LE(off));
    case VT.Int32: return String(buf.readInt32LE(off));
    case VT.UInt32: return String(buf.readUInt32LE(off));
    case VT.Int64: return String(buf.readBigInt64LE(off));
    case VT.UInt64: return String(buf.readBigUInt64LE(off));
    case VT.Real32: return String(buf.readFloatLE(off));
    case VT.Real64: return String(buf.readDoubleLE(off));
    case VT.Bool: return buf.readUInt32LE(off) === 0 ? 'false' : 'true';
    case VT.Guid: return renderGuid(buf, off);
    case VT.FileTime: return renderFileTime(buf, off);
    case VT.SysTime: return renderSysTime(buf, off);
    case VT.HexInt32: return `0x${buf.readUInt32LE(off).toString(16).padStart(8, '0')}`;
    case VT.HexInt64: return `0x${buf.readBigUInt64LE(off).toString(16).padStart(16, '0')}`;
    case VT.SizeT: return size === 4
      ? `0x${buf.readUInt32LE(off).toString(16).padStart(8, '0')}`
      : `0x${buf.readBigUInt64LE(off).toString(16).padStart(16, '0')}`;
    default: throw new EvtxFormatError(`value type 0x${type.toString(16)} is not fixed-size`);
  }
}

function hex(buf: Buffer, off: number, size: number): string {
  let s = '';
  for (let i = 0; i < size; i++) s += HEX_UPPER[buf[off + i]!]!;
  return s;
}

/**
 * Render a substitution value as text. BinXml (0x21) is not handled here: the Binary XML walker
 * expands it in place. Arrays render their elements joined by `, ` (Windows shows one per line).
 */
export function renderValue(buf: Buffer, type: number, off: number, size: number): string {
  if (size === 0 || type === VT.Null) return '';
  switch (type) {
    case VT.String: return utf16(buf, off, size);
    case VT.AnsiString: {
      const nul = buf.indexOf(0, off);
      return buf.toString('latin1', off, nul >= 0 && nul < off + size ? nul : off + size);
    }
    case VT.Binary: return hex(buf, off, size);
    case VT.Sid: return renderSid(buf, off, size);
    case VT.EvtHandle: return '';
    case VT.EvtXml: return utf16(buf, off, size);
    default: break;
  }
  if (type & ARRAY_FLAG) return renderArray(buf, type & ~ARRAY_FLAG, off, size);
  const want = fixedSize(type, size);
  if (want === 0) throw new EvtxFormatError(`unknown value type 0x${type.toString(16)}`);
  if (size < want) throw new EvtxFormatError(`value type 0x${type.toString(16)} needs ${want} bytes, has ${size}`);
  return renderFixed(buf, type, off, size);
}

function renderArray(buf: Buffer, type: number, off: number, size: number): string {
  const parts: string[] = [];
  if (type === VT.String) {
    // NUL-terminated UTF-16 strings back to back.
    let start = off;
    const end = off + (size & ~1);
    for (let p = off; p < end; p += 2) {
      if (buf[p] === 0 && buf[p + 1] === 0) { parts.push(buf.toString('utf16le', start, p)); start = p + 2; }
    }
    if (start < end) parts.push(buf.toString('utf16le', start, end));
    return parts.join(', ');
  }
  if (type === VT.Sid) {
    let p = off;
    while (p + 8 <= off + size) {
      const n = 8 + 4 * buf[p + 1]!;
      parts.push(renderSid(buf, p, off + size - p));
      p += n;
    }
    return parts.join(', ');
  }
  const el = fixedSize(type, 8);
  if (el === 0) throw new EvtxFormatError(`unknown array type 0x${(type | ARRAY_FLAG).toString(16)}`);
  for (let p = off; p + el <= off + size; p += el) parts.push(renderFixed(buf, type, p, el));
  return parts.join(', ');
}
