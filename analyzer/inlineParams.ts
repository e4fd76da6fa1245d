import type { QueryRunner, Row } from './AnalyzerSource.js';

/**
 * Renders bound values as SQL literals, for a runner that cannot bind parameters (the
 * collector's `/api/sql` takes `{ sql }` only). Only null, finite numbers, booleans and strings
 * are accepted; strings are single-quoted with quotes doubled, which is DuckDB's only escape,
 * and the collector's read-only guard still checks the result. Prefer real binding wherever
 * the runner supports it.
 */
export function inlineParams(sql: string, params: Record<string, unknown> = {}): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string | undefined) => {
    if (!name) return m;
    if (!(name in params)) throw new Error(`parameter $${name} has no value`);
    const v = params[name];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
    throw new Error(`parameter $${name}: cannot inline a ${typeof v}`);
  });
}

/** Wraps a runner so named-query parameters are inlined as literals (see {@link inlineParams}). */
export function inliningRunner(runner: QueryRunner): QueryRunner {
  return {
    query: async (sql, params) => {
      const res = await runner.query(inlineParams(sql, params));
      return Array.isArray(res) ? res : { rows: res.rows as Row[] };
    },
  };
}
