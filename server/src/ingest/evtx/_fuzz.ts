import { readFileSync } from 'node:fs';
import { readEvtxBuffer } from './index.js';
const files = ['/work/shared/datasets/splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx',
 '/work/shared/datasets/sbousseaden-EVTX-ATTACK-SAMPLES/evtx/AutomatedTestingTools/Malware/rundll32_cmd_schtask.evtx',
 '/work/shared/datasets/sbousseaden-EVTX-ATTACK-SAMPLES/evtx/Persistence/persistence_sysmon_11_13_1_shime_appfix.evtx'].map((f) => readFileSync(f));
let seed = Number(process.argv[2] ?? 1);
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const t0 = Date.now(); let maxMs = 0; const reasons = new Map<string, number>();
for (let i = 0; i < Number(process.argv[3] ?? 3000); i++) {
  const src = files[Math.floor(rand() * files.length)]!;
  const b = Buffer.from(src);
  const n = 1 + Math.floor(rand() * 200);
  for (let k = 0; k < n; k++) { const o = Math.floor(rand() * Math.min(b.length, 4096 + 13 * 65536)); b[o] = Math.floor(rand() * 256); }
  const s = Date.now();
  try { for (const it of readEvtxBuffer(b)) { if (it.kind === 'rejected') { const r = it.reason.replace(/0x[0-9a-f]+|\d+/g, 'N'); reasons.set(r, (reasons.get(r) ?? 0) + 1); } } }
  catch (e) { console.log('CRASH', i, e); process.exit(1); }
  maxMs = Math.max(maxMs, Date.now() - s);
}
console.log('ok', Date.now() - t0, 'ms; max per file', maxMs);
console.log([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 30));
