export { decodeTraceRequestProtobuf } from './protobuf.js';
export { decodeTraceRequestJson, JsonDecodeError } from './json.js';
export { decodeLogsRequestProtobuf, decodeLogsRequestProtobufSliced } from './logsProtobuf.js';
export { decodeLogsRequestJson, decodeLogsRequestJsonSliced } from './logsJson.js';
export { decodeMetricsRequestProtobuf, decodeMetricsRequestProtobufSliced } from './metricsProtobuf.js';
export { decodeMetricsRequestJson, decodeMetricsRequestJsonSliced } from './metricsJson.js';
export { ProtoDecodeError } from './ProtoReader.js';
export type { DecodeResult, SignalDecodeResult } from './decodeResult.js';
export { encodeExportResponse, encodeStatus, CONTENT_TYPES, type OtlpEncoding } from './response.js';
