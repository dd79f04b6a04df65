/**
 * What kind of program a process image is, for node colour (the legend, Legend.tsx). The lists hold the
 * images analysts meet most in Sysmon lineage; anything else is `other`.
 */
export type ProcessKind = 'shell' | 'script' | 'office' | 'browser' | 'lolbin' | 'system' | 'other';

const KINDS: Record<Exclude<ProcessKind, 'other'>, readonly string[]> = {
  shell: ['cmd.exe', 'powershell.exe', 'pwsh.exe', 'powershell_ise.exe', 'bash.exe', 'wsl.exe', 'conhost.exe'],
  script: ['wscript.exe', 'cscript.exe', 'mshta.exe', 'python.exe', 'pythonw.exe', 'node.exe', 'java.exe', 'javaw.exe'],
  office: ['winword.exe', 'excel.exe', 'powerpnt.exe', 'outlook.exe', 'msaccess.exe', 'onenote.exe', 'mspub.exe', 'visio.exe'],
  browser: ['chrome.exe', 'msedge.exe', 'firefox.exe', 'iexplore.exe', 'opera.exe', 'brave.exe'],
  lolbin: ['rundll32.exe', 'regsvr32.exe', 'certutil.exe', 'bitsadmin.exe', 'msbuild.exe', 'installutil.exe',
    'regasm.exe', 'regsvcs.exe', 'wmic.exe', 'schtasks.exe', 'at.exe', 'mavinject.exe', 'odbcconf.exe',
    'cmstp.exe', 'forfiles.exe', 'hh.exe', 'msiexec.exe', 'bash.exe', 'curl.exe', 'whoami.exe', 'net.exe', 'net1.exe',
    'reg.exe', 'sc.exe', 'vssadmin.exe', 'wevtutil.exe', 'bcdedit.exe', 'nltest.exe', 'procdump.exe', 'psexec.exe'],
  system: ['system', 'smss.exe', 'csrss.exe', 'wininit.exe', 'winlogon.exe', 'services.exe', 'lsass.exe', 'svchost.exe',
    'explorer.exe', 'userinit.exe', 'taskhostw.exe', 'dllhost.exe', 'wmiprvse.exe', 'spoolsv.exe', 'searchindexer.exe',
    'runtimebroker.exe', 'sihost.exe', 'dwm.exe', 'fontdrvhost.exe', 'lsm.exe', 'taskeng.exe', 'wuauclt.exe', 'trustedinstaller.exe'],
};

const BY_NAME = new Map<string, ProcessKind>();
for (const [kind, names] of Object.entries(KINDS) as Array<[ProcessKind, readonly string[]]>) {
  for (const n of names) if (!BY_NAME.has(n)) BY_NAME.set(n, kind);
}

export function processKind(name: string): ProcessKind {
  return BY_NAME.get(name.toLowerCase()) ?? 'other';
}

/** Human legend labels, in legend order. */
export const KIND_LABELS: Array<[ProcessKind, string]> = [
  ['shell', 'Shell'], ['script', 'Script host'], ['office', 'Office'], ['browser', 'Browser'],
  ['lolbin', 'LOLBin'], ['system', 'System service'], ['other', 'Other'],
];
