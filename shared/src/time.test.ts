/** Time parsing, range checks and windows: expected values written out by hand from the documented rules (docs/api.md). */
import { describe, expect, it } from 'vitest';
import { canonicalTime, parseEpochOrTime, rangeProblem, resolveRange, windowAround } from './time.js';

describe('time on the wire', () => {
  it('reads ISO 8601 and Sysmon times, no zone meaning UTC', () => {
    expect(canonicalTime('2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
    expect(canonicalTime('2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(canonicalTime('2024-05-01T10:00:00+02:00')).toBe('2024-05-01T08:00:00.000Z');
    expect(canonicalTime('2024-05-01 10:00:00.123')).toBe('2024-05-01T10:00:00.123Z');
    expect(canonicalTime(' 2024-05-01T10:00 ')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('refuses anything else, including what Date.parse would guess at', () => {
    for (const v of ['', 'yesterday', 'May 1, 2024', '2024-13-01', '2024-05-01T25:00:00Z', '1648230397', '2024-05-01T10:00:00Zjunk']) {
      expect(canonicalTime(v), v).toBeNull();
    }
  });

  it('epoch seconds or a time, as Splunk sends _time', () => {
    expect(parseEpochOrTime('1648230397.48')).toBe(1_648_230_397_480);
    expect(parseEpochOrTime('2022-03-25T17:46:37.480Z')).toBe(1_648_230_397_480);
    expect(parseEpochOrTime('0')).toBeNull();
    expect(parseEpochOrTime('12e9')).toBeNull();
  });

  it('ranges: inverted refused, half-given ones open at the missing end', () => {
    expect(rangeProblem('2024-05-02T00:00:00.000Z', '2024-05-01T00:00:00.000Z')).toMatch(/inverted time range/);
    expect(rangeProblem('2024-05-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z')).toBeNull();
    expect(resolveRange({}, null)).toEqual({ range: null });
    expect(resolveRange({ from: '2024-05-01T00:00:00.000Z' }, null)).toEqual({ range: { from: '2024-05-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' } });
    expect(resolveRange({ to: '2024-05-01T00:00:00.000Z' }, { from: '2024-04-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z' }))
      .toEqual({ range: { from: '2024-04-01T00:00:00.000Z', to: '2024-05-01T00:00:00.000Z' } });
    expect(resolveRange({ from: '2024-05-02T00:00:00.000Z', to: '2024-05-01T00:00:00.000Z' }, null)).toHaveProperty('error');
  });

  it('the window around a chain: earliest known start − 1 h … last start + 24 h', () => {
    const ms = (s: string) => Date.UTC(2024, 0, 1, ...s.split(':').map(Number) as [number, number, number]);
    expect(windowAround([ms('02:00:30')])).toEqual({ from: '2024-01-01T01:00:30.000Z', to: '2024-01-02T02:00:30.000Z' });
    expect(windowAround([null, Number.NaN, ms('01:00:00'), ms('02:00:30')])).toEqual({ from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T02:00:30.000Z' });
    expect(windowAround([ms('01:00:00'), null])).toBeNull();
    expect(windowAround([])).toBeNull();
  });
});
