import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsJson, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { openStore, type DuckDbStore } from '../store/index.js';
import { startCollector, type RunningCollector } from '../collector/index.js';
import { claudeSession, conversation, sendClaudeEvents, sendClaudeMetrics, sendClaudeTraces, sendCodexEvents, sendGemini, type ClaudeSession, type Conversation } from './fixtures/codingAgents.js';

let dir: string;
let store: DuckDbStore;
let collector: RunningCollector;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-coding-agents-'));
  store = await openStore(join(dir, 'agents.duckdb'));
  collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'agents.duckdb.spool') });
});

afterAll(async () => {
  await collector?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string): string => `${collector.url}${path}`;
const round = (v: unknown): number => Math.round(Number(v) * 1e9) / 1e9;
const sum = (xs: number[]): number => round(xs.reduce((a, b) => a + b, 0));

async function sessionTotals(s: ClaudeSession) {
  await collector.flush(10_000);
  const [row] = await store.query(
    `SELECT round(coalesce(sum(cost_usd), 0), 9) AS cost, count(*) FILTER (WHERE operation = 'chat') AS requests,
            count(*) FILTER (WHERE operation = 'execute_tool') AS tools,
            count(*) FILTER (WHERE operation = 'execute_tool' AND status_code = 'ERROR') AS tool_failures,
            sum(input_tokens) FILTER (WHERE operation = 'chat') AS input_tokens
     FROM spans WHERE session_id = $s`,
    { s: s.sessionId },
  );
  const byModel = await store.query(`SELECT model, round(sum(cost_usd), 9) AS cost FROM spans WHERE session_id = $s AND operation = 'chat' GROUP BY 1 ORDER BY 1`, { s: s.sessionId });
  const byAgent = await store.query(
    `SELECT agent_name, round(sum(cost_usd), 9) AS cost FROM spans WHERE session_id = $s AND operation = 'chat' AND agent_name <> 'claude-code' GROUP BY 1 ORDER BY 1`,
    { s: s.sessionId },
  );
  return { row: row!, byModel, byAgent };
}

function expectTruth(t: Awaited<ReturnType<typeof sessionTotals>>, s: ClaudeSession): void {
  expect(round(t.row.cost)).toBe(sum(s.requests.map((r) => r.cost)));
  expect(Number(t.row.requests)).toBe(s.requests.length);
  expect(Number(t.row.tools)).toBe(s.tools.length);
  expect(Number(t.row.tool_failures)).toBe(s.tools.filter((x) => !x.success).length);
  expect(Number(t.row.input_tokens)).toBe(s.requests.reduce((a, r) => a + r.input, 0));
  const models = [...new Set(s.requests.map((r) => r.model))].sort();
  expect(t.byModel.map((r) => [r.model, round(r.cost)])).toEqual(models.map((m) => [m, sum(s.requests.filter((r) => r.model === m).map((r) => r.cost))]));
  const agents = [...new Set(s.requests.flatMap((r) => (r.agent ? [r.agent] : [])))].sort();
  expect(t.byAgent.map((r) => [r.agent_name, round(r.cost)])).toEqual(agents.map((a) => [a, sum(s.requests.filter((r) => r.agent === a).map((r) => r.cost))]));
}

describe('Claude Code through the official OTLP exporters', () => {
  it('gives per-session cost, requests, tools, failures, per-model and per-subagent cost from events alone (protobuf, JSON, string numbers)', async () => {
    const cases = [
      { exporter: new LogsProto({ url: url('/v1/logs') }), stringly: false },
      { exporter: new LogsJson({ url: url('/v1/logs') }), stringly: true },
      { exporter: new LogsJson({ url: url('/v1/logs') }), stringly: false },
    ];
    for (const [i, c] of cases.entries()) {
      const s = claudeSession(100 + i);
      await sendClaudeEvents(c.exporter, s, { stringly: c.stringly });
      expectTruth(await sessionTotals(s), s);
      // Every event is kept as a log record, unknown ones included.
      const [logs] = await store.query(`SELECT count(*) AS n, count(*) FILTER (WHERE event_name = 'claude_code.compaction') AS compactions FROM log_records WHERE session_id = $s`, { s: s.sessionId });
      expect(Number(logs!.n)).toBe(1 + s.requests.length + 2 * s.tools.length + 1);
      expect(Number(logs!.compactions)).toBe(1);
    }
  });

  it('counts each request and tool call once when beta traces and events describe them, in either order', async () => {
    for (const [i, order] of (['traces-first', 'events-first'] as const).entries()) {
      const s = claudeSession(200 + i);
      const traces = (): Promise<void> => sendClaudeTraces(i === 0 ? new TracesProto({ url: url('/v1/traces') }) : new TracesJson({ url: url('/v1/traces') }), s);
      const events = (): Promise<void> => sendClaudeEvents(new LogsProto({ url: url('/v1/logs') }), s);
      if (order === 'traces-first') {
        await traces();
        await collector.flush(10_000);
        await events();
      } else {
        await events();
        await collector.flush(10_000);
        await traces();
      }
      const t = await sessionTotals(s);
      expectTruth(t, s);
      // The kept spans are the trace's, under the interaction span.
      const [kept] = await store.query(
        `SELECT count(*) FILTER (WHERE scope_name = 'agentpulse.events' AND operation IN ('chat', 'execute_tool')) AS derived,
                count(*) FILTER (WHERE name = 'claude_code.llm_request') AS llm
         FROM spans WHERE session_id = $s`,
        { s: s.sessionId },
      );
      expect(Number(kept!.derived), order).toBe(0);
      expect(Number(kept!.llm), order).toBe(s.requests.length);
    }
  });

  it('stores claude_code.cost.usage so that its sum equals the events cost, delta and cumulative, protobuf and JSON', async () => {
    const variants = [
      new MetricsProto({ url: url('/v1/metrics'), temporalityPreference: AggregationTemporalityPreference.DELTA }),
      new MetricsJson({ url: url('/v1/metrics'), temporalityPreference: AggregationTemporalityPreference.CUMULATIVE }),
      new MetricsProto({ url: url('/v1/metrics'), temporalityPreference: AggregationTemporalityPreference.CUMULATIVE }),
      new MetricsJson({ url: url('/v1/metrics'), temporalityPreference: AggregationTemporalityPreference.DELTA }),
    ];
    for (const [i, exporter] of variants.entries()) {
      const s = claudeSession(300 + i);
      await sendClaudeEvents(new LogsJson({ url: url('/v1/logs') }), s);
      await sendClaudeMetrics(exporter, s);
      await collector.flush(10_000);
      const [m] = await store.query(
        `SELECT round(sum(delta_value), 9) AS cost, any_value(temporality) AS temporality, count(*) AS points FROM metric_deltas WHERE name = 'claude_code.cost.usage' AND session_id = $s`,
        { s: s.sessionId },
      );
      const [e] = await store.query(`SELECT round(sum(cost_usd), 9) AS cost FROM spans WHERE session_id = $s`, { s: s.sessionId });
      expect(round(m!.cost), String(m!.temporality)).toBe(round(e!.cost));
      expect(round(m!.cost)).toBe(sum(s.requests.map((r) => r.cost)));
      const [tok] = await store.query(`SELECT sum(delta_value) AS n FROM metric_deltas WHERE name = 'claude_code.token.usage' AND session_id = $s AND (attributes->>'type') = 'input'`, { s: s.sessionId });
      expect(Number(tok!.n)).toBe(s.requests.reduce((a, r) => a + r.input, 0));
    }
  });

  it('answers a resend of the same events with the same rows (idempotent derived spans and log records)', async () => {
    const s = claudeSession(400);
    const baseMs = Date.now() - 30_000;
    await sendClaudeEvents(new LogsProto({ url: url('/v1/logs') }), s, { baseMs });
    await sendClaudeEvents(new LogsJson({ url: url('/v1/logs') }), s, { baseMs });
    const t = await sessionTotals(s);
    // Log records carry their own timestamps from baseMs, identical in both sends, so they dedupe too.
    const [logs] = await store.query('SELECT count(*) AS n FROM log_records WHERE session_id = $s', { s: s.sessionId });
    expect(Number(t.row.requests)).toBe(s.requests.length);
    expect(Number(logs!.n)).toBe(1 + s.requests.length + 2 * s.tools.length + 1);
  });
});

async function conversationTotals(id: string) {
  await collector.flush(10_000);
  const [row] = await store.query(
    `SELECT count(*) FILTER (WHERE operation = 'chat') AS requests, sum(input_tokens) FILTER (WHERE operation = 'chat') AS input,
            sum(output_tokens) FILTER (WHERE operation = 'chat') AS output, count(*) FILTER (WHERE operation = 'execute_tool') AS tools,
            count(*) FILTER (WHERE operation = 'execute_tool' AND status_code = 'ERROR') AS tool_failures
     FROM spans WHERE session_id = $s`,
    { s: id },
  );
  return { requests: Number(row!.requests), input: Number(row!.input), output: Number(row!.output), tools: Number(row!.tools), toolFailures: Number(row!.tool_failures) };
}

const truthOf = (c: Conversation) => ({
  requests: c.requests.length,
  input: c.requests.reduce((a, r) => a + r.input, 0),
  output: c.requests.reduce((a, r) => a + r.output, 0),
  tools: c.tools.length,
  toolFailures: c.tools.filter((t) => !t.success).length,
});

describe('Codex CLI and Gemini CLI through the official OTLP exporters', () => {
  it('gives a Codex conversation its token sums, request count and tool calls (protobuf and JSON)', async () => {
    for (const [i, exporter] of [new LogsProto({ url: url('/v1/logs') }), new LogsJson({ url: url('/v1/logs') })].entries()) {
      const c = conversation(500 + i);
      await sendCodexEvents(exporter, c);
      expect(await conversationTotals(c.id)).toEqual(truthOf(c));
    }
  });

  it('gives a Gemini conversation its token sums and request count, from events alone and from traces plus events (counted once)', async () => {
    const alone = conversation(600);
    await sendGemini(new LogsJson({ url: url('/v1/logs') }), null, alone);
    expect(await conversationTotals(alone.id)).toEqual(truthOf(alone));
    const both = conversation(601);
    await sendGemini(new LogsJson({ url: url('/v1/logs') }), new TracesJson({ url: url('/v1/traces') }), both);
    expect(await conversationTotals(both.id)).toEqual(truthOf(both));
    const [derived] = await store.query(`SELECT count(*) AS n FROM spans WHERE session_id = $s AND scope_name = 'agentpulse.events'`, { s: both.id });
    expect(Number(derived!.n)).toBe(0);
  });
});

describe('foreign span dialects through the official OTLP trace exporter', () => {
  it('fills operation, model, provider, tokens, tool, agent and session for OpenInference, OpenLLMetry, Vercel AI SDK and GenAI 2026 spans', async () => {
    const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    const cases: { service: string; name: string; attributes: Record<string, string | number>; expect: Record<string, unknown> }[] = [
      {
        service: 'phoenix-app', name: 'ChatCompletion',
        attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.provider': 'openai', 'llm.token_count.prompt': 120, 'llm.token_count.completion': 30, 'llm.cost.total': 0.002, 'session.id': 'oi-s', 'agent.name': 'researcher' },
        expect: { operation: 'chat', model: 'gpt-4o', provider: 'openai', input_tokens: 120, output_tokens: 30, cost_usd: 0.002, agent_name: 'researcher', session_id: 'oi-s' },
      },
      { service: 'phoenix-app', name: 'search', attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'web_search' }, expect: { operation: 'execute_tool', tool_name: 'web_search' } },
      {
        service: 'traceloop-app', name: 'openai.chat',
        attributes: { 'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.prompt_tokens': 80, 'gen_ai.usage.completion_tokens': 12 },
        expect: { operation: 'chat', model: 'gpt-4o-mini', provider: 'openai', input_tokens: 80, output_tokens: 12 },
      },
      { service: 'traceloop-app', name: 'lookup.tool', attributes: { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'lookup' }, expect: { operation: 'execute_tool', tool_name: 'lookup' } },
      { service: 'traceloop-app', name: 'planner.agent', attributes: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'planner' }, expect: { operation: 'invoke_agent', agent_name: 'planner' } },
      {
        service: 'vercel-app', name: 'ai.generateText.doGenerate',
        attributes: { 'ai.model.id': 'claude-sonnet-4-5', 'ai.model.provider': 'anthropic.messages', 'ai.usage.promptTokens': 55, 'ai.usage.completionTokens': 9 },
        expect: { operation: 'chat', model: 'claude-sonnet-4-5', provider: 'anthropic', input_tokens: 55, output_tokens: 9 },
      },
      { service: 'vercel-app', name: 'ai.toolCall', attributes: { 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'tc-1' }, expect: { operation: 'execute_tool', tool_name: 'weather', call_id: 'tc-1' } },
      {
        service: 'genai-2026', name: 'invoke_agent planner',
        attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'planner', 'gen_ai.provider.name': 'openai', 'gen_ai.conversation.id': 'g-s' },
        expect: { operation: 'invoke_agent', agent_name: 'planner', session_id: 'g-s' },
      },
      { service: 'gemini-cli', name: 'tool_call', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call_id': 'g-call-1' }, expect: { operation: 'execute_tool', tool_name: 'read_file', call_id: 'g-call-1' } },
    ];
    for (const [i, c] of cases.entries()) {
      const exporter = i % 2 ? new TracesJson({ url: url('/v1/traces') }) : new TracesProto({ url: url('/v1/traces') });
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': c.service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const span = provider.getTracer('dialect-test').startSpan(c.name, { attributes: { ...c.attributes, 'test.case': i } });
      span.end();
      await provider.forceFlush();
      await provider.shutdown();
    }
    await collector.flush(10_000);
    for (const [i, c] of cases.entries()) {
      const cols = Object.keys(c.expect);
      const [row] = await store.query(`SELECT ${cols.join(', ')} FROM spans WHERE (attributes->>'test.case') = $i`, { i: String(i) });
      expect(row, `${c.service} ${c.name}`).toEqual(c.expect);
    }
  });
});
