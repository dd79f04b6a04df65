/** DuckDB rows (schema.ts PROCESS_COLUMNS / EVENT_COLUMNS) → the EventSource record types. */
import { categoryOf, type Category } from '@lineage/shared';
import type { CreateExtraField, EventRecord, ProcessRecord } from '../event-source.js';
import type { SqlRow } from './sql-runner.js';
import { CREATE_EXTRA_COLUMNS } from './schema.js';

const str = (v: unknown): string => (v == null ? '' : String(v));
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export function toProcess(r: SqlRow): ProcessRecord {
  return {
    guid: str(r.guid),
    parentGuid: r.parent_guid == null ? null : String(r.parent_guid),
    host: str(r.host),
    pid: num(r.pid),
    parentPid: num(r.parent_pid),
    image: str(r.image),
    name: str(r.name),
    commandLine: str(r.command_line),
    parentImage: str(r.parent_image),
    parentCommandLine: str(r.parent_command_line),
    parentUser: str(r.parent_user),
    user: str(r.user),
    integrityLevel: str(r.integrity_level),
    hashes: str(r.hashes),
    currentDirectory: str(r.current_directory),
    logonGuid: str(r.logon_guid),
    startTime: str(r.start_time),
    endTime: r.end_time == null ? null : String(r.end_time),
    query: null,
    jobId: null,
  };
}

/**
 * A rule-scan row (PROCESS_COLUMNS + the CREATE_EXTRA_COLUMNS of `asked`): the record, with the PE fields
 * it has in `fields`. Only the asked fields are looked at (none asked: the plain record).
 */
export function toScanned(r: SqlRow, asked: readonly CreateExtraField[]): ProcessRecord {
  const rec = toProcess(r);
  let fields: Record<string, string> | undefined;
  for (const field of asked) {
    const v = r[CREATE_EXTRA_COLUMNS[field]];
    if (v != null && v !== '') (fields ??= {})[field] = String(v);
  }
  if (fields) rec.fields = fields;
  return rec;
}

export function toEvent(r: SqlRow): EventRecord {
  const eventId = Number(r.event_id);
  let fields: Record<string, string>;
  try {
    fields = JSON.parse(str(r.fields)) as Record<string, string>;
  } catch {
    fields = {};
  }
  return {
    guid: str(r.guid),
    host: str(r.host),
    eventId,
    category: (r.category as Category | null) ?? categoryOf(eventId),
    time: str(r.time),
    recordId: num(r.record_id),
    targetGuid: r.target_guid == null ? null : String(r.target_guid),
    fields,
  };
}
