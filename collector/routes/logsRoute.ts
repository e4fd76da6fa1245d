import type { LogRecordIn } from '../../store/signals.js';
import { deriveSpans } from '../events/index.js';
import { decodeLogsRequestJsonSliced } from '../otlp/logsJson.js';
import { decodeLogsRequestProtobufSliced } from '../otlp/logsProtobuf.js';
import type { OtlpSignal } from './otlpRoute.js';

const MAX_REASONS = 3;

/**
 * `POST /v1/logs`: OTLP log records, protobuf or JSON (spool frame kinds 3 and 4). Every record is
 * kept in `log_records`, unknown event names included; coding agents' events (Claude Code
 * `api_request`, Codex `codex.tool_result`, …) also become spans, so the analyzer, dashboard and
 * learning see their model calls and tool calls. An event with absurd values (negative tokens, a
 * NaN cost) is rejected whole, with its reason counted.
 */
export const logsSignal: OtlpSignal = {
  path: '/v1/logs',
  spoolKind: { protobuf: 3, json: 4 },
  async decode(encoding, body, metrics) {
    const d = encoding === 'protobuf' ? await decodeLogsRequestProtobufSliced(body) : await decodeLogsRequestJsonSliced(body);
    const derived = deriveSpans(d.records);
    let logs: LogRecordIn[] = d.records;
    const reasons: string[] = [];
    if (derived.rejected.length > 0) {
      const drop = new Set<number>();
      for (const r of derived.rejected) {
        drop.add(r.index);
        metrics?.countRejected('events', r.reason);
        if (reasons.length < MAX_REASONS) reasons.push(`${d.records[r.index]?.eventName ?? 'event'}: ${r.reason}`);
      }
      logs = d.records.filter((_, i) => !drop.has(i));
    }
    if (metrics) {
      metrics.logsReceived += d.records.length;
      metrics.spansDerived += derived.spans.length;
      metrics.countDecodeRejections('logs', d);
    }
    const eventRejected = d.records.length - logs.length;
    const rejected = d.rejected + eventRejected;
    let errorMessage = d.errorMessage;
    if (eventRejected > 0) {
      const more = eventRejected > reasons.length ? ` (+${eventRejected - reasons.length} more)` : '';
      const msg = `rejected ${eventRejected} event(s): ${reasons.join('; ')}${more}`;
      errorMessage = errorMessage ? `${errorMessage}; ${msg}` : msg;
    }
    return { records: { spans: derived.spans, logs, points: [] }, accepted: logs.length, rejected, errorMessage };
  },
};
