import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { CompensationError } from '../errors/CompensationError.js';
import { Saga } from './Saga.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');

describe('Saga', () => {
  beforeEach(() => exporter.reset());

  it('compensates completed steps in reverse order and rethrows the original error', async () => {
    const log: string[] = [];
    const step = (name: string) => ({
      name,
      action: async () => (log.push(`do ${name}`), name),
      compensate: async (r: string) => void log.push(`undo ${r}`),
    });
    const saga = new Saga({ name: 'trip', tracer })
      .step(step('flight'))
      .step(step('hotel'))
      .step(step('car'))
      .step({ name: 'pay', action: async () => Promise.reject(new Error('card declined')) });
    await expect(saga.run()).rejects.toThrow('card declined');
    expect(log).toEqual(['do flight', 'do hotel', 'do car', 'undo car', 'undo hotel', 'undo flight']);
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes['agentpulse.recovery.strategy']).toBe('compensate');
    expect(span.attributes['agentpulse.recovery.outcome']).toBe('recovered');
    expect(span.events.map((e) => e.attributes?.step)).toEqual(['car', 'hotel', 'flight']);
  });

  it('runs every compensation and reports all failures with the original as cause', async () => {
    const log: string[] = [];
    const original = new Error('step 3 failed');
    const saga = new Saga({ tracer })
      .step({ name: 'a', action: async () => 1, compensate: async () => Promise.reject(new Error('undo a failed')) })
      .step({ name: 'b', action: async () => 2, compensate: async () => void log.push('undo b') })
      .step({ name: 'c', action: async () => 3, compensate: async () => Promise.reject(new Error('undo c failed')) })
      .step({ name: 'd', action: async () => Promise.reject(original) });
    const err = await saga.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompensationError);
    const ce = err as CompensationError;
    expect(ce.failedSteps).toEqual(['c', 'a']);
    expect(ce.errors.map((e: Error) => e.message)).toEqual(['undo c failed', 'undo a failed']);
    expect(ce.cause).toBe(original);
    expect(log).toEqual(['undo b']);
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes['agentpulse.recovery.outcome']).toBe('failed');
    expect(span.events.map((e) => e.attributes?.['agentpulse.recovery.outcome'])).toEqual(['failed', 'recovered', 'failed']);
  });

  it('returns every step result when nothing fails and emits no span', async () => {
    const results = await new Saga({ tracer }).step({ name: 'x', action: async () => 1 }).step({ name: 'y', action: async () => 2 }).run();
    expect(results).toEqual({ x: 1, y: 2 });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
