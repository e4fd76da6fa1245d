import { z } from 'zod';
import type { DuckDBInstance } from '@duckdb/node-api';
import { isReadOnlySqlError } from '../../store/sqlGuard.js';
import { runReadOnly, SqlResultTooLargeError, SqlTimeoutError } from '../../store/readOnlyQuery.js';
import { HttpError } from '../../http/HttpError.js';
import type { ApiHandler } from '../../http/route.js';

const SqlBody = z.object({
  sql: z.string().min(1).max(100_000),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export interface SqlRouteOptions {
  maxRows: number;
  timeoutMs: number;
  /** Result bytes at most (413 beyond). */
  maxBytes: number;
  /** Queries running at once, counting timed-out ones DuckDB is still finishing (429 beyond). */
  maxConcurrent?: number;
}

/**
 * `POST /api/sql` with `{ sql }` → `{ columns, rows, truncated }`: one read-only query on its own
 * connection (so the time-limit interrupt cannot hit the writer), within row, byte and time limits
 * (408 past the time, 413 past the bytes, 429 while too many run).
 * @example
 * routes['POST /api/sql'] = sqlRoute(store, { maxRows: 10_000, timeoutMs: 10_000, maxBytes: 16 << 20 });
 */
export function sqlRoute(store: { readonly instance?: DuckDBInstance }, opts: SqlRouteOptions): ApiHandler {
  const maxConcurrent = opts.maxConcurrent ?? 2;
  let running = 0;
  return async (ctx) => {
    const parsed = SqlBody.safeParse(await ctx.json());
    if (!parsed.success) throw new HttpError(400, 'body must be JSON {"sql": "SELECT ...", "params": {"name": scalar}}');
    const instance = store.instance;
    if (!instance) throw new HttpError(501, 'this store does not support SQL queries');
    if (running >= maxConcurrent) {
      throw new HttpError(429, `${running} SQL queries are already running (the limit); retry when one finishes`, { headers: { 'retry-after': '1' }, code: 'SQL_BUSY' });
    }
    running++;
    const conn = await instance.connect().catch((err: unknown) => {
      running--;
      throw err;
    });
    const run = runReadOnly(conn, parsed.data.sql, { ...opts, params: parsed.data.params });
    // A timed-out query may still be finishing inside DuckDB: the connection closes, and the slot frees, only then.
    void run.settled.then(() => {
      running--;
      conn.closeSync();
    });
    try {
      return await run;
    } catch (err) {
      if (isReadOnlySqlError(err)) throw new HttpError(403, err.message, { cause: err, code: err.code });
      if (err instanceof SqlTimeoutError) throw new HttpError(408, err.message, { cause: err, code: err.code });
      if (err instanceof SqlResultTooLargeError) throw new HttpError(413, err.message, { cause: err, code: err.code });
      throw new HttpError(400, err instanceof Error ? err.message : String(err), { cause: err, code: 'QUERY_FAILED' });
    }
  };
}
