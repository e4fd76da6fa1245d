import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../store/pricing.js';
import { AdapterSpanProcessor } from './AdapterSpanProcessor.js';

const SCOPE = '@arizeai/openinference-instrumentation-langchain';

describe('LangGraphHandoffs (through AdapterSpanProcessor)', () => {
  it("links each node span to the nodes of the graph's previous step, parallel ones included, and fills LLM cost", () => {
    const exporter = new InMemorySpanExporter();
    const prices = new PriceTable({ openai: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } });
    const provider = new BasicTracerProvider({ spanProcessors: [new AdapterSpanProcessor(undefined, () => prices), new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer(SCOPE);
    const graph = tracer.startSpan('LangGraph', { attributes: { 'openinference.span.kind': 'CHAIN' } });
    const inGraph = trace.setSpan(context.active(), graph);
    const node = (name: string, step: number): string => {
      const s = tracer.startSpan(name, { attributes: { 'openinference.span.kind': 'CHAIN' } }, inGraph);
      s.setAttribute('metadata', JSON.stringify({ langgraph_node: name, langgraph_step: step }));
      s.end();
      return s.spanContext().spanId;
    };
    node('__start__', 0);
    const plan = node('plan', 1);
    const a = node('search_a', 2);
    const b = node('search_b', 2);
    node('merge', 3);
    const llm = tracer.startSpan('ChatOpenAI', { attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 1000, metadata: '{"ls_provider":"openai"}' } }, inGraph);
    llm.end();
    graph.end();
    const spans = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    const linked = (name: string): string[] => spans.get(name)!.links.map((l) => l.context.spanId).sort();
    expect(linked('plan')).toEqual([]);
    expect(linked('search_a')).toEqual([plan]);
    expect(linked('search_b')).toEqual([plan]);
    expect(linked('merge')).toEqual([a, b].sort());
    expect(spans.get('merge')!.links[0].attributes).toEqual({ 'agentpulse.link.type': 'handoff' });
    expect(spans.get('ChatOpenAI')!.attributes['llm.cost.total']).toBeCloseTo((0.15 + 0.6) / 1000, 12);
  });
});
