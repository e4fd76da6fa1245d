import type { LogRecordIn } from '../../store/signals.js';
import { RejectionLog, type SignalDecodeResult } from './decodeResult.js';
import { anyValue, attributesOf, enumValue, field, hexId, nanos, objectOf, optString, parseJsonBody } from './jsonFields.js';
import { walkJsonRequest, type JsonLayout } from './jsonEnvelope.js';
import { logProblem, logRecordOf, SEVERITY_NAMES } from './signalRecords.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

const LOGS_LAYOUT: JsonLayout = { resources: ['resourceLogs', 'resource_logs'], scopes: ['scopeLogs', 'scope_logs'], items: ['logRecords', 'log_records'] };

/**
 * Decodes an OTLP/JSON `ExportLogsServiceRequest` (hex ids, int64 as string or number, enum names
 * or numbers, lowerCamelCase or snake_case names). A body that is not such a request throws
 * `JsonDecodeError` (answer 400); invalid records are dropped and counted (OTLP partial success).
 */
export function decodeLogsRequestJson(body: Buffer | string): SignalDecodeResult<LogRecordIn> {
  const rej = new RejectionLog('log record(s)');
  const out: LogRecordIn[] = [];
  runToEnd(decodeSteps(body, rej, out));
  return rej.result(out);
}

/** {@link decodeLogsRequestJson} in slices of about `sliceMs`, yielding between records (the `JSON.parse` is one step). */
export async function decodeLogsRequestJsonSliced(body: Buffer | string, sliceMs = 10): Promise<SignalDecodeResult<LogRecordIn>> {
  const rej = new RejectionLog('log record(s)');
  const out: LogRecordIn[] = [];
  await runSliced(decodeSteps(body, rej, out), sliceMs);
  return rej.result(out);
}

/** Parses the body (throws `JsonDecodeError` now) and returns the steps that decode its records into `out`. */
function decodeSteps(body: Buffer | string, rej: RejectionLog, out: LogRecordIn[]): Steps<void> {
  const doc = parseJsonBody(body);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return walkJsonRequest(doc, LOGS_LAYOUT, rej, (raw, ctx) => {
    const rec = toLogRecord(raw, nowNs);
    rec.resource = ctx.resource;
    rec.scopeName = ctx.scopeName;
    rec.scopeVersion = ctx.scopeVersion;
    rej.keep(rec, logProblem(rec), out);
  });
}

function toLogRecord(raw: unknown, nowNs: bigint): LogRecordIn {
  const o = objectOf(raw, 'log record');
  return logRecordOf(
    {
      timeNs: nanos(field(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
      observedNs: nanos(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano'),
      traceId: hexId(field(o, 'traceId', 'trace_id'), 'traceId'),
      spanId: hexId(field(o, 'spanId', 'span_id'), 'spanId'),
      severityNumber: enumValue(field(o, 'severityNumber', 'severity_number'), SEVERITY_NAMES, 'SEVERITY_NUMBER_', 'severityNumber'),
      severityText: optString(field(o, 'severityText', 'severity_text'), 'severityText'),
      body: anyValue(o.body, 0),
      eventName: optString(field(o, 'eventName', 'event_name'), 'eventName'),
      attributes: attributesOf(o.attributes),
    },
    nowNs,
  );
}
