/**
 * The ClickHouse backend (scale-out): the OpenTelemetry Collector exporter's `otel_traces` layout,
 * a `spans` view with agentpulse's columns, rollups as materialized views, and ClickHouse variants
 * of named queries (queries/clickhouse/). See docs/scale-out.md.
 */
export { ClickHouseStore } from './ClickHouseStore.js';
export type { OpenClickHouseOptions } from './ClickHouseStore.js';
export { DuckDbTraceStore } from './DuckDbTraceStore.js';
export { HttpExecutor } from './HttpExecutor.js';
export type { HttpExecutorOptions } from './HttpExecutor.js';
export { ChdbExecutor, ChdbMissingError, loadChdb } from './ChdbExecutor.js';
export type { ClickHouseExecutor, ClickHouseResult } from './Executor.js';
export { clickhouseSchema, clickhouseSchemaFile, otelTracesDdl, CLICKHOUSE_SCHEMA_VERSION } from './schema.js';
export type { ClickHouseSchemaOptions } from './schema.js';
export { promotedColumns, sketchBucketSql } from './promote.js';
export { otelTracesRow, attrString } from './otelRow.js';
export { openTraceStore, parseStoreSpec, isClickHouseSpec, redact, StoreSpecError } from './openTraceStore.js';
export type { StoreSpec } from './openTraceStore.js';
