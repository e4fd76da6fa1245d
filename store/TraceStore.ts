import type { SqlDialect } from './namedQueries.js';
import type { NamedReader, SpanRecord } from './types.js';
import type { AnalyzerRecords } from './records/types.js';

export type TraceRow = Record<string, unknown>;

/** What one write batch did: new spans stored, and spans skipped as already stored. */
export interface TraceWriteResult {
  inserted: number;
  duplicates: number;
}

/** One per-minute rollup row (summed over the partials of that minute and dimension set). */
export interface RollupMinuteRow {
  minute_ms: number;
  service_name: string | null;
  agent_name: string | null;
  operation: string | null;
  model: string | null;
  status_code: string | null;
  error_type: string | null;
  span_count: number;
  error_count: number;
  duration_sum_ns: number;
  duration_max_ns: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/**
 * The narrow backend interface (ARCHITECTURE "Scale-out"): write a batch, run a named query,
 * read rollups. DuckDB (the embedded default) and ClickHouse (the scale-out backend) implement
 * it; everything above it (analyzer, alert rules, learning, dashboard API) reads through named
 * queries, and each backend picks its dialect's variant of a query where the dialect differs.
 */
export interface TraceStore extends NamedReader {
  readonly dialect: SqlDialect;
  /** Where the data lives, for messages (a path or a URL without credentials). */
  readonly where: string;
  /** Stores spans (normalised and rolled up by the backend); replays of stored spans are skipped. */
  writeBatch(spans: readonly SpanRecord[]): Promise<TraceWriteResult>;
  /** Runs `queries/<name>.sql` (or the dialect's variant), binding every parameter (NULL when not given). */
  named(name: string, params?: Record<string, unknown>): Promise<TraceRow[]>;
  /** One read-only ad-hoc statement in the backend's own SQL dialect. */
  query(sql: string, params?: Record<string, unknown>): Promise<{ columns: string[]; rows: TraceRow[] }>;
  /** The analyzer's bookkeeping writes; absent on a read-only store. */
  readonly records?: AnalyzerRecords;
  /** Per-minute rollups with `from_ms <= minute < to_ms`, ordered by minute. */
  readRollups(range: { fromMs: number; toMs: number }): Promise<RollupMinuteRow[]>;
  close(): Promise<void>;
}
