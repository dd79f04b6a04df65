/**
 * Cross-host stitching (pure): which process on one machine started which process tree on another.
 * Input: the Sysmon facts of a time window (network connections, DNS answers, service ImagePath writes,
 * and the creates whose parent is a remote-execution host process). Output: `lateral` links, each naming
 * its evidence. The evidence rules are in ./lateral.README.md and docs/lateral.md; no evidence, no link.
 */
import type { LateralConfidence, LateralLink, LateralMechanism, LateralResolution } from '@lineage/shared';
import type { EventRecord, LateralFacts, ProcessRecord } from '../sources/event-source.js';

export type { LateralFacts };
import { basename } from './nodes.js';

/** Ports a lateral movement connects to, and the mechanism each implies on the target. */
export const LATERAL_PORTS: Readonly<Record<number, LateralMechanism>> = { 445: 'service', 135: 'wmi', 5985: 'winrm', 5986: 'winrm' };
/** The process on the target that starts the remote tree's root, per mechanism (lowercase basenames). */
export const LAUNCHERS: Readonly<Record<LateralMechanism, readonly string[]>> = {
  service: ['services.exe'], wmi: ['wmiprvse.exe'], winrm: ['wsmprovhost.exe', 'winrshost.exe'],
};
export const LAUNCHER_NAMES = [...new Set(Object.values(LAUNCHERS).flat())];

export interface LateralOptions {
  /** How far apart the two ends' records of one connection may be (clock skew + logging delay). */
  toleranceMs: number;
  /** How long after the connection the target's root may start. */
  startWithinMs: number;
}
export const DEFAULT_LATERAL_OPTIONS: LateralOptions = { toleranceMs: 5_000, startWithinMs: 120_000 };

/**
 * One EventID 3 as its host wrote it. For an outbound record (`Initiated=true`) Source* is this host's
 * end. For an inbound one Sysmon versions differ: some write this host's end as Source* (the
 * EVTX-ATTACK-SAMPLES captures), others the initiator's (the OTRF captures) — both are matched.
 */
interface Conn {
  ev: EventRecord;
  ms: number;
  initiated: boolean;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
}

const LOOPBACK = /^(127\.|::1$|0\.0\.0\.0$|::$)/;

/** `::ffff:10.0.0.5` → `10.0.0.5`; lowercase; empty for junk. */
export function normaliseIp(raw: string | undefined): string {
  const ip = (raw ?? '').trim().toLowerCase().replace(/^::ffff:/, '');
  return /^[0-9a-f:.]{2,45}$/.test(ip) ? ip : '';
}

function toConn(ev: EventRecord): Conn | null {
  const f = ev.fields;
  const localIp = normaliseIp(f.SourceIp);
  const remoteIp = normaliseIp(f.DestinationIp);
  const localPort = Number(f.SourcePort);
  const remotePort = Number(f.DestinationPort);
  if (!localIp || !remoteIp || LOOPBACK.test(localIp) || LOOPBACK.test(remoteIp) || localIp === remoteIp) return null;
  if (!Number.isInteger(localPort) || !Number.isInteger(remotePort)) return null;
  const ms = Date.parse(ev.time);
  if (!Number.isFinite(ms)) return null;
  return { ev, ms, initiated: String(f.Initiated).toLowerCase() === 'true', localIp, localPort, remoteIp, remotePort };
}

/** Whether inbound record `i` is outbound record `o` seen from the other end (either orientation). */
function sameConnection(o: Conn, i: Conn): boolean {
  const mirrored = i.localIp === o.remoteIp && i.localPort === o.remotePort && i.remoteIp === o.localIp && i.remotePort === o.localPort;
  const asWritten = i.localIp === o.localIp && i.localPort === o.localPort && i.remoteIp === o.remoteIp && i.remotePort === o.remotePort;
  return mirrored || asWritten;
}

/** IPs in a DNS answer (`::ffff:10.0.0.5;10.0.0.6;type:  5 x.example;`). */
export function dnsAnswerIps(results: string | undefined): string[] {
  return (results ?? '').split(';').map((s) => normaliseIp(s)).filter((s) => s !== '' && !s.startsWith('type'));
}

/** First DNS label, lowercase: `WS-0011.corp.example` → `ws-0011`. */
const shortName = (name: string): string => name.toLowerCase().split('.')[0] ?? '';

/**
 * Which hosts an address belongs to, from the events alone: a host's own EventID 3 SourceIp, and DNS
 * answers to a query for a name that is one of the hosts (full name, or its first label when unique).
 */
export class AddressBook {
  private readonly byIp = new Map<string, Map<string, LateralResolution[]>>();

  constructor(facts: Pick<LateralFacts, 'addresses' | 'dns'>) {
    const hosts = new Set<string>();
    for (const a of facts.addresses) {
      const ip = normaliseIp(a.ip);
      if (!ip || LOOPBACK.test(ip)) continue;
      hosts.add(a.host);
      this.add(ip, a.host, { via: 'own-address', detail: `${a.host} connects out from ${ip} (EventID 3 SourceIp, Initiated=true)` });
    }
    const byShort = new Map<string, string[]>();
    for (const h of hosts) byShort.set(shortName(h), [...(byShort.get(shortName(h)) ?? []), h]);
    for (const d of facts.dns) {
      const name = (d.fields.QueryName ?? '').toLowerCase();
      const exact = hosts.has(name) ? [name] : byShort.get(shortName(name)) ?? [];
      if (exact.length !== 1 || !name.includes(shortName(exact[0]!)) || shortName(name) === '') continue;
      for (const ip of dnsAnswerIps(d.fields.QueryResults)) {
        this.add(ip, exact[0]!, { via: 'dns', detail: `${d.host} resolved ${name} to ${ip} at ${d.time} (EventID 22)` });
      }
    }
  }

  private add(ip: string, host: string, why: LateralResolution): void {
    const hosts = this.byIp.get(ip) ?? new Map<string, LateralResolution[]>();
    const list = hosts.get(host) ?? [];
    if (!list.some((w) => w.via === why.via)) list.push(why);
    hosts.set(host, list);
    this.byIp.set(ip, hosts);
  }

  /** The one host an address names, with why; null when unknown or claimed by several hosts. */
  resolve(ip: string): { host: string; why: LateralResolution[] } | null {
    const hosts = this.byIp.get(normaliseIp(ip));
    if (!hosts || hosts.size !== 1) return null;
    const [host, why] = [...hosts][0]!;
    return { host, why };
  }
}

interface Candidate { link: LateralLink; gap: number; rank: number }

/**
 * Every lateral link in the facts. For each outbound connection on a remote-execution port: the target host
 * is the one that logged the same connection inbound (5-tuple, within the tolerance) — confidence high — or,
 * when the target did not log it, the one host its address resolves to (medium). The target's root is the
 * first process its mechanism's launcher started on that host from the connection on (within
 * `startWithinMs`). Each root is linked once, to the connection closest before it.
 */
export function linkLateral(facts: LateralFacts, opts: LateralOptions = DEFAULT_LATERAL_OPTIONS): LateralLink[] {
  const conns = facts.connections.map(toConn).filter((c): c is Conn => c !== null);
  const inbound = conns.filter((c) => !c.initiated);
  const book = new AddressBook(facts);
  const roots = facts.creates.filter((p) => Number.isFinite(Date.parse(p.startTime)));
  const cands: Candidate[] = [];
  for (const o of conns) {
    const mechanism = o.initiated ? LATERAL_PORTS[o.remotePort] : undefined;
    if (!mechanism) continue;
    const peer = inbound.find((i) => i.ev.host !== o.ev.host && sameConnection(o, i) && Math.abs(i.ms - o.ms) <= opts.toleranceMs);
    const resolved = peer ? null : book.resolve(o.remoteIp);
    const targetHost = peer?.ev.host ?? resolved?.host;
    if (!targetHost || targetHost === o.ev.host) continue;
    const why: LateralResolution[] = peer
      ? [{ via: 'inbound-connection', detail: `${targetHost} logged the same connection inbound at ${peer.ev.time} (EventID 3, ${peer.ev.fields.Image ?? ''})` }]
      : resolved!.why;
    const since = peer ? Math.min(peer.ms, o.ms) : o.ms;
    for (const r of roots) {
      if (r.host !== targetHost || !LAUNCHERS[mechanism].includes(basename(r.parentImage))) continue;
      const gap = Date.parse(r.startTime) - since;
      if (gap < -opts.toleranceMs || gap > opts.startWithinMs) continue;
      cands.push({ link: makeLink(o, peer, r, mechanism, peer ? 'high' : 'medium', why, gap, facts.services), gap, rank: peer ? 0 : 1 });
    }
  }
  // Strongest evidence first, then the root closest after its connection; each root (and each connection) once.
  cands.sort((a, b) => a.rank - b.rank || Math.abs(a.gap) - Math.abs(b.gap));
  const taken = new Set<string>();
  const used = new Set<string>();
  const out: LateralLink[] = [];
  for (const c of cands) {
    const root = `${c.link.targetHost}\n${c.link.target}`;
    const conn = `${c.link.sourceHost}\n${c.link.evidence.connection.sourcePort}\n${c.link.evidence.connection.sourceTime}`;
    if (taken.has(root) || used.has(conn)) continue;
    taken.add(root);
    used.add(conn);
    out.push(c.link);
  }
  return out.sort((a, b) => (a.evidence.connection.sourceTime < b.evidence.connection.sourceTime ? -1 : 1));
}

/** The service a root runs as, from the target's `Services\<name>\ImagePath` write naming the root's file. */
function serviceName(root: ProcessRecord, services: readonly EventRecord[]): string | null {
  const file = basename(root.image);
  const hit = services.find((s) => s.host === root.host && basename(s.fields.Details ?? '') === file
    && Math.abs(Date.parse(s.time) - Date.parse(root.startTime)) <= 600_000);
  return hit ? /\\Services\\([^\\]+)\\ImagePath$/i.exec(hit.fields.TargetObject ?? '')?.[1] ?? null : null;
}

/** LogonGuid of the root when it is a logon of its own (not SYSTEM 0x3e7, LOCAL/NETWORK SERVICE 0x3e5/0x3e4). */
function logonOf(root: ProcessRecord): string | null {
  const g = root.logonGuid.toLowerCase();
  return g && !/-0000000003e[457]\}?$/.test(g) && !/^\{?0{8}-/.test(g) ? root.logonGuid : null;
}

function makeLink(o: Conn, peer: Conn | undefined, root: ProcessRecord, mechanism: LateralMechanism,
  confidence: LateralConfidence, why: LateralResolution[], gap: number, services: readonly EventRecord[]): LateralLink {
  return {
    kind: 'lateral', source: o.ev.guid, sourceHost: o.ev.host, sourceImage: o.ev.fields.Image ?? '',
    target: root.guid, targetHost: root.host, targetImage: root.image, mechanism, confidence,
    evidence: {
      connection: {
        protocol: (o.ev.fields.Protocol ?? 'tcp').toLowerCase(), sourceIp: o.localIp, sourcePort: o.localPort,
        destinationIp: o.remoteIp, destinationPort: o.remotePort, sourceTime: o.ev.time, targetTime: peer?.ev.time ?? null,
        targetProcess: peer ? { guid: peer.ev.guid, image: peer.ev.fields.Image ?? '' } : null,
      },
      resolution: why,
      launcher: { guid: root.parentGuid ?? '', image: root.parentImage },
      startDelayMs: gap,
      service: mechanism === 'service' ? serviceName(root, services) : null,
      logonGuid: logonOf(root),
    },
  };
}
