/** Rows as plain JSON-friendly objects, with the column names and ClickHouse types in order. */
export interface ClickHouseResult {
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
}

/**
 * The few things the ClickHouse store asks of a connection. Two implementations: HTTP through
 * `@clickhouse/client` (a server or cluster) and embedded chDB (one process, tests, laptops).
 * Parameters are `{name:Type}` placeholders bound by the server, never interpolated.
 */
export interface ClickHouseExecutor {
  /** Where it points, for messages (no credentials). */
  readonly where: string;
  /** One SELECT; 64-bit integers come back exact (numbers when safe, else decimal strings). */
  query(sql: string, params?: Record<string, unknown>, options?: { readOnly?: boolean }): Promise<ClickHouseResult>;
  /** Inserts rows given as JSON objects (JSONEachRow). */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** A statement without a result (DDL). */
  command(sql: string): Promise<void>;
  close(): Promise<void>;
}

const WIDE_INT = /(?:^|[(, ])U?Int(?:64|128|256)\b/;

/** Converts a value of ClickHouse `type` from JSON with quoted 64-bit integers into DuckDbStore's shape. */
export function plainValue(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && WIDE_INT.test(type) && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (Array.isArray(v)) {
    const inner = type.replace(/^(?:Nullable|LowCardinality)\((.*)\)$/, '$1').replace(/^Array\((.*)\)$/, '$1');
    return v.map((x) => plainValue(x, inner));
  }
  return v;
}

/** Applies {@link plainValue} to rows of a `JSON`-format result. */
export function plainRows(meta: { name: string; type: string }[], data: Record<string, unknown>[]): ClickHouseResult {
  const columns = meta.map((m) => m.name);
  const types = meta.map((m) => m.type);
  const wide = meta.filter((m) => WIDE_INT.test(m.type));
  if (wide.length > 0) {
    for (const r of data) for (const m of wide) r[m.name] = plainValue(r[m.name], m.type);
  }
  return { columns, types, rows: data };
}

/** Settings every read uses: exact 64-bit integers in JSON, UTC, NULL-aware joins as in DuckDB. */
export const READ_SETTINGS = {
  output_format_json_quote_64bit_integers: 1,
  join_use_nulls: 1,
  prefer_column_name_to_alias: 1,
  session_timezone: 'UTC',
} as const;
