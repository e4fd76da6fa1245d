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
   * Reserve capacity the `scale_resources` strategy may move a struggling call into. Kept
   * separate from every domain pool so scaling one domain never eats another's slots.
   */
  spare?: PoolSize;
  tracer?: Tracer;
}

export const SPARE_DOMAIN = '__spare__';

/** Owns one {@link BulkheadPolicy} per domain so a failing domain cannot starve the others. */
export class BulkheadRegistry {
  readonly #pools = new Map<string, BulkheadPolicy>();
  readonly #spare: BulkheadPolicy | undefined;

  constructor(readonly options: BulkheadRegistryOptions = {}) {
    this.#spare = options.spare ? new BulkheadPolicy({ domain: SPARE_DOMAIN, ...options.spare, tracer: options.tracer }) : undefined;
  }

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

  /** Extra capacity for scale_resources, when configured and not full. */
  spare(): BulkheadPolicy | undefined {
    return this.#spare;
  }

  /** Load per domain (running + queued), for dashboards and tests. */
  loads(): Record<string, number> {
    return Object.fromEntries([...this.#pools].map(([d, p]) => [d, p.load]));
  }
}
