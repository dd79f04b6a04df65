/**
 * One simulated Windows host: creates processes and writes the Sysmon events they cause, with
 * the fields real Sysmon writes (raw names), increasing EventRecordIDs in time order.
 */
import { categoryOf } from '@lineage/shared';
import type { SysmonEvent } from '../ingest/record.js';
import { deriveSeed, Prng } from './prng.js';

/** Hash per file path, shared by all hosts (bounded: the demo uses a few hundred paths). */
const HASHES = new Map<string, string>();

/** A simulated process (what children and events need to know of it). */
export interface SimProcess {
  guid: string;
  pid: number;
  image: string;
  commandLine: string;
  user: string;
  startMs: number;
  integrity: string;
  logonGuid: string;
  currentDirectory: string;
}

const SYSTEM = 'NT AUTHORITY\\SYSTEM';

/** Sysmon's UtcTime spelling: `2026-03-02 09:41:12.250`. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

export class HostSim {
  /** Events so far (unordered; `drain` sorts them and assigns record ids). */
  private events: SysmonEvent[] = [];
  private nextPid = 400;
  private recordId = 0;
  /** Count of EventID 1 written (fleet sizing). */
  creates = 0;

  constructor(
    readonly host: string,
    readonly machine: string,
    readonly rng: Prng,
    /** Interactive user of this workstation, e.g. CORP\\jdoe. */
    readonly user: string,
    /** This workstation's stable IPv4 address (its EventID 3 SourceIp); null = a random 10.20.x.y per connection. */
    readonly ip: string | null = null,
    /** Record ids start after this one (history days get their own range: docs/architecture.md "Prevalence"). */
    firstRecordId = 0,
  ) {
    this.recordId = firstRecordId;
  }

  pid(): number {
    this.nextPid += 4 * this.rng.int(1, 60);
    if (this.nextPid > 65_000) this.nextPid = 400 + 4 * this.rng.int(1, 50);
    return this.nextPid;
  }

  private push(eventId: number, ms: number, guid: string | null, fields: Record<string, string>, targetGuid: string | null = null): void {
    const time = new Date(ms).toISOString();
    this.events.push({
      eventId, category: categoryOf(eventId), host: this.host, recordId: null, time,
      guid, targetGuid, fields: { RuleName: '-', UtcTime: time.replace('T', ' ').slice(0, 23), ...fields },
    });
  }

  /** The same file has the same hash everywhere (as in real fleets), and hashing it is then free. */
  private hashOf(path: string): string {
    let h = HASHES.get(path);
    if (h === undefined) {
      h = `SHA256=${new Prng(deriveSeed(0, path)).hex(64).toUpperCase()}`;
      HASHES.set(path, h);
    }
    return h;
  }

  /** Create a process (EventID 1). `parent` null → a pseudo parent that is never logged. */
  spawn(parent: SimProcess | null, image: string, commandLine: string, ms: number, o: {
    guid?: string; user?: string; integrity?: string; cwd?: string; pid?: number; logonGuid?: string;
    parentStub?: { guid: string; pid: number; image: string; commandLine: string; user: string };
  } = {}): SimProcess {
    const user = o.user ?? parent?.user ?? SYSTEM;
    const p: SimProcess = {
      guid: o.guid ?? this.rng.guid(this.machine),
      pid: o.pid ?? this.pid(),
      image, commandLine, user,
      startMs: ms,
      integrity: o.integrity ?? (user === SYSTEM ? 'System' : 'Medium'),
      logonGuid: o.logonGuid ?? parent?.logonGuid ?? `{${this.machine}-0000-0000-0000-0000000003e7}`,
      currentDirectory: o.cwd ?? parent?.currentDirectory ?? 'C:\\Windows\\system32\\',
    };
    const par = parent ?? o.parentStub ?? { guid: '{00000000-0000-0000-0000-000000000000}', pid: 0, image: '', commandLine: '', user: '' };
    const base = image.slice(image.lastIndexOf('\\') + 1);
    this.push(1, ms, p.guid, {
      ProcessGuid: p.guid, ProcessId: String(p.pid), Image: image,
      FileVersion: '10.0.19041.1', Description: base, Product: 'Microsoft® Windows® Operating System',
      Company: 'Microsoft Corporation', OriginalFileName: base.toUpperCase(), CommandLine: commandLine,
      CurrentDirectory: p.currentDirectory, User: user, LogonGuid: p.logonGuid, LogonId: '0x3e7',
      TerminalSessionId: user === SYSTEM ? '0' : '1', IntegrityLevel: p.integrity,
      Hashes: this.hashOf(image),
      ParentProcessGuid: par.guid, ParentProcessId: String(par.pid), ParentImage: par.image,
      ParentCommandLine: par.commandLine, ParentUser: par.user,
    });
    this.creates += 1;
    // Every process maps ntdll first; Sysmon configs that log image loads record it.
    this.imageLoad(p, ms + 1, 'C:\\Windows\\System32\\ntdll.dll');
    return p;
  }

  terminate(p: SimProcess, ms: number): void {
    this.push(5, ms, p.guid, { ProcessGuid: p.guid, ProcessId: String(p.pid), Image: p.image, User: p.user });
  }

  network(p: SimProcess, ms: number, ip: string, port: number, hostname = ''): void {
    // The random address is drawn even when the host has a stable one, so the stream stays the same.
    const random = `10.20.${this.rng.int(0, 3)}.${this.rng.int(2, 250)}`;
    this.connection(p, ms, { initiated: true, localPort: this.rng.int(49152, 65000), remoteIp: ip, remotePort: port, remoteHost: hostname }, this.ip ?? random);
  }

  /**
   * EventID 3 as Sysmon writes it: Source* is this host's end, Destination* the other end — also for an
   * inbound connection (`Initiated: false`), as the Sysmon of the EVTX-ATTACK-SAMPLES captures writes it.
   */
  connection(p: SimProcess, ms: number, c: { initiated: boolean; localPort: number; remoteIp: string; remotePort: number; remoteHost?: string }, localIp = this.ip ?? ''): void {
    const portName = (n: number): string => ({ 443: 'https', 445: 'microsoft-ds', 135: 'epmap' } as Record<number, string>)[n] ?? '';
    this.push(3, ms, p.guid, {
      ProcessGuid: p.guid, ProcessId: String(p.pid), Image: p.image, User: p.user, Protocol: 'tcp', Initiated: String(c.initiated),
      SourceIsIpv6: 'false', SourceIp: localIp, SourceHostname: this.host, SourcePort: String(c.localPort),
      ...(c.initiated ? {} : { SourcePortName: portName(c.localPort) }), DestinationIsIpv6: 'false', DestinationIp: c.remoteIp,
      DestinationHostname: c.remoteHost ?? '', DestinationPort: String(c.remotePort), DestinationPortName: c.initiated ? portName(c.remotePort) : '',
    });
  }

  dns(p: SimProcess, ms: number, name: string, results: string): void {
    this.push(22, ms, p.guid, {
      ProcessGuid: p.guid, ProcessId: String(p.pid), QueryName: name, QueryStatus: '0', QueryResults: results,
      Image: p.image, User: p.user,
    });
  }

  fileCreate(p: SimProcess, ms: number, path: string): void {
    this.push(11, ms, p.guid, {
      ProcessGuid: p.guid, ProcessId: String(p.pid), Image: p.image, TargetFilename: path,
      CreationUtcTime: utcTime(ms), User: p.user,
    });
  }

  registrySet(p: SimProcess, ms: number, key: string, details: string): void {
    this.push(13, ms, p.guid, {
      EventType: 'SetValue', ProcessGuid: p.guid, ProcessId: String(p.pid), Image: p.image, TargetObject: key,
      Details: details, User: p.user,
    });
  }

  imageLoad(p: SimProcess, ms: number, dll: string): void {
    this.push(7, ms, p.guid, {
      ProcessGuid: p.guid, ProcessId: String(p.pid), Image: p.image, ImageLoaded: dll, FileVersion: '10.0.19041.1',
      Signed: 'true', Signature: 'Microsoft Windows', SignatureStatus: 'Valid', User: p.user,
      Hashes: this.hashOf(dll),
    });
  }

  /** EventID 10: `src` opened `target`. */
  processAccess(src: SimProcess, target: SimProcess, ms: number, access: string): void {
    this.push(10, ms, src.guid, {
      SourceProcessGUID: src.guid, SourceProcessId: String(src.pid), SourceThreadId: String(this.rng.int(1000, 9000)),
      SourceImage: src.image, TargetProcessGUID: target.guid, TargetProcessId: String(target.pid), TargetImage: target.image,
      GrantedAccess: access, CallTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4|UNKNOWN(0000000000A1B2C3)',
      SourceUser: src.user, TargetUser: target.user,
    }, target.guid);
  }

  /** EventID 8: `src` started a thread in `target`. */
  remoteThread(src: SimProcess, target: SimProcess, ms: number): void {
    this.push(8, ms, src.guid, {
      SourceProcessGuid: src.guid, SourceProcessId: String(src.pid), SourceImage: src.image,
      TargetProcessGuid: target.guid, TargetProcessId: String(target.pid), TargetImage: target.image,
      NewThreadId: String(this.rng.int(1000, 9000)), StartAddress: '0x00000000034A0000', StartModule: '-', StartFunction: '-',
      SourceUser: src.user, TargetUser: target.user,
    }, target.guid);
  }

  /** Events so far sorted by time with EventRecordIDs assigned (as Sysmon numbers them); clears the buffer. */
  drain(): SysmonEvent[] {
    const out = this.events;
    this.events = [];
    out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const e of out) e.recordId = ++this.recordId;
    return out;
  }

  get pending(): number {
    return this.events.length;
  }
}
