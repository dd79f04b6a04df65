import { describe, expect, it } from 'vitest';
import { fromUtcField, knownHosts, resolveHost, toUtcField } from './entry-model';

const HOSTS = ['ws-0001.corp.example', 'ws-0004.corp.example', 'ws-0014.corp.example', 'DC01.corp.example'];

describe('host resolution', () => {
  it('when the short name or any case of the FQDN is typed, then the known FQDN is used', () => {
    expect(resolveHost('ws-0004', HOSTS)).toEqual({ host: 'ws-0004.corp.example', note: 'Host ws-0004 is ws-0004.corp.example' });
    expect(resolveHost('dc01', HOSTS)).toMatchObject({ host: 'DC01.corp.example' });
    expect(resolveHost('WS-0001.CORP.EXAMPLE', HOSTS)).toMatchObject({ host: 'ws-0001.corp.example' });
  });
  it('when a prefix matches one host, then it is used; several, then they are listed; none, then the text passes through', () => {
    expect(resolveHost('ws-000', HOSTS)).toEqual({ error: expect.stringContaining('matches 2 known hosts: ws-0001.corp.example, ws-0004.corp.example') });
    expect(resolveHost('ws-001', HOSTS)).toMatchObject({ host: 'ws-0014.corp.example' });
    expect(resolveHost('srv-9', HOSTS)).toEqual({ host: 'srv-9', note: null });
    expect(resolveHost('  ', HOSTS)).toEqual({ host: '', note: null });
  });
  it('when host lists overlap, then known hosts are unique and sorted', () => {
    expect(knownHosts(['b', 'a', null], ['a', undefined, 'c'])).toEqual(['a', 'b', 'c']);
  });
});

describe('24-hour UTC time fields', () => {
  it('when a time is typed in 24-hour form, then it reads as UTC', () => {
    expect(fromUtcField('2026-03-02 21:05:09', 'From')).toEqual({ iso: '2026-03-02T21:05:09.000Z' });
    expect(fromUtcField('2026-03-02T21:05', 'From')).toEqual({ iso: '2026-03-02T21:05:00.000Z' });
    expect(fromUtcField('', 'From')).toEqual({ iso: null });
    expect(toUtcField('2026-03-02T21:05:09.250Z')).toBe('2026-03-02 21:05:09');
  });
  it('when the time is malformed or rolls over, then the error names the field and the form', () => {
    for (const bad of ['03/02/2026 9:05 PM', '2026-02-31 10:00', '2026-03-02 25:00', 'yesterday']) {
      expect(fromUtcField(bad, 'To')).toEqual({ error: expect.stringMatching(/^To: expected a UTC time like 2024-05-01 13:45:07/) });
    }
  });
});
