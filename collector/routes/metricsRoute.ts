import { decodeMetricsRequestJsonSliced } from '../otlp/metricsJson.js';
import { decodeMetricsRequestProtobufSliced } from '../otlp/metricsProtobuf.js';
import type { OtlpSignal } from './otlpRoute.js';

/**
 * `POST /v1/metrics`: OTLP metric data points, protobuf or JSON (spool frame kinds 5 and 6), kept
 * one row per point in `metric_points`; `metric_deltas` turns cumulative series into deltas.
 */
export const metricsSignal: OtlpSignal = {
  path: '/v1/metrics',
  spoolKind: { protobuf: 5, json: 6 },
  async decode(encoding, body, metrics) {
    const d = encoding === 'protobuf' ? await decodeMetricsRequestProtobufSliced(body) : await decodeMetricsRequestJsonSliced(body);
    if (metrics) {
      metrics.pointsReceived += d.records.length;
      metrics.countDecodeRejections('metrics', d);
    }
    return { records: { spans: [], logs: [], points: d.records }, accepted: d.records.length, rejected: d.rejected, errorMessage: d.errorMessage };
  },
};
