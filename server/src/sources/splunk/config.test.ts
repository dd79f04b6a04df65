import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readServeConfig } from '../../app/config.js';
import { resolveConfig } from './config.js';

describe('Splunk config', () => {
  it('takes env vars, lets flags win, and fills Splunk defaults', () => {
    const env = { LINEAGE_SPLUNK_URL: 'https://env-splunk:8089', LINEAGE_SPLUNK_INDEX: 'a,b', LINEAGE_SPLUNK_FIELDS: 'cim', LINEAGE_SPLUNK_TSTATS: '1' };
    const read = readServeConfig(['--splunk', 'https://flag-splunk', '--web', 'https://web:8000/', '--index', 'sysmon,wineventlog'], env);
    if (!read.ok) throw new Error(read.message);
    const c = resolveConfig(read.config.splunk);
    expect(c.url.href).toBe('https://flag-splunk:8089/');
    expect(c.web).toBe('https://web:8000');
    expect(c.indexes).toEqual(['sysmon', 'wineventlog']);
    expect(c.fieldStyle).toBe('cim');
    expect(c.tstats).toBe(true);
    expect(c.insecure).toBe(false);
    expect(c.source).toBe('XmlWinEventLog:Microsoft-Windows-Sysmon/Operational');
    expect(resolveConfig({ url: 'http://x:8089', source: '-' }).source).toBeNull();
  });

  it('names the bad option', () => {
    expect(() => resolveConfig({})).toThrow(/--splunk URL/);
    expect(() => resolveConfig({ url: 'ftp://x' })).toThrow(/--splunk: must be http/);
    expect(() => resolveConfig({ url: 'https://x', index: 'ok,bad index' })).toThrow(/not a valid Splunk index/);
    expect(() => resolveConfig({ url: 'https://x', fieldStyle: 'ecs' })).toThrow(/--fields/);
    expect(() => resolveConfig({ url: 'https://x', treeBudget: '-1' })).toThrow(/--tree-budget/);
    expect(() => resolveConfig({ url: 'https://x', ca: '/nonexistent/ca.pem' })).toThrow(/--ca: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'lineage-ca-'));
    try {
      writeFileSync(join(dir, 'x.pem'), 'not a cert');
      expect(() => resolveConfig({ url: 'https://x', ca: join(dir, 'x.pem') })).toThrow(/not a PEM/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
