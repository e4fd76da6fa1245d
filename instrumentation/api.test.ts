import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage, traceAgent, traceChat, traceTask, traceTeam, traceTool } from './api.js';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterEach(() => exporter.reset());

const byName = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('agent API', () => {
  it('produces GenAI-convention spans with task and team attributes inherited by every span inside', async () => {
    await traceTask({ type: 'bugfix', id: 't-1' }, () =>
      traceTeam({ members: ['reviewer', 'coder'], id: 'team-1' }, () =>
        traceAgent({ name: 'coder', model: 'gpt-4o', contextSize: 1200 }, async () => {
          await traceTool('grep', () => 'hits');
          await traceChat({ provider: 'openai', model: 'gpt-4o' }, (span) => recordUsage(span, { inputTokens: 10, outputTokens: 5, costUsd: 0.001 }));
        }),
      ),
    );
    const chat = byName('chat gpt-4o');
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'agentpulse.cost.usd': 0.001,
      'gen_ai.agent.name': 'coder',
      'agentpulse.task.id': 't-1',
      'agentpulse.task.type': 'bugfix',
      'agentpulse.team.id': 'team-1',
      'agentpulse.team.members': ['coder', 'reviewer'],
    });
    expect(byName('execute_tool grep').attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'gen_ai.agent.name': 'coder' });
    const agent = byName('invoke_agent coder');
    expect(agent.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'agentpulse.context.size': 1200 });
    // Parentage: chat → agent → team → task.
    const task = byName('task bugfix');
    const team = byName('team coder+reviewer');
    expect(chat.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(agent.parentSpanContext?.spanId).toBe(team.spanContext().spanId);
    expect(team.parentSpanContext?.spanId).toBe(task.spanContext().spanId);
  });

  it('records failures with error.type, ERROR status and an exception event, and rethrows', async () => {
    const err = Object.assign(new Error('slow down'), { status: 429 });
    await expect(traceAgent('planner', () => Promise.reject(err))).rejects.toBe(err);
    const span = byName('invoke_agent planner');
    expect(span.attributes['error.type']).toBe('rate_limit');
    expect(span.status.code).toBe(2);
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('keeps concurrent agents apart (context propagation across awaits)', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        traceAgent(name, async () => {
          await new Promise((r) => setTimeout(r, 5));
          await traceTool(`tool-${name}`, async () => new Promise((r) => setTimeout(r, 1)));
        }),
      ),
    );
    for (const name of ['a', 'b', 'c']) {
      expect(byName(`execute_tool tool-${name}`).attributes['gen_ai.agent.name']).toBe(name);
      expect(byName(`execute_tool tool-${name}`).parentSpanContext?.spanId).toBe(byName(`invoke_agent ${name}`).spanContext().spanId);
    }
  });
});
