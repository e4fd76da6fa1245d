import Module, { register } from 'node:module';
import { isAiSdk7 } from './aiSdkAgents.js';
import { registerAiSdkTelemetry } from './aiSdkTelemetry.js';
import { isCallbackManagerModule, isChatModelsModule } from './langchain.js';
import { syncHooks } from './loaderHooks.js';
import type { SyncHooks } from './loaderHooks.js';
import { __agentpulseAdapters, enableOnly, instrumentModule, isEnabled } from './registry.js';
import type { AdapterId } from './registry.js';

/** CommonJS package ids → adapter (ESM imports are handled by the loader hook). */
const CJS_TARGETS: Record<string, AdapterId> = {
  openai: 'openai',
  '@anthropic-ai/sdk': 'anthropic',
  '@google/genai': 'google-genai',
  '@openai/agents-core': 'openai-agents',
  ai: 'ai',
  '@langchain/core/callbacks/manager': 'langchain',
  '@langchain/core/language_models/chat_models': 'langchain',
};

/**
 * Modules required from inside a package (relative paths): MCP's Protocol, from its own client and
 * server; LangChain's CallbackManager and BaseChatModel, from the rest of `@langchain/core`.
 */
function cjsInternal(request: string, parent: unknown): AdapterId | undefined {
  const mcp = request.endsWith('/shared/protocol.js');
  const langchain = request.endsWith('callbacks/manager.cjs') || request === './manager.cjs' || request.endsWith('language_models/chat_models.cjs') || request === './chat_models.cjs';
  if (!mcp && !langchain) return undefined;
  const from = (parent as { filename?: string } | null)?.filename ?? '';
  if (mcp) return /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]cjs[\\/]/.test(from) ? 'mcp' : undefined;
  return /[\\/]@langchain[\\/]core[\\/]dist[\\/]/.test(from) ? 'langchain' : undefined;
}

const AI_FUNCTIONS = ['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany'];

let installed = false;

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;

/** `require('ai')` exports are getter-only, so callers get a copy with the telemetry wrappers. */
function wrapAiExports(exports: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...exports };
  for (const fn of AI_FUNCTIONS) {
    if (typeof copy[fn] === 'function') copy[fn] = __agentpulseAdapters.wrapAi(copy[fn] as (...a: never[]) => unknown);
  }
  return copy;
}

function hookRequire(): void {
  const M = Module as unknown as { _load: LoadFn };
  const original = M._load;
  const aiCopies = new WeakMap<object, Record<string, unknown>>();
  const seen = new WeakSet<object>();
  M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    const exports = original.call(this, request, parent, isMain);
    const id = CJS_TARGETS[request] ?? cjsInternal(request, parent);
    if (!id || !exports || (typeof exports !== 'object' && typeof exports !== 'function')) return exports;
    if (!isEnabled(id)) return exports;
    if (id === 'ai' && !isAiSdk7(exports)) {
      let copy = aiCopies.get(exports);
      if (!copy) aiCopies.set(exports, (copy = wrapAiExports(exports as Record<string, unknown>)));
      return copy;
    }
    // A module required inside a require cycle is still half-built: wait for the complete one.
    if (id === 'langchain' && !isCallbackManagerModule(exports) && !isChatModelsModule(exports)) return exports;
    if (!seen.has(exports)) {
      seen.add(exports);
      instrumentModule(id, exports);
    }
    return exports;
  };
}

/**
 * Installs the framework adapters for this process: a loader hook for ESM imports of
 * `openai`, `@anthropic-ai/sdk`, `@google/genai`, `ai`, `@openai/agents(-core)`, `@modelcontextprotocol/sdk`, `@langchain/core` and `@anthropic-ai/claude-agent-sdk` (ESM only), a `require` hook for
 * their CommonJS builds, and AI SDK 7's telemetry integration (a global list `ai` reads at
 * each call). Packages are instrumented when the app loads them, never before.
 * Idempotent; failures are reported on stderr and leave the app untouched.
 */
export function installAdapters(): void {
  if (installed) return;
  installed = true;
  const setting = (process.env.AGENTPULSE_ADAPTERS ?? '').trim().toLowerCase();
  if (['false', '0', 'off', 'none'].includes(setting)) return;
  if (setting && !['true', '1', 'on', 'all'].includes(setting)) enableOnly(setting.split(',').map((x) => x.trim()) as AdapterId[]);
  // @anthropic-ai/sdk ≥ 1.x emits its own spans when an OTel provider exists; ours replace them
  // (tool_use names, recovery-aligned error.type), so switch the built-in ones off unless the user chose.
  if (isEnabled('anthropic') && process.env.ANTHROPIC_OPEN_TELEMETRY === undefined) process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';
  try {
    if (isEnabled('ai')) registerAiSdkTelemetry();
  } catch (err) {
    process.stderr.write(`agentpulse: AI SDK 7 telemetry unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  try {
    const registryUrl = new URL('./registry.js', import.meta.url).href;
    // Synchronous in-thread hooks where Node has them (module.register is deprecated there, DEP0205).
    const { registerHooks } = Module as unknown as { registerHooks?: (hooks: SyncHooks) => unknown };
    if (typeof registerHooks === 'function') registerHooks(syncHooks(registryUrl));
    else register(new URL('./loaderHooks.js', import.meta.url), { parentURL: import.meta.url, data: { registryUrl } });
  } catch (err) {
    process.stderr.write(`agentpulse: ESM adapters unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  try {
    hookRequire();
  } catch (err) {
    process.stderr.write(`agentpulse: CommonJS adapters unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
