import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { PriceTable } from '../pricing.js';
import { adapterSettings, captured, obj, patchMethod } from './shared.js';

/*
 * LangChain.js / LangGraph.js (`@langchain/core` ≥ 0.2, 1.x): traced by a kept library,
 * OpenInference's `@arizeai/openinference-instrumentation-langchain`, whose tracer joins every
 * run's callback handlers through `CallbackManager._configureSync`. The preload hands it the app's
 * own copy of `@langchain/core/callbacks/manager` (ESM or CommonJS) as the app loads it, and it
 * emits through the global tracer provider; store/dialects/openInference.ts maps its spans
 * (LLM → chat, TOOL → execute_tool, LangGraph nodes → invoke_agent). The library, and the
 * OpenTelemetry instrumentation base it extends, load only when LangChain does.
 *
 * A chat model's LLM span stands for its call, whichever provider SDK the model runs on
 * (`@langchain/anthropic` on the Anthropic SDK, `@langchain/openai` on OpenAI's): while
 * `BaseChatModel` (`@langchain/core/language_models/chat_models`) generates or streams, the
 * provider adapters add no span of their own (tokens and cost would count twice).
 */

const LIBRARY = '@arizeai/openinference-instrumentation-langchain';
/** The instrumentation scope of the library's spans (its package name). */
export const LANGCHAIN_SCOPE = LIBRARY;

interface LangChainInstrumentationLike {
  manuallyInstrument(mod: unknown): void;
}
interface LibraryModule {
  LangChainInstrumentation: new (options: { instrumentationConfig?: { enabled?: boolean }; traceConfig?: Record<string, boolean> }) => LangChainInstrumentationLike;
}

let instrumentation: LangChainInstrumentationLike | null = null;
let loading = false;
/** Copies loaded while the library itself loads (its tracer requires `@langchain/core`'s CommonJS build). */
const pending: unknown[] = [];

/** Content (prompts, completions, tool arguments and results) only when the app opted in, as for every adapter. */
function traceConfig(): Record<string, boolean> {
  const hide = !adapterSettings().captureContent;
  return {
    hideInputs: hide,
    hideOutputs: hide,
    hideInputMessages: hide,
    hideOutputMessages: hide,
    hideInputText: hide,
    hideOutputText: hide,
    hideInputImages: hide,
    hidePrompts: hide,
    hideLLMTools: hide,
    hideEmbeddingVectors: true,
  };
}

function loadInstrumentation(): LangChainInstrumentationLike {
  loading = true;
  try {
    const { LangChainInstrumentation } = createRequire(import.meta.url)(LIBRARY) as LibraryModule;
    // Disabled: no require-in-the-middle hook of its own; the preload hands it each module instead.
    return new LangChainInstrumentation({ instrumentationConfig: { enabled: false }, traceConfig: traceConfig() });
  } finally {
    loading = false;
  }
}

/** Whether a loaded module is `@langchain/core/callbacks/manager` with its `CallbackManager` defined. */
export function isCallbackManagerModule(mod: unknown): boolean {
  const cm: unknown = obj(mod)?.CallbackManager;
  return typeof cm === 'function' && typeof (cm as { _configureSync?: unknown })._configureSync === 'function';
}

/** Set while a chat model of a traced LangChain generates or streams (see insideLangChainModel). */
const modelCall = new AsyncLocalStorage<true>();

interface ChatModelClass {
  prototype: { _generateUncached?: unknown; _streamIterator?: unknown };
}

function baseChatModel(mod: unknown): ChatModelClass | undefined {
  const c: unknown = obj(mod)?.BaseChatModel;
  return typeof c === 'function' && typeof (c as ChatModelClass).prototype._generateUncached === 'function' ? (c as ChatModelClass) : undefined;
}

/** Whether a loaded module is `@langchain/core/language_models/chat_models` with its `BaseChatModel` defined. */
export function isChatModelsModule(mod: unknown): boolean {
  return baseChatModel(mod) !== undefined;
}

/** Runs each step of an async iterator inside the model-call context (the provider call happens while it is pulled). */
function stepsInside(it: AsyncIterator<unknown> & AsyncIterable<unknown>): AsyncGenerator<unknown> {
  const step = <R>(f: () => Promise<R>): Promise<R> => modelCall.run(true, f);
  const gen: AsyncGenerator<unknown> = {
    next: (...a: [] | [unknown]) => step(() => it.next(...a)),
    return: (v?: unknown) => step(() => (it.return ? it.return(v) : Promise.resolve({ done: true as const, value: v }))),
    throw: (e?: unknown) => step(() => (it.throw ? it.throw(e) : Promise.reject(e))),
    [Symbol.asyncIterator]: () => gen,
    [Symbol.asyncDispose]: async () => {
      await gen.return(undefined);
    },
  };
  return gen;
}

/** Marks one loaded copy of `BaseChatModel`'s generate and stream paths as model calls. */
function instrumentChatModels(mod: unknown): boolean {
  const proto = baseChatModel(mod)?.prototype;
  if (!proto) return false;
  const a = patchMethod(proto, '_generateUncached', (original) =>
    function (this: unknown, ...args: unknown[]): unknown {
      return modelCall.run(true, () => original.apply(this, args));
    },
  );
  const b = patchMethod(proto, '_streamIterator', (original) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const it = modelCall.run(true, () => original.apply(this, args));
      return typeof (it as AsyncIterator<unknown> | null)?.next === 'function' ? stepsInside(it as AsyncIterator<unknown> & AsyncIterable<unknown>) : it;
    },
  );
  return a || b;
}

/**
 * Whether the caller runs inside a chat-model call of a traced LangChain (its LLM span stands for
 * the provider call): provider adapters then add no span of their own.
 */
export function insideLangChainModel(): boolean {
  return instrumentation !== null && modelCall.getStore() === true;
}

/**
 * Instruments one loaded copy of `@langchain/core/callbacks/manager` (the tracer) or of
 * `@langchain/core/language_models/chat_models` (model-call marks); returns whether it did.
 */
export function instrumentLangChain(mod: unknown): boolean {
  if (isChatModelsModule(mod)) return instrumentChatModels(mod);
  if (!isCallbackManagerModule(mod)) return false;
  if (loading) {
    pending.push(mod);
    return true;
  }
  instrumentation ??= loadInstrumentation();
  instrumentation.manuallyInstrument(mod);
  for (let m = pending.shift(); m !== undefined; m = pending.shift()) instrumentation.manuallyInstrument(m);
  return true;
}

function metadataOf(a: Record<string, unknown>): Record<string, unknown> | undefined {
  const m = a.metadata;
  if (typeof m !== 'string' || !m.startsWith('{')) return undefined;
  try {
    return obj(JSON.parse(m));
  } catch {
    return undefined;
  }
}

/** OpenInference's content attributes (prompts, completions, messages, tool-call arguments, documents). */
const CONTENT_KEY = /^(?:input\.value|output\.value|llm\.(?:input|output)_messages\..*(?:content|text|arguments)|llm\.prompts\..*|llm\.prompt_template\.(?:template|variables)|retrieval\.documents\..*\.document\.content|embedding\.embeddings\..*\.embedding\.text|reranker\.(?:input|output)_documents\..*\.document\.content)$/;

/**
 * With content capture on, the library records content uncut: cut it to AGENTPULSE_CONTENT_MAX_CHARS
 * as every adapter does (run metadata, parameters and tool schemas are not content and stay whole).
 */
export function cutLangChainContent(a: Record<string, unknown>): void {
  const { captureContent, contentMaxChars } = adapterSettings();
  if (!captureContent) return;
  for (const k of Object.keys(a)) {
    const v = a[k];
    if (typeof v === 'string' && v.length > contentMaxChars && CONTENT_KEY.test(k)) a[k] = captured(v);
  }
}

/**
 * The library records no cost: an LLM span with a model and token counts gets `llm.cost.total`
 * from the price table (the provider from LangChain's `ls_provider` run metadata), which the
 * OpenInference dialect reads as the span's cost.
 */
export function fillLangChainCost(a: Record<string, unknown>, prices: PriceTable): void {
  if (a['openinference.span.kind'] !== 'LLM' || a['llm.cost.total'] !== undefined) return;
  const model = a['llm.model_name'];
  const input = a['llm.token_count.prompt'];
  const output = a['llm.token_count.completion'];
  if (typeof model !== 'string' || (typeof input !== 'number' && typeof output !== 'number')) return;
  const provider = a['llm.provider'] ?? a['llm.system'] ?? metadataOf(a)?.ls_provider;
  const cost = prices.cost(typeof provider === 'string' ? provider : null, model, typeof input === 'number' ? input : 0, typeof output === 'number' ? output : 0);
  if (cost !== null) a['llm.cost.total'] = cost;
}
