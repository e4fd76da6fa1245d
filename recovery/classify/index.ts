export { ERROR_CLASSES, isErrorClass } from './errorClass.js';
export type { ErrorClass } from './errorClass.js';
export { classifyError, createErrorClassifier, errorTypeOf, BUILTIN_RULES } from './classifyError.js';
export type { ClassifierRule, ErrorClassifier } from './classifyError.js';
export { retryAfterMs, parseRetryAfter } from './retryAfter.js';
