/**
 * Sigma hits as the API, the CLI and the graph carry them, and the engine over stored Sysmon events
 * (the embedded store keeps raw Sysmon field names, so a stored event is a Sigma event as it is).
 */
import type { SysmonEvent } from '../ingest/record.js';
import type { SigmaEngine, SigmaHit } from './engine.js';
import { SYSMON_CHANNEL } from './logsource.js';
import { LEVELS, type Level } from './rule.js';

/** One rule hit on one event (wire shape: `SigmaHitSchema` in shared/src/schemas.ts). */
export interface SigmaHitRecord {
  ruleId: string;
  title: string;
  level: Level;
  tags: string[];
  /** Detection identifiers that matched. */
  selections: string[];
  host: string;
  guid: string | null;
  eventId: number;
  time: string;
  recordId: number | null;
}

/** A stored Sysmon event as far as Sigma needs it. */
export type StoredEvent = Pick<SysmonEvent, 'eventId' | 'host' | 'guid' | 'time' | 'recordId' | 'fields'>;

/** A stored event as the engine reads it. */
export function sigmaEventOf(e: Pick<SysmonEvent, 'eventId' | 'host' | 'fields'>): { eventId: number; channel: string; provider: null; computer: string; fields: Record<string, string> } {
  return { eventId: e.eventId, channel: SYSMON_CHANNEL, provider: null, computer: e.host, fields: e.fields };
}

export function hitRecord(h: SigmaHit, e: Pick<SysmonEvent, 'eventId' | 'host' | 'guid' | 'time' | 'recordId'>): SigmaHitRecord {
  return { ruleId: h.rule.id, title: h.rule.title, level: h.rule.level, tags: h.rule.tags, selections: h.selections, host: e.host, guid: e.guid, eventId: e.eventId, time: e.time, recordId: e.recordId };
}

/** Every hit of the engine on the given stored events. */
export function matchStored(engine: SigmaEngine, events: Iterable<StoredEvent>): SigmaHitRecord[] {
  const out: SigmaHitRecord[] = [];
  for (const e of events) for (const h of engine.match(sigmaEventOf(e))) out.push(hitRecord(h, e));
  return out;
}

/** The highest level among hits (null when none). */
export function highestLevel(hits: Array<{ level: Level }>): Level | null {
  let best = -1;
  for (const h of hits) best = Math.max(best, LEVELS.indexOf(h.level));
  return best < 0 ? null : LEVELS[best]!;
}

/** ATT&CK technique ids of a tag list: `attack.t1059.001` → `T1059.001`. */
export function attackTechniques(tags: string[]): string[] {
  return tags.filter((t) => /^attack\.t\d{4}(\.\d{3})?$/i.test(t)).map((t) => t.slice(7).toUpperCase());
}
