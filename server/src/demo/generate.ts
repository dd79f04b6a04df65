/**
 * The demo fleet: a deterministic (seeded) day-or-more of Sysmon from N workstations — benign
 * trees plus the planted scenarios of planted.ts — after `historyDays` of lighter benign history
 * (the prevalence baseline), written to the store in batches.
 */
import type { Notable } from '@lineage/shared';
import type { SysmonEvent } from '../ingest/record.js';
import type { EmbeddedStore } from '../sources/embedded/store.js';
import { catchUpPrevalence } from '../sources/embedded/prevalence-index.js';
import { activity, boot, type BootedHost } from './benign.js';
import { demoNotables, plant } from './attacks.js';
import { HostSim } from './host-sim.js';
import { deriveSeed, Prng } from './prng.js';
import { DEFAULT_SEED, DEMO_EPOCH_MS, hostIp, hostName, machinePart, plantedManifest, plantedRoles, type PlantedManifest } from './planted.js';

/** Size and seed of a demo fleet. */
export interface DemoOptions {
  hosts?: number;
  days?: number;
  /** Days of benign history before day 0 (default 7), so fleet prevalence has a baseline. */
  historyDays?: number;
  /** Benign process-creates per host per history day (default 100: lighter than day 0's 600). */
  historyPerHostDay?: number;
  seed?: number;
  /** Benign process-creates per host per day (≈ 5 events each). Default 600; the 10M-event bench uses 10,000. */
  processesPerHostDay?: number;
  /** Events per yielded batch. */
  batchSize?: number;
}

const DAY_MS = 86_400_000;
const USERS = ['jdoe', 'asmith', 'mgarcia', 'lchen', 'pnovak', 'kwilson', 'rkumar', 'emartin', 'tnguyen', 'sbrown'];

/** Options with defaults filled in; throws RangeError naming a bad option. */
export function resolveDemoOptions(o: DemoOptions): Required<DemoOptions> {
  const int = (v: number | undefined, d: number, min: number, max: number, what: string): number => {
    const n = v ?? d;
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${what} must be an integer in ${min}…${max} (got ${String(v)})`);
    return n;
  };
  return {
    hosts: int(o.hosts, 20, 1, 10_000, 'hosts'),
    days: int(o.days, 1, 1, 365, 'days'),
    historyDays: int(o.historyDays, 7, 0, 365, 'historyDays'),
    historyPerHostDay: int(o.historyPerHostDay, 100, 0, 1_000_000, 'historyPerHostDay'),
    seed: int(o.seed, DEFAULT_SEED, 0, 2 ** 32 - 1, 'seed'),
    processesPerHostDay: int(o.processesPerHostDay, 600, 0, 1_000_000, 'processesPerHostDay'),
    batchSize: int(o.batchSize, 200_000, 1, 10_000_000, 'batchSize'),
  };
}

/** One host's events for the whole period, time-ordered with record ids. */
export function generateHost(i: number, o: DemoOptions, manifest: PlantedManifest = plantedManifest(o)): SysmonEvent[] {
  const r = resolveDemoOptions(o);
  const rng = new Prng(deriveSeed(r.seed, 'host', i));
  const h = new HostSim(hostName(i), machinePart(r.seed, i), rng, `CORP\\${USERS[i % USERS.length]!}`, hostIp(i));
  const roles = plantedRoles(manifest);
  const booted = boot(h, DEMO_EPOCH_MS, { lsass: roles.get(`${h.host}|lsass`), explorer: roles.get(`${h.host}|explorer`) });
  plant(h, booted, manifest);
  const planted = h.creates;
  for (let d = 0; d < r.days; d++) {
    const dayStart = DEMO_EPOCH_MS + d * DAY_MS;
    fillDay(h, booted, rng, d === 0 ? booted.explorer.startMs + 60_000 : dayStart, dayStart + DAY_MS, planted + r.processesPerHostDay * (d + 1), r.processesPerHostDay);
  }
  return h.drain();
}

/** Benign activities from `t` until `target` creates or the day's end (≈ 1.7 creates each, spread over the day). */
function fillDay(h: HostSim, booted: BootedHost, rng: Prng, t: number, dayEnd: number, target: number, perDay: number): void {
  const gap = Math.max(1, Math.floor(DAY_MS / Math.max(1, perDay / 1.7)));
  while (h.creates < target) {
    t += rng.int(1, 2 * gap);
    if (t >= dayEnd - 600_000) break;
    activity(h, booted, t);
  }
}

/** Record ids of history day `back` (1 = the day before day 0) start here: above day 0's, rising with time. */
const historyRecordBase = (historyDays: number, back: number) => 1_000_000_000 + (historyDays - back) * 10_000_000;

/**
 * Host `i`'s benign history `back` days before day 0 (1 = the day before): a boot and a lighter day of
 * the same activities, from its own PRNG stream (day 0 and the planted manifest do not depend on it).
 */
export function generateHistoryDay(i: number, back: number, o: DemoOptions): SysmonEvent[] {
  const r = resolveDemoOptions(o);
  const rng = new Prng(deriveSeed(r.seed, 'history', i, back));
  const h = new HostSim(hostName(i), machinePart(r.seed, i), rng, `CORP\\${USERS[i % USERS.length]!}`, hostIp(i), historyRecordBase(r.historyDays, back));
  const dayStart = DEMO_EPOCH_MS - back * DAY_MS;
  const booted = boot(h, dayStart, {});
  fillDay(h, booted, rng, booted.explorer.startMs + 60_000, dayStart + DAY_MS, h.creates + r.historyPerHostDay, r.historyPerHostDay);
  return h.drain();
}

/**
 * The fleet's events in batches of about `batchSize` (whole hosts are gathered until a batch is
 * full; a host's events are in time order: its history days, oldest first, then day 0 on). Large batches let DuckDB write row groups straight to
 * the file instead of through its WAL.
 */
export function* generateDemo(o: DemoOptions = {}): Generator<SysmonEvent[]> {
  const r = resolveDemoOptions(o);
  const manifest = plantedManifest(r);
  let batch: SysmonEvent[] = [];
  for (let i = 0; i < r.hosts; i++) {
    const history = Array.from({ length: r.historyDays }, (_, k) => generateHistoryDay(i, r.historyDays - k, r)).flat();
    for (const e of [...history, ...generateHost(i, r, manifest)]) {
      batch.push(e);
      if (batch.length >= r.batchSize) { yield batch; batch = []; }
    }
  }
  if (batch.length > 0) yield batch;
}

/** The notables stored with a demo fleet. */
export function notablesFor(o: DemoOptions = {}): Notable[] {
  return demoNotables(plantedManifest(resolveDemoOptions(o)));
}

/** What `writeDemo` wrote. */
export interface DemoSummary {
  hosts: number;
  days: number;
  historyDays: number;
  seed: number;
  events: number;
  processes: number;
  notables: number;
  ms: number;
}

/** Generate the fleet into `store` (then optimize it for lookups and build its prevalence tables). */
export async function writeDemo(store: EmbeddedStore, o: DemoOptions = {}, onBatch?: (eventsSoFar: number) => void): Promise<DemoSummary> {
  const r = resolveDemoOptions(o);
  const t0 = performance.now();
  let written = 0;
  for (const batch of generateDemo(r)) {
    await store.writeEvents(batch);
    written += batch.length;
    onBatch?.(written);
  }
  await store.writeNotables(notablesFor(r));
  await store.optimize();
  await catchUpPrevalence(store);
  const counts = await store.counts();
  return {
    hosts: r.hosts, days: r.days, historyDays: r.historyDays, seed: r.seed, events: counts.events, processes: counts.processes,
    notables: counts.notables, ms: Math.round(performance.now() - t0),
  };
}
