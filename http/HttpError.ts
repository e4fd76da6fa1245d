import { AgentpulseError } from '../store/errors.js';

/** An HTTP failure with the status to answer; `headers` carry e.g. Retry-After. */
export class HttpError extends AgentpulseError {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  constructor(statusCode: number, message: string, options?: { cause?: unknown; headers?: Record<string, string>; code?: string }) {
    super(options?.code ?? `HTTP_${statusCode}`, message, { cause: options?.cause });
    this.statusCode = statusCode;
    this.headers = options?.headers ?? {};
  }
}

export function isHttpError(err: unknown): err is HttpError {
  return err instanceof HttpError;
}
