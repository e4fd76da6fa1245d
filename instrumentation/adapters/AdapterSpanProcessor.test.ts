import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../store/pricing.js';
import { AdapterSpanProcessor } from './AdapterSpanProcessor.js';

function record(scope: string, attributes: Record<string, string | number>): Record<string, unknown> {
  const exporter = new InMemorySpanExporter();
  const prices = new PriceTable({ openai: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } });
  const provider = new BasicTracerProvider({ spanProcessors: [new AdapterSpanProcessor(undefined, () => prices), new SimpleSpanProcessor(exporter)] });
  provider.getTracer(scope).startSpan('s', { attributes }).end();
  return exporter.getFinishedSpans()[0].attributes;
}

describe('AdapterSpanProcessor', () => {
  it("moves @ai-sdk/otel's run totals off its invoke_agent span so tokens count once", () => {
    const a = record('gen_ai', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 22, 'gen_ai.usage.output_tokens': 14 });
    expect(a['gen_ai.usage.input_tokens']).toBeUndefined();
    expect([a['agentpulse.ai.usage.input_tokens'], a['agentpulse.ai.usage.output_tokens']]).toEqual([22, 14]);
  });

  it('prices model calls from any scope and leaves their tokens alone', () => {
    const a = record('gen_ai', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 7 });
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['agentpulse.cost.usd']).toBeCloseTo((11 * 0.15 + 7 * 0.6) / 1e6, 12);
  });

  it('keeps totals on invoke_agent spans of other instrumentations', () => {
    const a = record('my-app', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5 });
    expect(a['gen_ai.usage.input_tokens']).toBe(5);
  });
});
