import type { SpanRecord } from '../../store/types.js';
import type { SignalRecords, TelemetryBatch } from '../../store/signals.js';

/**
 * The one thing the collector needs from a store to ingest: a durable, idempotent batch write of
 * spans and, from `/v1/logs` and `/v1/metrics`, log records and metric points.
 */
export interface SpanSink {
  /** True when `writeBatch` and `stage` store log records and metric points too (DuckDB, ClickHouse); else `/v1/logs` and `/v1/metrics` answer 501. */
  readonly storesSignals?: boolean;
  /** True when the store turns Claude Code hook events (log records `claude_code.hook.*`) into spans (DuckDB); else `/hooks/claude-code` answers 501. */
  readonly derivesHookSpans?: boolean;
  writeBatch(spans: SpanRecord[], signals?: SignalRecords): Promise<{ inserted: number; duplicates?: number }>;
}

/**
 * A sink that can keep one transaction open across writes (see `DuckDbStore.stage`): the queue
 * then acknowledges requests once they are in the write-ahead log and commits in large batches.
 */
export interface StagingSpanSink extends SpanSink {
  stage(spans: SpanRecord[], signals?: SignalRecords): Promise<{ inserted: number; duplicates?: number; epoch: number }>;
  commitStaged(): Promise<void>;
  onStagedSettled(listener: (epoch: number, err: unknown) => void): () => void;
  readonly stagedRows: number;
}

/** True when the sink can stage spans into an open transaction (write-ahead mode is possible). */
export function isStagingSink(sink: SpanSink): sink is StagingSpanSink {
  const s = sink as Partial<StagingSpanSink>;
  return typeof s.stage === 'function' && typeof s.commitStaged === 'function' && typeof s.onStagedSettled === 'function';
}

/** Decodes a spooled request body back into records (the spool stores bodies, not objects). */
export type SpoolDecoder = (kind: number, payload: Buffer) => TelemetryBatch | Promise<TelemetryBatch>;
