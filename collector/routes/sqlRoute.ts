import { z } from 'zod';
import { runReadOnly, isReadOnlySqlError, SqlTimeoutError } from '../../store/sqlGuard.js';
import { HttpError } from '../HttpError.js';
import type { ApiHandler } from '../options.js';

const SqlBody = z.object({
  sql: z.string().min(1).max(100_000),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

/**
 * `POST /api/sql` with `{ sql }` → `{ columns, rows, truncated }`: one read-only query on its own
 * connection (so the time-limit interrupt cannot hit the writer), within row and time limits.
 * @example
 * routes['POST /api/sql'] = sqlRoute({ maxRows: 10_000, timeoutMs: 10_000 });
 */
export function sqlRoute(opts: { maxRows: number; timeoutMs: number }): ApiHandler {
  return async (ctx) => {
    const parsed = SqlBody.safeParse(await ctx.json());
    if (!parsed.success) throw new HttpError(400, 'body must be JSON {"sql": "SELECT ...", "params": {"name": scalar}}');
    const instance = ctx.store.instance;
    if (!instance) throw new HttpError(501, 'this store does not support SQL queries');
    const conn = await instance.connect();
    try {
      return await runReadOnly(conn, parsed.data.sql, { ...opts, params: parsed.data.params });
    } catch (err) {
      if (isReadOnlySqlError(err)) throw new HttpError(403, err.message, { cause: err, code: err.code });
      if (err instanceof SqlTimeoutError) throw new HttpError(408, err.message, { cause: err, code: err.code });
      throw new HttpError(400, err instanceof Error ? err.message : String(err), { cause: err, code: 'QUERY_FAILED' });
    } finally {
      conn.closeSync();
    }
  };
}
