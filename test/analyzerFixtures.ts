import { createRng } from '../analyzer/stats/index.js';
import type { Rng } from '../analyzer/stats/index.js';
import type { DuckDbStore } from '../store/DuckDbStore.js';
import type { SpanRecord } from '../store/types.js';

export const HOUR_NS = 3_600_000_000_000n;
export const DAY_NS = 24n * HOUR_NS;

/** A fixed "now" (a whole hour) so reports and snapshots are reproducible. */
export const FIXED_NOW = new Date('2025-03-10T12:00:00.000Z');
export const FIXED_NOW_NS = BigInt(FIXED_NOW.getTime()) * 1_000_000n;

export interface ScopeSpec {
  agent: string;
  operation: string;
  model: string;
  /** Median latency in ms (log-normal with sigma `sigma`). */
  medianMs: number;
  sigma?: number;
  errorRate: number;
  /** Spans per hour. */
  rate: number;
  /** Latency multiplier at time t (ns); default 1. */
  latencyFactor?: (tNs: bigint) => number;
  /** Error rate at time t; default errorRate. */
  errorRateAt?: (tNs: bigint) => number;
  queueDepth?: number;
  team?: string[];
}

let counter = 0;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Deterministic spans for the scopes over [fromNs, toNs), `rate` per hour each, evenly jittered. */
export function generateSpans(scopes: readonly ScopeSpec[], fromNs: bigint, toNs: bigint, seed = 1): SpanRecord[] {
  const rng: Rng = createRng(seed);
  const out: SpanRecord[] = [];
  for (const s of scopes) {
    const hours = Number((toNs - fromNs) / HOUR_NS);
    for (let h = 0; h < hours; h++) {
      for (let k = 0; k < s.rate; k++) {
        const start = fromNs + BigInt(h) * HOUR_NS + BigInt(Math.floor(rng.next() * 3_599_000)) * 1_000_000n;
        const factor = s.latencyFactor?.(start) ?? 1;
        const ms = s.medianMs * Math.exp((s.sigma ?? 0.3) * rng.normal()) * factor;
        const err = rng.next() < (s.errorRateAt?.(start) ?? s.errorRate);
        counter++;
        const attributes: SpanRecord['attributes'] = {
          'gen_ai.operation.name': s.operation,
          'gen_ai.agent.name': s.agent,
          'gen_ai.request.model': s.model,
          'gen_ai.usage.input_tokens': 100 + (counter % 50),
          'gen_ai.usage.output_tokens': 20 + (counter % 10),
          'agentpulse.cost.usd': 0.001,
          'agentpulse.context.size': 1000 + (counter % 500),
          'agentpulse.queue.depth': s.queueDepth ?? counter % 5,
        };
        if (err) attributes['error.type'] = counter % 3 === 0 ? 'timeout' : 'rate_limit';
        if (s.team) attributes['agentpulse.team.members'] = s.team;
        out.push({
          traceId: hex(counter, 32),
          spanId: hex(counter, 16),
          parentSpanId: null,
          name: `${s.operation} ${s.agent}`,
          kind: 'internal',
          startNs: start,
          endNs: start + BigInt(Math.max(1, Math.round(ms * 1e6))),
          statusCode: err ? 'ERROR' : 'OK',
          statusMessage: null,
          attributes,
          resource: { 'service.name': 'fleet' },
          scopeName: 'test',
          scopeVersion: null,
          events: [],
          links: [],
        });
      }
    }
  }
  return out;
}

/**
 * Writes spans in batches of 20k, in start order: the store's duplicate probe only looks at
 * stored spans inside a batch's time range, so time-ordered batches skip it.
 */
export async function writeAll(store: DuckDbStore, spans: readonly SpanRecord[]): Promise<void> {
  const sorted = [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 20_000) await store.writeBatch(sorted.slice(i, i + 20_000));
}
