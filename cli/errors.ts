import { AgentpulseError } from '../store/errors.js';

/** A failure the CLI reports as one line and an exit code. */
export class CliError extends AgentpulseError {
  readonly exitCode: number;
  /** The command already told the user (e.g. one line per failed sink): exit with the code, print nothing more. */
  readonly reported: boolean;
  constructor(message: string, options: { exitCode?: number; cause?: unknown; code?: string; reported?: boolean } = {}) {
    super(options.code ?? 'CLI_ERROR', message, { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
    this.reported = options.reported ?? false;
  }
}

export function isCliError(err: unknown): err is CliError {
  return err instanceof CliError;
}

export function isAgentpulseError(err: unknown): err is AgentpulseError {
  return err instanceof AgentpulseError;
}
