/**
 * Planted scenarios that span two hosts (planted.ts names their GUIDs): a PsExec and a WMI lateral
 * movement with both sides logged, and two hosts running the same inventory task with one planted
 * difference (for compare). Each host writes only its own side, as Sysmon would.
 */
import type { BootedHost } from './benign.js';
import type { HostSim } from './host-sim.js';
import type { PlantedManifest } from './planted.js';

const S32 = 'C:\\Windows\\System32';
const PS = `${S32}\\WindowsPowerShell\\v1.0\\powershell.exe`;
const ADMIN = 'CORP\\it-admin';
const SYSTEM = 'NT AUTHORITY\\SYSTEM';
const PAYLOAD_PSEXEC = 'cmd /c "whoami /all & net localgroup administrators"';
const PAYLOAD_WMI = 'powershell.exe -nop -w hidden -c "Get-Process lsass; Get-LocalGroupMember Administrators"';
/** The RPC dynamic port the target's WMI service answers on after the endpoint mapper (:135). */
const WMI_DYNAMIC_PORT = 49668;
const ms = (iso: string): number => Date.parse(iso);

/** Plant every cross-host scenario with a side on `h` (day 0 only). */
export function plantCrossHost(h: HostSim, b: BootedHost, m: PlantedManifest): void {
  if (m.psexec && m.wmi && h.host === m.psexec.source.host) lateralSource(h, b, m.psexec, m.wmi);
  if (m.psexec && h.host === m.psexec.target.host) psexecTarget(h, b, m.psexec);
  if (m.wmi && h.host === m.wmi.target.host) wmiTarget(h, b, m.wmi);
  const c = m.compare;
  if (c && (h.host === c.hostA || h.host === c.hostB)) inventory(h, b, c, h.host === c.hostB);
}

type Psexec = NonNullable<PlantedManifest['psexec']>;
type Wmi = NonNullable<PlantedManifest['wmi']>;

/** The admin's console on the source: cmd → PsExec64, later cmd → wmic, each resolving and connecting to the target. */
function lateralSource(h: HostSim, b: BootedHost, p: Psexec, w: Wmi): void {
  const t0 = ms(p.time);
  const cmd = h.spawn(b.explorer, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe"`, t0 - 40_000, { guid: p.cmd, user: ADMIN, integrity: 'High', cwd: 'C:\\Tools\\' });
  const px = h.spawn(cmd, 'C:\\Tools\\PsExec64.exe', `PsExec64.exe \\\\${p.target.host} -accepteula ${PAYLOAD_PSEXEC}`, t0, { guid: p.psexec });
  h.dns(px, t0 + 150, p.target.host, `::ffff:${p.target.ip};`);
  h.connection(px, t0 + 210, { initiated: true, localPort: p.sourcePort, remoteIp: p.target.ip, remotePort: 445, remoteHost: p.target.host });
  h.terminate(px, t0 + 9_000);
  const t1 = ms(w.time);
  const wmic = h.spawn(cmd, `${S32}\\wbem\\WMIC.exe`, `wmic /node:${w.target.host} process call create "${PAYLOAD_WMI}"`, t1, { guid: w.wmic });
  h.dns(wmic, t1 + 120, w.target.host, `::ffff:${w.target.ip};`);
  h.connection(wmic, t1 + 180, { initiated: true, localPort: w.sourcePort, remoteIp: w.target.ip, remotePort: 135, remoteHost: w.target.host });
  h.connection(wmic, t1 + 260, { initiated: true, localPort: w.sourcePort + 1, remoteIp: w.target.ip, remotePort: WMI_DYNAMIC_PORT, remoteHost: w.target.host });
  h.terminate(wmic, t1 + 2_500);
  h.terminate(cmd, t1 + 60_000);
}

/** The network logon the remote admin's commands run in on the target. */
const networkLogon = (h: HostSim, tail: string): string => `{${h.machine}-0000-0000-0000-${tail}}`;

/** Target of PsExec: System accepts SMB, PSEXESVC.exe is written and installed as a service, services starts it. */
function psexecTarget(h: HostSim, b: BootedHost, p: Psexec): void {
  // This host's clock runs 350 ms behind the source's.
  const t0 = ms(p.time) - 350;
  h.connection(b.system, t0 + 215, { initiated: false, localPort: 445, remoteIp: p.source.ip, remotePort: p.sourcePort });
  h.fileCreate(b.system, t0 + 900, 'C:\\Windows\\PSEXESVC.exe');
  h.registrySet(b.services, t0 + 1_400, `HKLM\\System\\CurrentControlSet\\Services\\${p.service}\\ImagePath`, '%SystemRoot%\\PSEXESVC.exe');
  const svc = h.spawn(b.services, 'C:\\Windows\\PSEXESVC.exe', 'C:\\Windows\\PSEXESVC.exe', t0 + 1_600, { guid: p.psexesvc, user: SYSTEM });
  const payload = h.spawn(svc, `${S32}\\cmd.exe`, PAYLOAD_PSEXEC, t0 + 2_100, { guid: p.payload, user: ADMIN, integrity: 'High', logonGuid: networkLogon(h, '0000a3c1f021') });
  h.terminate(payload, t0 + 4_000);
  h.terminate(svc, t0 + 8_000);
}

/** Target of WMI: the RPC endpoint mapper and the WMI service accept, WmiPrvSE starts the payload. */
function wmiTarget(h: HostSim, b: BootedHost, w: Wmi): void {
  const t1 = ms(w.time) - 350;
  h.connection(b.svchostDcom, t1 + 185, { initiated: false, localPort: 135, remoteIp: w.source.ip, remotePort: w.sourcePort });
  h.connection(b.svchostDcom, t1 + 265, { initiated: false, localPort: WMI_DYNAMIC_PORT, remoteIp: w.source.ip, remotePort: w.sourcePort + 1 });
  const prv = h.spawn(b.svchostDcom, `${S32}\\wbem\\WmiPrvSE.exe`, `${S32}\\wbem\\wmiprvse.exe -secured -Embedding`, t1 + 700, { guid: w.wmiprvse, user: 'NT AUTHORITY\\NETWORK SERVICE' });
  const payload = h.spawn(prv, PS, PAYLOAD_WMI, t1 + 1_300, { guid: w.payload, user: ADMIN, integrity: 'High', logonGuid: networkLogon(h, '0000a3c1f7b4') });
  h.terminate(payload, t1 + 6_000);
  h.terminate(prv, t1 + 120_000);
}

type Compare = NonNullable<PlantedManifest['compare']>;

/** The scheduled inventory script; on host B it also adds a local user and talks to one more address. */
function inventory(h: HostSim, b: BootedHost, c: Compare, isB: boolean): void {
  let t = ms(c.time) + (isB ? 7_000 : 0);
  const root = h.spawn(b.svchostSchedule, `${S32}\\cmd.exe`, `${S32}\\cmd.exe /c C:\\ProgramData\\IT\\inventory.cmd`, t, { guid: isB ? c.rootB : c.rootA, user: SYSTEM });
  const run = isB ? 'inv-20260302-2' : 'inv-20260302-1';
  const cs = h.spawn(root, `${S32}\\cscript.exe`, `cscript.exe //nologo C:\\ProgramData\\IT\\inventory.vbs /out:C:\\ProgramData\\IT\\${run}.xml`, (t += 300));
  h.fileCreate(cs, (t += 2_000), `C:\\ProgramData\\IT\\${run}.xml`);
  h.network(cs, (t += 400), '10.20.0.7', 443, 'inventory.corp.example');
  if (isB) h.network(cs, (t += 300), '185.199.110.153', 443, 'raw.githubusercontent.com');
  h.terminate(h.spawn(root, `${S32}\\ipconfig.exe`, 'ipconfig.exe /all', (t += 500)), t + 200);
  h.terminate(h.spawn(root, `${S32}\\systeminfo.exe`, 'systeminfo.exe /fo csv', (t += 700)), t + 3_000);
  if (isB) h.terminate(h.spawn(root, `${S32}\\net.exe`, 'net.exe user svc-backup Winter2026! /add', (t += 900), { guid: c.extraB }), t + 150);
  h.terminate(cs, t + 4_000);
  h.terminate(root, t + 4_500);
}
