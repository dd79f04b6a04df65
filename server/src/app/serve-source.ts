/** What a source factory hands the composition root: the app's source side and how to shut it down. */
import type { AppDeps } from '../api/app.js';
import type { SessionStore } from '../api/sessions.js';
import type { UploadStore } from '../api/upload.js';
import type { EmbeddedStore } from '../sources/embedded/index.js';

export interface ServeSource {
  mode: AppDeps['mode'];
  sourceFor: AppDeps['sourceFor'];
  /** One line for the startup log, e.g. `embedded data/demo.duckdb`. */
  describe: string;
  /** Splunk mode: the analysts' sessions (mounted as /api/session). */
  sessions?: SessionStore;
  /** Embedded mode, opened writable: where POST /api/upload stores events. */
  store?: UploadStore | null;
  /** Embedded mode: the store Sigma reads a graph's own events from (`--sigma`). */
  eventStore?: EmbeddedStore;
  close(): Promise<void>;
}
