/**
 * Node module-customisation hooks (registered by the preload with `module.registerHooks` where Node
 * has it, on the main thread; else with `module.register`, on the loader thread). When an app imports one of the instrumented packages as ESM, its entry module
 * gets a few lines appended that hand the module's own namespace to the adapter registry on the
 * main thread. Nothing else is touched, and no package is loaded that the app does not load.
 */
// Same list as vercelAi.ts; repeated so the loader thread loads nothing but this file.
const AI_TELEMETRY_FUNCTIONS = ['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany'];

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

/** Entry modules by path (AI SDK ≤ 6 ships `dist/index.mjs`, 7 `dist/index.js`, ESM only; `@google/genai` `dist/node/index.mjs` under Node's `node` condition). */
const TARGETS: ReadonlyArray<[RegExp, string]> = [
  [/\/node_modules\/openai\/index\.mjs$/, 'openai'],
  [/\/node_modules\/@anthropic-ai\/sdk\/index\.mjs$/, 'anthropic'],
  [/\/node_modules\/@google\/genai\/dist\/(node\/)?index\.mjs$/, 'google-genai'],
  [/\/node_modules\/@openai\/agents-core\/dist\/index\.mjs$/, 'openai-agents'],
  [/\/node_modules\/ai\/dist\/index\.m?js$/, 'ai'],
  [/\/node_modules\/@anthropic-ai\/claude-agent-sdk\/sdk\.mjs$/, 'claude-agent-sdk'],
  // MCP: the Protocol class Client and Server extend, wherever the app imports them from.
  [/\/node_modules\/@modelcontextprotocol\/sdk\/dist\/esm\/shared\/protocol\.js$/, 'mcp'],
  // LangChain: the CallbackManager every run configures its callbacks through (LangGraph's included).
  [/\/node_modules\/@langchain\/core\/dist\/callbacks\/manager\.js$/, 'langchain'],
  // …and BaseChatModel, whose generate and stream paths mark provider SDK calls as the model's own.
  [/\/node_modules\/@langchain\/core\/dist\/language_models\/chat_models\.js$/, 'langchain'],
];

/** Entry modules by the bare specifier they were imported with, wherever they live (symlinked workspaces, linked packages). */
const SPECIFIERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  '@anthropic-ai/sdk': 'anthropic',
  '@google/genai': 'google-genai',
  '@google/genai/node': 'google-genai',
  '@openai/agents-core': 'openai-agents',
  ai: 'ai',
  '@anthropic-ai/claude-agent-sdk': 'claude-agent-sdk',
  '@langchain/core/callbacks/manager': 'langchain',
  '@langchain/core/language_models/chat_models': 'langchain',
};
const resolvedTargets = new Map<string, string>();

let registryUrl = '';

export function initialize(data: { registryUrl: string }): void {
  registryUrl = data.registryUrl;
}

function targetOf(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = url.split(/[?#]/)[0];
  return resolvedTargets.get(path) ?? TARGETS.find(([re]) => re.test(path))?.[1];
}

function noteResolved(specifier: string, result: ResolveResult): ResolveResult {
  const id = SPECIFIERS[specifier];
  if (id && result.url.startsWith('file:') && resolvedTargets.size < 64) resolvedTargets.set(result.url.split(/[?#]/)[0], id);
  return result;
}

/** AI SDK: export wrapped generateText/streamText/… and report errors with their type. */
function injectAi(source: string): string {
  const at = source.lastIndexOf('\nexport {');
  if (at < 0) return source;
  let head = source.slice(0, at);
  let tail = source.slice(at);
  const wrapped: string[] = [];
  for (const fn of AI_TELEMETRY_FUNCTIONS) {
    const re = new RegExp(`(\\n\\s+)${fn}(,|\\n)`);
    if (!re.test(tail)) continue;
    tail = tail.replace(re, `$1__ap_${fn} as ${fn}$2`);
    wrapped.push(`const __ap_${fn} = __agentpulseAdapters.wrapAi(${fn});`);
  }
  head = head.replace('function recordErrorOnSpan(span, error) {', 'function recordErrorOnSpan(span, error) {\n  __agentpulseAdapters.aiError(span, error);');
  return `${head}${tail}\nimport { __agentpulseAdapters } from ${JSON.stringify(registryUrl)};\n${wrapped.join('\n')}\n`;
}

/**
 * Claude Agent SDK (ESM only): its final `export{…}` list exports a wrapped `query` (an ESM
 * namespace is read-only, and `query` is a plain function). Minified (`Htt as query`) or not.
 */
function injectClaudeQuery(source: string): string {
  const at = Math.max(source.lastIndexOf('export{'), source.lastIndexOf('export {'));
  if (at < 0) return source;
  const head = source.slice(0, at);
  let local = '';
  const tail = source.slice(at).replace(/([{,\s])([A-Za-z_$][\w$]*)(\s+as\s+query)(?=\s*[,}])|([{,\s])query(?=\s*[,}])/, (_m, p1: string, name: string, asQuery: string, p4: string) => {
    local = name ?? 'query';
    return name ? `${p1}__ap_query${asQuery}` : `${p4}__ap_query as query`;
  });
  if (!local) return source;
  return `${head}${tail}\nimport { __agentpulseAdapters } from ${JSON.stringify(registryUrl)};\nconst __ap_query = __agentpulseAdapters.wrapClaudeQuery(${local});\n`;
}

function injectInstrument(source: string, url: string, id: string): string {
  // A module may import its own namespace; by the end of its body every export is bound.
  return (
    `${source}\nimport * as __agentpulseSelf from ${JSON.stringify(url)};\n` +
    `import { __agentpulseAdapters } from ${JSON.stringify(registryUrl)};\n` +
    `__agentpulseAdapters.instrument(${JSON.stringify(id)}, __agentpulseSelf);\n`
  );
}

/** The loaded module, with the adapter lines appended when it is one of the targets. */
function instrumented(url: string, result: LoadResult): LoadResult {
  const id = targetOf(url);
  if (!id || !registryUrl || result.format !== 'module' || result.source == null) return result;
  try {
    const source = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source as ArrayBuffer);
    // AI SDK ≥ 7 is traced through its telemetry integrations; only its agents' ids are read from the module.
    const legacyAi = id === 'ai' && !source.includes('function registerTelemetry(');
    if (id === 'claude-agent-sdk') return { ...result, source: injectClaudeQuery(source) };
    return { ...result, source: legacyAi ? injectAi(source) : injectInstrument(source, url, id) };
  } catch {
    return result;
  }
}

/** The `module.register` hooks (loader thread). */
export async function resolve(specifier: string, context: unknown, nextResolve: (specifier: string, context?: unknown) => Promise<ResolveResult>): Promise<ResolveResult> {
  return noteResolved(specifier, await nextResolve(specifier, context));
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  return instrumented(url, await nextLoad(url, context));
}

/** The synchronous hooks `module.registerHooks` takes. */
export interface SyncHooks {
  resolve: (specifier: string, context: unknown, nextResolve: (specifier: string, context?: unknown) => ResolveResult) => ResolveResult;
  load: (url: string, context: unknown, nextLoad: (url: string, context?: unknown) => LoadResult) => LoadResult;
}

/**
 * The same hooks for `module.registerHooks` (Node ≥ 22.15 / 23.5: synchronous, on the main
 * thread; `module.register` is deprecated from there on, DEP0205).
 * @example
 * registerHooks(syncHooks(new URL('./registry.js', import.meta.url).href));
 */
export function syncHooks(registry: string): SyncHooks {
  registryUrl = registry;
  return {
    resolve: (specifier, context, nextResolve) => noteResolved(specifier, nextResolve(specifier, context)),
    load: (url, context, nextLoad) => instrumented(url, nextLoad(url, context)),
  };
}
