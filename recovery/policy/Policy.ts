import { setMaxListeners } from 'node:events';

/** What every policy passes to the function it runs. */
export interface PolicyContext {
  /** Aborted when the caller cancels or a timeout policy fires; pass it to I/O. */
  signal: AbortSignal;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
}

/** The one interface all recovery policies implement; compose them with {@link wrap}. */
export interface RecoveryPolicy {
  execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: ExecuteOptions): Promise<T>;
}

/** A signal that never aborts, shared to avoid allocating one per call. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
// Listeners on it are removed after each call but many calls run at once; it never fires,
// so the leak warning would be a false alarm.
setMaxListeners(0, NEVER_ABORTED);
