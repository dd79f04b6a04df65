/**
 * Splunk connection and search settings: from `lineage serve --splunk …` options or LINEAGE_SPLUNK_*
 * environment variables (read and merged in app/config.ts; docs/splunk.md). Validated once at start-up
 * so a typo fails loudly.
 */
import { readFileSync } from 'node:fs';
import { indexName } from './spl.js';

/** Which field names the searches use: raw Sysmon (`ProcessGuid`) or Splunk CIM (`process_guid`). */
export type FieldStyle = 'raw' | 'cim';

/** Everything the Splunk source needs to know about the deployment. */
export interface SplunkConfig {
  /** Management URL, e.g. https://splunk.corp:8089 */
  url: URL;
  /** Splunk Web base URL for "open in Splunk" links (null: no links). */
  web: string | null;
  /** Indexes holding Sysmon (OR-ed). */
  indexes: string[];
  /** Index holding ES notables. */
  notableIndex: string;
  /** `source=` / `sourcetype=` restrictions (null: not restricted). Values are quoted in SPL. */
  source: string | null;
  sourcetype: string | null;
  fieldStyle: FieldStyle;
  /** Use `| tstats … from datamodel=Endpoint.Processes` for the process-tree search. */
  tstats: boolean;
  /** PEM CA bundle for verifying splunkd's certificate. */
  ca?: string;
  /** Disable certificate verification (lab only). */
  insecure: boolean;
  /** Verify splunkd's certificate against this name instead of the URL's host (Splunk's default cert: SplunkServerDefaultCert). */
  serverName?: string;
  /** Splunk version announced to the SDK so it picks endpoints deterministically (docs/splunk-protocol.md §9 pitfall 6). */
  version: string;
  connectTimeoutMs: number;
  /** Deadline for one HTTP exchange with splunkd. */
  requestTimeoutMs: number;
  /** Deadline for one search job from dispatch to last results page. */
  searchTimeoutMs: number;
  /** Status-poll period while a job runs. */
  pollMs: number;
  /** Above this many process-creates in a host-window, getTree walks one generation per search. */
  treeBudget: number;
  /** `auto_cancel` seconds for every job: an orphaned job dies when nobody polls it. */
  autoCancelSec: number;
  /** Retries for 503 / quota / connection refused, with exponential backoff from `retryBaseMs`. */
  retries: number;
  retryBaseMs: number;
}

/** Sysmon add-on default (docs/splunk-protocol.md §5.1). */
export const DEFAULT_SOURCE = 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational';

/** Settings used when neither a flag nor an environment variable gives one. */
export const DEFAULTS: Omit<SplunkConfig, 'url'> = {
  web: null, indexes: ['sysmon'], notableIndex: 'notable', source: DEFAULT_SOURCE, sourcetype: null,
  fieldStyle: 'raw', tstats: false, insecure: false, version: '9.2.0',
  connectTimeoutMs: 10_000, requestTimeoutMs: 60_000, searchTimeoutMs: 300_000, pollMs: 250,
  treeBudget: 100_000, autoCancelSec: 60, retries: 4, retryBaseMs: 250,
};

/** Raw option values (CLI flags or env vars), all strings. */
export interface SplunkConfigInput {
  url?: string; web?: string; index?: string; notableIndex?: string; source?: string; sourcetype?: string;
  fieldStyle?: string; tstats?: string | boolean; ca?: string; insecure?: string | boolean; serverName?: string;
  version?: string; searchTimeoutMs?: string; treeBudget?: string;
}

function bool(v: string | boolean | undefined): boolean {
  if (typeof v === 'boolean') return v;
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer, got "${v}"`);
  return n;
}

function httpUrl(v: string, name: string): URL {
  let u: URL;
  try { u = new URL(v); } catch (e) { throw new Error(`${name}: "${v}" is not a URL`, { cause: e }); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${name}: must be http(s), got ${u.protocol}`);
  return u;
}

function serverNameOf(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,253}$/.test(v)) throw new Error(`--splunk-server-name: "${v}" is not a host name`);
  return v;
}

/** Validate inputs into a config; throws an Error naming the bad option. */
export function resolveConfig(input: SplunkConfigInput): SplunkConfig {
  if (!input.url) throw new Error('--splunk URL (or LINEAGE_SPLUNK_URL) is required, e.g. https://splunk:8089');
  const url = httpUrl(input.url, '--splunk');
  if (!url.port) url.port = '8089';
  const web = input.web ? httpUrl(input.web, '--web').href.replace(/\/$/, '') : null;
  const indexes = input.index ? input.index.split(',').map((s) => indexName(s.trim())) : DEFAULTS.indexes;
  const fieldStyle = (input.fieldStyle ?? 'raw').toLowerCase();
  if (fieldStyle !== 'raw' && fieldStyle !== 'cim') throw new Error(`--fields: expected raw or cim, got "${input.fieldStyle}"`);
  let ca: string | undefined;
  if (input.ca) {
    try { ca = readFileSync(input.ca, 'utf8'); } catch (e) { throw new Error(`--ca: cannot read ${input.ca}: ${(e as Error).message}`, { cause: e }); }
    if (!ca.includes('BEGIN CERTIFICATE')) throw new Error(`--ca: ${input.ca} is not a PEM certificate bundle`);
  }
  const version = input.version ?? DEFAULTS.version;
  if (!/^\d+(\.\d+){1,3}$/.test(version)) throw new Error(`--splunk-version: "${version}" is not a version like 9.2.0`);
  return {
    ...DEFAULTS,
    url, web, indexes,
    notableIndex: input.notableIndex ? indexName(input.notableIndex) : DEFAULTS.notableIndex,
    source: input.source === undefined ? DEFAULTS.source : input.source === '' || input.source === '-' ? null : input.source,
    sourcetype: input.sourcetype && input.sourcetype !== '-' ? input.sourcetype : null,
    fieldStyle, tstats: bool(input.tstats), ca, insecure: bool(input.insecure), version,
    ...(input.serverName ? { serverName: serverNameOf(input.serverName) } : {}),
    searchTimeoutMs: positiveInt(input.searchTimeoutMs, '--search-timeout-ms', DEFAULTS.searchTimeoutMs),
    treeBudget: positiveInt(input.treeBudget, '--tree-budget', DEFAULTS.treeBudget),
  };
}
