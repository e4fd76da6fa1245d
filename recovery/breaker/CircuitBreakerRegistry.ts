import type { BreakerState } from '../attributes.js';
import type { StateStore } from '../state/StateStore.js';
import { CircuitBreakerPolicy, type CircuitBreakerOptions } from './CircuitBreakerPolicy.js';

export type BreakerDefaults = Omit<CircuitBreakerOptions, 'agent' | 'store'>;

/**
 * One breaker per agent, created on first use and hydrated from the shared store, so every
 * caller of an agent sees the same circuit and a restart remembers open ones.
 */
export class CircuitBreakerRegistry {
  readonly #breakers = new Map<string, Promise<CircuitBreakerPolicy>>();
  readonly #ready = new Map<string, CircuitBreakerPolicy>();

  constructor(
    readonly options: { store?: StateStore; defaults?: BreakerDefaults; perAgent?: Readonly<Record<string, BreakerDefaults>> } = {},
  ) {}

  /** The agent's breaker (created and restored on first call). */
  get(agent: string): Promise<CircuitBreakerPolicy> {
    let breaker = this.#breakers.get(agent);
    if (!breaker) {
      breaker = CircuitBreakerPolicy.create({ ...this.options.defaults, ...this.options.perAgent?.[agent], agent, store: this.options.store }).then((b) => {
        this.#ready.set(agent, b);
        return b;
      });
      // A failed restore must not poison the agent forever.
      breaker.catch(() => this.#breakers.delete(agent));
      this.#breakers.set(agent, breaker);
    }
    return breaker;
  }

  /** The breaker if it has been created, without touching the store. */
  peek(agent: string): CircuitBreakerPolicy | undefined {
    return this.#ready.get(agent);
  }

  /** Current state of every known breaker. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.#ready].map(([agent, b]) => [agent, b.state]));
  }

  /** Waits for all pending state writes. */
  async flush(): Promise<void> {
    await Promise.all([...this.#ready.values()].map((b) => b.flush()));
  }
}
