import type { DuckDBInstance } from '@duckdb/node-api';
import { HttpError } from '../../http/HttpError.js';
import type { ApiHandler } from '../../http/route.js';
import { fromConnection } from '../../analyzer/learning/db.js';
import { LearningInputError } from '../../analyzer/learning/errors.js';
import { recordFeedback } from '../../analyzer/learning/feedback.js';

/**
 * Handler for `POST /api/feedback` with `{trace_id, score?, label?, span_id?, source?, comment?}`:
 * stores the feedback on its own connection of the collector's store and answers
 * `{trace_id, score, label, outcome}`; 400 on invalid input.
 * @example
 * startCollector({ store, routes: { 'POST /api/feedback': feedbackRoute(store) } });
 */
export function feedbackRoute(store: { readonly instance?: DuckDBInstance }): ApiHandler {
  return async (ctx) => {
    const body = await ctx.json();
    const instance = store.instance;
    if (!instance) throw new HttpError(501, 'this store does not accept feedback');
    const conn = await instance.connect();
    try {
      const stored = await recordFeedback(fromConnection(conn), { source: 'api', ...(body as object) });
      return { trace_id: stored.traceId, score: stored.score, label: stored.label, outcome: stored.outcome };
    } catch (err) {
      if (err instanceof LearningInputError) throw new HttpError(400, err.message, { cause: err, code: err.code });
      throw err;
    } finally {
      conn.closeSync();
    }
  };
}
