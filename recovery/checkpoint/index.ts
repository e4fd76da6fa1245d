export { CheckpointStore, checkpointKey } from './CheckpointStore.js';
export type { Checkpoint } from './CheckpointStore.js';
