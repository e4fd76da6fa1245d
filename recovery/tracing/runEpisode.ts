import { EscalatedError } from '../errors/EscalatedError.js';
import { StrategyNotApplicableError } from '../errors/StrategyNotApplicableError.js';
import { RecoveryEpisode, type EpisodeStart } from './RecoveryEpisode.js';

/**
 * Runs one recovery strategy as one span: resolves → `recovered`; throws
 * EscalatedError → `escalated`; StrategyNotApplicableError → `rejected`; anything else → `failed`.
 */
export async function runEpisode<T>(start: EpisodeStart, fn: (episode: RecoveryEpisode) => Promise<T>): Promise<T> {
  const episode = new RecoveryEpisode(start);
  try {
    const value = await episode.with(() => fn(episode));
    episode.finish('recovered');
    return value;
  } catch (err) {
    const outcome = err instanceof StrategyNotApplicableError ? 'rejected' : err instanceof EscalatedError ? 'escalated' : 'failed';
    episode.finish(outcome, err instanceof StrategyNotApplicableError && err.cause !== undefined ? err.cause : err);
    throw err;
  }
}
