import { createHash } from 'node:crypto';
import type { LogRecordIn, MetricPointIn } from './signals.js';
import type { AttrValue, Attributes } from './types.js';

/**
 * Rows of `log_records` and `metric_points` (see `LOG_COLUMNS`, `METRIC_COLUMNS` in schema.ts),
 * with content-derived keys: a resent request (an exporter's retry, a write-ahead-log replay after
 * a crash) maps to the same keys, and rows already stored are skipped, as spans are.
 */
export interface LogRow {
  timeNs: bigint;
  observedNs: bigint;
  traceId: string | null;
  spanId: string | null;
  severityNumber: number | null;
  severityText: string | null;
  body: string | null;
  eventName: string | null;
  serviceName: string | null;
  scopeName: string | null;
  sessionId: string | null;
  recordId: string;
  attributesJson: string;
  resourceJson: string;
}

export interface MetricRow {
  p: MetricPointIn;
  serviceName: string | null;
  sessionId: string | null;
  seriesId: string;
  pointId: string;
  extraJson: string | null;
  attributesJson: string;
  resourceJson: string;
}

export const MAX_NS = 0x7fff_ffff_ffff_ffffn;
export const clampNs = (ns: bigint): bigint => (ns < 0n ? 0n : ns > MAX_NS ? MAX_NS : ns);

function text(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** The session a record belongs to, by the names coding agents and the GenAI conventions use. */
export function sessionOf(attributes: Attributes, resource?: Attributes): string | null {
  return (
    text(attributes['session.id']) ??
    text(attributes['gen_ai.conversation.id']) ??
    text(attributes['conversation.id']) ??
    (resource ? text(resource['session.id']) : null)
  );
}

const bigintSafe = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? x.toString() : x);
const json = (v: unknown): string => JSON.stringify(v, bigintSafe);

/** JSON with object keys sorted: the same attributes in another order name the same series. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return json(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

const hashOf = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** Maps decoded log records to rows, one per distinct record. */
export function logRows(logs: readonly LogRecordIn[]): LogRow[] {
  const seen = new Set<string>();
  const out: LogRow[] = [];
  const resources = new Map<Attributes, string>();
  for (const l of logs) {
    let resourceJson = resources.get(l.resource);
    if (resourceJson === undefined) {
      resourceJson = json(l.resource);
      resources.set(l.resource, resourceJson);
    }
    const attributesJson = json(l.attributes);
    const body = l.body === null ? null : typeof l.body === 'string' ? l.body : json(l.body);
    const timeNs = clampNs(l.timeNs);
    // Not the observed time: an agent that sends the same event again (a restart, a retry through
    // its SDK) stamps a new one, and the record is still the same.
    const recordId = hashOf(
      String(timeNs),
      l.traceId ?? '',
      l.spanId ?? '',
      String(l.severityNumber ?? ''),
      l.severityText ?? '',
      body ?? '',
      l.eventName ?? '',
      l.scopeName ?? '',
      attributesJson,
      resourceJson,
    );
    if (seen.has(recordId)) continue;
    seen.add(recordId);
    out.push({
      timeNs,
      observedNs: clampNs(l.observedNs),
      traceId: l.traceId,
      spanId: l.spanId,
      severityNumber: l.severityNumber,
      severityText: l.severityText,
      body,
      eventName: l.eventName,
      serviceName: text(l.resource['service.name']),
      scopeName: l.scopeName,
      sessionId: sessionOf(l.attributes, l.resource),
      recordId,
      attributesJson,
      resourceJson,
    });
  }
  return out;
}

/** Maps decoded metric points to rows, one per distinct point. */
export function metricRows(points: readonly MetricPointIn[]): MetricRow[] {
  const seen = new Set<string>();
  const out: MetricRow[] = [];
  const resources = new Map<Attributes, [string, string]>();
  for (const p of points) {
    let res = resources.get(p.resource);
    if (res === undefined) {
      res = [json(p.resource), stableJson(p.resource)];
      resources.set(p.resource, res);
    }
    const seriesId = hashOf(p.name, p.unit ?? '', p.kind, p.temporality ?? '', p.scopeName ?? '', stableJson(p.attributes), res[1]);
    const pointId = hashOf(seriesId, String(p.startNs), String(p.timeNs));
    if (seen.has(pointId)) continue;
    seen.add(pointId);
    out.push({
      p,
      serviceName: text(p.resource['service.name']),
      sessionId: sessionOf(p.attributes, p.resource),
      seriesId,
      pointId,
      extraJson: p.extra === null ? null : json(p.extra),
      attributesJson: json(p.attributes),
      resourceJson: res[0],
    });
  }
  return out;
}
