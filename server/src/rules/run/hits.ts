/** Engine hits → wire rule hits (docs/api.md `POST /api/rules/run`): the window and link each opens, stable order. */
import { investigationUrl, windowAround, type RuleHit, type TimeRange } from '@lineage/shared';
import type { EngineHit } from '../model.js';

/**
 * The investigation window a hit opens: from the earliest known chain start − 1 h to the leaf's start
 * + 24 h — the graph's default window stretched back over the whole chain, so every chain node is drawn
 * as a real node and, with host and window named, the server needs no origin lookup. Null when no start
 * can be read. `starts`: the chain's creation times in epoch ms, oldest first, the leaf last.
 */
export const hitWindow = windowAround;

/** The investigation URL for a hit: the leaf as origin and selection, host, the chain's window, the chain highlighted. */
export function hitUrl(host: string, chain: string[], window: TimeRange | null = null): string {
  const leaf = chain[chain.length - 1] ?? '';
  return investigationUrl({ guid: leaf, host, from: window?.from, to: window?.to, sel: leaf, highlight: chain });
}

/** Engine hit → wire RuleHit (docs/api.md `POST /api/rules/run`), with the window its `url` opens. */
export function toRuleHit(h: EngineHit): RuleHit {
  const window = hitWindow(h.starts);
  return {
    rule: h.rule.id, host: h.host, chain: h.chain, images: h.images, steps: h.steps, time: h.time,
    url: hitUrl(h.host, h.chain, window), truncated: h.truncated, severity: h.rule.severity,
    ...(h.rule.tags.length ? { tags: h.rule.tags } : {}),
    ...(window ? { from: window.from, to: window.to } : {}),
  };
}

/** Hits sorted by time, then host and leaf, for stable output. */
export function sortHits(hits: RuleHit[]): RuleHit[] {
  return hits.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.host.localeCompare(b.host) || (a.chain.at(-1) ?? '').localeCompare(b.chain.at(-1) ?? '') || a.rule.localeCompare(b.rule)));
}
