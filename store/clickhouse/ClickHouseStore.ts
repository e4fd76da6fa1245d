import { uniqueBatch } from '../uniqueBatch.js';
import { QueryError } from '../errors.js';
import { bindParams, loadQueryFor } from '../namedQueries.js';
import type { RollupMinuteRow, TraceRow, TraceStore, TraceWriteResult } from '../TraceStore.js';
import type { SpanRecord } from '../types.js';
import type { SignalRecords } from '../signals.js';
import { writeSignals } from './signalTables.js';
import { clickHouseRecords } from '../records/clickhouseRecords.js';
import type { AnalyzerRecords } from '../records/types.js';
import type { ClickHouseExecutor } from './Executor.js';
import { otelTracesRow, promotedValues } from './otelRow.js';
import { normalizeSpanWith, ResourceMemo } from '../normalize.js';
import { assertReadOnlyClickHouse } from './readOnly.js';
import type { ClickHouseSchemaOptions } from './schema.js';
import { CLICKHOUSE_SCHEMA_DESCRIPTION, CLICKHOUSE_SCHEMA_VERSION, clickhouseSchema } from './schema.js';
import { duckdbParamsToClickHouse } from './translate.js';

export interface OpenClickHouseOptions extends ClickHouseSchemaOptions {
  /** Create the schema objects that are missing (default true; false for a read-only user). */
  migrate?: boolean;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The ClickHouse trace store. Spans live in `otel_traces`, the OpenTelemetry Collector ClickHouse
 * exporter's table, so the exporter and the agentpulse collector can both write; a `spans` view
 * maps it onto agentpulse's columns and materialized views keep the per-minute rollups with the
 * same log-bucket sketch as DuckDB. Named queries run their `queries/clickhouse/` variant where
 * the dialect differs and the shared SQL elsewhere.
 */
export class ClickHouseStore implements TraceStore {
  readonly dialect = 'clickhouse' as const;
  /** Logs and metrics go to the exporter's `otel_logs` / `otel_metrics_*` tables (signalTables.ts). */
  readonly storesSignals = true;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly executor: ClickHouseExecutor,
    private readonly tracesTable: string,
  ) {}

  get where(): string {
    return this.executor.where;
  }

  /** The analyzer's bookkeeping writes (alert state, runs), as ClickHouse inserts. */
  get records(): AnalyzerRecords {
    return clickHouseRecords(this.executor);
  }

  /** Wraps an executor; creates missing schema objects unless `migrate: false`. */
  static async open(executor: ClickHouseExecutor, options: OpenClickHouseOptions = {}): Promise<ClickHouseStore> {
    const store = new ClickHouseStore(executor, options.tracesTable ?? 'otel_traces');
    if (options.migrate !== false) await store.migrate(options);
    return store;
  }

  /** Creates every missing object (all statements are IF NOT EXISTS) and records the schema version once. */
  async migrate(options: ClickHouseSchemaOptions = {}): Promise<void> {
    for (const s of clickhouseSchema(options)) await this.executor.command(s);
    const r = await this.executor.query('SELECT count() AS n FROM schema_version WHERE version = {v:UInt32}', { v: CLICKHOUSE_SCHEMA_VERSION });
    if (Number(r.rows[0]?.n ?? 0) === 0) {
      await this.executor.insert('schema_version', [{ version: CLICKHOUSE_SCHEMA_VERSION, description: CLICKHOUSE_SCHEMA_DESCRIPTION }]);
    }
  }

  /**
   * Appends spans to otel_traces (the materialized views roll them up), and a request's log
   * records and metric points to their tables. Serialised per store.
   */
  writeBatch(spans: readonly SpanRecord[], signals?: SignalRecords): Promise<TraceWriteResult> {
    const run = this.writeChain.then(async () => {
      const r = await this.writeNow(spans);
      if (signals && (signals.logs.length > 0 || signals.points.length > 0)) await writeSignals(this.executor, signals);
      return r;
    });
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async writeNow(spans: readonly SpanRecord[]): Promise<TraceWriteResult> {
    if (this.closed) throw new Error('store is closed');
    if (spans.length === 0) return { inserted: 0, duplicates: 0 };
    const { unique: fresh, lo, hi } = uniqueBatch(spans);
    // Replays are skipped like on DuckDB: the same span has the same start, so the batch's time
    // range bounds the probe. (Exact for one writer; concurrent writers replaying the same span
    // at the same instant can still both insert it — the exporter path never deduplicates.)
    const existing = await this.executor.query(
      `SELECT TraceId, SpanId FROM ${this.tracesTable}
       WHERE Timestamp >= fromUnixTimestamp64Nano({lo:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({hi:Int64})
         AND SpanId IN {ids:Array(String)}`,
      { lo: lo.toString(), hi: hi.toString(), ids: fresh.map((s) => s.spanId) },
    );
    const stored = new Set(existing.rows.map((r) => String(r.TraceId) + String(r.SpanId)));
    const memo = new ResourceMemo();
    const rows = (stored.size === 0 ? fresh : fresh.filter((s) => !stored.has(s.traceId + s.spanId))).map((s) => ({
      ...otelTracesRow(s),
      ...promotedValues(normalizeSpanWith(s, memo)),
    }));
    await this.executor.insert(this.tracesTable, rows);
    return { inserted: rows.length, duplicates: spans.length - rows.length };
  }

  async named(name: string, params: Record<string, unknown> = {}): Promise<TraceRow[]> {
    const q = loadQueryFor(name, 'clickhouse');
    const sql = q.dialect === 'clickhouse' ? q.sql : duckdbParamsToClickHouse(q.sql);
    try {
      return (await this.executor.query(sql, bindParams(q, params))).rows;
    } catch (err) {
      throw new QueryError(`named query ${name} on ClickHouse: ${messageOf(err)}`, err);
    }
  }

  async query(sql: string, params: Record<string, unknown> = {}): Promise<{ columns: string[]; rows: TraceRow[] }> {
    assertReadOnlyClickHouse(sql);
    try {
      const r = await this.executor.query(sql, params, { readOnly: true });
      return { columns: r.columns, rows: r.rows };
    } catch (err) {
      throw new QueryError(messageOf(err), err);
    }
  }

  async readRollups(range: { fromMs: number; toMs: number }): Promise<RollupMinuteRow[]> {
    return (await this.named('store_rollup_minutes', { from_ms: range.fromMs, to_ms: range.toMs })) as unknown as RollupMinuteRow[];
  }

  /** Waits for queued writes, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeChain;
    this.closed = true;
    await this.executor.close();
  }
}
