/**
 * The ONE place `lineage serve` reads its settings: command-line flags and `LINEAGE_*` environment
 * variables, merged (flags win) and validated by one zod schema. Nothing else in the server reads
 * `process.env` for serving; everything downstream receives a typed `ServeConfig` (docs/security.md).
 */
import { delimiter } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { HEC_ENV, hecConfig, type HecConfig, type HecSettings } from '../sinks/hec.js';
import { DEFAULT_RULE_BUDGET_MS } from '../services/rule-budget.js';
import type { SplunkConfigInput } from '../sources/splunk/config.js';

/** DuckDB worker threads `serve` asks for when `LINEAGE_DUCKDB_THREADS` is not set. */
export const SERVE_DUCKDB_THREADS = 1;

/** Command-line options of `serve`. */
export const SERVE_OPTIONS = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  /** Older name of --host. */
  listen: { type: 'string' },
  'allow-host': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'max-uploads': { type: 'string' },
  'max-concurrent': { type: 'string' },
  'read-connections': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  /** Time budget of one rule run (POST /api/rules/run, the notables' pack run). */
  'rule-budget-ms': { type: 'string' },
  'log-level': { type: 'string' },
  /** Lineage's address as analysts reach it (links written to notables and HEC events). */
  'public-url': { type: 'string' },
  /** Sigma rules (files or folders) marking graph nodes; repeatable (env: paths joined like PATH). */
  sigma: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  // Splunk mode (docs/splunk.md).
  splunk: { type: 'string' },
  index: { type: 'string' },
  'notable-index': { type: 'string' },
  'splunk-source': { type: 'string' },
  'splunk-sourcetype': { type: 'string' },
  fields: { type: 'string' },
  tstats: { type: 'boolean' },
  ca: { type: 'string' },
  'splunk-insecure': { type: 'boolean' },
  'splunk-server-name': { type: 'string' },
  web: { type: 'string' },
  'splunk-version': { type: 'string' },
  'search-timeout-ms': { type: 'string' },
  'tree-budget': { type: 'string' },
} satisfies NonNullable<ParseArgsConfig['options']>;

export const USAGE = 'usage: lineage serve --db FILE [--port P] [--host ADDR] [--allow-host NAME[,NAME]]\n'
  + '             [--tls-cert FILE --tls-key FILE | --trust-proxy HOPS] [--max-upload-mb N] [--max-uploads N]\n'
  + '             [--max-concurrent N] [--read-connections N] [--request-timeout-ms N] [--rule-budget-ms N] [--log-level info|debug|warn|error|silent] [--public-url URL]\n'
  + '             [--sigma RULES_PATH]… (Sigma hits on graph nodes; embedded mode)\n'
  + '       lineage serve --splunk https://HOST:8089 [--index sysmon[,idx2]] [--web https://HOST:8000] [--ca FILE.pem]\n'
  + '             [--fields raw|cim] [--tstats] [--notable-index notable] [--splunk-source S] [--splunk-sourcetype ST]\n'
  + '             [--splunk-version 9.2.0] [--search-timeout-ms N] [--tree-budget N] [--splunk-insecure]\n'
  + '             [--splunk-server-name SplunkServerDefaultCert]\n';

/**
 * Setting → environment variable. Settings in SERVE_OPTIONS also have a flag (the flag wins); the HEC
 * ones are environment-only, so the token never appears on a command line (where `ps` shows it).
 */
const ENV_OF: Record<string, string> = {
  'public-url': 'LINEAGE_PUBLIC_URL',
  'hec-url': HEC_ENV.url, 'hec-token': HEC_ENV.token, 'hec-index': HEC_ENV.index, 'hec-ack': HEC_ENV.ack,
  'hec-ca': HEC_ENV.ca, 'hec-insecure': HEC_ENV.insecure, 'hec-sourcetype': HEC_ENV.sourcetype,
  db: 'LINEAGE_DB', port: 'LINEAGE_PORT', host: 'LINEAGE_HOST', 'allow-host': 'LINEAGE_ALLOW_HOST',
  'tls-cert': 'LINEAGE_TLS_CERT', 'tls-key': 'LINEAGE_TLS_KEY', 'trust-proxy': 'LINEAGE_TRUST_PROXY',
  'max-upload-mb': 'LINEAGE_MAX_UPLOAD_MB', 'max-uploads': 'LINEAGE_MAX_UPLOADS', 'max-concurrent': 'LINEAGE_MAX_CONCURRENT',
  'read-connections': 'LINEAGE_READ_CONNECTIONS',
  'request-timeout-ms': 'LINEAGE_REQUEST_TIMEOUT_MS', 'rule-budget-ms': 'LINEAGE_RULE_BUDGET_MS', 'log-level': 'LINEAGE_LOG_LEVEL', sigma: 'LINEAGE_SIGMA',
  'duckdb-threads': 'LINEAGE_DUCKDB_THREADS', 'duckdb-memory': 'LINEAGE_DUCKDB_MEMORY',
  splunk: 'LINEAGE_SPLUNK_URL', web: 'LINEAGE_SPLUNK_WEB', index: 'LINEAGE_SPLUNK_INDEX',
  'notable-index': 'LINEAGE_SPLUNK_NOTABLE_INDEX', 'splunk-source': 'LINEAGE_SPLUNK_SOURCE',
  'splunk-sourcetype': 'LINEAGE_SPLUNK_SOURCETYPE', fields: 'LINEAGE_SPLUNK_FIELDS', tstats: 'LINEAGE_SPLUNK_TSTATS',
  ca: 'LINEAGE_SPLUNK_CA', 'splunk-insecure': 'LINEAGE_SPLUNK_INSECURE', 'splunk-server-name': 'LINEAGE_SPLUNK_SERVER_NAME', 'splunk-version': 'LINEAGE_SPLUNK_VERSION',
  'search-timeout-ms': 'LINEAGE_SPLUNK_SEARCH_TIMEOUT_MS', 'tree-budget': 'LINEAGE_SPLUNK_TREE_BUDGET',
};

const text = z.string().trim().min(1);
const int = (min: number, max: number) => z.string().trim().regex(/^\d+$/, `must be a whole number ${min}…${max}`)
  .transform(Number).pipe(z.number().int().min(min, `must be ${min}…${max}`).max(max, `must be ${min}…${max}`));
/** An http(s) URL, kept as origin + path without trailing slashes. */
const publicUrl = text.refine((v) => { try { return /^https?:$/.test(new URL(v).protocol); } catch { return false; } }, 'must be an http(s) URL')
  .transform((v) => { const u = new URL(v); return `${u.origin}${u.pathname.replace(/\/+$/, '')}`; });
const flag = z.union([z.boolean(), z.string().regex(/^(1|0|true|false|yes|no|on|off)$/i, 'expected true or false')
  .transform((v) => /^(1|true|yes|on)$/i.test(v))], { error: 'expected true or false' });

/** The one schema: raw merged values in, typed config out. Unknown keys are impossible (flags are parsed strictly). */
const RawBase = z.object({
  db: text.optional(),
  port: int(0, 65535).default(8080),
  host: text.default('127.0.0.1'),
  'allow-host': text.optional().transform((v) => (v ? v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : [])),
  'tls-cert': text.optional(),
  'tls-key': text.optional(),
  'trust-proxy': int(0, 10).default(0),
  'max-upload-mb': int(1, 1_048_576).default(2048),
  'max-uploads': int(1, 64).default(2),
  'max-concurrent': int(1, 10_000).default(64),
  'read-connections': int(1, 256).default(4),
  'request-timeout-ms': int(100, 3_600_000).default(30_000),
  'rule-budget-ms': int(100, 3_600_000).default(DEFAULT_RULE_BUDGET_MS),
  'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  sigma: z.union([text, z.array(text)]).optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : v.split(delimiter).filter(Boolean))),
  'duckdb-threads': int(1, 1024).optional(),
  'duckdb-memory': z.string().trim().regex(/^\d+(\.\d+)?\s*[KMGT]i?B$/i, 'must be a size like 2GB').optional(),
  splunk: text.optional(), web: text.optional(), index: text.optional(), 'notable-index': text.optional(),
  'splunk-source': text.optional(), 'splunk-sourcetype': text.optional(), fields: text.optional(),
  tstats: flag.optional(), ca: text.optional(), 'splunk-insecure': flag.optional(), 'splunk-server-name': text.optional(), 'splunk-version': text.optional(),
  'search-timeout-ms': text.optional(), 'tree-budget': text.optional(),
  'public-url': publicUrl.optional(),
  'hec-url': text.optional(), 'hec-token': text.optional(), 'hec-index': text.optional(), 'hec-ack': flag.optional(),
  'hec-ca': text.optional(), 'hec-insecure': flag.optional(), 'hec-sourcetype': text.optional(),
});
const RawSchema = RawBase.superRefine((v, ctx) => {
  if (!!v['tls-cert'] !== !!v['tls-key']) ctx.addIssue({ code: 'custom', message: '--tls-cert and --tls-key go together' });
  if (v['tls-cert'] && v['trust-proxy']) ctx.addIssue({ code: 'custom', message: 'give --tls-cert/--tls-key or --trust-proxy, not both' });
}).transform((v, ctx) => {
  let hec: HecConfig | null;
  try { hec = hecConfig(hecSettings(v)); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); return z.NEVER; }
  return { ...settings(v), hec };
});

function hecSettings(v: Partial<z.infer<typeof RawBase>>): HecSettings {
  return {
    url: v['hec-url'], token: v['hec-token'], index: v['hec-index'], ack: v['hec-ack'],
    ca: v['hec-ca'], insecure: v['hec-insecure'], sourcetype: v['hec-sourcetype'],
  };
}

const settings = (v: z.infer<typeof RawBase>) => ({
  db: v.db ?? null,
  port: v.port,
  host: v.host,
  allowHosts: v['allow-host'],
  tls: v['tls-cert'] && v['tls-key'] ? { cert: v['tls-cert'], key: v['tls-key'] } : null,
  trustProxy: v['trust-proxy'],
  maxUploadBytes: v['max-upload-mb'] * 2 ** 20,
  maxUploads: v['max-uploads'],
  maxConcurrent: v['max-concurrent'],
  readConnections: v['read-connections'],
  requestTimeoutMs: v['request-timeout-ms'],
  ruleBudgetMs: v['rule-budget-ms'],
  logLevel: v['log-level'],
  sigma: v.sigma,
  // One DuckDB thread per statement unless told otherwise: reads run in parallel on the pool's
  // connections, and single-threaded statements cost less CPU and gave a far lower p95 under 50
  // analysts (docs/security.md "Quiet machine: the target measured").
  duckdb: { threads: v['duckdb-threads'] ?? SERVE_DUCKDB_THREADS, memoryLimit: v['duckdb-memory'] },
  publicUrl: v['public-url'] ?? null,
  splunk: {
    url: v.splunk, web: v.web, index: v.index, notableIndex: v['notable-index'], source: v['splunk-source'],
    sourcetype: v['splunk-sourcetype'], fieldStyle: v.fields, tstats: v.tstats, ca: v.ca, insecure: v['splunk-insecure'], serverName: v['splunk-server-name'],
    version: v['splunk-version'], searchTimeoutMs: v['search-timeout-ms'], treeBudget: v['tree-budget'],
  } satisfies SplunkConfigInput,
});

/** Everything `serve` runs with. */
export type ServeConfig = z.infer<typeof RawSchema>;

/** What `readServeConfig` gives: a config, help, or a message for a usage error (exit 2). */
export type ConfigResult = { ok: true; config: ServeConfig } | { ok: false; help: boolean; message: string; warnings?: string[] };

/**
 * Flags + environment → config. `env` defaults to `process.env` (the only read of it for serving).
 * Unknown `LINEAGE_*` variables are reported as warnings (a typo must not pass silently).
 */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ConfigResult & { warnings: string[] } {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | string[] | undefined> });
  } catch (err) {
    return { ok: false, help: false, message: (err as Error).message, warnings: [] };
  }
  if (values.help) return { ok: false, help: true, message: '', warnings: [] };
  if (values.listen !== undefined && values.host === undefined) values.host = values.listen;
  delete values.listen;
  delete values.help;
  const known = new Set(Object.values(ENV_OF));
  const warnings = Object.keys(env).filter((k) => k.startsWith('LINEAGE_') && !known.has(k)).map((k) => `unknown environment variable ${k} (ignored)`);
  const merged: Record<string, string | boolean | string[]> = {};
  for (const [k, v] of Object.entries(fromEnv(env))) merged[k] = v;
  for (const [k, v] of Object.entries(values)) if (v !== undefined) merged[k] = v;
  const parsed = RawSchema.safeParse(merged);
  if (!parsed.success) return { ok: false, help: false, message: issuesText(parsed.error), warnings };
  return { ok: true, config: parsed.data, warnings };
}

/** The set (non-empty) `LINEAGE_*` variables, keyed by setting. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_OF)) {
    const e = env[name];
    if (e !== undefined && e !== '') out[key] = e;
  }
  return out;
}

/** Each problem with the setting it concerns: `--flag (or LINEAGE_X)`, or the variable alone when env-only. */
function issuesText(error: z.ZodError): string {
  const name = (k: PropertyKey) => (typeof k === 'string' && !(k in SERVE_OPTIONS) && ENV_OF[k] ? ENV_OF[k]
    : `--${String(k)}${typeof k === 'string' && ENV_OF[k] ? ` (or ${ENV_OF[k]})` : ''}`);
  return error.issues.map((i) => (i.path.length ? `${name(i.path[0]!)} ` : '') + i.message).join('; ');
}

/** What commands other than `serve` (ingest, detect) take from the environment. */
export interface ToolEnv {
  duckdb: { threads?: number; memoryLimit?: string };
  publicUrl: string | null;
  /** HEC settings; null when LINEAGE_HEC_URL is unset. Throws on a bad setting. */
  hec(over?: Partial<HecConfig>): HecConfig | null;
}

const ToolSchema = RawBase.pick({
  'duckdb-threads': true, 'duckdb-memory': true, 'public-url': true, 'hec-url': true, 'hec-token': true, 'hec-index': true,
  'hec-ack': true, 'hec-ca': true, 'hec-insecure': true, 'hec-sourcetype': true,
});

/** The environment settings of the other commands, through the same schema as serve's. Throws naming the bad variable. */
export function readToolEnv(env: NodeJS.ProcessEnv = process.env): ToolEnv {
  const raw = fromEnv(env);
  const parsed = ToolSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => k in ToolSchema.shape)));
  if (!parsed.success) throw new Error(issuesText(parsed.error));
  const v = parsed.data;
  return {
    duckdb: { threads: v['duckdb-threads'], memoryLimit: v['duckdb-memory'] },
    publicUrl: v['public-url'] ?? null,
    hec: (over = {}) => hecConfig(hecSettings(v), over),
  };
}
