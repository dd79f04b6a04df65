/**
 * The canonical order of an event's `fields`, as stored and hashed (merge-sql.ts `DKEY_SQL`), so a
 * copy re-shipped with its JSON keys (or `<Data>` elements) in another order is the same text and
 * folds (docs/ingest.md "Event identity"). Canonical = the names of the EventID's Sysmon schema in
 * the schema's order (`SCHEMA_ORDER`), then every other name sorted by UTF-16 code unit.
 *
 * Why the schema's order and not plain sorting: events arrive in that order (Sysmon writes it;
 * .evtx, XML and NXLog JSON keep it), so almost every event is already canonical and is stringified
 * as it is — `JSON.stringify` with a replacer list (the reordering path) is measurably slower
 * than V8's plain fast path. The table only decides speed, never identity: a name missing from it
 * (a newer Sysmon field) is ordered among the others deterministically, it only costs the
 * reordering path. Callers get `null` for "already canonical".
 */

/** Sysmon EventData names per EventID, in the order Sysmon writes them (schema 4.x; up to Sysmon 15). */
const SCHEMA_ORDER: Record<number, readonly string[]> = {
  1: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName',
    'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId', 'TerminalSessionId', 'IntegrityLevel', 'Hashes',
    'ParentProcessGuid', 'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'ParentUser'],
  2: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime', 'User'],
  3: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'User', 'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp',
    'SourceHostname', 'SourcePort', 'SourcePortName', 'DestinationIsIpv6', 'DestinationIp', 'DestinationHostname', 'DestinationPort',
    'DestinationPortName'],
  4: ['UtcTime', 'State', 'Version', 'SchemaVersion'],
  5: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'User'],
  6: ['RuleName', 'UtcTime', 'ImageLoaded', 'Hashes', 'Signed', 'Signature', 'SignatureStatus', 'User'],
  7: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'ImageLoaded', 'FileVersion', 'Description', 'Product', 'Company',
    'OriginalFileName', 'Hashes', 'Signed', 'Signature', 'SignatureStatus', 'User'],
  8: ['RuleName', 'UtcTime', 'SourceProcessGuid', 'SourceProcessId', 'SourceImage', 'TargetProcessGuid', 'TargetProcessId', 'TargetImage',
    'NewThreadId', 'StartAddress', 'StartModule', 'StartFunction', 'SourceUser', 'TargetUser'],
  9: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'Device', 'User'],
  10: ['RuleName', 'UtcTime', 'SourceProcessGUID', 'SourceProcessId', 'SourceThreadId', 'SourceImage', 'TargetProcessGUID',
    'TargetProcessId', 'TargetImage', 'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser'],
  11: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetFilename', 'CreationUtcTime', 'User'],
  12: ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'User'],
  13: ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'Details', 'User'],
  14: ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'NewName', 'User'],
  15: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetFilename', 'CreationUtcTime', 'Hash', 'Contents', 'User'],
  16: ['UtcTime', 'Configuration', 'ConfigurationFileHash'],
  17: ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'PipeName', 'Image', 'User'],
  18: ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'PipeName', 'Image', 'User'],
  19: ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'EventNamespace', 'Name', 'Query'],
  20: ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Name', 'Type', 'Destination'],
  21: ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Consumer', 'Filter'],
  22: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'QueryName', 'QueryStatus', 'QueryResults', 'Image', 'User'],
  23: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'User', 'Image', 'TargetFilename', 'Hashes', 'IsExecutable', 'Archived'],
  24: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'Session', 'ClientInfo', 'Hashes', 'Archived', 'User'],
  25: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'Type', 'User'],
  26: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'User', 'Image', 'TargetFilename', 'Hashes', 'IsExecutable'],
  27: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'User', 'Image', 'TargetFilename', 'Hashes'],
  28: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'User', 'Image', 'TargetFilename', 'Hashes'],
  29: ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'User', 'Image', 'TargetFilename', 'Hashes'],
  255: ['UtcTime', 'ID', 'Description'],
};
const RANK = new Map<number, Map<string, number>>(
  Object.entries(SCHEMA_ORDER).map(([id, names]) => [Number(id), new Map(names.map((n, i) => [n, i]))]));
const NO_RANK = new Map<string, number>();

/** The names in canonical order for EventID `eventId` (see the module comment). */
export function canonicalNames(eventId: number, names: readonly string[]): string[] {
  const rank = RANK.get(eventId) ?? NO_RANK;
  return [...names].sort((a, b) => {
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Per-writer cache of canonical orders: the events of one EventID from one source share a key
 * sequence, so after one pass comparing names (property names are interned strings) the answer of
 * the previous event is reused; only a new sequence is ordered again.
 */
export class FieldOrder {
  private readonly seen = new Map<number, { keys: string[]; order: string[] | null }>();

  /** `null` when `fields` is already in canonical order, else the names in that order (shared: do not change it). */
  of(eventId: number, fields: Readonly<Record<string, string>>): string[] | null {
    const c = this.seen.get(eventId);
    if (c !== undefined) {
      let i = 0;
      let same = true;
      for (const k in fields) { if (c.keys[i++] !== k) { same = false; break; } }
      if (same && i === c.keys.length) return c.order;
    }
    const keys = Object.keys(fields);
    const canon = canonicalNames(eventId, keys);
    const order = canon.every((k, i) => k === keys[i]) ? null : canon;
    this.seen.set(eventId, { keys, order });
    return order;
  }

  /** `fields` as JSON text in canonical order. */
  json(eventId: number, fields: Readonly<Record<string, string>>): string {
    const order = this.of(eventId, fields);
    return order === null ? JSON.stringify(fields) : JSON.stringify(fields, order);
  }
}
