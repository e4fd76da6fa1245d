import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini } from './fixtures/adapters/fakeGemini.js';
import type { FakeGemini } from './fixtures/adapters/fakeGemini.js';
import { cleanSpans, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

// Unmodified @google/genai programs (ESM and CommonJS, the package ships both) through the preload
// against a loopback fake of the Gemini API. Run `npm run build` first so dist/ is fresh.

let fake: FakeGemini;
let runs: Map<string, AppRun>;

beforeAll(async () => {
  fake = await startFakeGemini();
  expect(versionFor('googleGenaiApp.mjs', '@google/genai')).toMatch(/^3\./);
  runs = await runApps(
    [
      { key: 'mjs', app: 'googleGenaiApp.mjs' },
      { key: 'cjs', app: 'googleGenaiApp.cjs' },
      { key: 'capture', app: 'googleGenaiApp.cjs', env: { AGENTPULSE_CAPTURE_CONTENT: 'true' } },
      { key: 'off', app: 'googleGenaiApp.cjs', env: { AGENTPULSE_ADAPTERS: 'openai,anthropic' } },
    ],
    { FAKE_URL: fake.url },
  );
}, 60_000);

afterAll(async () => {
  await fake?.close();
});

function spansOf(key: string): SpanRow[] {
  return cleanSpans(runs, key);
}

const FLASH_COST = (17 * 0.3 + 5 * 2.5) / 1e6;

describe('Google GenAI SDK adapter', () => {
  it('records one chat span per request to the model, with provider, model, tokens and cost', () => {
    const spans = spansOf('mjs');
    expect(spans.every((s) => s.scope_name === 'agentpulse.adapters.google-genai')).toBe(true);
    // 4 models calls, one of 2 requests (automatic function calling), 3 chat turns, 3 failed calls.
    expect(spans).toHaveLength(12);
    for (const s of spans) {
      expect([s.operation, s.provider, s.parent_span_id]).toEqual(['chat', 'gcp.gemini', null]);
      expect(s.name).toBe(`chat ${s.model}`);
    }
    const ok = spans.filter((s) => s.status_code !== 'ERROR');
    expect(ok.map((s) => s.model).sort()).toEqual([
      ...Array<string>(3).fill('gemini-2.0-flash'),
      ...Array<string>(3).fill('gemini-2.5-flash'),
      ...Array<string>(2).fill('gemini-2.5-flash-lite'),
      'gemini-2.5-pro',
    ]);
    for (const s of ok.filter((x) => x.model === 'gemini-2.5-flash')) {
      expect([s.input_tokens, s.output_tokens]).toEqual([17, 5]);
      expect(s.cost_usd).toBeCloseTo(FLASH_COST, 12);
      expect(s.attributes['gen_ai.response.model']).toBe('gemini-2.5-flash-001');
      expect(s.attributes['gen_ai.response.finish_reasons']).toEqual(['STOP']);
    }
    const tool = ok.filter((s) => s.model === 'gemini-2.5-flash' && s.attributes['agentpulse.llm.tool_calls'] !== undefined);
    expect(tool.map((s) => s.attributes['agentpulse.llm.tool_calls'])).toEqual([['get_weather']]);
  });

  it('records each request of automatic function calling: the function call, then the answer', () => {
    const afc = spansOf('mjs').filter((s) => s.model === 'gemini-2.5-flash-lite');
    expect(afc.map((s) => [s.attributes['agentpulse.llm.tool_calls'] ?? null, s.input_tokens, s.output_tokens])).toEqual([
      [['get_weather'], 17, 5],
      [null, 17, 5],
    ]);
  });

  it('counts thinking tokens as output and records cached prompt tokens', () => {
    // `models/gemini-2.5-pro` in the app: the prefix is dropped so the model groups with its other spellings.
    const pro = spansOf('mjs').find((s) => s.model === 'gemini-2.5-pro')!;
    expect([pro.input_tokens, pro.output_tokens]).toEqual([17, 9]);
    expect(pro.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(4);
    expect(pro.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(6);
    expect([pro.attributes['gen_ai.request.temperature'], pro.attributes['gen_ai.request.max_tokens']]).toEqual([0.3, 256]);
    expect(pro.cost_usd).toBeCloseTo((17 * 1.25 + 9 * 10) / 1e6, 12);
  });

  it('ends a stream span when the stream is consumed, with the last chunk’s usage', () => {
    const streamed = spansOf('mjs').filter((s) => s.attributes['agentpulse.llm.streamed'] === true && s.status_code !== 'ERROR');
    expect(streamed.map((s) => s.model).sort()).toEqual(['gemini-2.0-flash', 'gemini-2.5-flash']);
    for (const s of streamed) {
      expect([s.input_tokens, s.output_tokens]).toEqual([17, 5]);
      expect(s.attributes['gen_ai.response.finish_reasons']).toEqual(['STOP']);
      expect(s.attributes['gen_ai.response.id']).toBe('resp-s1');
    }
  });

  it('records each chat turn (sendMessage, sendMessageStream) as a chat span with the session’s config', () => {
    const turns = spansOf('mjs').filter((s) => s.model === 'gemini-2.0-flash');
    expect(turns).toHaveLength(3);
    for (const s of turns) expect([s.attributes['gen_ai.request.temperature'], s.input_tokens, s.output_tokens]).toEqual([0.2, 17, 5]);
    // The history travels with each turn: 1, 3 and 5 contents.
    const chatRequests = fake.requests.filter((r) => r.path.includes('gemini-2.0-flash'));
    expect(chatRequests.map((r) => (r.body.contents as unknown[]).length).sort()).toEqual([1, 3, 5]);
  });

  it('marks HTTP errors with error.type: 429 → rate_limit (also on a stream), a 503 chunk mid-stream → performance_degradation', () => {
    const failed = spansOf('mjs').filter((s) => s.status_code === 'ERROR');
    expect(failed.map((s) => [s.error_type, s.attributes['agentpulse.llm.streamed'] ?? false, s.input_tokens])).toEqual([
      ['rate_limit', false, null],
      ['rate_limit', false, null],
      ['performance_degradation', true, 17],
    ]);
  });

  it('does not record prompt or response content by default', () => {
    for (const s of spansOf('mjs')) {
      expect(s.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(s.attributes['gen_ai.output.messages']).toBeUndefined();
    }
  });

  it('instruments require("@google/genai") and tells the Gemini API from Vertex AI', () => {
    const spans = spansOf('cjs').filter((s) => s.operation === 'chat');
    expect(spans.map((s) => [s.name, s.provider, s.input_tokens, s.output_tokens])).toEqual([
      ['chat gemini-2.5-flash', 'gcp.gemini', 17, 5],
      ['chat gemini-2.5-flash', 'gcp.vertex_ai', 17, 5],
    ]);
    // Vertex AI prices like the Gemini API in the built-in table.
    for (const s of spans) expect(s.cost_usd).toBeCloseTo(FLASH_COST, 12);
  });

  it('records embedContent as an embeddings span: Vertex AI reports input tokens, the Gemini API none', () => {
    const spans = spansOf('cjs').filter((s) => s.operation === 'embeddings');
    expect(spans.map((s) => [s.name, s.provider, s.model, s.input_tokens, s.output_tokens, s.status_code])).toEqual([
      ['embeddings gemini-embedding-001', 'gcp.gemini', 'gemini-embedding-001', null, null, 'UNSET'],
      ['embeddings text-embedding-005', 'gcp.vertex_ai', 'text-embedding-005', 6, null, 'UNSET'],
    ]);
    expect(spans[0].attributes['gen_ai.embeddings.dimension.count']).toBe(3);
    for (const s of spans) expect(s.parent_span_id).toBeNull();
  });

  it('records contents with AGENTPULSE_CAPTURE_CONTENT=true', () => {
    const [span] = spansOf('capture');
    expect(span.attributes['gen_ai.input.messages']).toContain('hi from cjs');
    expect(span.attributes['gen_ai.output.messages']).toContain('Hello world');
  });

  it('leaves the SDK alone when AGENTPULSE_ADAPTERS does not list google-genai', () => {
    expect(spansOf('off')).toEqual([]);
  });
});
