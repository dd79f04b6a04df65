/**
 * The real `splunk-sdk` 2.0.2 client for the conformance tests, loaded through require (it is
 * CommonJS and ships no types) with the small typed surface the tests use. §9 pitfalls are handled
 * here: explicit `version`, a connect `timeout`, fresh params objects per call.
 */
import { createRequire } from 'node:module';
import type { SplunkdHandle } from './index.js';

/** A job entity as splunk-sdk exposes it. */
export interface SdkJob {
  sid: string;
  name: string;
  properties(): Record<string, unknown>;
  fetch(): Promise<SdkJob>;
  track(options: { period?: number }, callbacks: Partial<Record<'ready' | 'progress' | 'done' | 'failed' | 'error', (arg: never) => unknown>>): Promise<unknown>;
  results(params?: Record<string, unknown>): Promise<[Record<string, unknown>, SdkJob]>;
  events(params?: Record<string, unknown>): Promise<[Record<string, unknown>, SdkJob]>;
  preview(params?: Record<string, unknown>): Promise<[Record<string, unknown>, SdkJob]>;
  cancel(): Promise<{ data: unknown }>;
  remove(): Promise<unknown>;
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  finalize(): Promise<unknown>;
  touch(): Promise<unknown>;
  setTTL(ttl: number): Promise<unknown>;
  setPriority(p: number): Promise<unknown>;
  enablePreview(): Promise<unknown>;
  disablePreview(): Promise<unknown>;
}

/** The Jobs collection. */
export interface SdkJobs {
  create(query: string, params?: Record<string, unknown>): Promise<SdkJob>;
  oneshotSearch(query: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  fetch(): Promise<SdkJobs>;
  list(): SdkJob[];
}

/** A splunk-sdk Service. */
export interface SdkService {
  sessionKey: string;
  version: string;
  login(): Promise<boolean>;
  logout(): Promise<unknown>;
  jobs(): SdkJobs;
  getJob(sid: string): Promise<SdkJob>;
  oneshotSearch(query: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  get(path: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  post(path: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  http: { _cookieStore: Record<string, string> };
}

/** The error objects splunk-sdk rejects with (§9 pitfall 12). */
export interface SdkError { status: number; data: { messages?: { type: string; text: string }[] } | string | null; error: unknown }

// Keep the SDK from rewriting LOG_LEVEL and printing every expected 404 (§9 pitfalls 3, 14).
process.env.LOG_LEVEL = 'NONE';
const require = createRequire(import.meta.url);
const splunkjs = require('splunk-sdk') as { Service: new (params: Record<string, unknown>) => SdkService };

/** Service options for a test server; `extra` overrides (e.g. `version`, `sessionKey`, `authorization`). */
export function service(h: SplunkdHandle, extra: Record<string, unknown> = {}): SdkService {
  return new splunkjs.Service({
    scheme: h.scheme, host: '127.0.0.1', port: h.port, username: 'admin', password: 'changeme',
    version: '9.2.1', timeout: 5000, ...extra,
  });
}

/** Resolve with the final job when DONE, reject with the job when FAILED or on error. */
export function trackDone(job: SdkJob, period = 20): Promise<SdkJob> {
  return new Promise((resolve, reject) => {
    void job.track({ period }, { done: ((j: SdkJob) => resolve(j)) as (arg: never) => unknown, failed: ((j: SdkJob) => reject(j)) as (arg: never) => unknown, error: ((e: unknown) => reject(e)) as (arg: never) => unknown });
  });
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try { await p; } catch (e) { return e as SdkError; }
  throw new Error('expected the call to fail');
}

/** Plain-HTTP helper for what the SDK cannot express (Basic auth, raw bodies, headers). */
export async function raw(h: SplunkdHandle, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; type: string; text: string; headers: Headers }> {
  const res = await fetch(`${h.url}${path}`, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers: { ...(init.body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
    body: init.body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
}

/** `Authorization: Basic` for admin/changeme. */
export const BASIC = { Authorization: `Basic ${Buffer.from('admin:changeme').toString('base64')}` };
