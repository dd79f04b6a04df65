/**
 * `lineage detect --hec`: after the run, send every hit to Splunk's HTTP Event Collector as one event
 * (server/src/sinks/rule-hits.ts), configured by LINEAGE_HEC_URL / LINEAGE_HEC_TOKEN / LINEAGE_HEC_INDEX /
 * LINEAGE_HEC_ACK (docs/splunk.md). The token is read from the environment, never from the command line
 * (where `ps` would show it).
 */
import type { RuleHit } from '@lineage/shared';
import { readToolEnv } from '../app/config.js';
import { HEC_ENV, HecError, sendToHec, type HecConfig } from '../sinks/hec.js';
import { ruleHitEvent } from '../sinks/rule-hits.js';

/** The HEC settings, or why they cannot be used (checked before the rules run). */
export function hecSetup(env: NodeJS.ProcessEnv = process.env): HecConfig | string {
  try {
    return readToolEnv(env).hec() ?? `--hec needs ${HEC_ENV.url} and ${HEC_ENV.token} in the environment`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Send the hits; returns the exit code (0 sent, 1 HEC refused or unreachable). */
export async function sendHits(cfg: HecConfig, hits: RuleHit[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (hits.length === 0) { process.stderr.write('HEC: no hits to send\n'); return 0; }
  try {
    let publicUrl: string | null;
    try { publicUrl = readToolEnv(env).publicUrl; } catch (e) { process.stderr.write(`lineage detect: ${(e as Error).message}\n`); return 1; }
    const r = await sendToHec(cfg, hits.map((h) => ruleHitEvent(h, publicUrl)));
    process.stderr.write(`HEC: sent ${r.events} hits in ${r.batches} batch${r.batches === 1 ? '' : 'es'} to ${cfg.url.origin}`
      + `${cfg.index ? ` (index ${cfg.index})` : ''}${r.retries ? `, ${r.retries} retries` : ''}${cfg.ack ? (r.acknowledged ? ', acknowledged' : '') : ''}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof HecError)) throw e;
    process.stderr.write(`lineage detect: HEC: ${e.message}\n`);
    return 1;
  }
}
