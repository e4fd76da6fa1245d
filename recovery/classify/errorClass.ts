/** The failure classes recovery decisions are made on (seed classes plus four practical ones). */
export const ERROR_CLASSES = [
  'timeout',
  'capability_missing',
  'agent_failure',
  'context_loss',
  'performance_degradation',
  'rate_limit',
  'auth',
  'invalid_input',
  'unknown',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

const classSet: ReadonlySet<string> = new Set(ERROR_CLASSES);

/** Type guard for values read from untyped error objects. */
export function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'string' && classSet.has(value);
}
