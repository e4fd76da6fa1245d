export { installAdapters } from './install.js';
export { AdapterSpanProcessor, fillCost } from './AdapterSpanProcessor.js';
export { instrumentOpenAI } from './openai.js';
export { instrumentAnthropic } from './anthropic.js';
export { instrumentOpenAIAgents, AgentsTraceBridge } from './openaiAgents.js';
export { wrapAiFunction, mapAiSdkAttributes } from './vercelAi.js';
export { AiSdkTelemetry, registerAiSdkTelemetry } from './aiSdkTelemetry.js';
export { hookEventToSpans, runHook } from './claudeCode.js';
export type { HookEvent } from './claudeCode.js';
