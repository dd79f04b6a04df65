/** The cross-host plants: each side is written by its own host only, with the addresses that tie them. */
import { describe, expect, it } from 'vitest';
import { generateHost } from './generate.js';
import { plantedManifest } from './planted.js';

const opts = { seed: 5, hosts: 14, processesPerHostDay: 20 };
const m = plantedManifest(opts);
const hostIndex = (host: string): number => Number(/ws-(\d+)/.exec(host)![1]) - 1;
const eventsOf = (host: string) => generateHost(hostIndex(host), opts, m);

describe('cross-host plants', () => {
  it('PsExec: the source connects from the port the target saw, and the target host starts the service', () => {
    const p = m.psexec!;
    expect(p.source.host).not.toBe(p.target.host);
    const src = eventsOf(p.source.host);
    const out = src.find((e) => e.eventId === 3 && e.guid === p.psexec)!;
    expect(out.fields).toMatchObject({ Initiated: 'true', SourceIp: p.source.ip, SourcePort: String(p.sourcePort), DestinationIp: p.target.ip, DestinationPort: '445' });
    expect(src.find((e) => e.eventId === 22 && e.guid === p.psexec)!.fields.QueryResults).toContain(p.target.ip);
    expect(src.some((e) => e.guid === p.psexesvc)).toBe(false);
    const dst = eventsOf(p.target.host);
    const inbound = dst.find((e) => e.eventId === 3 && e.fields.Initiated === 'false' && e.fields.DestinationPort === String(p.sourcePort))!;
    expect(inbound.fields).toMatchObject({ Image: 'System', SourceIp: p.target.ip, SourcePort: '445', DestinationIp: p.source.ip });
    const svc = dst.find((e) => e.eventId === 1 && e.guid === p.psexesvc)!;
    expect((svc.fields.ParentImage ?? '').toLowerCase()).toMatch(/services\.exe$/);
    expect(dst.find((e) => e.eventId === 1 && e.guid === p.payload)!.fields.ParentProcessGuid).toBe(p.psexesvc);
  });

  it('every EventID 3 of a host carries that host\'s own address as SourceIp', () => {
    const p = m.psexec!;
    for (const end of [p.source, p.target]) {
      const own = new Set(eventsOf(end.host).filter((e) => e.eventId === 3).map((e) => e.fields.SourceIp));
      expect([...own]).toEqual([end.ip]);
    }
  });

  it('WMI: two connections (135 and a dynamic port) and WmiPrvSE starting the payload on the target', () => {
    const w = m.wmi!;
    const out = eventsOf(w.source.host).filter((e) => e.eventId === 3 && e.guid === w.wmic).map((e) => e.fields.DestinationPort);
    expect(out[0]).toBe('135');
    expect(out).toHaveLength(2);
    const dst = eventsOf(w.target.host);
    expect(dst.find((e) => e.eventId === 1 && e.guid === w.payload)!.fields.ParentProcessGuid).toBe(w.wmiprvse);
    const ports = [String(w.sourcePort), String(w.sourcePort + 1)];
    expect(dst.filter((e) => e.eventId === 3 && e.fields.Initiated === 'false' && ports.includes(e.fields.DestinationPort ?? ''))).toHaveLength(2);
  });

  it('compare: both hosts run the inventory root; only host B starts net.exe', () => {
    const c = m.compare!;
    const a = eventsOf(c.hostA);
    const b = eventsOf(c.hostB);
    expect(a.some((e) => e.eventId === 1 && e.guid === c.rootA)).toBe(true);
    expect(b.find((e) => e.eventId === 1 && e.guid === c.extraB)!.fields.ParentProcessGuid).toBe(c.rootB);
    expect(a.some((e) => e.eventId === 1 && /\\net\.exe$/i.test(e.fields.Image ?? ''))).toBe(false);
  });
});
