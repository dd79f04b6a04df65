/**
 * THE list of living-off-the-land binaries and script hosts the suspicion score knows (docs/ui.md
 * "Expand what matters"). One entry per lowercase image basename; each names where it comes from:
 * the LOLBAS project entry (lolbas-project.github.io, by binary name) and the MITRE ATT&CK technique
 * ids it is documented under. Kept as text here: nothing is fetched. To add one, add a line with
 * both sources; `lolbins.test.ts` checks that every entry names them.
 */

export type LolbinKind = 'lolbin' | 'script-host';

export interface Lolbin {
  /** Lowercase image basename. */
  name: string;
  kind: LolbinKind;
  /** ATT&CK technique ids (e.g. T1218.011). */
  attack: string[];
  /** Where the entry comes from, as text (LOLBAS page name, ATT&CK technique name). */
  source: string;
}

const L = (name: string, attack: string[], source: string): Lolbin => ({ name, kind: 'lolbin', attack, source });
const S = (name: string, attack: string[], source: string): Lolbin => ({ name, kind: 'script-host', attack, source });

export const LOLBINS: readonly Lolbin[] = [
  // Script hosts: interpreters that run text an attacker supplies.
  S('powershell.exe', ['T1059.001'], 'ATT&CK T1059.001 Command and Scripting Interpreter: PowerShell'),
  S('pwsh.exe', ['T1059.001'], 'ATT&CK T1059.001 Command and Scripting Interpreter: PowerShell'),
  S('powershell_ise.exe', ['T1059.001'], 'ATT&CK T1059.001; LOLBAS (OtherMSBinaries) Powershell_ise'),
  S('cmd.exe', ['T1059.003'], 'ATT&CK T1059.003 Windows Command Shell; LOLBAS Cmd'),
  S('wscript.exe', ['T1059.005'], 'ATT&CK T1059.005 Visual Basic; LOLBAS Wscript'),
  S('cscript.exe', ['T1059.005'], 'ATT&CK T1059.005 Visual Basic; LOLBAS Cscript'),
  S('mshta.exe', ['T1218.005'], 'ATT&CK T1218.005 System Binary Proxy Execution: Mshta; LOLBAS Mshta'),
  S('wmic.exe', ['T1047'], 'ATT&CK T1047 Windows Management Instrumentation; LOLBAS Wmic'),
  // Signed binaries that proxy execution, download or decode.
  L('rundll32.exe', ['T1218.011'], 'LOLBAS Rundll32; ATT&CK T1218.011 Rundll32'),
  L('regsvr32.exe', ['T1218.010'], 'LOLBAS Regsvr32; ATT&CK T1218.010 Regsvr32'),
  L('msiexec.exe', ['T1218.007'], 'LOLBAS Msiexec; ATT&CK T1218.007 Msiexec'),
  L('certutil.exe', ['T1105', 'T1140'], 'LOLBAS Certutil; ATT&CK T1105 Ingress Tool Transfer, T1140 Deobfuscate/Decode'),
  L('bitsadmin.exe', ['T1197', 'T1105'], 'LOLBAS Bitsadmin; ATT&CK T1197 BITS Jobs'),
  L('installutil.exe', ['T1218.004'], 'LOLBAS Installutil; ATT&CK T1218.004 InstallUtil'),
  L('regasm.exe', ['T1218.009'], 'LOLBAS Regasm; ATT&CK T1218.009 Regsvcs/Regasm'),
  L('regsvcs.exe', ['T1218.009'], 'LOLBAS Regsvcs; ATT&CK T1218.009 Regsvcs/Regasm'),
  L('msbuild.exe', ['T1127.001'], 'LOLBAS Msbuild; ATT&CK T1127.001 MSBuild'),
  L('cmstp.exe', ['T1218.003'], 'LOLBAS Cmstp; ATT&CK T1218.003 CMSTP'),
  L('odbcconf.exe', ['T1218.008'], 'LOLBAS Odbcconf; ATT&CK T1218.008 Odbcconf'),
  L('control.exe', ['T1218.002'], 'LOLBAS Control; ATT&CK T1218.002 Control Panel'),
  L('hh.exe', ['T1218.001'], 'LOLBAS Hh; ATT&CK T1218.001 Compiled HTML File'),
  L('forfiles.exe', ['T1202'], 'LOLBAS Forfiles; ATT&CK T1202 Indirect Command Execution'),
  L('pcalua.exe', ['T1202'], 'LOLBAS Pcalua; ATT&CK T1202 Indirect Command Execution'),
  L('schtasks.exe', ['T1053.005'], 'LOLBAS Schtasks; ATT&CK T1053.005 Scheduled Task'),
  L('at.exe', ['T1053.002'], 'LOLBAS At; ATT&CK T1053.002 At'),
  L('sc.exe', ['T1543.003'], 'ATT&CK T1543.003 Windows Service (sc create/config)'),
  L('reg.exe', ['T1112', 'T1012'], 'LOLBAS Reg; ATT&CK T1112 Modify Registry, T1012 Query Registry'),
  L('esentutl.exe', ['T1003.003', 'T1105'], 'LOLBAS Esentutl; ATT&CK T1003.003 NTDS'),
  L('ntdsutil.exe', ['T1003.003'], 'LOLBAS Ntdsutil; ATT&CK T1003.003 NTDS'),
  L('vssadmin.exe', ['T1490'], 'ATT&CK T1490 Inhibit System Recovery'),
  L('wevtutil.exe', ['T1070.001'], 'ATT&CK T1070.001 Clear Windows Event Logs'),
  L('bcdedit.exe', ['T1490'], 'ATT&CK T1490 Inhibit System Recovery'),
  L('net.exe', ['T1087', 'T1136'], 'ATT&CK T1087 Account Discovery, T1136 Create Account'),
  L('net1.exe', ['T1087', 'T1136'], 'ATT&CK T1087 Account Discovery, T1136 Create Account'),
  L('whoami.exe', ['T1033'], 'ATT&CK T1033 System Owner/User Discovery'),
  L('nltest.exe', ['T1482'], 'ATT&CK T1482 Domain Trust Discovery'),
  L('netsh.exe', ['T1562.004'], 'LOLBAS Netsh; ATT&CK T1562.004 Disable or Modify System Firewall'),
  L('mavinject.exe', ['T1218.013'], 'LOLBAS Mavinject; ATT&CK T1218.013 Mavinject'),
  L('msxsl.exe', ['T1220'], 'LOLBAS (OtherMSBinaries) Msxsl; ATT&CK T1220 XSL Script Processing'),
  L('expand.exe', ['T1105'], 'LOLBAS Expand; ATT&CK T1105 Ingress Tool Transfer'),
  L('extrac32.exe', ['T1105'], 'LOLBAS Extrac32; ATT&CK T1105 Ingress Tool Transfer'),
  L('curl.exe', ['T1105'], 'LOLBAS Curl; ATT&CK T1105 Ingress Tool Transfer'),
  L('ftp.exe', ['T1105'], 'LOLBAS Ftp; ATT&CK T1105 Ingress Tool Transfer'),
  L('finger.exe', ['T1105'], 'LOLBAS Finger; ATT&CK T1105 Ingress Tool Transfer'),
  L('dnscmd.exe', ['T1543.003'], 'LOLBAS Dnscmd; ATT&CK T1543.003'),
  L('psexec.exe', ['T1569.002'], 'ATT&CK T1569.002 Service Execution (Sysinternals PsExec)'),
];

const BY_NAME = new Map(LOLBINS.map((l) => [l.name, l]));

/** The entry for a lowercase image basename, or null. */
export function lolbin(name: string): Lolbin | null {
  return BY_NAME.get(name.toLowerCase()) ?? null;
}
