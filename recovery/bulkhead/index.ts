export { BulkheadPolicy } from './BulkheadPolicy.js';
export type { BulkheadOptions } from './BulkheadPolicy.js';
export { BulkheadRegistry, BURST_SUFFIX } from './BulkheadRegistry.js';
export type { BulkheadRegistryOptions, PoolSize } from './BulkheadRegistry.js';
