import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';
import { sketchBucket } from './sketch.js';

const NS_PER_MINUTE = 60_000_000_000n;
const NS_PER_HOUR = 60n * NS_PER_MINUTE;
const NS_PER_DAY = 24n * NS_PER_HOUR;

type Dims = (string | null)[];

/** The fields of a span the rollups aggregate (a stored row read back has just these). */
export type RollupSpan = Pick<
  NormalizedSpan,
  | 'startNs' | 'durationNs' | 'parentSpanId' | 'serviceName' | 'agentName' | 'operation' | 'model' | 'statusCode' | 'errorType'
  | 'taskType' | 'teamSignature' | 'recoveryStrategy' | 'recoveryOutcome' | 'inputTokens' | 'outputTokens' | 'costUsd'
>;

interface MeasurePartial {
  tsUs: bigint;
  dims: Dims;
  count: number;
  errors: number;
  durSum: number;
  durMax: bigint;
  inTok: number;
  outTok: number;
  cost: number;
}

interface SketchPartial {
  tsUs: bigint;
  dims: Dims;
  buckets: Map<number, number>;
}

/** One resolution: per-minute, per-hour or per-day partial rows for a batch. */
class LevelAccumulator {
  readonly measures = new Map<string, MeasurePartial>();
  readonly sketches = new Map<string, SketchPartial>();

  constructor(
    private readonly unitNs: bigint,
    private readonly measureTable: string,
    private readonly sketchTable: string,
    /** Coarse levels keep only agent, operation and model in the sketch (see rollupLevels.ts). */
    private readonly coarseSketch: boolean,
    /**
     * Coarse levels are built by maintenance once a period closes; the writer adds only spans
     * for periods already built (before this watermark, epoch ns). Minute level: everything.
     */
    private readonly onlyBeforeNs: bigint | null = null,
  ) {}

  add(s: RollupSpan, dims: Dims, dimsKey: string, durationNs: number, bucket: number, sign: 1 | -1): void {
    if (this.onlyBeforeNs !== null && s.startNs >= this.onlyBeforeNs) return;
    const t = s.startNs - (s.startNs % this.unitNs);
    const key = `${t}\u0001${dimsKey}`;
    let m = this.measures.get(key);
    if (!m) {
      m = { tsUs: t / 1000n, dims, count: 0, errors: 0, durSum: 0, durMax: 0n, inTok: 0, outTok: 0, cost: 0 };
      this.measures.set(key, m);
    }
    m.count += sign;
    if (s.statusCode === 'ERROR') m.errors += sign;
    m.durSum += sign * durationNs;
    // A maximum cannot be taken back; a withdrawn span leaves it as it was (an upper bound).
    if (sign > 0 && s.durationNs > m.durMax) m.durMax = s.durationNs;
    m.inTok += sign * (s.inputTokens ?? 0);
    m.outTok += sign * (s.outputTokens ?? 0);
    m.cost += sign * (s.costUsd ?? 0);

    const sdims = this.coarseSketch ? [null, s.agentName, s.operation, s.model, null, null] : dims;
    const skey = this.coarseSketch ? `${t}\u0001${s.agentName}\u0001${s.operation}\u0001${s.model}` : key;
    let k = this.sketches.get(skey);
    if (!k) {
      k = { tsUs: t / 1000n, dims: sdims, buckets: new Map() };
      this.sketches.set(skey, k);
    }
    k.buckets.set(bucket, (k.buckets.get(bucket) ?? 0) + sign);
  }

  async flush(conn: DuckDBConnection): Promise<void> {
    if (this.measures.size === 0) return;
    const minute = await conn.createAppender(this.measureTable);
    const sketch = await conn.createAppender(this.sketchTable);
    try {
      for (const p of this.measures.values()) {
        minute.appendTimestamp(timestampValue(p.tsUs));
        appendDims(minute, p.dims);
        minute.appendBigInt(BigInt(p.count));
        minute.appendBigInt(BigInt(p.errors));
        minute.appendDouble(p.durSum);
        minute.appendBigInt(p.durMax);
        minute.appendBigInt(BigInt(Math.trunc(p.inTok)));
        minute.appendBigInt(BigInt(Math.trunc(p.outTok)));
        minute.appendDouble(p.cost);
        minute.endRow();
      }
      for (const k of this.sketches.values()) {
        const ts = timestampValue(k.tsUs);
        for (const [bucket, n] of k.buckets) {
          sketch.appendTimestamp(ts);
          appendDims(sketch, k.dims);
          sketch.appendSmallInt(bucket);
          sketch.appendBigInt(BigInt(n));
          sketch.endRow();
        }
      }
      minute.flushSync();
      sketch.flushSync();
    } finally {
      minute.closeSync();
      sketch.closeSync();
    }
    this.measures.clear();
    this.sketches.clear();
  }
}

function appendDims(ap: DuckDBAppender, dims: Dims): void {
  for (const d of dims) d === null ? ap.appendNull() : ap.appendVarchar(d);
}

interface WorkPartial {
  tsUs: bigint;
  dims: (string | boolean | null)[];
  count: number;
  errors: number;
  durSum: number;
  usage: number;
  tokens: number;
  /** NULL while no span of the key had a cost, as SQL's sum() would say. */
  cost: number | null;
}

/** Work rollups (task type, team, recovery, usage) at one resolution; see store/rollupLevels.ts. */
class WorkAccumulator {
  readonly partials = new Map<string, WorkPartial>();

  constructor(
    private readonly unitNs: bigint,
    private readonly table: string,
    /** As for LevelAccumulator: coarse levels take only spans of already-built periods. */
    private readonly onlyBeforeNs: bigint | null = null,
  ) {}

  add(s: RollupSpan, durationNs: number, sign: 1 | -1): void {
    if (this.onlyBeforeNs !== null && s.startNs >= this.onlyBeforeNs) return;
    const t = s.startNs - (s.startNs % this.unitNs);
    const isRoot = s.parentSpanId === null;
    const dims = [s.taskType, s.teamSignature, s.operation, isRoot, s.recoveryStrategy, s.recoveryOutcome, s.statusCode];
    const key = `${t}\u0001${dims.join('\u0001')}`;
    let p = this.partials.get(key);
    if (!p) {
      p = { tsUs: t / 1000n, dims, count: 0, errors: 0, durSum: 0, usage: 0, tokens: 0, cost: null };
      this.partials.set(key, p);
    }
    p.count += sign;
    if (s.statusCode === 'ERROR') p.errors += sign;
    p.durSum += sign * durationNs;
    if (s.costUsd !== null || s.inputTokens !== null) p.usage += sign;
    p.tokens += sign * ((s.inputTokens ?? 0) + (s.outputTokens ?? 0));
    if (s.costUsd !== null) p.cost = (p.cost ?? 0) + sign * s.costUsd;
  }

  async flush(conn: DuckDBConnection): Promise<void> {
    if (this.partials.size === 0) return;
    const ap = await conn.createAppender(this.table);
    try {
      for (const p of this.partials.values()) {
        ap.appendTimestamp(timestampValue(p.tsUs));
        for (const d of p.dims) {
          if (d === null) ap.appendNull();
          else if (typeof d === 'boolean') ap.appendBoolean(d);
          else ap.appendVarchar(d);
        }
        ap.appendBigInt(BigInt(p.count));
        ap.appendBigInt(BigInt(p.errors));
        ap.appendDouble(p.durSum);
        ap.appendBigInt(BigInt(p.usage));
        ap.appendBigInt(BigInt(Math.trunc(p.tokens)));
        if (p.cost === null) ap.appendNull();
        else ap.appendDouble(p.cost);
        ap.endRow();
      }
      ap.flushSync();
    } finally {
      ap.closeSync();
    }
    this.partials.clear();
  }
}

/**
 * Aggregates one write batch into partial rollups at minute, hour and day resolution, then
 * appends them. Readers sum partials, so batches never read-modify-write the rollup tables.
 */
export class RollupAccumulator {
  private readonly levels: LevelAccumulator[];
  private readonly work: WorkAccumulator[];

  /**
   * @param watermarks per coarse table, the epoch-ns time before which maintenance has built it
   * (`rollup_levels`); spans before it are late and go to that level directly. Absent = none built.
   */
  constructor(watermarks: ReadonlyMap<string, bigint> = new Map()) {
    const wm = (t: string): bigint => watermarks.get(t) ?? 0n;
    this.levels = [
      new LevelAccumulator(NS_PER_MINUTE, 'rollup_minute', 'rollup_sketch', false),
      new LevelAccumulator(NS_PER_HOUR, 'rollup_minute_1h', 'rollup_sketch_1h', true, wm('rollup_minute_1h')),
      new LevelAccumulator(NS_PER_DAY, 'rollup_minute_1d', 'rollup_sketch_1d', true, wm('rollup_minute_1d')),
    ];
    this.work = [
      new WorkAccumulator(NS_PER_MINUTE, 'rollup_work'),
      new WorkAccumulator(NS_PER_HOUR, 'rollup_work_1h', wm('rollup_work_1h')),
      new WorkAccumulator(NS_PER_DAY, 'rollup_work_1d', wm('rollup_work_1d')),
    ];
  }

  /**
   * Adds one span to the batch's partials; `sign` -1 withdraws a span stored earlier (a row the
   * batch rewrites or deletes), so rollups keep equalling the raw rows.
   */
  add(s: RollupSpan, sign: 1 | -1 = 1): void {
    const dims = [s.serviceName, s.agentName, s.operation, s.model, s.statusCode, s.errorType];
    const dimsKey = dims.join('\u0001');
    const d = Number(s.durationNs);
    const bucket = sketchBucket(d);
    for (const level of this.levels) level.add(s, dims, dimsKey, d, bucket, sign);
    // Same filter as WORK_SPAN_FILTER in rollupLevels.ts.
    if (s.taskType !== null || s.teamSignature !== null || s.recoveryStrategy !== null || s.costUsd !== null || s.inputTokens !== null || s.outputTokens !== null) {
      for (const w of this.work) w.add(s, d, sign);
    }
  }

  /** Minute-level partial rows this batch will append. */
  get size(): number {
    return this.levels[0].measures.size;
  }

  /** Appends the partial rows of every level; call inside the batch's transaction. */
  async flush(conn: DuckDBConnection): Promise<void> {
    for (const level of this.levels) await level.flush(conn);
    for (const w of this.work) await w.flush(conn);
  }
}
