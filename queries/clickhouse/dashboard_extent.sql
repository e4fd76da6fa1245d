-- dashboard_extent: stored data extent and a change token, from the rollups.
-- ClickHouse variant: background merges shrink the row count of rollup_minute, so the change token is the
-- total span count (it still grows with every committed insert). Empty tables give NULL extents, as on DuckDB.
SELECT toUnixTimestamp64Milli(minOrNull(minute)) AS first_minute_ms, toUnixTimestamp64Milli(maxOrNull(minute)) AS last_minute_ms,
  sum(span_count) AS partials
FROM rollup_minute
