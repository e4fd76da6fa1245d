import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokenCircuitError } from '../errors/BrokenCircuitError.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { classifyError, createErrorClassifier, errorTypeOf } from './classifyError.js';
import { ERROR_CLASSES } from './errorClass.js';
import { parseRetryAfter, retryAfterMs } from './retryAfter.js';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const coded = (code: string) => Object.assign(new Error('x'), { code });
const status = (s: number) => Object.assign(new Error('request failed'), { status: s });

describe('classifyError', () => {
  it.each([
    [named('AbortError'), 'timeout'],
    [named('TimeoutError'), 'timeout'],
    [coded('ETIMEDOUT'), 'timeout'],
    [coded('ECONNRESET'), 'agent_failure'],
    [new TimeoutError(10), 'timeout'],
    [new BrokenCircuitError('a', 'open', 5), 'agent_failure'],
    [status(408), 'timeout'],
    [status(429), 'rate_limit'],
    [status(401), 'auth'],
    [status(403), 'auth'],
    [status(400), 'invalid_input'],
    [status(422), 'invalid_input'],
    [status(500), 'agent_failure'],
    [status(502), 'agent_failure'],
    [status(503), 'performance_degradation'],
    [{ response: { status: 504 } }, 'timeout'],
    // OpenAI SDK shape: APIError with status, code, type
    [Object.assign(new Error('429'), { status: 429, code: 'rate_limit_exceeded', type: 'requests' }), 'rate_limit'],
    [Object.assign(new Error('400'), { status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' }), 'context_loss'],
    // Anthropic SDK shape: status + error: { type, error: { type, message } }
    [Object.assign(new Error('529'), { status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } }), 'performance_degradation'],
    [{ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }, 'performance_degradation'],
    [{ status: 429, error: { type: 'rate_limit_error' } }, 'rate_limit'],
    [new Error('agent lost its context after restart'), 'context_loss'],
    [new Error('Request timed out'), 'timeout'],
    [new Error('tool not supported by this agent'), 'capability_missing'],
    [new Error('boom'), 'unknown'],
    ['string error', 'unknown'],
    [undefined, 'unknown'],
  ])('classifies %o as %s', (err, expected) => {
    expect(classifyError(err)).toBe(expected);
  });

  it('reads nested Anthropic error.error.type when the outer type is generic', () => {
    const err = { status: 500, error: { type: 'error', error: { type: 'overloaded_error' } } };
    // Outer status 500 alone would say agent_failure; the nested provider type is more specific.
    expect(classifyError(err)).toBe('performance_degradation');
  });

  it('follows the cause chain for wrapped errors', () => {
    expect(classifyError(new Error('step failed', { cause: Object.assign(new Error('x'), { status: 429 }) }))).toBe('rate_limit');
  });

  it('lets custom rules take precedence over built-ins', () => {
    const classify = createErrorClassifier({ rules: [(e) => (e instanceof RangeError ? 'invalid_input' : undefined)] });
    expect(classify(new RangeError('timed out'))).toBe('invalid_input');
    expect(classify(new Error('timed out'))).toBe('timeout');
  });

  it('never throws and always returns a known class, whatever is thrown', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(ERROR_CLASSES).toContain(classifyError(value));
        expect(typeof errorTypeOf(value)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds from retryAfter, headers and response.headers', () => {
    expect(retryAfterMs({ retryAfter: 2 }, now)).toBe(2000);
    expect(retryAfterMs({ headers: { 'Retry-After': '3' } }, now)).toBe(3000);
    expect(retryAfterMs({ response: { headers: new Headers({ 'retry-after': '4' }) } }, now)).toBe(4000);
    expect(retryAfterMs({ headers: { 'retry-after-ms': '250' } }, now)).toBe(250);
  });
  it('reads an HTTP date relative to now', () => {
    expect(retryAfterMs({ headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' } }, now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });
  it('returns undefined when there is no usable hint', () => {
    expect(retryAfterMs(new Error('x'), now)).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after': 'soon' } }, now)).toBeUndefined();
  });
});
