import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fixtures/adapters/fakeProviders.js';
import type { FakeProviders } from './fixtures/adapters/fakeProviders.js';
import { family, fixtureProject, cleanSpans, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

// Unmodified AI SDK 5, 6 and 7 programs through the preload against the loopback fake provider.
// AI SDK 5 is the repository's `ai`; 6 and 7 are installed beside it as `ai-6` / `ai-7` and reach
// the apps as `ai` through a throwaway project's node_modules (see fixtureProject).
// Run `npm run build` first so dist/ is fresh.

let fake: FakeProviders;
let runs: Map<string, AppRun>;
// AI SDK 7 is ESM only: a CommonJS app can require() it from Node 20.19 / 22.12 on.
const requireEsm = (process.features as { require_module?: boolean }).require_module === true;
const projects: { remove: () => void }[] = [];

function project(app: string, links: Record<string, string>, major: string): string {
  const p = fixtureProject(app, links);
  projects.push(p);
  expect(versionFor(p.app, 'ai')).toMatch(new RegExp(`^${major}\\.`));
  return p.app;
}

beforeAll(async () => {
  fake = await startFakeProviders();
  expect(versionFor('vercelAiApp.mjs', 'ai')).toMatch(/^5\./);
  runs = await runApps(
    [
      { key: 'ai5', app: 'vercelAiApp.mjs' },
      { key: 'ai5-openai', app: 'vercelAiOverOpenAIApp.mjs' },
      { key: 'ai6', app: project('vercelAiApp.mjs', { ai: 'ai-6' }, '6') },
      { key: 'ai7.mjs', app: project('vercelAi7App.mjs', { ai: 'ai-7' }, '7') },
      ...(requireEsm
        ? [
            { key: 'ai7.cjs', app: project('vercelAi7App.cjs', { ai: 'ai-7' }, '7') },
            { key: 'ai7.capture', app: project('vercelAi7App.cjs', { ai: 'ai-7' }, '7'), env: { AGENTPULSE_CAPTURE_CONTENT: 'true' } },
          ]
        : []),
    ],
    { FAKE_URL: fake.url },
  );
}, 90_000);

afterAll(async () => {
  for (const p of projects) p.remove();
  await fake?.close();
});

function spansOf(key: string): SpanRow[] {
  return cleanSpans(runs, key);
}

const MINI_COST = (11 * 0.15 + 7 * 0.6) / 1e6;

describe('AI SDK 5 with custom providers built on the openai SDK', () => {
  it('records each request to the model once, as the AI SDK span (the openai adapter fills it, adds none)', () => {
    const spans = spansOf('ai5-openai');
    expect(spans.filter((s) => s.scope_name === 'agentpulse.adapters.openai')).toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/embeddings') && JSON.stringify(r.body).includes('through the openai SDK'))).toHaveLength(1);
    const calls = spans.filter((s) => s.input_tokens !== null);
    expect(calls.map((s) => [s.name, s.operation, s.model, s.input_tokens, s.output_tokens])).toEqual([
      ['ai.generateText.doGenerate', 'chat', 'gpt-4o-mini', 11, 7],
      ['ai.embed.doEmbed', 'embeddings', 'text-embedding-3-small', 3, null],
    ]);
  });
});

describe.each(['ai5', 'ai6'])('AI SDK %s (its own ai.* spans, telemetry switched on)', (key) => {
  it('maps ai.* spans to chat / execute_tool with tokens and cost', () => {
    const spans = spansOf(key);
    const { byId } = family(spans);
    const calls = spans.filter((s) => s.operation === 'chat' && s.status_code !== 'ERROR');
    expect(calls.map((s) => s.name).sort()).toEqual(['ai.generateText.doGenerate', 'ai.generateText.doGenerate', 'ai.streamText.doStream']);
    for (const s of calls) {
      expect([s.provider, s.model, s.input_tokens, s.output_tokens]).toEqual(['openai', 'gpt-4o-mini', 11, 7]);
      expect(s.cost_usd).toBeCloseTo(MINI_COST, 12);
      expect(byId.get(s.parent_span_id!)?.name).toMatch(/^ai\.(generateText|streamText)$/);
    }
    const tool = spans.find((s) => s.operation === 'execute_tool')!;
    expect([tool.name, tool.tool_name]).toEqual(['ai.toolCall', 'get_weather']);
    // Outer spans keep only ai.usage.* so tokens are counted once.
    expect(spans.filter((s) => s.input_tokens !== null)).toHaveLength(3);
    expect(spans.some((s) => Object.keys(s.attributes).some((k) => k.startsWith('ai.prompt')))).toBe(false);
    // The AI SDK 7 integration stays out of AI SDK 6's way (6 calls global integrations too).
    expect(spans.some((s) => s.scope_name === 'agentpulse.adapters.ai')).toBe(false);
  });

  it('marks a 429 with error.type rate_limit', () => {
    const failed = spansOf(key).filter((s) => s.status_code === 'ERROR');
    expect(failed.map((s) => s.error_type)).toEqual(['rate_limit', 'rate_limit']);
  });
});

describe('AI SDK 7 (telemetry integration)', () => {
  const traceOf = (spans: SpanRow[], rootName: string): SpanRow[] => {
    const root = spans.find((s) => s.name === rootName && s.parent_span_id === null);
    expect(root, rootName).toBeDefined();
    return family(spans.filter((s) => s.trace_id === root!.trace_id)).tree();
  };
  const one = (spans: SpanRow[], pred: (s: SpanRow) => boolean): SpanRow => {
    const hits = spans.filter(pred);
    expect(hits).toHaveLength(1);
    return hits[0];
  };

  it('records a call as invoke_agent → step → chat, with tokens and cost on the model call only', () => {
    const run = traceOf(spansOf('ai7.mjs'), 'invoke_agent greeter');
    const { byId } = family(run);
    expect(run.map((s) => [s.name, s.operation, s.agent_name])).toEqual([
      ['invoke_agent greeter', 'invoke_agent', 'greeter'],
      ['step 1', 'agent_step', 'greeter'],
      ['chat gpt-4o-mini', 'chat', 'greeter'],
    ]);
    const [root, step, chat] = run;
    expect([step.parent_span_id, chat.parent_span_id]).toEqual([root.span_id, step.span_id]);
    expect([chat.provider, chat.model, chat.input_tokens, chat.output_tokens]).toEqual(['openai', 'gpt-4o-mini', 11, 7]);
    expect(chat.cost_usd).toBeCloseTo(MINI_COST, 12);
    expect(chat.attributes['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect([root.input_tokens, root.cost_usd, step.input_tokens]).toEqual([null, null, null]);
    expect(root.attributes['agentpulse.ai.usage.input_tokens']).toBe(11);
    expect(byId.size).toBe(3);
  });

  it('records a stream the same way', () => {
    const streamed = spansOf('ai7.mjs').find((s) => s.attributes['agentpulse.ai.operation_id'] === 'ai.streamText')!;
    const run = spansOf('ai7.mjs').filter((s) => s.trace_id === streamed.trace_id);
    expect(run.map((s) => s.operation).sort()).toEqual(['agent_step', 'chat', 'invoke_agent']);
    expect(streamed.agent_name).toBeNull();
    const chat = run.find((s) => s.operation === 'chat')!;
    expect([chat.input_tokens, chat.output_tokens, chat.status_code]).toEqual([11, 7, 'UNSET']);
  });

  it('names ToolLoopAgent runs by the agent id and nests an agent called from a tool under that tool', () => {
    const run = traceOf(spansOf('ai7.mjs'), 'invoke_agent triage');
    const { ancestors } = family(run);
    const triage = run.find((s) => s.name === 'invoke_agent triage')!;
    const steps = run.filter((s) => s.parent_span_id === triage.span_id);
    expect(steps.map((s) => s.name)).toEqual(['step 1', 'step 2']);
    const tool = one(run, (s) => s.operation === 'execute_tool');
    expect([tool.name, tool.tool_name, tool.agent_name, tool.parent_span_id]).toEqual(['execute_tool ask_billing', 'ask_billing', 'triage', steps[0].span_id]);
    const billing = one(run, (s) => s.name === 'invoke_agent billing');
    expect(billing.parent_span_id).toBe(tool.span_id);
    const chats = run.filter((s) => s.operation === 'chat');
    expect(chats.map((s) => [s.agent_name, ancestors(s)[1]?.name])).toEqual([
      ['triage', 'invoke_agent triage'],
      ['billing', 'invoke_agent billing'],
      ['triage', 'invoke_agent triage'],
    ]);
    expect(chats[0].attributes['agentpulse.llm.tool_calls']).toEqual(['ask_billing']);
    expect(chats[0].attributes['gen_ai.response.finish_reasons']).toEqual(['tool-calls']);
    // Tokens are counted once per model call: three calls, 33 input tokens in the trace.
    expect(run.reduce((n, s) => n + (s.input_tokens ?? 0), 0)).toBe(33);
    expect(triage.attributes['agentpulse.ai.usage.input_tokens']).toBe(22);
  });

  it('fails the tool span of a tool that throws and lets the run go on', () => {
    const spans = spansOf('ai7.mjs');
    const tool = one(spans, (s) => s.tool_name === 'get_weather');
    expect([tool.status_code, tool.error_type]).toEqual(['ERROR', 'Error']);
    const run = spans.filter((s) => s.trace_id === tool.trace_id);
    expect(run.filter((s) => s.status_code === 'ERROR')).toEqual([tool]);
    expect(run.filter((s) => s.operation === 'agent_step')).toHaveLength(2);
  });

  it('records embedding calls with tokens and cost', () => {
    const spans = spansOf('ai7.mjs');
    const embedding = one(spans, (s) => s.operation === 'embeddings');
    expect([embedding.name, embedding.provider, embedding.model, embedding.input_tokens]).toEqual(['embeddings text-embedding-3-small', 'openai', 'text-embedding-3-small', 3]);
    expect(embedding.cost_usd).toBeCloseTo((3 * 0.02) / 1e6, 14);
    expect(family(spans).byId.get(embedding.parent_span_id!)?.operation).toBe('ai.embed');
  });

  it('marks a 429 with error.type rate_limit on the model call, its step and the agent', () => {
    const failed = spansOf('ai7.mjs').filter((s) => s.status_code === 'ERROR' && s.tool_name === null);
    expect(failed.map((s) => [s.operation, s.error_type]).sort()).toEqual([
      ['agent_step', 'rate_limit'],
      ['chat', 'rate_limit'],
      ['invoke_agent', 'rate_limit'],
    ]);
    expect(failed.every((s) => s.input_tokens === null)).toBe(true);
  });

  it('keeps every span of the run in agentpulse scope and records no content by default', () => {
    const spans = spansOf('ai7.mjs');
    expect(new Set(spans.map((s) => s.scope_name))).toEqual(new Set(['agentpulse.adapters.ai']));
    const content = /^gen_ai\.(input|output)\.messages$|^gen_ai\.tool\.call\.(arguments|result)$|^gen_ai\.system_instructions$/;
    expect(spans.flatMap((s) => Object.keys(s.attributes)).filter((k) => content.test(k))).toEqual([]);
    expect(spans.filter((s) => s.input_tokens !== null).map((s) => s.operation).sort()).toEqual([...Array(7).fill('chat'), 'embeddings']);
  });

  it.runIf(requireEsm)('instruments require("ai") (ESM loaded from CommonJS) without touching its exports', () => {
    const spans = spansOf('ai7.cjs');
    const run = traceOf(spans, 'invoke_agent weather');
    expect(run.map((s) => s.name).sort()).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini', 'execute_tool get_weather', 'invoke_agent weather', 'step 1', 'step 2']);
    const { ancestors } = family(run);
    expect(ancestors(run.find((s) => s.operation === 'execute_tool')!).map((s) => s.name)).toEqual(['step 1', 'invoke_agent weather']);
    expect(traceOf(spans, 'invoke_agent').map((s) => s.operation)).toEqual(['invoke_agent', 'agent_step', 'chat']);
  });

  it.runIf(requireEsm)('records prompts, outputs and tool arguments and results when AGENTPULSE_CAPTURE_CONTENT=true', () => {
    const spans = spansOf('ai7.capture');
    const tool = spans.find((s) => s.operation === 'execute_tool')!;
    expect([tool.attributes['gen_ai.tool.call.arguments'], tool.attributes['gen_ai.tool.call.result']]).toEqual(['{"city":"Paris"}', 'sunny in Paris']);
    const chat = spans.find((s) => s.operation === 'chat')!;
    expect(String(chat.attributes['gen_ai.input.messages'])).toContain('TOOL weather in Paris?');
  });
});
