import { ChdbMissingError } from '../store/clickhouse/ChdbExecutor.js';
import { isClickHouseSpec, openTraceStore, redact, StoreSpecError } from '../store/clickhouse/openTraceStore.js';
import { QueryError } from '../store/errors.js';
import type { TraceStore } from '../store/TraceStore.js';
import { CliError } from './errors.js';

/**
 * The scale-out backend selected with `--store clickhouse://…` or AGENTPULSE_STORE, or undefined
 * when commands should use the DuckDB file (`--db`) or a collector (`--url`) as before.
 */
export function clickhouseStoreSpec(flag?: string): string | undefined {
  const spec = flag ?? process.env.AGENTPULSE_STORE;
  return spec && isClickHouseSpec(spec) ? spec : undefined;
}

/** Opens the ClickHouse TraceStore for a command; errors become one-line CliErrors. */
export async function openClickHouseForCli(spec: string, options: { readOnly?: boolean } = {}): Promise<TraceStore> {
  try {
    return await openTraceStore(spec, options);
  } catch (err) {
    if (err instanceof StoreSpecError || err instanceof ChdbMissingError) throw new CliError(err.message, { cause: err });
    const msg = err instanceof Error ? err.message : String(err);
    throw new CliError(`cannot open the ClickHouse store ${redact(spec)}: ${msg}`, { cause: err });
  }
}

/** Columns in order from rows (named queries return objects). */
const columnsOf = (rows: Record<string, unknown>[]): string[] => (rows.length > 0 ? Object.keys(rows[0]) : []);

/** A CLI TraceReader over a TraceStore: `sql` in the store's dialect, `query NAME` through its variants. */
export function traceStoreReader(store: TraceStore): {
  readonly source: string;
  query(sql: string, params?: Record<string, unknown>): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  named(name: string, params?: Record<string, unknown>): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
} {
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
