const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * Whether the store is taking writes. After a failed write it is unhealthy until `retryAt`, and
 * each further failure doubles the wait (500 ms up to 30 s); a successful write resets both.
 * @example
 * health.failed(); setTimeout(retry, health.backoffMs); // … later: health.succeeded()
 */
export class StoreHealth {
  private retryAtMs = 0;
  private backoff = FIRST_BACKOFF_MS;

  get healthy(): boolean {
    return this.retryAtMs === 0;
  }

  /** Epoch ms before which writes pause (0 while healthy). */
  get retryAt(): number {
    return this.retryAtMs;
  }

  /** The wait after the next failure (already doubled after the last one). */
  get backoffMs(): number {
    return this.backoff;
  }

  succeeded(): void {
    this.retryAtMs = 0;
    this.backoff = FIRST_BACKOFF_MS;
  }

  failed(): void {
    this.retryAtMs = Date.now() + this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  /** The Retry-After to give clients: at least `minSeconds`, and no sooner than the backoff. */
  retryAfterSeconds(minSeconds: number): number {
    return Math.max(minSeconds, Math.ceil(this.backoff / 1000));
  }
}
