import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanSpans, FIXTURES, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

/**
 * The Claude Agent SDK under the preload, an unmodified app: `query()` starts a fake Claude Code
 * (test/fixtures/adapters/fakeClaudeCode.mjs, the SDK's stream-json protocol on stdin/stdout),
 * which writes down the environment it was given.
 */
const dir = mkdtempSync(join(tmpdir(), 'ap-claude-sdk-'));
const envOut = (key: string): string => join(dir, `${key}.env.json`);
const fake = { FAKE_CLAUDE: join(FIXTURES, 'fakeClaudeCode.mjs') };
let runs: Map<string, AppRun>;
// Not a devDependency (its optional Claude Code binary is ~190 MB): .ci/run installs the package alone.
const sdkVersion = versionFor('claudeAgentSdkApp.mjs', '@anthropic-ai/claude-agent-sdk');
const missing = sdkVersion === 'missing';
if (missing && process.env.CI) throw new Error('@anthropic-ai/claude-agent-sdk is not installed: .ci/run installs it (see there) before the tests');
if (missing) console.warn('skipping the Claude Agent SDK adapter tests: @anthropic-ai/claude-agent-sdk is not installed (.ci/run shows how)');

beforeAll(async () => {
  if (missing) return;
  runs = await runApps(
    [
      { key: 'plain', app: 'claudeAgentSdkApp.mjs', env: { FAKE_CLAUDE_ENV_OUT: envOut('plain') } },
      { key: 'collector', app: 'claudeAgentSdkApp.mjs', env: { FAKE_CLAUDE_ENV_OUT: envOut('collector'), AGENTPULSE_URL: 'http://127.0.0.1:4318' } },
      { key: 'failed', app: 'claudeAgentSdkApp.mjs', env: { FAKE_CLAUDE_ENV_OUT: envOut('failed'), FAKE_CLAUDE_RESULT: 'error' } },
    ],
    fake,
  );
}, 90_000);

const childEnv = (key: string): Record<string, string> => JSON.parse(readFileSync(envOut(key), 'utf8')) as Record<string, string>;
const agentSpan = (spans: SpanRow[]): SpanRow => {
  const found = spans.filter((s) => s.name === 'invoke_agent claude-code');
  expect(found).toHaveLength(1);
  return found[0];
};

describe.skipIf(missing)(`Claude Agent SDK adapter (@anthropic-ai/claude-agent-sdk ${sdkVersion})`, () => {
  it('records a query as an invoke_agent claude-code span with its session, model, tokens and cost', () => {
    const span = agentSpan(cleanSpans(runs, 'plain'));
    expect(span).toMatchObject({
      operation: 'invoke_agent',
      agent_name: 'claude-code',
      provider: 'anthropic',
      input_tokens: 120,
      output_tokens: 30,
      status_code: 'UNSET',
      error_type: null,
      scope_name: 'agentpulse.adapters.claude-agent-sdk',
    });
    expect(span.cost_usd).toBeCloseTo(0.0123, 10);
    expect(span.attributes).toMatchObject({
      'gen_ai.conversation.id': 'fake-session-0001',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.cache_creation.input_tokens': 50,
      'agentpulse.claude_code.num_turns': 2,
      'agentpulse.claude_code.duration_ms': 1234,
    });
  });

  it("starts Claude Code with the span's traceparent, and without telemetry when no collector is known", () => {
    const span = agentSpan(cleanSpans(runs, 'plain'));
    const env = childEnv('plain');
    expect(env.TRACEPARENT).toBe(`00-${span.trace_id}-${span.span_id}-01`);
    expect(env.CLAUDE_CODE_ENABLE_TELEMETRY).toBeFalsy();
    expect(env.OTEL_LOGS_EXPORTER).toBeUndefined();
  });

  it("switches Claude Code's telemetry on towards the app's collector, and keeps the run's totals beside so tokens count once", () => {
    const span = agentSpan(cleanSpans(runs, 'collector'));
    expect(childEnv('collector')).toMatchObject({
      TRACEPARENT: `00-${span.trace_id}-${span.span_id}-01`,
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    // Claude Code reports each model call with its cost itself; the query's span keeps the totals under its own names.
    expect(span).toMatchObject({ input_tokens: null, output_tokens: null, cost_usd: null });
    expect(span.attributes).toMatchObject({ 'agentpulse.claude_code.usage.input_tokens': 120, 'agentpulse.claude_code.usage.output_tokens': 30, 'agentpulse.claude_code.cost_usd': 0.0123 });
  });

  it('marks a query whose result is an error ERROR, with the result subtype as error.type', () => {
    const span = agentSpan(cleanSpans(runs, 'failed'));
    expect(span).toMatchObject({ status_code: 'ERROR', error_type: 'error_max_turns', input_tokens: 120 });
    expect(childEnv('failed').TRACEPARENT).toBe(`00-${span.trace_id}-${span.span_id}-01`);
  });
});
