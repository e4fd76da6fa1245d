import type { DuckDbStore } from '../DuckDbStore.js';
import { assertReadOnlySql } from '../sqlGuard.js';
import type { RollupMinuteRow, TraceRow, TraceStore, TraceWriteResult } from '../TraceStore.js';
import type { SpanRecord } from '../types.js';

/** DuckDbStore seen through the {@link TraceStore} interface (the embedded default backend). */
export class DuckDbTraceStore implements TraceStore {
  readonly dialect = 'duckdb' as const;

  constructor(readonly store: DuckDbStore) {}

  get where(): string {
    return this.store.path;
  }

  writeBatch(spans: readonly SpanRecord[]): Promise<TraceWriteResult> {
    return this.store.writeBatch(spans);
  }

  named(name: string, params: Record<string, unknown> = {}): Promise<TraceRow[]> {
    return this.store.named(name, params);
  }

  query(sql: string, params?: Record<string, unknown>): Promise<{ columns: string[]; rows: TraceRow[] }> {
    assertReadOnlySql(sql);
    return this.store.queryWithColumns(sql, params);
  }

  async readRollups(range: { fromMs: number; toMs: number }): Promise<RollupMinuteRow[]> {
    return (await this.named('store_rollup_minutes', { from_ms: range.fromMs, to_ms: range.toMs })) as unknown as RollupMinuteRow[];
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
