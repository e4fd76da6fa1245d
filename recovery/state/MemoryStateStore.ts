import type { StateStore } from './StateStore.js';

/**
 * In-process store. Values are deep-copied through `structuredClone` so callers cannot
 * mutate persisted state by accident (the same behaviour as a real serialising store).
 */
export class MemoryStateStore implements StateStore {
  readonly #data = new Map<string, unknown>();

  async get(key: string): Promise<unknown | undefined> {
    const value = this.#data.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#data.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.#data.delete(key);
  }

  /** Number of keys held; for tests and memory checks. */
  get size(): number {
    return this.#data.size;
  }
}
