/**
 * Renamed binaries, the oracle shared by the Splunk and embedded rule-scan tests: SigmaHQ rules that fire
 * only through the PE name (`OriginalFileName: msdt.exe` and not `Image|endswith: \msdt.exe`) or the PE
 * description, over SigmaHQ's own regression captures for them plus a larger capture. The expected hits
 * come from the captures' XML, read and decided here by hand (no product code).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGMAHQ, dataset } from './datasets.js';

/** A larger real capture with hundreds of creates (none renamed) beside the regression captures. */
export const LARGE_CAPTURE = 'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log';
export const SIGMA_PC_RULES = join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation');
const REG = join(SIGMAHQ, 'regression_data', 'rules', 'windows', 'process_creation');

/** SigmaHQ rule file (without .yml) → rule id; each has a regression capture named by the id. */
const RENAMED = {
  'proc_creation_win_renamed_msdt': 'bd1c6866-65fc-44b2-be51-5588fcff82b9',
  'proc_creation_win_renamed_curl': '7530cd3d-7671-43e3-b209-976966f6ea48',
  'proc_creation_win_renamed_ftp': '277a4393-446c-449a-b0ed-7fdc7795244c',
  'proc_creation_win_renamed_binary': '36480ae1-a1cb-4eaa-a0d6-29801d7e9142', // renamed netsh.exe
};
/** The SigmaHQ rule files the library of RENAMED_RULES needs (msdt, curl, ftp). */
export const RENAMED_RULE_FILES = Object.keys(RENAMED).slice(0, 3).map((r) => join(SIGMA_PC_RULES, `${r}.yml`));
/** The captures: the larger one and each renamed binary's regression capture (XML rendering). */
export const renamedCaptures = (): string[] => [dataset(LARGE_CAPTURE), ...Object.entries(RENAMED).map(([r, id]) => join(REG, r, `${id}.xml.log`))];

export const RENAMED_RULES = `
title: renamed msdt, curl, ftp (SigmaHQ)
id: ofn-sigmahq
chain:
  - match: { sigma: [${Object.values(RENAMED).slice(0, 3).join(', ')}] }
---
title: curl by image or by PE name (the common SigmaHQ selection)
id: ofn-either
chain:
  - match:
      sigma:
        img: { Image|endswith: '\\curl.exe' }
        ofn: { OriginalFileName: 'curl.exe' }
        condition: img or ofn
---
title: netsh by PE description and company, not by image
id: ofn-description
chain:
  - match:
      sigma:
        sel: { Description: 'Network Command Shell', Company|startswith: 'Microsoft' }
        img: { Image|endswith: '\\netsh.exe' }
        condition: sel and not img
`;

/** The creates of XML renderings (one `<Event>` a line): host, GUID and the EventData fields, entities decoded. */
export function xmlCreates(files: string[]): { host: string; guid: string; f: Record<string, string> }[] {
  const decode = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
  const out: { host: string; guid: string; f: Record<string, string> }[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!/<EventID[^>]*>1<\/EventID>/.test(line) || !line.includes('Microsoft-Windows-Sysmon')) continue;
      const f: Record<string, string> = {};
      for (const m of line.matchAll(/<Data Name=["']([^"']+)["']>([^<]*)<\/Data>/g)) f[m[1]!] = decode(m[2]!);
      const host = /<Computer>([^<]*)<\/Computer>/.exec(line)?.[1] ?? '';
      out.push({ host: host.toLowerCase(), guid: (f.ProcessGuid ?? '').replace(/[{}]/g, '').toLowerCase(), f });
    }
  }
  return out;
}

/** The rules above, decided by hand on one create's fields (Sigma's default: case-insensitive). */
function expectedRules(f: Record<string, string>): string[] {
  const low = (k: string) => (f[k] ?? '').toLowerCase();
  const img = low('Image');
  const ofn = low('OriginalFileName');
  const out: string[] = [];
  const msdt = ofn === 'msdt.exe' && !img.endsWith('\\msdt.exe');
  const curl = (ofn === 'curl.exe' || low('Description') === 'the curl executable') && !img.includes('\\curl');
  const ftp = ofn === 'ftp.exe' && !img.endsWith('\\ftp.exe');
  if (msdt || curl || ftp) out.push('ofn-sigmahq');
  if (img.endsWith('\\curl.exe') || ofn === 'curl.exe') out.push('ofn-either');
  if (low('Description') === 'network command shell' && low('Company').startsWith('microsoft') && !img.endsWith('\\netsh.exe')) out.push('ofn-description');
  return out;
}

/** Expected hits as `rule host|guid` (GUID without braces, lowercase), sorted. */
export function expectedHits(files: string[]): string[] {
  return xmlCreates(files).flatMap((c) => expectedRules(c.f).map((r) => `${r} ${c.host}|${c.guid}`)).sort();
}

/** A run's hits in the same form. */
export function hitSet(hits: readonly { rule: string; host: string; chain: readonly string[] }[]): string[] {
  return hits.map((h) => `${h.rule} ${h.host}|${h.chain.at(-1)!.replace(/[{}]/g, '').toLowerCase()}`).sort();
}
