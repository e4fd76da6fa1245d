/** A handle that removes a listener. */
export interface Disposable {
  dispose(): void;
}

/**
 * Minimal typed listener list (cockatiel-style `onX(listener) → dispose`). A throwing listener
 * is isolated so observers can never break the call being protected.
 */
export class Listeners<E> {
  readonly #items = new Set<(event: E) => void>();

  add = (listener: (event: E) => void): Disposable => {
    this.#items.add(listener);
    return { dispose: () => void this.#items.delete(listener) };
  };

  emit(event: E): void {
    for (const listener of this.#items) {
      try {
        listener(event);
      } catch {
        // Observers must not affect recovery; there is nowhere better to report this.
      }
    }
  }

  get size(): number {
    return this.#items.size;
  }
}
