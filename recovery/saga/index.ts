export { Saga } from './Saga.js';
export type { SagaStep, SagaOptions } from './Saga.js';
