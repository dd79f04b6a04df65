/**
 * `logsource` → which Windows events a rule applies to: the Sysmon channel and EventIDs for the Sysmon
 * categories, the event channel (and EventIDs) for the Windows services and PowerShell categories that
 * a Windows event file carries. Anything else cannot be evaluated, with the reason.
 */
import { Unevaluable } from './modifiers.js';

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';

/** Sysmon categories → EventIDs (pySigma's Sysmon pipeline; issue #19's list). */
export const SYSMON_CATEGORIES: Record<string, number[]> = {
  process_creation: [1],
  file_change: [2],
  network_connection: [3],
  sysmon_status: [4, 16],
  process_termination: [5],
  driver_load: [6],
  image_load: [7],
  create_remote_thread: [8],
  raw_access_thread: [9],
  process_access: [10],
  file_event: [11],
  registry_add: [12],
  registry_delete: [12],
  registry_set: [13],
  registry_rename: [14],
  registry_event: [12, 13, 14],
  create_stream_hash: [15],
  pipe_created: [17, 18],
  wmi_event: [19, 20, 21],
  dns_query: [22],
  file_delete: [23, 26],
  clipboard_capture: [24],
  process_tampering: [25],
  file_block_executable: [27],
  file_block_shredding: [28],
  file_executable_detected: [29],
  sysmon_error: [255],
};

/** Windows services / non-Sysmon categories whose events come from one channel. */
const CHANNELS: Record<string, { channel: string; eventIds?: number[] }> = {
  'service:security': { channel: 'Security' },
  'service:system': { channel: 'System' },
  'service:application': { channel: 'Application' },
  'service:sysmon': { channel: SYSMON_CHANNEL },
  'service:powershell': { channel: 'Microsoft-Windows-PowerShell/Operational' },
  'service:powershell-classic': { channel: 'Windows PowerShell' },
  'service:taskscheduler': { channel: 'Microsoft-Windows-TaskScheduler/Operational' },
  'service:wmi': { channel: 'Microsoft-Windows-WMI-Activity/Operational' },
  'service:windefend': { channel: 'Microsoft-Windows-Windows Defender/Operational' },
  'service:bits-client': { channel: 'Microsoft-Windows-Bits-Client/Operational' },
  'service:codeintegrity-operational': { channel: 'Microsoft-Windows-CodeIntegrity/Operational' },
  'service:dns-client': { channel: 'Microsoft-Windows-DNS Client Events/Operational' },
  'service:firewall-as': { channel: 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall' },
  'service:appxdeployment-server': { channel: 'Microsoft-Windows-AppXDeploymentServer/Operational' },
  'service:ntlm': { channel: 'Microsoft-Windows-NTLM/Operational' },
  'service:applocker': { channel: 'Microsoft-Windows-AppLocker/EXE and DLL' },
  'service:openssh': { channel: 'OpenSSH/Operational' },
  'category:ps_script': { channel: 'Microsoft-Windows-PowerShell/Operational', eventIds: [4104] },
  'category:ps_module': { channel: 'Microsoft-Windows-PowerShell/Operational', eventIds: [4103] },
  'category:ps_classic_start': { channel: 'Windows PowerShell', eventIds: [400] },
  'category:ps_classic_provider_start': { channel: 'Windows PowerShell', eventIds: [600] },
};

/** Where a rule applies: `eventIds` null = any EventID of the channel. */
export interface Applies {
  channel: string;
  eventIds: number[] | null;
  /** True for the Sysmon channel: the only events the embedded store and the graph hold. */
  sysmon: boolean;
}

export function resolveLogsource(ls: unknown): Applies {
  if (!ls || typeof ls !== 'object') throw new Unevaluable('no logsource');
  const { product, category, service } = ls as Record<string, unknown>;
  if (product !== undefined && product !== 'windows') throw new Unevaluable(`logsource product "${String(product)}" is not Windows`);
  if (typeof category === 'string' && SYSMON_CATEGORIES[category]) {
    if (service !== undefined && service !== 'sysmon') throw new Unevaluable(`logsource category ${category} with service ${String(service)}`);
    return { channel: SYSMON_CHANNEL, eventIds: SYSMON_CATEGORIES[category]!, sysmon: true };
  }
  const key = typeof category === 'string' ? `category:${category}` : typeof service === 'string' ? `service:${service}` : null;
  const ch = key ? CHANNELS[key] : undefined;
  if (!ch) {
    const what = key ? key.replace(':', ' ') : 'logsource without category or service';
    throw new Unevaluable(`${what} has no known Windows event channel or Sysmon EventID`);
  }
  if (typeof category === 'string' && service !== undefined) throw new Unevaluable(`logsource category ${category} with service ${String(service)}`);
  return { channel: ch.channel, eventIds: ch.eventIds ?? null, sysmon: ch.channel === SYSMON_CHANNEL };
}
