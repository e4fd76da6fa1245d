export { FallbackChain } from './FallbackChain.js';
export type { AgentCall, DecomposeHook, FallbackChainOptions } from './FallbackChain.js';
