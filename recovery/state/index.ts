export type { StateStore } from './StateStore.js';
export { MemoryStateStore } from './MemoryStateStore.js';
export { FileStateStore } from './FileStateStore.js';
export { DuckDbStateStore } from './DuckDbStateStore.js';
