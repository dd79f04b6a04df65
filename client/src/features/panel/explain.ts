/** Words for analysts: why a node is a placeholder, and a one-line summary of an event. */
import type { GraphEvent, ProcessNode } from '@lineage/shared';

/** Why this placeholder exists and what can be done about it (docs/api.md `GET /api/graph`, placeholderReason). */
export function placeholderExplanation(n: ProcessNode): string {
  switch (n.placeholderReason) {
    case 'zero-guid':
      return 'Sysmon recorded an all-zero parent GUID: the parent is unknown to Sysmon (typically a process started before Sysmon or by the kernel). What is shown comes from the child\'s Parent* fields.';
    case 'not-in-range':
      return 'This parent\'s process-create (EventID 1) exists, but outside the current time window. Search wider to draw the real process.';
    case 'not-logged':
      return 'No process-create (EventID 1) for this GUID exists anywhere in the data: it was never logged (Sysmon started later, a filter dropped it, or the log rolled over). What is shown comes from the child\'s Parent* fields.';
    default:
      return 'This parent has no process-create record; it is reconstructed from its child\'s Parent* fields.';
  }
}

const SUMMARY_FIELDS = [
  ['DestinationIp', 'DestinationPort'], ['QueryName', 'QueryResults'], ['TargetFilename'], ['TargetObject', 'Details'],
  ['ImageLoaded'], ['TargetImage', 'GrantedAccess'], ['PipeName'], ['CommandLine'], ['Destination'], ['Query'],
] as const;

/** The fields that say what the event did (destination, file, key, module…), joined. */
export function eventSummary(ev: GraphEvent): string {
  for (const group of SUMMARY_FIELDS) {
    const vals = group.map((f) => ev.fields[f]).filter((v): v is string => Boolean(v));
    if (vals.length) return vals.join(group[0] === 'DestinationIp' ? ':' : ' · ');
  }
  const first = Object.entries(ev.fields).find(([k]) => !['UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'RuleName', 'User'].includes(k));
  return first ? `${first[0]}: ${first[1]}` : '';
}
