export { RecoveryEpisode, recordDecision, recoveryTracer, TRACER_NAME } from './RecoveryEpisode.js';
export type { EpisodeStart } from './RecoveryEpisode.js';
export { runEpisode } from './runEpisode.js';
