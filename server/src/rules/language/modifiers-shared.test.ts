/**
 * A plain lineage step (`match: {Field|mods: …}`) and a Sigma step (`match: {sigma: {…}}`) compile
 * `windash` and `cidr` the same way, as the Sigma specification's modifier appendix defines them:
 * windash — a `-` or `/` starting a word also matches `/`, `-`, en dash U+2013, em dash U+2014 and
 * horizontal bar U+2015; cidr — IPv4 and IPv6 networks. Expected values are the spec's examples.
 */
import { describe, expect, it } from 'vitest';
import { compileMatch, Tri } from './match.js';

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** Both forms of one `Field|mods: value` item. */
function both(key: string, value: string): Array<(fields: Record<string, string>) => Tri> {
  const plain = compileMatch({ [key]: value });
  const sigma = compileMatch({ sigma: { s: { [key]: value }, condition: 's' } });
  return [plain, sigma].map((p) => (fields) => p.test((f) => fields[f]));
}

describe('one modifier compiler for plain and Sigma steps', () => {
  it('windash: every dash character of the spec, at the start of a word only', () => {
    for (const t of both('CommandLine|contains|windash', ' -s ')) {
      for (const d of DASHES) expect(t({ CommandLine: `psexec.exe ${d}s cmd` }), `dash U+${d.charCodeAt(0).toString(16)}`).toBe(Tri.Yes);
      expect(t({ CommandLine: 'psexec.exe _s cmd' })).toBe(Tri.No);
    }
    // `-` inside a word is not a switch: a-b stays a-b.
    for (const t of both('CommandLine|contains|windash', 'a-b')) {
      expect(t({ CommandLine: 'x a-b' })).toBe(Tri.Yes);
      expect(t({ CommandLine: 'x a/b' })).toBe(Tri.No);
    }
  });

  it('cidr: IPv4 and IPv6 networks', () => {
    for (const t of both('DestinationIp|cidr', '192.168.0.0/16')) {
      expect(t({ DestinationIp: '192.168.3.4' })).toBe(Tri.Yes);
      expect(t({ DestinationIp: '192.169.0.1' })).toBe(Tri.No);
    }
    for (const t of both('DestinationIp|cidr', '2001:db8::/32')) {
      expect(t({ DestinationIp: '2001:db8:1::5' })).toBe(Tri.Yes);
      expect(t({ DestinationIp: '2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff' })).toBe(Tri.Yes);
      expect(t({ DestinationIp: '2001:db9::1' })).toBe(Tri.No);
      expect(t({ DestinationIp: '10.0.0.1' })).toBe(Tri.No);
    }
    expect(() => compileMatch({ 'DestinationIp|cidr': '10.0.0/8' })).toThrow(/cidr value "10.0.0\/8" is not an address\/prefix/);
  });
});
