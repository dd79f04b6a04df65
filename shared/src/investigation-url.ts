/**
 * The investigation URL the server hands out (rule hits, the Splunk `/pivot` redirect): the one writer of
 * its format (docs/api.md "The investigation URL"). The client reads and writes the same parameters in
 * client/src/app/url-state.ts.
 */

/** What a link opens: origin, host, window, selection and a highlighted chain (oldest first). */
export interface InvestigationLink {
  /** Data source the link was made against (`splunk`, `embedded`); informational. */
  src?: string;
  guid: string;
  host?: string | null;
  from?: string | null;
  to?: string | null;
  sel?: string | null;
  highlight?: readonly string[] | null;
}

/** `/?guid=…&…` in a fixed parameter order; GUID punctuation (`{}`, `,`, `:`) left readable, as the client writes it. */
export function investigationUrl(link: InvestigationLink): string {
  const q = new URLSearchParams();
  if (link.src) q.set('src', link.src);
  q.set('guid', link.guid);
  if (link.host) q.set('host', link.host);
  if (link.from && link.to) {
    q.set('from', link.from);
    q.set('to', link.to);
  }
  if (link.sel) q.set('sel', link.sel);
  if (link.highlight && link.highlight.length > 0) q.set('highlight', link.highlight.join(','));
  return `/?${q.toString().replace(/%7B/gi, '{').replace(/%7D/gi, '}').replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`;
}
