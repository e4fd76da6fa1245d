import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';
import { appendFresh, mergeNormalized, normalizeBatch } from './spanAppend.js';
import type { NormalizedSpan } from './normalize.js';
import { ingestSpoolSegments, type SpoolIngestResult } from './spoolIngest.js';
import { appendLogsDerivingHooks, ingestHookJournal } from './hooks/hookIngest.js';
import { toPlain } from './plainValue.js';
import { rangeMacroStatements } from './rollupLevels.js';
import { QueryError, StoreLockedError, StoreMissingError, StoreWalCorruptError, isLockConflict, isWalCorruption, lockHolderPid, walDamagePosition } from './errors.js';
import { RollupAccumulator } from './rollups.js';
import { compactRollups } from './maintenance.js';
import { migrate } from './schema.js';
import { spoolDirFor } from './spool.js';
import { bindParams, loadQuery } from './namedQueries.js';
import { duckDbRecords } from './records/duckdbRecords.js';
import type { AnalyzerRecords } from './records/types.js';
import type { SpanRecord } from './types.js';
import type { SignalRecords } from './signals.js';
import { appendFreshPoints, logRows, metricRows } from './signalAppend.js';
import { CallState, reconcileCalls } from './reconcile.js';
import { inheritAttribution, OrphanIndex } from './attribution.js';

export type { OpenStoreOptions, WriteResult, StageResult, StagedSettledListener } from './storeTypes.js';
import type { OpenStoreOptions, WriteResult, StageResult, StagedSettledListener } from './storeTypes.js';
export type { Row } from './types.js';
import type { Row } from './types.js';

/** The transaction `stage` keeps open across calls, with the rollup partials of everything in it. */
interface StagedTransaction {
  epoch: number;
  acc: RollupAccumulator;
  rows: number;
  openedAtMs: number;
}

const COMPACTION_INTERVAL_MS = 60_000;


/**
 * The DuckDB trace store: one writer per file. Writes are batched transactions that
 * append spans, skip (trace_id, span_id) pairs already stored, and append the batch's
 * per-minute rollup partials, so rollup counts always equal raw counts.
 */
export class DuckDbStore {
  private writeChain: Promise<unknown> = Promise.resolve();
  private readonly inExclusive = new AsyncLocalStorage<boolean>();
  /** First maintenance a minute after opening, then at most once a minute, and at close. */
  private lastCompactionMs = Date.now();
  /** Spans written since the last rollup maintenance. */
  private unmaintained = false;
  /** Per coarse rollup table, the time (epoch ns) before which it is built (see store/rollupLevels.ts). */
  private levelWatermarks = new Map<string, bigint>();
  private closed = false;
  /** Open bulk transaction of `stage` calls; every other operation on the connection commits it first. */
  private staged: StagedTransaction | null = null;
  private stagedEpoch = 0;
  private readonly stagedListeners = new Set<StagedSettledListener>();
  /** What the one-span-per-call merge knows about the store (see reconcile.ts); loaded at open. */
  private readonly calls = new CallState();
  /** Stored spans waiting for their parent's attribution (see attribution.ts). */
  private readonly orphans = new OrphanIndex();

  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  /** Opens (creating and migrating when writable) the store at `path` (':memory:' allowed). */
  static async open(path: string, options: OpenStoreOptions = {}): Promise<DuckDbStore> {
    const readOnly = options.readOnly ?? false;
    if (readOnly && path !== ':memory:' && !existsSync(path)) throw new StoreMissingError(path);
    const config: Record<string, string> = {};
    if (readOnly) config.access_mode = 'READ_ONLY';
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.sandbox) Object.assign(config, { enable_external_access: 'false', lock_configuration: 'true' });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      if (isLockConflict(err)) throw new StoreLockedError(path, lockHolderPid(err), err);
      if (isWalCorruption(err)) throw new StoreWalCorruptError(path, walDamagePosition(err), err);
      throw err;
    }
    const connection = await instance.connect();
    const store = new DuckDbStore(path, instance, connection, readOnly);
    if (!readOnly) {
      await migrate(connection);
      await store.loadLevelWatermarks();
      await connection.run('CREATE TEMP TABLE IF NOT EXISTS _batch_keys (trace_id VARCHAR, span_id VARCHAR)');
      await connection.run('CREATE TEMP TABLE IF NOT EXISTS _signal_keys (key VARCHAR)');
      await store.calls.load(connection);
      await store.orphans.load(connection);
      if (options.ingestSpool !== false && path !== ':memory:') await store.ingestSpool();
    }
    return store;
  }

  /**
   * Turns off DuckDB's access to anything but this database (files, URLs, extensions) and locks
   * its settings, for the whole instance and for good: for processes that serve SQL to others.
   * Parquet export and COPY then fail, so they run from another process.
   */
  sandbox(): Promise<void> {
    return this.exclusive(async () => {
      await this.connection.run('SET enable_external_access = false');
      await this.connection.run('SET lock_configuration = true');
    });
  }

  /** Log records and metric points are stored beside spans (the collector's `/v1/logs`, `/v1/metrics`). */
  readonly storesSignals = true;

  /** Claude Code hook events stored as log records become spans here, with their sessions' state in `kv` (hooks/hookIngest.ts). */
  readonly derivesHookSpans = true;

  /** The analyzer's bookkeeping writes (alert state, runs) on this store; undefined when read-only. */
  get records(): AnalyzerRecords | undefined {
    return this.readOnly ? undefined : duckDbRecords(this);
  }

  /**
   * Writes spans (and, from the collector, log records and metric points) in one transaction;
   * resolves once committed. Serialised per store.
   */
  writeBatch(spans: readonly SpanRecord[], signals?: SignalRecords): Promise<WriteResult> {
    // One write path: stage into a transaction of its own (anything staged before is committed
    // first, by `exclusive`), then commit it. Staging listeners ignore an epoch they did not stage.
    const run = this.exclusive(async () => {
      const { epoch: _epoch, ...result } = await this.stageNow(spans, signals);
      const err = await this.settleStaged();
      if (err !== null) throw err;
      return result;
    });
    void this.exclusive(() => this.maybeCompact());
    return run;
  }

  /**
   * Appends spans inside a transaction that stays open across calls (opened by the first call)
   * and resolves once they are appended, **not** committed. Dedup, normalisation and rollups are
   * exactly as in `writeBatch`; the staged rollup partials are appended at commit. The transaction
   * commits on `commitStaged()` or before any other operation on the store (query, write,
   * maintenance, close); `onStagedSettled` listeners hear how it ended. Large transactions are
   * what make DuckDB cheap: from a full row group (122 880 rows) on, appended data is written
   * straight to the database file instead of through its WAL and a later checkpoint.
   * A caller must keep its own durable copy of staged spans until their epoch commits.
   */
  stage(spans: readonly SpanRecord[], signals?: SignalRecords): Promise<StageResult> {
    return this.exclusive(() => this.stageNow(spans, signals), true);
  }

  /** Commits the staged transaction, if any; rejects with the commit's error (listeners hear it too). */
  commitStaged(): Promise<void> {
    const run = this.exclusive(async () => {
      const err = await this.settleStaged();
      if (err !== null) throw err;
    }, true);
    void this.exclusive(() => this.maybeCompact());
    return run;
  }

  /** Spans appended to the open staged transaction (0 when none is open). */
  get stagedRows(): number {
    return this.staged?.rows ?? 0;
  }

  /** When the open staged transaction began (epoch ms), or null. */
  get stagedSinceMs(): number | null {
    return this.staged?.openedAtMs ?? null;
  }

  /** Hears the end of every staged transaction; returns a dispose function. */
  onStagedSettled(listener: StagedSettledListener): () => void {
    this.stagedListeners.add(listener);
    return () => this.stagedListeners.delete(listener);
  }

  /**
   * Runs `fn` alone on the writer connection: after every queued write, query and
   * transaction, before any later one. Inside `fn`, `query` runs directly (no queueing),
   * so a transaction's statements can never interleave with another caller's.
   * Unless `keepStaged`, the staged transaction is committed first.
   */
  private exclusive<T>(fn: () => Promise<T>, keepStaged = false): Promise<T> {
    if (this.inExclusive.getStore()) return fn();
    const body = keepStaged
      ? fn
      : async () => {
          await this.settleStaged();
          return fn();
        };
    const run = this.writeChain.then(() => this.inExclusive.run(true, body));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Commits the staged transaction (rolls it back if that fails); returns the error or null. */
  private async settleStaged(): Promise<unknown> {
    const st = this.staged;
    if (!st) return null;
    this.staged = null;
    let failure: unknown = null;
    try {
      await st.acc.flush(this.connection);
      await this.connection.run('COMMIT');
      if (st.rows > 0) this.unmaintained = true;
    } catch (err) {
      failure = err;
      await this.connection.run('ROLLBACK').catch(() => undefined);
    }
    this.emitStaged(st.epoch, failure);
    return failure;
  }

  private emitStaged(epoch: number, err: unknown): void {
    // Listeners run outside the writer's context: whatever they start (timers, promises, retries)
    // must queue on the write chain like any caller, not run inside this operation's transaction.
    this.inExclusive.exit(() => {
      for (const l of this.stagedListeners) {
        try {
          l(epoch, err);
        } catch {
          /* a listener's failure is its own */
        }
      }
    });
  }

  private async stageNow(spans: readonly SpanRecord[], signals?: SignalRecords): Promise<StageResult> {
    if (this.closed) throw new Error('store is closed');
    if (this.readOnly) throw new Error('store is read-only');
    const nLogs = signals?.logs.length ?? 0;
    const nPoints = signals?.points.length ?? 0;
    if (spans.length === 0 && nLogs === 0 && nPoints === 0) return { inserted: 0, duplicates: 0, epoch: this.staged?.epoch ?? this.stagedEpoch };
    // Normalise before touching the transaction: a bad span must not abort what is already staged.
    let { rows, lo, hi } = spans.length > 0 ? await normalizeBatch(spans) : { rows: [] as NormalizedSpan[], lo: 0n, hi: 0n };
    const logs = nLogs > 0 ? logRows(signals!.logs) : [];
    const points = nPoints > 0 ? metricRows(signals!.points) : [];
    if (!this.staged) {
      await this.connection.run('BEGIN TRANSACTION');
      this.staged = { epoch: ++this.stagedEpoch, acc: new RollupAccumulator(this.levelWatermarks), rows: 0, openedAtMs: Date.now() };
    }
    const st = this.staged;
    try {
      // Log records first: hook events among them become spans once, when first stored (hooks/hookIngest.ts).
      const fresh = await appendLogsDerivingHooks(this.connection, logs);
      if (fresh.spans.length > 0) ({ rows, lo, hi } = mergeNormalized({ rows, lo, hi }, await normalizeBatch(fresh.spans)));
      // The probe sees rows staged earlier in this transaction too, so dedup holds across calls.
      let inserted = 0;
      if (rows.length > 0) {
        // Both rewrite stored rows only inside this transaction, so a failed batch leaves nothing behind.
        const kept = await reconcileCalls(this.connection, rows, st.acc, this.calls);
        await inheritAttribution(this.connection, kept, st.acc, this.orphans);
        await this.calls.note(this.connection, kept);
        inserted = await appendFresh(this.connection, kept, lo, hi, st.acc);
      }
      const result: StageResult = { inserted, duplicates: spans.length + fresh.spans.length - inserted, epoch: st.epoch };
      st.rows += inserted;
      if (signals) {
        result.logs = fresh.logs;
        result.points = await appendFreshPoints(this.connection, points);
        st.rows += result.logs + result.points;
      }
      return result;
    } catch (err) {
      this.staged = null;
      await this.connection.run('ROLLBACK').catch(() => undefined);
      this.emitStaged(st.epoch, err);
      throw err;
    }
  }

  /**
   * Runs `fn` in one transaction on the writer connection; `query` calls inside it are part of
   * the transaction, and nobody else's statements are.
   * @example
   * await store.transaction(async () => { await store.query('DELETE …'); await store.query('INSERT …'); });
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const out = await fn();
        await this.connection.run('COMMIT');
        return out;
      } catch (err) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * About once a minute, in the write chain: builds the hour and day rollups of closed periods
   * and merges partial rows. A failure leaves valid (finer) rows and is retried next time.
   */
  private async maybeCompact(): Promise<void> {
    const now = Date.now();
    if (this.closed || !this.unmaintained || now - this.lastCompactionMs < COMPACTION_INTERVAL_MS) return;
    this.lastCompactionMs = now;
    try {
      await this.maintainRollups();
    } catch {
      /* retried at the next interval */
    }
  }

  /** Builds coarse rollup levels for closed periods and compacts partial rows now. Returns rows removed. */
  maintainRollups(): Promise<number> {
    return this.exclusive(async () => {
      try {
        this.unmaintained = false;
        return await compactRollups(this);
      } finally {
        await this.loadLevelWatermarks();
      }
    });
  }

  /** Reads the coarse levels' watermarks and redefines the range macros with them as constants. */
  private async loadLevelWatermarks(): Promise<void> {
    const r = await this.connection.runAndReadAll('SELECT table_name, epoch_ns(complete_before) AS ns FROM rollup_levels');
    this.levelWatermarks = new Map(r.getRows().map(([t, ns]) => [String(t), BigInt(ns as bigint)]));
    for (const sql of rangeMacroStatements(this.levelWatermarks)) await this.connection.run(sql);
  }

  /** Runs one SQL statement with named or positional parameters; rows as plain JSON-friendly objects. */
  async query(sql: string, params?: Record<string, unknown> | unknown[]): Promise<Row[]> {
    return (await this.queryWithColumns(sql, params)).rows;
  }

  /** Runs `queries/<name>.sql`, binding every parameter (NULL when not given). Queued behind writes. */
  named(name: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const q = loadQuery(name);
    return this.query(q.sql, bindParams(q, params));
  }

  /** Like `query` but also returns column names in order (for table/CSV output). Queued behind writes. */
  queryWithColumns(sql: string, params?: Record<string, unknown> | unknown[]): Promise<{ columns: string[]; rows: Row[] }> {
    return this.exclusive(async () => {
      try {
        const reader = await this.connection.runAndReadAll(sql, params as Record<string, DuckDBValue> | DuckDBValue[] | undefined);
        return { columns: reader.columnNames(), rows: reader.getRowObjectsJS().map((r) => toPlain(r) as Row) };
      } catch (err) {
        throw new QueryError(err instanceof Error ? err.message : String(err), err);
      }
    });
  }

  /**
   * Ingests complete spool segments other processes left while this file was locked, then the
   * command hooks' journal. Each segment or entry is deleted only after it is committed (replays
   * are idempotent).
   */
  async ingestSpool(dir = spoolDirFor(this.path)): Promise<SpoolIngestResult & { hookEntries: number }> {
    const spooled = await ingestSpoolSegments(this, dir);
    // Command hooks journal their events beside the file (hooks/hookJournal.ts); the writer takes them in.
    const hooks = this.path === ':memory:' ? { entries: 0 } : await ingestHookJournal(this, this.path);
    return { ...spooled, hookEntries: hooks.entries };
  }

  /**
   * Cancels the statement running on this store's connection (it fails with an interrupt error;
   * an open transaction rolls back). For a writer that must close against a deadline.
   */
  interrupt(): void {
    if (!this.closed) this.connection.interrupt();
  }

  /**
   * Waits for queued writes, then closes. Idempotent. With `maintain: false` the hour/day
   * rollup levels are left for the next writer (readers fall back to minutes past each level's
   * watermark, so results are the same): for closing at process exit, which has a deadline.
   */
  async close(options: { maintain?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => undefined); // commits anything staged
    // Leave the hour/day levels built for everything written (a short-lived writer, like the demo,
    // never reaches the once-a-minute maintenance).
    if (this.unmaintained && options.maintain !== false) await this.maintainRollups().catch(() => undefined);
    await this.writeChain;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Opens a store; see {@link DuckDbStore.open}. */
export function openStore(path: string, options?: OpenStoreOptions): Promise<DuckDbStore> {
  return DuckDbStore.open(path, options);
}
