/**
 * Response bodies in Splunk's shapes (splunk-protocol.md §1.1, §2.4–2.6): job entries (JSON and
 * Atom XML), results in json / json_rows / json_cols / csv / xml, and `messages` error bodies.
 */
import { isTerminal, type Job, type JobManager } from './jobs.js';
import type { SplunkMessage } from './spl/errors.js';
import { formatSplunkTime } from './spl/time.js';
import type { Row, Value } from './spl/values.js';

/** `generator` block Splunk puts at the top of JSON feeds. */
export interface Generator { build: string; version: string }

/** Escape text for XML bodies. */
export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `{"messages":[…]}` or its XML twin. */
export function messagesBody(messages: SplunkMessage[], json: boolean): string {
  if (json) return JSON.stringify({ messages });
  const msgs = messages.map((m) => `    <msg type="${m.type}">${xmlText(m.text)}</msg>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n${msgs}\n  </messages>\n</response>\n`;
}

/** `max_count` of a job (REST default 10,000): how many events /events can page through. */
function maxCount(job: Job): number {
  const n = Number(job.request.max_count);
  return job.request.max_count !== undefined && Number.isInteger(n) && n > 0 ? n : 10_000;
}

function iso(ms: number): string { return new Date(ms).toISOString().replace('Z', '+00:00'); }

/** The `content` object of a job entry (typed as §2.4 describes: booleans, numbers, some strings). */
export function jobContent(job: Job, jobs: JobManager): Record<string, unknown> {
  const state = jobs.displayState(job);
  const done = isTerminal(job.state) && state === job.state;
  const out = job.output;
  const resultCount = done && out ? out.results.length : 0;
  const eventCount = out && job.startedAt !== null ? (done ? out.events.length : Math.floor(out.events.length * jobs.progress(job))) : 0;
  const runDuration = job.startedAt === null ? 0 : ((job.doneAt ?? Date.now()) - job.startedAt) / 1000;
  return {
    sid: job.sid,
    dispatchState: state,
    isDone: done,
    isFailed: done && job.state === 'FAILED',
    isFinalized: job.isFinalized,
    isPaused: job.pausedAt !== null,
    isPreviewEnabled: job.previewEnabled,
    isRealTimeSearch: false,
    isSaved: job.ttlSec === 604_800,
    isSavedSearch: false,
    isZombie: false,
    isEventsPreviewEnabled: false,
    isGoodSummarizationCandidate: false,
    isRemoteTimeline: false,
    isTimeCursored: true,
    doneProgress: done ? 1 : jobs.progress(job),
    dropCount: 0,
    eventAvailableCount: Math.min(eventCount, maxCount(job)),
    eventCount,
    eventFieldCount: 0,
    eventIsStreaming: true,
    eventIsTruncated: false,
    eventSearch: job.compiled.eventSearch,
    eventSorting: 'desc',
    reportSearch: job.compiled.reportSearch,
    resultCount,
    resultIsStreaming: job.compiled.reportSearch === '',
    resultPreviewCount: resultCount,
    scanCount: out && done ? out.scanCount : Math.floor((out?.scanCount ?? 0) * jobs.progress(job)),
    runDuration,
    ttl: job.ttlSec,
    defaultTTL: String(jobs.settings.defaultTtlSec),
    defaultSaveTTL: '604800',
    earliestTime: out?.earliest != null ? formatSplunkTime(out.earliest) : '1970-01-01T00:00:00.000+00:00',
    latestTime: out?.latest != null ? formatSplunkTime(out.latest) : iso(job.createdAt),
    searchEarliestTime: out?.earliest ?? undefined,
    searchLatestTime: out?.latest ?? job.createdAt / 1000,
    cursorTime: '1970-01-01T00:00:00.000+00:00',
    search: job.compiled.spl,
    keywords: '',
    label: job.request.label ?? '',
    delegate: '',
    priority: job.priority,
    statusBuckets: Number(job.request.status_buckets ?? 0),
    diskUsage: 0,
    numPreviews: 0,
    pid: String(process.pid),
    sid_alias: undefined,
    messages: job.messages,
    request: job.request,
    runtime: { auto_cancel: String(job.autoCancelSec), auto_pause: job.request.auto_pause ?? '0' },
    searchProviders: ['lineage-splunkd'],
  };
}

/** One Atom-style entry for a job. */
export function jobEntry(job: Job, jobs: JobManager, base: string, prefix: string): Record<string, unknown> {
  const path = `${prefix}/${encodeURIComponent(job.sid)}`;
  return {
    name: job.compiled.spl,
    id: `${base}${path}`,
    updated: iso(Date.now()),
    links: {
      alternate: path, 'search.log': `${path}/search.log`, events: `${path}/events`, results: `${path}/results`,
      results_preview: `${path}/results_preview`, timeline: `${path}/timeline`, summary: `${path}/summary`, control: `${path}/control`,
    },
    published: iso(job.createdAt),
    author: job.owner,
    content: jobContent(job, jobs),
    acl: {
      app: 'search', owner: job.owner, sharing: 'global', modifiable: true, can_write: true, ttl: String(job.ttlSec),
      perms: { read: [job.owner], write: [job.owner] },
    },
  };
}

/** A JSON feed: links/origin/updated/generator/entry/paging. */
export function feed(origin: string, generator: Generator, entry: unknown[], paging: { total: number; perPage: number; offset: number }): string {
  return JSON.stringify({ links: {}, origin, updated: iso(Date.now()), generator, entry, paging });
}

function keyXml(name: string, v: unknown, indent: string): string {
  if (v === undefined || v === null) return `${indent}<s:key name="${xmlText(name)}"></s:key>`;
  if (Array.isArray(v)) return `${indent}<s:key name="${xmlText(name)}"><s:list>${v.map((x) => `<s:item>${xmlText(typeof x === 'object' ? JSON.stringify(x) : String(x))}</s:item>`).join('')}</s:list></s:key>`;
  if (typeof v === 'object') return `${indent}<s:key name="${xmlText(name)}"><s:dict>${Object.entries(v as Record<string, unknown>).map(([k, x]) => keyXml(k, x, '')).join('')}</s:dict></s:key>`;
  const text = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return `${indent}<s:key name="${xmlText(name)}">${xmlText(text)}</s:key>`;
}

/** Atom XML for a job entry (default output_mode of the status endpoint). */
export function jobAtom(job: Job, jobs: JobManager, base: string, prefix: string): string {
  const e = jobEntry(job, jobs, base, prefix);
  const content = e.content as Record<string, unknown>;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<entry xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest">\n`
    + `  <title>${xmlText(String(e.name))}</title>\n  <id>${xmlText(String(e.id))}</id>\n  <updated>${e.updated as string}</updated>\n`
    + `  <published>${e.published as string}</published>\n  <author><name>${xmlText(job.owner)}</name></author>\n`
    + `  <content type="text/xml">\n    <s:dict>\n${Object.entries(content).map(([k, v]) => keyXml(k, v, '      ')).join('\n')}\n    </s:dict>\n  </content>\n</entry>\n`;
}

/** Value as Splunk prints it: `_time` in ISO with offset, everything else as stored. */
function outValue(field: string, v: Value): Value {
  if (field === '_time' && typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return formatSplunkTime(Number(v));
  return v;
}

/** A page of rows plus the metadata of a results/events response. */
export interface ResultPage {
  rows: Row[];
  fields: string[];
  groupBy: string[];
  offset: number;
  preview: boolean;
  messages: SplunkMessage[];
  postProcessCount?: number;
}

/** Output modes the results endpoints answer. */
export const RESULT_MODES = ['json', 'json_rows', 'json_cols', 'csv', 'xml', 'raw'] as const;

function csvCell(v: Value | undefined): string {
  if (v === undefined) return '';
  const s = Array.isArray(v) ? v.join('\n') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Render a results/events page; returns body and content type. */
export function renderResults(page: ResultPage, mode: string): { body: string; type: string } {
  const rows = page.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, outValue(k, v)])) as Row);
  const jsonType = 'application/json; charset=UTF-8';
  const ppc = page.postProcessCount !== undefined ? { post_process_count: page.postProcessCount } : {};
  switch (mode) {
    case 'json_rows':
      return { type: jsonType, body: JSON.stringify({ preview: page.preview, init_offset: page.offset, ...ppc, messages: page.messages, fields: rows.length ? page.fields : [], rows: rows.map((r) => page.fields.map((f) => r[f] ?? null)) }) };
    case 'json_cols':
      return { type: jsonType, body: JSON.stringify({ preview: page.preview, init_offset: page.offset, ...ppc, messages: page.messages, fields: rows.length ? page.fields : [], columns: rows.length ? page.fields.map((f) => rows.map((r) => r[f] ?? null)) : [] }) };
    case 'csv':
      return { type: 'text/csv; charset=UTF-8', body: rows.length ? [page.fields.map((f) => csvCell(f)).join(','), ...rows.map((r) => page.fields.map((f) => csvCell(r[f])).join(','))].join('\n') + '\n' : '' };
    case 'raw':
      return { type: 'text/plain; charset=UTF-8', body: rows.map((r) => String(r._raw ?? '')).join('\n') };
    case 'xml': {
      const results = rows.map((r, i) => `<result offset='${page.offset + i}'>\n${page.fields.filter((f) => r[f] !== undefined).map((f) => {
        const v = r[f]!;
        const vals = (Array.isArray(v) ? v : [v]).map((x) => `<value><text>${xmlText(x)}</text></value>`).join('');
        return f === '_raw' ? `\t<field k='_raw'><v xml:space='preserve' trunc='0'>${xmlText(String(v))}</v></field>` : `\t<field k='${xmlText(f)}'>${vals}</field>`;
      }).join('\n')}\n</result>`).join('\n');
      return { type: 'text/xml; charset=UTF-8', body: `<?xml version='1.0' encoding='UTF-8'?>\n<results preview='${page.preview ? 1 : 0}'>\n<meta>\n<fieldOrder>\n${page.fields.map((f) => `<field>${xmlText(f)}</field>`).join('\n')}\n</fieldOrder>\n</meta>\n${results}\n</results>\n` };
    }
    default: {
      const body: Record<string, unknown> = { preview: page.preview, init_offset: page.offset, ...ppc, messages: page.messages };
      // §8.23: an empty result has no `fields` key in json mode.
      if (rows.length) {
        body.fields = page.fields.map((name) => {
          const rank = page.groupBy.indexOf(name);
          return rank >= 0 ? { name, groupby_rank: String(rank) } : { name };
        });
      }
      body.results = rows;
      body.highlighted = {};
      return { type: jsonType, body: JSON.stringify(body) };
    }
  }
}
