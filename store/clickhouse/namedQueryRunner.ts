import { listQueries } from '../namedQueries.js';
import type { TraceRow, TraceStore } from '../TraceStore.js';

/**
 * A plain `query(sql, params) → rows` runner over any TraceStore, for code written against
 * DuckDB that runs the text of named queries (the dashboard API's SqlRunner, the learning
 * system's LearningDb): a text that is a named query runs as that query, so the store picks its
 * dialect's variant; any other text runs as read-only ad-hoc SQL in the store's dialect.
 * @example
 * const dashboard = createDashboard({ sql: namedQueryRunner(clickhouseStore) });
 */
export function namedQueryRunner(store: TraceStore): { query(sql: string, params?: Record<string, unknown>): Promise<TraceRow[]> } {
  let byText: Map<string, string> | null = null;
  return {
    async query(sql, params) {
      byText ??= new Map(listQueries().map((q) => [q.sql, q.name]));
      const name = byText.get(sql);
      if (name) return store.named(name, params);
      return (await store.query(sql, params)).rows;
    },
  };
}
