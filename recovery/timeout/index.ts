export { TimeoutPolicy } from './TimeoutPolicy.js';
export type { TimeoutOptions, TimeoutMode } from './TimeoutPolicy.js';
