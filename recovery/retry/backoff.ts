export interface BackoffOptions {
  /** Delay before the first retry. Default 1000 ms. */
  initialDelayMs: number;
  /** Growth per retry. Default 2 (1 s, 2 s, 4 s). */
  multiplier: number;
  /** Cap on a single delay before jitter. Default 30 000 ms. */
  maxDelayMs: number;
  /** Symmetric relative jitter: 0.1 means ±10 %. Default 0.1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 30_000,
  jitter: 0.1,
});

/**
 * Delay before retry number `retry` (1-based): initial × multiplier^(retry−1), capped, then
 * scaled by a uniform factor in [1 − jitter, 1 + jitter). `random` returns [0, 1).
 */
export function exponentialDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** Math.max(0, retry - 1));
  return base * (1 + options.jitter * (2 * random() - 1));
}
