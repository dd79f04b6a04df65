/**
 * The embedded source's own paging positions, opaque to callers (base64url JSON of a sort key).
 * Children are ordered by (start_time, guid); events by (time, record_id, seq) — unique keys, so a
 * page boundary never repeats or skips a row even when many rows share a timestamp.
 */

/** Thrown for a cursor this source did not hand out (the API answers 400). */
export class SourceCursorError extends Error {
  override readonly name = 'CursorError';
  readonly code = 'invalid_cursor';
}

/** After this child: its start time (ISO) and GUID. */
export interface ChildPosition { t: string; g: string }
/** After this event: time (ISO), record id (-1 when absent) and insertion sequence. */
export interface EventPosition { t: string; r: number; s: number }

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(text: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new SourceCursorError(`${what} cursor is not valid; pass back a cursor exactly as received`);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeChildPosition(p: ChildPosition): string {
  return encode(['c', p.t, p.g]);
}

export function decodeChildPosition(text: string): ChildPosition {
  const v = decode(text, 'children');
  if (!Array.isArray(v) || v.length !== 3 || v[0] !== 'c' || typeof v[1] !== 'string' || !ISO.test(v[1]) || typeof v[2] !== 'string') {
    throw new SourceCursorError('children cursor is not valid; pass back a cursor exactly as received');
  }
  return { t: v[1], g: v[2] };
}

export function encodeEventPosition(p: EventPosition): string {
  return encode(['e', p.t, p.r, p.s]);
}

export function decodeEventPosition(text: string): EventPosition {
  const v = decode(text, 'events');
  if (!Array.isArray(v) || v.length !== 4 || v[0] !== 'e' || typeof v[1] !== 'string' || !ISO.test(v[1])
    || !Number.isSafeInteger(v[2]) || !Number.isSafeInteger(v[3])) {
    throw new SourceCursorError('events cursor is not valid; pass back a cursor exactly as received');
  }
  return { t: v[1], r: v[2] as number, s: v[3] as number };
}
