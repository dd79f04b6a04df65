/**
 * Request parameters as splunkd reads them (splunk-protocol.md §8.7–8.8): query string and
 * form-encoded body (`+` and `%20` decoded, repeated keys kept). The query wins for `output_mode`
 * (it picks the response format); for everything else the body wins.
 */
import type { IncomingMessage } from 'node:http';
import { SplError } from './spl/errors.js';

/** Largest request body accepted (splunkd's own limit is far higher; this guards the test process). */
const MAX_BODY = 64 * 1024 * 1024;

/** Parsed request parameters. */
export class Params {
  constructor(readonly query: URLSearchParams, readonly body: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.body.get(name) ?? this.query.get(name) ?? undefined;
  }

  /** `output_mode`: query first (§8.7). */
  outputMode(): string | undefined {
    return this.query.get('output_mode') ?? this.body.get('output_mode') ?? undefined;
  }

  /** Every value of a repeatable key (`f=a&f=b`, `rf=…`). */
  all(name: string): string[] { return [...this.query.getAll(name), ...this.body.getAll(name)]; }

  /** All parameters as one record (body over query), as echoed in a job's `content.request`. */
  record(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.query) out[k] = v;
    for (const [k, v] of this.body) out[k] = v;
    return out;
  }
}

/** Read and parse a request's query and form body. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SplError('Request body too large.', 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  if (text !== '' && type !== '' && !type.includes('x-www-form-urlencoded') && !type.includes('text/plain')) {
    throw new SplError(`Unsupported Content-Type '${type}': splunkd expects application/x-www-form-urlencoded.`, 415);
  }
  return new Params(url.searchParams, new URLSearchParams(text));
}
