/**
 * The evidence rules of cross-host stitching (lateral.README.md), one rule per case. Facts are built by
 * hand, the expected links read off the drawing:
 *
 *   A 10.0.0.1  tool g(1) ──tcp :50000 → 10.0.0.2:445──▶  B 10.0.0.2  System (inbound, same 5-tuple)
 *                                                          services.exe → svc.exe g(2) (+1.5 s)
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../sources/event-source.js';
import { dnsAnswerIps, linkLateral, type LateralFacts } from './lateral.js';
import { g, proc } from './testing.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (sec: number): string => new Date(T0 + sec * 1000).toISOString();

function conn(host: string, guid: string, sec: number, initiated: boolean, local: [string, number], remote: [string, number], image = 'C:\\tool.exe'): EventRecord {
  return {
    guid, host, eventId: 3, category: 'network', time: at(sec), recordId: null, targetGuid: null,
    fields: { Image: image, Protocol: 'tcp', Initiated: String(initiated), SourceIp: local[0], SourcePort: String(local[1]), DestinationIp: remote[0], DestinationPort: String(remote[1]) },
  };
}
const out = (sec = 0, dst: [string, number] = ['10.0.0.2', 445]) => conn('a', g(1), sec, true, ['10.0.0.1', 50000], dst);
const inb = (sec = 0.1, host = 'b') => conn(host, g(99), sec, false, ['10.0.0.2', 445], ['10.0.0.1', 50000], 'System');
const svc = (sec = 1.5, parent = 'C:\\Windows\\System32\\services.exe', host = 'b') =>
  proc(2, 50, 'svc.exe', sec, { host, parentImage: parent, logonGuid: '{00000000-0000-0000-0000-0000000003e7}' });
const dns = (name: string, results: string): EventRecord => ({
  guid: g(1), host: 'a', eventId: 22, category: 'dns', time: at(-1), recordId: null, targetGuid: null, fields: { QueryName: name, QueryResults: results },
});

function facts(f: Partial<LateralFacts>): LateralFacts {
  return { connections: [], addresses: [], dns: [], services: [], creates: [], complete: true, ...f };
}

describe('linkLateral', () => {
  it('both ends logged the same 5-tuple: high confidence, the target named by its own inbound record', () => {
    const [l, ...rest] = linkLateral(facts({ connections: [out(), inb()], creates: [svc()] }));
    expect(rest).toEqual([]);
    expect(l).toMatchObject({ source: g(1), sourceHost: 'a', target: g(2), targetHost: 'b', mechanism: 'service', confidence: 'high' });
    expect(l!.evidence.connection).toMatchObject({ sourceIp: '10.0.0.1', sourcePort: 50000, destinationIp: '10.0.0.2', destinationPort: 445, targetTime: at(0.1) });
    expect(l!.evidence.startDelayMs).toBe(1500);
    expect(l!.evidence.logonGuid).toBeNull(); // SYSTEM's logon is no evidence
  });

  it('only the source logged it: medium, when the address is one host\'s own', () => {
    const [l] = linkLateral(facts({ connections: [out()], addresses: [{ host: 'b', ip: '10.0.0.2' }], creates: [svc()] }));
    expect(l).toMatchObject({ confidence: 'medium', targetHost: 'b' });
    expect(l!.evidence.resolution.map((r) => r.via)).toEqual(['own-address']);
  });

  it('a DNS answer for one of the hosts resolves the address (IPv4-mapped answers too)', () => {
    expect(dnsAnswerIps('::ffff:10.0.0.2;type:  5 alias.corp;10.0.0.3;')).toEqual(['10.0.0.2', '10.0.0.3']);
    const [l] = linkLateral(facts({ connections: [out()], dns: [dns('B.corp.example', '::ffff:10.0.0.2;')], addresses: [{ host: 'b.corp.example', ip: '10.9.9.9' }], creates: [svc(1.5, undefined, 'b.corp.example')] }));
    expect(l).toMatchObject({ confidence: 'medium', targetHost: 'b.corp.example' });
    expect(l!.evidence.resolution[0]!.via).toBe('dns');
  });

  it('no guessing: an address two hosts claim, an unknown address, or a name that is no host → no link', () => {
    const two = [{ host: 'b', ip: '10.0.0.2' }, { host: 'c', ip: '10.0.0.2' }];
    expect(linkLateral(facts({ connections: [out()], addresses: two, creates: [svc(), svc(1.5, undefined, 'c')] }))).toEqual([]);
    expect(linkLateral(facts({ connections: [out()], creates: [svc()] }))).toEqual([]);
    expect(linkLateral(facts({ connections: [out()], dns: [dns('fileserver.corp', '10.0.0.2')], creates: [svc()] }))).toEqual([]);
  });

  it('time tolerance: an inbound record too far from the outbound one is not the same connection', () => {
    expect(linkLateral(facts({ connections: [out(), inb(30)], creates: [svc()] }))).toEqual([]);
  });

  it('the root must come from the port\'s launcher, on the target, within the start window', () => {
    expect(linkLateral(facts({ connections: [out(), inb()], creates: [svc(1.5, 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe')] }))).toEqual([]);
    expect(linkLateral(facts({ connections: [out(), inb()], creates: [svc(1.5, undefined, 'a')] }))).toEqual([]);
    expect(linkLateral(facts({ connections: [out(), inb()], creates: [svc(600)] }))).toEqual([]);
    const wmi = linkLateral(facts({ connections: [out(0, ['10.0.0.2', 135]), conn('b', g(98), 0.1, false, ['10.0.0.2', 135], ['10.0.0.1', 50000])], creates: [svc(2, 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe')] }));
    expect(wmi.map((l) => l.mechanism)).toEqual(['wmi']);
  });

  it('loopback and other ports never link', () => {
    const lo = conn('a', g(1), 0, true, ['127.0.0.1', 50000], ['127.0.0.1', 445]);
    expect(linkLateral(facts({ connections: [lo, out(0, ['10.0.0.2', 443]), inb()], addresses: [{ host: 'b', ip: '10.0.0.2' }], creates: [svc()] }))).toEqual([]);
  });

  it('each root once, to the closest connection before it; a service root names its ImagePath service', () => {
    const early = conn('a', g(3), -60, true, ['10.0.0.1', 49000], ['10.0.0.2', 445]);
    const reg: EventRecord = { guid: g(50), host: 'b', eventId: 13, category: 'registry', time: at(1.2), recordId: null, targetGuid: null,
      fields: { TargetObject: 'HKLM\\System\\CurrentControlSet\\Services\\UPDSVC\\ImagePath', Details: '%SystemRoot%\\svc.exe' } };
    const links = linkLateral(facts({ connections: [early, out(), inb()], addresses: [{ host: 'b', ip: '10.0.0.2' }], services: [reg], creates: [svc()] }));
    expect(links.map((l) => [l.source, l.confidence, l.evidence.service])).toEqual([[g(1), 'high', 'UPDSVC']]);
  });
});
