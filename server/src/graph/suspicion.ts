/**
 * Pure: an explainable suspicion score per process (docs/ui.md "Expand what matters"). The score is
 * the sum of weighted contributions, each with a short human reason; nothing here reads a source.
 * What a process is scored on (its `SuspicionFacts`) is gathered by services/expand.ts:
 *  - lineage rule hits (the shipped pack run over the fetched tree) and Sigma hits on its events;
 *  - rarity of its parent→child pair over the fleet (prevalence; optional, pluggable);
 *  - LOLBins and script hosts (./lolbins.ts, the one list, with sources);
 *  - network (EventID 3/22) and injection (8/10 into another process) events;
 *  - integrity-level jumps and user changes from its parent; images in user-writable folders;
 *  - encoded PowerShell on its command line.
 */
import type { Category } from '@lineage/shared';
import type { ProcessRecord } from '../sources/event-source.js';
import { lolbin } from './lolbins.js';

export type ReasonKind =
  | 'rule' | 'rule-chain' | 'sigma' | 'rare-pair' | 'lolbin' | 'script-host' | 'network' | 'remote-thread'
  | 'process-access' | 'integrity' | 'user-change' | 'path' | 'encoded-powershell' | 'group';

export interface Reason { kind: ReasonKind; text: string; weight: number }
export interface Suspicion { score: number; reasons: Reason[] }

/** Severity/level → weight, shared by lineage rules (severity) and Sigma (level). */
export const LEVEL_WEIGHT: Readonly<Record<string, number>> = { critical: 60, high: 45, medium: 30, low: 15, informational: 5 };

/** Every weight the score uses. Tests derive expected scores from these. */
export const WEIGHTS = {
  /** A node on a rule-hit chain that is not its leaf. */
  ruleChain: 10,
  /** Pair seen on 1 host (this one) in the baseline; on fewer than RARE_HOSTS hosts. */
  rarePairOneHost: 30,
  rarePairFew: 15,
  lolbin: 10,
  scriptHost: 10,
  /** Any EventID 3 or 22; a few more for many. */
  network: 10,
  networkMany: 5,
  /** EventID 8 into another process. */
  remoteThread: 35,
  /** EventID 10 into another process; into lsass.exe. */
  processAccess: 15,
  lsassAccess: 40,
  integrityJump: 20,
  userChange: 15,
  userWritablePath: 20,
  encodedPowerShell: 25,
} as const;

/** "rare" means seen on fewer than this many hosts in the baseline. */
export const RARE_HOSTS = 3;
/** From this many network events on, `networkMany` is added. */
export const MANY_NETWORK = 5;

/** Everything the score looks at for one process. All but `record` optional. */
export interface SuspicionFacts {
  record: ProcessRecord;
  /** The parent's create when it is known (integrity and user changes). */
  parent?: ProcessRecord | null;
  /** Event counts by category. */
  counts?: Partial<Record<Category, number>>;
  /** 8/10 events whose target is another process: its image basename (when known) and the EventID. */
  cross?: Array<{ eventId: number; targetName: string | null; grantedAccess?: string | null; count?: number }>;
  /** Lineage rule hits this process is on: as the leaf (`leaf: true`) or an earlier chain member. */
  rules?: Array<{ id: string; title: string; severity: string; leaf: boolean }>;
  /** Sigma hits on its events: rule titles with their level. */
  sigma?: Array<{ title: string; level: string }>;
  /** Parent→child pair prevalence over the baseline; null/absent when unknown. */
  pair?: { parentName: string; name: string; hosts: number; count: number } | null;
}

const INTEGRITY_RANK: Readonly<Record<string, number>> = { untrusted: 0, low: 1, medium: 2, mediumplus: 2, high: 3, system: 4 };
const SERVICE_USERS = /^(nt authority\\(system|local service|network service)|system)$/i;
/** Folders any user can write (image paths only; lowercase, backslashes). */
const USER_WRITABLE: ReadonlyArray<[RegExp, string]> = [
  [/\\users\\public\\/, '\\Users\\Public\\'], [/\\users\\[^\\]+\\appdata\\/, '\\Users\\…\\AppData\\'], [/\\temp\\/, '\\Temp\\'],
  [/\\programdata\\/, '\\ProgramData\\'], [/\\windows\\tasks\\/, '\\Windows\\Tasks\\'],
];
/** Vendor folders under ProgramData that ship signed services (not user-writable in practice). */
const PROGRAMDATA_VENDORS = [/\\programdata\\microsoft\\windows defender\\/];

function integrityRank(level: string): number | null {
  const r = INTEGRITY_RANK[level.trim().toLowerCase().replace(/\s+/g, '')];
  return r === undefined ? null : r;
}

/** The user-writable folder an image lies in (as a readable fragment), or null. */
export function userWritableFolder(image: string): string | null {
  const p = image.toLowerCase().replace(/\//g, '\\');
  if (PROGRAMDATA_VENDORS.some((re) => re.test(p))) return null;
  return USER_WRITABLE.find(([re]) => re.test(p))?.[1] ?? null;
}

/**
 * PowerShell's `-EncodedCommand` under any accepted prefix (`-e`, `-ec`, `-enc`, `-encodedcommand`,
 * with `-` or `/`) followed by a base64 argument, on a PowerShell command line or one that starts it.
 */
export function hasEncodedPowerShell(commandLine: string): boolean {
  if (!/powershell|pwsh/i.test(commandLine)) return false;
  const re = /(?:^|\s)[-/]([a-z]+)(?::|\s+)["']?[A-Za-z0-9+/]{8,}={0,2}["']?(?=\s|$)/gi;
  for (let m = re.exec(commandLine); m; m = re.exec(commandLine)) {
    const w = m[1]!.toLowerCase();
    if (w === 'ec' || 'encodedcommand'.startsWith(w)) return true;
  }
  return false;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Score one process. Reasons are in a fixed order (strongest kinds first), weights sum to `score`. */
export function scoreProcess(f: SuspicionFacts): Suspicion {
  const reasons: Reason[] = [];
  const add = (kind: ReasonKind, weight: number, text: string) => { reasons.push({ kind, text, weight }); };
  const r = f.record;

  for (const hit of f.rules ?? []) {
    if (hit.leaf) add('rule', LEVEL_WEIGHT[hit.severity.toLowerCase()] ?? LEVEL_WEIGHT.medium!, `lineage rule: ${hit.title} (${hit.severity})`);
    else add('rule-chain', WEIGHTS.ruleChain, `on the chain of lineage rule: ${hit.title}`);
  }
  // Sigma: the strongest level once, the other titles named in the same reason.
  const sigma = [...(f.sigma ?? [])].sort((a, b) => (LEVEL_WEIGHT[b.level] ?? 0) - (LEVEL_WEIGHT[a.level] ?? 0));
  if (sigma.length) {
    const top = sigma[0]!;
    const titles = [...new Set(sigma.map((s) => s.title))];
    add('sigma', LEVEL_WEIGHT[top.level] ?? 0, `Sigma: ${titles.slice(0, 2).join('; ')}${titles.length > 2 ? ` (+${titles.length - 2})` : ''} (${top.level})`);
  }
  if (f.pair && f.pair.hosts < RARE_HOSTS) {
    const w = f.pair.hosts <= 1 ? WEIGHTS.rarePairOneHost : WEIGHTS.rarePairFew;
    add('rare-pair', w, f.pair.hosts === 0 ? `new pair ${f.pair.parentName}→${f.pair.name} (never seen in the baseline)`
      : `rare pair ${f.pair.parentName}→${f.pair.name} on ${plural(f.pair.hosts, 'host')} (${plural(f.pair.count, 'time')})`);
  }
  const lol = lolbin(r.name);
  if (lol) {
    add(lol.kind === 'lolbin' ? 'lolbin' : 'script-host', lol.kind === 'lolbin' ? WEIGHTS.lolbin : WEIGHTS.scriptHost,
      `${lol.kind === 'lolbin' ? 'LOLBin' : 'script host'} ${r.name} (${lol.attack.join(', ')})`);
  }
  if (hasEncodedPowerShell(r.commandLine)) add('encoded-powershell', WEIGHTS.encodedPowerShell, 'encoded PowerShell');
  const folder = userWritableFolder(r.image);
  if (folder) add('path', WEIGHTS.userWritablePath, `runs from a user-writable folder (${folder})`);

  const net = (f.counts?.network ?? 0) + (f.counts?.dns ?? 0);
  if (net > 0) {
    const parts = [f.counts?.network ? plural(f.counts.network, 'connection') : '', f.counts?.dns ? plural(f.counts.dns, 'DNS query', 'DNS queries') : ''];
    add('network', WEIGHTS.network + (net >= MANY_NETWORK ? WEIGHTS.networkMany : 0), `network: ${parts.filter(Boolean).join(', ')}`);
  }
  const threads = (f.cross ?? []).filter((c) => c.eventId === 8);
  if (threads.length) {
    const into = [...new Set(threads.map((c) => c.targetName ?? 'another process'))];
    add('remote-thread', WEIGHTS.remoteThread, `remote thread into ${into.join(', ')}`);
  }
  const access = (f.cross ?? []).filter((c) => c.eventId === 10);
  if (access.length) {
    const lsass = access.some((c) => c.targetName === 'lsass.exe');
    const into = [...new Set(access.map((c) => c.targetName ?? 'another process'))];
    add('process-access', lsass ? WEIGHTS.lsassAccess : WEIGHTS.processAccess, `${lsass ? 'credential access: ' : ''}opened ${into.slice(0, 3).join(', ')}`);
  }

  const p = f.parent;
  if (p) {
    const from = integrityRank(p.integrityLevel);
    const to = integrityRank(r.integrityLevel);
    if (from !== null && to !== null && from <= 2 && to >= 3) add('integrity', WEIGHTS.integrityJump, `integrity ${p.integrityLevel} → ${r.integrityLevel}`);
    const pu = p.user.trim();
    const cu = r.user.trim();
    if (pu && cu && pu.toLowerCase() !== cu.toLowerCase() && !SERVICE_USERS.test(pu)) add('user-change', WEIGHTS.userChange, `user change ${pu} → ${cu}`);
  }
  return { score: reasons.reduce((s, x) => s + x.weight, 0), reasons };
}
