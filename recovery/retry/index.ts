export { RetryPolicy, DEFAULT_RETRYABLE } from './RetryPolicy.js';
export type { RetryOptions, RetryEvent } from './RetryPolicy.js';
export { exponentialDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
