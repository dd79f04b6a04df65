/**
 * `npm run splunkd -- --data PATH… [--notables FILE] [--port 8089] [--latency-ms N] [--per-event-ms N]
 *  [--tls] [--version 9.2.1] [--user name:password] [--token TOKEN] [--quota N] [--index sysmon]`
 * Runs the Splunk-REST-compatible test server by hand (defaults: admin/changeme, Sysmon in
 * index=sysmon, notables in index=notable).
 */
import { parseArgs } from 'node:util';
import { startSplunkd } from './index.js';

const USAGE = `usage: npm run splunkd -- --data PATH... [--notables FILE] [--port 8089] [--latency-ms N]
       [--per-event-ms N] [--tls] [--version 9.2.1] [--user name:password] [--token TOKEN]
       [--quota N] [--index sysmon] [--session-timeout-s N] [--disable-v1]
       [--host-mode short|fqdn|wef] [--collector NAME] [--sourcetype-style modern|legacy]
       [--hec-token TOKEN[:INDEX[:ack]]] [--disk-quota-mb USER:MB]`;

function num(name: string, v: string | undefined, d: number): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${v}'`);
  return n;
}

/** CLI entry; returns once the server is listening (it then runs until SIGINT/SIGTERM). */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string', multiple: true }, notables: { type: 'string' }, port: { type: 'string' },
        'latency-ms': { type: 'string' }, 'per-event-ms': { type: 'string' }, tls: { type: 'boolean' },
        version: { type: 'string' }, user: { type: 'string', multiple: true }, token: { type: 'string', multiple: true },
        quota: { type: 'string' }, index: { type: 'string' }, 'session-timeout-s': { type: 'string' },
        'disable-v1': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        'host-mode': { type: 'string' }, collector: { type: 'string' }, 'sourcetype-style': { type: 'string' },
        'hec-token': { type: 'string', multiple: true }, 'disk-quota-mb': { type: 'string', multiple: true },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { console.log(USAGE); return 0; }
  const hostMode = values['host-mode'] ?? 'short';
  const stStyle = values['sourcetype-style'] ?? 'modern';
  if (hostMode !== 'short' && hostMode !== 'fqdn' && hostMode !== 'wef') { console.error(`--host-mode must be short, fqdn or wef, got '${hostMode}'`); return 2; }
  if (stStyle !== 'modern' && stStyle !== 'legacy') { console.error(`--sourcetype-style must be modern or legacy, got '${stStyle}'`); return 2; }
  const users: Record<string, { password: string; roles: string[] }> = { admin: { password: 'changeme', roles: ['admin'] } };
  for (const u of values.user ?? []) {
    const i = u.indexOf(':');
    if (i <= 0) { console.error(`--user must be name:password, got '${u}'`); return 2; }
    users[u.slice(0, i)] = { password: u.slice(i + 1), roles: u.startsWith('admin:') ? ['admin'] : ['user'] };
  }
  // A user whose role has its own search-artifact disk quota (authorize.conf srchDiskQuota), in MB.
  const diskQuotaByUser: Record<string, number> = {};
  for (const q of values['disk-quota-mb'] ?? []) {
    const m = /^([^:]+):(\d+)$/.exec(q);
    if (!m) { console.error(`--disk-quota-mb must be USER:MB, got '${q}'`); return 2; }
    diskQuotaByUser[m[1]!] = Number(m[2]) * 1_048_576;
  }
  const tokens: Record<string, string> = {};
  for (const t of values.token ?? []) tokens[t] = 'admin';
  // HEC tokens (hec.ts): TOKEN, TOKEN:INDEX or TOKEN:INDEX:ack.
  const hecTokens = Object.fromEntries((values['hec-token'] ?? []).map((t) => {
    const [token, index, ack] = t.split(':');
    return [token!, { name: 'lineage', index: index || undefined, ack: ack === 'ack' }];
  }));
  try {
    const h = await startSplunkd({
      port: num('port', values.port, 8089),
      tls: values.tls ?? false,
      version: values.version,
      users, tokens, hecTokens, diskQuotaByUser,
      quota: values.quota === undefined ? undefined : num('quota', values.quota, 3),
      latency: { dispatchMs: num('latency-ms', values['latency-ms'], 0), perEventMs: num('per-event-ms', values['per-event-ms'], 0) },
      sessionTimeoutMs: values['session-timeout-s'] === undefined ? undefined : num('session-timeout-s', values['session-timeout-s'], 3600) * 1000,
      disableV1: values['disable-v1'] ?? false,
      data: {
        sysmonFiles: values.data ?? [], notables: values.notables, sysmonIndex: values.index,
        deployment: { host: hostMode, sourcetype: stStyle, ...(values.collector ? { collector: values.collector } : {}) },
      },
    });
    for (const { input, report } of h.loaded) {
      console.log(`indexed ${report.indexed} events from ${input} (skipped ${report.skipped}, rejected ${report.rejected.length})`);
      for (const r of report.rejected.slice(0, 5)) console.log(`  rejected line ${r.line}: ${r.reason}`);
    }
    console.log(`splunkd test server listening on ${h.url} (user admin / changeme; ${h.store.size} events; splunkd ${h.settings.version})`);
    const stop = () => { void h.stop().then(() => process.exit(0)); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return 0;
  } catch (e) {
    console.error(`splunkd: ${(e as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
