import { RecoveryError } from './RecoveryError.js';

/** A budget is spent and no cheaper way was given; classed as a rate limit (a spending quota). */
export class BudgetExceededError extends RecoveryError {
  constructor(
    readonly scope: string,
    readonly spentUsd: number,
    readonly budgetUsd: number,
  ) {
    super(`budget "${scope}" is spent ($${spentUsd.toFixed(4)} of $${budgetUsd})`, { code: 'budget_exceeded', errorClass: 'rate_limit' });
  }
}
