/**
 * Minimal key/value persistence for breaker state and checkpoints. Values must be
 * JSON-serialisable; implementations may copy them.
 */
export interface StateStore {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}
