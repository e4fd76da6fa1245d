// The price table lives with the store (hook spans are priced as they are ingested); instrumentation re-exports it.
export * from '../store/pricing.js';
