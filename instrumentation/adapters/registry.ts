import { instrumentAiAgents, isAiSdk7 } from './aiSdkAgents.js';
import { instrumentAnthropic } from './anthropic.js';
import { wrapClaudeAgentQuery } from './claudeAgentSdk.js';
import { instrumentGoogleGenai } from './googleGenai.js';
import { instrumentLangChain } from './langchain.js';
import { instrumentMcp } from './mcp.js';
import { instrumentOpenAI } from './openai.js';
import { instrumentOpenAIAgents } from './openaiAgents.js';
import { recordAiError, wrapAiFunction } from './vercelAi.js';

/** Packages the preload instruments, by the id the loader hook and the CommonJS hook use. */
export type AdapterId = 'openai' | 'anthropic' | 'google-genai' | 'ai' | 'openai-agents' | 'mcp' | 'langchain' | 'claude-agent-sdk';

/** Packages instrumented through their module object; `ai` ≤ 6 and the Claude Agent SDK have their exported functions wrapped in the source instead. */
const INSTRUMENTERS: Record<Exclude<AdapterId, 'ai' | 'claude-agent-sdk'>, (mod: unknown) => boolean> = {
  openai: instrumentOpenAI,
  anthropic: instrumentAnthropic,
  'google-genai': instrumentGoogleGenai,
  'openai-agents': instrumentOpenAIAgents,
  mcp: instrumentMcp,
  langchain: instrumentLangChain,
};

let enabled: ReadonlySet<AdapterId> | null = null;

/** Restricts instrumentation to these adapters (from `AGENTPULSE_ADAPTERS=openai,ai`). */
export function enableOnly(ids: readonly AdapterId[]): void {
  enabled = new Set(ids);
}

export function isEnabled(id: AdapterId): boolean {
  return enabled === null || enabled.has(id);
}

/** Package ids seen so far (for diagnostics and tests). */
export const instrumented = new Set<AdapterId>();

/** Instruments one loaded copy of a package; never throws into the host's import. */
export function instrumentModule(id: AdapterId, mod: unknown): void {
  try {
    if (!isEnabled(id)) return;
    // AI SDK ≤ 6 is instrumented by wrapping its functions (wrapAi); ≥ 7 traces itself through the registered integration.
    if (id === 'ai') {
      if (isAiSdk7(mod) && instrumentAiAgents(mod)) instrumented.add(id);
      return;
    }
    if (id === 'claude-agent-sdk') return;
    if (INSTRUMENTERS[id](mod)) instrumented.add(id);
  } catch (err) {
    process.stderr.write(`agentpulse: could not instrument ${id}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

/**
 * The object code injected into instrumented packages calls. Kept on one export so the
 * injected source depends on a single name.
 */
export const __agentpulseAdapters = {
  instrument: instrumentModule,
  wrapAi: <F extends (...args: never[]) => unknown>(fn: F): F => {
    if (!isEnabled('ai')) return fn;
    instrumented.add('ai');
    return wrapAiFunction(fn);
  },
  aiError: recordAiError,
  /** The Claude Agent SDK's `query` export (its ESM entry exports it wrapped). */
  wrapClaudeQuery: <F extends (...args: never[]) => unknown>(fn: F): F => {
    if (!isEnabled('claude-agent-sdk') || typeof fn !== 'function') return fn;
    instrumented.add('claude-agent-sdk');
    return wrapClaudeAgentQuery(fn);
  },
};
