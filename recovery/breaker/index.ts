export { CircuitBreakerPolicy, breakerKey } from './CircuitBreakerPolicy.js';
export type { CircuitBreakerOptions, BreakerStateChange, BreakerSnapshot } from './CircuitBreakerPolicy.js';
export { CircuitBreakerRegistry } from './CircuitBreakerRegistry.js';
export type { BreakerDefaults } from './CircuitBreakerRegistry.js';
export { SlidingWindowCounter } from './SlidingWindowCounter.js';
