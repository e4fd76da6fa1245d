import { NEVER_ABORTED, type ExecuteOptions, type PolicyContext, type RecoveryPolicy } from './Policy.js';

/**
 * Composes policies outermost-first: `wrap(retry, breaker, timeout)` runs
 * `retry(breaker(timeout(fn)))`. The signal each policy hands inward is passed on, so a
 * timeout's abort reaches the innermost function.
 *
 * @example
 * const policy = wrap(bulkhead, retry, breaker, timeout);
 * await policy.execute(({ signal }) => agent.run(task, { signal }), { signal });
 */
export function wrap(...policies: readonly RecoveryPolicy[]): RecoveryPolicy {
  return {
    execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: ExecuteOptions): Promise<T> {
      const run = (index: number, opts: ExecuteOptions | undefined): Promise<T> => {
        const policy = policies[index];
        if (!policy) {
          try {
            return Promise.resolve(fn({ signal: opts?.signal ?? NEVER_ABORTED }));
          } catch (err) {
            return Promise.reject(err);
          }
        }
        return policy.execute((ctx) => run(index + 1, { signal: ctx.signal }), opts);
      };
      return run(0, options);
    },
  };
}
