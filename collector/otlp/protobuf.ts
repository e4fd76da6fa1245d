import type { Attributes, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../../store/types.js';
import { ProtoDecodeError, ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtoReader.js';
import { checkEnd, expectWire, readKeyValueInto } from './protoAnyValue.js';
import { RejectionLog, type DecodeResult } from './decodeResult.js';
import { readExportRequest, type ItemReader } from './protoEnvelope.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

// Field numbers from opentelemetry-proto: collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto.

/**
 * Decodes an OTLP `ExportTraceServiceRequest` (binary protobuf) into span records.
 * Wire-level damage throws `ProtoDecodeError` (answer 400); semantically invalid
 * spans are dropped and counted for the partial-success response.
 */
export function decodeTraceRequestProtobuf(body: Buffer): DecodeResult {
  const rej = new RejectionLog();
  return spanResult(runToEnd(readExportRequest(body, spanReader(rej))), rej);
}

/**
 * {@link decodeTraceRequestProtobuf} in slices of about `sliceMs` of CPU, yielding to the event loop
 * between them, so one large request (15 MB, a million attributes: ~1 s of decoding) does not stall
 * health checks and other requests on the same thread.
 */
export async function decodeTraceRequestProtobufSliced(body: Buffer, sliceMs = 10): Promise<DecodeResult> {
  const rej = new RejectionLog();
  return spanResult(await runSliced(readExportRequest(body, spanReader(rej)), sliceMs), rej);
}

function spanReader(rej: RejectionLog): ItemReader<SpanRecord> {
  return (r, limit, out) => readSpanInto(r, limit, out, rej);
}

function spanResult(spans: SpanRecord[], rej: RejectionLog): DecodeResult {
  return { spans, rejected: rej.count, errorMessage: rej.message(), outOfWindow: rej.outOfWindow };
}

const EMPTY: Attributes = Object.freeze({}) as Attributes;

/** Pause points inside one span: every this many attributes, events or links. */
const PAUSE_EVERY = 4096;

/** Reads one Span message ending at `limit` and adds it to `out` unless it is rejected. */
function* readSpanInto(r: ProtoReader, limit: number, out: SpanRecord[], rej: RejectionLog): Steps<void> {
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
  const span: SpanRecord = {
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
  rej.accept(span, out);
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
