/** Shared helpers for the ingest tests: read a file through parse + normalise, in file order. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalise } from '../../src/sysmon/fields.js';
import { readEventsFromFile, type ReadOptions } from '../../src/ingest/read-file.js';
import type { SysmonEvent } from '../../src/ingest/record.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ingest');
export const fixture = (name: string): string => join(FIXTURES, name);

/** What one file gives: normalised events (with their lines), rejections and skips. */
export interface FileResult {
  events: SysmonEvent[];
  lines: number[];
  rejected: { line: number; reason: string }[];
  /** Non-event records (classic text blocks) + non-Sysmon events. */
  skipped: number;
}

export async function readNormalised(file: string, opts?: ReadOptions): Promise<FileResult> {
  const r: FileResult = { events: [], lines: [], rejected: [], skipped: 0 };
  for await (const it of readEventsFromFile(file, opts)) {
    if (it.kind === 'event') {
      const n = normalise(it.event);
      if (n.kind === 'event') { r.events.push(n.event); r.lines.push(it.line); }
      else if (n.kind === 'skipped') r.skipped++;
      else r.rejected.push({ line: it.line, reason: n.reason });
    } else if (it.kind === 'skipped') r.skipped++;
    else r.rejected.push({ line: it.line, reason: it.reason });
  }
  return r;
}

/** Events in a canonical order (host, time, record id, then content) so orderings compare equal. */
export function sorted(events: SysmonEvent[]): SysmonEvent[] {
  const key = (e: SysmonEvent) => `${e.host}|${e.time}|${String(e.recordId ?? '').padStart(20, '0')}|${JSON.stringify(e.fields)}|${e.systemKey ?? ''}`;
  return [...events].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Count events by EventID. */
export function countByEventId(events: SysmonEvent[]): Record<number, number> {
  const c: Record<number, number> = {};
  for (const e of events) c[e.eventId] = (c[e.eventId] ?? 0) + 1;
  return c;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lineage-ingest-'));

/**
 * An event without its `systemKey` (channel + system time): for comparing renderings of one event
 * whose fixtures do not all carry the same System part (a CSV has no TimeCreated).
 */
export function withoutSystemKey(e: SysmonEvent): SysmonEvent {
  const { systemKey: _k, ...rest } = e;
  return rest;
}
