import { listQueries } from '../namedQueries.js';
import type { TraceRow, TraceStore } from '../TraceStore.js';

/**
 * The learning system's `LearningDb` (query(sql, params) → rows) over any TraceStore: the learning
 * code runs the text of a named query, so the text is mapped back to its name and the store runs
 * its own dialect's variant. Only named queries are accepted; anything else is refused, which keeps
 * the learning write path (pattern DB, promotions) on the embedded store.
 */
export function learningDbFor(store: TraceStore): { query(sql: string, params?: Record<string, unknown>): Promise<TraceRow[]> } {
  let byText: Map<string, string> | null = null;
  return {
    query(sql, params) {
      byText ??= new Map(listQueries().map((q) => [q.sql, q.name]));
      const name = byText.get(sql);
      if (!name) return Promise.reject(new Error(`${store.dialect} store: only named queries can run here (learning writes need the embedded DuckDB store)`));
      return store.named(name, params);
    },
  };
}
