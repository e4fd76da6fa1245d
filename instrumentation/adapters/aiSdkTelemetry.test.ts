import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { AiSdkTelemetry } from './aiSdkTelemetry.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
beforeEach(() => exporter.reset());

const start = (callId: string) => ({ callId, operationId: 'ai.generateText', provider: 'openai.chat', modelId: 'gpt-4o-mini', aiVersion: '7.0.173' });
const finished = () => exporter.getFinishedSpans().map((s) => [s.name, s.status.code, s.attributes['error.type'] ?? null]);

describe('AiSdkTelemetry', () => {
  it('ignores AI SDK 6 events (no callId): 6 is traced through its own spans', () => {
    const t = new AiSdkTelemetry();
    t.onStart({ model: { provider: 'openai.chat', modelId: 'gpt-4o-mini' }, prompt: 'hi' });
    t.onStepStart({ stepNumber: 0 });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it("steps aside when the app registered @ai-sdk/otel's integration", () => {
    class OpenTelemetry {
      executeLanguageModelCall(): void {}
    }
    const t = new AiSdkTelemetry(() => [new OpenTelemetry()]);
    t.onStart(start('c1'));
    t.onEnd({ callId: 'c1', finishReason: 'stop' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('ends every open span of a call that fails, with the error class', () => {
    const t = new AiSdkTelemetry();
    t.onStart(start('c1'));
    t.onStepStart({ callId: 'c1', stepNumber: 0 });
    t.onLanguageModelCallStart({ callId: 'c1', provider: 'openai.chat', modelId: 'gpt-4o-mini' });
    t.onError({ callId: 'c1', error: Object.assign(new Error('Rate limit reached'), { statusCode: 429 }) });
    expect(finished()).toEqual([
      ['chat gpt-4o-mini', 2, 'rate_limit'],
      ['step 1', 2, 'rate_limit'],
      ['invoke_agent', 2, 'rate_limit'],
    ]);
  });

  it('keeps at most 4096 calls open, closing the oldest', () => {
    const t = new AiSdkTelemetry();
    for (let i = 0; i <= 4096; i++) t.onStart(start(`c${i}`));
    const closed = exporter.getFinishedSpans();
    expect(closed.map((s) => s.attributes['agentpulse.ai.incomplete'])).toEqual([true]);
    t.onEnd({ callId: 'c0' });
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
