/**
 * One or more saga compensations failed. `errors` holds every compensation failure (in the
 * order they ran) and `cause` the failure that triggered compensation, so nothing is lost.
 */
export class CompensationError extends AggregateError {
  readonly code = 'compensation_failed';

  constructor(
    errors: readonly unknown[],
    readonly failedSteps: readonly string[],
    cause: unknown,
  ) {
    super(errors, `saga compensation failed for step(s): ${failedSteps.join(', ')}`, { cause });
    this.name = 'CompensationError';
  }
}
