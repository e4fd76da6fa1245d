import type { Tracer } from '@opentelemetry/api';
import { BulkheadPolicy } from './BulkheadPolicy.js';

export interface PoolSize {
  maxConcurrent: number;
  maxQueue?: number;
}

export interface BulkheadRegistryOptions {
  /** Pools by domain. */
  pools?: Readonly<Record<string, PoolSize>>;
  /** Size for domains not listed (each still gets its own pool). Default 10 running, 20 queued. */
  defaultPool?: PoolSize;
  /**
   * Extra capacity per domain that the `scale_resources` strategy may move a struggling call
   * into (raising that domain's effective pool size). Each domain gets its own burst pool, so
   * a domain that floods its burst capacity cannot take any from another domain.
   */
  burst?: PoolSize;
  tracer?: Tracer;
}

/** Burst pools are named `<domain>+burst` in spans and errors. */
export const BURST_SUFFIX = '+burst';

/** Owns one {@link BulkheadPolicy} per domain so a failing domain cannot starve the others. */
export class BulkheadRegistry {
  readonly #pools = new Map<string, BulkheadPolicy>();
  readonly #burst = new Map<string, BulkheadPolicy>();

  constructor(readonly options: BulkheadRegistryOptions = {}) {}

  /** The domain's pool, created on first use. */
  pool(domain: string): BulkheadPolicy {
    let pool = this.#pools.get(domain);
    if (!pool) {
      const size = this.options.pools?.[domain] ?? this.options.defaultPool ?? { maxConcurrent: 10, maxQueue: 20 };
      pool = new BulkheadPolicy({ domain, ...size, tracer: this.options.tracer });
      this.#pools.set(domain, pool);
    }
    return pool;
  }

  /** The domain's burst pool for scale_resources, or undefined when none is configured. */
  burst(domain: string): BulkheadPolicy | undefined {
    if (!this.options.burst) return undefined;
    let pool = this.#burst.get(domain);
    if (!pool) {
      pool = new BulkheadPolicy({ domain: `${domain}${BURST_SUFFIX}`, ...this.options.burst, tracer: this.options.tracer });
      this.#burst.set(domain, pool);
    }
    return pool;
  }

  /** Load per pool (running + queued), burst pools included, for dashboards and tests. */
  loads(): Record<string, number> {
    return Object.fromEntries([...this.#pools, ...this.#burst].map(([d, p]) => [p.domain, p.load]));
  }
}
