import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';
import { sketchBucket } from './sketch.js';

const NS_PER_MINUTE = 60_000_000_000n;
const NS_PER_HOUR = 60n * NS_PER_MINUTE;
const NS_PER_DAY = 24n * NS_PER_HOUR;

type Dims = (string | null)[];

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
  ) {}

  add(s: NormalizedSpan, dims: Dims, dimsKey: string, durationNs: number, bucket: number): void {
    const t = s.startNs - (s.startNs % this.unitNs);
    const key = `${t}\u0001${dimsKey}`;
    let m = this.measures.get(key);
    if (!m) {
      m = { tsUs: t / 1000n, dims, count: 0, errors: 0, durSum: 0, durMax: 0n, inTok: 0, outTok: 0, cost: 0 };
      this.measures.set(key, m);
    }
    m.count++;
    if (s.statusCode === 'ERROR') m.errors++;
    m.durSum += durationNs;
    if (s.durationNs > m.durMax) m.durMax = s.durationNs;
    m.inTok += s.inputTokens ?? 0;
    m.outTok += s.outputTokens ?? 0;
    m.cost += s.costUsd ?? 0;

    const sdims = this.coarseSketch ? [null, s.agentName, s.operation, s.model, null, null] : dims;
    const skey = this.coarseSketch ? `${t}\u0001${s.agentName}\u0001${s.operation}\u0001${s.model}` : key;
    let k = this.sketches.get(skey);
    if (!k) {
      k = { tsUs: t / 1000n, dims: sdims, buckets: new Map() };
      this.sketches.set(skey, k);
    }
    k.buckets.set(bucket, (k.buckets.get(bucket) ?? 0) + 1);
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

/**
 * Aggregates one write batch into partial rollups at minute, hour and day resolution, then
 * appends them. Readers sum partials, so batches never read-modify-write the rollup tables.
 */
export class RollupAccumulator {
  private readonly levels = [
    new LevelAccumulator(NS_PER_MINUTE, 'rollup_minute', 'rollup_sketch', false),
    new LevelAccumulator(NS_PER_HOUR, 'rollup_minute_1h', 'rollup_sketch_1h', true),
    new LevelAccumulator(NS_PER_DAY, 'rollup_minute_1d', 'rollup_sketch_1d', true),
  ];

  add(s: NormalizedSpan): void {
    const dims = [s.serviceName, s.agentName, s.operation, s.model, s.statusCode, s.errorType];
    const dimsKey = dims.join('\u0001');
    const d = Number(s.durationNs);
    const bucket = sketchBucket(d);
    for (const level of this.levels) level.add(s, dims, dimsKey, d, bucket);
  }

  /** Minute-level partial rows this batch will append. */
  get size(): number {
    return this.levels[0].measures.size;
  }

  /** Appends the partial rows of every level; call inside the batch's transaction. */
  async flush(conn: DuckDBConnection): Promise<void> {
    for (const level of this.levels) await level.flush(conn);
  }
}
