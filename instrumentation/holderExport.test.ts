import { describe, expect, it } from 'vitest';
import { decodeTraceRequestJson } from '../collector/otlp/json.js';
import type { SpanRecord } from '../store/types.js';
import { encodeOtlpJson } from './holderExport.js';

const span = (i: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: 'ab'.repeat(16),
  spanId: (i + 1).toString(16).padStart(16, '0'),
  parentSpanId: i === 0 ? null : '0000000000000001',
  name: `span ${i}`,
  kind: i === 0 ? 'server' : 'internal',
  startNs: 1_700_000_000_000_000_000n + BigInt(i),
  endNs: 1_700_000_000_500_000_000n + BigInt(i),
  statusCode: i % 2 ? 'ERROR' : 'UNSET',
  statusMessage: i % 2 ? 'boom' : null,
  attributes: { 'gen_ai.operation.name': 'chat', tokens: 12, ratio: 0.25, ok: true, none: null, list: ['a', 1, false], nested: { k: 'v', n: [1, 2] } },
  resource: { 'service.name': i < 2 ? 'svc-a' : 'svc-b' },
  scopeName: i === 3 ? null : 'scope',
  scopeVersion: i === 3 ? null : '1.0.0',
  events: [{ name: 'retry', timeNs: 1_700_000_000_100_000_000n, attributes: { attempt: 2 } }],
  links: i === 2 ? [{ traceId: 'cd'.repeat(16), spanId: 'ef'.repeat(8), attributes: { why: 'fan-in' } }] : [],
  ...over,
});

describe('encodeOtlpJson', () => {
  it('is read back by the collector as the same spans, across resources and scopes', () => {
    const spans = [0, 1, 2, 3].map((i) => span(i));
    const decoded = decodeTraceRequestJson(encodeOtlpJson(spans));
    expect(decoded.rejected).toBe(0);
    const byId = (a: SpanRecord, b: SpanRecord): number => a.spanId.localeCompare(b.spanId);
    expect([...decoded.spans].sort(byId)).toEqual([...spans].sort(byId));
  });
});
