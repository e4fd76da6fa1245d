import type { AttrValue, Attributes, SpanRecord } from './types.js';

/**
 * One OTLP log record as decoded from `/v1/logs` (protobuf or JSON), before it is stored in
 * `log_records`. Coding agents send their events this way (Claude Code `api_request`, Codex
 * `codex.tool_result`, …): the event name is `eventName` (the record's `event_name` field, else
 * its `event.name` attribute).
 */
export interface LogRecordIn {
  /** Epoch nanoseconds; the observed time when the record has no time of its own. */
  timeNs: bigint;
  /** Epoch nanoseconds; 0n when not sent. */
  observedNs: bigint;
  /** 32 lowercase hex characters, or null. */
  traceId: string | null;
  /** 16 lowercase hex characters, or null. */
  spanId: string | null;
  /** OTLP SeverityNumber (1..24), or null when unspecified. */
  severityNumber: number | null;
  severityText: string | null;
  /** The record's body (AnyValue), null when absent. */
  body: AttrValue;
  /** `event_name` field, else the `event.name` attribute, else null. */
  eventName: string | null;
  attributes: Attributes;
  resource: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'delta' | 'cumulative';

/**
 * One OTLP metric data point as decoded from `/v1/metrics`. Sums and gauges carry `value`;
 * histograms carry count/sum/min/max and the explicit bucket bounds and counts; exponential
 * histograms carry count/sum/min/max and keep scale, zero count and buckets in `extra`; summaries
 * carry count/sum and keep their quantiles in `extra`.
 */
export interface MetricPointIn {
  name: string;
  description: string | null;
  unit: string | null;
  kind: MetricKind;
  /** Sums and histograms; null for gauges and summaries. */
  temporality: Temporality | null;
  /** Sums only; null otherwise. */
  monotonic: boolean | null;
  /** Epoch nanoseconds; 0n when not sent. */
  startNs: bigint;
  /** Epoch nanoseconds. */
  timeNs: bigint;
  value: number | null;
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  bounds: number[] | null;
  bucketCounts: number[] | null;
  /** What has no column of its own (exponential buckets, summary quantiles), or null. */
  extra: Attributes | null;
  attributes: Attributes;
  resource: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
}

/**
 * What one ingest request carries to the store: spans (sent, or derived from agent events),
 * log records and metric points. Every write path takes this shape; each part may be empty.
 */
export interface TelemetryBatch {
  spans: SpanRecord[];
  logs: LogRecordIn[];
  points: MetricPointIn[];
}

/** Log records and metric points of one request, written beside its spans. */
export type SignalRecords = Pick<TelemetryBatch, 'logs' | 'points'>;

/** Records a batch holds, for queue bounds and counters. */
export function batchSize(b: TelemetryBatch): number {
  return b.spans.length + b.logs.length + b.points.length;
}

