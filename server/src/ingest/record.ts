/**
 * The record shape every ingest parser produces (XML, JSON, CSV, EVTX) and what the
 * normaliser (../sysmon/fields.ts) turns into a stored event. Parsers know formats, not Sysmon.
 */

/** The System part of a Windows event, as far as the source carries it. */
export interface SystemFields {
  eventId: number | null;
  computer: string | null;
  recordId: number | null;
  channel: string | null;
  provider: string | null;
  /** System/TimeCreated/@SystemTime as written (ISO 8601), when present. */
  timeCreated: string | null;
}

/** One parsed event: System fields plus the EventData `Data Name=… ` pairs (names as written). */
export interface ParsedEvent {
  system: SystemFields;
  data: Record<string, string>;
}

/**
 * What a parser yields per input unit: an event, a rejected line/record with a reason, or a
 * record the parser recognised as something other than a Windows XML/JSON/CSV event (e.g. a classic
 * multi-line WinEventLog text block in a mixed Splunk export) — counted as skipped, never an error.
 * `line` is 1-based (the line the record starts on); 0 means the file as a whole.
 */
export type ParseItem =
  | { kind: 'event'; event: ParsedEvent; line: number }
  /** `offset`: byte offset in the file, for binary formats (EVTX) where a line number means little. */
  | { kind: 'rejected'; line: number; reason: string; offset?: number }
  | { kind: 'skipped'; line: number; reason: string };

/** A normalised Sysmon event, ready for the store. Field names are raw Sysmon names. */
export interface SysmonEvent {
  eventId: number;
  category: string;
  host: string;
  recordId: number | null;
  /** ISO 8601 UTC, from `UtcTime` (System/TimeCreated only when UtcTime is absent). */
  time: string;
  /** Canonical GUID of the acting process (ProcessGuid; SourceProcessGuid for 8/10). */
  guid: string | null;
  /** Canonical target GUID for 8/10. */
  targetGuid: string | null;
  fields: Record<string, string>;
  /**
   * The rest of the event's identity (docs/ingest.md "Event identity"): channel and system time
   * (System/TimeCreated, canonicalised to 7 fractional digits), `\u001f`-joined. Two events are one
   * only when host, record id, EventID, this and `fields` agree. Absent: empty (generated events).
   */
  systemKey?: string;
}
