/** The prevalence keys of one create, with the expected keys written out by hand. */
import { describe, expect, it } from 'vitest';
import { preferredHash, prevalenceKeys } from './prevalence-index.js';

const p = (o: Partial<{ name: string; image: string; parentImage: string; commandLine: string; hashes: string }>) => ({
  name: '', image: '', parentImage: '', commandLine: '', hashes: '', ...o,
});

describe('prevalence keys', () => {
  it('prefer SHA256, then SHA1, then MD5, uppercase; none without one', () => {
    expect(preferredHash('MD5=ab12,SHA256=cd34ef,IMPHASH=00')).toBe('SHA256=CD34EF');
    expect(preferredHash('SHA1=aa, MD5=bb')).toBe('SHA1=AA');
    expect(preferredHash('MD5=bb')).toBe('MD5=BB');
    expect(preferredHash('IMPHASH=1234')).toBeNull();
    expect(preferredHash('')).toBeNull();
  });

  it('pair, folded command line, chain after the parent\'s, image by hash or path', () => {
    const k = prevalenceKeys(p({ name: 'cmd.exe', image: 'C:\\Windows\\System32\\cmd.exe', parentImage: 'C:\\Program Files\\Office\\WINWORD.EXE',
      commandLine: 'cmd.exe /c ping -n 12 host', hashes: 'MD5=AA' }), 'explorer.exe>winword.exe');
    expect(k).toEqual({ pair: 'winword.exe>cmd.exe', cmd: 'cmd.exe|cmd.exe /c ping -n # host', chain: 'explorer.exe>winword.exe>cmd.exe', img: 'MD5=AA' });
    const root = prevalenceKeys(p({ name: 'smss.exe', image: 'C:\\Windows\\System32\\smss.exe', parentImage: 'System' }), null);
    expect(root).toEqual({ pair: 'system>smss.exe', cmd: null, chain: 'system>smss.exe', img: 'path:c:\\windows\\system32\\smss.exe' });
    const orphan = prevalenceKeys(p({ name: 'a.exe', image: 'C:\\a.exe' }), null);
    expect(orphan.pair).toBeNull();
    expect(orphan.chain).toBe('a.exe');
  });

  it('a chain keeps its last 16 names', () => {
    const parent = Array.from({ length: 20 }, (_, i) => `p${i}.exe`).join('>');
    const k = prevalenceKeys(p({ name: 'x.exe', image: 'C:\\x.exe', parentImage: 'C:\\p19.exe' }), parent);
    expect(k.chain!.split('>')).toEqual([...Array.from({ length: 15 }, (_, i) => `p${i + 5}.exe`), 'x.exe']);
  });
});
