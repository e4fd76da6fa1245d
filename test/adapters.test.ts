import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fixtures/adapters/fakeProviders.js';
import type { FakeProviders } from './fixtures/adapters/fakeProviders.js';
import { cleanSpans, runApps } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

// Each fixture program uses a real SDK package with no tracing code, started through the preload
// (`node --import dist/instrumentation/register.js`) against a loopback fake of the provider.
// The Vercel AI SDK and the OpenAI Agents SDK have their own files (adapters.vercelAi, adapters.openaiAgents).
// Run `npm run build` first so dist/ is fresh.

let fake: FakeProviders;
let runs: Map<string, AppRun>;

beforeAll(async () => {
  fake = await startFakeProviders();
  runs = await runApps(
    [
      ...['openaiApp.mjs', 'openaiApp.cjs', 'anthropicApp.mjs', 'explicitOverOpenAIApp.mjs'].map((app) => ({ key: app, app })),
      { key: 'capture', app: 'openaiApp.cjs', env: { AGENTPULSE_CAPTURE_CONTENT: 'true', AGENTPULSE_CONTENT_MAX_CHARS: '20' } },
    ],
    { FAKE_URL: fake.url },
  );
}, 60_000);

afterAll(async () => {
  await fake?.close();
});

// Nothing of ours in the app's streams (the Anthropic SDK warns about deprecated models itself).
function spansOf(app: string): SpanRow[] {
  return cleanSpans(runs, app);
}

describe('OpenAI SDK adapter', () => {
  it('records chat and responses calls, streamed or not, with model, tokens, cost and finish reason', () => {
    const spans = spansOf('openaiApp.mjs');
    const chat = spans.filter((s) => s.scope_name === 'agentpulse.adapters.openai' && s.operation !== 'embeddings');
    expect(chat).toHaveLength(7);
    for (const s of chat) {
      expect(s.operation).toBe('chat');
      expect(s.provider).toBe('openai');
      expect(s.parent_span_id).toBeNull();
    }
    const ok = chat.filter((s) => s.status_code !== 'ERROR');
    const mini = ok.filter((s) => s.model === 'gpt-4o-mini');
    expect(mini).toHaveLength(4);
    for (const s of mini) {
      expect(s.name).toBe('chat gpt-4o-mini');
      expect([s.input_tokens, s.output_tokens]).toEqual([11, 7]);
      expect(s.cost_usd).toBeCloseTo((11 * 0.15 + 7 * 0.6) / 1e6, 12);
      expect(s.attributes['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    }
    expect(mini.filter((s) => s.attributes['agentpulse.llm.streamed'] === true)).toHaveLength(2);
    const tool = mini.find((s) => (s.attributes['agentpulse.llm.tool_calls'] as string[] | undefined)?.[0] === 'get_weather');
    expect(tool?.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    const responses = ok.filter((s) => s.model === 'gpt-4o');
    expect(responses).toHaveLength(2);
    for (const s of responses) expect([s.input_tokens, s.output_tokens, s.attributes['gen_ai.response.finish_reasons']]).toEqual([13, 5, ['stop']]);
  });

  it('records embeddings calls with model, input tokens and cost, whatever the encoding', () => {
    const spans = spansOf('openaiApp.mjs').filter((s) => s.operation === 'embeddings' && s.status_code !== 'ERROR');
    expect(spans.map((s) => [s.name, s.provider, s.model, s.input_tokens, s.output_tokens, s.parent_span_id])).toEqual([
      ['embeddings text-embedding-3-small', 'openai', 'text-embedding-3-small', 6, null, null],
      ['embeddings text-embedding-3-large', 'openai', 'text-embedding-3-large', 3, null, null],
    ]);
    expect(spans[0].cost_usd).toBeCloseTo((6 * 0.02) / 1e6, 15);
    expect(spans[1].cost_usd).toBeCloseTo((3 * 0.13) / 1e6, 15);
    expect(spans[1].attributes['gen_ai.embeddings.dimension.count']).toBe(256);
    expect(spans[1].attributes['gen_ai.request.encoding_formats']).toEqual(['float']);
    expect(spans[0].attributes['gen_ai.request.encoding_formats']).toBeUndefined();
  });

  it('marks a 429 with error.type rate_limit, on chat and embeddings calls', () => {
    const failed = spansOf('openaiApp.mjs').filter((s) => s.status_code === 'ERROR');
    expect(failed.map((s) => [s.operation, s.error_type, s.input_tokens])).toEqual([
      ['chat', 'rate_limit', null],
      ['embeddings', 'rate_limit', null],
    ]);
  });

  it('does not record prompt or response content by default', () => {
    for (const s of spansOf('openaiApp.mjs')) {
      expect(s.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(s.attributes['gen_ai.output.messages']).toBeUndefined();
    }
  });

  it('records content truncated to AGENTPULSE_CONTENT_MAX_CHARS when AGENTPULSE_CAPTURE_CONTENT=true', () => {
    const [span] = spansOf('capture');
    expect(span.attributes['gen_ai.input.messages']).toMatch(/^\[\{"role":"user","con…\[truncated \d+ chars\]$/);
    expect(String(span.attributes['gen_ai.output.messages'])).toMatch(/^.{20}…\[truncated/);
  });

  it("fills the explicit API's chat span around an SDK call instead of adding a second one", () => {
    // The two spans may start in the same clock tick: compare them as a set, not in stored order.
    const spans = spansOf('explicitOverOpenAIApp.mjs');
    expect(spans.map((s) => [s.name, s.operation, s.agent_name]).sort()).toEqual([
      ['chat gpt-4o-mini', 'chat', 'writer'],
      ['invoke_agent writer', 'invoke_agent', 'writer'],
    ]);
    const agent = spans.find((s) => s.operation === 'invoke_agent')!;
    const chat = spans.find((s) => s.operation === 'chat')!;
    expect(chat.parent_span_id).toBe(agent.span_id);
    expect(chat.scope_name).not.toBe('agentpulse.adapters.openai');
    expect([chat.input_tokens, chat.output_tokens, chat.attributes['gen_ai.response.model']]).toEqual([11, 7, 'gpt-4o-mini-2024-07-18']);
    expect(chat.cost_usd).toBeCloseTo((11 * 0.15 + 7 * 0.6) / 1e6, 12);
  });

  it('instruments require("openai") in CommonJS programs', () => {
    const spans = spansOf('openaiApp.cjs');
    expect(spans.map((s) => [s.name, s.input_tokens, s.output_tokens])).toEqual([['chat gpt-4o-mini', 11, 7]]);
  });
});

describe('Anthropic SDK adapter', () => {
  it('records messages calls, streamed or not, with usage, stop reason and tool_use blocks', () => {
    const spans = spansOf('anthropicApp.mjs');
    // The SDK's built-in spans are switched off so calls are not counted twice.
    expect(spans.every((s) => s.scope_name === 'agentpulse.adapters.anthropic')).toBe(true);
    expect(spans).toHaveLength(4);
    const ok = spans.filter((s) => s.status_code !== 'ERROR');
    expect(ok.map((s) => s.name).sort()).toEqual(['chat claude-3-5-haiku-20241022', 'chat claude-sonnet-4-5', 'chat claude-sonnet-4-5']);
    for (const s of ok) {
      expect([s.operation, s.provider, s.input_tokens, s.output_tokens]).toEqual(['chat', 'anthropic', 21, 9]);
    }
    expect(ok.find((s) => s.model === 'claude-sonnet-4-5')!.cost_usd).toBeCloseTo((21 * 3 + 9 * 15) / 1e6, 12);
    const haiku = ok.find((s) => s.model === 'claude-3-5-haiku-20241022')!;
    expect(haiku.cost_usd).toBeCloseTo((21 * 0.8 + 9 * 4) / 1e6, 12);
    expect(haiku.attributes['agentpulse.llm.tool_calls']).toEqual(['get_weather']);
    expect(haiku.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_use']);
    expect(haiku.attributes['agentpulse.llm.streamed']).toBe(true);
  });

  it('marks a 429 with error.type rate_limit', () => {
    const failed = spansOf('anthropicApp.mjs').filter((s) => s.status_code === 'ERROR');
    expect(failed.map((s) => s.error_type)).toEqual(['rate_limit']);
  });
});
