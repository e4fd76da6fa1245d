import { AgentpulseError } from '../../store/errors.js';

/** A promotion, rejection or demotion that the rules do not allow; `reasons` says why. */
export class PromotionRefusedError extends AgentpulseError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super('PROMOTION_REFUSED', `refused: ${reasons.join('; ')}`);
    this.reasons = reasons;
  }
}

export function isPromotionRefused(err: unknown): err is PromotionRefusedError {
  return err instanceof PromotionRefusedError;
}

/** Invalid input to a learning function (bad feedback, unknown experiment, …). */
export class LearningInputError extends AgentpulseError {
  constructor(message: string) {
    super('LEARNING_INPUT', message);
  }
}
