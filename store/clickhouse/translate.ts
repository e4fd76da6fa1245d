/** DuckDB casts of parameters and the ClickHouse placeholder type that means the same. */
const CAST_TYPES: Record<string, string> = {
  BIGINT: 'Nullable(Int64)',
  INTEGER: 'Nullable(Int32)',
  INT: 'Nullable(Int32)',
  DOUBLE: 'Nullable(Float64)',
  VARCHAR: 'Nullable(String)',
  TEXT: 'Nullable(String)',
  BOOLEAN: 'Nullable(Bool)',
};

/**
 * Rewrites a shared (DuckDB-dialect) named query's `$name` parameters into ClickHouse
 * `{name:Type}` placeholders, so queries whose SQL is otherwise portable run unchanged:
 * `CAST($x AS BIGINT)` → `{x:Nullable(Int64)}`, a bare `$x` → `{x:Nullable(String)}`.
 * String literals and comments are left alone.
 */
export function duckdbParamsToClickHouse(sql: string): string {
  const re = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|CAST\(\s*\$([A-Za-z_]\w*)\s+AS\s+([A-Za-z]+)\s*\)|\$([A-Za-z_]\w*)/gi;
  return sql.replace(re, (whole, castName: string | undefined, castType: string | undefined, bare: string | undefined) => {
    if (castName && castType) {
      const t = CAST_TYPES[castType.toUpperCase()];
      return t ? `{${castName}:${t}}` : `CAST({${castName}:Nullable(String)} AS ${castType})`;
    }
    if (bare) return `{${bare}:Nullable(String)}`;
    return whole;
  });
}
