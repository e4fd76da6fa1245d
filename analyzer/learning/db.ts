import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { bindParams, loadQuery } from '../../store/namedQueries.js';
import { toPlain } from '../../store/plainValue.js';
import type { SqlWriter } from '../../store/records/sqlRows.js';
import type { TraceStore } from '../../store/TraceStore.js';

export type { Row } from '../../store/types.js';
import type { Row } from '../../store/types.js';

/**
 * The narrow SQL surface the learning system needs: run one statement with named
 * parameters, get plain rows (the store's `SqlWriter`, through which its writes in
 * `store/records/` run, plus named queries). A `DuckDbStore` satisfies it directly; use
 * {@link fromReader} for the CLI's `TraceReader` and {@link fromConnection} for a raw connection.
 */
export interface LearningDb extends SqlWriter {
  /** Runs a named query in the backend's own dialect, when it has dialect variants (ClickHouse). */
  named?(name: string, params?: Record<string, unknown>): Promise<Row[]>;
}

/** Adapts anything with `query(sql, params) → {rows}` (the CLI's TraceReader). */
export function fromReader(reader: { query(sql: string, params?: Record<string, unknown>): Promise<{ rows: Row[] }> }): LearningDb {
  return { query: async (sql, params) => (await reader.query(sql, params)).rows };
}


/** Adapts any backend's TraceStore (ClickHouse included): named queries run their dialect's variant. */
export function fromTraceStore(store: TraceStore): LearningDb {
  return { query: async (sql, params) => (await store.query(sql, params)).rows, named: (name, params) => store.named(name, params) };
}

/** Adapts a raw DuckDB connection (e.g. the collector's instance in the feedback route). */
export function fromConnection(conn: DuckDBConnection): LearningDb {
  return {
    async query(sql, params) {
      const r = await conn.runAndReadAll(sql, params as Record<string, DuckDBValue> | undefined);
      return r.getRowObjectsJS().map((row) => toPlain(row) as Row);
    },
  };
}

/** Runs the named query `queries/<name>.sql`, binding unspecified parameters to NULL. */
export function runNamed(db: LearningDb, name: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  if (db.named) return db.named(name, params);
  const q = loadQuery(name);
  return db.query(q.sql, bindParams(q, params));
}

/** Number from a row cell that may be a number, a numeric string (wide ints) or null. */
export function num(v: unknown, fallback = 0): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fallback;
}

/** JSON cell (DuckDB JSON arrives as text) parsed, or the value itself. */
export function parseJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}
