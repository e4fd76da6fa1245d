import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes, SpanRecord } from '../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../store/types.js';

/**
 * Compact wire format between the host thread and the writer thread: one JSON string
 * per batch, so the host pays a single native JSON.stringify and one string copy.
 * Everything else (bigint times, normalisation, DuckDB) happens on the writer thread.
 *
 * Batch = [resources, scopes, spans, baseSec]; span = [traceId, spanId, parentId|0, name, kind,
 * startSec, startNanos, endSec, endNanos, status, statusMessage|0, attributes,
 * resourceIndex, scopeIndex, events|0, links|0]. Seconds (span and event times) are sent
 * relative to baseSec: epoch seconds are heap numbers that JSON.stringify formats slowly,
 * small offsets are small integers it formats fast.
 */
type WireSpan = [string, string, string | 0, string, number, number, number, number, number, number, string | 0, unknown, number, number, unknown, unknown];

/** Encodes ended SDK spans `spans[from..to)`. Runs on the host thread: keep it lean. */
export function encodeSpanBatch(spans: readonly ReadableSpan[], from = 0, to = spans.length): string {
  const resources: unknown[] = [];
  const scopes: unknown[] = [];
  let lastRes: unknown = undefined;
  let lastResIdx = -1;
  let lastScope: unknown = undefined;
  let lastScopeIdx = -1;
  const out: WireSpan[] = new Array(to - from);
  const base = to > from ? spans[from].startTime[0] : 0;
  for (let i = from; i < to; i++) {
    const s = spans[i];
    if (s.resource !== lastRes) {
      lastRes = s.resource;
      lastResIdx = resources.push(s.resource.attributes) - 1;
    }
    if (s.instrumentationScope !== lastScope) {
      lastScope = s.instrumentationScope;
      lastScopeIdx = scopes.push([s.instrumentationScope.name, s.instrumentationScope.version ?? 0]) - 1;
    }
    const ctx = s.spanContext();
    const events = s.events.length === 0 ? 0 : s.events.map((e) => [e.name, e.time[0] - base, e.time[1], e.attributes ?? 0]);
    const links = s.links.length === 0 ? 0 : s.links.map((l) => [l.context.traceId, l.context.spanId, l.attributes ?? 0]);
    out[i - from] = [
      ctx.traceId,
      ctx.spanId,
      s.parentSpanContext?.spanId ?? 0,
      s.name,
      s.kind,
      s.startTime[0] - base,
      s.startTime[1],
      s.endTime[0] - base,
      s.endTime[1],
      s.status.code,
      s.status.message ?? 0,
      s.attributes,
      lastResIdx,
      lastScopeIdx,
      events,
      links,
    ];
  }
  return JSON.stringify([resources, scopes, out, base]);
}

const toNs = (sec: number, nanos: number): bigint => BigInt(sec) * 1_000_000_000n + BigInt(nanos);

/** Decodes a batch on the writer thread into store records. */
export function decodeSpanBatch(payload: string): SpanRecord[] {
  const [resources, scopes, spans, base = 0] = JSON.parse(payload) as [Attributes[], [string, string | 0][], WireSpan[], number?];
  return spans.map((w) => {
    const scope = scopes[w[13]];
    const events = (w[14] || []) as [string, number, number, Attributes | 0][];
    const links = (w[15] || []) as [string, string, Attributes | 0][];
    return {
      traceId: w[0],
      spanId: w[1],
      parentSpanId: w[2] || null,
      name: w[3],
      // OTel JS SpanKind is 0-based from INTERNAL; OTLP's adds UNSPECIFIED at 0.
      kind: KIND_NAMES[(w[4] as number) + 1] ?? 'unspecified',
      startNs: toNs(base + w[5], w[6]),
      endNs: toNs(base + w[7], w[8]),
      statusCode: STATUS_NAMES[w[9]] ?? 'UNSET',
      statusMessage: w[10] || null,
      attributes: (w[11] ?? {}) as Attributes,
      resource: resources[w[12]] ?? {},
      scopeName: scope ? scope[0] : null,
      scopeVersion: scope && scope[1] ? scope[1] : null,
      events: events.map((e) => ({ name: e[0], timeNs: toNs(base + e[1], e[2]), attributes: e[3] || {} })),
      links: links.map((l) => ({ traceId: l[0], spanId: l[1], attributes: l[2] || {} })),
    };
  });
}
