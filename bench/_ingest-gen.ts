/**
 * Synthetic but realistic Sysmon for the ingest benchmark: the EventID mix, field sets and value
 * shapes of real captures (OTRF, attack_data), written as Splunk XmlWinEventLog lines (single quotes,
 * upper-case GUIDs) or NXLog-style flat JSON lines. Seeded, so every run reads the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 as rng } from '../server/src/demo/prng.js';


const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0').slice(-w);

const IMAGES = [
  'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\cmd.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Windows\\System32\\conhost.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  'C:\\Windows\\System32\\rundll32.exe', 'C:\\Windows\\System32\\taskhostw.exe', 'C:\\Windows\\System32\\lsass.exe',
];
const DLLS = ['C:\\Windows\\System32\\ntdll.dll', 'C:\\Windows\\System32\\kernel32.dll', 'C:\\Windows\\System32\\advapi32.dll', 'C:\\Windows\\System32\\wininet.dll'];
const CALLTRACE = 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2bdae|C:\\Windows\\System32\\KERNEL32.DLL+1a2b3|C:\\Windows\\System32\\RPCRT4.dll+580d4|UNKNOWN(00007FF8A1B2C3D4)';

/** One synthetic event: System part plus ordered Data pairs. */
interface GenEvent { eventId: number; recordId: number; host: string; time: string; data: [string, string][] }

/** EventID mix close to real endpoint captures (image loads, process access, registry dominate). */
const MIX: [number, number][] = [[1, 5], [3, 10], [5, 4], [7, 28], [10, 20], [11, 10], [12, 6], [13, 12], [22, 5]];

/** Generates `count` events, one at a time (nothing is held in memory). */
export function* generateEvents(count: number, seed = 42): Generator<GenEvent> {
  const r = rng(seed);
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  const hosts = Array.from({ length: 50 }, (_, i) => `ws${String(i).padStart(3, '0')}.corp.example.com`);
  const guid = (n: number): string => `{5D8A1C2B-${hex(n >>> 16, 4)}-6630-${hex(n, 4)}-00000000${hex(n * 7, 4)}}`;
  let t = Date.UTC(2024, 4, 1, 8, 0, 0);
  for (let i = 0; i < count; i++) {
    let pick = r() * total;
    let eventId = 1;
    for (const [id, w] of MIX) { pick -= w; if (pick < 0) { eventId = id; break; } }
    t += Math.floor(r() * 20);
    const time = new Date(t).toISOString().replace('T', ' ').slice(0, 23);
    const host = hosts[i % hosts.length]!;
    const p = Math.floor(r() * 200_000);
    const image = IMAGES[p % IMAGES.length]!;
    const data: [string, string][] = [['RuleName', r() < 0.8 ? '-' : 'technique_id=T1055,technique_name=Process Injection'], ['UtcTime', time]];
    const proc: [string, string][] = [['ProcessGuid', guid(p)], ['ProcessId', String(1000 + (p % 9000))], ['Image', image]];
    switch (eventId) {
      case 1:
        data.push(...proc, ['FileVersion', '10.0.19041.1 (WinBuild.160101.0800)'], ['Description', 'Windows Command Processor'],
          ['Product', 'Microsoft® Windows® Operating System'], ['Company', 'Microsoft Corporation'], ['OriginalFileName', 'Cmd.Exe'],
          ['CommandLine', `"${image}" /c echo ${p} > "C:\\Users\\user${p % 40}\\AppData\\Local\\Temp\\x${p}.txt" && whoami`],
          ['CurrentDirectory', `C:\\Users\\user${p % 40}\\`], ['User', `CORP\\user${p % 40}`], ['LogonGuid', guid(p ^ 0xffff)],
          ['LogonId', `0x${hex(p, 6)}`], ['TerminalSessionId', '1'], ['IntegrityLevel', 'Medium'],
          ['Hashes', `SHA1=${hex(p, 8)}C46C652DDEFC87414213A8BEA0C65DD0377A9,MD5=563EDAE37876138FDFF47F3E7A9A78FD,SHA256=F42201B5D890A96302F90102B16D7C31CFCC3B67C801BA7C6F6BE223F16D7011,IMPHASH=0F71D5F6F4CBB935CE1B09754102419C`],
          ['ParentProcessGuid', guid(p >> 1)], ['ParentProcessId', String(1000 + ((p >> 1) % 9000))],
          ['ParentImage', IMAGES[(p >> 1) % IMAGES.length]!], ['ParentCommandLine', `C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule`],
          ['ParentUser', 'NT AUTHORITY\\SYSTEM']);
        break;
      case 3:
        data.push(...proc, ['User', `CORP\\user${p % 40}`], ['Protocol', 'tcp'], ['Initiated', 'true'], ['SourceIsIpv6', 'false'],
          ['SourceIp', `10.1.${p % 250}.${(p >> 8) % 250}`], ['SourceHostname', host], ['SourcePort', String(49152 + (p % 16000))],
          ['SourcePortName', '-'], ['DestinationIsIpv6', 'false'], ['DestinationIp', `203.0.113.${p % 250}`],
          ['DestinationHostname', `cdn${p % 90}.example.net`], ['DestinationPort', '443'], ['DestinationPortName', 'https']);
        break;
      case 5:
        data.push(...proc, ['User', `CORP\\user${p % 40}`]);
        break;
      case 7:
        data.push(...proc, ['ImageLoaded', DLLS[p % DLLS.length]!], ['FileVersion', '10.0.19041.1'], ['Description', 'Windows NT BASE API Client DLL'],
          ['Product', 'Microsoft® Windows® Operating System'], ['Company', 'Microsoft Corporation'], ['OriginalFileName', 'kernel32'],
          ['Hashes', 'SHA1=1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E,MD5=0123456789ABCDEF0123456789ABCDEF'], ['Signed', 'true'],
          ['Signature', 'Microsoft Windows'], ['SignatureStatus', 'Valid'], ['User', 'NT AUTHORITY\\SYSTEM']);
        break;
      case 10:
        data.push(['SourceProcessGUID', guid(p)], ['SourceProcessId', String(1000 + (p % 9000))], ['SourceThreadId', String(p % 8000)],
          ['SourceImage', image], ['TargetProcessGUID', guid(p + 1)], ['TargetProcessId', String(1000 + ((p + 1) % 9000))],
          ['TargetImage', 'C:\\Windows\\system32\\lsass.exe'], ['GrantedAccess', '0x1410'], ['CallTrace', CALLTRACE],
          ['SourceUser', 'NT AUTHORITY\\SYSTEM'], ['TargetUser', 'NT AUTHORITY\\SYSTEM']);
        break;
      case 11:
        data.push(...proc, ['TargetFilename', `C:\\Users\\user${p % 40}\\AppData\\Local\\Temp\\~DF${hex(p, 6)}.tmp`],
          ['CreationUtcTime', time], ['User', `CORP\\user${p % 40}`]);
        break;
      case 12:
      case 13:
        data.push(['EventType', eventId === 12 ? 'CreateKey' : 'SetValue'], ['UtcTime2', time], ...proc,
          ['TargetObject', `HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\item${p % 500}`],
          ...(eventId === 13 ? [['Details', `"C:\\Program Files\\App${p % 30}\\app.exe" --background & <silent>`] as [string, string]] : []),
          ['User', `CORP\\user${p % 40}`]);
        break;
      case 22:
        data.push(...proc, ['QueryName', `host${p % 1000}.example.org`], ['QueryStatus', '0'],
          ['QueryResults', `::ffff:198.51.100.${p % 250};`], ['User', `CORP\\user${p % 40}`]);
        break;
    }
    // UtcTime2 is only a generator aid for registry events (Sysmon 12/13 have no second time).
    yield { eventId, recordId: 1_000_000 + i, host, time, data: data.filter(([k]) => k !== 'UtcTime2') };
  }
}

const XML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;' };
const esc = (s: string): string => s.replace(/[&<>']/g, (c) => XML_ESC[c]!);

/** Splunk XmlWinEventLog line (single-quoted attributes). */
export function toXmlLine(e: GenEvent): string {
  let s = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>${e.eventId}</EventID><Version>5</Version><Level>4</Level><Task>${e.eventId}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='${e.time.replace(' ', 'T')}1234Z'/><EventRecordID>${e.recordId}</EventRecordID><Correlation/><Execution ProcessID='2740' ThreadID='3440'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${e.host}</Computer><Security UserID='S-1-5-18'/></System><EventData>`;
  for (const [k, v] of e.data) s += v === '' ? `<Data Name='${k}'/>` : `<Data Name='${k}'>${esc(v)}</Data>`;
  return `${s}</EventData></Event>`;
}

/** NXLog im_msvistalog-style flat JSON line. */
export function toJsonLine(e: GenEvent): string {
  const o: Record<string, unknown> = {
    EventTime: e.time.slice(0, 19), Hostname: e.host, Keywords: -9223372036854775808, EventType: 'INFO', SeverityValue: 2,
    Severity: 'INFO', EventID: e.eventId, SourceName: 'Microsoft-Windows-Sysmon', ProviderGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    Version: 5, Task: e.eventId, OpcodeValue: 0, RecordNumber: e.recordId, ProcessID: 2740, ThreadID: 3440,
    Channel: 'Microsoft-Windows-Sysmon/Operational', Domain: 'NT AUTHORITY', AccountName: 'SYSTEM', UserID: 'S-1-5-18',
  };
  for (const [k, v] of e.data) o[k] = v;
  o.EventReceivedTime = e.time.slice(0, 19);
  o.SourceModuleName = 'eventlog';
  o.SourceModuleType = 'im_msvistalog';
  return JSON.stringify(o);
}

/** Write `count` events to `path`, one line each; returns bytes written. */
export async function writeEventFile(path: string, count: number, format: 'xml' | 'json', seed = 42): Promise<number> {
  const out = createWriteStream(path);
  const line = format === 'xml' ? toXmlLine : toJsonLine;
  let bytes = 0;
  let buf: string[] = [];
  for (const e of generateEvents(count, seed)) {
    buf.push(line(e));
    if (buf.length === 2000) {
      const text = buf.join('\n') + '\n';
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length) { const text = buf.join('\n') + '\n'; bytes += Buffer.byteLength(text); out.write(text); }
  out.end();
  await once(out, 'finish');
  return bytes;
}
