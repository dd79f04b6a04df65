/**
 * Loads `splunk-sdk` without its import-time side effects and gives it an HTTP layer we control.
 *
 * Why (docs/splunk-protocol.md §9): importing the package runs `dotenv.config()` (reads `.env` from the
 * cwd) and rewrites `process.env.LOG_LEVEL`; its Node HTTP layer hard-codes
 * `rejectUnauthorized: false` and has no connect timeout by default. We snapshot/restore the
 * environment around the `require`, and replace `makeRequest` with one on `node:https` that verifies
 * certificates (optionally against a CA bundle), has connect and response deadlines, and keeps
 * connections alive.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type * as Sdk from 'splunk-sdk';

type SdkModule = typeof Sdk.default;

let loaded: SdkModule | null = null;

/** The SDK module, loaded once with process.env left exactly as it was. */
export function loadSdk(): SdkModule {
  if (loaded) return loaded;
  const before = { ...process.env };
  try {
    loaded = createRequire(import.meta.url)('splunk-sdk') as SdkModule;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in before)) delete process.env[k];
    for (const [k, v] of Object.entries(before)) if (process.env[k] !== v) process.env[k] = v;
  }
  return loaded;
}

/** Transport settings for one splunkd endpoint. */
export interface TransportOptions {
  /** PEM CA bundle to trust in addition to nothing else (verification always on unless `insecure`). */
  ca?: string | Buffer;
  /** Skip certificate verification (explicit opt-in for lab setups only). */
  insecure?: boolean;
  /**
   * The name splunkd's certificate is verified against instead of the URL's host: Splunk's default
   * certificate is `CN=SplunkServerDefaultCert` with no SAN (docs/splunk.md "Certificate").
   */
  serverName?: string;
  /** Give up connecting after this many ms. */
  connectTimeoutMs: number;
  /** Default deadline for one HTTP exchange when the caller passes no `response_timeout`. */
  responseTimeoutMs: number;
}

/** Network-level failure codes we surface (status 600 in the SDK's convention). */
export const NETWORK_STATUS = 600;

/** A `splunkjs.Http` instance whose requests go through node:http(s) with our TLS and timeouts. */
export function createHttp(opts: TransportOptions): Sdk.Http {
  const sdk = loadSdk();
  const agentOpts = { keepAlive: true, maxSockets: 8 };
  const name = opts.serverName;
  const identity = name ? { checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(name, cert) } : {};
  const httpsAgent = new https.Agent({ ...agentOpts, ca: opts.ca, rejectUnauthorized: !opts.insecure, ...identity });
  const httpAgent = new http.Agent(agentOpts);
  const freshHttps = new https.Agent({ keepAlive: false, ca: opts.ca, rejectUnauthorized: !opts.insecure, ...identity });
  const freshHttp = new http.Agent({ keepAlive: false });
  const Verifying = sdk.NodeHttp.extend({
    makeRequest(this: Sdk.Http, url: string, message: Sdk.HttpMessage): Promise<Sdk.SdkResponse> {
      const build = (err: unknown, status: number | 'abort', headers: Record<string, unknown>, body: string | null) =>
        this._buildResponse(err, { headers, statusCode: status }, body);
      return new Promise<Sdk.SdkResponse>((resolve, reject) => {
        const u = new URL(url);
        const isHttps = u.protocol === 'https:';
        const body = message.body ?? '';
        const headers: Record<string, string | number> = {
          ...message.headers,
          'Content-Length': Buffer.byteLength(body, 'utf8'),
          'User-Agent': 'lineage splunk-sdk-javascript/2.0.2',
        };
        // Requests that must not be repeated (job creation, control actions, login) go on a fresh
        // connection: a kept-alive socket the server has just closed fails with ECONNRESET, which for
        // these cannot be told apart from a reset after splunkd acted — so it must not happen at all.
        const fresh = message.method === 'POST' && !/\/(results|events|results_preview)$/.test(u.pathname);
        const req = (isHttps ? https : http).request(u, {
          method: message.method,
          headers,
          agent: fresh ? (isHttps ? freshHttps : freshHttp) : isHttps ? httpsAgent : httpAgent,
        });
        const responseMs = message.response_timeout && message.response_timeout > 0 ? message.response_timeout : opts.responseTimeoutMs;
        let settled = false;
        const fail = (err: NodeJS.ErrnoException, status: number | 'abort') => {
          if (settled) return;
          settled = true;
          clearTimeout(connectTimer);
          clearTimeout(responseTimer);
          reject(build(err, status, {}, null));
        };
        const connectTimer = setTimeout(() => {
          const e: NodeJS.ErrnoException = new Error(`connect timeout after ${opts.connectTimeoutMs} ms`);
          e.code = 'ETIMEDOUT';
          fail(e, NETWORK_STATUS);
          req.destroy(e);
        }, opts.connectTimeoutMs);
        const responseTimer = setTimeout(() => {
          const e: NodeJS.ErrnoException = new Error(`no response within ${responseMs} ms`);
          e.code = 'ESOCKETTIMEDOUT';
          fail(e, 'abort');
          req.destroy(e);
        }, responseMs);
        req.on('socket', (socket) => {
          // A reused keep-alive socket is already connected.
          if (!socket.connecting) { clearTimeout(connectTimer); return; }
          socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
        });
        req.on('error', (err: NodeJS.ErrnoException) => fail(err, NETWORK_STATUS));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err: NodeJS.ErrnoException) => fail(err, NETWORK_STATUS));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(connectTimer);
            clearTimeout(responseTimer);
            resolve(build(null, res.statusCode ?? NETWORK_STATUS, res.headers as Record<string, unknown>, Buffer.concat(chunks).toString('utf8')));
          });
        });
        req.end(body);
      });
    },
  });
  return new Verifying();
}
