import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { startFakeProviders } from './fixtures/adapters/fakeProviders.js';
import type { FakeProviders } from './fixtures/adapters/fakeProviders.js';
import { cleanSpans, family, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

// Unmodified LangChain.js / LangGraph.js apps (the real packages, no tracing code) through the preload
// against the loopback fake OpenAI API; the spans come from OpenInference's LangChain instrumentation,
// which the preload applies, mapped by the store's OpenInference dialect. Run `npm run build` first.

let fake: FakeProviders;
let runs: Map<string, AppRun>;
let graph: Record<string, unknown>[] = [];

beforeAll(async () => {
  fake = await startFakeProviders();
  runs = await runApps(
    [
      { key: 'graph', app: 'langgraphApp.mjs' },
      { key: 'cjs', app: 'langchainApp.cjs' },
      { key: 'anthropic', app: 'langchainAnthropicApp.mjs' },
      { key: 'anthropic-cjs', app: 'langchainAnthropicApp.cjs' },
      { key: 'content', app: 'langchainAnthropicApp.cjs', env: { AGENTPULSE_CAPTURE_CONTENT: 'true', AGENTPULSE_CONTENT_MAX_CHARS: '8' } },
      { key: 'off', app: 'langchainApp.cjs', env: { AGENTPULSE_ADAPTERS: 'openai' } },
      { key: 'none', app: 'noLangChainApp.mjs' },
      { key: 'embeddings', app: 'langchainEmbeddingsApp.mjs' },
    ],
    { FAKE_URL: fake.url },
  );
  if (runs.get('graph')?.code === 0) {
    const store = await openStore(runs.get('graph')!.db, { readOnly: true });
    try {
      graph = await store.named('agent_graph', { from_ms: null, to_ms: null });
    } finally {
      await store.close();
    }
  }
}, 90_000);

afterAll(async () => {
  await fake?.close();
});

const SCOPE = '@arizeai/openinference-instrumentation-langchain';
const MINI_COST = (11 * 0.15 + 7 * 0.6) / 1e6;

function chatSpans(spans: SpanRow[]): SpanRow[] {
  return spans.filter((s) => s.operation === 'chat');
}

describe(`LangChain / LangGraph adapter (@langchain/core ${versionFor('langgraphApp.mjs', '@langchain/core')}, @langchain/langgraph ${versionFor('langgraphApp.mjs', '@langchain/langgraph')}, @langchain/anthropic ${versionFor('langchainAnthropicApp.mjs', '@langchain/anthropic')})`, () => {
  it('records each chat-model call once, with model, provider, tokens and cost', () => {
    const spans = cleanSpans(runs, 'graph');
    const chats = chatSpans(spans);
    // researcher twice (tool call, then answer), writer once; no second span from the openai adapter.
    expect(chats).toHaveLength(3);
    expect(fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length).toBeGreaterThanOrEqual(3);
    for (const s of chats) {
      expect(s).toMatchObject({ name: 'ChatOpenAI', scope_name: SCOPE, model: 'gpt-4o-mini', provider: 'openai', input_tokens: 11, output_tokens: 7 });
      expect(s.cost_usd).toBeCloseTo(MINI_COST, 12);
    }
    expect(spans.some((s) => s.scope_name === 'agentpulse.adapters.openai')).toBe(false);
  });

  it('records the graph and each of its nodes as an agent, with the node name as agent_name', () => {
    const spans = cleanSpans(runs, 'graph');
    const agents = spans.filter((s) => s.operation === 'invoke_agent');
    expect(agents.map((s) => s.agent_name)).toEqual(['LangGraph', 'researcher', 'tools', 'researcher', 'writer']);
    for (const s of agents) expect(s.name).toBe(s.agent_name);
    // LangGraph's own __start__ node and the lambdas inside nodes are not agents.
    expect(spans.find((s) => s.name === '__start__')?.operation).toBe('chain');
  });

  it('records the tool node call as execute_tool with the tool name', () => {
    const spans = cleanSpans(runs, 'graph');
    const tools = spans.filter((s) => s.operation === 'execute_tool');
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ name: 'search', tool_name: 'search', scope_name: SCOPE, status_code: 'OK' });
  });

  it('nests chat and tool spans under their node, and the nodes under the graph, in one trace', () => {
    const spans = cleanSpans(runs, 'graph');
    const { byId, ancestors } = family(spans);
    expect(new Set(spans.map((s) => s.trace_id)).size).toBe(1);
    const root = spans.find((s) => s.agent_name === 'LangGraph' && s.operation === 'invoke_agent')!;
    expect(root.parent_span_id).toBeNull();
    const nodeOf = (s: SpanRow): string | null | undefined => ancestors(s).find((p) => p.operation === 'invoke_agent')?.agent_name;
    expect(chatSpans(spans).map(nodeOf)).toEqual(['researcher', 'researcher', 'writer']);
    expect(nodeOf(spans.find((s) => s.operation === 'execute_tool')!)).toBe('tools');
    for (const s of spans.filter((x) => x.operation === 'invoke_agent' && x !== root)) expect(byId.get(s.parent_span_id!)).toBe(root);
  });

  it('shows the node-to-node handoffs in the agent graph', () => {
    const edges = graph.map((r) => `${String(r.caller_agent)} -> ${String(r.callee_agent)}`).sort();
    expect(edges).toEqual(
      ['LangGraph -> researcher', 'LangGraph -> tools', 'LangGraph -> writer', 'researcher -> tools', 'researcher -> writer', 'tools -> researcher'].sort(),
    );
  });

  it('instruments the CommonJS build', () => {
    const spans = cleanSpans(runs, 'cjs');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: 'ChatOpenAI', operation: 'chat', scope_name: SCOPE, model: 'gpt-4o-mini', provider: 'openai', input_tokens: 11, output_tokens: 7 });
    expect(spans[0].cost_usd).toBeCloseTo(MINI_COST, 12);
    // Content only with AGENTPULSE_CAPTURE_CONTENT.
    expect(JSON.stringify(spans[0].attributes)).not.toContain('hi from cjs');
  });

  it('records a chat model on another provider SDK once too (@langchain/anthropic on the Anthropic SDK), invoked and streamed', () => {
    const spans = cleanSpans(runs, 'anthropic');
    // Our Anthropic adapter steps aside while a LangChain chat model calls the SDK: its LLM span is the call.
    expect(spans.filter((s) => s.scope_name === 'agentpulse.adapters.anthropic')).toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/messages') && JSON.stringify(r.body).includes('from anthropic'))).toHaveLength(2);
    const chats = chatSpans(spans);
    expect(chats).toHaveLength(2);
    for (const s of chats) {
      expect(s).toMatchObject({ name: 'ChatAnthropic', scope_name: SCOPE, model: 'claude-sonnet-4-5', provider: 'anthropic', input_tokens: 21 });
      expect(s.cost_usd).toBeGreaterThan(0);
    }
    // LangChain's own counts, as the library records them: on a stream it adds message_start's output
    // tokens (1 here) to message_delta's, which the Anthropic API already gives as the total (9).
    expect(chats.map((s) => s.output_tokens)).toEqual([9, 10]);
    // The CommonJS build too.
    const cjs = cleanSpans(runs, 'anthropic-cjs');
    expect(cjs.map((s) => [s.name, s.scope_name, s.input_tokens, s.output_tokens])).toEqual([['ChatAnthropic', SCOPE, 21, 9]]);
  });

  it('with content capture on, cuts the library\'s content attributes to AGENTPULSE_CONTENT_MAX_CHARS, and only those', () => {
    const [span] = cleanSpans(runs, 'content');
    const a = span.attributes;
    const cut = 'hi from …[truncated 13 chars]'; // 'hi from cjs anthropic', 21 characters, cut to 8
    expect(a['input.value']).toContain('…[truncated');
    expect(a['llm.input_messages.0.message.content']).toBe(cut);
    expect(a['output.value']).toContain('…[truncated');
    // What is not content stays whole: the run metadata the dialect reads.
    expect(a['llm.output_messages.0.message.content']).toBe('Hello wo…[truncated 3 chars]');
    expect(String(a.metadata)).toContain('"ls_provider":"anthropic"');
    expect(span).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  it('records OpenAIEmbeddings calls once, through the OpenAI SDK adapter, with tokens and cost', () => {
    const spans = cleanSpans(runs, 'embeddings');
    expect(spans.map((s) => [s.name, s.operation, s.scope_name, s.model, s.input_tokens])).toEqual([
      ['embeddings text-embedding-3-small', 'embeddings', 'agentpulse.adapters.openai', 'text-embedding-3-small', 6],
      ['embeddings text-embedding-3-small', 'embeddings', 'agentpulse.adapters.openai', 'text-embedding-3-small', 3],
    ]);
    expect(spans.map((s) => s.cost_usd)).toEqual([expect.closeTo((6 * 0.02) / 1e6, 15), expect.closeTo((3 * 0.02) / 1e6, 15)]);
  });

  it('loads the instrumentation library only into an app that loads LangChain', () => {
    // The app prints 'ok' only if neither the library nor @opentelemetry/instrumentation is in its require cache.
    expect(cleanSpans(runs, 'none').map((s) => s.scope_name)).toEqual(['agentpulse.adapters.openai']);
  });

  it('leaves LangChain alone when AGENTPULSE_ADAPTERS does not name it', () => {
    const spans = cleanSpans(runs, 'off');
    expect(spans.map((s) => s.scope_name)).toEqual(['agentpulse.adapters.openai']);
  });
});
