import type { Tracer } from '@opentelemetry/api';
import { BulkheadPolicy as CockatielBulkhead, isBulkheadRejectedError } from 'cockatiel';
import { ATTR_RECOVERY_DOMAIN } from '../attributes.js';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { Listeners } from '../policy/Listeners.js';
import type { ExecuteOptions, PolicyContext, RecoveryPolicy } from '../policy/Policy.js';
import { recordDecision } from '../tracing/RecoveryEpisode.js';

export interface BulkheadOptions {
  /** Pool (domain) name, e.g. "search" or "code". */
  domain: string;
  /** Calls allowed to run at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond that callers are rejected at once. Default 0. */
  maxQueue?: number;
  tracer?: Tracer;
}

/**
 * Per-domain concurrency pool with a bounded queue. The slot/queue accounting is cockatiel's
 * `BulkheadPolicy` (exact semantics, well tested); this wrapper adds the domain, our error
 * type and a `recovery bulkhead` span (outcome rejected) for every rejection.
 *
 * @example
 * const search = new BulkheadPolicy({ domain: 'search', maxConcurrent: 8, maxQueue: 32 });
 */
export class BulkheadPolicy implements RecoveryPolicy {
  readonly domain: string;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly #inner: CockatielBulkhead;
  readonly #tracer: Tracer | undefined;
  readonly #onReject = new Listeners<{ domain: string }>();
  /** Fires when a call is rejected because pool and queue are full. */
  readonly onReject = this.#onReject.add;

  constructor(options: BulkheadOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) throw new RangeError(`maxConcurrent must be ≥ 1, got ${options.maxConcurrent}`);
    this.domain = options.domain;
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue ?? 0;
    this.#inner = new CockatielBulkhead(this.maxConcurrent, this.maxQueue);
    this.#tracer = options.tracer;
  }

  /** Free execution slots right now. */
  get executionSlots(): number {
    return this.#inner.executionSlots;
  }

  /** Free queue slots right now. */
  get queueSlots(): number {
    return this.#inner.queueSlots;
  }

  /** Running + queued calls, a load measure for picking a less-loaded pool. */
  get load(): number {
    return this.maxConcurrent - this.executionSlots + (this.maxQueue - this.queueSlots);
  }

  async execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: ExecuteOptions): Promise<T> {
    try {
      return await this.#inner.execute(({ signal }) => fn({ signal }), options?.signal);
    } catch (err) {
      if (!isBulkheadRejectedError(err)) throw err;
      const rejected = new BulkheadRejectedError(this.domain, this.maxConcurrent, this.maxQueue, err);
      this.#onReject.emit({ domain: this.domain });
      recordDecision({
        strategy: 'bulkhead',
        tracer: this.#tracer,
        errorClass: 'performance_degradation',
        error: rejected,
        outcome: 'rejected',
        attributes: { [ATTR_RECOVERY_DOMAIN]: this.domain },
      });
      throw rejected;
    }
  }
}
