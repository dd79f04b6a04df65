/**
 * Expand across (`GET /api/processes/:guid/lateral`) over the demo fleet's planted PsExec and WMI
 * movements, and compare (`GET /api/compare`) over its two inventory runs with one planted difference.
 * Truth: the planted manifest (server/src/demo/planted.ts) and the plant's description there.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompareAnswerSchema, LateralAnswerSchema, type LateralAnswer } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { openDemoApp, type DemoApp } from './demo-app.js';

const HOSTS = 12;
const m = plantedManifest({ hosts: HOSTS });
const px = m.psexec!;
const wmi = m.wmi!;

let demo: DemoApp;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  demo = await openDemoApp('lineage-lateral-', { hosts: HOSTS, processesPerHostDay: 150 });
  ({ app } = demo);
});

afterAll(() => demo?.close());

async function across(guid: string, query: Record<string, string> = {}): Promise<LateralAnswer> {
  const res = await request(app).get(`/api/processes/${encodeURIComponent(guid)}/lateral`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return LateralAnswerSchema.parse(res.body);
}

describe('expand across', () => {
  it('PsExec: from the tool to PSEXESVC on the target, both ends of the connection as evidence, the service named', async () => {
    const a = await across(px.psexec);
    expect(a.complete).toBe(true);
    expect(a.links).toHaveLength(1);
    const l = a.links[0]!;
    expect(l).toMatchObject({ source: px.psexec, sourceHost: px.source.host, target: px.psexesvc, targetHost: px.target.host, mechanism: 'service', confidence: 'high' });
    expect(l.evidence.connection).toMatchObject({ sourceIp: px.source.ip, sourcePort: px.sourcePort, destinationIp: px.target.ip, destinationPort: 445 });
    expect(l.evidence.connection.targetTime).not.toBeNull();
    expect(l.evidence.connection.targetProcess?.image).toBe('System');
    expect(l.evidence.service).toBe(px.service);
    expect(l.evidence.launcher.image.toLowerCase()).toMatch(/\\services\.exe$/);
    expect(l.evidence.resolution.map((r) => r.via)).toEqual(['inbound-connection']);
    // the far side is drawn: PSEXESVC's node, on the target host
    expect(a.nodes.map((n) => [n.guid, n.host])).toEqual([[px.psexesvc, px.target.host]]);
  });

  it('WMI: from wmic to the payload WmiPrvSE started; the logon GUID of the remote session is evidence', async () => {
    const a = await across(wmi.wmic);
    expect(a.links.map((l) => [l.target, l.mechanism, l.confidence])).toEqual([[wmi.payload, 'wmi', 'high']]);
    const l = a.links[0]!;
    expect(l.evidence.connection.destinationPort).toBe(135);
    expect(l.evidence.launcher.guid).toBe(wmi.wmiprvse);
    expect(l.evidence.logonGuid).toMatch(/^\{[0-9a-f-]+\}$/);
    expect(l.evidence.startDelayMs).toBeGreaterThan(0);
  });

  it('inbound: from the target root back to the source process, with the source node looked up', async () => {
    const a = await across(px.psexesvc, { host: px.target.host });
    expect(a.links.map((l) => [l.source, l.target])).toEqual([[px.psexec, px.psexesvc]]);
    expect(a.nodes.map((n) => [n.guid, n.host, n.name])).toEqual([[px.psexec, px.source.host, 'psexec64.exe']]);
  });

  it('with the node\'s host and times given, the expansion is the facts read alone (3 statements embedded)', async () => {
    const a = await across(px.psexec, { host: px.source.host, start: px.time, end: new Date(Date.parse(px.time) + 9_000).toISOString() });
    expect(a.links).toHaveLength(1);
    expect(a.stats.searches).toBe(3);
  });

  it('no evidence, no edge: the source\'s console, a C2 beacon and the target\'s other processes link nowhere', async () => {
    for (const g of [px.cmd, m.phishing.powershell, px.payload, m.lsassAccess.powershell]) {
      expect((await across(g)).links, g).toEqual([]);
    }
  });

  it('bad input is refused before any query', async () => {
    expect((await request(app).get('/api/processes/nope/lateral')).status).toBe(400);
    expect((await request(app).get(`/api/processes/${px.psexec}/lateral`).query({ start: 'yesterday' })).status).toBe(400);
    expect((await request(app).get(`/api/processes/${px.psexec}/lateral`).query({ extra: '1' })).status).toBe(400);
    expect((await request(app).get('/api/processes/{00000000-0000-0000-0000-00000000abcd}/lateral')).status).toBe(404);
  });
});

describe('compare two trees', () => {
  const c = m.compare!;
  it('the same inventory task on two hosts: only B started net.exe, and B\'s cscript made one more connection', async () => {
    const res = await request(app).get('/api/compare').query({ a: c.rootA, aHost: c.hostA, b: c.rootB, bHost: c.hostB });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cmp = CompareAnswerSchema.parse(res.body);
    expect([cmp.a.host, cmp.b.host, cmp.a.complete, cmp.b.complete]).toEqual([c.hostA, c.hostB, true, true]);
    const rows = cmp.rows.map((r) => [r.name, r.status, r.a.length, r.b.length]);
    expect(rows).toEqual(expect.arrayContaining([['cmd.exe', 'both', 1, 1], ['cscript.exe', 'both', 1, 1], ['ipconfig.exe', 'both', 1, 1], ['systeminfo.exe', 'both', 1, 1], ['net.exe', 'only-b', 0, 1]]));
    expect(rows).toHaveLength(5); // the roots (matched by choice) and four positions below them
    expect(cmp.rows.find((r) => r.name === 'net.exe')!.b).toEqual([c.extraB]);
    // the run-specific output file name (digits) is folded: the cscript lines match
    expect(cmp.rows.find((r) => r.name === 'cscript.exe')!.eventDiff).toEqual({ network: 1 });
    expect(cmp.summary).toEqual({ onlyA: 0, onlyB: 1, countDiffers: 0, eventsDiffer: 1, same: 4 });
  });

  it('the same subtree compared with itself has no difference; a bad GUID is refused', async () => {
    const self = CompareAnswerSchema.parse((await request(app).get('/api/compare').query({ a: c.rootA, b: c.rootA })).body);
    expect(self.summary).toMatchObject({ onlyA: 0, onlyB: 0, countDiffers: 0, eventsDiffer: 0 });
    expect((await request(app).get('/api/compare').query({ a: c.rootA, b: 'x' })).status).toBe(400);
    expect((await request(app).get('/api/compare').query({ a: c.rootA })).status).toBe(400);
  });
});
