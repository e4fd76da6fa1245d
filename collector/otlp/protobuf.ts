import type { Attributes, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../../store/types.js';
import { ProtoDecodeError, ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtoReader.js';
import { checkEnd, expectWire, readKeyValueInto } from './protoAnyValue.js';
import { RejectionLog, type DecodeResult } from './decodeResult.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

// Field numbers from opentelemetry-proto: collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto.

/**
 * Decodes an OTLP `ExportTraceServiceRequest` (binary protobuf) into span records.
 * Wire-level damage throws `ProtoDecodeError` (answer 400); semantically invalid
 * spans are dropped and counted for the partial-success response.
 */
export function decodeTraceRequestProtobuf(body: Buffer): DecodeResult {
  return runToEnd(decodeSteps(body));
}

/**
 * {@link decodeTraceRequestProtobuf} in slices of about `sliceMs` of CPU, yielding to the event loop
 * between them, so one large request (15 MB, a million attributes: ~1 s of decoding) does not stall
 * health checks and other requests on the same thread.
 */
export async function decodeTraceRequestProtobufSliced(body: Buffer, sliceMs = 10): Promise<DecodeResult> {
  return runSliced(decodeSteps(body), sliceMs);
}

function* decodeSteps(body: Buffer): Steps<DecodeResult> {
  const r = new ProtoReader(body);
  const out: SpanRecord[] = [];
  const rejections = new RejectionLog();
  const limit = body.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const end = r.lenEnd(limit);
      yield* readResourceSpans(r, end, out, rejections);
      r.pos = end;
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { spans: out, rejected: rejections.count, errorMessage: rejections.message(), outOfWindow: rejections.outOfWindow };
}

function* readResourceSpans(r: ProtoReader, limit: number, out: SpanRecord[], rej: RejectionLog): Steps<void> {
  let resource: Attributes = {};
  const first = out.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        resource = readResource(r, end);
        r.pos = end;
        break;
      }
      case 2: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        yield* readScopeSpans(r, end, out, rej);
        r.pos = end;
        break;
      }
      default:
        r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  // Proto fields may arrive in any order, so the resource is attached once the message is complete.
  for (let i = first; i < out.length; i++) out[i]!.resource = resource;
}

function readResource(r: ProtoReader, limit: number): Attributes {
  const attrs: Attributes = {};
  while (r.pos < limit) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_LEN);
      readKeyValueInto(r, r.lenEnd(limit), attrs, 0);
    } else {
      r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return attrs;
}

function* readScopeSpans(r: ProtoReader, limit: number, out: SpanRecord[], rej: RejectionLog): Steps<void> {
  let scopeName: string | null = null;
  let scopeVersion: string | null = null;
  const first = out.length;
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        while (r.pos < end) {
          const t = r.uint32();
          if (t >>> 3 === 1) {
            expectWire(t, WIRE_LEN);
            scopeName = r.string(end);
          } else if (t >>> 3 === 2) {
            expectWire(t, WIRE_LEN);
            scopeVersion = r.string(end);
          } else {
            r.skip(t & 7, end);
          }
        }
        checkEnd(r, end);
        break;
      }
      case 2: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        const span = yield* readSpan(r, end);
        r.pos = end;
        rej.accept(span, out);
        yield;
        break;
      }
      default:
        r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  if (scopeName === '') scopeName = null;
  if (scopeVersion === '') scopeVersion = null;
  for (let i = first; i < out.length; i++) {
    const s = out[i]!;
    s.scopeName = scopeName;
    s.scopeVersion = scopeVersion;
  }
}

const EMPTY: Attributes = Object.freeze({}) as Attributes;

/** Pause points inside one span: every this many attributes, events or links. */
const PAUSE_EVERY = 4096;

function* readSpan(r: ProtoReader, limit: number): Steps<SpanRecord> {
  let fields = 0;
  let traceId = '';
  let spanId = '';
  let parentSpanId: string | null = null;
  let name = '';
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  let attributes: Attributes | null = null;
  const events: SpanEventRecord[] = [];
  const links: SpanLinkRecord[] = [];
  let statusCode = 0;
  let statusMessage: string | null = null;
  while (r.pos < limit) {
    // One span may hold a million attributes: pause inside it too.
    if (++fields % PAUSE_EVERY === 0) yield;
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_LEN); traceId = r.hex(limit); break;
      case 2: expectWire(tag, WIRE_LEN); spanId = r.hex(limit); break;
      case 4: {
        expectWire(tag, WIRE_LEN);
        const p = r.hex(limit);
        parentSpanId = p === '' ? null : p;
        break;
      }
      case 5: expectWire(tag, WIRE_LEN); name = r.string(limit); break;
      case 6: expectWire(tag, WIRE_VARINT); kind = r.uint32(); break;
      case 7: expectWire(tag, WIRE_I64); startNs = r.fixed64(); break;
      case 8: expectWire(tag, WIRE_I64); endNs = r.fixed64(); break;
      case 9:
        expectWire(tag, WIRE_LEN);
        readKeyValueInto(r, r.lenEnd(limit), (attributes ??= {}), 0);
        break;
      case 11: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        events.push(readEvent(r, end));
        r.pos = end;
        break;
      }
      case 13: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        links.push(readLink(r, end));
        r.pos = end;
        break;
      }
      case 15: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        while (r.pos < end) {
          const t = r.uint32();
          if (t >>> 3 === 2) {
            expectWire(t, WIRE_LEN);
            statusMessage = r.string(end);
          } else if (t >>> 3 === 3) {
            expectWire(t, WIRE_VARINT);
            statusCode = r.uint32();
          } else {
            r.skip(t & 7, end);
          }
        }
        checkEnd(r, end);
        break;
      }
      default:
        r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  if (kind >= KIND_NAMES.length) throw new ProtoDecodeError(`span kind ${kind} is not defined`);
  if (statusCode >= STATUS_NAMES.length) throw new ProtoDecodeError(`status code ${statusCode} is not defined`);
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: KIND_NAMES[kind]!,
    startNs,
    endNs,
    statusCode: STATUS_NAMES[statusCode]!,
    statusMessage: statusMessage === '' ? null : statusMessage,
    attributes: attributes ?? {},
    resource: EMPTY,
    scopeName: null,
    scopeVersion: null,
    events,
    links,
  };
}

function readEvent(r: ProtoReader, limit: number): SpanEventRecord {
  let name = '';
  let timeNs = 0n;
  const attributes: Attributes = {};
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_I64); timeNs = r.fixed64(); break;
      case 2: expectWire(tag, WIRE_LEN); name = r.string(limit); break;
      case 3: expectWire(tag, WIRE_LEN); readKeyValueInto(r, r.lenEnd(limit), attributes, 0); break;
      default: r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { name, timeNs, attributes };
}

function readLink(r: ProtoReader, limit: number): SpanLinkRecord {
  let traceId = '';
  let spanId = '';
  const attributes: Attributes = {};
  while (r.pos < limit) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_LEN); traceId = r.hex(limit); break;
      case 2: expectWire(tag, WIRE_LEN); spanId = r.hex(limit); break;
      case 4: expectWire(tag, WIRE_LEN); readKeyValueInto(r, r.lenEnd(limit), attributes, 0); break;
      default: r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { traceId, spanId, attributes };
}
