import { toPlain } from '../store/plainValue.js';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { QueryError } from '../store/errors.js';
import { bindParams, loadQuery } from '../store/namedQueries.js';

export type { Row } from '../store/types.js';
import type { Row } from '../store/types.js';

/** Anything that answers SQL with plain rows. */
export interface SqlRunner {
  query(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
}

/** The dashboard's only dependency on the store (store/types.ts). */
export type { NamedReader } from '../store/types.js';
import type { NamedReader } from '../store/types.js';


/**
 * A few read connections of their own on the store's DuckDB instance. The writer's
 * connection runs multi-statement transactions, so reads must never share it: a read
 * interleaved there would run inside the writer's open transaction.
 */
export class ReadPool implements SqlRunner, NamedReader {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiters: ((c: DuckDBConnection) => void)[] = [];
  private created = 0;
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly size = 2,
  ) {}

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('read pool is closed');
    const c = this.idle.pop();
    if (c) return c;
    if (this.created < this.size) {
      this.created++;
      try {
        return await this.instance.connect();
      } catch (err) {
        this.created--;
        throw err;
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(c: DuckDBConnection): void {
    if (this.closed) {
      c.closeSync();
      return;
    }
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  async query(sql: string, params?: Record<string, unknown>): Promise<Row[]> {
    const conn = await this.acquire();
    try {
      const reader = await conn.runAndReadAll(sql, params as Record<string, DuckDBValue> | undefined);
      return reader.getRowObjectsJS().map((r) => toPlain(r, 'ms') as Row);
    } catch (err) {
      throw new QueryError(err instanceof Error ? err.message : String(err), err);
    } finally {
      this.release(conn);
    }
  }

  /** Runs `queries/<name>.sql`, binding every parameter (NULL when not given). */
  named(name: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const q = loadQuery(name);
    return this.query(q.sql, bindParams(q, params));
  }

  /** Closes idle connections; busy ones close when released. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.idle.splice(0)) c.closeSync();
  }
}
