/**
 * The Splunk app package (splunk-app/lineage/, docs/splunk-app.md): the layout and `.conf` contents
 * AppInspect checks for packaging (app.conf fields, package id = folder name, no local/, no executable
 * content), the workflow actions, and the `.spl` built by scripts/build-splunk-app.mjs read back with a
 * tar reader written here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConf, type Conf } from './conf.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'splunk-app', 'lineage');
const tmp = mkdtempSync(join(tmpdir(), 'splunk-app-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function conf(rel: string): Conf { return parseConf(readFileSync(join(APP, rel), 'utf8'), rel); }
function stanza(c: Conf, name: string): Map<string, string> {
  const s = c.get(name);
  if (!s) throw new Error(`no [${name}] stanza`);
  return s;
}
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { out.push(`${relative(dir, p).split(sep).join('/')}/`); walk(p); } else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('the .conf reader used as oracle', () => {
  it('follows Splunk syntax: comments, continuation lines, whitespace, default stanza, last key wins', () => {
    const c = parseConf([
      'top = level', '# a comment', '   # an indented comment', '[a]', '  key   =  spaced value  ',
      'multi = one \\', 'two \\', 'three', 'hash = value # not a comment', '', '[ b ]', 'k = 1', 'k = 2', '[a]', 'more = yes',
    ].join('\n'));
    expect(c.get('default')!.get('top')).toBe('level');
    expect(Object.fromEntries(c.get('a')!)).toEqual({ key: 'spaced value', multi: 'one \ntwo \nthree', hash: 'value # not a comment', more: 'yes' });
    expect(c.get('b')!.get('k')).toBe('2');
    expect(() => parseConf('[a]\nnot a setting\n')).toThrow(/:2: not a stanza header/);
  });
});

describe('package layout (AppInspect packaging checks)', () => {
  const all = files(APP);

  it('has the files an app needs and nothing an admin owns', () => {
    for (const f of ['default/app.conf', 'default/workflow_actions.conf', 'default/macros.conf', 'metadata/default.meta', 'README.md', 'default/data/ui/views/lineage_open.xml', 'default/data/ui/nav/default.xml']) {
      expect(all, f).toContain(f);
    }
    expect(all.filter((f) => /(^|\/)local(\/|\.meta$)/.test(f))).toEqual([]);
    expect(all.filter((f) => f.split('/').some((p) => p.startsWith('.')))).toEqual([]);
  });

  it('has no executable content: no bin/, scripts, binaries, JavaScript, or executable bits', () => {
    expect(all.filter((f) => /^bin\/|^appserver\//.test(f))).toEqual([]);
    expect(all.filter((f) => /\.(py|pyc|pyo|sh|bat|cmd|ps1|exe|dll|so|dylib|js|jar|pl|rb)$/i.test(f))).toEqual([]);
    for (const f of all.filter((x) => !x.endsWith('/'))) expect(statSync(join(APP, f)).mode & 0o111, f).toBe(0);
  });

  it('app.conf carries the fields AppInspect requires; the package id is the folder name', () => {
    const c = conf('default/app.conf');
    expect(stanza(c, 'package').get('id')).toBe('lineage');
    expect(stanza(c, 'id').get('name')).toBe('lineage');
    const launcher = stanza(c, 'launcher');
    expect(launcher.get('version')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(stanza(c, 'id').get('version')).toBe(launcher.get('version'));
    expect(launcher.get('description')!.length).toBeGreaterThan(40);
    expect(launcher.get('description')).toContain('\n'); // written with continuation lines
    expect(launcher.get('author')).toBeTruthy();
    expect(stanza(c, 'ui').get('label')).toBe('Lineage');
    expect(['true', 'false', '1', '0']).toContain(stanza(c, 'ui').get('is_visible'));
    expect(stanza(c, 'install').get('build')).toMatch(/^\d+$/);
  });

  it('metadata/default.meta exports the actions, readable by all, writable by admins', () => {
    const top = stanza(conf('metadata/default.meta'), '');
    expect(top.get('export')).toBe('system');
    expect(top.get('access')).toMatch(/read : \[ \* \], write : \[ admin \]/);
  });
});

describe('workflow actions and the Lineage address', () => {
  const wa = conf('default/workflow_actions.conf');
  const tokens = (uri: string) => [...uri.matchAll(/\$([^$]+)\$/g)].map((m) => m[1]);

  it('opens a ProcessGuid (Sysmon EventID 1 and any event carrying one) with the FQDN Computer', () => {
    const s = stanza(wa, 'lineage_open_process');
    expect(s.get('type')).toBe('link');
    expect(s.get('fields')).toBe('ProcessGuid');
    expect(['both', 'event_menu']).toContain(s.get('display_location'));
    expect(tokens(s.get('link.uri')!)).toEqual(['ProcessGuid', 'Computer', '_time']);
    expect(s.get('link.uri')).toMatch(/^\/app\/lineage\/lineage_open\?/);
  });

  it('opens ES notables with dest as the machine and the notable id', () => {
    const s = stanza(wa, 'lineage_open_notable');
    expect(s.get('eventtypes')).toBe('notable');
    expect(tokens(s.get('link.uri')!)).toEqual(['process_guid', 'dest', '_time', 'event_id']);
  });

  it('every action is a GET link into this app; no host is written anywhere but the admin-set macro', () => {
    const actions = [...wa.keys()].filter((k) => k !== 'default');
    expect(actions.length).toBeGreaterThanOrEqual(4);
    for (const a of actions) {
      const s = stanza(wa, a);
      expect(s.get('link.method'), a).toBe('get');
      const view = /^\/app\/lineage\/([a-z_]+)\?/.exec(s.get('link.uri')!)?.[1];
      expect(view, a).toBe('lineage_open');
      for (const t of tokens(s.get('link.uri')!)) expect(t, a).toMatch(/^[A-Za-z_]+$/);
    }
    for (const f of ['default/app.conf', 'default/workflow_actions.conf', 'default/macros.conf', 'metadata/default.meta']) {
      for (const [, kv] of conf(f)) for (const [k, v] of kv) expect(v, `${f} ${k}`).not.toMatch(/https?:\/\//);
    }
    expect(stanza(conf('default/macros.conf'), 'lineage_base_url').get('definition')).toBe('""');
  });

  it('the Open in Lineage view quotes every form token into its SPL and reads the address from the macro', () => {
    const xml = readFileSync(join(APP, 'default/data/ui/views/lineage_open.xml'), 'utf8');
    expect(xml).toMatch(/^<form version="1\.1"/);
    const query = /<query>([\s\S]*?)<\/query>/.exec(xml)![1]!;
    const used = [...query.replaceAll("$$", "").matchAll(/\$([^$]+)\$/g)].map((m) => m[1]);
    expect(used.sort()).toEqual(['guid|s', 'host|s', 'notable|s', 'time|s']);
    expect(query).toContain('`lineage_base_url`');
    const inputs = [...xml.matchAll(/<input type="text" token="([a-z]+)">/g)].map((m) => m[1]);
    const passed = new Set([...wa.values()].flatMap((s) => [...(s.get('link.uri') ?? '').matchAll(/form\.([a-z]+)=/g)].map((m) => m[1])));
    expect([...passed].every((p) => inputs.includes(p))).toBe(true);
  });
});

/** Entries of a ustar archive, read per POSIX: 512-byte headers, octal sizes, name = prefix/name. */
function readTar(buf: Buffer): { name: string; mode: number; type: string; data: Buffer }[] {
  const out = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const sum = h.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    expect(parseInt(str(148, 8), 8)).toBe(sum);
    expect(str(257, 6)).toBe('ustar');
    const size = parseInt(str(124, 12), 8);
    const prefix = str(345, 155);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    out.push({ name, mode: parseInt(str(100, 8), 8), type: str(156, 1), data: buf.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('npm run build:splunk-app', () => {
  const build = (app: string, out: string) => execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-splunk-app.mjs'), '--app', app, '--out', out], { encoding: 'utf8', stdio: 'pipe' });

  it('packs the app under lineage/ with 0644 files and 0755 directories, byte-identical on a rebuild', () => {
    const out1 = join(tmp, 'a');
    const out2 = join(tmp, 'b');
    build(APP, out1);
    build(APP, out2);
    const version = stanza(conf('default/app.conf'), 'launcher').get('version');
    const spl = `lineage-${version}.spl`;
    const bytes = readFileSync(join(out1, spl));
    expect(bytes.equals(readFileSync(join(out2, spl)))).toBe(true);
    const entries = readTar(gunzipSync(bytes));
    expect(entries.map((e) => e.name).sort()).toEqual(['lineage/', ...files(APP).map((f) => `lineage/${f}`)].sort());
    for (const e of entries) {
      if (e.name.endsWith('/')) { expect(e.type).toBe('5'); expect(e.mode).toBe(0o755); continue; }
      expect(e.type).toBe('0');
      expect(e.mode, e.name).toBe(0o644);
      expect(e.data.equals(readFileSync(join(APP, e.name.slice('lineage/'.length)))), e.name).toBe(true);
    }
  });

  it('refuses to pack a local/ folder or a hidden file, and says why', () => {
    const copy = join(tmp, 'copy');
    cpSync(APP, copy, { recursive: true });
    mkdirSync(join(copy, 'local'));
    writeFileSync(join(copy, 'local', 'macros.conf'), '[lineage_base_url]\ndefinition = "https://x"\n');
    expect(() => build(copy, join(tmp, 'c'))).toThrow(/refusing to pack local.*belong to the installing admin/);
    rmSync(join(copy, 'local'), { recursive: true });
    writeFileSync(join(copy, '.DS_Store'), 'x');
    expect(() => build(copy, join(tmp, 'c'))).toThrow(/refusing to pack hidden file \.DS_Store/);
  });
});
