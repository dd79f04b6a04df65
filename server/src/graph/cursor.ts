/**
 * Opaque paging cursors handed to clients (truncation records, group nodes, API pages).
 *
 * A cursor is base64url JSON. It never carries a source's own cursor alone: it names *what* is being
 * listed (children of a parent, a sibling group, events of a process) plus the position, so the API can
 * resume it on any source. Position = the source's cursor for the start of a page (null = from the
 * beginning) plus how many rows of that page were already consumed (`skip`) — which is what lets a
 * filtered listing (a sibling group) stop in the middle of a source page without losing rows.
 */
import { z } from 'zod';

const Position = { s: z.string().nullable(), skip: z.number().int().min(0).max(1_000_000) };
/** The window the listing was started in (a graph's), used when the request names none. */
const IsoTime = z.string().max(40).refine((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(t) && Number.isFinite(Date.parse(t)), 'not a UTC ISO time');
const Window = { r: z.object({ from: IsoTime, to: IsoTime }).nullable().default(null) };

const ChildrenCursorSchema = z.object({
  k: z.literal('children'),
  /** Parent GUID whose children are listed. */
  p: z.string(),
  /** Host filter the listing was started with. */
  h: z.string().nullable(),
  /** Sibling-group key: only children with this key are listed. */
  key: z.string().nullable(),
  /** Same-key siblings shown on their own (they have children), left out of the group's listing. */
  x: z.array(z.string()).max(10_000).default([]),
  ...Position,
  ...Window,
});
const EventsCursorSchema = z.object({
  k: z.literal('events'),
  g: z.string(),
  /** For a sibling group's events: the group (parent, key, excluded); its members are listed anew per page. */
  grp: z.object({ p: z.string(), key: z.string().nullable(), x: z.array(z.string()).max(10_000) }).nullable().default(null),
  h: z.string().nullable(),
  c: z.string().nullable(),
  ...Position,
  ...Window,
});
const AncestorsCursorSchema = z.object({ k: z.literal('ancestors'), g: z.string(), h: z.string().nullable() });

const CursorSchema = z.discriminatedUnion('k', [ChildrenCursorSchema, EventsCursorSchema, AncestorsCursorSchema]);

/** Resumes a listing of a parent's children (optionally only one sibling group). */
export type ChildrenCursor = z.infer<typeof ChildrenCursorSchema>;
/** Resumes a listing of one process's events (optionally one category). */
export type EventsCursor = z.infer<typeof EventsCursorSchema>;
/** Asks for the ancestors of a process (answered by a graph request with `up=1`). */
export type AncestorsCursor = z.infer<typeof AncestorsCursorSchema>;
/** Any cursor Lineage hands out. */
export type Cursor = z.infer<typeof CursorSchema>;

type Window = { from: string; to: string };

/** Thrown for a cursor that is not one of ours (the API answers 400). */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

/** Cursor → opaque text for clients. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

/** Opaque text → cursor; throws CursorError for anything we did not hand out. */
export function decodeCursor(text: string): Cursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor is not valid (not base64url JSON); pass back a cursor exactly as received');
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) throw new CursorError('cursor is not valid (unknown shape); pass back a cursor exactly as received');
  return parsed.data;
}

/** A cursor listing all children of `parent` from the start (optionally one sibling group). */
export function childrenCursor(
  parent: string, host: string | null, range: Window | null, key: string | null = null, exclude: string[] = [],
): string {
  return encodeCursor({ k: 'children', p: parent, h: host, key, x: exclude, s: null, skip: 0, r: range });
}

/** A cursor listing events of `guid` after the first `skip` (in (time, recordId) order). */
export function eventsCursor(guid: string, host: string | null, range: Window | null, skip: number, category: string | null = null): string {
  return encodeCursor({ k: 'events', g: guid, h: host, c: category, s: null, skip, r: range, grp: null });
}

/** A cursor asking for the ancestors of `guid` (answered by `/api/graph?up=1`). */
export function ancestorsCursor(guid: string, host: string | null): string {
  return encodeCursor({ k: 'ancestors', g: guid, h: host });
}
