import { randomBytes } from 'node:crypto';
import type { SpanRecord } from '../store/types.js';

export const hexId = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A valid SpanRecord with sensible defaults; tests override what they pin. */
export function makeSpan(over: Partial<SpanRecord> = {}): SpanRecord {
  const start = over.startNs ?? 1_700_000_000_000_000_000n;
  return {
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: null,
    name: 'invoke_agent planner',
    kind: 'internal',
    startNs: start,
    endNs: start + 5_000_000n,
    statusCode: 'OK',
    statusMessage: null,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
    resource: { 'service.name': 'test-svc' },
    scopeName: 'test',
    scopeVersion: null,
    events: [],
    links: [],
    ...over,
  };
}
