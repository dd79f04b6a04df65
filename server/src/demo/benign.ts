/**
 * Benign activity of a workstation: the boot chain, services, the user's session and a day of
 * scheduled tasks, updaters, browsers and office apps — each with the file, network, registry,
 * DNS and image-load events such processes write.
 */
import type { HostSim, SimProcess } from './host-sim.js';

const S32 = 'C:\\Windows\\System32';
const SYSTEM = 'NT AUTHORITY\\SYSTEM';

/** The long-lived processes activity hangs off. */
export interface BootedHost {
  services: SimProcess;
  svchostSchedule: SimProcess;
  svchostDcom: SimProcess;
  lsass: SimProcess;
  explorer: SimProcess;
  msmpeng: SimProcess;
  /** The System process (pid 4): never created in the log, but the owner of inbound SMB connections. */
  system: SimProcess;
}

/**
 * System → smss → (session smss) → csrss / wininit → services → svchost…, lsass; winlogon →
 * userinit → explorer. System itself has no process-create: smss's parent is never logged.
 */
export function boot(h: HostSim, dayMs: number, guids: { lsass?: string; explorer?: string }): BootedHost {
  let t = dayMs + h.rng.int(20_000, 40_000);
  const step = (): number => (t += h.rng.int(40, 900));
  const systemStub = { guid: h.rng.guid(h.machine), pid: 4, image: 'System', commandLine: '', user: SYSTEM };
  const smss = h.spawn(null, `${S32}\\smss.exe`, '\\SystemRoot\\System32\\smss.exe', step(), { parentStub: systemStub });
  const smss0 = h.spawn(smss, `${S32}\\smss.exe`, '\\SystemRoot\\System32\\smss.exe 000000ac 00000080', step());
  h.spawn(smss0, `${S32}\\csrss.exe`, '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16', step());
  const wininit = h.spawn(smss0, `${S32}\\wininit.exe`, 'wininit.exe', step());
  h.terminate(smss0, step());
  const services = h.spawn(wininit, `${S32}\\services.exe`, `${S32}\\services.exe`, step());
  const lsass = h.spawn(wininit, `${S32}\\lsass.exe`, `${S32}\\lsass.exe`, step(), { guid: guids.lsass });
  const svchostDcom = h.spawn(services, `${S32}\\svchost.exe`, `${S32}\\svchost.exe -k DcomLaunch -p`, step());
  for (const group of ['RPCSS -p', 'LocalServiceNetworkRestricted -p', 'netsvcs -p', 'LocalService -p', 'NetworkService -p', 'LocalSystemNetworkRestricted -p']) {
    h.spawn(services, `${S32}\\svchost.exe`, `${S32}\\svchost.exe -k ${group}`, step());
  }
  const svchostSchedule = h.spawn(services, `${S32}\\svchost.exe`, `${S32}\\svchost.exe -k netsvcs -p -s Schedule`, step());
  h.spawn(services, `${S32}\\spoolsv.exe`, `${S32}\\spoolsv.exe`, step());
  const msmpeng = h.spawn(services, 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe',
    '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"', step());
  const smss1 = h.spawn(smss, `${S32}\\smss.exe`, '\\SystemRoot\\System32\\smss.exe 000000c4 00000080', step());
  h.spawn(smss1, `${S32}\\csrss.exe`, '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On', step());
  const winlogon = h.spawn(smss1, `${S32}\\winlogon.exe`, 'winlogon.exe', step());
  h.terminate(smss1, step());
  // The user logs on a few minutes later.
  t += h.rng.int(60_000, 300_000);
  const userinit = h.spawn(winlogon, `${S32}\\userinit.exe`, `${S32}\\userinit.exe`, step(), { user: h.user, integrity: 'Medium' });
  const explorer = h.spawn(userinit, 'C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE', step(), { guid: guids.explorer, user: h.user, cwd: 'C:\\Windows\\system32\\' });
  h.terminate(userinit, step());
  h.imageLoad(explorer, step(), `${S32}\\shell32.dll`);
  h.registrySet(explorer, step(), `HKU\\S-1-5-21-1004336348-1177238915-682003330-1104\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\MRUListEx`, 'Binary Data');
  const system = { ...systemStub, startMs: dayMs, integrity: 'System', logonGuid: `{${h.machine}-0000-0000-0000-0000000003e7}`, currentDirectory: '' };
  return { services, svchostSchedule, svchostDcom, lsass, explorer, msmpeng, system };
}

const SITES = [
  ['www.microsoft.com', '23.35.72.18'], ['outlook.office365.com', '52.97.146.178'], ['github.com', '140.82.121.4'],
  ['www.google.com', '142.250.74.100'], ['teams.microsoft.com', '52.113.194.132'], ['slack.com', '34.236.10.22'],
] as const;

function browse(h: HostSim, p: SimProcess, t: number): void {
  const [name, ip] = h.rng.pick(SITES);
  h.dns(p, t, name, `::ffff:${ip};`);
  h.network(p, t + 40, ip, 443, name);
}

/** One unit of benign activity at time `t`; returns how long it lasted (ms). */
export function activity(h: HostSim, b: BootedHost, t: number): number {
  const r = h.rng;
  const kind = r.int(0, 9);
  const home = `C:\\Users\\${h.user.split('\\')[1] ?? 'user'}`;
  switch (kind) {
    case 0: case 1: { // browser with renderer children
      const chrome = h.spawn(b.explorer, 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
        '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"', t, { cwd: home });
      h.imageLoad(chrome, t + 30, `${S32}\\winhttp.dll`);
      const n = r.int(1, 3);
      for (let i = 0; i < n; i++) {
        const rend = h.spawn(chrome, chrome.image, `"${chrome.image}" --type=renderer --lang=en-US --renderer-client-id=${r.int(5, 90)} --launch-time-ticks=${r.int(1e9, 9e9)} --mojo-platform-channel-handle=${r.int(2000, 9000)} /prefetch:1`, t + 200 + i * 150);
        browse(h, rend, t + 400 + i * 300);
        h.terminate(rend, t + 60_000 + i * 1000);
      }
      browse(h, chrome, t + 100);
      h.registrySet(chrome, t + 150, 'HKU\\S-1-5-21-1004336348-1177238915-682003330-1104\\Software\\Google\\Chrome\\BLBeacon\\state', 'DWORD (0x00000001)');
      if (r.chance(0.3)) h.fileCreate(chrome, t + 5000, `${home}\\Downloads\\report-${r.int(100, 999)}.pdf`);
      h.terminate(chrome, t + 120_000);
      return 120_000;
    }
    case 2: { // scheduled task: updater
      const [image, cmd, name, ip] = r.pick([
        ['C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe', '"C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe" /ua /installsource scheduler', 'update.googleapis.com', '142.250.74.99'],
        ['C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe', '"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /c', 'msedge.api.cdp.microsoft.com', '13.107.4.50'],
        [`${home}\\AppData\\Local\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe`, `"${home}\\AppData\\Local\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe" /reporting`, 'oneclient.sfx.ms', '152.199.19.161'],
      ] as const);
      const u = h.spawn(b.svchostSchedule, image, cmd, t, { user: SYSTEM });
      h.dns(u, t + 200, name, `::ffff:${ip};`);
      h.network(u, t + 260, ip, 443, name);
      h.fileCreate(u, t + 900, `C:\\Windows\\Temp\\${name.split('.')[0]}-${r.int(1000, 9999)}.log`);
      h.terminate(u, t + 4000);
      return 4000;
    }
    case 3: { // task host
      const th = h.spawn(b.svchostSchedule, `${S32}\\taskhostw.exe`, 'taskhostw.exe Install $(Arg0)', t, { user: SYSTEM });
      h.imageLoad(th, t + 50, `${S32}\\ole32.dll`);
      h.terminate(th, t + 2500);
      return 2500;
    }
    case 4: { // WMI / brokers from DcomLaunch
      const image = r.pick([`${S32}\\wbem\\WmiPrvSE.exe`, `${S32}\\RuntimeBroker.exe`, `${S32}\\backgroundTaskHost.exe`]);
      const w = h.spawn(b.svchostDcom, image, `${image} -Embedding`, t, { user: image.includes('Wmi') ? 'NT AUTHORITY\\NETWORK SERVICE' : h.user });
      h.imageLoad(w, t + 40, `${S32}\\combase.dll`);
      h.terminate(w, t + r.int(2000, 60_000));
      return 3000;
    }
    case 5: { // office / notepad from explorer
      const [image, args] = r.pick([
        ['C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE', `"${home}\\Documents\\budget-q${r.int(1, 4)}.xlsx"`],
        ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', `"${home}\\Documents\\notes-${r.int(1, 30)}.docx"`],
        [`${S32}\\notepad.exe`, `${home}\\Desktop\\todo.txt`],
      ] as const);
      const app = h.spawn(b.explorer, image, `"${image}" ${args}`, t, { cwd: home });
      h.imageLoad(app, t + 80, `${S32}\\uxtheme.dll`);
      h.fileCreate(app, t + 30_000, `${home}\\AppData\\Roaming\\Microsoft\\Office\\Recent\\file-${r.int(1, 99)}.LNK`);
      h.registrySet(app, t + 31_000, `HKU\\S-1-5-21-1004336348-1177238915-682003330-1104\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities\\Last`, `DWORD (0x0000000${r.int(1, 9)})`);
      h.terminate(app, t + r.int(60_000, 900_000));
      return 60_000;
    }
    case 6: { // admin cmd session
      const cmd = h.spawn(b.explorer, `${S32}\\cmd.exe`, `"${S32}\\cmd.exe" `, t, { cwd: home });
      const con = h.spawn(cmd, `${S32}\\conhost.exe`, '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', t + 30);
      const tool = r.pick(['ipconfig.exe /all', 'ping.exe -n 2 fileserver01', 'whoami.exe', 'hostname.exe']);
      const child = h.spawn(cmd, `${S32}\\${tool.split(' ')[0]}`, tool, t + r.int(2000, 20_000));
      h.terminate(child, t + 25_000);
      h.terminate(con, t + 60_000);
      h.terminate(cmd, t + 60_000);
      return 60_000;
    }
    case 7: { // Defender scan helper
      const mp = h.spawn(b.msmpeng, 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe',
        '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe" SignaturesUpdateService -ScheduleJob -UnmanagedUpdate', t);
      h.dns(mp, t + 100, 'definitionupdates.microsoft.com', '::ffff:13.107.4.50;');
      h.network(mp, t + 150, '13.107.4.50', 443, 'definitionupdates.microsoft.com');
      h.terminate(mp, t + 8000);
      return 8000;
    }
    case 8: { // servicing
      const ti = h.spawn(b.services, `C:\\Windows\\servicing\\TrustedInstaller.exe`, 'C:\\Windows\\servicing\\TrustedInstaller.exe', t);
      const w = h.spawn(b.svchostDcom, 'C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4950_none_7e1f2b2b3a2c1f8e\\TiWorker.exe', 'C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4950_none_7e1f2b2b3a2c1f8e\\TiWorker.exe -Embedding', t + 500);
      h.fileCreate(w, t + 2000, `C:\\Windows\\Logs\\CBS\\CBS.log`);
      h.terminate(w, t + 120_000);
      h.terminate(ti, t + 125_000);
      return 10_000;
    }
    default: { // Teams / Outlook background traffic
      const image = 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE';
      const o = h.spawn(b.explorer, image, `"${image}" /recycle`, t, { cwd: home });
      browse(h, o, t + 500);
      h.terminate(o, t + r.int(600_000, 3_600_000));
      return 20_000;
    }
  }
}
