import { decodeTraceRequestJsonSliced } from '../otlp/json.js';
import { decodeTraceRequestProtobufSliced } from '../otlp/protobuf.js';
import type { OtlpSignal } from './otlpRoute.js';

/**
 * `POST /v1/traces`: OTLP spans, protobuf or JSON. Spool frame kinds 1 and 2 (the kinds spool
 * files written by earlier versions carry).
 */
export const tracesSignal: OtlpSignal = {
  path: '/v1/traces',
  spoolKind: { protobuf: 1, json: 2 },
  async decode(encoding, body, metrics) {
    const d = encoding === 'protobuf' ? await decodeTraceRequestProtobufSliced(body) : await decodeTraceRequestJsonSliced(body);
    if (metrics) {
      metrics.spansReceived += d.spans.length;
      metrics.spansRejected += d.rejected;
      metrics.spansOutOfWindow += d.outOfWindow ?? 0;
    }
    return { records: { spans: d.spans, logs: [], points: [] }, accepted: d.spans.length, rejected: d.rejected, errorMessage: d.errorMessage };
  },
};
