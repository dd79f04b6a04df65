/**
 * Lineage rule hits as HEC events, shaped for an ES correlation search: CIM-style `dest`, `process_guid`,
 * `process_name`, `parent_process_guid`, plus the rule, severity, the whole chain (oldest first) and the
 * Lineage link. With `process_guid` and `dest` on the notable the search raises, the Splunk app's "Open
 * in Lineage" action applies to it (docs/splunk-app.md).
 */
import type { RuleHit } from '@lineage/shared';
import type { HecEvent } from './hec.js';

const base = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** One event per hit; `publicUrl` (Lineage's address) makes the hit's link absolute. */
export function ruleHitEvent(hit: RuleHit, publicUrl: string | null = null): HecEvent {
  const t = Date.parse(hit.time);
  const leaf = hit.chain.at(-1) ?? null;
  return {
    ...(Number.isFinite(t) ? { time: t / 1000 } : {}),
    host: hit.host,
    event: {
      type: 'lineage_rule_hit', rule: hit.rule, severity: hit.severity ?? 'medium', dest: hit.host,
      process_guid: leaf, process_name: hit.images.length ? base(hit.images.at(-1)!) : null,
      parent_process_guid: hit.chain.length > 1 ? hit.chain.at(-2) : null,
      chain: hit.chain, images: hit.images, truncated: hit.truncated ?? false,
      lineage_url: publicUrl ? `${publicUrl.replace(/\/+$/, '')}${hit.url}` : hit.url,
    },
  };
}
