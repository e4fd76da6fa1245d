import type { AttrValue, Attributes } from '../../store/types.js';
import type { LogRecordIn } from '../../store/signals.js';
import { type ProtoReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtoReader.js';
import { checkEnd, expectWire, readAnyValue, readKeyValueInto } from './protoAnyValue.js';
import { RejectionLog, type SignalDecodeResult } from './decodeResult.js';
import { readExportRequest, type ItemReader } from './protoEnvelope.js';
import { logProblem, logRecordOf, type LogFields } from './signalRecords.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

// Field numbers from opentelemetry-proto: collector/logs/v1/logs_service.proto
// ExportLogsServiceRequest{1 resource_logs}; logs/v1/logs.proto ResourceLogs{1 resource,
// 2 scope_logs, 3 schema_url}, ScopeLogs{1 scope, 2 log_records, 3 schema_url}, LogRecord{1
// time_unix_nano fixed64, 11 observed_time_unix_nano fixed64, 2 severity_number enum,
// 3 severity_text, 5 body AnyValue, 6 attributes, 7 dropped_attributes_count, 8 flags fixed32,
// 9 trace_id bytes, 10 span_id bytes, 12 event_name}.

/**
 * Decodes an OTLP `ExportLogsServiceRequest` (binary protobuf) into log records. Wire damage throws
 * `ProtoDecodeError` (answer 400); invalid records are dropped and counted (OTLP partial success).
 * @example
 * const { records, rejected, errorMessage } = decodeLogsRequestProtobuf(body);
 */
export function decodeLogsRequestProtobuf(body: Buffer): SignalDecodeResult<LogRecordIn> {
  const rej = new RejectionLog('log record(s)');
  return rej.result(runToEnd(readExportRequest(body, logReader(rej))));
}

/** {@link decodeLogsRequestProtobuf} in slices of about `sliceMs` of CPU, yielding to the event loop between them. */
export async function decodeLogsRequestProtobufSliced(body: Buffer, sliceMs = 10): Promise<SignalDecodeResult<LogRecordIn>> {
  const rej = new RejectionLog('log record(s)');
  return rej.result(await runSliced(readExportRequest(body, logReader(rej)), sliceMs));
}

/** Reads LogRecord messages into `out`, counting rejections in `rej`; records without a time get the clock of now. */
function logReader(rej: RejectionLog): ItemReader<LogRecordIn> {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return function* readItem(r, limit, out) {
    const rec = logRecordOf(yield* readLogRecord(r, limit), nowNs);
    rej.keep(rec, logProblem(rec), out);
  };
}

/** Pause points inside one record: every this many attributes. */
const PAUSE_EVERY = 4096;

function* readLogRecord(r: ProtoReader, limit: number): Steps<LogFields> {
  let fields = 0;
  let timeNs = 0n;
  let observedNs = 0n;
  let severityNumber = 0;
  let severityText = '';
  let body: AttrValue = null;
  let attributes: Attributes | null = null;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (r.pos < limit) {
    if (++fields % PAUSE_EVERY === 0) yield;
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_I64); timeNs = r.fixed64(); break;
      case 2: {
        expectWire(tag, WIRE_VARINT);
        // An enum is an int32: a negative or huge one is a bad record, not bad wire.
        const n = r.int64();
        severityNumber = typeof n === 'number' ? n : -1;
        break;
      }
      case 3: expectWire(tag, WIRE_LEN); severityText = r.string(limit); break;
      case 5: {
        expectWire(tag, WIRE_LEN);
        const end = r.lenEnd(limit);
        body = readAnyValue(r, end, 0);
        r.pos = end;
        break;
      }
      case 6: expectWire(tag, WIRE_LEN); readKeyValueInto(r, r.lenEnd(limit), (attributes ??= {}), 0); break;
      case 8: expectWire(tag, WIRE_I32); r.fixed32(); break;
      case 9: expectWire(tag, WIRE_LEN); traceId = r.hex(limit); break;
      case 10: expectWire(tag, WIRE_LEN); spanId = r.hex(limit); break;
      case 11: expectWire(tag, WIRE_I64); observedNs = r.fixed64(); break;
      case 12: expectWire(tag, WIRE_LEN); eventName = r.string(limit); break;
      default: r.skip(tag & 7, limit);
    }
  }
  checkEnd(r, limit);
  return { timeNs, observedNs, traceId, spanId, severityNumber, severityText, body, eventName, attributes: attributes ?? {} };
}
