export type { AgentTask, AgentCallContext, RecoverableAgent } from './Agent.js';
export { AgentRegistry } from './AgentRegistry.js';
