/**
 * Typed shim for `splunk-sdk` 2.0.2, which ships no TypeScript types (docs/splunk-protocol.md §9 pitfall 1).
 * Only the members Lineage calls are declared; shapes follow the package's lib/ sources.
 */
declare module 'splunk-sdk' {
  /** What every SDK HTTP call resolves with (or rejects with, when status ≥ 400 / network error). */
  export interface SdkResponse<T = unknown> {
    response: { headers: Record<string, string | string[] | undefined>; statusCode: number | 'abort' };
    /** Parsed JSON when the content-type was application/json, else the raw string. */
    data: T;
    status: number | 'abort';
    error: unknown;
  }

  export interface HttpMessage {
    method: 'GET' | 'POST' | 'DELETE';
    headers: Record<string, string>;
    timeout?: number;
    response_timeout?: number;
    query?: Record<string, unknown>;
    body: string;
  }

  export class Http {
    _buildResponse(error: unknown, response: { headers: Record<string, unknown>; statusCode: number | 'abort' }, data: string | null): SdkResponse;
  }

  /** jquery.class-style constructor: `extend` returns a subclass whose `init` is the constructor body. */
  export interface NodeHttpClass {
    new (): Http;
    extend(members: { makeRequest(this: Http, url: string, message: HttpMessage): Promise<SdkResponse> }): NodeHttpClass;
  }
  export const NodeHttp: NodeHttpClass;

  export interface ServiceParams {
    scheme?: 'http' | 'https';
    host?: string;
    port?: number | string;
    username?: string | null;
    password?: string | null;
    sessionKey?: string;
    /** Header scheme word: `Splunk` (session keys) or `Bearer` (tokens). */
    authorization?: 'Splunk' | 'Bearer';
    autologin?: boolean;
    version?: string;
    owner?: string;
    app?: string;
    /** Connect timeout in ms (0 = none). */
    timeout?: number;
  }

  export interface JobContent {
    sid?: string;
    dispatchState?: string;
    isDone?: boolean;
    isFailed?: boolean;
    doneProgress?: number;
    resultCount?: number;
    eventCount?: number;
    messages?: Array<{ type?: string; text?: string }> | Record<string, unknown>;
    [k: string]: unknown;
  }

  export class Job {
    sid: string;
    name: string;
    fetch(options?: Record<string, unknown>, responseTimeout?: number): Promise<Job>;
    properties(): JobContent;
    results(params: Record<string, unknown>, responseTimeout?: number): Promise<[unknown, Job]>;
    cancel(responseTimeout?: number): Promise<SdkResponse>;
    remove(responseTimeout?: number): Promise<SdkResponse>;
    path(): string;
  }

  export class Jobs {
    create(query: string, params: Record<string, unknown>, responseTimeout?: number): Promise<Job>;
    oneshotSearch(query: string, params: Record<string, unknown>, responseTimeout?: number): Promise<unknown>;
  }

  export class Service {
    constructor(http: Http, params: ServiceParams);
    constructor(params: ServiceParams);
    sessionKey: string | null;
    version: string;
    username: string | null;
    password: string | null;
    login(responseTimeout?: number): Promise<boolean>;
    /** GET server/info; sets `version` (and instance type) from the server's `generator`. */
    getInfo(responseTimeout?: number): Promise<boolean>;
    logout(): void;
    jobs(namespace?: Record<string, string>): Jobs;
    getJob(sid: string, namespace?: Record<string, string> | null, responseTimeout?: number): Promise<Job>;
    get(path: string, params: Record<string, unknown>, responseTimeout?: number): Promise<SdkResponse>;
    post(path: string, params: Record<string, unknown>, responseTimeout?: number): Promise<SdkResponse>;
    del(path: string, params: Record<string, unknown>, responseTimeout?: number): Promise<SdkResponse>;
    serverInfo(responseTimeout?: number): Promise<unknown>;
    disableV2SearchApi(): boolean;
  }

  const splunkjs: { Service: typeof Service; NodeHttp: NodeHttpClass; Http: typeof Http };
  export default splunkjs;
}
