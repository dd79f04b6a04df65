/**
 * On Splunk, a rule hit's link names host and window, so investigating it needs no origin lookup (an
 * all-time search): the tree search and the host-window counts search — 2 searches, plus one for the
 * events after the window when a drawn process lives on past it (issue 13: counts cover lifetimes;
 * docs/splunk.md "Lifetime events") — counted both by the source (ctx.stats) and by what the
 * Splunk-protocol test server received. The chain is the one of server/test/hit-chain.ts: hours long,
 * rooted at a process whose parent is the zero GUID, so nothing above the window needs looking up either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { investigate } from '../../src/graph/investigate.js';
import { parseRulesOrThrow } from '../../src/rules/language/parse.js';
import { runRules } from '../../src/rules/run/run.js';
import { newContext } from '../../src/sources/event-source.js';
import type { SplunkSource } from '../../src/sources/splunk/source.js';
import { LONG, LONG_CHAIN_RULE, LONG_HOST, longChainEvents } from '../hit-chain.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { loginSource } from './fixture.js';

describe('Splunk: opening a rule hit\'s link', () => {
  let splunkd: SplunkdHandle;
  let splunk: SplunkSource;
  beforeAll(async () => {
    splunkd = await startSplunkd({ data: { sysmonEvents: longChainEvents() } });
    splunk = await loginSource(splunkd);
  });
  afterAll(async () => {
    await splunk?.close?.();
    await splunkd?.stop();
  });

  async function open(url: string, withWindow: boolean) {
    const q = new URLSearchParams(url.replace(/^\/\?/, ''));
    const ctx = newContext();
    const before = splunkd.received.length;
    const doc = await investigate(splunk, {
      guid: q.get('guid')!, host: q.get('host'), up: true, down: 1,
      range: withWindow ? { from: q.get('from')!, to: q.get('to')! } : null,
    }, ctx);
    return { doc, searches: ctx.stats.searches, received: splunkd.received.length - before };
  }

  it('costs 2 searches (+1 when a drawn process outlives the window) and draws the whole chain; the window-less link costs more (it walks up through cmd)', async () => {
    const { hits } = await runRules(splunk, parseRulesOrThrow(LONG_CHAIN_RULE), { ctx: newContext() });
    expect(hits.map((h) => [h.host, h.chain])).toEqual([[LONG_HOST, [LONG.cmd, LONG.powershell, LONG.winword]]]);
    const hit = hits[0]!;

    const linked = await open(hit.url, true);
    const end = linked.doc.range.to;
    const outlives = Date.parse(end) < Date.now() && linked.doc.nodes.some((n) => n.kind === 'process' && !n.placeholder
      && n.startTime !== null && n.startTime >= linked.doc.range.from && (n.endTime === null || n.endTime > end));
    expect(linked.searches).toBe(2 + (outlives ? 1 : 0));
    expect(linked.received).toBe(linked.searches);
    const real = new Set(linked.doc.nodes.filter((n) => !n.placeholder).map((n) => n.guid));
    for (const g of [LONG.explorer, ...hit.chain]) expect(real.has(g), g).toBe(true);

    // The old link (no window): origin lookup + tree + counts + the lookup of cmd above the default window.
    const old = await open(hit.url, false);
    expect(old.searches).toBeGreaterThan(2);
    expect(old.received).toBe(old.searches);
    // Since issue 13 `up` walks on through parents above the window (one lookup each), so cmd is drawn too.
    expect(old.doc.nodes.some((n) => n.guid === LONG.cmd && !n.placeholder)).toBe(true);
  });
});
