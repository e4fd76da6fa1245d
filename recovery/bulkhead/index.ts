export { BulkheadPolicy } from './BulkheadPolicy.js';
export type { BulkheadOptions } from './BulkheadPolicy.js';
export { BulkheadRegistry, SPARE_DOMAIN } from './BulkheadRegistry.js';
export type { BulkheadRegistryOptions, PoolSize } from './BulkheadRegistry.js';
