/**
 * A bounded pool of DuckDB reader connections for a server (docs/security.md "Reads in parallel").
 *
 * Every statement of a request borrows one connection and runs on DuckDB's own threads: node-api
 * executes it as asynchronous native work, off the event loop, so statements of different requests
 * proceed in parallel, one per connection, each parallelised further by DuckDB (`threads`). The
 * pool bounds how many run at once (`size`); the others wait their turn in arrival order instead
 * of all competing for the cores (and each holding its own working memory).
 *
 * `active` and `queued` tell a writer whether readers are busy, so an upload can give way to
 * analysts' reads between its batches (server/src/app/upload-pace.ts, wired in compose.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ConnectionPool } from './sql-runner.js';

export class ReadPool implements ConnectionPool {
  private inUse = 0;
  private readonly waiting: ((conn: DuckDBConnection | Error) => void)[] = [];

  constructor(private readonly store: ConnectionPool, readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`read connections must be a whole number ≥ 1 (got ${size})`);
  }

  /** Statements running now. */
  get active(): number {
    return this.inUse;
  }

  /** Statements waiting for a connection. */
  get queued(): number {
    return this.waiting.length;
  }

  async acquire(): Promise<DuckDBConnection> {
    if (this.inUse < this.size) {
      this.inUse += 1;
      try {
        return await this.store.acquire();
      } catch (err) {
        this.inUse -= 1;
        throw err;
      }
    }
    const got = await new Promise<DuckDBConnection | Error>((resolve) => this.waiting.push(resolve));
    if (got instanceof Error) throw got;
    return got;
  }

  release(conn: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) { next(conn); return; } // handed over: still in use
    this.store.release(conn);
    this.inUse -= 1;
  }
}
