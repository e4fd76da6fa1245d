import { AsyncLocalStorage } from 'node:async_hooks';
import { patchMethod } from './shared.js';

/**
 * AI SDK 7's `ToolLoopAgent` has an `id`, but its telemetry events do not carry it (only
 * `telemetry.functionId` reaches them). The agent's own `generate`/`stream` run inside a scope
 * holding the id; the telemetry integration reads it when the call starts, and tool executions
 * leave the scope so a plain `generateText` inside a tool is not taken for the agent.
 */
const agentScope = new AsyncLocalStorage<string | undefined>();

/** The id of the `ToolLoopAgent` whose call is starting here, if any. */
export function currentAiAgent(): string | undefined {
  return agentScope.getStore();
}

/** Runs `fn` outside any agent's scope (tool executions). */
export function outsideAiAgent<T>(fn: () => T): T {
  return agentScope.getStore() === undefined ? fn() : agentScope.run(undefined, fn);
}

/** True for the namespace of AI SDK 7 or later (telemetry through registered integrations). */
export function isAiSdk7(mod: unknown): boolean {
  return !!mod && typeof (mod as { registerTelemetry?: unknown }).registerTelemetry === 'function';
}

/** Scopes `ToolLoopAgent#generate` and `#stream` of one loaded copy of `ai` ≥ 7 to the agent's id. */
export function instrumentAiAgents(mod: unknown): boolean {
  const proto = (mod as { ToolLoopAgent?: { prototype?: object } } | null)?.ToolLoopAgent?.prototype;
  if (!proto) return false;
  const scoped = (original: (...args: unknown[]) => unknown) =>
    function (this: { id?: unknown }, ...args: unknown[]): unknown {
      const id = typeof this?.id === 'string' && this.id.length > 0 ? this.id : undefined;
      return agentScope.run(id, () => original.apply(this, args));
    };
  const a = patchMethod(proto, 'generate', scoped);
  const b = patchMethod(proto, 'stream', scoped);
  return a || b;
}
