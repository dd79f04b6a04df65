/**
 * Which processes the demo fleet plants, by GUID — the one place tests (API, e2e, rules) learn
 * them, so no test hard-codes a GUID. Pure: computed from the seed and host count alone, without
 * generating the fleet (fleet density and `days` do not change it).
 */
import { deriveSeed, Prng } from './prng.js';

export const DEFAULT_SEED = 1337;
/** Midnight UTC of demo day 0 (a Monday). Fixed, so a seed always yields the same timestamps. */
export const DEMO_EPOCH_MS = Date.UTC(2026, 2, 2);

/** FQDN of host `i` (0-based), as Sysmon's Computer field writes it (lowercased by the store). */
export function hostName(i: number): string {
  return `ws-${String(i + 1).padStart(4, '0')}.corp.example`;
}

/**
 * Stable IPv4 address of host `i` (0-based): every EventID 3 the host writes carries it as SourceIp,
 * and DNS answers for its name return it — so a connection's destination resolves to a host from the
 * events alone (docs/lateral.md).
 */
export function hostIp(i: number): string {
  return `10.40.${Math.floor(i / 200)}.${(i % 200) + 21}`;
}

/** One side of a planted cross-host movement. */
export interface LateralEnd { host: string; ip: string }

/** The 8-hex machine part shared by every ProcessGuid of host `i` (as in real Sysmon GUIDs). */
export function machinePart(seed: number, i: number): string {
  return new Prng(deriveSeed(seed, 'machine', i)).hex(8);
}

/** Planted attack/oddity scenarios and the GUIDs of their processes (canonical form). */
export interface PlantedManifest {
  seed: number;
  hosts: number;
  /** OUTLOOK → WINWORD → cmd → powershell → rundll32, with C2 traffic, DNS and a Run-key write. */
  phishing: { host: string; explorer: string; outlook: string; winword: string; cmd: string; powershell: string; rundll32: string; c2Ip: string; c2Domain: string; time: string };
  /** cmd.exe → powershell.exe → winword.exe. */
  cmdPowershellWinword: { host: string; cmd: string; powershell: string; winword: string; time: string };
  /** cmd → conhost → powershell → excel (the same chain with intermediates). */
  conhostChain: { host: string; cmd: string; conhost: string; powershell: string; excel: string; time: string };
  /** A dropped binary (written by powershell, EventID 11) opening lsass (EventID 10). */
  lsassAccess: { host: string; powershell: string; dropper: string; lsass: string; time: string };
  /** CreateRemoteThread (EventID 8) from an injector into explorer. */
  remoteThread: { host: string; source: string; target: string; time: string };
  /** A process whose parent GUID has no EventID 1 anywhere (started before logging). */
  notLogged: { host: string; parentGuid: string; child: string; grandchild: string; time: string };
  /** One process with exactly `childCount` children. */
  bigParent: { host: string; guid: string; childCount: number; time: string };
  /** A child created just over an hour after its parent: outside the default window (root −1 h). */
  outsideWindow: { host: string; parent: string; child: string; gapMs: number; time: string };
  /** ≥ 10 near-identical siblings (command lines differ only in digits, GUIDs, temp names). */
  siblings: { host: string; parent: string; children: string[]; time: string };
  /** The same ProcessGuid on two hosts (cloned machines); null with a single host. */
  sharedGuid: { guid: string; hosts: [string, string]; time: string } | null;
  /**
   * PsExec from `source` to `target`, both sides logged: cmd → PsExec64 (DNS for the target, EID 3 to
   * target:445 from `sourcePort`); on the target System's inbound EID 3, services → PSEXESVC → cmd.
   * Null with a single host.
   */
  psexec: { source: LateralEnd; target: LateralEnd; cmd: string; psexec: string; psexesvc: string; payload: string; service: string; sourcePort: number; time: string } | null;
  /** WMI (wmic /node) from `source` to `target`: EID 3 to :135 and a dynamic port; WmiPrvSE → payload on the target. */
  wmi: { source: LateralEnd; target: LateralEnd; wmic: string; wmiprvse: string; payload: string; sourcePort: number; time: string } | null;
  /**
   * Two hosts running the same scheduled inventory script (cmd → cscript, ipconfig, systeminfo); on `hostB` the
   * run also starts `net user … /add` and opens one more connection — the planted difference for compare.
   */
  compare: { hostA: string; hostB: string; rootA: string; rootB: string; extraB: string; time: string } | null;
}

/** Clock time on day 0 as ISO. */
export function demoTime(h: number, m: number, s: number, ms = 0): string {
  return new Date(DEMO_EPOCH_MS + ((h * 60 + m) * 60 + s) * 1000 + ms).toISOString();
}

export function plantedManifest(opts: { seed?: number; hosts?: number } = {}): PlantedManifest {
  const seed = opts.seed ?? DEFAULT_SEED;
  const hosts = Math.max(1, opts.hosts ?? 20);
  const r = new Prng(deriveSeed(seed, 'planted'));
  const at = (k: number) => { const i = k % hosts; return { i, host: hostName(i), g: () => r.guid(machinePart(seed, i)) }; };
  const ph = at(0);
  const c1 = at(1);
  const c2 = at(2);
  const ls = at(3);
  const rt = at(4);
  const nl = at(5);
  const bp = at(6);
  const ow = at(7);
  const sb = at(8);
  const m: PlantedManifest = {
    seed,
    hosts,
    phishing: { host: ph.host, explorer: ph.g(), outlook: ph.g(), winword: ph.g(), cmd: ph.g(), powershell: ph.g(), rundll32: ph.g(), c2Ip: '185.141.62.77', c2Domain: 'cdn-office-update.net', time: demoTime(9, 41, 12, 250) },
    cmdPowershellWinword: { host: c1.host, cmd: c1.g(), powershell: c1.g(), winword: c1.g(), time: demoTime(11, 5, 33, 100) },
    conhostChain: { host: c2.host, cmd: c2.g(), conhost: c2.g(), powershell: c2.g(), excel: c2.g(), time: demoTime(13, 22, 7, 640) },
    lsassAccess: { host: ls.host, powershell: ls.g(), dropper: ls.g(), lsass: ls.g(), time: demoTime(14, 2, 51, 10) },
    remoteThread: { host: rt.host, source: rt.g(), target: rt.g(), time: demoTime(15, 17, 40, 900) },
    notLogged: { host: nl.host, parentGuid: nl.g(), child: nl.g(), grandchild: nl.g(), time: demoTime(0, 0, 41, 0) },
    bigParent: { host: bp.host, guid: bp.g(), childCount: 500, time: demoTime(2, 0, 0, 0) },
    outsideWindow: { host: ow.host, parent: ow.g(), child: ow.g(), gapMs: 65 * 60_000, time: demoTime(16, 30, 0, 0) },
    siblings: { host: sb.host, parent: sb.g(), children: Array.from({ length: 14 }, () => sb.g()), time: demoTime(10, 12, 0, 0) },
    sharedGuid: hosts < 2 ? null : { guid: r.guid(machinePart(seed, 0)), hosts: [hostName(0), hostName(1)], time: demoTime(12, 0, 0, 0) },
    psexec: null,
    wmi: null,
    compare: null,
  };
  if (hosts >= 2) {
    // Drawn after every older scenario, so their GUIDs are unchanged.
    const a = at(9);
    const b = at(10);
    const src = { host: a.host, ip: hostIp(a.i) };
    const dst = { host: b.host, ip: hostIp(b.i) };
    m.psexec = { source: src, target: dst, cmd: a.g(), psexec: a.g(), psexesvc: b.g(), payload: b.g(), service: 'PSEXESVC', sourcePort: 49712, time: demoTime(10, 31, 4, 120) };
    m.wmi = { source: src, target: dst, wmic: a.g(), wmiprvse: b.g(), payload: b.g(), sourcePort: 49733, time: demoTime(10, 52, 18, 480) };
    const ca = at(11);
    const cb = at(12);
    if (ca.i !== cb.i) m.compare = { hostA: ca.host, hostB: cb.host, rootA: ca.g(), rootB: cb.g(), extraB: cb.g(), time: demoTime(3, 15, 0, 0) };
  }
  // With few hosts two scenarios can share a machine: one explorer.exe per host serves both.
  if (m.remoteThread.host === m.phishing.host) m.remoteThread.target = m.phishing.explorer;
  return m;
}

/** Every planted GUID on a host (the generator must not reuse one for a benign process). */
export function plantedRoles(m: PlantedManifest): Map<string, string> {
  const out = new Map<string, string>();
  const add = (host: string, role: string, guid: string): void => { out.set(`${host}|${role}`, guid); };
  add(m.phishing.host, 'explorer', m.phishing.explorer);
  add(m.lsassAccess.host, 'lsass', m.lsassAccess.lsass);
  add(m.remoteThread.host, 'explorer', m.remoteThread.target);
  return out;
}
