/**
 * The one in-memory span shape every ingest path produces (embedded exporter,
 * OTLP protobuf, OTLP JSON, Claude Code hook) before it is normalised into a row.
 */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** OTLP span kind names, stored as text so ad-hoc SQL reads naturally. */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
/** OTLP status codes, stored as text. */
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface SpanEventRecord {
  name: string;
  timeNs: bigint;
  attributes: Attributes;
}

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface SpanRecord {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** 16 lowercase hex characters, or null for a root span. */
  parentSpanId: string | null;
  name: string;
  kind: SpanKindName;
  /** Epoch nanoseconds. */
  startNs: bigint;
  /** Epoch nanoseconds; >= startNs. */
  endNs: bigint;
  statusCode: StatusCodeName;
  statusMessage: string | null;
  attributes: Attributes;
  resource: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
}

/** OTLP numeric kind (0..5) to its stored name. */
export const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
/** OTLP numeric status (0..2) to its stored name. */
export const STATUS_NAMES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

/** One result row as plain JSON-friendly values, keyed by column name. */
export type Row = Record<string, unknown>;

/**
 * The one read interface above the stores: run a named query (`queries/<name>.sql`, in the
 * backend's dialect), binding every parameter (NULL when not given). DuckDB (`DuckDbStore`, the
 * dashboard's read pool), ClickHouse (`TraceStore`) and a collector (`http/CollectorClient`, via
 * the CLI's reader) answer it; ad-hoc SQL is each backend's `query`.
 */
export interface NamedReader {
  named(name: string, params?: Record<string, unknown>): Promise<Row[]>;
}
