/**
 * Counts failures inside a sliding time window. Only the newest `threshold` timestamps can
 * ever matter for "≥ threshold within windowMs", so memory is O(threshold) per breaker no
 * matter how many failures arrive.
 */
export class SlidingWindowCounter {
  #times: number[] = [];

  constructor(
    readonly threshold: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be a positive integer, got ${threshold}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
  }

  /** Records a failure at `now`; returns true when the threshold is reached within the window. */
  record(now: number): boolean {
    this.#times.push(now);
    if (this.#times.length > this.threshold) this.#times.shift();
    return this.count(now) >= this.threshold;
  }

  /** Failures within (now − windowMs, now]. */
  count(now: number): number {
    const from = now - this.windowMs;
    let n = 0;
    for (const t of this.#times) if (t > from) n++;
    return n;
  }

  reset(): void {
    this.#times = [];
  }

  toJSON(): number[] {
    return [...this.#times];
  }

  restore(times: readonly number[]): void {
    this.#times = times.slice(-this.threshold);
  }
}
