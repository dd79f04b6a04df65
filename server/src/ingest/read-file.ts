/**
 * `readEventsFromFile`: one Sysmon/Windows event file → parse items, whatever its format. The format
 * is detected from content (./detect.ts); the file is streamed, so memory stays flat on huge files.
 */
import { detectFormat, type FileFormat } from './detect.js';
import { readCsv } from './csv-reader.js';
import { readJsonDocument } from './json-document.js';
import { readJsonLines } from './json-reader.js';
import type { ParseItem } from './record.js';
import { type InvalidUtf8, readByteChunks, readHead, readLatin1Chunks, readSmallFile, readTextChunks, sniffEncoding } from './text-stream.js';
import { readXmlEvents, readXmlEventsUtf8 } from './xml-reader.js';

/** Options for reading one file. */
export interface ReadOptions {
  /** Skip detection and read as this format. */
  format?: Exclude<FileFormat, 'unknown'>;
  /** Bytes per read chunk (tests use small chunks to exercise chunk boundaries). */
  chunkBytes?: number;
  /**
   * Problems that lost nothing (every record was still read), e.g. an .evtx chunk whose checksum
   * fails or a header marked dirty. Called while the batches are read.
   */
  onWarning?: (w: ReadWarning) => void;
}

/** A reader warning: data was still read, but the user should know (see ReadOptions.onWarning). */
export interface ReadWarning {
  reason: string;
  /** Byte offset in the file (binary formats). */
  offset?: number;
  /** 0-based .evtx chunk index, when the warning concerns one chunk. */
  chunk?: number;
}

/** The part of ./evtx/index.ts used here (its EvtxReadOptions.onIssue). */
type EvtxIssueLike = { offset: number; chunk: number | null; skipped: boolean; reason: string };
type EvtxOptions = { onIssue?: (i: EvtxIssueLike) => void };
type EvtxModule = {
  readEvtxFile: (path: string, opts?: EvtxOptions) => AsyncIterable<ParseItem>;
  readEvtxBuffer: (bytes: Buffer, opts?: EvtxOptions) => Iterable<ParseItem>;
};

/**
 * The .evtx reader lives in ./evtx (its own unit). It is loaded lazily so a build without it still
 * works; until it exists, .evtx files are reported as unsupported rather than silently skipped.
 */
function loadEvtx(): Promise<EvtxModule | null> {
  // Once per process: a dynamic import() of a loaded module still costs a trip through the module
  // loader (on another thread under a loader hook), which on a busy machine waits for a core.
  evtxModule ??= importEvtx();
  return evtxModule;
}
let evtxModule: Promise<EvtxModule | null> | undefined;

async function importEvtx(): Promise<EvtxModule | null> {
  const spec = './evtx/index.js';
  try {
    const mod = (await import(spec)) as Partial<EvtxModule>;
    return typeof mod.readEvtxFile === 'function' && typeof mod.readEvtxBuffer === 'function' ? (mod as EvtxModule) : null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|does not provide/i.test(String(e))) return null;
    throw e;
  }
}

async function* single(items: AsyncIterable<ParseItem> | Iterable<ParseItem>): AsyncGenerator<ParseItem[]> {
  let batch: ParseItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= 1000) { yield batch; batch = []; }
  }
  if (batch.length) yield batch;
}

/** An opened file: its format and its items in batches. */
export interface OpenedFile {
  format: FileFormat;
  /** False when the format is not readable (the batches then hold one whole-file rejection). */
  supported: boolean;
  batches: AsyncIterable<ParseItem[]>;
}

/**
 * The file's format (detected unless given) and its items in batches — the pipeline's fast path.
 * A file up to SMALL_FILE_BYTES is read whole at once (text-stream.ts `readSmallFile`), a bigger one
 * streamed; the readers are the same.
 */
export async function readEventBatches(file: string, opts: ReadOptions = {}): Promise<OpenedFile> {
  const path = readSmallFile(file) ?? file;
  const format = opts.format ?? detectFormat(await readHead(path));
  const badUtf8 = opts.onWarning && ((r: InvalidUtf8): void => opts.onWarning!({
    reason: `invalid UTF-8: ${r.count} byte sequence(s), the first at byte ${r.first}; read as U+FFFD`, offset: r.first,
  }));
  const chunks = () => readTextChunks(path, opts.chunkBytes, badUtf8);
  switch (format) {
    case 'xml': {
      // UTF-8 XML is scanned as latin1 and only extracted values are decoded (faster; same result).
      const utf8 = sniffEncoding(await readHead(path, 4)).encoding === 'utf8';
      return { format, supported: true, batches: utf8 ? readXmlEventsUtf8(readByteChunks(path, opts.chunkBytes, badUtf8)) : readXmlEvents(chunks()) };
    }
    case 'json': {
      // UTF-8 JSON lines are read as latin1; only lines with non-ASCII bytes are decoded (json-reader.ts).
      const utf8 = sniffEncoding(await readHead(path, 4)).encoding === 'utf8';
      return { format, supported: true, batches: readJsonLines(utf8 ? readLatin1Chunks(path, opts.chunkBytes, badUtf8) : chunks(), undefined, utf8) };
    }
    case 'csv': return { format, supported: true, batches: readCsv(chunks()) };
    case 'evtx': {
      const evtx = await loadEvtx();
      if (evtx) {
        const onWarning = opts.onWarning;
        // Skipped data is also yielded as `rejected` items; only the issues that lost nothing are warnings.
        const onIssue = onWarning && ((i: EvtxIssueLike): void => {
          if (!i.skipped) onWarning(i.chunk === null ? { reason: i.reason, offset: i.offset } : { reason: i.reason, offset: i.offset, chunk: i.chunk });
        });
        return { format, supported: true, batches: single(typeof path === 'string' ? evtx.readEvtxFile(path, { onIssue }) : evtx.readEvtxBuffer(path, { onIssue })) };
      }
      return { format, supported: false, batches: single(rejectWhole('unsupported format (evtx)')) };
    }
    case 'json-document': {
      // An array of event objects or pretty-printed objects one after another: streamed too.
      const utf8 = sniffEncoding(await readHead(path, 4)).encoding === 'utf8';
      return { format, supported: true, batches: readJsonDocument(utf8 ? readLatin1Chunks(path, opts.chunkBytes, badUtf8) : chunks(), utf8) };
    }
    default:
      return { format, supported: false, batches: single(rejectWhole('unsupported format (not Windows event XML, JSON, CSV or evtx)')) };
  }
}

async function* rejectWhole(reason: string): AsyncGenerator<ParseItem> {
  yield { kind: 'rejected', line: 0, reason };
}

/**
 * Every record of a Sysmon/Windows event file, in file order: events, rejected records (with the
 * 1-based line they start on and why) and skipped non-event records. Formats: Splunk XmlWinEventLog,
 * wevtutil/Event Viewer XML, JSON lines or JSON documents (arrays, pretty-printed objects; flat,
 * nested, Winlogbeat/ECS, Splunk `result` rows, Elastic hits), CSV with a header row, evtx.
 */
export async function* readEventsFromFile(path: string, opts: ReadOptions = {}): AsyncGenerator<ParseItem> {
  const { batches } = await readEventBatches(path, opts);
  for await (const batch of batches) yield* batch;
}
