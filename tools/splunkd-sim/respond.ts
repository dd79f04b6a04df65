/** Writing splunkd-shaped responses: the headers splunkd sends and its `messages` error bodies. */
import type { ServerResponse } from 'node:http';
import { messagesBody } from './format.js';
import type { SplunkMessage } from './spl/errors.js';

export const JSON_TYPE = 'application/json; charset=UTF-8';

/** Write a complete response with the headers splunkd sends. */
export function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    Server: 'Splunkd',
    Vary: 'Cookie, Authorization',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
    ...headers,
  });
  res.end(body);
}

/** A `messages` body (JSON or XML) with a status. */
export function sendMessages(res: ServerResponse, status: number, messages: SplunkMessage[], json: boolean): void {
  send(res, status, messagesBody(messages, json), json ? JSON_TYPE : 'text/xml; charset=UTF-8');
}
