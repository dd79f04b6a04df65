/**
 * `npm run bench -- hec [--events N] [--runs R]`: HEC sender throughput (server/src/sinks/hec.ts) into the
 * test server's HEC over loopback HTTP — events per second with the default batching (500 events / 512
 * KiB per request), with acknowledgement on, and one event per request (what batching saves). Rule-hit
 * shaped events. Medians of R runs after one untimed warm-up; the load average is printed because the machine is shared. The test
 * server indexes in the same process, so the figures bound the sender plus a cheap receiver, not Splunk.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startSplunkd } from '../tools/splunkd-sim/index.js';
import { hecConfig, sendToHec, type HecConfig } from '../server/src/sinks/hec.js';
import { ruleHitEvent } from '../server/src/sinks/rule-hits.js';

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string' }, runs: { type: 'string' } } });
  const n = Number(values.events ?? 5_000);
  const runs = Number(values.runs ?? 5);
  const h = await startSplunkd({ hecTokens: { plain: { name: 'bench', index: 'lineage' }, acked: { name: 'bench-ack', index: 'lineage', ack: true } } });
  const base = (token: string, over: Partial<HecConfig> = {}) => hecConfig({ url: h.url, token, index: 'lineage' }, { ackPollMs: 5, ...over })!;
  const events = Array.from({ length: n }, (_, i) => ruleHitEvent({
    rule: 'lin-office-shell', host: `ws${i % 500}.corp.example`, time: new Date(1_772_442_000_000 + i * 1000).toISOString(),
    chain: [`{00000001-0000-0000-0000-${String(i).padStart(12, '0')}}`, `{00000002-0000-0000-0000-${String(i).padStart(12, '0')}}`],
    images: ['C:\\Program Files\\Microsoft Office\\WINWORD.EXE', 'C:\\Windows\\System32\\cmd.exe'], url: `/?guid={00000002-0000-0000-0000-${String(i).padStart(12, '0')}}`, severity: 'high',
  }, 'https://lineage.corp.example'));
  const modes: Array<[string, HecConfig, number]> = [
    ['batched', base('plain'), n],
    ['batched+ack', base('acked', { ack: true }), n],
    ['one-per-request', base('plain', { batchEvents: 1 }), Math.min(n, 1_000)],
  ];
  const out: Record<string, number> = {};
  for (const [label, cfg, count] of modes) {
    const rates: number[] = [];
    await sendToHec(cfg, events.slice(0, count)); // warm-up (JIT, sockets), not timed
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await sendToHec(cfg, events.slice(0, count));
      rates.push(count / ((performance.now() - t0) / 1000));
    }
    out[label] = Math.round(median(rates));
    const line = { bench: 'hec', mode: label, events: count, runs, medianEventsPerSec: out[label], loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)) };
    console.log(JSON.stringify(line));
    console.error(`[hec] ${label}: ${line.medianEventsPerSec} events/s (median of ${runs}, ${count} events, load ${line.loadAvg1m})`);
  }
  console.error(`[hec] batching gains ${(out.batched! / out['one-per-request']!).toFixed(1)}x over one event per request; with ack: ${(out['batched+ack']! / out.batched!).toFixed(2)}x the batched rate`);
  await h.stop();
}
