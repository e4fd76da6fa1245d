/**
 * Sends spans to the agentpulse process that holds the database file (store/lockHolder.ts), as
 * OTLP/JSON on its `/v1/traces`: the embedded writer uses it when it cannot open the file, so a
 * running dashboard or collector shows the spans at once instead of after a spool pick-up.
 * The encoding is the inverse of collector/otlp/json.ts (hex ids, int64 as decimal strings).
 */
import type { AttrValue, Attributes, SpanRecord } from '../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../store/types.js';

type AnyValue = Record<string, unknown>;

function anyValue(v: AttrValue): AnyValue {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return { intValue: String(v) };
    return { doubleValue: Number.isFinite(v) ? v : String(v) };
  }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}

function keyValues(a: Attributes): { key: string; value: AnyValue }[] {
  return Object.entries(a).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** One OTLP/JSON ExportTraceServiceRequest for `spans`, grouped by resource and scope. */
export function encodeOtlpJson(spans: readonly SpanRecord[]): string {
  const byResource = new Map<string, { resource: Attributes; scopes: Map<string, { name: string | null; version: string | null; spans: unknown[] }> }>();
  for (const s of spans) {
    const rk = JSON.stringify(s.resource);
    let r = byResource.get(rk);
    if (!r) byResource.set(rk, (r = { resource: s.resource, scopes: new Map() }));
    const sk = `${s.scopeName ?? ''}\u0000${s.scopeVersion ?? ''}`;
    let sc = r.scopes.get(sk);
    if (!sc) r.scopes.set(sk, (sc = { name: s.scopeName, version: s.scopeVersion, spans: [] }));
    sc.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      name: s.name,
      kind: KIND_NAMES.indexOf(s.kind),
      startTimeUnixNano: s.startNs.toString(),
      endTimeUnixNano: s.endNs.toString(),
      attributes: keyValues(s.attributes),
      events: s.events.map((e) => ({ name: e.name, timeUnixNano: e.timeNs.toString(), attributes: keyValues(e.attributes) })),
      links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes) })),
      status: { code: STATUS_NAMES.indexOf(s.statusCode), ...(s.statusMessage ? { message: s.statusMessage } : {}) },
    });
  }
  return JSON.stringify({
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        scope: { ...(sc.name ? { name: sc.name } : {}), ...(sc.version ? { version: sc.version } : {}) },
        spans: sc.spans,
      })),
    })),
  });
}

/**
 * POSTs `spans` to `<url>/v1/traces`; true once the holder acknowledged them (it answers after
 * the batch is durable), false on any failure — the caller then spools, so nothing is lost.
 */
export async function sendToHolder(url: string, spans: readonly SpanRecord[], o: { token?: string; timeoutMs: number }): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const res = await fetch(new URL('/v1/traces', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      body: encodeOtlpJson(spans),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (!res.ok) return { ok: false, reason: `answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
