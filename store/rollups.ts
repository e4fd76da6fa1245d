import type { DuckDBConnection } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';
import { sketchBucket } from './sketch.js';

const NS_PER_MINUTE = 60_000_000_000n;

interface Partial {
  minuteUs: bigint;
  dims: (string | null)[];
  count: number;
  errors: number;
  durSum: number;
  durMax: bigint;
  inTok: number;
  outTok: number;
  cost: number;
  buckets: Map<number, number>;
}

/**
 * Aggregates one write batch into per-minute partial rollups in memory, then appends
 * them. Readers sum partials, so batches never read-modify-write the rollup tables.
 */
export class RollupAccumulator {
  private readonly partials = new Map<string, Partial>();

  add(s: NormalizedSpan): void {
    const minuteNs = s.startNs - (s.startNs % NS_PER_MINUTE);
    const dims = [s.serviceName, s.agentName, s.operation, s.model, s.statusCode, s.errorType];
    const key = `${minuteNs}\u0001${dims.join('\u0001')}`;
    let p = this.partials.get(key);
    if (!p) {
      p = { minuteUs: minuteNs / 1000n, dims, count: 0, errors: 0, durSum: 0, durMax: 0n, inTok: 0, outTok: 0, cost: 0, buckets: new Map() };
      this.partials.set(key, p);
    }
    p.count++;
    if (s.statusCode === 'ERROR') p.errors++;
    const d = Number(s.durationNs);
    p.durSum += d;
    if (s.durationNs > p.durMax) p.durMax = s.durationNs;
    p.inTok += s.inputTokens ?? 0;
    p.outTok += s.outputTokens ?? 0;
    p.cost += s.costUsd ?? 0;
    const b = sketchBucket(d);
    p.buckets.set(b, (p.buckets.get(b) ?? 0) + 1);
  }

  get size(): number {
    return this.partials.size;
  }

  /** Appends the partial rows; call inside the batch's transaction. */
  async flush(conn: DuckDBConnection): Promise<void> {
    if (this.partials.size === 0) return;
    const minute = await conn.createAppender('rollup_minute');
    const sketch = await conn.createAppender('rollup_sketch');
    try {
      for (const p of this.partials.values()) {
        const ts = timestampValue(p.minuteUs);
        minute.appendTimestamp(ts);
        for (const d of p.dims) d === null ? minute.appendNull() : minute.appendVarchar(d);
        minute.appendBigInt(BigInt(p.count));
        minute.appendBigInt(BigInt(p.errors));
        minute.appendDouble(p.durSum);
        minute.appendBigInt(p.durMax);
        minute.appendBigInt(BigInt(Math.trunc(p.inTok)));
        minute.appendBigInt(BigInt(Math.trunc(p.outTok)));
        minute.appendDouble(p.cost);
        minute.endRow();
        for (const [bucket, n] of p.buckets) {
          sketch.appendTimestamp(ts);
          for (const d of p.dims) d === null ? sketch.appendNull() : sketch.appendVarchar(d);
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
    this.partials.clear();
  }
}
