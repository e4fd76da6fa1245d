/**
 * The CLI's one read interface and its adapters: the DuckDB file, a ClickHouse store, and (with no
 * adapter needed) `http/CollectorClient`. Which one a command gets is decided in cli/openStore.ts.
 */
import type { DuckDbStore } from '../store/DuckDbStore.js';
import { redact } from '../store/clickhouse/storeSpec.js';
import { QueryError } from '../store/errors.js';
import { bindParams, loadQuery } from '../store/namedQueries.js';
import type { TraceStore } from '../store/TraceStore.js';
import { CliError } from './errors.js';
import type { QueryResult } from './output.js';

/**
 * The one read interface of the CLI: ad-hoc SQL and named queries (`queries/*.sql`, in the
 * backend's dialect). The DuckDB file, a collector (`http/CollectorClient.ts`) and a ClickHouse
 * store implement it.
 */
export interface TraceReader {
  readonly source: string;
  query(sql: string, params?: Record<string, unknown>): Promise<QueryResult>;
  named(name: string, params?: Record<string, unknown>): Promise<QueryResult>;
  close(): Promise<void>;
}

/** The DuckDB file as a TraceReader (errors become one-line CLI errors). */
export class DbReader implements TraceReader {
  constructor(private readonly store: DuckDbStore) {}
  get source(): string {
    return this.store.path;
  }
  async query(sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    try {
      return await this.store.queryWithColumns(sql, params);
    } catch (err) {
      if (err instanceof QueryError) throw new CliError(err.message, { cause: err, code: 'QUERY_FAILED' });
      throw err;
    }
  }
  named(name: string, params: Record<string, unknown> = {}): Promise<QueryResult> {
    const q = loadQuery(name);
    return this.query(q.sql, bindParams(q, params));
  }
  close(): Promise<void> {
    return this.store.close();
  }
}

/** Columns in order from rows (named queries return objects). */
const columnsOf = (rows: Record<string, unknown>[]): string[] => (rows.length > 0 ? Object.keys(rows[0]) : []);

/** A CLI TraceReader over a TraceStore: `sql` in the store's dialect, `query NAME` through its variants. */
export function traceStoreReader(store: TraceStore): TraceReader {
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof QueryError) throw new CliError(err.message, { cause: err, code: 'QUERY_FAILED' });
      throw err;
    }
  };
  return {
    source: redact(store.where),
    query: (sql, params) => wrap(() => store.query(sql, params)),
    named: (name, params) => wrap(async () => {
      const rows = await store.named(name, params);
      return { columns: columnsOf(rows), rows };
    }),
    close: () => store.close(),
  };
}
