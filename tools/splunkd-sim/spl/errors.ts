/**
 * Errors the emulated splunkd answers with. Splunk reports search problems as an HTTP status plus a
 * `messages` array (splunk-protocol.md §2.3); every failure path of the emulator goes through here
 * so a bad search is never answered with a silently wrong result.
 */

/** Severity words Splunk uses in `messages[].type`. */
export type MessageType = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';

/** One entry of a Splunk `messages` array. */
export interface SplunkMessage { type: MessageType; text: string }

/** A search that splunkd would refuse: carries the HTTP status and the FATAL text Splunk shows. */
export class SplError extends Error {
  constructor(message: string, readonly status = 400, readonly type: MessageType = 'FATAL') {
    super(message);
    this.name = 'SplError';
  }
}

/** `Error in 'cmd' command: …` — the prefix Splunk puts on command argument errors. */
export function commandError(command: string, text: string): SplError {
  return new SplError(`Error in '${command}' command: ${text}`);
}
