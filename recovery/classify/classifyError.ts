import { isErrorClass, type ErrorClass } from './errorClass.js';

/** A classification rule: return a class to decide, undefined to pass to the next rule. */
export type ClassifierRule = (err: unknown) => ErrorClass | undefined;
/** Maps any thrown value to an {@link ErrorClass}. */
export type ErrorClassifier = (err: unknown) => ErrorClass;

const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError', 'TaskCancelledError']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
  'timeout',
]);
const NETWORK_FAILURE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Provider error `type`/`code` values (OpenAI, Anthropic, Google, Bedrock-style) → class. */
const PROVIDER_CODES: Readonly<Record<string, ErrorClass>> = {
  // OpenAI
  rate_limit_exceeded: 'rate_limit',
  insufficient_quota: 'rate_limit',
  context_length_exceeded: 'context_loss',
  string_above_max_length: 'invalid_input',
  invalid_request_error: 'invalid_input',
  invalid_api_key: 'auth',
  model_not_found: 'capability_missing',
  unsupported_parameter: 'capability_missing',
  unsupported_value: 'capability_missing',
  server_error: 'agent_failure',
  // Anthropic
  rate_limit_error: 'rate_limit',
  overloaded_error: 'performance_degradation',
  api_error: 'agent_failure',
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'capability_missing',
  request_too_large: 'invalid_input',
  // Google / gRPC-style status names
  RESOURCE_EXHAUSTED: 'rate_limit',
  DEADLINE_EXCEEDED: 'timeout',
  UNAVAILABLE: 'performance_degradation',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  INVALID_ARGUMENT: 'invalid_input',
  UNIMPLEMENTED: 'capability_missing',
  // Bedrock
  ThrottlingException: 'rate_limit',
  ModelTimeoutException: 'timeout',
  ServiceUnavailableException: 'performance_degradation',
  ValidationException: 'invalid_input',
  AccessDeniedException: 'auth',
};

const MESSAGE_RULES: ReadonlyArray<readonly [RegExp, ErrorClass]> = [
  [/\btimed? ?out\b|\btimeout\b|deadline exceeded/i, 'timeout'],
  [/rate.?limit|too many requests|quota/i, 'rate_limit'],
  [/context (window|length)|maximum context|context (was )?lost|lost (its |the )?context|session (expired|lost)/i, 'context_loss'],
  [/capabilit|not supported|unsupported|no (agent|tool) (can|for)/i, 'capability_missing'],
  [/overload|degraded|too slow|latency|capacity/i, 'performance_degradation'],
  [/unauthori[sz]ed|forbidden|api key|authentication|permission denied/i, 'auth'],
  [/invalid|validation|malformed|bad request/i, 'invalid_input'],
];

/** Built-in rules in precedence order: explicit class, names/codes, provider shapes, HTTP status, message. */
export const BUILTIN_RULES: readonly ClassifierRule[] = [explicitClass, byNameOrCode, byProviderShape, byHttpStatus, byMessage];

/**
 * Builds a classifier. Custom rules run before the built-ins; the `cause` chain is followed
 * (depth ≤ 3) when a wrapper error is otherwise unknown.
 *
 * @example
 * const classify = createErrorClassifier({ rules: [(e) => (e instanceof MyQuotaError ? 'rate_limit' : undefined)] });
 */
export function createErrorClassifier(options: { rules?: readonly ClassifierRule[]; builtins?: boolean } = {}): ErrorClassifier {
  const rules = [...(options.rules ?? []), ...(options.builtins === false ? [] : BUILTIN_RULES)];
  const classify = (err: unknown, depth: number): ErrorClass => {
    for (const rule of rules) {
      const cls = rule(err);
      if (cls !== undefined) return cls;
    }
    const cause = asRecord(err)?.cause;
    return cause !== undefined && depth < 3 ? classify(cause, depth + 1) : 'unknown';
  };
  return (err) => classify(err, 0);
}

/** The default classifier (built-in rules only). */
export const classifyError: ErrorClassifier = createErrorClassifier();

/** Low-cardinality `error.type` value: provider code/type, errno code, HTTP status, or the error's name. */
export function errorTypeOf(err: unknown): string {
  const e = asRecord(err);
  if (!e) return typeof err;
  const nested = asRecord(e.error);
  for (const v of [nested?.code, nested?.type, e.code, e.type]) {
    if (typeof v === 'string' && v.length > 0 && v.length <= 64) return v;
  }
  // OTel HTTP semconv uses the status code as error.type when nothing more specific exists.
  const status = [e.status, e.statusCode, asRecord(e.response)?.status].find((v): v is number => typeof v === 'number');
  if (status !== undefined && (e.name === 'Error' || e.name === undefined)) return String(status);
  return typeof e.name === 'string' && e.name.length > 0 ? e.name : 'Error';
}

function explicitClass(err: unknown): ErrorClass | undefined {
  const cls = asRecord(err)?.errorClass;
  return isErrorClass(cls) ? cls : undefined;
}

function byNameOrCode(err: unknown): ErrorClass | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  if (typeof e.name === 'string' && TIMEOUT_NAMES.has(e.name)) return 'timeout';
  if (typeof e.code === 'string') {
    if (TIMEOUT_CODES.has(e.code)) return 'timeout';
    if (NETWORK_FAILURE_CODES.has(e.code)) return 'agent_failure';
  }
  return undefined;
}

function byProviderShape(err: unknown): ErrorClass | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  const nested = asRecord(e.error);
  // Anthropic SDK errors carry the body: { type: 'error', error: { type: 'overloaded_error' } }.
  const inner = asRecord(nested?.error);
  // Most specific first: a 400 with code context_length_exceeded is context loss, not bad input.
  for (const v of [inner?.code, inner?.type, nested?.code, e.code, nested?.type, e.type, e.name]) {
    if (typeof v === 'string' && Object.hasOwn(PROVIDER_CODES, v)) return PROVIDER_CODES[v];
  }
  return undefined;
}

function byHttpStatus(err: unknown): ErrorClass | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  const status = [e.status, e.statusCode, asRecord(e.response)?.status, asRecord(e.response)?.statusCode].find(
    (v): v is number => typeof v === 'number',
  );
  if (status === undefined) return undefined;
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 501) return 'capability_missing';
  if (status === 400 || status === 413 || status === 422) return 'invalid_input';
  if (status === 503 || status === 529) return 'performance_degradation';
  if (status >= 500 && status <= 599) return 'agent_failure';
  return undefined;
}

function byMessage(err: unknown): ErrorClass | undefined {
  const message = typeof err === 'string' ? err : asRecord(err)?.message;
  if (typeof message !== 'string') return undefined;
  for (const [re, cls] of MESSAGE_RULES) if (re.test(message)) return cls;
  return undefined;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}
