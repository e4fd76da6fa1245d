import type { Attributes, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord, StatusCodeName } from '../../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../../store/types.js';
import { RejectionLog, type DecodeResult } from './decodeResult.js';
import { arrayOf, attributesOf, enumValue, field, hexId, nanos, objectOf, optString, parseJsonBody } from './jsonFields.js';
import { walkJsonRequest, type JsonLayout } from './jsonEnvelope.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

export { JsonDecodeError } from './jsonFields.js';

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (protobuf JSON mapping: hex ids,
 * integer enums, int64 as string or number, lowerCamelCase names; snake_case is accepted too).
 */
export function decodeTraceRequestJson(body: Buffer | string): DecodeResult {
  const out: SpanRecord[] = [];
  const rej = new RejectionLog();
  runToEnd(decodeSteps(body, rej, out));
  return { spans: out, rejected: rej.count, errorMessage: rej.message(), outOfWindow: rej.outOfWindow };
}

/**
 * {@link decodeTraceRequestJson} in slices of about `sliceMs`, yielding to the event loop between
 * spans (the `JSON.parse` of the body itself is one step).
 */
export async function decodeTraceRequestJsonSliced(body: Buffer | string, sliceMs = 10): Promise<DecodeResult> {
  const out: SpanRecord[] = [];
  const rej = new RejectionLog();
  await runSliced(decodeSteps(body, rej, out), sliceMs);
  return { spans: out, rejected: rej.count, errorMessage: rej.message(), outOfWindow: rej.outOfWindow };
}

const SPANS_LAYOUT: JsonLayout = { resources: ['resourceSpans', 'resource_spans'], scopes: ['scopeSpans', 'scope_spans'], items: ['spans', 'spans'] };

/** Parses the body (throws `JsonDecodeError` now) and returns the steps that decode its spans into `out`. */
function decodeSteps(body: Buffer | string, rej: RejectionLog, out: SpanRecord[]): Steps<void> {
  const doc = parseJsonBody(body);
  return walkJsonRequest(doc, SPANS_LAYOUT, rej, (raw, ctx) => rej.accept(toSpan(raw, ctx.resource, ctx.scopeName, ctx.scopeVersion), out));
}

function toSpan(raw: unknown, resource: Attributes, scopeName: string | null, scopeVersion: string | null): SpanRecord {
  const s = objectOf(raw, 'span');
  const parent = hexId(field(s, 'parentSpanId', 'parent_span_id'), 'parentSpanId');
  const status = s.status === undefined || s.status === null ? {} : objectOf(s.status, 'status');
  const statusMessage = optString(status.message, 'status.message');
  const events: SpanEventRecord[] = arrayOf(s.events, 'events').map((e) => {
    const ev = objectOf(e, 'event');
    return {
      name: optString(ev.name, 'event.name'),
      timeNs: nanos(field(ev, 'timeUnixNano', 'time_unix_nano'), 'event.timeUnixNano'),
      attributes: attributesOf(ev.attributes),
    };
  });
  const links: SpanLinkRecord[] = arrayOf(s.links, 'links').map((l) => {
    const lk = objectOf(l, 'link');
    return {
      traceId: hexId(field(lk, 'traceId', 'trace_id'), 'link.traceId'),
      spanId: hexId(field(lk, 'spanId', 'span_id'), 'link.spanId'),
      attributes: attributesOf(lk.attributes),
    };
  });
  return {
    traceId: hexId(field(s, 'traceId', 'trace_id'), 'traceId'),
    spanId: hexId(field(s, 'spanId', 'span_id'), 'spanId'),
    parentSpanId: parent === '' ? null : parent,
    name: optString(s.name, 'name'),
    kind: KIND_NAMES[enumValue(s.kind, KIND_NAMES, 'SPAN_KIND_', 'kind')] as SpanKindName,
    startNs: nanos(field(s, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endNs: nanos(field(s, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    statusCode: STATUS_NAMES[enumValue(status.code, STATUS_NAMES, 'STATUS_CODE_', 'status.code')] as StatusCodeName,
    statusMessage: statusMessage === '' ? null : statusMessage,
    attributes: attributesOf(s.attributes),
    resource,
    scopeName,
    scopeVersion,
    events,
    links,
  };
}

