/**
 * app/config.ts is the one reader of `LINEAGE_*`: the HEC and public-URL settings go through the same
 * schema as every other serve setting (no "unknown variable" warning, a bad value is named at startup),
 * and the other commands read theirs through `readToolEnv`. Expected values are written out from
 * docs/splunk.md's settings table, not computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { readServeConfig, readToolEnv } from './config.js';

const HEC = { LINEAGE_HEC_URL: 'https://hec.corp.example:8088', LINEAGE_HEC_TOKEN: 'tok-0123', LINEAGE_HEC_INDEX: 'lineage', LINEAGE_HEC_ACK: '1' };

describe('serve config: HEC and public URL', () => {
  it('takes LINEAGE_HEC_* without warning and hands serve a checked HEC config', () => {
    const r = readServeConfig(['--db', 'x'], HEC);
    expect(r.warnings).toEqual([]);
    if (!r.ok) throw new Error(r.message);
    expect(r.config.hec?.url.href).toBe('https://hec.corp.example:8088/');
    expect([r.config.hec?.token, r.config.hec?.index, r.config.hec?.ack, r.config.hec?.insecure, r.config.hec?.sourcetype])
      .toEqual(['tok-0123', 'lineage', true, false, 'lineage:rule_hit']);
    const off = readServeConfig(['--db', 'x'], {});
    expect(off.ok && off.config.hec).toBeNull();
  });

  it('names a bad HEC setting by its variable (there is no flag: the token never goes on a command line)', () => {
    const noToken = readServeConfig(['--db', 'x'], { LINEAGE_HEC_URL: 'https://hec:8088' });
    expect(noToken.ok ? '' : noToken.message).toBe('LINEAGE_HEC_TOKEN is required with LINEAGE_HEC_URL (the HEC token the Splunk admin created)');
    const ack = readServeConfig(['--db', 'x'], { ...HEC, LINEAGE_HEC_ACK: 'maybe' });
    expect(ack.ok ? '' : ack.message).toBe('LINEAGE_HEC_ACK expected true or false');
    const idx = readServeConfig(['--db', 'x'], { ...HEC, LINEAGE_HEC_INDEX: 'a b' });
    expect(idx.ok ? '' : idx.message).toMatch(/^LINEAGE_HEC_INDEX: "a b" is not an index name/);
    expect(readServeConfig(['--db', 'x', '--hec-token', 't'], {}).ok).toBe(false);
    const ca = readServeConfig(['--db', 'x'], { ...HEC, LINEAGE_HEC_CA: '/nonexistent/ca.pem' });
    expect(ca.ok ? '' : ca.message).toMatch(/^LINEAGE_HEC_CA: cannot read \/nonexistent\/ca\.pem/);
  });

  it('checks the public URL once at startup; the flag beats the variable', () => {
    const env = { LINEAGE_PUBLIC_URL: 'https://lineage.corp.example:8443/app/' };
    const r = readServeConfig(['--db', 'x'], env);
    expect(r.warnings).toEqual([]);
    expect(r.ok && r.config.publicUrl).toBe('https://lineage.corp.example:8443/app');
    const flag = readServeConfig(['--db', 'x', '--public-url', 'http://other:1/'], env);
    expect(flag.ok && flag.config.publicUrl).toBe('http://other:1');
    for (const bad of ['ftp://x', 'not a url']) {
      const b = readServeConfig(['--db', 'x'], { LINEAGE_PUBLIC_URL: bad });
      expect(b.ok ? '' : b.message).toBe('--public-url (or LINEAGE_PUBLIC_URL) must be an http(s) URL');
    }
    expect(readServeConfig(['--db', 'x'], {}).ok && readServeConfig(['--db', 'x'], {})).toMatchObject({ config: { publicUrl: null } });
  });

  it('passes LINEAGE_DUCKDB_* down as values (the store reads no environment)', () => {
    const r = readServeConfig(['--db', 'x'], { LINEAGE_DUCKDB_THREADS: '1', LINEAGE_DUCKDB_MEMORY: '512MB' });
    expect(r.ok && r.config.duckdb).toEqual({ threads: 1, memoryLimit: '512MB' });
    expect(readServeConfig(['--db', 'x'], { LINEAGE_DUCKDB_THREADS: '2' })).toMatchObject({ config: { duckdb: { threads: 2 } } });
    // serve's default: one DuckDB thread per statement (reads run in parallel on the pool's connections)
    expect(readServeConfig(['--db', 'x'], {})).toMatchObject({ config: { duckdb: { threads: 1, memoryLimit: undefined } } });
    const bad = readServeConfig(['--db', 'x'], { LINEAGE_DUCKDB_THREADS: 'lots' });
    expect(bad.ok ? '' : bad.message).toMatch(/^LINEAGE_DUCKDB_THREADS must be a whole number/);
  });
});

describe('readToolEnv: the other commands through the same schema', () => {
  it('reads DuckDB, public URL and HEC settings, and nothing of serve', () => {
    const t = readToolEnv({ ...HEC, LINEAGE_DUCKDB_MEMORY: '1GB', LINEAGE_PUBLIC_URL: 'https://l.example/', LINEAGE_PORT: 'not-read' });
    expect(t.duckdb).toEqual({ threads: undefined, memoryLimit: '1GB' });
    expect(t.publicUrl).toBe('https://l.example');
    expect(t.hec({ retries: 1 })).toMatchObject({ token: 'tok-0123', index: 'lineage', ack: true, retries: 1 });
    expect(readToolEnv({}).hec()).toBeNull();
    expect(() => readToolEnv({ LINEAGE_DUCKDB_MEMORY: 'lots' })).toThrow(/^LINEAGE_DUCKDB_MEMORY must be a size like 2GB/);
    expect(() => readToolEnv({ LINEAGE_HEC_URL: 'https://h' }).hec()).toThrow(/LINEAGE_HEC_TOKEN is required/);
  });
});

describe('one reader', () => {
  it('no product module but app/config.ts names a LINEAGE_* variable next to an environment read', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files = (readdirSync(root, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f.replaceAll('\\', '/') !== 'app/config.ts');
    expect(files.length).toBeGreaterThan(50);
    const readers = files.filter((f) => /(process\.env|\benv)(\.LINEAGE_|\[\s*['"`]LINEAGE_|\[\s*[A-Z_]+_ENV)/.test(readFileSync(`${root}/${f}`, 'utf8')));
    expect(readers).toEqual([]);
  });
});
