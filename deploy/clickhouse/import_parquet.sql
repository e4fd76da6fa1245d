-- Migrate agentpulse history into ClickHouse: the Hive-partitioned Parquet written by
-- `agentpulse export --parquet DIR` (DIR/day=YYYY-MM-DD/spans_*.parquet, agentpulse `spans` columns)
-- inserted into otel_traces in the OpenTelemetry Collector exporter's layout. The rollup materialized
-- views fill rollup_minute / rollup_sketch as the rows arrive, so dashboards cover the history at once.
--
--   clickhouse-client --param_path='/data/history/*/*.parquet' --queries-file deploy/clickhouse/import_parquet.sql
--
-- Run it once per export (it does not deduplicate). Mind otel_traces' TTL: rows older than the TTL are
-- dropped on insert; raise it first (ALTER TABLE otel_traces MODIFY TTL ...) to keep older history.
-- Attribute values become strings the way the exporter writes them (numbers and booleans as text,
-- lists and maps as JSON); tested in test/clickhouse.migrate.test.ts.
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
  ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
  `Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`, `Links.SpanId`, `Links.TraceState`, `Links.Attributes`,
  ap_agent_path)
SELECT
  fromUnixTimestamp64Nano(toInt64(start_ns)) AS Timestamp,
  trace_id, span_id, coalesce(parent_span_id, ''), '', name,
  multiIf(kind = 'internal', 'Internal', kind = 'server', 'Server', kind = 'client', 'Client',
          kind = 'producer', 'Producer', kind = 'consumer', 'Consumer', 'Unspecified') AS SpanKind,
  coalesce(service_name, ''),
  mapFromArrays(arrayMap(x -> x.1, JSONExtractKeysAndValuesRaw(resource_attributes)),
    arrayMap(x -> if(JSONType(x.2) = 'String', JSONExtractString(x.2), x.2), JSONExtractKeysAndValuesRaw(resource_attributes))),
  coalesce(scope_name, ''), '',
  mapFromArrays(arrayMap(x -> x.1, JSONExtractKeysAndValuesRaw(attributes)),
    arrayMap(x -> if(JSONType(x.2) = 'String', JSONExtractString(x.2), x.2), JSONExtractKeysAndValuesRaw(attributes))),
  toUInt64(greatest(duration_ns, 0)),
  multiIf(status_code = 'ERROR', 'Error', status_code = 'OK', 'Ok', 'Unset'),
  coalesce(status_message, ''),
  arrayMap(e -> fromUnixTimestamp64Nano(toInt64(JSONExtractString(e, 'time_ns'))), JSONExtractArrayRaw(events)),
  arrayMap(e -> JSONExtractString(e, 'name'), JSONExtractArrayRaw(events)),
  arrayMap(e -> mapFromArrays(arrayMap(x -> x.1, JSONExtractKeysAndValuesRaw(e, 'attributes')),
    arrayMap(x -> if(JSONType(x.2) = 'String', JSONExtractString(x.2), x.2), JSONExtractKeysAndValuesRaw(e, 'attributes'))), JSONExtractArrayRaw(events)),
  arrayMap(l -> JSONExtractString(l, 'trace_id'), JSONExtractArrayRaw(links)),
  arrayMap(l -> JSONExtractString(l, 'span_id'), JSONExtractArrayRaw(links)),
  arrayMap(l -> '', JSONExtractArrayRaw(links)),
  arrayMap(l -> mapFromArrays(arrayMap(x -> x.1, JSONExtractKeysAndValuesRaw(l, 'attributes')),
    arrayMap(x -> if(JSONType(x.2) = 'String', JSONExtractString(x.2), x.2), JSONExtractKeysAndValuesRaw(l, 'attributes'))), JSONExtractArrayRaw(links)),
  -- Agent paths were built at ingest on DuckDB (ClickHouse cannot rebuild them): carried over as they are.
  agent_path
FROM (
  SELECT * REPLACE (ifNull(attributes, '{}') AS attributes, ifNull(resource_attributes, '{}') AS resource_attributes,
                    ifNull(events, '[]') AS events, ifNull(links, '[]') AS links)
  -- An explicit structure: DuckDB marks the JSON columns as Parquet JSON, which would otherwise read as ClickHouse JSON.
  FROM file({path:String}, Parquet, 'trace_id String, span_id String, parent_span_id Nullable(String), name String, kind Nullable(String),
    start_ns Int64, duration_ns Int64, status_code String, status_message Nullable(String), service_name Nullable(String),
    scope_name Nullable(String), attributes Nullable(String), resource_attributes Nullable(String), events Nullable(String), links Nullable(String),
    agent_path Nullable(String)')
)
