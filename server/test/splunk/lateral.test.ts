/**
 * Expand across on Splunk: the planted PsExec and WMI movements (both hosts' demo events loaded into the
 * Splunk-protocol test server and into an embedded store) link the same on both sources, and an
 * expansion from a drawn node costs exactly ONE search — counted by the source and by what the server received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LateralAnswer } from '@lineage/shared';
import { generateHost } from '../../src/demo/generate.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { expandAcross, type ExpandRequest } from '../../src/services/lateral.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { newContext, type EventSource } from '../../src/sources/event-source.js';
import type { SplunkSource } from '../../src/sources/splunk/source.js';
import type { WinEvent } from '../../../tools/splunkd-sim/winevent.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { loginSource } from './fixture.js';

const opts = { hosts: 12, processesPerHostDay: 40 };
const m = plantedManifest(opts);
const px = m.psexec!;
const wmi = m.wmi!;
const index = (host: string): number => Number(/ws-(\d+)/.exec(host)![1]) - 1;
const events = [px.source.host, px.target.host].flatMap((h) => generateHost(index(h), opts, m));

describe('Splunk: expand across', () => {
  let splunkd: SplunkdHandle;
  let splunk: SplunkSource;
  let dir: string;
  let store: EmbeddedStore;
  let embedded: EmbeddedSource;
  beforeAll(async () => {
    const win: WinEvent[] = events.map((e) => ({
      system: { eventId: e.eventId, computer: e.host, recordId: e.recordId, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: e.time },
      data: e.fields,
    }));
    splunkd = await startSplunkd({ data: { sysmonEvents: win } });
    splunk = await loginSource(splunkd);
    dir = mkdtempSync(join(tmpdir(), 'lineage-lateral-splunk-'));
    store = await EmbeddedStore.open(join(dir, 'e.duckdb'));
    await store.writeEvents(events);
    embedded = new EmbeddedSource(store);
  });
  afterAll(async () => {
    await splunk?.close?.();
    await splunkd?.stop();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function both(req: ExpandRequest): Promise<{ s: LateralAnswer; e: LateralAnswer; received: number }> {
    const before = splunkd.received.length;
    const s = await expandAcross(splunk as EventSource, req, newContext());
    const received = splunkd.received.length - before;
    const e = await expandAcross(embedded, req, newContext());
    return { s, e, received };
  }

  it('PsExec from a drawn node: one search, the same link and evidence as embedded', async () => {
    const end = new Date(Date.parse(px.time) + 9_000).toISOString();
    const { s, e, received } = await both({ guid: px.psexec, host: px.source.host, start: px.time, end });
    expect(s.stats.searches).toBe(1);
    expect(received).toBe(1);
    expect(s.complete).toBe(true);
    expect(s.links.map((l) => [l.target, l.targetHost, l.confidence, l.evidence.service])).toEqual([[px.psexesvc, px.target.host, 'high', px.service]]);
    expect(s.links).toEqual(e.links);
    expect(s.nodes.map((n) => n.guid)).toEqual([px.psexesvc]);
  });

  it('WMI and the inbound direction agree with embedded', async () => {
    const w = await both({ guid: wmi.wmic, host: wmi.source.host, start: wmi.time, end: null });
    expect(w.s.links.map((l) => [l.target, l.mechanism])).toEqual([[wmi.payload, 'wmi']]);
    expect(w.s.links).toEqual(w.e.links);
    const back = await both({ guid: px.psexesvc, host: null });
    expect(back.s.links.map((l) => l.source)).toEqual([px.psexec]);
    expect(back.s.links).toEqual(back.e.links);
    // origin lookup + the facts search + the source process's lookup
    expect(back.s.stats.searches).toBe(3);
    expect(back.received).toBe(3);
  });
});
