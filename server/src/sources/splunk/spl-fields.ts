/**
 * SPL field knowledge: which EventCodes make a category, which process-create fields a tree reads,
 * their CIM names under the Sysmon add-on, and the field naming the machine (docs/splunk.md).
 */
import type { Category } from '@lineage/shared';
import { bad } from './spl-values.js';
import { CREATE_EXTRA_FIELDS, type CreateExtraField } from '../event-source.js';

/** Sysmon EventIDs per category (shared/src/categories.ts); `other` is everything not listed. */
export const CATEGORY_EVENT_CODES: Readonly<Record<Exclude<Category, 'other'>, number[]>> = {
  process: [1, 5], network: [3], image: [7], 'remote-thread': [8], 'raw-access': [9], 'process-access': [10],
  file: [2, 11, 15, 23, 26, 27, 28, 29], registry: [12, 13, 14], pipe: [17, 18], wmi: [19, 20, 21], dns: [22],
  clipboard: [24], tamper: [25],
};

/** A predicate selecting one category's EventCodes. */
export function categoryPredicate(category: Category): string {
  if (category === 'other') {
    const all = Object.values(CATEGORY_EVENT_CODES).flat();
    return `NOT EventCode IN (${all.join(', ')})`;
  }
  const codes = CATEGORY_EVENT_CODES[category];
  if (!codes) throw bad('category', `unknown category "${String(category)}"`);
  return codes.length === 1 ? `EventCode=${codes[0]}` : `EventCode IN (${codes.join(', ')})`;
}

/** Process-create fields a tree needs, by raw Sysmon name (the names our results always use). */
export const PROCESS_FIELDS = [
  'ParentProcessGuid', 'ProcessId', 'ParentProcessId', 'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine',
  'ParentUser', 'User', 'IntegrityLevel', 'Hashes', 'CurrentDirectory', 'LogonGuid', 'UtcTime',
] as const;

/**
 * Process-create fields only the rule scan adds to PROCESS_FIELDS (docs/splunk.md "Rule scans"): every
 * CREATE_EXTRA_FIELDS (the PE version resource Sigma detections read). They reach the engine in a record's
 * `fields`; the tree's searches do not carry them.
 */
export const SCAN_EXTRA_FIELDS: readonly CreateExtraField[] = CREATE_EXTRA_FIELDS;

/**
 * CIM names for the raw names we search on, as far as the Sysmon add-on defines them
 * (docs/splunk-protocol.md §5.2): it has no CIM name for LogonGuid or ParentUser, nor for Description,
 * Product, Company or FileVersion, so those stay raw; OriginalFileName is `original_file_name`.
 */
export const CIM: Record<string, string> = {
  ProcessGuid: 'process_guid', ParentProcessGuid: 'parent_process_guid', ProcessId: 'process_id',
  ParentProcessId: 'parent_process_id', Image: 'process_path', CommandLine: 'process', ParentImage: 'parent_process_path',
  ParentCommandLine: 'parent_process', User: 'user', IntegrityLevel: 'process_integrity_level',
  Hashes: 'process_hash', CurrentDirectory: 'process_current_directory', OriginalFileName: 'original_file_name',
};

/**
 * The machine of an event (docs/splunk.md "One machine, one identity"): Splunk's `host` is whatever
 * the forwarder set (the short name on a Universal Forwarder, the collector under WEF), so machines
 * are named by the event's own `Computer` (FQDN); in CIM style by the add-on's `dvc_nt_host`, which
 * is the machine for every EventID (`dest` is the destination for EventID 3).
 */
export const MACHINE = { raw: 'Computer', cim: 'dvc_nt_host' } as const;

/** EventCodes whose actor the add-on names `parent_process_*` (image load, remote thread, process access). */
export const ACTOR_IS_PARENT = 'EventCode=7 OR EventCode=8 OR EventCode=10';
