export type { PolicyContext, ExecuteOptions, RecoveryPolicy } from './Policy.js';
export { NEVER_ABORTED } from './Policy.js';
export { wrap } from './wrap.js';
export { sleep, abortReason } from './abortable.js';
export { Listeners } from './Listeners.js';
export type { Disposable } from './Listeners.js';
