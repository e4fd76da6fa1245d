import type { DuckDbStore } from '../store/DuckDbStore.js';
import { bindParams, loadQuery } from '../store/namedQueries.js';
import type { AnalyzerRecords } from '../store/records/types.js';
import type { TraceStore } from '../store/TraceStore.js';

export type { Row } from '../store/types.js';
import type { NamedReader, Row } from '../store/types.js';

/** The read side the analyzer needs: run one named query with parameters. */
export interface QueryRunner {
  query(sql: string, params?: Record<string, unknown>): Promise<{ rows: Row[] } | Row[]>;
}

/**
 * Where the analyzer reads from, and whether it may persist alert state and runs.
 * `store` is set only for a writable store; reading through a collector (`--url`) or a
 * read-only file produces a report without persisting anything.
 */
export interface AnalyzerSource extends NamedReader {
  /** Where alert state and runs are persisted, when the store is writable (any backend). */
  readonly records?: AnalyzerRecords;
  /** A writable DuckDB store, for the learning tables (DuckDB only). */
  readonly store?: DuckDbStore;
}

/** A source over a DuckDB store; persistence is enabled when the store is writable. */
export function sourceFromStore(store: DuckDbStore): AnalyzerSource {
  return {
    store: store.readOnly ? undefined : store,
    records: store.records,
    named: (name, params) => store.named(name, params),
  };
}

/**
 * A source over any backend's TraceStore (ClickHouse included): named queries in its dialect,
 * alert state and runs persisted through its records when it is writable.
 */
export function sourceFromTraceStore(store: TraceStore): AnalyzerSource {
  return { named: (name, params) => store.named(name, params), records: store.records };
}

/** A source over any query runner (e.g. the CLI's TraceReader over `--url`); never persists. */
export function sourceFromReader(reader: QueryRunner): AnalyzerSource {
  return {
    named: async (name, params = {}) => {
      const q = loadQuery(name);
      const res = await reader.query(q.sql, bindParams(q, params));
      return Array.isArray(res) ? res : res.rows;
    },
  };
}

/** Nanosecond bounds travel as decimal strings: exact through JSON, cast to BIGINT in SQL. */
export const ns = (v: bigint): string => v.toString();
